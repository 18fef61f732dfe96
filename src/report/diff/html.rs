//! `dynaudit diff --format html`: one self-contained page, as the HTML
//! report ([`crate::report::html`]): the two sides, the counts with a bar,
//! and the new, fixed and unchanged failures (unchanged ones collapsed).

use std::fmt::Write as _;

use super::{now_label, side_label, summary};
use crate::diff::{Diff, NowState};
use crate::finding::Finding;
use crate::report::html::{esc, page_end, page_start};
use crate::report::{ReportError, TOOL_NAME, TOOL_VERSION};

/// Colours of the bar: new, fixed, unchanged.
const NEW: &str = "#b71c1c";
const FIXED: &str = "#2e7d32";
const UNCHANGED: &str = "#9e9e9e";

/// The comparison as an HTML page.
pub fn render(diff: &Diff) -> Result<String, ReportError> {
    let mut out = String::new();
    let s = summary(diff);
    page_start(&mut out, &format!("{TOOL_NAME} diff"))?;
    writeln!(
        out,
        "<header>\n<h1>DynamoDB compliance: what changed</h1>\n<p class=\"muted\">{TOOL_NAME} {TOOL_VERSION}</p>\n</header>"
    )?;
    writeln!(
        out,
        "<table class=\"scope\"><tr><td>Before</td><td>{}</td></tr><tr><td>After</td><td>{}</td></tr></table>",
        esc(&side_label(&diff.before)),
        esc(&side_label(&diff.after))
    )?;
    writeln!(out, "<div class=\"cards\">")?;
    for (class, n, label) in [
        ("fail", s.new, "new failures"),
        ("pass", s.fixed, "fixed"),
        ("waived", s.unchanged, "unchanged failures"),
    ] {
        writeln!(
            out,
            "<div class=\"card {class}\"><div class=\"n\">{n}</div><div>{label}</div></div>"
        )?;
    }
    writeln!(out, "</div>")?;
    let segments = vec![
        ("new", s.new, NEW),
        ("fixed", s.fixed, FIXED),
        ("unchanged", s.unchanged, UNCHANGED),
    ];
    out.push_str(&crate::report::html::charts::stacked_bar(
        "diff-bar",
        "Failures: new, fixed and unchanged",
        &segments,
        720,
        28,
    ));
    out.push_str(&crate::report::html::charts::legend(&segments));
    let new: Vec<(&Finding, Option<NowState>)> =
        diff.new_failures.iter().map(|f| (f, None)).collect();
    let fixed: Vec<(&Finding, Option<NowState>)> = diff
        .fixed
        .iter()
        .map(|f| (&f.finding, Some(f.now)))
        .collect();
    let unchanged: Vec<(&Finding, Option<NowState>)> =
        diff.unchanged.iter().map(|f| (f, None)).collect();
    section(&mut out, "new", "New failures", &new, false)?;
    section(&mut out, "fixed", "Fixed", &fixed, false)?;
    section(
        &mut out,
        "unchanged",
        "Unchanged failures",
        &unchanged,
        true,
    )?;
    page_end(&mut out)?;
    Ok(out)
}

fn section(
    out: &mut String,
    id: &str,
    title: &str,
    items: &[(&Finding, Option<NowState>)],
    collapsed: bool,
) -> std::fmt::Result {
    writeln!(out, "<h2 id=\"{id}\">{title} ({})</h2>", items.len())?;
    if items.is_empty() {
        return writeln!(out, "<p>None.</p>");
    }
    if collapsed {
        writeln!(
            out,
            "<details><summary>Show the {} {}</summary>",
            items.len(),
            title.to_lowercase()
        )?;
    }
    let with_now = items.iter().any(|(_, now)| now.is_some());
    writeln!(
        out,
        "<table><thead><tr><th>Severity</th><th>Rule</th><th>Region</th><th>Resource and finding</th>{}</tr></thead><tbody>",
        if with_now { "<th>Now</th>" } else { "" }
    )?;
    for (f, now) in items {
        writeln!(
            out,
            "<tr><td><span class=\"badge sev-{0}\">{0}</span></td><td>{1}</td><td>{2}</td><td><code class=\"resource\">{3}</code><br>{4}</td>{5}</tr>",
            f.severity.as_str(),
            esc(&f.rule_id),
            esc(&f.region),
            esc(&f.resource),
            esc(f.message.trim()),
            now.map(|n| format!("<td>{}</td>", now_label(n)))
                .unwrap_or_default()
        )?;
    }
    writeln!(out, "</tbody></table>")?;
    if collapsed {
        writeln!(out, "</details>")?;
    }
    Ok(())
}
