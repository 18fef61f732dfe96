//! Report formats: one module per format.
//!
//! [`render`] turns the outcomes of an evaluation into one of five formats:
//! SARIF 2.1.0 for GitHub code scanning, the public JSON contract, a
//! terminal table, GitHub-flavoured Markdown for `$GITHUB_STEP_SUMMARY`
//! and a self-contained HTML evidence report with charts.
//! Every format is deterministic: the same input gives the same bytes.

pub mod accounts;
mod counts;
pub mod diff;
pub mod escape;
pub mod html;
pub mod json;
pub mod locate;
pub mod markdown;
pub mod rule_doc;
pub mod sarif;
pub mod table;

use std::cmp::{Ordering, Reverse};
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Status};
use crate::metadata::{RuleMeta, Severity};

pub use counts::Tally;
pub use locate::SourceLine;

/// Name of the tool in every report.
pub const TOOL_NAME: &str = "dynaudit";
/// Version of this build, as reported.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
/// Where to read about the tool (SARIF `informationUri`).
pub const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// The public JSON contract: every finding, passes included.
    Json,
    /// A terminal summary of failing and unknown outcomes.
    Table,
    /// GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// One self-contained HTML page with charts, for people and auditors.
    Html,
}

impl Format {
    /// Lower-case name, as on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Sarif => "sarif",
            Format::Json => "json",
            Format::Table => "table",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What was audited, echoed in every report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// The 12-digit AWS account id.
    pub account_id: String,
    /// `aws`, `aws-cn` or `aws-us-gov`.
    pub partition: String,
    /// The regions scanned.
    pub regions: Vec<String>,
    /// RFC 3339 time the evidence was collected.
    pub collected_at: String,
    /// Schema version of the inventory.
    pub schema_version: String,
    /// Version of the dynaudit build that collected the inventory.
    pub tool_version: String,
    /// How many API calls failed during collection.
    pub collection_errors: usize,
    /// Parts of the scope asked for that could not be collected at all
    /// (regions): every report names them with the cause, and they fail the
    /// gate unless `--allow-incomplete-scope`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incomplete: Vec<ScopeGap>,
    /// A report over several accounts (`eval DIR`, an organization-wide
    /// `scan`): every account with its status and figures. `account_id` is
    /// then empty, `regions` the union, `collected_at` the earliest and
    /// `collection_errors` the sum. Absent from single-account reports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<AccountScope>,
    /// The organization id, when every account's evidence names the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Set when the evidence is planned (`dynaudit iac`): the kind of
    /// infrastructure code read (`cloudformation`, `cdk`, `terraform`).
    /// Its `errors` are then values the code does not determine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned: Option<String>,
}

/// One account of a multi-account report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountScope {
    /// The 12-digit account id.
    pub account_id: String,
    /// Its name in the organization, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `Root/Workloads/Prod`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ou_path: Option<String>,
    /// `collected`, `failed` (nothing could be collected: an incomplete
    /// scope) or `skipped` (not ACTIVE in the organization).
    pub status: String,
    /// Why it failed or was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// The regions of its evidence.
    #[serde(default)]
    pub regions: Vec<String>,
    /// When its evidence was collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<String>,
    /// Its inventory file (the SARIF evidence of its findings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<String>,
    /// Failed calls during its collection.
    #[serde(default)]
    pub collection_errors: usize,
}

impl Scope {
    /// The scope of one inventory.
    pub fn of_inventory(inventory: &crate::inventory::Inventory) -> Scope {
        Scope {
            account_id: inventory.account_id.clone(),
            partition: inventory.partition.clone(),
            regions: inventory.regions.keys().cloned().collect(),
            collected_at: inventory.collected_at.clone(),
            schema_version: inventory.schema_version.clone(),
            tool_version: inventory.tool_version.clone(),
            collection_errors: inventory.errors.len(),
            incomplete: Scope::gaps_of(inventory),
            accounts: Vec::new(),
            organization: inventory.organization.as_ref().map(|o| o.id.clone()),
            planned: inventory.planned.as_ref().map(|p| p.source.clone()),
        }
    }

    /// For planned evidence with `errors`: the warning that values are not
    /// determinable from the code (each format words failed API calls of
    /// a collection itself). `errors_in` names where they are listed.
    pub fn planned_errors_warning(&self, errors_in: &str) -> Option<String> {
        let n = self.collection_errors;
        (n > 0 && self.planned.is_some()).then(|| {
            format!(
                "{n} values are not determinable from the infrastructure code; outcomes that depend on them are unknown, each naming the expression and its line (see `errors` in {errors_in})."
            )
        })
    }

    /// Whether this is the scope of several accounts.
    pub fn is_multi_account(&self) -> bool {
        !self.accounts.is_empty()
    }
}

/// A part of the scope that was asked for and could not be collected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeGap {
    /// What: `region eu-west-1`, or `account 123456789012`.
    pub scope: String,
    /// Why, in words.
    pub cause: String,
}

impl ScopeGap {
    /// `region eu-west-1: <cause>`.
    pub fn describe(&self) -> String {
        format!("{}: {}", self.scope, self.cause)
    }
}

impl Scope {
    /// The gaps of an inventory's scope: its regions not collected at all.
    pub fn gaps_of(inventory: &crate::inventory::Inventory) -> Vec<ScopeGap> {
        // An account not collected at all is one gap, not one per region.
        if let Some(cause) = &inventory.not_collected {
            return vec![ScopeGap {
                scope: format!("account {}", inventory.account_id),
                cause: cause.clone(),
            }];
        }
        inventory
            .regions
            .iter()
            .filter_map(|(region, r)| {
                r.not_collected.as_ref().map(|cause| ScopeGap {
                    scope: format!("region {region}"),
                    cause: cause.clone(),
                })
            })
            .collect()
    }
}

/// The evidence (inventory) file the findings were decided on: SARIF
/// results point into it.
#[derive(Debug, Clone, Copy)]
pub struct EvidenceFile<'a> {
    /// Path relative to the repository root, with `/` separators (SARIF
    /// `artifactLocation.uri`).
    pub uri: &'a str,
    /// Resource id -> 1-based line where its record starts (see
    /// [`locate::resource_lines`]).
    pub lines: &'a BTreeMap<String, u32>,
    /// [`SourceLine::key`] -> the file and 1-based line that declares it, for
    /// planned evidence (`dynaudit iac`): results point there instead.
    pub sources: Option<&'a BTreeMap<String, SourceLine>>,
}

/// Everything a report is made of.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    /// The outcomes, sorted by rule id, then resource.
    pub findings: &'a [Finding],
    /// Every loaded rule, sorted by id.
    pub rules: &'a [RuleMeta],
    /// The parameters the policies ran with, echoed in every report.
    pub parameters: &'a serde_json::Value,
    /// What was audited.
    pub scope: &'a Scope,
    /// Where the evidence is.
    pub evidence: EvidenceFile<'a>,
    /// What the waivers did, when a waivers file was given.
    pub waivers: Option<&'a crate::waivers::WaiverReport>,
    /// The baseline report the outcomes were compared with, if any.
    pub baseline: Option<&'a str>,
    /// SARIF `automationDetails.id` (the code scanning category) instead of
    /// `dynaudit/<account>/<sorted regions>/`.
    pub sarif_category: Option<&'a str>,
}

/// A report that could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Serialising to JSON failed.
    #[error("cannot serialise the {format} report: {source}")]
    Serialize {
        /// The format being written.
        format: Format,
        /// The serialiser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The evidence file's URI cannot be used as a SARIF artifact location.
    #[error(
        "evidence file URI {uri:?} is not a relative path with '/' separators: GitHub code scanning rejects it"
    )]
    EvidenceUri {
        /// The URI given.
        uri: String,
    },
    /// Writing text failed.
    #[error("cannot format the report: {0}")]
    Fmt(#[from] std::fmt::Error),
    /// Writing the report out failed.
    #[error("cannot write the report: {0}")]
    Write(#[from] std::io::Error),
}

/// How the terminal table is laid out (the other formats ignore it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    /// ANSI colours.
    pub color: bool,
    /// Columns to lay out for.
    pub width: u16,
}

impl Terminal {
    /// No colour, [`table::WIDTH`] columns: what a file or a pipe gets.
    pub const PLAIN: Terminal = Terminal {
        color: false,
        width: table::WIDTH,
    };
}

/// Renders `input` in `format`, the table laid out for `terminal`. The
/// result ends with a newline.
pub fn render(
    format: Format,
    input: &ReportInput<'_>,
    terminal: Terminal,
) -> Result<String, ReportError> {
    match format {
        Format::Sarif => sarif::render(input),
        Format::Json => json::render(input),
        Format::Table => table::render(input, terminal),
        Format::Markdown => markdown::render(input),
        Format::Html => html::render(input),
    }
}

/// Writes `input` in `format` to `out`: the JSON report is streamed, finding
/// by finding, without the whole text in memory; the others are rendered
/// ([`render`]) and written.
pub fn write(
    format: Format,
    input: &ReportInput<'_>,
    terminal: Terminal,
    out: &mut dyn std::io::Write,
) -> Result<(), ReportError> {
    match format {
        Format::Json => json::write(input, out),
        other => Ok(out.write_all(render(other, input, terminal)?.as_bytes())?),
    }
}

// ---------------------------------------------------------------------------
// Shared helpers.

/// Outcome counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct StatusCounts {
    pub fail: usize,
    pub unknown: usize,
    pub pass: usize,
}

impl StatusCounts {
    pub(crate) fn add(&mut self, status: Status) {
        match status {
            Status::Fail => self.fail += 1,
            Status::Unknown => self.unknown += 1,
            Status::Pass => self.pass += 1,
        }
    }

    pub(crate) fn total(&self) -> usize {
        self.fail + self.unknown + self.pass
    }

    pub(crate) fn of<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> Self {
        let mut counts = Self::default();
        for f in findings {
            counts.add(f.status);
        }
        counts
    }
}

/// Failures by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct SeverityCounts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
}

impl SeverityCounts {
    pub(crate) fn failures<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> Self {
        let mut counts = Self::default();
        for f in findings.into_iter().filter(|f| f.status == Status::Fail) {
            counts.add(f.severity);
        }
        counts
    }

    pub(crate) fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Critical => self.critical += 1,
            Severity::High => self.high += 1,
            Severity::Medium => self.medium += 1,
            Severity::Low => self.low += 1,
        }
    }

    pub(crate) fn get(&self, severity: Severity) -> usize {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
        }
    }
}

/// Severities from the most to the least severe.
pub(crate) const SEVERITIES_DESC: [Severity; 4] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
];

/// The findings that need attention, most important first: failures by
/// descending severity, then unknowns by descending severity, then the
/// waived ones in the same order; ties keep the input order (rule id,
/// resource). Passes are left out.
pub(crate) fn attention_order(findings: &[Finding]) -> Vec<&Finding> {
    let mut out: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.status != Status::Pass)
        .collect();
    // Stable sort: ties keep the input order.
    out.sort_by_key(|f| (f.is_waived(), f.status, Reverse(f.severity)));
    out
}

/// What waivers and the baseline say of a finding, for the text formats:
/// `waived until 2027-03-31 (owner): reason`, `waiver expired ...`, `new`.
pub(crate) fn triage_note(f: &Finding) -> Option<String> {
    use crate::finding::WaiverState;
    let waiver = f.waiver.as_ref().map(|w| match w.state {
        WaiverState::Active => format!("waived until {} ({}): {}", w.expires, w.owner, w.reason),
        WaiverState::Expired => format!(
            "waiver expired {} ({}, {}); counts again",
            w.expires, w.owner, w.source
        ),
    });
    let baseline = match f.baseline {
        Some(crate::finding::BaselineState::New) => Some("new since the baseline".to_owned()),
        _ => None,
    };
    match (waiver, baseline) {
        (None, None) => None,
        (Some(w), None) => Some(w),
        (None, Some(b)) => Some(b),
        (Some(w), Some(b)) => Some(format!("{b}; {w}")),
    }
}

/// Counts that only exist with waivers or a baseline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct TriageCounts {
    /// Failing or unknown outcomes a waiver in force covers.
    pub waived: usize,
    /// Failing or unknown outcomes new since the baseline.
    pub new: usize,
}

impl TriageCounts {
    pub(crate) fn of(findings: &[Finding]) -> Self {
        let mut counts = Self::default();
        for f in findings {
            if f.is_waived() {
                counts.waived += 1;
            }
            if f.baseline == Some(crate::finding::BaselineState::New) {
                counts.new += 1;
            }
        }
        counts
    }
}

/// The frameworks to report on: the known ones first, then any other
/// framework a rule maps to, sorted.
pub(crate) fn frameworks_of(rules: &[RuleMeta]) -> Vec<String> {
    let known: Vec<&str> = crate::frameworks::FRAMEWORKS.iter().map(|f| f.id).collect();
    let mut out: Vec<String> = known.iter().map(|s| (*s).to_owned()).collect();
    let mut others: Vec<&String> = rules
        .iter()
        .flat_map(|r| r.frameworks.keys())
        .filter(|k| !known.contains(&k.as_str()))
        .collect();
    others.sort();
    others.dedup();
    out.extend(others.into_iter().cloned());
    out
}

/// Compares control ids naturally: runs of digits by value, the rest as
/// text, so `3.5.1 < 3.6.1 < 10.2.1 < 12.10.1` and `CC4.1 < CC6.1 < CC6.10`.
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let (na, nb) = (trim_zeros(&a[..da]), trim_zeros(&b[..db]));
                let ord = na
                    .len()
                    .cmp(&nb.len())
                    .then_with(|| na.cmp(nb))
                    .then(da.cmp(&db));
                if ord != Ordering::Equal {
                    return ord;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|c| **c == b'0').count();
    &digits[zeros..]
}

/// Control id -> ids of the rules mapped to it, for one framework, in
/// natural control order.
pub(crate) fn controls_of<'r>(
    rules: &'r [RuleMeta],
    framework: &str,
) -> Vec<(&'r str, Vec<&'r str>)> {
    let mut map: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for rule in rules {
        if let Some(controls) = rule.frameworks.get(framework) {
            for control in controls {
                let ids = map.entry(control.as_str()).or_default();
                if !ids.contains(&rule.id.as_str()) {
                    ids.push(rule.id.as_str());
                }
            }
        }
    }
    let mut out: Vec<(&str, Vec<&str>)> = map.into_iter().collect();
    out.sort_by(|a, b| natural_cmp(a.0, b.0).then_with(|| a.0.cmp(b.0)));
    for (_, ids) in &mut out {
        ids.sort_unstable();
    }
    out
}

/// Regions of the scope, sorted and deduplicated.
pub(crate) fn sorted_regions(scope: &Scope) -> Vec<&str> {
    let mut regions: Vec<&str> = scope.regions.iter().map(String::as_str).collect();
    regions.sort_unstable();
    regions.dedup();
    regions
}

/// Truncates `text` to at most `max` characters, cutting at a word boundary
/// when one is near and ending with `…`.
pub(crate) fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max || max == 0 {
        return if max == 0 {
            String::new()
        } else {
            text.to_owned()
        };
    }
    // Room for the ellipsis.
    let keep = max - 1;
    let cut = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    let head = &text[..cut];
    // Prefer a whitespace boundary in the last fifth.
    let min_cut = head.len() - head.len() / 5;
    let head = match head.rfind(char::is_whitespace) {
        Some(i) if i >= min_cut => &head[..i],
        _ => head,
    };
    format!("{}…", head.trim_end())
}

#[cfg(test)]
pub(crate) mod testdata;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_of_controls() {
        let mut ids = vec![
            "12.10.1", "10.2.1.1", "3.6.1", "10.2.1", "3.5.1", "CC6.10", "CC6.1", "A1.2", "CC4.1",
            "1.3.1", "7.2.1",
        ];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            ids,
            [
                "1.3.1", "3.5.1", "3.6.1", "7.2.1", "10.2.1", "10.2.1.1", "12.10.1", "A1.2",
                "CC4.1", "CC6.1", "CC6.10"
            ]
        );
        assert_eq!(natural_cmp("CC6.01", "CC6.1"), Ordering::Greater);
        assert_eq!(natural_cmp("x", "x"), Ordering::Equal);
    }

    #[test]
    fn truncation_is_clean() {
        assert_eq!(truncate_chars("short", 10), "short");
        let long = "word ".repeat(300);
        let cut = truncate_chars(&long, 1024);
        assert!(cut.chars().count() <= 1024);
        assert!(cut.ends_with("word…"), "{cut}");
        let one = "x".repeat(2000);
        assert_eq!(truncate_chars(&one, 10), format!("{}…", "x".repeat(9)));
        let multi = "é".repeat(2000);
        assert_eq!(truncate_chars(&multi, 5).chars().count(), 5);
    }

    #[test]
    fn attention_order_is_fail_by_severity_then_unknown() {
        let set = testdata::findings();
        let order: Vec<(Status, Severity)> = attention_order(&set)
            .iter()
            .map(|f| (f.status, f.severity))
            .collect();
        let mut sorted = order.clone();
        sorted.sort_by_key(|(s, sev)| (*s, Reverse(*sev)));
        assert_eq!(order, sorted);
        assert!(order.iter().all(|(s, _)| *s != Status::Pass));
    }

    #[test]
    fn every_format_is_deterministic() {
        let data = testdata::TestData::new();
        for format in [
            Format::Sarif,
            Format::Json,
            Format::Table,
            Format::Markdown,
            Format::Html,
        ] {
            for color in [false, true] {
                let terminal = Terminal {
                    color,
                    ..Terminal::PLAIN
                };
                let a = data
                    .with_input(|input| render(format, input, terminal))
                    .unwrap();
                let b = data
                    .with_input(|input| render(format, input, terminal))
                    .unwrap();
                assert_eq!(a, b, "{format}");
                assert!(a.ends_with('\n'));
            }
        }
    }
}
