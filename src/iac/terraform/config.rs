//! AWS Config: `aws_config_configuration_recorder` (recording when an
//! `aws_config_configuration_recorder_status` of the same name enables it;
//! a recorder is created stopped) and `aws_config_config_rule`. A rule's
//! compliance exists only once AWS Config has evaluated deployed resources:
//! not determinable from a plan.

use crate::iac::IacError;
use crate::iac::node::{Node, NodeValue};
use crate::iac::resolved::Undetermined;
use crate::iac::terraform::Adapter;
use crate::inventory::{ConfigRecorder, ConfigRule, ConfigRuleField};

const RECORDER_REFERENCES: [(&str, &str); 2] = [
    ("aws_config_configuration_recorder", "name"),
    ("aws_config_configuration_recorder", "id"),
];

/// Reads the plan's recorders and rules.
pub fn read(adapter: &mut Adapter<'_, '_>) -> Result<(), IacError> {
    let plan = adapter.plan;
    for recorder in plan.of_type("aws_config_configuration_recorder") {
        let name = recorder
            .string(&["name"])
            .ok()
            .flatten()
            .unwrap_or_else(|| "default".to_string());
        let group = recorder
            .blocks(&["recording_group"])
            .unwrap_or_default()
            .first();
        let strings = |node: Option<&Node>, key: &str| -> Vec<String> {
            node.and_then(|n| n.get(key))
                .map(|v| {
                    v.items()
                        .iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let all_supported = group
            .and_then(|g| g.get("all_supported"))
            .is_none_or(|v| v.value != NodeValue::Bool(false));
        let exclusion = group
            .and_then(|g| g.get("exclusion_by_resource_types"))
            .and_then(|e| e.items().first());
        let recording = plan
            .of_type("aws_config_configuration_recorder_status")
            .filter(|status| {
                status
                    .linked(plan, &["name"], Some(&["name"]), &RECORDER_REFERENCES)
                    .ok()
                    .flatten()
                    .as_deref()
                    == Some(name.as_str())
            })
            .find_map(|status| status.boolean(&["is_enabled"]).ok().flatten())
            .unwrap_or(false);
        let record = ConfigRecorder {
            name: name.clone(),
            all_supported,
            resource_types: strings(group, "resource_types"),
            excluded_resource_types: strings(exclusion, "resource_types"),
            recording: Some(recording),
            last_status: None,
        };
        if let Some(recorders) = adapter
            .builder
            .region(&recorder.region)
            .config_recorders
            .as_mut()
        {
            recorders.push(record);
        }
        adapter.planned(&name, recorder, true, &[]);
    }
    for rule in plan.of_type("aws_config_config_rule") {
        let Ok(Some(name)) = rule.string(&["name"]) else {
            continue;
        };
        let source = rule.blocks(&["source"]).unwrap_or_default().first();
        let text = |node: Option<&Node>, key: &str| {
            node.and_then(|n| n.get(key))
                .and_then(Node::as_str)
                .map(str::to_string)
        };
        let source_identifier = text(source, "source_identifier");
        let scope = rule.blocks(&["scope"]).unwrap_or_default().first();
        let record = ConfigRule {
            name: name.clone(),
            // The ARN ends in an id AWS Config assigns.
            arn: None,
            source_owner: text(source, "owner").unwrap_or_default(),
            absent: if source_identifier.is_none() {
                vec![ConfigRuleField::SourceIdentifier]
            } else {
                Vec::new()
            },
            source_identifier,
            state: Some("ACTIVE".to_string()),
            scope_resource_types: scope
                .and_then(|s| s.get("compliance_resource_types"))
                .map(|v| {
                    v.items()
                        .iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            compliance: None,
            non_compliant_resources: None,
        };
        let why = Undetermined {
            expression: rule.address.clone(),
            reason:
                "compliance results exist only once AWS Config has evaluated deployed resources"
                    .to_string(),
            line: rule.line,
        };
        adapter.undetermined(
            "config",
            &rule.region,
            "DescribeComplianceByConfigRule",
            Some(&name),
            &why,
        );
        if let Some(rules) = adapter.builder.region(&rule.region).config_rules.as_mut() {
            rules.insert(name.clone(), record);
        }
        adapter.planned(&name, rule, true, &[]);
    }
    Ok(())
}
