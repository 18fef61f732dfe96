//! `AWS::Config::ConfigurationRecorder` and `AWS::Config::ConfigRule`: the
//! region's configuration recorders and Config rules as AWS Config would
//! describe them once deployed. DYN601-DYN603 are not evaluated on planned
//! evidence (`crate::iac::scope`); the records are still what the
//! collector would write, for `--inventory-out` and `diff`.
//!
//! - A recorder without `RecordingGroup` records every supported type (the
//!   API's default). CloudFormation starts a recorder once a delivery
//!   channel exists: `recording` is `true` when the template declares an
//!   `AWS::Config::DeliveryChannel`, else `null` with a `not_determinable`
//!   error of `DescribeConfigurationRecorderStatus` (a channel may exist in
//!   the account). `last_status` is `null`: there is no recording yet.
//! - A rule is `ACTIVE`; its ARN ends in an id AWS assigns (`null`, error
//!   of `DescribeConfigRules`). Compliance exists only once AWS Config has
//!   evaluated deployed resources: `compliance` and
//!   `non_compliant_resources` are `null` with a `not_determinable` error
//!   of `DescribeComplianceByConfigRule`, as the collector leaves them when
//!   that call fails (chosen over "not evaluated yet", which AWS reports as
//!   `INSUFFICIENT_DATA` and would read as a result).

use crate::iac::IacError;
use crate::iac::cloudformation::context::Context;
use crate::iac::cloudformation::physical;
use crate::iac::node::Node;
use crate::iac::resolved::{Resolved, Undetermined};
use crate::inventory::{ConfigRecorder, ConfigRule, ConfigRuleField};

const SERVICE: &str = "config";

/// `AWS::Config::ConfigurationRecorder`.
pub fn recorder(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    let region = context.region.clone();
    let (name, determinable) = physical::name(context.resolver, context.logical, "Name")?;
    let name = match name.as_string() {
        Some(name) if determinable => name,
        _ => context.logical.to_string(),
    };
    let p = context.properties.clone();
    let group = p.get("RecordingGroup");
    if let Some(why) = group.undetermined() {
        // Which types are recorded is not known: the recorder is left out,
        // and the region's recorders are not known complete.
        let why = why.clone();
        context.undetermined(SERVICE, "DescribeConfigurationRecorders", &name, &why);
        context.builder.region(&region).config_recorders = None;
        return Ok(());
    }
    let resource_types = sorted(strings(group.get("ResourceTypes")));
    let excluded_resource_types = sorted(strings(
        group.get("ExclusionByResourceTypes").get("ResourceTypes"),
    ));
    let all_supported = match group {
        Resolved::Null => true,
        _ => match group.get("AllSupported").as_bool() {
            Some(all) => all,
            None => {
                group
                    .get("RecordingStrategy")
                    .get("UseOnly")
                    .as_string()
                    .as_deref()
                    == Some("ALL_SUPPORTED_RESOURCE_TYPES")
            }
        },
    };
    let recording = if delivery_channel_declared(context)? {
        Some(true)
    } else {
        let why = Undetermined {
            expression: context.logical.to_string(),
            reason:
                "the recorder starts once a delivery channel exists, and the template declares none"
                    .to_string(),
            line: context.resource_line(),
        };
        context.undetermined(SERVICE, "DescribeConfigurationRecorderStatus", &name, &why);
        None
    };
    if let Some(recorders) = context.builder.region(&region).config_recorders.as_mut() {
        recorders.retain(|r| r.name != name);
        recorders.push(ConfigRecorder {
            name: name.clone(),
            all_supported,
            resource_types,
            excluded_resource_types,
            recording,
            last_status: None,
        });
        recorders.sort_by(|a, b| a.name.cmp(&b.name));
    }
    context.plan(
        &name,
        determinable,
        &[("recording_group", &["RecordingGroup"])],
    );
    Ok(())
}

/// `AWS::Config::ConfigRule`.
pub fn rule(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    let region = context.region.clone();
    let (name, determinable) = physical::name(context.resolver, context.logical, "ConfigRuleName")?;
    let name = match name.as_string() {
        Some(name) if determinable => name,
        _ => context.logical.to_string(),
    };
    let p = context.properties.clone();
    let source = p.get("Source");
    let source_owner = match source.get("Owner") {
        Resolved::Unknown(why) => {
            let why = (**why).clone();
            context.undetermined(SERVICE, "DescribeConfigRules", &name, &why);
            why.expression
        }
        other => other.as_string().unwrap_or_default(),
    };
    let (source_identifier, absent) = match source.get("SourceIdentifier") {
        Resolved::Null => (None, vec![ConfigRuleField::SourceIdentifier]),
        Resolved::Unknown(why) => {
            let why = (**why).clone();
            context.undetermined(SERVICE, "DescribeConfigRules", &name, &why);
            (None, Vec::new())
        }
        other => (other.as_string(), Vec::new()),
    };
    let scope = p.get("Scope").get("ComplianceResourceTypes");
    if let Some(why) = scope.undetermined() {
        let why = why.clone();
        context.undetermined(SERVICE, "DescribeConfigRules", &name, &why);
    }
    let line = context.resource_line();
    let why = |reason: &str| Undetermined {
        expression: name.clone(),
        reason: reason.to_string(),
        line,
    };
    let arn_why = why("the rule's ARN ends in an id AWS assigns when the stack is deployed");
    let compliance_why =
        why("compliance is known only once AWS Config has evaluated the deployed resources");
    context.undetermined(SERVICE, "DescribeConfigRules", &name, &arn_why);
    context.undetermined(
        SERVICE,
        "DescribeComplianceByConfigRule",
        &name,
        &compliance_why,
    );
    if let Some(rules) = context.builder.region(&region).config_rules.as_mut() {
        rules.insert(
            name.clone(),
            ConfigRule {
                name: name.clone(),
                arn: None,
                source_owner,
                source_identifier,
                state: Some("ACTIVE".to_string()),
                scope_resource_types: sorted(strings(scope)),
                compliance: None,
                non_compliant_resources: None,
                absent,
            },
        );
    }
    context.plan(
        &name,
        determinable,
        &[
            ("source_identifier", &["Source", "SourceIdentifier"]),
            (
                "scope_resource_types",
                &["Scope", "ComplianceResourceTypes"],
            ),
        ],
    );
    Ok(())
}

/// Whether the template certainly declares a delivery channel (one whose
/// condition is false or not determinable does not count).
fn delivery_channel_declared(context: &Context<'_, '_>) -> Result<bool, IacError> {
    for (_, resource) in context.resolver.resources.entries() {
        if resource.get("Type").and_then(Node::as_str) != Some("AWS::Config::DeliveryChannel") {
            continue;
        }
        let created = match resource.get("Condition") {
            Some(condition) => match condition.as_str() {
                Some(name) => context.resolver.condition(name, condition.line)? == Some(true),
                None => true,
            },
            None => true,
        };
        if created {
            return Ok(true);
        }
    }
    Ok(false)
}

fn strings(value: &Resolved) -> Vec<String> {
    value
        .items()
        .iter()
        .filter_map(Resolved::as_string)
        .collect()
}

fn sorted(mut list: Vec<String>) -> Vec<String> {
    list.sort();
    list.dedup();
    list
}
