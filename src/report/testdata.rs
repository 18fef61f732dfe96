//! A small hand-built estate for the unit tests of every format.

use std::collections::BTreeMap;

use serde_json::json;

use super::{EvidenceFile, ReportInput, Scope};
use crate::finding::{Finding, Status};
use crate::metadata::{RelatedResource, Remediation, RuleMeta, Severity};

pub(crate) const ACCOUNT: &str = "123456789012";

fn frameworks(pci: &[&str], soc2: &[&str]) -> BTreeMap<String, Vec<String>> {
    let mut map = BTreeMap::new();
    if !pci.is_empty() {
        map.insert(
            "pci-dss-4.0".to_owned(),
            pci.iter().map(|s| (*s).to_owned()).collect(),
        );
    }
    if !soc2.is_empty() {
        map.insert(
            "soc2".to_owned(),
            soc2.iter().map(|s| (*s).to_owned()).collect(),
        );
    }
    map
}

fn rule(
    id: &str,
    name: &str,
    title: &str,
    severity: Severity,
    pci: &[&str],
    soc2: &[&str],
) -> RuleMeta {
    RuleMeta {
        id: id.to_owned(),
        name: name.to_owned(),
        title: title.to_owned(),
        description: format!(
            "{title}.\n\nMapped to the controls below because the check shows it."
        ),
        severity,
        frameworks: std::sync::Arc::new(frameworks(pci, soc2)),
        remediation: Remediation {
            summary: format!("Fix {name}."),
            aws_cli: None,
            terraform: None,
        },
        related_resources: Vec::new(),
        package: format!("dynaudit.rules.{}", id.to_lowercase()),
        source: format!(
            "policies/{}_{}.rego",
            id.to_lowercase(),
            name.replace('-', "_")
        ),
        builtin: true,
        evaluated_per: crate::metadata::EvaluatedPer::Inventory,
    }
}

pub(crate) fn rules() -> Vec<RuleMeta> {
    let mut dyn101 = rule(
        "DYN101",
        "table-not-encrypted-with-cmk",
        "Table not encrypted with a customer managed KMS key",
        Severity::High,
        &["3.5.1", "3.6.1"],
        &["CC6.1"],
    );
    // Longer than GitHub's 1,024-character limit on fullDescription.
    dyn101.description = format!(
        "A table encrypted with the AWS owned key or the AWS managed key `alias/aws/dynamodb` cannot have its key access restricted or audited separately. {}",
        "PCI DSS v4.0 3.5.1 requires stored account data to be rendered unreadable with keys the entity controls. ".repeat(12)
    );
    dyn101.remediation = Remediation {
        summary: "Re-encrypt the table with a customer managed key.".to_owned(),
        aws_cli: Some(
            "aws dynamodb update-table --table-name TABLE \\\n  --sse-specification Enabled=true,SSEType=KMS,KMSMasterKeyId=KEY_ARN"
                .to_owned(),
        ),
        terraform: Some(
            "resource \"aws_dynamodb_table\" \"t\" {\n  server_side_encryption {\n    enabled     = true\n    kms_key_arn = aws_kms_key.k.arn # ```not a fence```\n  }\n}"
                .to_owned(),
        ),
    };
    dyn101.related_resources = vec![
        RelatedResource {
            url: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html".to_owned(),
            description: Some("DynamoDB encryption at rest [docs]".to_owned()),
        },
        RelatedResource { url: "https://www.pcisecuritystandards.org/".to_owned(), description: None },
    ];
    vec![
        dyn101,
        rule(
            "DYN102",
            "table-kms-key-unusable",
            "Table KMS key unusable",
            Severity::Critical,
            &["3.6.1"],
            &["A1.2", "CC6.1"],
        ),
        rule(
            "DYN204",
            "deletion-protection-disabled",
            "Table deletion protection disabled",
            Severity::Medium,
            &["12.10.1"],
            &["A1.2", "CC8.1"],
        ),
        rule(
            "DYN301",
            "iam-dynamodb-admin-wildcard",
            "IAM policy grants dynamodb:* on every table",
            Severity::High,
            &["7.2.1", "7.2.2"],
            &["CC6.3"],
        ),
        rule(
            "DYN501",
            "no-multi-region-trail",
            "No multi-region CloudTrail trail covers the region",
            Severity::High,
            &["10.2.1", "10.2.2"],
            &["CC7.2"],
        ),
        rule(
            "DYN505",
            "contributor-insights-disabled",
            "Contributor Insights disabled",
            Severity::Low,
            &[],
            &["CC7.2"],
        ),
        rule(
            "DYN602",
            "config-dynamodb-rules-missing",
            "Required AWS Config rules missing",
            Severity::Low,
            &["11.5.2"],
            &["CC4.1"],
        ),
    ]
}

fn table_arn(region: &str, name: &str) -> String {
    format!("arn:aws:dynamodb:{region}:{ACCOUNT}:table/{name}")
}

fn finding(
    rules: &[RuleMeta],
    rule_id: &str,
    status: Status,
    region: &str,
    resource: &str,
    message: &str,
) -> Finding {
    let rule = rules.iter().find(|r| r.id == rule_id);
    Finding {
        rule_id: rule_id.to_owned(),
        status,
        severity: rule.map_or(Severity::Low, |r| r.severity),
        account: ACCOUNT.to_owned(),
        region: region.to_owned(),
        resource: resource.to_owned(),
        message: message.to_owned(),
        evidence: json!({"status": status.as_str(), "resource": resource}),
        frameworks: rule.map(|r| r.frameworks.clone()).unwrap_or_default(),
        waiver: None,
        baseline: None,
    }
}

/// Sorted by rule id, then resource.
pub(crate) fn findings() -> Vec<Finding> {
    let rules = rules();
    let r = &rules;
    let mut out = vec![
        finding(
            r,
            "DYN101",
            Status::Fail,
            "us-east-1",
            &table_arn("us-east-1", "orders"),
            "Table orders in us-east-1 is encrypted with the AWS owned key",
        ),
        finding(
            r,
            "DYN101",
            Status::Unknown,
            "eu-west-1",
            &table_arn("eu-west-1", "payments"),
            "Encryption of table payments in eu-west-1 was not collected: DescribeTable failed (AccessDeniedException)",
        ),
        finding(
            r,
            "DYN101",
            Status::Pass,
            "us-east-1",
            &table_arn("us-east-1", "users"),
            "Table users in us-east-1 is encrypted with customer managed key alias/app",
        ),
        finding(
            r,
            "DYN102",
            Status::Fail,
            "us-east-1",
            &table_arn("us-east-1", "orders"),
            "Table orders in us-east-1: its KMS key is pending deletion",
        ),
        finding(
            r,
            "DYN102",
            Status::Pass,
            "us-east-1",
            &table_arn("us-east-1", "users"),
            "Table users in us-east-1: its KMS key is enabled",
        ),
        finding(
            r,
            "DYN204",
            Status::Fail,
            "eu-west-1",
            &table_arn("eu-west-1", "payments"),
            "Table payments in eu-west-1 has deletion protection disabled: one DeleteTable call removes it",
        ),
        finding(
            r,
            "DYN204",
            Status::Pass,
            "us-east-1",
            &table_arn("us-east-1", "orders"),
            "Table orders in us-east-1 has deletion protection enabled",
        ),
        finding(
            r,
            "DYN204",
            Status::Unknown,
            "us-east-1",
            &table_arn("us-east-1", "users"),
            "Deletion protection of table users in us-east-1 was not collected",
        ),
        finding(
            r,
            "DYN301",
            Status::Fail,
            "global",
            &format!("arn:aws:iam::{ACCOUNT}:role/admin|ops"),
            "Role admin|ops: policy *Admin* statement 0 allows dynamodb:* on Resource * with no condition",
        ),
        finding(
            r,
            "DYN501",
            Status::Fail,
            "eu-west-1",
            &format!("{ACCOUNT}/eu-west-1"),
            "No multi-region trail that is logging covers eu-west-1",
        ),
        finding(
            r,
            "DYN501",
            Status::Pass,
            "us-east-1",
            &format!("{ACCOUNT}/us-east-1"),
            "Trail main covers us-east-1",
        ),
        finding(
            r,
            "DYN505",
            Status::Fail,
            "us-east-1",
            &table_arn("us-east-1", "orders"),
            "Contributor Insights is off for table orders in us-east-1",
        ),
    ];
    out.sort_by(|a, b| (&a.rule_id, &a.resource).cmp(&(&b.rule_id, &b.resource)));
    out
}

/// `text` with this build's version replaced, so snapshots survive a
/// version bump.
pub(crate) fn redact_version(text: &str) -> String {
    text.replace(super::TOOL_VERSION, "[VERSION]")
}

/// An HTML page for a snapshot: the version redacted, and the style sheet,
/// the script and their hashes in the policy replaced by markers (they
/// have tests of their own; the snapshot is of what the report says).
pub(crate) fn redact_page(text: &str) -> String {
    let mut out = redact_version(text);
    for (open, close, marker) in [
        ("<style>", "</style>", "[STYLE]"),
        ("<script>", "</script>", "[SCRIPT]"),
    ] {
        if let Some(a) = out.find(open).map(|a| a + open.len())
            && let Some(b) = out[a..].find(close)
        {
            out.replace_range(a..a + b, marker);
        }
    }
    let policy = super::html::content_security_policy();
    out.replace(&policy, "[POLICY]")
}

/// Everything a [`ReportInput`] borrows.
pub(crate) struct TestData {
    pub findings: Vec<Finding>,
    pub rules: Vec<RuleMeta>,
    pub parameters: serde_json::Value,
    pub scope: Scope,
    pub lines: BTreeMap<String, u32>,
    pub uri: String,
}

impl TestData {
    pub(crate) fn new() -> Self {
        let lines = BTreeMap::from([
            (table_arn("us-east-1", "orders"), 120),
            (table_arn("us-east-1", "users"), 160),
            (table_arn("eu-west-1", "payments"), 60),
            (format!("{ACCOUNT}/eu-west-1"), 40),
            (format!("{ACCOUNT}/us-east-1"), 100),
            (format!("{ACCOUNT}/global"), 10),
        ]);
        Self {
            findings: findings(),
            rules: rules(),
            parameters: json!({
                "min_pitr_recovery_days": 35,
                "backup_window_hours": 24,
                "required_tags": {"Environment": [], "Application": []},
                "trusted_account_ids": [],
            }),
            scope: Scope {
                account_id: ACCOUNT.to_owned(),
                partition: "aws".to_owned(),
                regions: vec!["us-east-1".to_owned(), "eu-west-1".to_owned()],
                collected_at: "2025-01-02T03:04:05Z".to_owned(),
                schema_version: "1.0".to_owned(),
                tool_version: "0.0.9".to_owned(),
                collection_errors: 2,
                incomplete: Vec::new(),
                accounts: Vec::new(),
                organization: None,
                planned: None,
            },
            lines,
            uri: "evidence/inventory one.json".to_owned(),
        }
    }

    /// The estate with hostile evidence: resource names, a region, an
    /// account id and messages holding terminal escape sequences (ESC, the
    /// 8-bit CSI, OSC 8 links and window titles, CR, backspace, NUL),
    /// bidirectional controls, Markdown and HTML (`|`, backticks,
    /// `<script>`, `$x$` math, bare URLs). Every format must show them
    /// inert.
    pub(crate) fn hostile() -> Self {
        let mut data = Self::new();
        data.scope.account_id = format!("{ACCOUNT}\x1b]0;pwned\x07");
        data.uri = "evidence/in\u{202e}nosj.json".to_owned();
        let rules = rules();
        let r = &rules;
        data.findings = vec![
            finding(
                r,
                "DYN101",
                Status::Fail,
                "us-east-1",
                &table_arn("us-east-1", "orders\x1b[2J\x1b[H\x1b[32mALL CHECKS PASSED"),
                "Table orders\x1b[2J\x1b[H\x1b[32mALL CHECKS PASSED in us-east-1 is encrypted with the AWS owned key",
            ),
            finding(
                r,
                "DYN204",
                Status::Fail,
                "us-east-1",
                &table_arn("us-east-1", "pay\rFORGED | row | here\u{202e}exe.txt"),
                "Table pay\rFORGED | row | here\u{202e}exe.txt in us-east-1 has deletion protection disabled",
            ),
            finding(
                r,
                "DYN301",
                Status::Fail,
                "global",
                &format!("arn:aws:iam::{ACCOUNT}:role/a`b``c|d"),
                "Role a`b``c|d: see https://evil.example/login or www.evil.example, pay $x$ and $5; <script>alert(1)</script> **bold** [a](http://b) ~~gone~~ #1 !x & \\ \u{2066}isolate\u{2069} \u{200e}mark\x08\0",
            ),
            finding(
                r,
                "DYN505",
                Status::Unknown,
                "us-east-1\u{9b}31m",
                &table_arn(
                    "us-east-1",
                    "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07",
                ),
                "Contributor Insights of \x1b]8;;https://evil.example/\x07click\x1b]8;;\x07 was not collected\nsecond line\r\nthird line",
            ),
        ];
        data
    }

    pub(crate) fn with_input<R>(&self, f: impl FnOnce(&ReportInput<'_>) -> R) -> R {
        let evidence = EvidenceFile {
            sources: None,
            uri: &self.uri,
            lines: &self.lines,
        };
        let input = ReportInput {
            findings: &self.findings,
            rules: &self.rules,
            parameters: &self.parameters,
            scope: &self.scope,
            evidence,
            waivers: None,
            baseline: None,
            sarif_category: None,
        };
        f(&input)
    }
}

/// Panics if `text` holds a character that acts on a terminal or reorders
/// text: a C0 or C1 control other than a line feed, DEL, or a bidirectional
/// control. With `colors`, the table's own SGR sequences (`ESC [ ... m`) are
/// allowed.
pub(crate) fn assert_inert(text: &str, colors: bool) {
    let mut rest = text;
    let mut checked = String::new();
    while let Some(at) = rest.find('\x1b') {
        checked.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let sgr = after.strip_prefix('[').and_then(|params| {
            let end = params.find(|c: char| !(c.is_ascii_digit() || c == ';'))?;
            params[end..].starts_with('m').then(|| &params[end + 1..])
        });
        match sgr {
            Some(tail) if colors => rest = tail,
            _ => panic!(
                "raw ESC at byte {}: {:?}",
                text.len() - rest.len() + at,
                &rest[at..]
            ),
        }
    }
    checked.push_str(rest);
    for c in checked.chars() {
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}');
        assert!(
            !(bidi || (c.is_control() && c != '\n')),
            "raw {c:?} in the output:\n{text}"
        );
    }
}
