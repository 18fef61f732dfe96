//! The formats of `dynaudit diff`: one module per format ([`table`],
//! [`json`], [`markdown`], [`html`]), over the same [`crate::diff::Diff`]. Lists are
//! ordered by descending severity, then rule id and resource.

pub mod html;
pub mod json;
pub mod markdown;
pub mod table;

use crate::diff::{Diff, NowState, Outcomes, SourceKind};

/// New, fixed and unchanged failure counts.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub(crate) struct Summary {
    pub new: usize,
    pub fixed: usize,
    pub unchanged: usize,
}

pub(crate) fn summary(diff: &Diff) -> Summary {
    Summary {
        new: diff.new_failures.len(),
        fixed: diff.fixed.len(),
        unchanged: diff.unchanged.len(),
    }
}

pub(crate) fn now_label(now: NowState) -> &'static str {
    match now {
        NowState::Pass => "passes",
        NowState::Unknown => "unknown (not proven fixed)",
        NowState::Waived => "waived",
        NowState::Absent => "resource gone",
    }
}

pub(crate) fn side_label(outcomes: &Outcomes) -> String {
    let kind = match outcomes.kind {
        SourceKind::Inventory => "inventory",
        SourceKind::Report => "report",
    };
    format!(
        "{} ({kind}, account {}, collected {})",
        outcomes.path, outcomes.account_id, outcomes.collected_at
    )
}
