//! Rule documentation generated from each rule's `# METADATA` block: the
//! text of `dynaudit explain`, the files under `docs/rules/`, and the rule
//! list of the README.

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
    for (framework, controls) in &rule.frameworks {
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
    if let Some(cli) = &rule.remediation.aws_cli {
        let _ = writeln!(out);
        let _ = writeln!(out, "AWS CLI:");
        let _ = writeln!(out);
        let _ = writeln!(out, "```sh\n{}\n```", cli.trim_end());
    }
    if let Some(terraform) = &rule.remediation.terraform {
        let _ = writeln!(out);
        let _ = writeln!(out, "Terraform:");
        let _ = writeln!(out);
        let _ = writeln!(out, "```hcl\n{}\n```", terraform.trim_end());
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
