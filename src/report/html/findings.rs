//! The findings table of the HTML report: filters (status, severity,
//! rule, account, region, triage state, text) and one row per outcome, its
//! message, fix, controls and evidence expandable.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{LIST_PASSES_UP_TO, MAX_LISTED, esc, esc_block, slug};
use crate::finding::{BaselineState, Finding, Status};
use crate::metadata::RuleMeta;
use crate::report::{ReportInput, SEVERITIES_DESC, attention_order, triage_note};

/// The triage state of a finding for the filter: `waived`, `waiver-expired`,
/// `new`, `unchanged` or empty.
fn state_of(f: &Finding) -> &'static str {
    use crate::finding::WaiverState;
    match (&f.waiver, f.baseline) {
        (Some(w), _) if w.state == WaiverState::Active => "waived",
        (Some(_), _) => "waiver-expired",
        (None, Some(BaselineState::New)) => "new",
        (None, Some(BaselineState::Unchanged)) => "unchanged",
        (None, None) => "",
    }
}

pub(super) fn findings_section(
    out: &mut String,
    input: &ReportInput<'_>,
    rules: &BTreeMap<&str, &RuleMeta>,
) -> Result<(), std::fmt::Error> {
    let multi = input.scope.is_multi_account();
    let mut listed: Vec<&Finding> = attention_order(input.findings);
    let attention = listed.len();
    let not_listed = attention.saturating_sub(MAX_LISTED);
    listed.truncate(MAX_LISTED);
    let list_passes = input.findings.len() <= LIST_PASSES_UP_TO;
    if list_passes {
        listed.extend(input.findings.iter().filter(|f| f.status == Status::Pass));
    }
    writeln!(out, "<h2 id=\"outcomes\">Findings</h2>")?;
    if !list_passes {
        writeln!(
            out,
            "<p class=\"muted\">{} passing outcomes are counted per control, account and region above, not listed; the JSON report lists each with its evidence.</p>",
            input
                .findings
                .iter()
                .filter(|f| f.status == Status::Pass)
                .count()
        )?;
    }
    if not_listed > 0 {
        writeln!(
            out,
            "<p class=\"muted\">{not_listed} less severe failing or unknown outcomes are not listed here: see the JSON or SARIF report.</p>"
        )?;
    }

    // Filters: the values present, sorted.
    let values = |field: fn(&Finding) -> &str| -> Vec<String> {
        let set: BTreeSet<&str> = listed.iter().map(|f| field(f)).collect();
        set.into_iter()
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    };
    writeln!(out, "<div class=\"filters\" role=\"search\">")?;
    let select = |out: &mut String, id: &str, label: &str, options: Vec<String>| {
        let _ = write!(
            out,
            "<label for=\"filter-{id}\">{label}</label> <select id=\"filter-{id}\"><option value=\"\">all</option>"
        );
        for option in options {
            let v = esc(&option);
            let _ = write!(out, "<option value=\"{v}\">{v}</option>");
        }
        let _ = writeln!(out, "</select>");
    };
    select(
        out,
        "status",
        "Status",
        vec!["fail".into(), "unknown".into(), "pass".into()],
    );
    select(
        out,
        "severity",
        "Severity",
        SEVERITIES_DESC
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect(),
    );
    select(out, "rule", "Rule", values(|f| f.rule_id.as_str()));
    if multi {
        select(out, "account", "Account", values(|f| f.account.as_str()));
    }
    select(out, "region", "Region", values(|f| f.region.as_str()));
    select(out, "state", "Triage", values(state_of));
    writeln!(
        out,
        "<label for=\"filter-text\">Text</label> <input id=\"filter-text\" type=\"search\" placeholder=\"resource, message…\"> <button id=\"filter-reset\" type=\"button\">Reset</button> <span class=\"muted\"><span id=\"shown-count\">{}</span> of {} shown</span>\n</div>",
        listed.len(),
        listed.len()
    )?;

    writeln!(
        out,
        "<table id=\"findings\"><thead><tr><th>Severity</th><th>Status</th><th>Rule</th>{}<th>Region</th><th>Resource and finding</th></tr></thead><tbody>",
        if multi { "<th>Account</th>" } else { "" }
    )?;
    for f in listed {
        finding_row(out, f, rules, multi)?;
    }
    writeln!(out, "</tbody></table>")
}

fn finding_row(
    out: &mut String,
    f: &Finding,
    rules: &BTreeMap<&str, &RuleMeta>,
    multi: bool,
) -> Result<(), std::fmt::Error> {
    let state = state_of(f);
    writeln!(
        out,
        "<tr data-status=\"{}\" data-severity=\"{}\" data-rule=\"{}\" data-account=\"{}\" data-region=\"{}\" data-state=\"{}\">",
        f.status.as_str(),
        f.severity.as_str(),
        esc(&f.rule_id),
        esc(&f.account),
        esc(&f.region),
        state
    )?;
    writeln!(
        out,
        "<td><span class=\"badge sev-{0}\">{0}</span></td><td class=\"st-{1}\">{1}{2}</td>",
        f.severity.as_str(),
        f.status.as_str(),
        if state.is_empty() {
            String::new()
        } else {
            format!(
                "<br><span class=\"state\">{}</span>",
                state.replace('-', " ")
            )
        }
    )?;
    let rule = rules.get(f.rule_id.as_str());
    writeln!(
        out,
        "<td>{}{}</td>",
        esc(&f.rule_id),
        rule.map(|r| format!("<br><span class=\"muted\">{}</span>", esc(&r.name)))
            .unwrap_or_default()
    )?;
    if multi {
        writeln!(out, "<td><code>{}</code></td>", esc(&f.account))?;
    }
    writeln!(out, "<td>{}</td>", esc(&f.region))?;
    let evidence = serde_json::to_string_pretty(&f.evidence).unwrap_or_default();
    write!(
        out,
        "<td><code class=\"resource\">{}</code><details><summary>{}</summary><div class=\"finding-detail\">",
        esc(&f.resource),
        esc(f.message.trim())
    )?;
    if let Some(note) = triage_note(f) {
        write!(out, "<p class=\"state\">{}</p>", esc(&note))?;
    }
    if let Some(rule) = rule.filter(|_| f.status == Status::Fail) {
        write!(
            out,
            "<p><strong>Fix:</strong> {} <a href=\"#fix-{}\">Steps</a></p>",
            esc(&crate::report::rule_doc::fix_line(rule)),
            slug(&rule.id)
        )?;
    }
    let controls: Vec<String> = f
        .frameworks
        .iter()
        .map(|(framework, ids)| {
            format!(
                "{} {}",
                esc(crate::frameworks::label(framework)),
                esc(&ids.join(", "))
            )
        })
        .collect();
    if !controls.is_empty() {
        write!(out, "<p class=\"muted\">{}</p>", controls.join(" · "))?;
    }
    writeln!(
        out,
        "<pre>{}</pre></div></details></td></tr>",
        esc_block(&evidence)
    )
}
