//! The terminal summary: failing and unknown outcomes in a table, then
//! counts. Passes are counted, not listed.
//!
//! The table is laid out for a fixed width ([`WIDTH`]) whatever the
//! terminal, so the same input always gives the same bytes; colours only
//! when asked for.

use std::fmt::Write as _;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table};

use super::escape::inert;
use super::{
    ReportError, ReportInput, SEVERITIES_DESC, SeverityCounts, StatusCounts, TOOL_NAME,
    TOOL_VERSION, TriageCounts, attention_order, triage_note,
};
use crate::finding::{BaselineState, Status};
use crate::metadata::Severity;

/// Width the table is laid out for.
pub const WIDTH: u16 = 140;
/// Resources longer than this are shortened in the middle.
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

pub(crate) fn render(input: &ReportInput<'_>, color: bool) -> Result<String, ReportError> {
    render_limited(input, color, MAX_ROWS)
}

pub(crate) fn render_limited(
    input: &ReportInput<'_>,
    color: bool,
    max_rows: usize,
) -> Result<String, ReportError> {
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
    writeln!(
        out,
        "{} {TOOL_VERSION}: {} ({}), regions {}, evidence collected {}",
        paint(BOLD, TOOL_NAME),
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
    )?;

    let mut listed = attention_order(input.findings);
    let not_listed = listed.len().saturating_sub(max_rows);
    listed.truncate(max_rows);
    if listed.is_empty() && not_listed == 0 {
        writeln!(out, "\n{}", paint(GREEN, "No failing or unknown outcomes."))?;
    } else {
        let mut table = fixed_width_table();
        if color {
            table.enforce_styling();
        }
        let mut header = vec![
            "Severity", "Status", "Rule", "Region", "Resource", "Message",
        ];
        if multi {
            header.insert(3, "Account");
        }
        table.set_header(header.into_iter().map(|h| {
            let cell = Cell::new(h);
            if color {
                cell.add_attribute(Attribute::Bold)
            } else {
                cell
            }
        }));
        for f in listed {
            let mut severity = Cell::new(f.severity.as_str());
            let mut status = Cell::new(if f.is_waived() {
                format!("{} (waived)", f.status.as_str())
            } else if f.baseline == Some(BaselineState::New) {
                format!("{} (new)", f.status.as_str())
            } else {
                f.status.as_str().to_owned()
            });
            if color {
                severity = match f.severity {
                    Severity::Critical => severity.fg(Color::Red).add_attribute(Attribute::Bold),
                    Severity::High => severity.fg(Color::Red),
                    Severity::Medium => severity.fg(Color::Yellow),
                    Severity::Low => severity.fg(Color::Cyan),
                };
                status = match f.status {
                    Status::Fail => status.fg(Color::Red),
                    Status::Unknown => status.fg(Color::Magenta),
                    Status::Pass => status.fg(Color::Green),
                };
            }
            let message = match triage_note(f) {
                Some(note) => format!("{} [{note}]", f.message.trim()),
                None => f.message.trim().to_owned(),
            };
            let mut row = vec![severity, status, Cell::new(inert(&f.rule_id))];
            if multi {
                row.push(Cell::new(inert(&f.account)));
            }
            row.extend([
                Cell::new(inert(&f.region)),
                Cell::new(short_resource(&f.resource)),
                Cell::new(inert(&message)),
            ]);
            table.add_row(row);
        }
        writeln!(out)?;
        writeln!(out, "{table}")?;
        if not_listed > 0 {
            writeln!(
                out,
                "... and {not_listed} more failing or unknown outcomes, less severe, not listed: see the JSON or SARIF report."
            )?;
        }
    }

    if multi {
        out.push_str(&super::accounts::table_section(input)?);
    }
    let counts = StatusCounts::of(input.findings);
    let by_severity = SeverityCounts::failures(input.findings);
    let severities: Vec<String> = SEVERITIES_DESC
        .iter()
        .map(|s| {
            let n = by_severity.get(*s);
            let text = format!("{n} {s}");
            if n == 0 {
                text
            } else {
                paint(severity_code(*s), &text)
            }
        })
        .collect();
    writeln!(out)?;
    writeln!(
        out,
        "{} ({}), {}, {} across {} outcomes of {} rules",
        paint(
            if counts.fail > 0 { RED } else { GREEN },
            &format!("{} fail", counts.fail)
        ),
        severities.join(", "),
        paint(
            if counts.unknown > 0 { MAGENTA } else { GREEN },
            &format!("{} unknown", counts.unknown)
        ),
        paint(GREEN, &format!("{} pass", counts.pass)),
        counts.total(),
        input.rules.len(),
    )?;
    let triage = TriageCounts::of(input.findings);
    if input.waivers.is_some() {
        writeln!(
            out,
            "{} failing or unknown outcomes waived; waived outcomes do not count for --fail-on.",
            triage.waived
        )?;
    }
    if let Some(baseline) = input.baseline {
        writeln!(
            out,
            "{} failing or unknown outcomes new since the baseline {}.",
            triage.new,
            inert(baseline)
        )?;
    }
    if let Some(waivers) = input.waivers {
        for warning in waivers.warnings() {
            writeln!(out, "{} {}.", paint(YELLOW, "warning:"), inert(&warning))?;
        }
    }
    for gap in &scope.incomplete {
        writeln!(
            out,
            "{} incomplete scope: {} was asked for and could not be collected ({}); its outcomes are unknown, and the gate fails unless --allow-incomplete-scope.",
            paint(RED, "error:"),
            crate::report::escape::inert(&gap.scope),
            crate::report::escape::inert(&gap.cause),
        )?;
    }
    if scope.collection_errors > 0 {
        writeln!(
            out,
            "{} {} API calls failed during collection; outcomes that depended on them are unknown (see `errors` in {}).",
            paint(YELLOW, "warning:"),
            scope.collection_errors,
            inert(input.evidence.uri),
        )?;
    }
    if counts.fail + counts.unknown > 0 {
        writeln!(
            out,
            "How to fix: `dynaudit explain <RULE>` (or docs/rules/<RULE>.md) gives each rule's remediation with AWS CLI and Terraform snippets."
        )?;
    }
    Ok(out)
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

    #[test]
    fn snapshot_plain() {
        let data = TestData::new();
        let text = data.with_input(|input| render(input, false)).unwrap();
        assert!(!text.contains('\x1b'));
        insta::assert_snapshot!(crate::report::testdata::redact_version(&text));
    }

    #[test]
    fn snapshot_colored() {
        let data = TestData::new();
        let text = data.with_input(|input| render(input, true)).unwrap();
        assert!(text.contains('\x1b'));
        insta::assert_snapshot!(crate::report::testdata::redact_version(&text));
    }

    /// Escape sequences, CR and bidi controls in the evidence reached the
    /// terminal unchanged (`table/orders\e[2J...` cleared the screen).
    #[test]
    fn hostile_evidence_is_inert() {
        let data = TestData::hostile();
        for color in [false, true] {
            let text = data.with_input(|input| render(input, color)).unwrap();
            crate::report::testdata::assert_inert(&text, color);
            assert!(text.contains("orders\\x1b[2J"), "{text}");
            assert!(text.contains("\\u{202e}exe.txt"), "{text}");
            assert!(
                text.contains("account 123456789012\\x1b]0;pwned\\x07"),
                "{text}"
            );
        }
        let text = data.with_input(|input| render(input, false)).unwrap();
        insta::assert_snapshot!(crate::report::testdata::redact_version(&text));
    }

    #[test]
    fn passes_are_counted_not_listed() {
        let data = TestData::new();
        let text = data.with_input(|input| render(input, false)).unwrap();
        assert!(!text.contains("users in us-east-1 is encrypted"));
        assert!(text.contains("4 pass"));
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
        let text = data.with_input(|input| render(input, false)).unwrap();
        insta::assert_snapshot!(crate::report::testdata::redact_version(&text));
    }

    #[test]
    fn rows_are_capped() {
        let data = TestData::new();
        let text = data
            .with_input(|input| render_limited(input, false, 3))
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
