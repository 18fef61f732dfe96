//! GitHub-flavoured Markdown, fit for `$GITHUB_STEP_SUMMARY`: scope,
//! counts, failing findings by severity, unknowns with their reason, a
//! control matrix per framework, and the parameters.
//!
//! GitHub shows at most 1 MiB of step summary, so at most
//! [`MAX_LISTED_FAILURES`] failures and [`MAX_LISTED_UNKNOWNS`] unknowns,
//! in at most [`LISTING_BYTES`], are listed (the most severe first); tables
//! longer than [`COLLAPSE_ROWS`] and the failures a baseline already had
//! are collapsed (`<details>`); the counts, the fixes and the matrix always
//! cover everything. Each failing rule is linked to its page and its fix
//! given in one line ("How to fix").

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::escape::{inert, is_unsafe};
use super::rule_doc::fence_for;
use super::{
    ReportError, ReportInput, SEVERITIES_DESC, StatusCounts, TOOL_NAME, TOOL_VERSION, controls_of,
    frameworks_of, sorted_regions,
};
use crate::finding::{BaselineState, Finding, Status};
use crate::metadata::RuleMeta;
use crate::waivers::WaiverEntryState;

mod listing;

use listing::{Budget, finding_table, linked_rule};
pub use listing::{COLLAPSE_ROWS, LISTING_BYTES};

/// Failures listed at most (the rest are counted).
pub const MAX_LISTED_FAILURES: usize = 1_000;
/// Unknowns listed at most (the rest are counted).
pub const MAX_LISTED_UNKNOWNS: usize = 500;

pub(crate) fn render(input: &ReportInput<'_>) -> Result<String, ReportError> {
    render_limited(input, MAX_LISTED_FAILURES, MAX_LISTED_UNKNOWNS)
}

pub(crate) fn render_limited(
    input: &ReportInput<'_>,
    max_failures: usize,
    max_unknowns: usize,
) -> Result<String, ReportError> {
    let scope = input.scope;
    let rules: BTreeMap<&str, &RuleMeta> = input.rules.iter().map(|r| (r.id.as_str(), r)).collect();
    let counts = StatusCounts::of(input.findings);
    let mut out = String::new();

    // Title and scope.
    writeln!(out, "# {TOOL_NAME} compliance report\n")?;
    writeln!(out, "| Scope | |")?;
    writeln!(out, "|---|---|")?;
    if scope.is_multi_account() {
        writeln!(
            out,
            "| Accounts | {} ({}){} |",
            scope.accounts.len(),
            cell(&scope.partition),
            scope
                .organization
                .as_deref()
                .map(|o| format!(", organization {}", code(o)))
                .unwrap_or_default()
        )?;
    } else {
        writeln!(
            out,
            "| Account | {} ({}) |",
            code(&scope.account_id),
            cell(&scope.partition)
        )?;
    }
    let regions: Vec<String> = sorted_regions(scope).into_iter().map(code).collect();
    writeln!(
        out,
        "| Regions | {} |",
        if regions.is_empty() {
            "-".to_owned()
        } else {
            regions.join(", ")
        }
    )?;
    writeln!(
        out,
        "| Evidence collected | {} |",
        cell(&scope.collected_at)
    )?;
    writeln!(
        out,
        "| Evidence file | {} (schema {}, collected by {TOOL_NAME} {}) |",
        code(input.evidence.uri),
        cell(&scope.schema_version),
        cell(&scope.tool_version)
    )?;
    writeln!(out, "| Collection errors | {} |", scope.collection_errors)?;
    writeln!(out, "| Rules evaluated | {} |", input.rules.len())?;
    writeln!(out, "| Report | {TOOL_NAME} {TOOL_VERSION} |")?;

    // Summary: the counts of the summary line and the table (waived
    // outcomes apart, so that the rows add up to the total).
    let tally = super::Tally::of(input.findings);
    writeln!(out, "\n## Summary\n")?;
    writeln!(out, "| Outcome | Count |")?;
    writeln!(out, "|---|---:|")?;
    writeln!(
        out,
        "| {} | {} |",
        status_label(Status::Fail),
        tally.failing
    )?;
    writeln!(
        out,
        "| {} | {} |",
        status_label(Status::Unknown),
        tally.unknown
    )?;
    writeln!(
        out,
        "| {} | {} |",
        status_label(Status::Pass),
        tally.passing
    )?;
    if input.waivers.is_some() || tally.waived > 0 {
        writeln!(
            out,
            "| 🔕 Waived (failing or unknown, not counted for the gate) | {} |",
            tally.waived
        )?;
    }
    writeln!(out, "| **Total** | **{}** |", tally.total())?;
    if input.baseline.is_some() {
        writeln!(
            out,
            "\nNew since the baseline (failing or unknown): {}.",
            tally.new
        )?;
    }
    let severities: Vec<String> = SEVERITIES_DESC
        .iter()
        .map(|s| format!("{} {s}", tally.failing_by_severity.get(*s)))
        .collect();
    writeln!(
        out,
        "\nFailures by severity{}: {}.",
        if tally.waived > 0 {
            " (not waived)"
        } else {
            ""
        },
        severities.join(", ")
    )?;
    for gap in &scope.incomplete {
        writeln!(
            out,
            "\n> [!CAUTION]\n> Incomplete scope: {} was asked for and could not be collected ({}). Its outcomes are unknown; the run fails its gate unless `--allow-incomplete-scope`.",
            cell(&gap.scope),
            cell(&gap.cause)
        )?;
    }
    if let Some(warning) = scope.planned_errors_warning("the evidence file") {
        writeln!(out, "\n> [!WARNING]\n> {warning}")?;
    } else if scope.collection_errors > 0 {
        writeln!(
            out,
            "\n> [!WARNING]\n> {} API calls failed during collection; outcomes that depended on them are reported as unknown (see `errors` in the evidence file).",
            scope.collection_errors
        )?;
    }

    if scope.is_multi_account() {
        out.push_str(&super::accounts::markdown_section(input)?);
    }

    // Failures, by severity: within each, the new ones (or all, without a
    // baseline) in a table, long tables collapsed, and the failures a
    // baseline already had collapsed after them.
    let mut budget = Budget::new(max_failures);
    writeln!(out, "\n## Failures\n")?;
    if counts.fail == 0 {
        writeln!(out, "No failing outcomes.")?;
    } else {
        for severity in SEVERITIES_DESC {
            let group: Vec<&Finding> = input
                .findings
                .iter()
                .filter(|f| f.status == Status::Fail && f.severity == severity)
                .collect();
            if group.is_empty() {
                continue;
            }
            writeln!(
                out,
                "### {} ({})\n",
                capitalise(severity.as_str()),
                group.len()
            )?;
            let (unchanged, fresh): (Vec<&Finding>, Vec<&Finding>) = group
                .iter()
                .partition(|f| f.baseline == Some(BaselineState::Unchanged));
            let label = severity.as_str();
            let mut not_listed = 0;
            if !fresh.is_empty() {
                let summary = format!(
                    "{} {label} failures{}",
                    fresh.len(),
                    if input.baseline.is_some() {
                        " new since the baseline"
                    } else {
                        ""
                    }
                );
                let collapse = fresh.len() > COLLAPSE_ROWS;
                not_listed += finding_table(
                    &mut out,
                    &fresh,
                    &rules,
                    &mut budget,
                    collapse.then_some(&summary),
                    "Message",
                )?;
            }
            if !unchanged.is_empty() {
                let summary = format!(
                    "{} {label} failures unchanged since the baseline",
                    unchanged.len()
                );
                not_listed += finding_table(
                    &mut out,
                    &unchanged,
                    &rules,
                    &mut budget,
                    Some(&summary),
                    "Message",
                )?;
            }
            if not_listed > 0 {
                writeln!(
                    out,
                    "_{not_listed} more not listed here (a step summary holds at most 1 MiB): see the SARIF or JSON report._\n"
                )?;
            }
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
    }

    // How to fix: each failing rule once, linked to its page.
    let fixes = super::counts::failing_rules(input);
    if !fixes.is_empty() {
        writeln!(out, "\n## How to fix\n")?;
        writeln!(out, "| Rule | Failing | Fix |")?;
        writeln!(out, "|---|---:|---|")?;
        for (rule, failing) in &fixes {
            writeln!(
                out,
                "| {} | {failing} | {} |",
                linked_rule(rule),
                cell(&super::rule_doc::fix_line(rule))
            )?;
        }
        writeln!(
            out,
            "\nEach rule's page (`dynaudit explain <RULE>`) gives the AWS CLI and Terraform steps."
        )?;
    }

    // Unknowns.
    writeln!(out, "\n## Unknown outcomes\n")?;
    if counts.unknown == 0 {
        writeln!(
            out,
            "None: every outcome was decided on collected evidence."
        )?;
    } else {
        writeln!(
            out,
            "The evidence these outcomes need was not collected; they are neither pass nor fail.\n"
        )?;
        let unknowns: Vec<&Finding> = input
            .findings
            .iter()
            .filter(|f| f.status == Status::Unknown)
            .collect();
        budget.rows = max_unknowns;
        let collapse = unknowns.len() > COLLAPSE_ROWS;
        let summary = format!("{} unknown outcomes", unknowns.len());
        let not_listed = finding_table(
            &mut out,
            &unknowns,
            &rules,
            &mut budget,
            collapse.then_some(&summary),
            "Reason",
        )?;
        if not_listed > 0 {
            writeln!(
                out,
                "_{not_listed} more not listed here (a step summary holds at most 1 MiB): see the SARIF or JSON report._"
            )?;
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
    }

    if let Some(waivers) = input.waivers {
        writeln!(out, "\n## Waivers\n")?;
        writeln!(
            out,
            "Judged as of {} (the evidence's day).\n",
            cell(&waivers.as_of)
        )?;
        if waivers.entries.is_empty() {
            writeln!(out, "The waivers file has no entries.")?;
        } else {
            writeln!(
                out,
                "| State | Rule | Resource | Owner | Expires | Findings | Reason | Entry |"
            )?;
            writeln!(out, "|---|---|---|---|---|---:|---|---|")?;
            for entry in &waivers.entries {
                let state = match entry.state {
                    WaiverEntryState::Applied => "applied",
                    WaiverEntryState::Expired => "**expired**: no longer applies",
                    WaiverEntryState::Stale => "**stale**: matches nothing, remove it",
                };
                writeln!(
                    out,
                    "| {state} | {} | {} | {} | {} | {} | {} | {} |",
                    cell(&entry.rule),
                    code(&entry.resource),
                    cell(&entry.owner),
                    cell(&entry.expires),
                    entry.findings,
                    cell(&entry.reason),
                    code(&entry.source)
                )?;
            }
        }
    }

    // Control matrices.
    writeln!(out, "\n## Control matrix")?;
    let mut per_rule: BTreeMap<&str, StatusCounts> = BTreeMap::new();
    for f in input.findings {
        per_rule
            .entry(f.rule_id.as_str())
            .or_default()
            .add(f.status);
    }
    for framework in frameworks_of(input.rules) {
        writeln!(
            out,
            "\n### {}\n",
            cell(crate::frameworks::label(&framework))
        )?;
        let controls = controls_of(input.rules, &framework);
        if controls.is_empty() {
            writeln!(out, "No loaded rule maps to this framework.")?;
            continue;
        }
        writeln!(out, "| Control | Rules | Pass | Fail | Unknown | Verdict |")?;
        writeln!(out, "|---|---|---:|---:|---:|---|")?;
        for (control, rule_ids) in controls {
            let mut total = StatusCounts::default();
            for id in &rule_ids {
                if let Some(c) = per_rule.get(id) {
                    total.pass += c.pass;
                    total.fail += c.fail;
                    total.unknown += c.unknown;
                }
            }
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(control),
                cell(&rule_ids.join(", ")),
                total.pass,
                total.fail,
                total.unknown,
                verdict(&total)
            )?;
        }
    }

    // Parameters.
    let parameters = serde_json::to_string_pretty(input.parameters).map_err(|source| {
        ReportError::Serialize {
            format: super::Format::Markdown,
            source,
        }
    })?;
    let fence = fence_for(&parameters);
    writeln!(
        out,
        "\n<details>\n<summary>Parameters</summary>\n\n{fence}json\n{parameters}\n{fence}\n\n</details>"
    )?;
    Ok(out)
}

fn status_label(status: Status) -> &'static str {
    match status {
        Status::Fail => "❌ Fail",
        Status::Unknown => "❔ Unknown",
        Status::Pass => "✅ Pass",
    }
}

/// A control's verdict (any failure fails it; otherwise any unknown leaves
/// it unknown; otherwise it passes if anything was evaluated), with the share of its outcomes that decide it
/// (`❌ Fail: 4 of 8`), so that a control failing on one resource reads
/// differently from one failing on nearly all.
fn verdict(counts: &StatusCounts) -> String {
    let total = counts.total();
    if counts.fail > 0 {
        format!("{}: {} of {total}", status_label(Status::Fail), counts.fail)
    } else if counts.unknown > 0 {
        format!(
            "{}: {} of {total}",
            status_label(Status::Unknown),
            counts.unknown
        )
    } else if counts.pass > 0 {
        status_label(Status::Pass).to_owned()
    } else {
        "➖ Not evaluated".to_owned()
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Evidence as text for a table cell or a heading, read literally whatever
/// it holds:
///
/// - a word GitHub would turn into a link or math (`https://…`, `www.…`,
///   `mailto:…`, `$…$`) goes in a code span ([`code`]), where GitHub does
///   neither and the text still copies as it was;
/// - elsewhere Markdown punctuation is escaped with `\`, `<`, `>` and `&`
///   are entities (no HTML, no `<https://…>` autolink), `|` is escaped;
/// - line breaks (LF, CRLF and a lone CR) are `<br>`;
/// - control and bidirectional characters are visible escapes (`\x1b`,
///   `\u{202e}`).
pub(crate) fn cell(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        for (j, word) in line.split(' ').enumerate() {
            if j > 0 {
                out.push(' ');
            }
            if links_or_math(word) {
                out.push_str(&code(word));
            } else {
                escape_word(&mut out, word);
            }
        }
    }
    out
}

/// Whether GitHub would make a link (extended autolinks) or math of a
/// word.
fn links_or_math(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    word.contains('$')
        || lower.contains("://")
        || lower.contains("www.")
        || lower.contains("mailto:")
        || lower.contains("xmpp:")
}

fn escape_word(out: &mut String, word: &str) {
    for c in word.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if is_unsafe(c) => out.push_str(&inert(c.encode_utf8(&mut [0; 4]))),
            c => out.push(c),
        }
    }
}

/// Evidence as a code span for a table cell: literal (no Markdown, no
/// HTML, no autolink, no math), with a fence longer than any run of
/// backticks in it; `|` escaped (GitHub unescapes it inside code spans in
/// tables), line breaks as spaces, control and bidirectional characters as
/// visible escapes.
pub(crate) fn code(text: &str) -> String {
    let text = inert(&text.replace(['\n', '\r'], " ")).replace('|', "\\|");
    let fence = "`".repeat(longest_backtick_run(&text) + 1);
    // A code span drops one space at each end when both have one.
    let pad = if text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && !text.trim().is_empty())
    {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata::TestData;

    #[test]
    fn snapshot() {
        let data = TestData::new();
        let text = data.with_input(render).unwrap();
        insta::assert_snapshot!(crate::report::testdata::redact_version(&text));
    }

    #[test]
    fn pipes_are_escaped_in_cells() {
        let data = TestData::new();
        let text = data.with_input(render).unwrap();
        let row = text.lines().find(|l| l.contains("role/admin")).unwrap();
        assert!(
            row.contains("`arn:aws:iam::123456789012:role/admin\\|ops`"),
            "{row}"
        );
        assert!(row.contains("admin\\|ops: policy \\*Admin\\*"), "{row}");
        // Unescaped pipes delimit exactly five cells' worth of columns.
        let unescaped = row.replace("\\|", "").matches('|').count();
        assert_eq!(unescaped, 5, "{row}");
    }

    #[test]
    fn control_rows_are_in_natural_order() {
        let data = TestData::new();
        let text = data.with_input(render).unwrap();
        let pci = text
            .split("### PCI DSS v4.0")
            .nth(1)
            .unwrap()
            .split("###")
            .next()
            .unwrap();
        let controls: Vec<&str> = pci
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| Control"))
            .map(|l| l.split(" | ").next().unwrap().trim_start_matches("| "))
            .collect();
        assert_eq!(
            controls,
            [
                "3.5.1", "3.6.1", "7.2.1", "7.2.2", "10.2.1", "10.2.2", "11.5.2", "12.10.1"
            ]
        );
        let soc2 = text.split("### SOC 2").nth(1).unwrap();
        let a12 = soc2.find("| A1.2 |").unwrap();
        let cc41 = soc2.find("| CC4.1 |").unwrap();
        let cc61 = soc2.find("| CC6.1 |").unwrap();
        assert!(a12 < cc41 && cc41 < cc61);
        // 3.6.1: DYN101 (1 fail, 1 unknown, 1 pass) and DYN102 (1 fail, 1 pass).
        assert!(
            pci.contains("| 3.6.1 | DYN101, DYN102 | 2 | 2 | 1 | ❌ Fail: 2 of 5 |"),
            "{pci}"
        );
        // 11.5.2: DYN602 has no outcome.
        assert!(
            pci.contains("| 11.5.2 | DYN602 | 0 | 0 | 0 | ➖ Not evaluated |"),
            "{pci}"
        );
    }

    /// A report of many failures stays within GitHub's 1 MiB step summary,
    /// long tables collapsed, and every failing rule keeps its fix line.
    #[test]
    fn stays_within_the_step_summary_limit() {
        let mut data = TestData::new();
        let fail = data
            .findings
            .iter()
            .find(|f| f.status == Status::Fail && f.rule_id == "DYN101")
            .unwrap()
            .clone();
        for i in 0..20_000 {
            let mut f = fail.clone();
            f.resource = format!("{}-{i}", f.resource);
            f.message = format!("{} {}", f.message, "long evidence ".repeat(40));
            data.findings.push(f);
        }
        let text = data.with_input(render).unwrap();
        assert!(text.len() < 1024 * 1024, "{} bytes", text.len());
        assert!(
            text.contains("<details>\n<summary>"),
            "long tables collapse"
        );
        assert!(text.contains("more not listed here (a step summary holds at most 1 MiB)"));
        assert!(text.contains("## How to fix"));
        assert!(text.contains("## Control matrix"));
    }

    #[test]
    fn listing_is_capped() {
        let data = TestData::new();
        let text = data
            .with_input(|input| render_limited(input, 2, 0))
            .unwrap();
        assert!(text.contains("_1 more not listed here"), "{text}");
        assert!(text.contains("_2 more not listed here"), "{text}");
        assert!(!text.contains("Contributor Insights is off"));
    }

    #[test]
    fn cells_and_code_spans() {
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(cell("x\ny"), "x<br>y");
        assert_eq!(cell("<none> & co"), "&lt;none&gt; &amp; co");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("` x"), "`` ` x ``");
        assert_eq!(code(" x "), "`  x  `");
    }

    /// A lone CR broke out of the row, bare URLs became links, `$x$` became
    /// math and bidi controls passed through.
    #[test]
    fn evidence_in_cells_is_literal() {
        assert_eq!(cell("a\rb\r\nc"), "a<br>b<br>c");
        assert_eq!(
            cell("see https://evil.example/x or WWW.evil.example now"),
            "see `https://evil.example/x` or `WWW.evil.example` now"
        );
        assert_eq!(cell("pay $x$ or $5"), "pay `$x$` or `$5`");
        assert_eq!(cell("mailto:a@b.example"), "`mailto:a@b.example`");
        assert_eq!(
            cell("*a* _b_ [c](d) ![e] ~f~ #1 `g` \\h"),
            "\\*a\\* \\_b\\_ \\[c\\](d) \\!\\[e\\] \\~f\\~ \\#1 \\`g\\` \\\\h"
        );
        assert_eq!(cell("<script>"), "&lt;script&gt;");
        assert_eq!(
            cell("x\u{202e}y\x1b[2J\u{9b}"),
            "x\\u{202e}y\\x1b\\[2J\\u{9b}"
        );
        assert_eq!(
            code("a\u{202e}b\x1b]0;t\x07"),
            "`a\\u{202e}b\\x1b]0;t\\x07`"
        );
        assert_eq!(cell("https://a|b"), "`https://a\\|b`");
    }

    #[test]
    fn hostile_evidence_is_inert() {
        let data = TestData::hostile();
        let text = data.with_input(render).unwrap();
        crate::report::testdata::assert_inert(&text, false);
        let own_link = "](https://github.com/dynaudit/dynaudit/blob/v";
        for line in text.lines().filter(|l| l.starts_with("| ")) {
            // Our own links to the rule pages are not evidence.
            let line = &line
                .split(own_link)
                .map(|part| part.split_once(".md)").map_or(part, |(_, rest)| rest))
                .collect::<Vec<_>>()
                .join("");
            let outside = outside_code_spans(line);
            for needle in ["://", "www.", "$", "<script", "<br>FORGED |"] {
                assert!(!outside.contains(needle), "{needle:?} in {line}");
            }
        }
        // Each listed finding is one row of four cells.
        let rows: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("table/") || l.contains("role/"))
            .collect();
        assert_eq!(rows.len(), 4, "{text}");
        for row in rows {
            // GitHub splits a row at each `|` not preceded by a backslash.
            let delimiters = row
                .char_indices()
                .filter(|(i, c)| *c == '|' && !row[..*i].ends_with('\\'))
                .count();
            assert_eq!(delimiters, 5, "{row}");
        }
        insta::assert_snapshot!(crate::report::testdata::redact_version(&text));
    }

    /// `line` without its code spans (a backslash-escaped backtick opens
    /// none).
    fn outside_code_spans(line: &str) -> String {
        let chars: Vec<char> = line.chars().collect();
        let run_at = |i: usize| chars[i..].iter().take_while(|c| **c == '`').count();
        let mut out = String::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '\\' if i + 1 < chars.len() => {
                    out.push(chars[i]);
                    out.push(chars[i + 1]);
                    i += 2;
                }
                '`' => {
                    let n = run_at(i);
                    let mut j = i + n;
                    let mut close = None;
                    while j < chars.len() {
                        if chars[j] == '`' {
                            let m = run_at(j);
                            if m == n {
                                close = Some(j);
                                break;
                            }
                            j += m;
                        } else {
                            j += 1;
                        }
                    }
                    match close {
                        Some(j) => i = j + n,
                        None => {
                            out.extend(&chars[i..i + n]);
                            i += n;
                        }
                    }
                }
                c => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        out
    }
}
