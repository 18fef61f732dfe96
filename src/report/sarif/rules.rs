//! SARIF rule descriptors (`tool.driver.rules`): GitHub's limits on
//! descriptions and tags, the severity levels, and the rule help, laid out
//! from [`rule_doc`](crate::report::rule_doc).

use std::collections::BTreeMap;

use serde_json::json;
use serde_sarif::sarif::{
    MultiformatMessageString, PropertyBag, ReportingConfiguration, ReportingDescriptor, ResultLevel,
};

use crate::metadata::{RuleMeta, Severity};
use crate::report::rule_doc::{Snippet, fence_for, framework_lines, references, snippets};
use crate::report::truncate_chars;

/// GitHub's limit on `shortDescription` and `fullDescription`.
pub(crate) const MAX_DESCRIPTION_CHARS: usize = 1_024;
/// GitHub's limit on tags per rule.
pub(crate) const MAX_TAGS: usize = 20;

/// SARIF level of a severity.
pub(crate) fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low => ResultLevel::Note,
    }
}

fn level_name(severity: Severity) -> &'static str {
    match level(severity) {
        ResultLevel::Error => "error",
        ResultLevel::Warning => "warning",
        ResultLevel::Note => "note",
        ResultLevel::None => "none",
    }
}

pub(crate) fn descriptor(rule: &RuleMeta) -> ReportingDescriptor {
    let properties = BTreeMap::from([
        (
            "security-severity".to_owned(),
            json!(rule.severity.security_severity()),
        ),
        ("precision".to_owned(), json!("high")),
        ("severity".to_owned(), json!(rule.severity.as_str())),
        ("frameworks".to_owned(), json!(rule.frameworks)),
    ]);
    let property_bag = PropertyBag::builder()
        .tags(tags(rule))
        .additional_properties(properties)
        .build();
    let descriptor = ReportingDescriptor::builder()
        .id(rule.id.as_str())
        .name(rule.name.as_str())
        .short_description(
            MultiformatMessageString::builder()
                .text(truncate_chars(rule.title.trim(), MAX_DESCRIPTION_CHARS))
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(truncate_chars(
                    rule.description.trim(),
                    MAX_DESCRIPTION_CHARS,
                ))
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(help_text(rule))
                .markdown(help_markdown(rule))
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level_name(rule.severity)))
                .build(),
        )
        .properties(property_bag);
    match rule.related_resources.first() {
        Some(link) => descriptor.help_uri(link.url.as_str()).build(),
        None => descriptor.build(),
    }
}

/// `security`, `compliance`, then one tag per framework control, at most
/// [`MAX_TAGS`].
fn tags(rule: &RuleMeta) -> Vec<String> {
    let mut tags = vec!["security".to_owned(), "compliance".to_owned()];
    for (framework, controls) in rule.frameworks.iter() {
        for control in controls {
            let tag = format!("{}/{control}", crate::frameworks::tag_prefix(framework));
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
    }
    tags.truncate(MAX_TAGS);
    tags
}

fn help_text(rule: &RuleMeta) -> String {
    let mut out = String::new();
    out.push_str(rule.description.trim());
    out.push_str("\n\nRemediation: ");
    out.push_str(rule.remediation.summary.trim());
    for snippet in snippets(rule) {
        out.push_str("\n\n");
        out.push_str(snippet.label);
        out.push_str(":\n");
        for line in snippet.text.lines() {
            out.push_str("    ");
            out.push_str(line);
            out.push('\n');
        }
        out.truncate(out.trim_end_matches('\n').len());
    }
    let frameworks = framework_lines(rule);
    if !frameworks.is_empty() {
        out.push_str("\n\nFramework controls:");
        for line in frameworks {
            out.push_str("\n  - ");
            out.push_str(&line);
        }
    }
    let links = references(rule);
    if !links.is_empty() {
        out.push_str("\n\nReferences:");
        for (url, description) in links {
            out.push_str("\n  - ");
            out.push_str(url);
            if let Some(d) = description {
                out.push_str(" (");
                out.push_str(d);
                out.push(')');
            }
        }
    }
    out
}

fn help_markdown(rule: &RuleMeta) -> String {
    let mut out = String::new();
    out.push_str(rule.description.trim());
    out.push_str("\n\n## Remediation\n\n");
    out.push_str(rule.remediation.summary.trim());
    out.push('\n');
    for Snippet { label, lang, text } in snippets(rule) {
        let fence = fence_for(text);
        out.push_str(&format!(
            "\n**{label}**\n\n{fence}{lang}\n{text}\n{fence}\n"
        ));
    }
    let frameworks = framework_lines(rule);
    if !frameworks.is_empty() {
        out.push_str("\n## Framework controls\n\n");
        for line in frameworks {
            out.push_str("- ");
            out.push_str(&line);
            out.push('\n');
        }
    }
    let links = references(rule);
    if !links.is_empty() {
        out.push_str("\n## References\n\n");
        for (url, description) in links {
            let text = description.unwrap_or(url);
            out.push_str(&format!("- [{}](<{url}>)\n", escape_link_text(text)));
        }
    }
    out.truncate(out.trim_end().len());
    out
}

fn escape_link_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
