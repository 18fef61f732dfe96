//! Findings on planned evidence, made to say what they are about in the
//! code's terms: rules skipped for planned evidence ([`crate::iac::scope`])
//! are dropped, a resource whose name AWS assigns at deployment is named by
//! its planned id (`template.yaml#LogicalId`), a message of a rule judged
//! on what the code declares says so, a parameter default that was assumed
//! is named, and each finding is located at the line that decides it.

use std::collections::BTreeMap;

use crate::finding::Finding;
use crate::iac::scope;
use crate::inventory::{Inventory, PlannedResource};
use crate::report::SourceLine;

/// The inventory fields whose property decides each rule's finding, in
/// order of preference: SARIF results point at the first property the code
/// sets, else at the resource.
const RULE_PROPERTIES: [(&str, &str); 25] = [
    ("DYN101", "encryption"),
    ("DYN102", "encryption"),
    ("DYN102", "key_state"),
    ("DYN103", "rotation_enabled"),
    ("DYN104", "sse_status"),
    ("DYN105", "endpoint_encryption"),
    ("DYN201", "point_in_time_recovery"),
    ("DYN204", "deletion_protection"),
    ("DYN208", "nodes"),
    ("DYN208", "total_nodes"),
    ("DYN301", "document"),
    ("DYN301", "inline_policies"),
    ("DYN302", "document"),
    ("DYN302", "inline_policies"),
    ("DYN303", "document"),
    ("DYN303", "inline_policies"),
    ("DYN305", "resource_policy"),
    ("DYN306", "stream"),
    ("DYN402", "policy_document"),
    ("DYN403", "route_table_ids"),
    ("DYN404", "policy_document"),
    ("DYN502", "log_file_validation_enabled"),
    ("DYN504", "kms_key_id"),
    ("DYN505", "contributor_insights"),
    ("DYN604", "tags"),
];

/// Rewrites `findings` of the planned `inventory`; returns where each
/// finding is declared, keyed by [`SourceLine::key`].
pub fn planned_findings(
    findings: &mut Vec<Finding>,
    inventory: &Inventory,
) -> BTreeMap<String, SourceLine> {
    let Some(planned) = inventory.planned.as_ref() else {
        return BTreeMap::new();
    };
    findings.retain(|f| scope::skipped(&f.rule_id).is_none());
    let mut located = BTreeMap::new();
    for finding in findings.iter_mut() {
        let resource = planned
            .resources
            .get(&finding.resource)
            .or_else(|| key_of_finding(finding, &planned.resources));
        if finding.status == crate::finding::Status::Unknown {
            finding.message = planned_wording(&finding.message);
        }
        if scope::declared_only(&finding.rule_id) {
            finding.message.push_str(scope::DECLARED_ONLY_NOTE);
        }
        let Some(resource) = resource else {
            continue;
        };
        if !resource.assumed.is_empty() {
            finding.message.push_str(&format!(
                " (assumed from the parameter default: {})",
                resource.assumed.join(", ")
            ));
        }
        let line = RULE_PROPERTIES
            .iter()
            .filter(|(rule, _)| *rule == finding.rule_id)
            .find_map(|(_, field)| resource.property_lines.get(*field).copied())
            .unwrap_or(resource.line);
        // A stand-in for a name or id AWS assigns (a table without
        // TableName, `key/planned-Key`, `vpc-planned-Vpc`) is not the
        // resource's id after deployment: the planned id is.
        if !resource.name_determinable {
            finding.resource = resource.planned_id.clone();
        }
        located.insert(
            SourceLine::key(&finding.rule_id, &finding.resource),
            SourceLine {
                uri: resource.file.clone(),
                line,
            },
        );
    }
    located
}

/// A finding about a table's key is located at the key when the template
/// declares it.
fn key_of_finding<'a>(
    finding: &Finding,
    resources: &'a BTreeMap<String, PlannedResource>,
) -> Option<&'a PlannedResource> {
    finding
        .evidence
        .get("kms_key_arn")
        .and_then(|k| k.as_str())
        .and_then(|k| resources.get(k))
}

/// A rule's words for evidence that a collection failed to get, said of
/// planned evidence: "was not collected (DescribeTable failed)" becomes "is
/// not known"; the reason that follows says why (not determinable from the
/// code, with the expression and its line).
fn planned_wording(message: &str) -> String {
    let mut out = message
        .replace(" was not collected", " is not known")
        .replace(" were not collected", " are not known");
    // " (DescribeTable failed)", " (ListTables failed)": one operation name.
    while let Some(end) = out.find(" failed)") {
        let Some(start) = out[..end].rfind(" (") else {
            break;
        };
        let operation = &out[start + 2..end];
        if operation.is_empty() || !operation.chars().all(|c| c.is_ascii_alphanumeric()) {
            break;
        }
        out.replace_range(start..end + " failed)".len(), "");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::planned_wording;

    #[test]
    fn collection_words_become_planned_words() {
        assert_eq!(
            planned_wording(
                "Encryption of table t in r was not collected (DescribeTable failed) (reason: x)"
            ),
            "Encryption of table t in r is not known (reason: x)"
        );
        assert_eq!(
            planned_wording("Status and encryption of t were not collected (a b failed)"),
            "Status and encryption of t are not known (a b failed)"
        );
    }
}
