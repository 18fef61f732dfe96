//! `dynaudit diff --format table`: a fixed-width terminal table.

use std::fmt::Write as _;

use super::{now_label, side_label, summary};
use crate::diff::{Diff, NowState};
use crate::finding::Finding;
use crate::report::escape::inert;
use crate::report::table::{fixed_width_table, short_resource};
use crate::report::{ReportError, TOOL_NAME, TOOL_VERSION};

/// The comparison as a terminal table.
pub fn render(diff: &Diff) -> Result<String, ReportError> {
    let mut out = String::new();
    writeln!(out, "{TOOL_NAME} {TOOL_VERSION} diff")?;
    writeln!(out, "  before: {}", inert(&side_label(&diff.before)))?;
    writeln!(out, "  after:  {}", inert(&side_label(&diff.after)))?;
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
                inert(&f.rule_id).into_owned(),
                inert(&f.region).into_owned(),
                short_resource(&f.resource),
                inert(f.message.trim()).into_owned(),
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
