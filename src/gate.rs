//! The exit-code gate: which findings fail a run (`--fail-on`,
//! `--fail-on-unknown`), the outcome counts (`--counts-out`), and the exit
//! codes every command shares.

use crate::finding::{BaselineState, Finding, Status};
use crate::metadata::Severity;

/// Exit code: nothing failing at or above the threshold.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings at or above the threshold.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: an error (bad input, bad policy, failed collection).
pub const EXIT_ERROR: u8 = 2;

/// The exit-code gate: `--fail-on` and `--fail-on-unknown`.
#[derive(Debug, Clone, Copy)]
pub struct Gate {
    /// Failures at or above this severity count; `None` (`--fail-on none`):
    /// no failure counts.
    pub fail_on: Option<Severity>,
    /// Unknown outcomes count too.
    pub fail_on_unknown: bool,
    /// A scope that could not be collected in full (a region asked for and
    /// not collected at all) does not fail the run (`--allow-incomplete-scope`).
    pub allow_incomplete_scope: bool,
}

impl Gate {
    /// Whether a finding counts for the exit code: a failure at or above
    /// the threshold, or (with --fail-on-unknown) an unknown; never a waived
    /// one, and never one the baseline already had.
    pub fn counts(&self, f: &Finding) -> bool {
        if f.is_waived() || f.baseline == Some(BaselineState::Unchanged) {
            return false;
        }
        match f.status {
            Status::Fail => self.fail_on.is_some_and(|t| f.severity >= t),
            Status::Unknown => self.fail_on_unknown,
            Status::Pass => false,
        }
    }

    /// The gate as the options that set it, e.g. `--fail-on high`.
    pub fn describe(&self) -> String {
        let name = self.fail_on.map_or("none", Severity::as_str);
        if self.fail_on_unknown {
            format!("--fail-on {name} --fail-on-unknown")
        } else {
            format!("--fail-on {name}")
        }
    }

    /// The exit code for `counted` findings that the gate counted.
    pub fn exit_code(counted: usize) -> u8 {
        if counted > 0 {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        }
    }

    /// Whether an incomplete scope fails the run: by default it does, so
    /// that evidence with a region missing is never a clean gate.
    pub fn scope_fails(&self, counts: &OutcomeCounts) -> bool {
        counts.incomplete_scope > 0 && !self.allow_incomplete_scope
    }

    /// The exit code of a run: findings the gate counted, or an incomplete
    /// scope it does not allow.
    pub fn exit_code_of(&self, counts: &OutcomeCounts) -> u8 {
        if counts.gate_failures > 0 || self.scope_fails(counts) {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        }
    }
}

/// Outcome counts, as `--counts-out` writes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutcomeCounts {
    /// Failing, not waived.
    pub failing: usize,
    /// Unknown, not waived.
    pub unknown: usize,
    /// Passing.
    pub passing: usize,
    /// Failing or unknown, waived.
    pub waived: usize,
    /// Failing, not waived, new since the baseline (all of them without one).
    pub new: usize,
    /// What the gate counted.
    pub gate_failures: usize,
    /// Parts of the scope asked for and not collected at all.
    pub incomplete_scope: usize,
}

impl OutcomeCounts {
    /// Counts `findings` under `gate`, for evidence with `incomplete_scope`
    /// parts not collected.
    pub fn of(findings: &[Finding], gate: Gate, incomplete_scope: usize) -> OutcomeCounts {
        // Failing, unknown, passing and waived as every report counts them.
        let tally = crate::report::Tally::of(findings);
        let mut counts = OutcomeCounts {
            failing: tally.failing,
            unknown: tally.unknown,
            passing: tally.passing,
            waived: tally.waived,
            incomplete_scope,
            ..OutcomeCounts::default()
        };
        for f in findings {
            if f.status == Status::Fail
                && !f.is_waived()
                && f.baseline != Some(BaselineState::Unchanged)
            {
                counts.new += 1;
            }
            if gate.counts(f) {
                counts.gate_failures += 1;
            }
        }
        counts
    }

    /// The `key=value` lines of `--counts-out` (the `$GITHUB_OUTPUT` format).
    pub fn to_output_lines(&self) -> String {
        format!(
            "failing={}\nunknown={}\npassing={}\nwaived={}\nnew={}\ngate-failures={}\nincomplete-scope={}\n",
            self.failing,
            self.unknown,
            self.passing,
            self.waived,
            self.new,
            self.gate_failures,
            self.incomplete_scope
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_incomplete_scope_fails_unless_allowed() {
        let gate = Gate {
            fail_on: Some(Severity::Low),
            fail_on_unknown: false,
            allow_incomplete_scope: false,
        };
        let counts = OutcomeCounts::of(&[], gate, 1);
        assert_eq!(gate.exit_code_of(&counts), EXIT_FINDINGS);
        let allowing = Gate {
            allow_incomplete_scope: true,
            ..gate
        };
        assert_eq!(allowing.exit_code_of(&counts), EXIT_CLEAN);
        assert_eq!(
            gate.exit_code_of(&OutcomeCounts::of(&[], gate, 0)),
            EXIT_CLEAN
        );
        assert!(counts.to_output_lines().ends_with("incomplete-scope=1\n"));
    }
}
