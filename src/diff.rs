//! Comparing outcomes over time: `dynaudit diff OLD NEW` and
//! `--baseline REPORT.json`.
//!
//! Either side is a saved inventory (evaluated with the loaded policies) or
//! a JSON report (`--format json`), told apart by their content. Outcomes
//! are matched by rule id and resource id. A failure is a `fail` outcome
//! that no waiver in force covers.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::finding::{BaselineState, Finding, Status};
use crate::inventory::Inventory;

/// Why a side of a comparison could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// Unreadable, not JSON, or a JSON report of the wrong shape.
    #[error(transparent)]
    File(#[from] crate::text_file::TextFileError),
    /// JSON, but neither an inventory nor a JSON report.
    #[error(
        "{path}: neither a dynaudit inventory (no `schema_version`) nor a JSON report (no `tool` and `findings`)"
    )]
    Unrecognised {
        /// The file.
        path: String,
    },
    /// An inventory that does not load.
    #[error(transparent)]
    Inventory(#[from] crate::load::InventoryError),
}

/// What a compared file was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A saved inventory, evaluated now.
    Inventory,
    /// A JSON report, taken as it is.
    Report,
}

/// The outcomes of one side.
#[derive(Debug, Clone)]
pub struct Outcomes {
    /// The file, as given.
    pub path: String,
    /// Inventory or report.
    pub kind: SourceKind,
    /// Account of the evidence.
    pub account_id: String,
    /// When its evidence was collected.
    pub collected_at: String,
    /// Every outcome.
    pub findings: Vec<Finding>,
}

#[derive(Deserialize)]
struct ReportFile {
    scope: ReportScope,
    findings: Vec<Finding>,
}

#[derive(Deserialize)]
struct ReportScope {
    account_id: String,
    collected_at: String,
}

/// Reads one side, of at most `max_bytes` (`--max-input-bytes`): a JSON
/// report as it is, or an inventory through `evaluate` (which applies
/// policies, configuration and waivers).
pub fn read_outcomes<E>(
    path: &Path,
    max_bytes: u64,
    evaluate: impl FnOnce(&Inventory) -> Result<Vec<Finding>, E>,
) -> Result<Outcomes, E>
where
    E: From<DiffError>,
{
    let limit = crate::config::limits::input_limit(max_bytes);
    let (shown, text) = crate::text_file::read("file", path, limit).map_err(DiffError::from)?;
    let syntax = |err: serde_json::Error| {
        DiffError::from(crate::text_file::TextFileError::json(&shown, &err))
    };
    // One strict pass first: a key twice in an object is refused (serde
    // would keep the last), and the top-level keys tell the kinds apart.
    let top = crate::strict_json::check(&text, None).map_err(syntax)?;
    if top.is_report() {
        let report: ReportFile = serde_json::from_str(&text).map_err(syntax)?;
        Ok(Outcomes {
            path: shown,
            kind: SourceKind::Report,
            account_id: report.scope.account_id,
            collected_at: report.scope.collected_at,
            findings: report.findings,
        })
    } else if top.has("schema_version") {
        let inventory = crate::load::parse(&shown, &text).map_err(DiffError::from)?;
        let findings = evaluate(&inventory)?;
        Ok(Outcomes {
            path: shown,
            kind: SourceKind::Inventory,
            account_id: inventory.account_id,
            collected_at: inventory.collected_at,
            findings,
        })
    } else {
        Err(DiffError::Unrecognised { path: shown }.into())
    }
}

/// Whether an outcome is a failure that counts: failing, and not waived.
pub fn is_failure(finding: &Finding) -> bool {
    finding.status == Status::Fail && !finding.is_waived()
}

/// An outcome's identity: rule, account, resource (a VPC id alone does
/// not say which account of an organization it is in).
type Key = (String, String, String);

fn key(finding: &Finding) -> Key {
    (
        finding.rule_id.clone(),
        finding.account.clone(),
        finding.resource.clone(),
    )
}

/// The failing and unknown outcomes of an earlier report (`--baseline`).
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    known: HashSet<(Key, Status)>,
}

impl Baseline {
    /// The baseline of a set of outcomes.
    pub fn new(findings: &[Finding]) -> Baseline {
        let known = findings
            .iter()
            .filter(|f| f.status != Status::Pass)
            .map(|f| (key(f), f.status))
            .collect();
        Baseline { known }
    }

    /// Marks each failing or unknown outcome new or unchanged: unchanged
    /// when the baseline had the same rule, account, resource and status.
    pub fn mark(&self, findings: &mut [Finding]) {
        for f in findings.iter_mut().filter(|f| f.status != Status::Pass) {
            let seen = self.known.contains(&(key(f), f.status));
            f.baseline = Some(if seen {
                BaselineState::Unchanged
            } else {
                BaselineState::New
            });
        }
    }
}

/// What a fixed failure is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NowState {
    /// It passes.
    Pass,
    /// Its evidence was not collected: not proven fixed.
    Unknown,
    /// Still failing, but a waiver in force covers it.
    Waived,
    /// The resource (or the rule) is gone.
    Absent,
}

/// A failure of the old side that is not a failure on the new side.
#[derive(Debug, Clone, Serialize)]
pub struct Fixed {
    /// The old failure.
    #[serde(flatten)]
    pub finding: Finding,
    /// What it is now.
    pub now: NowState,
}

/// The comparison of two sides.
#[derive(Debug, Clone)]
pub struct Diff {
    /// The old side.
    pub before: Outcomes,
    /// The new side.
    pub after: Outcomes,
    /// Failures of the new side that the old side did not have.
    pub new_failures: Vec<Finding>,
    /// Failures of the old side that the new side does not have.
    pub fixed: Vec<Fixed>,
    /// Failures on both sides (the new side's finding).
    pub unchanged: Vec<Finding>,
}

impl Diff {
    /// Compares `before` with `after`.
    pub fn new(before: Outcomes, after: Outcomes) -> Diff {
        let old_failures: HashSet<Key> = before
            .findings
            .iter()
            .filter(|f| is_failure(f))
            .map(key)
            .collect();
        let after_by_key: BTreeMap<Key, &Finding> =
            after.findings.iter().map(|f| (key(f), f)).collect();
        let mut new_failures = Vec::new();
        let mut unchanged = Vec::new();
        for f in after.findings.iter().filter(|f| is_failure(f)) {
            if old_failures.contains(&key(f)) {
                unchanged.push(f.clone());
            } else {
                new_failures.push(f.clone());
            }
        }
        let mut fixed: Vec<Fixed> = before
            .findings
            .iter()
            .filter(|f| is_failure(f))
            .filter_map(|old| {
                let now = match after_by_key.get(&key(old)) {
                    None => NowState::Absent,
                    Some(f) if is_failure(f) => return None,
                    Some(f) if f.status == Status::Fail => NowState::Waived,
                    Some(f) if f.status == Status::Unknown => NowState::Unknown,
                    Some(_) => NowState::Pass,
                };
                Some(Fixed {
                    finding: old.clone(),
                    now,
                })
            })
            .collect();
        let order = |a: &Finding, b: &Finding| {
            (b.severity, &a.rule_id, &a.resource).cmp(&(a.severity, &b.rule_id, &b.resource))
        };
        new_failures.sort_by(order);
        unchanged.sort_by(order);
        fixed.sort_by(|a, b| order(&a.finding, &b.finding));
        Diff {
            before,
            after,
            new_failures,
            fixed,
            unchanged,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::Severity;

    fn finding(rule: &str, resource: &str, status: Status, severity: Severity) -> Finding {
        Finding {
            rule_id: rule.to_owned(),
            status,
            severity,
            account: "1".to_owned(),
            region: "r".to_owned(),
            resource: resource.to_owned(),
            message: String::new(),
            evidence: serde_json::Value::Null,
            frameworks: Default::default(),
            waiver: None,
            baseline: None,
        }
    }

    fn side(findings: Vec<Finding>) -> Outcomes {
        Outcomes {
            path: "x".to_owned(),
            kind: SourceKind::Report,
            account_id: "1".to_owned(),
            collected_at: String::new(),
            findings,
        }
    }

    #[test]
    fn classifies_new_fixed_unchanged() {
        use Status::*;
        let before = side(vec![
            finding("DYN101", "a", Fail, Severity::High),
            finding("DYN101", "b", Fail, Severity::High),
            finding("DYN101", "c", Fail, Severity::High),
            finding("DYN101", "d", Fail, Severity::High),
            finding("DYN204", "a", Pass, Severity::Medium),
        ]);
        let after = side(vec![
            finding("DYN101", "a", Fail, Severity::High),
            finding("DYN101", "b", Pass, Severity::High),
            finding("DYN101", "c", Unknown, Severity::High),
            finding("DYN204", "a", Fail, Severity::Medium),
            finding("DYN101", "e", Fail, Severity::Critical),
        ]);
        let diff = Diff::new(before, after);
        let ids = |v: &[Finding]| -> Vec<String> {
            v.iter()
                .map(|f| format!("{}:{}", f.rule_id, f.resource))
                .collect()
        };
        assert_eq!(ids(&diff.new_failures), ["DYN101:e", "DYN204:a"]);
        assert_eq!(ids(&diff.unchanged), ["DYN101:a"]);
        let fixed: Vec<(String, NowState)> = diff
            .fixed
            .iter()
            .map(|f| (f.finding.resource.clone(), f.now))
            .collect();
        assert_eq!(
            fixed,
            [
                ("b".to_owned(), NowState::Pass),
                ("c".to_owned(), NowState::Unknown),
                ("d".to_owned(), NowState::Absent)
            ]
        );
    }

    #[test]
    fn baseline_marks_by_rule_resource_and_status() {
        use Status::*;
        let baseline = Baseline::new(&[
            finding("DYN101", "a", Fail, Severity::High),
            finding("DYN101", "b", Unknown, Severity::High),
        ]);
        let mut now = vec![
            finding("DYN101", "a", Fail, Severity::High),
            finding("DYN101", "b", Fail, Severity::High),
            finding("DYN101", "c", Pass, Severity::High),
        ];
        baseline.mark(&mut now);
        assert_eq!(now[0].baseline, Some(BaselineState::Unchanged));
        assert_eq!(now[1].baseline, Some(BaselineState::New));
        assert_eq!(now[2].baseline, None);
    }

    /// A VPC id names no account: the same id failing in another account
    /// of an organization is a new failure, not an unchanged one (with the
    /// key (rule, resource) it was marked unchanged).
    #[test]
    fn the_account_is_part_of_an_outcomes_identity() {
        use Status::*;
        let in_account = |account: &str| Finding {
            account: account.to_owned(),
            ..finding("DYN401", "vpc-1", Fail, Severity::Medium)
        };
        let baseline = Baseline::new(&[in_account("111111111111")]);
        let mut now = vec![in_account("111111111111"), in_account("222222222222")];
        baseline.mark(&mut now);
        assert_eq!(now[0].baseline, Some(BaselineState::Unchanged));
        assert_eq!(now[1].baseline, Some(BaselineState::New));

        let diff = Diff::new(
            side(vec![in_account("111111111111")]),
            side(vec![in_account("222222222222")]),
        );
        assert_eq!(diff.new_failures.len(), 1);
        assert_eq!(diff.new_failures[0].account, "222222222222");
        assert!(diff.unchanged.is_empty());
        assert_eq!(diff.fixed.len(), 1);
        assert_eq!(diff.fixed[0].finding.account, "111111111111");
    }
}
