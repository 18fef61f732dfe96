//! The formats of `dynaudit diff`: a terminal table, JSON and Markdown.
//!
//! JSON:
//!
//! ```json
//! {
//!   "tool": {"name": "dynaudit", "version": "..."},
//!   "before": {"path", "kind": "inventory|report", "account_id", "collected_at"},
//!   "after": {...},
//!   "summary": {"new": 0, "fixed": 0, "unchanged": 0},
//!   "new": [finding...], "fixed": [finding + "now": "pass|unknown|waived|absent"],
//!   "unchanged": [finding...]
//! }
//! ```
//!
//! Lists are ordered by descending severity, then rule id and resource.

use std::fmt::Write as _;

use serde::Serialize;

use super::markdown::{cell, code};
use super::table::{fixed_width_table, short_resource};
use super::{Format, ReportError, TOOL_NAME, TOOL_VERSION};
use crate::diff::{Diff, Fixed, NowState, Outcomes, SourceKind};
use crate::finding::Finding;

#[derive(Serialize)]
struct Side<'a> {
    path: &'a str,
    kind: SourceKind,
    account_id: &'a str,
    collected_at: &'a str,
}

impl<'a> Side<'a> {
    fn of(outcomes: &'a Outcomes) -> Self {
        Side {
            path: &outcomes.path,
            kind: outcomes.kind,
            account_id: &outcomes.account_id,
            collected_at: &outcomes.collected_at,
        }
    }
}

#[derive(Serialize)]
struct Summary {
    new: usize,
    fixed: usize,
    unchanged: usize,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonDiff<'a> {
    tool: Tool,
    before: Side<'a>,
    after: Side<'a>,
    summary: Summary,
    new: &'a [Finding],
    fixed: &'a [Fixed],
    unchanged: &'a [Finding],
}

fn summary(diff: &Diff) -> Summary {
    Summary {
        new: diff.new_failures.len(),
        fixed: diff.fixed.len(),
        unchanged: diff.unchanged.len(),
    }
}

/// The comparison as JSON.
pub fn json(diff: &Diff) -> Result<String, ReportError> {
    let doc = JsonDiff {
        tool: Tool {
            name: TOOL_NAME,
            version: TOOL_VERSION,
        },
        before: Side::of(&diff.before),
        after: Side::of(&diff.after),
        summary: summary(diff),
        new: &diff.new_failures,
        fixed: &diff.fixed,
        unchanged: &diff.unchanged,
    };
    let mut out = serde_json::to_string_pretty(&doc).map_err(|source| ReportError::Serialize {
        format: Format::Json,
        source,
    })?;
    out.push('\n');
    Ok(out)
}

fn now_label(now: NowState) -> &'static str {
    match now {
        NowState::Pass => "passes",
        NowState::Unknown => "unknown (not proven fixed)",
        NowState::Waived => "waived",
        NowState::Absent => "resource gone",
    }
}

fn side_label(outcomes: &Outcomes) -> String {
    let kind = match outcomes.kind {
        SourceKind::Inventory => "inventory",
        SourceKind::Report => "report",
    };
    format!(
        "{} ({kind}, account {}, collected {})",
        outcomes.path, outcomes.account_id, outcomes.collected_at
    )
}

/// The comparison as a terminal table.
pub fn table(diff: &Diff) -> Result<String, ReportError> {
    let mut out = String::new();
    writeln!(out, "{TOOL_NAME} {TOOL_VERSION} diff")?;
    writeln!(out, "  before: {}", side_label(&diff.before))?;
    writeln!(out, "  after:  {}", side_label(&diff.after))?;
    let rows: Vec<(&str, &Finding, Option<NowState>)> = diff
        .new_failures
        .iter()
        .map(|f| ("new", f, None))
        .chain(
            diff.fixed
                .iter()
                .map(|f| ("fixed", &f.finding, Some(f.now))),
        )
        .chain(diff.unchanged.iter().map(|f| ("unchanged", f, None)))
        .collect();
    if rows.is_empty() {
        writeln!(out, "\nNo failures on either side.")?;
    } else {
        let mut table = fixed_width_table();
        table.set_header([
            "Change", "Severity", "Rule", "Region", "Resource", "Message",
        ]);
        for (change, f, now) in rows {
            let change = match now {
                Some(now) => format!("{change}: {}", now_label(now)),
                None => change.to_owned(),
            };
            table.add_row(vec![
                change,
                f.severity.as_str().to_owned(),
                f.rule_id.clone(),
                f.region.clone(),
                short_resource(&f.resource),
                f.message.trim().to_owned(),
            ]);
        }
        writeln!(out, "\n{table}")?;
    }
    let s = summary(diff);
    writeln!(
        out,
        "\n{} new, {} fixed, {} unchanged failures",
        s.new, s.fixed, s.unchanged
    )?;
    Ok(out)
}

/// The comparison as GitHub-flavoured Markdown.
pub fn markdown(diff: &Diff) -> Result<String, ReportError> {
    let mut out = String::new();
    let s = summary(diff);
    writeln!(out, "# {TOOL_NAME} diff\n")?;
    writeln!(out, "| | Evidence |")?;
    writeln!(out, "|---|---|")?;
    writeln!(out, "| Before | {} |", cell(&side_label(&diff.before)))?;
    writeln!(out, "| After | {} |", cell(&side_label(&diff.after)))?;
    writeln!(out, "\n| Failures | Count |")?;
    writeln!(out, "|---|---:|")?;
    writeln!(out, "| New | {} |", s.new)?;
    writeln!(out, "| Fixed | {} |", s.fixed)?;
    writeln!(out, "| Unchanged | {} |", s.unchanged)?;
    let section = |out: &mut String, title: &str, items: &[(&Finding, Option<NowState>)]| {
        writeln!(out, "\n## {title} ({})\n", items.len())?;
        if items.is_empty() {
            writeln!(out, "None.")?;
            return Ok::<(), std::fmt::Error>(());
        }
        let with_now = items.iter().any(|(_, now)| now.is_some());
        if with_now {
            writeln!(
                out,
                "| Severity | Rule | Resource | Region | Now | Message |"
            )?;
            writeln!(out, "|---|---|---|---|---|---|")?;
        } else {
            writeln!(out, "| Severity | Rule | Resource | Region | Message |")?;
            writeln!(out, "|---|---|---|---|---|")?;
        }
        for (f, now) in items {
            let now = now
                .map(|n| format!(" {} |", now_label(n)))
                .unwrap_or_default();
            writeln!(
                out,
                "| {} | {} | {} | {} |{now} {} |",
                f.severity.as_str(),
                cell(&f.rule_id),
                code(&f.resource),
                cell(&f.region),
                cell(f.message.trim())
            )?;
        }
        Ok(())
    };
    let new: Vec<_> = diff.new_failures.iter().map(|f| (f, None)).collect();
    let fixed: Vec<_> = diff
        .fixed
        .iter()
        .map(|f| (&f.finding, Some(f.now)))
        .collect();
    let unchanged: Vec<_> = diff.unchanged.iter().map(|f| (f, None)).collect();
    section(&mut out, "New failures", &new)?;
    section(&mut out, "Fixed", &fixed)?;
    section(&mut out, "Unchanged failures", &unchanged)?;
    Ok(out)
}
