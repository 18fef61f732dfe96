//! The listing parts of the Markdown report: finding tables within the
//! step summary's budget (long ones collapsed), and the rule links and fix
//! rows of "How to fix".

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{cell, code};
use crate::finding::Finding;
use crate::metadata::RuleMeta;
use crate::report::triage_note;

/// A finding's message, with what waivers and the baseline say of it.
pub(super) fn message_cell(f: &Finding) -> String {
    match triage_note(f) {
        Some(note) => format!("{} _({})_", cell(f.message.trim()), cell(&note)),
        None => cell(f.message.trim()),
    }
}

pub(super) fn rule_cell(f: &Finding, rules: &BTreeMap<&str, &RuleMeta>) -> String {
    match rules.get(f.rule_id.as_str()) {
        Some(rule) => linked_rule(rule),
        None => cell(&f.rule_id),
    }
}

/// `[DYN101](docs) table-not-encrypted-with-cmk`: the id linked to the
/// rule's page when its address is a plain `https://` URL (a custom rule's
/// reference is not trusted to be one), the name beside it.
pub(super) fn linked_rule(rule: &RuleMeta) -> String {
    let id = cell(&rule.id);
    let id = match crate::report::rule_doc::docs_url(rule) {
        Some(url) if crate::report::rule_doc::is_plain_https(&url) => format!("[{id}]({url})"),
        _ => id,
    };
    format!("{id} {}", cell(&rule.name))
}

/// Tables longer than this are collapsed under a `<details>` summary.
pub const COLLAPSE_ROWS: usize = 25;
/// Bytes the listed outcomes may take: GitHub shows 1 MiB of step summary,
/// and the rest of the report (scope, counts, fixes, matrix, parameters)
/// needs room.
pub const LISTING_BYTES: usize = 900 * 1024;

/// What may still be listed: rows (per section) and bytes (shared).
pub(super) struct Budget {
    pub(super) rows: usize,
    bytes: usize,
}

impl Budget {
    pub(super) fn new(rows: usize) -> Budget {
        Budget {
            rows,
            bytes: LISTING_BYTES,
        }
    }
}

/// Writes `findings` as a table (under a collapsed `<details>` when
/// `collapsed` names its summary) within `budget`; returns how many were
/// not listed.
pub(super) fn finding_table(
    out: &mut String,
    findings: &[&Finding],
    rules: &BTreeMap<&str, &RuleMeta>,
    budget: &mut Budget,
    collapsed: Option<&str>,
    last_column: &str,
) -> Result<usize, std::fmt::Error> {
    let mut rows = String::new();
    let mut listed = 0;
    for f in findings {
        let row = format!(
            "| {} | {} | {} | {} |\n",
            rule_cell(f, rules),
            code(&f.resource),
            cell(&f.region),
            message_cell(f)
        );
        if budget.rows == 0 || row.len() > budget.bytes {
            break;
        }
        budget.rows -= 1;
        budget.bytes -= row.len();
        rows.push_str(&row);
        listed += 1;
    }
    if listed > 0 {
        if let Some(summary) = collapsed {
            writeln!(out, "<details>\n<summary>{}</summary>\n", cell(summary))?;
        }
        writeln!(out, "| Rule | Resource | Region | {last_column} |")?;
        writeln!(out, "|---|---|---|---|")?;
        out.push_str(&rows);
        if collapsed.is_some() {
            writeln!(out, "\n</details>")?;
        }
        writeln!(out)?;
    }
    Ok(findings.len() - listed)
}
