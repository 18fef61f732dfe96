//! The JSON report: the public contract.
//!
//! ```json
//! {
//!   "tool": {"name": "dynaudit", "version": "..."},
//!   "scope": {...},
//!   "parameters": {...},
//!   "summary": {"total": 0, "by_status": {...}, "failures_by_severity": {...},
//!               "waived"?: 0, "new"?: 0, "by_rule": {...}},
//!   "rules": {"DYN101": {"name", "title", "severity", "docs"?, "remediation":
//!             {"summary", "fix", "aws_cli"?, "terraform"?}}},
//!   "waivers"?: {"as_of": "YYYY-MM-DD", "entries": [{..., "state", "findings"}]},
//!   "baseline"?: "path of the baseline report",
//!   "findings": [{"rule_id", "status", "severity", "account", "region", "resource",
//!                 "message", "evidence", "frameworks", "waiver"?, "baseline"?}]
//! }
//! ```
//!
//! Keys marked `?` appear only with `--waivers` / `--baseline` (and, on a
//! finding, only when a waiver matched it / it is failing or unknown).
//!
//! Every finding is listed, passes included, in input order (rule id, then
//! resource). `by_rule` has an entry for every loaded rule, so a rule with
//! no outcome (nothing it applies to) shows as all zeros. `rules` holds
//! what a reader needs to fix a finding, written once per loaded rule:
//! findings refer to it by `rule_id` (copying it into each finding would
//! multiply the report's size at scale). `fix` is the first sentence of
//! the remediation summary; `docs` the rule's page.

use std::collections::BTreeMap;

use std::io::Write;

use serde::Serialize;

use super::{
    Format, ReportError, ReportInput, Scope, SeverityCounts, StatusCounts, TOOL_NAME, TOOL_VERSION,
    TriageCounts,
};
use crate::finding::Finding;
use crate::metadata::Severity;

#[derive(Serialize)]
struct JsonReport<'a> {
    tool: ToolInfo,
    scope: &'a Scope,
    parameters: &'a serde_json::Value,
    summary: Summary<'a>,
    rules: BTreeMap<&'a str, RuleAdvice<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    waivers: Option<&'a crate::waivers::WaiverReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a str>,
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct ToolInfo {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary<'a> {
    total: usize,
    by_status: StatusCounts,
    failures_by_severity: SeverityCounts,
    /// Failing or unknown outcomes a waiver in force covers (with --waivers).
    #[serde(skip_serializing_if = "Option::is_none")]
    waived: Option<usize>,
    /// Failing or unknown outcomes new since the baseline (with --baseline).
    #[serde(skip_serializing_if = "Option::is_none")]
    new: Option<usize>,
    by_rule: BTreeMap<&'a str, RuleSummary<'a>>,
}

/// How to fix a rule's failures, once per rule.
#[derive(Serialize)]
struct RuleAdvice<'a> {
    name: &'a str,
    title: &'a str,
    severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    docs: Option<String>,
    remediation: Advice<'a>,
}

#[derive(Serialize)]
struct Advice<'a> {
    summary: &'a str,
    fix: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    aws_cli: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    terraform: Option<&'a str>,
}

impl<'a> RuleAdvice<'a> {
    fn of(rule: &'a crate::metadata::RuleMeta) -> Self {
        RuleAdvice {
            name: &rule.name,
            title: &rule.title,
            severity: rule.severity,
            docs: super::rule_doc::docs_url(rule),
            remediation: Advice {
                summary: rule.remediation.summary.trim(),
                fix: super::rule_doc::fix_line(rule),
                aws_cli: rule.remediation.aws_cli.as_deref().map(str::trim_end),
                terraform: rule.remediation.terraform.as_deref().map(str::trim_end),
            },
        }
    }
}

#[derive(Serialize)]
struct RuleSummary<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    severity: Severity,
    #[serde(flatten)]
    counts: StatusCounts,
}

pub(crate) fn render(input: &ReportInput<'_>) -> Result<String, ReportError> {
    let mut out = Vec::new();
    write(input, &mut out)?;
    String::from_utf8(out).map_err(|err| {
        ReportError::Write(std::io::Error::new(std::io::ErrorKind::InvalidData, err))
    })
}

/// Streams the report to `out` (pretty-printed, ending with a newline).
pub(crate) fn write(
    input: &ReportInput<'_>,
    out: &mut dyn std::io::Write,
) -> Result<(), ReportError> {
    let mut by_rule: BTreeMap<&str, RuleSummary<'_>> = input
        .rules
        .iter()
        .map(|r| {
            (
                r.id.as_str(),
                RuleSummary {
                    name: Some(r.name.as_str()),
                    title: Some(r.title.as_str()),
                    severity: r.severity,
                    counts: StatusCounts::default(),
                },
            )
        })
        .collect();
    for f in input.findings {
        by_rule
            .entry(f.rule_id.as_str())
            .or_insert_with(|| RuleSummary {
                name: None,
                title: None,
                severity: f.severity,
                counts: StatusCounts::default(),
            })
            .counts
            .add(f.status);
    }
    let triage = TriageCounts::of(input.findings);
    let report = JsonReport {
        tool: ToolInfo {
            name: TOOL_NAME,
            version: TOOL_VERSION,
        },
        scope: input.scope,
        parameters: input.parameters,
        summary: Summary {
            total: input.findings.len(),
            by_status: StatusCounts::of(input.findings),
            failures_by_severity: SeverityCounts::failures(input.findings),
            waived: input.waivers.map(|_| triage.waived),
            new: input.baseline.map(|_| triage.new),
            by_rule,
        },
        rules: input
            .rules
            .iter()
            .map(|r| (r.id.as_str(), RuleAdvice::of(r)))
            .collect(),
        waivers: input.waivers,
        baseline: input.baseline,
        findings: input.findings,
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, &report).map_err(|source| {
        if source.is_io() {
            ReportError::Write(source.into())
        } else {
            ReportError::Serialize {
                format: Format::Json,
                source,
            }
        }
    })?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Status;
    use crate::report::testdata::TestData;

    #[test]
    fn snapshot() {
        let data = TestData::new();
        let text = data.with_input(render).unwrap();
        insta::assert_snapshot!(crate::report::testdata::redact_version(&text));
    }

    #[test]
    fn findings_round_trip_and_include_passes() {
        let data = TestData::new();
        let text = data.with_input(render).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let findings: Vec<Finding> = serde_json::from_value(v["findings"].clone()).unwrap();
        assert_eq!(findings, data.findings);
        assert!(findings.iter().any(|f| f.status == Status::Pass));
        let keys: Vec<&str> = v["findings"][0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "rule_id",
                "status",
                "severity",
                "account",
                "region",
                "resource",
                "message",
                "evidence",
                "frameworks"
            ]
        );
        assert_eq!(v["tool"]["name"], "dynaudit");
        // Fix advice once per rule, referred to by rule_id, never per finding.
        for f in v["findings"].as_array().unwrap() {
            let rule = &v["rules"][f["rule_id"].as_str().unwrap()];
            assert!(rule["remediation"]["fix"].as_str().is_some(), "{f}");
            assert!(f.get("remediation").is_none());
        }
        assert_eq!(
            v["rules"].as_object().unwrap().len(),
            data.rules.len(),
            "every loaded rule"
        );
        assert_eq!(v["summary"]["total"], data.findings.len());
        assert_eq!(v["summary"]["by_status"]["fail"], 6);
        assert_eq!(v["summary"]["failures_by_severity"]["critical"], 1);
        assert_eq!(v["summary"]["by_rule"]["DYN101"]["fail"], 1);
        assert_eq!(v["summary"]["by_rule"]["DYN602"]["pass"], 0);
        assert_eq!(v["parameters"], data.parameters);
    }
}
