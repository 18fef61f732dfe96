//! `dynaudit diff --format markdown`: GitHub-flavoured Markdown.

use std::fmt::Write as _;

use super::{now_label, side_label, summary};
use crate::diff::{Diff, NowState};
use crate::finding::Finding;
use crate::report::markdown::{cell, code};
use crate::report::{ReportError, TOOL_NAME};

/// The comparison as GitHub-flavoured Markdown.
pub fn render(diff: &Diff) -> Result<String, ReportError> {
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
