//! A Terraform plan in JSON (`terraform show -json plan.out`, format 1.x)
//! into the planned inventory.
//!
//! What is read: the managed resources of `planned_values` (the root module
//! and its child modules), minus those `resource_changes` deletes; each
//! attribute from `planned_values`, with `after_unknown` telling the values
//! known only after apply, and `configuration` telling whether the code
//! sets them ([`values`]) and what they reference ([`physical`]). A
//! resource's region is its `region` attribute (provider 6), else its
//! provider configuration's `region` (a constant, or a root variable's
//! value), else the first of `--regions`, else
//! [`crate::iac::input::DEFAULT_REGION`].
//!
//! A value the code leaves unset follows AWS's documented default (no
//! `server_side_encryption` block: the AWS owned key; no
//! `point_in_time_recovery`: disabled); a value the code sets that is known
//! only after apply, and is not a reference to a resource of the same plan,
//! is not determinable: `null` in the inventory, with an error whose
//! expression is the attribute (`aws_dynamodb_table.orders.server_side_encryption[0].kms_key_arn`)
//! and whose reason is "known only after apply".
//!
//! One module per AWS service; each reads its resource types.

mod backup;
mod cloudtrail;
mod config;
mod dax;
mod dynamodb;
mod iam;
mod kms;
mod monitoring;
mod network;
pub mod physical;
pub mod plan;
mod table_extras;
pub mod values;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use crate::iac::IacError;
use crate::iac::estate::EstateBuilder;
use crate::iac::input::{DEFAULT_REGION, IacOptions};
use crate::iac::node::{Node, NodeValue};
use crate::iac::resolved::Undetermined;
use crate::inventory::PlannedResource;
use plan::{Instance, Plan};

/// The resource types whose records the planned inventory holds (their
/// regions are planned); the others are read only when referenced.
pub const READ_TYPES: &[&str] = &[
    "aws_dynamodb_table",
    "aws_kms_key",
    "aws_vpc",
    "aws_default_vpc",
    "aws_vpc_endpoint",
    "aws_cloudtrail",
    "aws_config_configuration_recorder",
    "aws_config_config_rule",
    "aws_backup_plan",
    "aws_backup_vault",
    "aws_dax_cluster",
    "aws_cloudwatch_metric_alarm",
    "aws_appautoscaling_target",
    "aws_appautoscaling_policy",
];

/// What an adapter module needs: the plan, and the inventory being built.
pub struct Adapter<'a, 'p> {
    /// The plan.
    pub plan: &'a Plan<'p>,
    /// The inventory being built.
    pub builder: &'a mut EstateBuilder,
}

impl Adapter<'_, '_> {
    /// Records that `operation`'s evidence about `resource` in `region` is
    /// not determinable from the plan.
    pub fn undetermined(
        &mut self,
        service: &str,
        region: &str,
        operation: &str,
        resource: Option<&str>,
        why: &Undetermined,
    ) {
        self.builder
            .undetermined(service, region, operation, resource, why, self.plan.file);
    }

    /// Records `instance` as planned under inventory id `id`, with the
    /// lines of the attributes that decide findings (those the code sets).
    pub fn planned(
        &mut self,
        id: &str,
        instance: &Instance<'_>,
        name_determinable: bool,
        property_lines: &[(&str, Option<u32>)],
    ) {
        let property_lines: BTreeMap<String, u32> = property_lines
            .iter()
            .filter_map(|(field, line)| line.map(|l| (field.to_string(), l)))
            .collect();
        self.builder.planned(
            id,
            PlannedResource {
                planned_id: format!("{}#{}", self.plan.file, instance.address),
                file: self.plan.file.to_string(),
                line: instance.line,
                resource_type: instance.resource_type.clone(),
                name_determinable,
                property_lines,
                assumed: Vec::new(),
            },
        );
    }
}

/// Refuses a plan whose `format_version` this build does not read (only
/// 1.x: a new major version is not backward compatible), or that has no
/// `planned_values.root_module` (the JSON of a saved plan, not of a state).
pub fn check_format(file: &str, root: &Node) -> Result<(), IacError> {
    let Some((key, version)) = root.entry("format_version") else {
        return Err(IacError::at(
            file,
            1,
            "the plan has no format_version: give the JSON that `terraform show -json plan.out` prints",
        ));
    };
    let supported = version
        .as_str()
        .and_then(|v| v.strip_prefix("1."))
        .is_some_and(|minor| !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit()));
    if !supported {
        return Err(IacError::at(
            file,
            key.line,
            format!(
                "unsupported plan format_version {}: dynaudit reads 1.x (the JSON that `terraform show -json` of Terraform 1.x prints)",
                version.describe()
            ),
        ));
    }
    let planned = root.entry("planned_values");
    let has_root_module = planned
        .and_then(|(_, p)| p.get("root_module"))
        .is_some_and(|m| matches!(m.value, NodeValue::Map(_)));
    if !has_root_module {
        return Err(IacError::at(
            file,
            planned.map_or(1, |(k, _)| k.line),
            "the plan has no planned_values.root_module: save the plan (`terraform plan -out plan.out`) and give the JSON of `terraform show -json plan.out`",
        ));
    }
    Ok(())
}

/// The account the plan's AWS provider is limited to, if one:
/// `allowed_account_ids` with exactly one constant value (the same in
/// every AWS provider configuration that sets it).
pub fn account_hint(root: &Node) -> Option<String> {
    let providers = root.get("configuration")?.get("provider_config")?;
    let mut accounts = BTreeSet::new();
    for (_, provider) in providers.entries() {
        let is_aws = provider.get("name").and_then(Node::as_str) == Some("aws")
            || provider
                .get("full_name")
                .and_then(Node::as_str)
                .is_some_and(|n| n.ends_with("/aws"));
        let ids = provider
            .get("expressions")
            .and_then(|e| e.get("allowed_account_ids"))
            .and_then(|e| e.get("constant_value"));
        let (true, Some(ids)) = (is_aws, ids) else {
            continue;
        };
        let [id] = ids.items() else {
            return None;
        };
        let id = match &id.value {
            NodeValue::String(s) | NodeValue::Number(s) => s.clone(),
            _ => return None,
        };
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        accounts.insert(id);
    }
    match accounts.len() {
        1 => accounts.into_iter().next(),
        _ => None,
    }
}

/// Reads the plan into `builder`.
pub fn adapt(
    file: &str,
    root: &Node,
    options: &IacOptions,
    builder: &mut EstateBuilder,
) -> Result<(), IacError> {
    check_format(file, root)?;
    let default_region = options
        .regions
        .first()
        .cloned()
        .unwrap_or_else(|| DEFAULT_REGION.to_string());
    let plan = Plan::read(
        file,
        root,
        &default_region,
        builder.account(),
        builder.partition(),
    )?;
    builder.file(file);
    for instance in &plan.instances {
        if READ_TYPES.contains(&instance.resource_type.as_str()) {
            builder.region(&instance.region);
        }
    }
    let mut adapter = Adapter {
        plan: &plan,
        builder,
    };
    // Keys first (tables name them), trails last (a multi-region trail
    // applies to every region planned).
    kms::read(&mut adapter)?;
    iam::read(&mut adapter)?;
    network::read(&mut adapter)?;
    dynamodb::read(&mut adapter)?;
    backup::read(&mut adapter)?;
    dax::read(&mut adapter)?;
    monitoring::read(&mut adapter)?;
    config::read(&mut adapter)?;
    cloudtrail::read(&mut adapter)?;
    Ok(())
}
