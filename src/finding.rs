//! Outcomes of rules, as reported.

use serde::{Deserialize, Serialize};

use crate::metadata::{Frameworks, Severity};

/// What the evidence says about one resource under one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The evidence shows the control is not met.
    Fail,
    /// The evidence needed was not collected; never reported as pass or fail.
    Unknown,
    /// The evidence shows the control is met.
    Pass,
}

impl Status {
    /// Lower-case name, as in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::Pass => "pass",
        }
    }
}

/// One rule's outcome for one resource: the public JSON contract
/// (`findings[]` of the JSON report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule id, e.g. `DYN101`.
    pub rule_id: String,
    /// pass, fail or unknown.
    pub status: Status,
    /// The rule's severity.
    pub severity: Severity,
    /// AWS account id.
    pub account: String,
    /// Region, or `global` for IAM.
    pub region: String,
    /// ARN, or VPC / endpoint id, or `account/region`.
    pub resource: String,
    /// What is wrong (or right), and where; for unknown, why.
    pub message: String,
    /// The values the outcome was decided on.
    pub evidence: serde_json::Value,
    /// Framework id -> control ids, e.g. `{"pci-dss-4.0": ["3.5.1"], "soc2": ["CC6.1"]}`.
    pub frameworks: Frameworks,
    /// The waiver that matched (`--waivers`), active or expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverMark>,
    /// New or unchanged against `--baseline` (failing and unknown outcomes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineState>,
}

impl Finding {
    /// Whether a waiver in force covers this finding.
    pub fn is_waived(&self) -> bool {
        self.waiver
            .as_ref()
            .is_some_and(|w| w.state == WaiverState::Active)
    }
}

/// Whether a failing or unknown outcome was already in the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineState {
    /// Not in the baseline with this status.
    New,
    /// In the baseline with the same status.
    Unchanged,
}

/// Whether a waiver covers a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverState {
    /// In force: the finding is waived.
    Active,
    /// Past its expiry date: the finding counts again.
    Expired,
}

/// The waiver that matched a finding (`waiver` of a finding in the JSON
/// report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverMark {
    /// `active` or `expired`.
    pub state: WaiverState,
    /// Why the risk is accepted.
    pub reason: String,
    /// Who answers for it.
    pub owner: String,
    /// Last day it applies, `YYYY-MM-DD`.
    pub expires: String,
    /// `file:line` of the entry.
    pub source: String,
}
