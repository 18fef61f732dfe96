//! `dynaudit diff --format json`:
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

use serde::Serialize;

use super::{Summary, summary};
use crate::diff::{Diff, Fixed, Outcomes, SourceKind};
use crate::finding::Finding;
use crate::report::{Format, ReportError, TOOL_NAME, TOOL_VERSION};

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

/// The comparison as JSON.
pub fn render(diff: &Diff) -> Result<String, ReportError> {
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
