//! The counts every text report and the summary line give.

use super::SeverityCounts;
use crate::finding::{Finding, Status};

/// The counts the text reports and the summary line on standard error give
/// (the same as `--counts-out`): a failing or unknown outcome a waiver in
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
