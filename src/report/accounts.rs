//! The account dimension of a multi-account report (table and Markdown):
//! a summary per account, worst first, and the framework controls that fail
//! across accounts, each with how many accounts fail it and the worst ones.
//! Both stay readable at hundreds of accounts: the table shows the top
//! rows and counts, the Markdown the top rows with everything else
//! collapsed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::markdown::{cell, code};
use super::{ReportInput, StatusCounts};
use crate::finding::{Finding, Status};
use crate::report::escape::inert;

/// Rows shown before "and N more" in the table.
pub const TOP_ROWS: usize = 10;

/// One account's line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AccountRow<'a> {
    pub account_id: &'a str,
    pub name: Option<&'a str>,
    pub ou_path: Option<&'a str>,
    pub status: &'a str,
    pub cause: Option<&'a str>,
    /// Outcomes that count (waived failures are not failures here).
    pub counts: StatusCounts,
    /// Rules failing in it, most failures first.
    pub top_rules: Vec<(&'a str, usize)>,
}

/// One control failing in at least one account.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ControlRow<'a> {
    pub framework: &'a str,
    pub control: &'a str,
    /// Accounts with at least one failing finding mapped to the control.
    pub failing_accounts: usize,
    /// Accounts with an outcome mapped to it.
    pub assessed_accounts: usize,
    /// Failing findings per account, most first.
    pub worst: Vec<(&'a str, usize)>,
}

fn counts_as_failure(f: &Finding) -> bool {
    f.status == Status::Fail && !f.is_waived()
}

/// Every account of the scope, most failing first, then most unknown.
pub(crate) fn account_rows<'a>(input: &ReportInput<'a>) -> Vec<AccountRow<'a>> {
    let mut by_account: BTreeMap<&str, (StatusCounts, BTreeMap<&str, usize>)> = BTreeMap::new();
    for f in input.findings {
        let entry = by_account.entry(f.account.as_str()).or_default();
        if f.is_waived() {
            continue;
        }
        entry.0.add(f.status);
        if counts_as_failure(f) {
            *entry.1.entry(f.rule_id.as_str()).or_insert(0) += 1;
        }
    }
    let mut rows: Vec<AccountRow<'a>> = input
        .scope
        .accounts
        .iter()
        .map(|a| {
            let (counts, rules) = by_account.remove(a.account_id.as_str()).unwrap_or_default();
            let mut top_rules: Vec<(&str, usize)> = rules.into_iter().collect();
            top_rules.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
            AccountRow {
                account_id: &a.account_id,
                name: a.name.as_deref(),
                ou_path: a.ou_path.as_deref(),
                status: &a.status,
                cause: a.cause.as_deref(),
                counts,
                top_rules,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        (b.status == "failed", b.counts.fail, b.counts.unknown)
            .cmp(&(a.status == "failed", a.counts.fail, a.counts.unknown))
            .then(a.account_id.cmp(b.account_id))
    });
    rows
}

/// Every framework control with a failure, most failing accounts first.
pub(crate) fn control_rows<'a>(input: &ReportInput<'a>) -> Vec<ControlRow<'a>> {
    type PerAccount<'b> = BTreeMap<&'b str, usize>;
    let mut controls: BTreeMap<(&str, &str), (BTreeSet<&str>, PerAccount<'a>)> = BTreeMap::new();
    for f in input.findings {
        for (framework, ids) in f.frameworks.iter() {
            for control in ids {
                let entry = controls
                    .entry((framework.as_str(), control.as_str()))
                    .or_default();
                entry.0.insert(f.account.as_str());
                if counts_as_failure(f) {
                    *entry.1.entry(f.account.as_str()).or_insert(0) += 1;
                }
            }
        }
    }
    let mut rows: Vec<ControlRow<'a>> = controls
        .into_iter()
        .filter(|(_, (_, failing))| !failing.is_empty())
        .map(|((framework, control), (assessed, failing))| {
            let mut worst: Vec<(&str, usize)> = failing.into_iter().collect();
            worst.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
            ControlRow {
                framework,
                control,
                failing_accounts: worst.len(),
                assessed_accounts: assessed.len(),
                worst,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.failing_accounts
            .cmp(&a.failing_accounts)
            .then(a.framework.cmp(b.framework))
            .then(a.control.cmp(b.control))
    });
    rows
}

fn top_list(items: &[(&str, usize)], n: usize) -> String {
    let mut parts: Vec<String> = items
        .iter()
        .take(n)
        .map(|(name, count)| format!("{} ({count})", inert(name)))
        .collect();
    if items.len() > n {
        parts.push(format!("+{} more", items.len() - n));
    }
    parts.join(", ")
}

/// The account sections of the terminal table.
pub fn table_section(input: &ReportInput<'_>) -> Result<String, std::fmt::Error> {
    let mut out = String::new();
    let rows = account_rows(input);
    let total = rows.len();
    let by_status = |s: &str| rows.iter().filter(|r| r.status == s).count();
    writeln!(
        out,
        "\nAccounts: {total} ({} collected, {} failed, {} skipped), worst first:",
        by_status("collected"),
        by_status("failed"),
        by_status("skipped")
    )?;
    for row in rows.iter().take(TOP_ROWS) {
        let name = row
            .name
            .map(|n| format!(" {}", inert(n)))
            .unwrap_or_default();
        let detail = match row.status {
            "collected" => format!(
                "{} fail, {} unknown, {} pass{}",
                row.counts.fail,
                row.counts.unknown,
                row.counts.pass,
                if row.top_rules.is_empty() {
                    String::new()
                } else {
                    format!("; worst rules: {}", top_list(&row.top_rules, 3))
                }
            ),
            status => format!("{status}: {}", inert(row.cause.unwrap_or(""))),
        };
        writeln!(out, "  {}{name}: {detail}", inert(row.account_id))?;
    }
    if total > TOP_ROWS {
        writeln!(
            out,
            "  ... and {} more accounts (see the JSON or Markdown report)",
            total - TOP_ROWS
        )?;
    }
    let controls = control_rows(input);
    if !controls.is_empty() {
        writeln!(
            out,
            "\nControls failing across accounts, most accounts first:"
        )?;
        for c in controls.iter().take(TOP_ROWS) {
            writeln!(
                out,
                "  {} {}: failing in {} of {} accounts: {}",
                crate::frameworks::label(c.framework),
                inert(c.control),
                c.failing_accounts,
                c.assessed_accounts,
                top_list(&c.worst, 3)
            )?;
        }
        if controls.len() > TOP_ROWS {
            writeln!(out, "  ... and {} more controls", controls.len() - TOP_ROWS)?;
        }
    }
    Ok(out)
}

/// The account sections of the Markdown report: the top rows as tables,
/// every row in a collapsed `<details>`.
pub fn markdown_section(input: &ReportInput<'_>) -> Result<String, std::fmt::Error> {
    let mut out = String::new();
    let rows = account_rows(input);
    writeln!(out, "\n## Accounts\n")?;
    let header = "| Account | Name | OU | Status | Fail | Unknown | Pass | Worst rules |\n|---|---|---|---|---|---|---|---|";
    let line = |row: &AccountRow<'_>| {
        format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            code(row.account_id),
            cell(row.name.unwrap_or("")),
            cell(row.ou_path.unwrap_or("")),
            match row.cause {
                Some(cause) => format!("{}: {}", cell(row.status), cell(cause)),
                None => cell(row.status),
            },
            row.counts.fail,
            row.counts.unknown,
            row.counts.pass,
            cell(&top_list(&row.top_rules, 3)),
        )
    };
    writeln!(out, "{header}")?;
    for row in rows.iter().take(TOP_ROWS) {
        writeln!(out, "{}", line(row))?;
    }
    if rows.len() > TOP_ROWS {
        writeln!(
            out,
            "\n<details><summary>All {} accounts</summary>\n\n{header}",
            rows.len()
        )?;
        for row in &rows {
            writeln!(out, "{}", line(row))?;
        }
        writeln!(out, "\n</details>")?;
    }
    let controls = control_rows(input);
    if !controls.is_empty() {
        writeln!(out, "\n## Controls failing across accounts\n")?;
        let header =
            "| Framework | Control | Failing accounts | Worst accounts |\n|---|---|---|---|";
        let line = |c: &ControlRow<'_>| {
            format!(
                "| {} | {} | {} of {} | {} |",
                cell(crate::frameworks::label(c.framework)),
                code(c.control),
                c.failing_accounts,
                c.assessed_accounts,
                cell(&top_list(&c.worst, 3)),
            )
        };
        writeln!(out, "{header}")?;
        for c in controls.iter().take(TOP_ROWS) {
            writeln!(out, "{}", line(c))?;
        }
        if controls.len() > TOP_ROWS {
            writeln!(
                out,
                "\n<details><summary>All {} failing controls</summary>\n\n{header}",
                controls.len()
            )?;
            for c in &controls {
                writeln!(out, "{}", line(c))?;
            }
            writeln!(out, "\n</details>")?;
        }
    }
    Ok(out)
}
