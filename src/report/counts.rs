//! The counts every text report and the summary line give.

use super::{ReportInput, SeverityCounts};
use crate::finding::{Finding, Status};
use crate::metadata::RuleMeta;

/// The counts the text reports and the summary line on standard error give
/// (and `--counts-out`: [`crate::gate::OutcomeCounts`] takes them from here): a failing or unknown outcome a waiver in
/// force covers is counted as waived, not as failing or unknown, so the
/// numbers add up to the total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Failing, not waived.
    pub failing: usize,
    /// Unknown, not waived.
    pub unknown: usize,
    /// Passing.
    pub passing: usize,
    /// Failing or unknown, waived.
    pub waived: usize,
    /// Failing or unknown, new since the baseline.
    pub new: usize,
    /// The failing ones (not waived) by severity.
    pub(crate) failing_by_severity: SeverityCounts,
}

impl Tally {
    /// Counts `findings`.
    pub fn of<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> Tally {
        let mut tally = Tally::default();
        for f in findings {
            if f.baseline == Some(crate::finding::BaselineState::New) {
                tally.new += 1;
            }
            match (f.status, f.is_waived()) {
                (Status::Pass, _) => tally.passing += 1,
                (_, true) => tally.waived += 1,
                (Status::Fail, false) => {
                    tally.failing += 1;
                    tally.failing_by_severity.add(f.severity);
                }
                (Status::Unknown, false) => tally.unknown += 1,
            }
        }
        tally
    }

    /// Every outcome.
    pub fn total(&self) -> usize {
        self.failing + self.unknown + self.passing + self.waived
    }
}

/// Failing rules (outcomes not waived) with their number of failures, most
/// severe rule first, then by id.
pub(crate) fn failing_rules<'r>(input: &ReportInput<'r>) -> Vec<(&'r RuleMeta, usize)> {
    let mut failing: std::collections::BTreeMap<&str, usize> = Default::default();
    for f in input.findings {
        if f.status == Status::Fail && !f.is_waived() {
            *failing.entry(f.rule_id.as_str()).or_default() += 1;
        }
    }
    let mut rows: Vec<(&RuleMeta, usize)> = input
        .rules
        .iter()
        .filter_map(|r| failing.get(r.id.as_str()).map(|n| (r, *n)))
        .collect();
    rows.sort_by(|a, b| {
        b.0.severity
            .cmp(&a.0.severity)
            .then_with(|| a.0.id.cmp(&b.0.id))
    });
    rows
}
