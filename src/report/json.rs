//! The JSON report: the public contract.
//!
//! ```json
//! {
//!   "tool": {"name": "dynaudit", "version": "..."},
//!   "scope": {...},
//!   "parameters": {...},
//!   "summary": {"total": 0, "by_status": {...}, "failures_by_severity": {...},
//!               "waived"?: 0, "new"?: 0, "by_rule": {...}},
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
//! no outcome (nothing it applies to) shows as all zeros.

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
        assert_eq!(v["summary"]["total"], data.findings.len());
        assert_eq!(v["summary"]["by_status"]["fail"], 6);
        assert_eq!(v["summary"]["failures_by_severity"]["critical"], 1);
        assert_eq!(v["summary"]["by_rule"]["DYN101"]["fail"], 1);
        assert_eq!(v["summary"]["by_rule"]["DYN602"]["pass"], 0);
        assert_eq!(v["parameters"], data.parameters);
    }
}
