//! Rule metadata, parsed from the `# METADATA` block of each Rego file.
//! (Parser below; types first.)

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Rule severity; maps to SARIF `security-severity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// SARIF / GitHub `security-severity` score.
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "2.0",
        }
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A link from `related_resources`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelatedResource {
    #[serde(rename = "ref")]
    pub url: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// How to fix a failing resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remediation {
    pub summary: String,
    #[serde(default)]
    pub aws_cli: Option<String>,
    #[serde(default)]
    pub terraform: Option<String>,
}

/// Everything known about a rule, single-sourced from its Rego file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleMeta {
    /// `DYN101`.
    pub id: String,
    /// `table-not-encrypted-with-cmk`.
    pub name: String,
    /// One line.
    pub title: String,
    /// Paragraph(s), Markdown.
    pub description: String,
    pub severity: Severity,
    /// Framework id (`pci-dss-4.0`, `soc2`) -> control ids; shared with
    /// every finding of the rule.
    pub frameworks: Frameworks,
    pub remediation: Remediation,
    pub related_resources: Vec<RelatedResource>,
    /// The Rego package, e.g. `dynaudit.rules.dyn101`.
    pub package: String,
    /// Where the rule came from: `policies/dyn101_...rego` (built in) or
    /// the path of a user's file.
    pub source: String,
    /// Whether the rule is built into dynaudit (its page is
    /// `docs/rules/<ID>.md`), not a user's (`--policies`).
    #[serde(default)]
    pub builtin: bool,
    /// Whether the rule may be evaluated over shares of the tables.
    pub evaluated_per: EvaluatedPer,
}

/// Framework id -> control ids, e.g. `{"pci-dss-4.0": ["3.5.1"], "soc2":
/// ["CC6.1"]}`: a rule's, shared by all its findings (one allocation per
/// rule, not per finding).
pub type Frameworks = std::sync::Arc<BTreeMap<String, Vec<String>>>;

/// Why a rule's metadata could not be loaded. Lines are 1-based lines of
/// the `.rego` file.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    #[error(
        "{file}: no `# METADATA` block before `package` (every rule needs one: see policies/README.md)"
    )]
    Missing { file: String },
    #[error("{file}:{line}: invalid METADATA: {message}")]
    Invalid {
        file: String,
        line: usize,
        message: String,
    },
}

/// The raw annotation block, as written in Rego (OPA's annotation schema,
/// restricted to the keys dynaudit uses).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Annotation {
    title: String,
    description: String,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    related_resources: Vec<RelatedResource>,
    custom: Custom,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Custom {
    id: String,
    name: String,
    severity: Severity,
    frameworks: BTreeMap<String, Vec<String>>,
    remediation: Remediation,
    #[serde(default)]
    evaluated_per: EvaluatedPer,
}

/// What a rule's outcomes depend on (`custom.evaluated_per` in its
/// metadata), which decides how evaluation may split the work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EvaluatedPer {
    /// Any outcome may depend on anything in the inventory: the rule is
    /// evaluated once over the whole inventory (the default).
    #[default]
    Inventory,
    /// Each outcome is about one table (its ARN as `resource`) and depends
    /// on that table, the tables of the same name in other regions (its
    /// replicas) and evidence that is not a table (keys, IAM, trails,
    /// plans, parameters), or it is about a region and the same in every
    /// share of the tables. Built-in rules that say so are evaluated over
    /// shares of the tables (by table name) in parallel; the outcomes are
    /// the same as over the whole inventory (`tests/evaluation_shards.rs`).
    Table,
}

/// Where the `# METADATA` block of a file is, and its YAML text.
struct Block {
    /// 1-based line of the first YAML line (the line after `# METADATA`).
    first_line: usize,
    yaml: String,
}

/// Finds the first `# METADATA` comment block that precedes `package`.
fn find_block(source: &str) -> Option<Block> {
    let mut lines = source.lines().enumerate();
    for (index, line) in lines.by_ref() {
        let trimmed = line.trim();
        if trimmed.starts_with("package ") {
            return None;
        }
        if trimmed == "# METADATA" {
            let mut yaml = String::new();
            for (_, body) in lines.by_ref() {
                let Some(rest) = body.trim_start().strip_prefix('#') else {
                    break;
                };
                yaml.push_str(rest.strip_prefix(' ').unwrap_or(rest));
                yaml.push('\n');
            }
            return Some(Block {
                first_line: index + 2,
                yaml,
            });
        }
    }
    None
}

impl Block {
    /// The 1-based file line of the first block line starting with `key`
    /// (after indentation), else the block's first line.
    fn line_of(&self, key: &str) -> usize {
        self.yaml
            .lines()
            .position(|l| l.trim_start().starts_with(key))
            .map_or(self.first_line, |i| self.first_line + i)
    }
}

/// The line of `key` (e.g. `id:`) in the `# METADATA` block of a source
/// file, for messages about its value; 1 without a block.
pub fn key_line(source: &str, key: &str) -> usize {
    find_block(source).map_or(1, |block| block.line_of(key))
}

/// Whether a source file carries a `# METADATA` block before its package.
pub fn has_metadata(source: &str) -> bool {
    find_block(source).is_some()
}

/// Parses and validates the metadata of a rule file. `package` is the
/// Rego package the file declares (`dynaudit.rules.dyn101`).
pub fn parse(file: &str, source: &str, package: &str) -> Result<RuleMeta, MetadataError> {
    let block = find_block(source).ok_or_else(|| MetadataError::Missing {
        file: file.to_string(),
    })?;
    let invalid = |line: usize, message: String| MetadataError::Invalid {
        file: file.to_string(),
        line,
        message: crate::text_file::printable(&message),
    };
    let annotation: Annotation = serde_yaml_ng::from_str(&block.yaml).map_err(|err| {
        let line = err
            .location()
            .map_or(block.first_line, |loc| block.first_line + loc.line() - 1);
        // The YAML parser's own position is relative to the block.
        invalid(line, crate::text_file::strip_position(&err.to_string()))
    })?;
    // Line of a key inside the block, for semantic errors.
    let line_of = |needle: &str| block.line_of(needle);

    let custom = annotation.custom;
    if !is_rule_id(&custom.id) {
        return Err(invalid(
            line_of("id:"),
            format!("id `{}` must be `DYN` followed by three digits", custom.id),
        ));
    }
    if custom.name.is_empty()
        || !custom
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(invalid(
            line_of("name:"),
            format!("name `{}` must be kebab-case", custom.name),
        ));
    }
    if annotation.title.trim().is_empty() {
        return Err(invalid(line_of("title:"), "title is empty".to_string()));
    }
    if annotation.description.trim().is_empty() {
        return Err(invalid(
            line_of("description:"),
            "description is empty".to_string(),
        ));
    }
    if let Some(scope) = annotation.scope.as_ref().filter(|s| *s != "package") {
        return Err(invalid(
            line_of("scope:"),
            format!("scope `{scope}` is not supported (only `package`)"),
        ));
    }
    if custom.frameworks.values().all(Vec::is_empty) {
        return Err(invalid(
            line_of("frameworks:"),
            "a rule must map to at least one framework control".to_string(),
        ));
    }
    for (framework, controls) in &custom.frameworks {
        if crate::frameworks::controls(framework).is_none() {
            let known: Vec<_> = crate::frameworks::FRAMEWORKS.iter().map(|f| f.id).collect();
            return Err(invalid(
                line_of(&format!("{framework}:")),
                format!(
                    "unknown framework `{framework}` (known: {})",
                    known.join(", ")
                ),
            ));
        }
        for control in controls {
            if crate::frameworks::control_title(framework, control).is_none() {
                return Err(invalid(
                    line_of(&format!("{framework}:")),
                    format!("`{control}` is not a {framework} control known to dynaudit"),
                ));
            }
        }
    }
    if custom.remediation.summary.trim().is_empty() {
        return Err(invalid(
            line_of("summary:"),
            "remediation summary is empty".to_string(),
        ));
    }
    let frameworks = std::sync::Arc::new(
        custom
            .frameworks
            .into_iter()
            .filter(|(_, controls)| !controls.is_empty())
            .collect(),
    );
    Ok(RuleMeta {
        id: custom.id,
        name: custom.name,
        title: annotation.title.trim().to_string(),
        description: annotation.description.trim().to_string(),
        severity: custom.severity,
        frameworks,
        remediation: custom.remediation,
        related_resources: annotation.related_resources,
        package: package.to_string(),
        source: file.to_string(),
        builtin: false,
        evaluated_per: custom.evaluated_per,
    })
}

fn is_rule_id(id: &str) -> bool {
    id.len() == 6 && id.starts_with("DYN") && id[3..].chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"# METADATA
# title: Something is off
# description: |-
#   Long text.
# custom:
#   id: DYN999
#   name: something-off
#   severity: low
#   frameworks:
#     pci-dss-4.0: ["12.5.1"]
#     soc2: [CC6.1]
#   remediation:
#     summary: Fix it.
package dynaudit.rules.dyn999
"#;

    #[test]
    fn parses_a_complete_block() {
        let meta = parse("x.rego", GOOD, "dynaudit.rules.dyn999").unwrap();
        assert_eq!(meta.id, "DYN999");
        assert_eq!(meta.severity, Severity::Low);
        assert_eq!(meta.frameworks["soc2"], vec!["CC6.1".to_string()]);
    }

    #[test]
    fn rejects_unknown_key_with_line() {
        let source = GOOD.replace(
            "#   name: something-off",
            "#   name: something-off\n#   colour: red",
        );
        let err = parse("x.rego", &source, "p").unwrap_err().to_string();
        assert!(err.starts_with("x.rego:"), "{err}");
        assert!(err.contains("colour"), "{err}");
        assert!(err.starts_with("x.rego:8:"), "{err}");
        assert!(!err.contains("column"), "{err}");
    }

    #[test]
    fn names_the_line_of_a_key() {
        assert_eq!(key_line(GOOD, "id:"), 6);
        assert_eq!(key_line(GOOD, "summary:"), 13);
        assert_eq!(key_line("package p\n", "id:"), 1);
    }

    #[test]
    fn rejects_missing_block() {
        let err = parse("x.rego", "package p\n", "p").unwrap_err();
        assert!(matches!(err, MetadataError::Missing { .. }));
    }

    #[test]
    fn rejects_missing_severity() {
        let source = GOOD.replace("#   severity: low\n", "");
        let err = parse("x.rego", &source, "p").unwrap_err().to_string();
        assert!(err.contains("severity"), "{err}");
    }

    #[test]
    fn rejects_unknown_control() {
        let source = GOOD.replace("CC6.1", "CC6.99");
        let err = parse("x.rego", &source, "p").unwrap_err().to_string();
        assert!(err.contains("CC6.99"), "{err}");
        assert!(err.contains("x.rego:11:"), "{err}");
    }
}
