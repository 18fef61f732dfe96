//! The figures of a collection run: the one-line summary on standard error.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::collect::record::OperationCount;
use crate::inventory::ErrorKind;

/// Figures of a run, for the one-line summary and `--format json` users.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectSummary {
    /// Regions scanned.
    pub regions: usize,
    /// Tables collected.
    pub tables: usize,
    /// Resources collected (tables, backups, keys, VPCs, endpoints, trails,
    /// recorders, Config rules, backup plans, DAX clusters, IAM principals
    /// and policies).
    pub resources: usize,
    /// API calls and HTTP attempts per `service:Operation`.
    pub calls: BTreeMap<String, OperationCount>,
    /// Failed calls per kind.
    pub errors_by_kind: BTreeMap<ErrorKind, usize>,
    /// Wall time.
    pub duration: Duration,
}

impl CollectSummary {
    /// Total API calls.
    pub fn total_calls(&self) -> u64 {
        self.calls.values().map(|c| c.calls).sum()
    }

    /// Total HTTP attempts (calls plus retries).
    pub fn total_attempts(&self) -> u64 {
        self.calls.values().map(|c| c.attempts).sum()
    }

    /// Total failed calls.
    pub fn total_errors(&self) -> usize {
        self.errors_by_kind.values().sum()
    }

    /// `collected 3 regions: 300 tables, 1210 resources, 1534 calls (12 retries), 2 errors (2 access_denied) in 4.2s`
    pub fn one_line(&self) -> String {
        let retries = self.total_attempts().saturating_sub(self.total_calls());
        let errors = if self.errors_by_kind.is_empty() {
            "0 errors".to_string()
        } else {
            let kinds: Vec<String> = self
                .errors_by_kind
                .iter()
                .map(|(k, n)| format!("{n} {}", k.as_str()))
                .collect();
            format!("{} errors ({})", self.total_errors(), kinds.join(", "))
        };
        format!(
            "collected {} region{}: {} tables, {} resources, {} calls ({} retries), {} in {:.1}s",
            self.regions,
            if self.regions == 1 { "" } else { "s" },
            self.tables,
            self.resources,
            self.total_calls(),
            retries,
            errors,
            self.duration.as_secs_f64()
        )
    }
}
