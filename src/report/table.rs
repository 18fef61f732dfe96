//! The terminal summary: failing and unknown outcomes, then how to fix the
//! failing rules, then counts. Passes are counted, not listed.
//!
//! The layout follows the width it is given ([`Terminal::width`]: the
//! terminal's, `COLUMNS`, or [`WIDTH`] when the output is not a terminal,
//! so a file or a CI log always gets the same bytes). Wide enough, a table
//! whose message column holds every word whole; otherwise (narrow, or a
//! word such as an ARN longer than that column) a stacked layout, one
//! outcome per block. Lines are broken between words only: an ARN is never
//! split. Colours only when asked for ([`Terminal::color`]).
//!
//! The counts are those of the summary line on standard error and of
//! `--counts-out`: failing and unknown outcomes a waiver covers are counted
//! as waived, not as failing or unknown.

use std::fmt::Write as _;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table};

use super::escape::inert;
use super::{
    ReportError, ReportInput, SEVERITIES_DESC, TOOL_NAME, TOOL_VERSION, Tally, Terminal,
    attention_order, triage_note,
};
use crate::finding::{BaselineState, Finding, Status};
use crate::metadata::{RuleMeta, Severity};

/// Width the table is laid out for when the output is not a terminal (a
/// file, a pipe, a CI log) and `COLUMNS` is not set.
pub const WIDTH: u16 = 140;
/// Below this width the outcomes are stacked, not tabled.
pub const MIN_TABLE_WIDTH: u16 = 100;
/// Narrowest width laid out for (a narrower terminal wraps our lines).
pub const MIN_WIDTH: u16 = 40;
/// Widest width laid out for.
pub const MAX_WIDTH: u16 = 400;
/// Resources longer than this are shortened in the middle in the table
/// (the stacked layout gives them whole).
const MAX_RESOURCE_CHARS: usize = 48;
/// Rows listed at most, the most severe first (the rest are counted).
pub const MAX_ROWS: usize = 1_000;

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const GREEN: &str = "\x1b[32m";
const MAGENTA: &str = "\x1b[35m";
const CYAN: &str = "\x1b[36m";

pub(crate) fn render(input: &ReportInput<'_>, terminal: Terminal) -> Result<String, ReportError> {
    render_limited(input, terminal, MAX_ROWS)
}

pub(crate) fn render_limited(
    input: &ReportInput<'_>,
    terminal: Terminal,
    max_rows: usize,
) -> Result<String, ReportError> {
    let color = terminal.color;
    let width = usize::from(terminal.width.clamp(MIN_WIDTH, MAX_WIDTH));
    let paint = |code: &str, text: &str| {
        if color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    };
    let scope = input.scope;
    let mut out = String::new();
    let multi = scope.is_multi_account();
    let heading = format!(
        "{TOOL_NAME} {TOOL_VERSION}: {} ({}), regions {}, evidence collected {}",
        if multi {
            format!(
                "{} accounts{}",
                scope.accounts.len(),
                scope
                    .organization
                    .as_deref()
                    .map(|o| format!(" of organization {}", inert(o)))
                    .unwrap_or_default()
            )
        } else {
            format!("account {}", inert(&scope.account_id))
        },
        inert(&scope.partition),
        if scope.regions.is_empty() {
            "-".to_owned()
        } else {
            inert(&super::sorted_regions(scope).join(", ")).into_owned()
        },
        inert(&scope.collected_at),
    );
    let mut heading_lines = wrap_words(&heading, width, "");
    if let Some(first) = heading_lines.first_mut()
        && let Some(rest) = first.strip_prefix(TOOL_NAME)
    {
        *first = format!("{}{rest}", paint(BOLD, TOOL_NAME));
    }
    for line in heading_lines {
        writeln!(out, "{line}")?;
    }

    let mut listed = attention_order(input.findings);
    let not_listed = listed.len().saturating_sub(max_rows);
    listed.truncate(max_rows);
    if listed.is_empty() && not_listed == 0 {
        writeln!(out, "\n{}", paint(GREEN, "No failing or unknown outcomes."))?;
    } else {
        let rows: Vec<Row> = listed.iter().map(|f| Row::of(f, multi)).collect();
        writeln!(out)?;
        match table_layout(&rows, multi, width) {
            Some(message_width) => out.push_str(&tabled(&rows, multi, message_width, color)),
            None => out.push_str(&stacked(&rows, width, color)),
        }
        if not_listed > 0 {
            writeln!(out)?;
            for line in wrap_words(
                &format!(
                    "... and {not_listed} more failing or unknown outcomes, less severe, not listed: see the JSON or SARIF report."
                ),
                width,
                "",
            ) {
                writeln!(out, "{line}")?;
            }
        }
    }

    if multi {
        out.push_str(&super::accounts::table_section(input)?);
    }

    // How to fix: one line per failing rule, most severe first.
    let fixes = failing_rules(&listed, input.rules);
    if !fixes.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", paint(BOLD, "How to fix:"))?;
        let id_width = fixes
            .iter()
            .map(|r| r.id.chars().count())
            .max()
            .unwrap_or(6);
        for rule in &fixes {
            let prefix = format!("  {:<id_width$}  ", inert(&rule.id));
            out.push_str(&hanging(
                &prefix,
                &inert(&super::rule_doc::fix_line(rule)),
                width,
            ));
        }
        for line in wrap_words(
            "`dynaudit explain <RULE>` (or docs/rules/<RULE>.md) gives the AWS CLI and Terraform steps.",
            width,
            "",
        ) {
            writeln!(out, "{line}")?;
        }
    }

    let tally = Tally::of(input.findings);
    let severities: Vec<String> = SEVERITIES_DESC
        .iter()
        .map(|s| {
            let n = tally.failing_by_severity.get(*s);
            let text = format!("{n} {s}");
            if n == 0 {
                text
            } else {
                paint(severity_code(*s), &text)
            }
        })
        .collect();
    let waived = if input.waivers.is_some() || tally.waived > 0 {
        format!(", {} waived", tally.waived)
    } else {
        String::new()
    };
    writeln!(out)?;
    let counts_line = format!(
        "{} ({}), {}, {}{waived} across {} outcomes of {} rules",
        paint(
            if tally.failing > 0 { RED } else { GREEN },
            &format!("{} failing", tally.failing)
        ),
        severities.join(", "),
        paint(
            if tally.unknown > 0 { MAGENTA } else { GREEN },
            &format!("{} unknown", tally.unknown)
        ),
        paint(GREEN, &format!("{} passing", tally.passing)),
        tally.total(),
        input.rules.len(),
    );
    // The footer: each line broken between words at the width.
    let mut footer = vec![counts_line];
    if input.waivers.is_some() {
        footer.push(
            "Waived outcomes (failing or unknown, covered by a waiver in force) do not count for --fail-on."
                .to_owned(),
        );
    }
    if let Some(baseline) = input.baseline {
        footer.push(format!(
            "{} failing or unknown outcomes new since the baseline {}.",
            tally.new,
            inert(baseline)
        ));
    }
    if let Some(waivers) = input.waivers {
        for warning in waivers.warnings() {
            footer.push(format!(
                "{} {}.",
                paint(YELLOW, "warning:"),
                inert(&warning)
            ));
        }
    }
    for gap in &scope.incomplete {
        footer.push(format!(
            "{} incomplete scope: {} was asked for and could not be collected ({}); its outcomes are unknown, and the gate fails unless --allow-incomplete-scope.",
            paint(RED, "error:"),
            inert(&gap.scope),
            inert(&gap.cause),
        ));
    }
    if let Some(warning) = scope.planned_errors_warning(&inert(input.evidence.uri)) {
        footer.push(format!("{} {warning}", paint(YELLOW, "warning:")));
    } else if scope.collection_errors > 0 {
        footer.push(format!(
            "{} {} API calls failed during collection; outcomes that depended on them are unknown (see `errors` in {}).",
            paint(YELLOW, "warning:"),
            scope.collection_errors,
            inert(input.evidence.uri),
        ));
    }
    for line in footer {
        for part in wrap_words(&line, width, "  ") {
            writeln!(out, "{part}")?;
        }
    }
    Ok(out)
}

/// The rules of the listed failing outcomes (not waived), in the order of
/// their first listed outcome (most severe first).
fn failing_rules<'r>(listed: &[&Finding], rules: &'r [RuleMeta]) -> Vec<&'r RuleMeta> {
    let mut out: Vec<&RuleMeta> = Vec::new();
    for f in listed {
        if f.status != Status::Fail || f.is_waived() || out.iter().any(|r| r.id == f.rule_id) {
            continue;
        }
        if let Some(rule) = rules.iter().find(|r| r.id == f.rule_id) {
            out.push(rule);
        }
    }
    out
}

/// One listed outcome, its text made inert.
struct Row<'f> {
    finding: &'f Finding,
    status: String,
    account: Option<String>,
    region: String,
    rule: String,
    resource: String,
    message: String,
}

impl<'f> Row<'f> {
    fn of(f: &'f Finding, multi: bool) -> Row<'f> {
        let status = if f.is_waived() {
            format!("{} (waived)", f.status.as_str())
        } else if f.baseline == Some(BaselineState::New) {
            format!("{} (new)", f.status.as_str())
        } else {
            f.status.as_str().to_owned()
        };
        let message = match triage_note(f) {
            Some(note) => format!("{} [{note}]", f.message.trim()),
            None => f.message.trim().to_owned(),
        };
        Row {
            finding: f,
            status,
            account: multi.then(|| inert(&f.account).into_owned()),
            region: inert(&f.region).into_owned(),
            rule: inert(&f.rule_id).into_owned(),
            resource: inert(&f.resource).into_owned(),
            message: inert(&message).into_owned(),
        }
    }

    /// The cells before the message, as the table shows them.
    fn leading_cells(&self) -> Vec<String> {
        let mut cells = vec![
            self.finding.severity.as_str().to_owned(),
            self.status.clone(),
            self.rule.clone(),
        ];
        if let Some(account) = &self.account {
            cells.push(account.clone());
        }
        cells.push(self.region.clone());
        cells.push(short_resource(&self.finding.resource));
        cells
    }
}

fn headers(multi: bool) -> Vec<&'static str> {
    let mut header = vec!["Severity", "Status", "Rule", "Region", "Resource"];
    if multi {
        header.insert(3, "Account");
    }
    header
}

/// The message column's width when the outcomes fit a table of `width`
/// columns with every word of every message whole; `None` for the stacked
/// layout.
fn table_layout(rows: &[Row<'_>], multi: bool, width: usize) -> Option<usize> {
    if width < usize::from(MIN_TABLE_WIDTH) {
        return None;
    }
    let mut widths: Vec<usize> = headers(multi).iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row.leading_cells()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    // "│ " before each column, " " after, and the closing "│".
    let used: usize = widths.iter().map(|w| w + 3).sum::<usize>() + 4;
    let message_width = width.checked_sub(used)?;
    let longest_word = rows
        .iter()
        .flat_map(|r| r.message.split_whitespace())
        .map(|w| w.chars().count())
        .max()
        .unwrap_or(0);
    (message_width >= 30 && longest_word <= message_width).then_some(message_width)
}

/// The table layout: messages broken between words at `message_width`.
fn tabled(rows: &[Row<'_>], multi: bool, message_width: usize, color: bool) -> String {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED.with_rounded_corners())
        .force_no_tty()
        .set_content_arrangement(ContentArrangement::Disabled);
    if color {
        table.enforce_styling();
    }
    let mut header = headers(multi);
    header.push("Message");
    table.set_header(header.into_iter().map(|h| {
        let cell = Cell::new(h);
        if color {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }));
    for row in rows {
        let f = row.finding;
        let mut cells: Vec<Cell> = row.leading_cells().into_iter().map(Cell::new).collect();
        if color {
            let severity = Cell::new(f.severity.as_str());
            cells[0] = match f.severity {
                Severity::Critical => severity.fg(Color::Red).add_attribute(Attribute::Bold),
                Severity::High => severity.fg(Color::Red),
                Severity::Medium => severity.fg(Color::Yellow),
                Severity::Low => severity.fg(Color::Cyan),
            };
            let status = Cell::new(&row.status);
            cells[1] = match f.status {
                Status::Fail => status.fg(Color::Red),
                Status::Unknown => status.fg(Color::Magenta),
                Status::Pass => status.fg(Color::Green),
            };
        }
        cells.push(Cell::new(
            wrap_words(&row.message, message_width, "").join("\n"),
        ));
        table.add_row(cells);
    }
    format!("{table}\n")
}

/// The stacked layout: per outcome a line of severity, status, rule,
/// account and region, then the whole resource and the message, indented
/// and broken between words.
fn stacked(rows: &[Row<'_>], width: usize, color: bool) -> String {
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let f = row.finding;
        let severity = if color {
            format!(
                "{}{}{RESET}",
                severity_code(f.severity),
                f.severity.as_str()
            )
        } else {
            f.severity.as_str().to_owned()
        };
        let status = if color {
            let code = match f.status {
                Status::Fail => RED,
                Status::Unknown => MAGENTA,
                Status::Pass => GREEN,
            };
            format!("{code}{}{RESET}", row.status)
        } else {
            row.status.clone()
        };
        let mut head = vec![severity, status, row.rule.clone()];
        head.extend(row.account.clone());
        head.push(row.region.clone());
        let _ = writeln!(out, "{}", head.join("  "));
        for text in [&row.resource, &row.message] {
            out.push_str(&hanging("  ", text, width));
        }
    }
    out
}

/// `text` broken between words to fit `width`, after `prefix` on the first
/// line and as many spaces on the others.
fn hanging(prefix: &str, text: &str, width: usize) -> String {
    let indent = prefix.chars().count();
    let mut out = String::new();
    for (i, line) in wrap_words(text, width.saturating_sub(indent).max(20), "")
        .into_iter()
        .enumerate()
    {
        if i == 0 {
            out.push_str(prefix);
        } else {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// `text` in lines of at most `width` characters, broken between words
/// only: a word longer than the line (an ARN on a narrow terminal) has a
/// line of its own, whole. Lines after the first start with `indent`.
pub(crate) fn wrap_words(text: &str, width: usize, indent: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_chars = 0;
    let indent_chars = indent.chars().count();
    let mut empty = true;
    for word in text.split_whitespace() {
        let chars = word.chars().count();
        if !empty && line_chars + 1 + chars > width {
            lines.push(std::mem::take(&mut line));
            line.push_str(indent);
            line_chars = indent_chars;
            empty = true;
        }
        if !empty {
            line.push(' ');
            line_chars += 1;
        }
        line.push_str(word);
        line_chars += chars;
        empty = false;
    }
    if !empty || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// An empty table laid out for [`WIDTH`] whatever the terminal.
pub(crate) fn fixed_width_table() -> Table {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED.with_rounded_corners())
        .force_no_tty()
        .set_width(WIDTH)
        .set_content_arrangement(ContentArrangement::Dynamic);
    table
}

fn severity_code(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => RED,
        Severity::Medium => YELLOW,
        Severity::Low => CYAN,
    }
}

/// The part of a resource id worth reading in a narrow column: an ARN
/// loses `arn:partition:service:region:account:` (the region has its own
/// column and the account is in the header), and anything still long is
/// shortened in the middle. Control and bidirectional characters are
/// escaped first ([`inert`]).
pub(crate) fn short_resource(resource: &str) -> String {
    let resource = inert(resource);
    let short = resource
        .strip_prefix("arn:")
        .and_then(|rest| rest.splitn(5, ':').nth(4))
        .filter(|r| !r.is_empty())
        .unwrap_or(&resource);
    let chars = short.chars().count();
    if chars <= MAX_RESOURCE_CHARS {
        return short.to_owned();
    }
    let head_len = MAX_RESOURCE_CHARS / 2 - 1;
    let tail_len = MAX_RESOURCE_CHARS - head_len - 1;
    let head: String = short.chars().take(head_len).collect();
    let tail: String = short.chars().skip(chars - tail_len).collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata::TestData;

    const COLOR: Terminal = Terminal {
        color: true,
        width: WIDTH,
    };

    fn at_width(data: &TestData, width: u16) -> String {
        data.with_input(|input| {
            render(
                input,
                Terminal {
                    color: false,
                    width,
                },
            )
        })
        .unwrap()
    }

    /// Every ARN of the findings appears whole on one line.
    fn arns_whole(data: &TestData, text: &str) {
        for f in &data.findings {
            for word in f
                .message
                .split_whitespace()
                .filter(|w| w.starts_with("arn:"))
            {
                let word = word.trim_end_matches([',', ';', ')', '.']);
                assert!(text.contains(word), "{word} split in:\n{text}");
            }
        }
    }

    #[test]
    fn narrow_terminals_get_stacked_outcomes_without_split_arns() {
        let mut data = TestData::new();
        // A message with an ARN longer than a narrow line.
        data.findings[0].message = format!(
            "Table orders in us-east-1: its KMS key {} is pending deletion",
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        );
        let text = at_width(&data, 80);
        assert!(!text.contains('│'), "stacked, not tabled:\n{text}");
        for line in text.lines() {
            let long_word = line.split_whitespace().any(|w| w.chars().count() > 78);
            assert!(
                line.chars().count() <= 80 || long_word,
                "{} columns: {line}",
                line.chars().count()
            );
        }
        arns_whole(&data, &text);
        // The whole resource, not the shortened one.
        assert!(text.contains("  arn:aws:dynamodb:us-east-1:123456789012:table/orders\n"));
        insta::assert_snapshot!(crate::report::testdata::redact_version(&text));
    }

    #[test]
    fn wide_terminals_get_a_table_as_wide_as_they_are() {
        let data = TestData::new();
        let text = at_width(&data, 200);
        assert!(text.contains('│'));
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(widest <= 200, "{widest}");
        // Wider than at the default width: fewer lines for the same rows.
        let default = at_width(&data, WIDTH);
        assert!(text.lines().count() <= default.lines().count());
        arns_whole(&data, &text);
        arns_whole(&data, &default);
    }

    #[test]
    fn an_arn_too_long_for_the_message_column_stacks_the_outcomes() {
        let mut data = TestData::new();
        data.findings[0].message = format!("Key {} is pending deletion", "x".repeat(120));
        let text = at_width(&data, WIDTH);
        assert!(!text.contains('│'), "{text}");
        assert!(text.contains(&"x".repeat(120)));
    }

    #[test]
    fn failing_rules_get_their_fix_line() {
        let data = TestData::new();
        let text = at_width(&data, WIDTH);
        let fixes = text.split("How to fix:\n").nth(1).unwrap();
        let rule = data.rules.iter().find(|r| r.id == "DYN102").unwrap();
        let fix = crate::report::rule_doc::fix_line(rule);
        let first_words: Vec<&str> = fix.split_whitespace().take(3).collect();
        assert!(
            fixes.starts_with(&format!("  DYN102  {}", first_words.join(" "))),
            "{fixes}"
        );
        // Unknown-only rules have no fix line: their evidence is missing.
        assert!(!fixes.lines().any(|l| l.starts_with("  DYN999")));
    }

    #[test]
    fn words_are_never_split() {
        assert_eq!(wrap_words("a bb ccc", 4, ""), ["a bb", "ccc"]);
        assert_eq!(
            wrap_words("see arn:aws:kms:us-east-1:1:key/x now", 8, "  "),
            ["see", "  arn:aws:kms:us-east-1:1:key/x", "  now"]
        );
        assert_eq!(wrap_words("", 8, ""), [""]);
    }

    #[test]
    fn snapshot_plain() {
        let data = TestData::new();
        let text = data
            .with_input(|input| render(input, Terminal::PLAIN))
            .unwrap();
        assert!(!text.contains('\x1b'));
        insta::assert_snapshot!(crate::report::testdata::redact_version(&text));
    }

    #[test]
    fn snapshot_colored() {
        let data = TestData::new();
        let text = data.with_input(|input| render(input, COLOR)).unwrap();
        assert!(text.contains('\x1b'));
        insta::assert_snapshot!(crate::report::testdata::redact_version(&text));
    }

    /// Escape sequences, CR and bidi controls in the evidence reached the
    /// terminal unchanged (`table/orders\e[2J...` cleared the screen).
    #[test]
    fn hostile_evidence_is_inert() {
        let data = TestData::hostile();
        for color in [false, true] {
            let text = data
                .with_input(|input| {
                    render(
                        input,
                        Terminal {
                            color,
                            ..Terminal::PLAIN
                        },
                    )
                })
                .unwrap();
            crate::report::testdata::assert_inert(&text, color);
            assert!(text.contains("orders\\x1b[2J"), "{text}");
            assert!(text.contains("\\u{202e}exe.txt"), "{text}");
            assert!(
                text.contains("account 123456789012\\x1b]0;pwned\\x07"),
                "{text}"
            );
        }
        let text = data
            .with_input(|input| render(input, Terminal::PLAIN))
            .unwrap();
        insta::assert_snapshot!(crate::report::testdata::redact_version(&text));
    }

    #[test]
    fn passes_are_counted_not_listed() {
        let data = TestData::new();
        let text = data
            .with_input(|input| render(input, Terminal::PLAIN))
            .unwrap();
        assert!(!text.contains("users in us-east-1 is encrypted"));
        assert!(text.contains("4 passing"));
        assert!(
            text.lines()
                .all(|l| l.chars().count() <= usize::from(WIDTH))
        );
    }

    #[test]
    fn all_clear() {
        let mut data = TestData::new();
        data.findings.retain(|f| f.status == Status::Pass);
        data.scope.collection_errors = 0;
        let text = data
            .with_input(|input| render(input, Terminal::PLAIN))
            .unwrap();
        insta::assert_snapshot!(crate::report::testdata::redact_version(&text));
    }

    #[test]
    fn rows_are_capped() {
        let data = TestData::new();
        let text = data
            .with_input(|input| render_limited(input, Terminal::PLAIN, 3))
            .unwrap();
        assert!(
            text.contains("and 5 more failing or unknown outcomes"),
            "{text}"
        );
        assert!(text.contains("DYN102") && !text.contains("DYN505"));
    }

    #[test]
    fn resources_are_shortened() {
        assert_eq!(
            short_resource("arn:aws:dynamodb:us-east-1:123456789012:table/orders"),
            "table/orders"
        );
        assert_eq!(
            short_resource("arn:aws:iam::123456789012:role/admin"),
            "role/admin"
        );
        assert_eq!(
            short_resource("arn:aws:backup:us-east-1:123456789012:backup-plan:abc"),
            "backup-plan:abc"
        );
        assert_eq!(
            short_resource("123456789012/us-east-1"),
            "123456789012/us-east-1"
        );
        assert_eq!(short_resource("vpc-0abc"), "vpc-0abc");
        let long = format!("arn:aws:dynamodb:us-east-1:1:table/{}", "x".repeat(100));
        let short = short_resource(&long);
        assert_eq!(short.chars().count(), MAX_RESOURCE_CHARS);
        assert!(short.starts_with("table/") && short.contains('…'));
    }
}
