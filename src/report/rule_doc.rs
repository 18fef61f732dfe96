//! Rule documentation generated from each rule's `# METADATA` block, in one
//! place: the page of `dynaudit explain` and `docs/rules/<ID>.md`, the rule
//! index, and the SARIF rule help (Markdown and plain text). The sections
//! (remediation snippets, framework controls, references) are read from the
//! metadata once, by [`snippets`], [`framework_lines`] and [`references`];
//! each renderer only lays them out.

use std::fmt::Write as _;

use crate::frameworks;
use crate::metadata::RuleMeta;

/// The Markdown page of one rule (`docs/rules/<ID>.md`, `dynaudit explain`).
pub fn rule_page(rule: &RuleMeta) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} {}: {}", rule.id, rule.name, rule.title);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Severity: **{}** (SARIF security-severity {})  ",
        rule.severity,
        rule.severity.security_severity()
    );
    let _ = writeln!(out, "Source: `{}`", rule.source);
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", rule.description);
    let _ = writeln!(out);
    let _ = writeln!(out, "## Framework controls");
    let _ = writeln!(out);
    for (framework, controls) in rule.frameworks.iter() {
        let name = frameworks::framework_name(framework).unwrap_or(framework);
        for control in controls {
            let title = frameworks::control_title(framework, control).unwrap_or("");
            let _ = writeln!(out, "- {name} {control}: {title}");
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "## Outcomes");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "- **fail**: the evidence shows the control is not met.\n- **pass**: the evidence shows it is met.\n- **unknown**: evidence the rule needs was not collected; the finding names the API call that failed and why."
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "## Remediation");
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", rule.remediation.summary.trim());
    for snippet in snippets(rule) {
        // A snippet that itself holds a fence gets a longer one.
        let fence = fence_for(snippet.text);
        let _ = writeln!(out);
        let _ = writeln!(out, "{}:", snippet.label);
        let _ = writeln!(out);
        let _ = writeln!(out, "{fence}{}\n{}\n{fence}", snippet.lang, snippet.text);
    }
    if !rule.related_resources.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "## References");
        let _ = writeln!(out);
        for link in &rule.related_resources {
            match &link.description {
                Some(description) => {
                    let _ = writeln!(out, "- [{description}]({})", link.url);
                }
                None => {
                    let _ = writeln!(out, "- <{}>", link.url);
                }
            }
        }
    }
    out
}

/// The rule index (`docs/rules/README.md`).
pub fn rule_index(rules: &[RuleMeta]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Rules");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Generated from each rule's `# METADATA` block (`dynaudit rules --format markdown`); do not edit by hand."
    );
    let _ = writeln!(out);
    out.push_str(&rule_table(rules, ""));
    out
}

/// A Markdown table of the rules, linking each id to `<link_prefix><ID>.md`.
pub fn rule_table(rules: &[RuleMeta], link_prefix: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| id | name | severity | PCI DSS v4.0 | SOC 2 | title |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for rule in rules {
        let controls = |framework: &str| {
            rule.frameworks
                .get(framework)
                .map(|c| c.join(", "))
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| "-".to_string())
        };
        let _ = writeln!(
            out,
            "| [{id}]({link_prefix}{id}.md) | {} | {} | {} | {} | {} |",
            rule.name,
            rule.severity,
            controls(frameworks::PCI_DSS_4),
            controls(frameworks::SOC2),
            rule.title.replace('|', "\\|"),
            id = rule.id,
        );
    }
    out
}

/// Where a rule's documentation is read: for a built-in rule its page in
/// the repository at this release's tag (`docs/rules/<ID>.md`), for a rule
/// of a user's policy directory its first reference, if it has one.
pub fn docs_url(rule: &RuleMeta) -> Option<String> {
    if rule.builtin {
        Some(format!(
            "{}/blob/v{}/docs/rules/{}.md",
            super::INFORMATION_URI,
            super::TOOL_VERSION,
            rule.id
        ))
    } else {
        rule.related_resources.first().map(|link| link.url.clone())
    }
}

/// Whether `url` is an `https://` URL of plain characters, fit to be a
/// link in Markdown or HTML (a custom rule's reference is not trusted to
/// be one).
pub(crate) fn is_plain_https(url: &str) -> bool {
    url.starts_with("https://")
        && url.len() <= 2048
        && url
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~:/?#@!$&*+,;=%".contains(&b))
}

/// The fix in one line: the first sentence of the remediation summary,
/// white space collapsed.
pub fn fix_line(rule: &RuleMeta) -> String {
    let summary = rule
        .remediation
        .summary
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // A sentence ends at ". " before a capital letter (not in `e.g. x`).
    let bytes = summary.as_bytes();
    let end = summary
        .match_indices(". ")
        .map(|(i, _)| i)
        .find(|i| bytes.get(i + 2).is_some_and(u8::is_ascii_uppercase));
    match end {
        Some(i) => summary[..=i].to_string(),
        None => summary,
    }
}

/// A remediation snippet of a rule.
pub(crate) struct Snippet<'a> {
    /// `AWS CLI`, `Terraform`.
    pub label: &'static str,
    /// The fenced block's language.
    pub lang: &'static str,
    /// The snippet, without trailing white space.
    pub text: &'a str,
}

/// The rule's remediation snippets that are not empty, in page order.
pub(crate) fn snippets(rule: &RuleMeta) -> Vec<Snippet<'_>> {
    [
        ("AWS CLI", "sh", &rule.remediation.aws_cli),
        ("Terraform", "hcl", &rule.remediation.terraform),
    ]
    .into_iter()
    .filter_map(|(label, lang, snippet)| {
        snippet
            .as_deref()
            .map(str::trim_end)
            .filter(|s| !s.trim().is_empty())
            .map(|text| Snippet { label, lang, text })
    })
    .collect()
}

/// `PCI DSS v4.0: 3.5.1, 3.6.1` per framework the rule maps to.
pub(crate) fn framework_lines(rule: &RuleMeta) -> Vec<String> {
    rule.frameworks
        .iter()
        .filter(|(_, controls)| !controls.is_empty())
        .map(|(framework, controls)| {
            format!("{}: {}", frameworks::label(framework), controls.join(", "))
        })
        .collect()
}

/// The rule's references: URL and its description, if it has one.
pub(crate) fn references(rule: &RuleMeta) -> Vec<(&str, Option<&str>)> {
    rule.related_resources
        .iter()
        .map(|link| {
            let description = link
                .description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty());
            (link.url.as_str(), description)
        })
        .collect()
}

/// A fence of backticks longer than any run of backticks in `text`.
pub(crate) fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat(longest.max(2) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fix_lines_and_docs_links() {
        let set = crate::policy::PolicySet::load(&[]).unwrap();
        for rule in set.rules() {
            let fix = fix_line(rule);
            assert!(!fix.is_empty() && !fix.contains('\n'), "{}", rule.id);
            assert!(
                rule.remediation
                    .summary
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .starts_with(&fix),
                "{}",
                rule.id
            );
            let url = docs_url(rule).unwrap();
            assert!(
                url.ends_with(&format!("/docs/rules/{}.md", rule.id)),
                "{url}"
            );
        }
        let mut rule = set.rules()[0].clone();
        rule.remediation.summary = "Do this, e.g. that. Then more.\nAnd more.".to_string();
        assert_eq!(fix_line(&rule), "Do this, e.g. that.");
        rule.builtin = false;
        rule.related_resources.clear();
        assert_eq!(docs_url(&rule), None);
    }

    #[test]
    fn fences_outgrow_backticks_in_snippets() {
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(fence_for("a ```` b"), "`````");
    }

    /// A snippet holding a code fence stays inside its block on the rule
    /// page (it closed the block early before).
    #[test]
    fn a_snippet_with_a_fence_does_not_break_the_page() {
        let set = crate::policy::PolicySet::load(&[]).unwrap();
        let mut rule = set.rules()[0].clone();
        rule.remediation.aws_cli = Some("cat <<'EOF'\n```\nnot the end\n```\nEOF".to_string());
        let page = rule_page(&rule);
        let block = page.split("AWS CLI:\n\n").nth(1).unwrap();
        assert!(block.starts_with("````sh\n"), "{page}");
        assert!(block.contains("not the end\n```\nEOF\n````\n"), "{page}");
    }
}
