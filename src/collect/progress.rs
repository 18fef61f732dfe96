//! The progress display of a collection on standard error.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

/// Progress display on stderr; a no-op when disabled.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    state: Arc<std::sync::Mutex<ProgressState>>,
}

#[derive(Debug, Default)]
struct ProgressState {
    regions_total: usize,
    regions_done: usize,
}

impl Progress {
    /// A display when `enabled` and stderr is a terminal.
    pub fn new(enabled: bool) -> Progress {
        if !(enabled && std::io::stderr().is_terminal()) {
            return Progress::default();
        }
        let bar = indicatif::ProgressBar::new(0);
        let style = indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {msg} tables {pos}/{len} {wide_bar}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress {
            bar: Some(bar),
            state: Arc::default(),
        }
    }

    fn with_state(&self, f: impl FnOnce(&mut ProgressState)) {
        let mut state = crate::collect::util::lock(&self.state);
        f(&mut state);
        if let Some(bar) = &self.bar {
            bar.set_message(format!(
                "regions {}/{}",
                state.regions_done, state.regions_total
            ));
        }
    }

    /// The scan covers `n` regions.
    pub fn regions(&self, n: usize) {
        self.with_state(|s| s.regions_total = n);
    }

    /// A region is done.
    pub fn region_done(&self, _region: &str) {
        self.with_state(|s| s.regions_done += 1);
    }

    /// `n` tables were listed in `region`.
    pub fn tables_found(&self, _region: &str, n: usize) {
        if let Some(bar) = &self.bar {
            bar.inc_length(n as u64);
        }
    }

    /// One table of `region` is collected.
    pub fn table_done(&self, _region: &str) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Removes the display.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
