//! Rule metadata, parsed from the `# METADATA` block of each Rego file.
//! (Parser below; types first.)

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Rule severity; maps to SARIF `security-severity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// SARIF / GitHub `security-severity` score.
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "2.0",
        }
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A link from `related_resources`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelatedResource {
    #[serde(rename = "ref")]
    pub url: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// How to fix a failing resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remediation {
    pub summary: String,
    #[serde(default)]
    pub aws_cli: Option<String>,
    #[serde(default)]
    pub terraform: Option<String>,
}

/// Everything known about a rule, single-sourced from its Rego file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleMeta {
    /// `DYN101`.
    pub id: String,
    /// `table-not-encrypted-with-cmk`.
    pub name: String,
    /// One line.
    pub title: String,
    /// Paragraph(s), Markdown.
    pub description: String,
    pub severity: Severity,
    /// Framework id (`pci-dss-4.0`, `soc2`) -> control ids.
    pub frameworks: BTreeMap<String, Vec<String>>,
    pub remediation: Remediation,
    pub related_resources: Vec<RelatedResource>,
    /// The Rego package, e.g. `dynaudit.rules.dyn101`.
    pub package: String,
    /// Where the rule came from: `builtin:policies/dyn101_...rego` or a path.
    pub source: String,
}
