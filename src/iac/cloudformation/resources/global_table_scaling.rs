//! The auto scaling an `AWS::DynamoDB::GlobalTable` declares inline
//! (`WriteProvisionedThroughputSettings.WriteCapacityAutoScalingSettings`
//! of the table and its indexes, `ReadProvisionedThroughputSettings.
//! ReadCapacityAutoScalingSettings` of each replica and its indexes).
//! CloudFormation registers them with Application Auto Scaling, as a
//! scalable target and a target-tracking policy per dimension in each
//! replica's region, which is what a live scan lists and DYN206 reads.

use crate::iac::cloudformation::context::Context;
use crate::iac::resolved::Resolved;
use crate::inventory::{ScalableTarget, ScalingPolicy};

fn write(spec: &Resolved) -> Option<&Resolved> {
    let settings = spec
        .get("WriteProvisionedThroughputSettings")
        .get("WriteCapacityAutoScalingSettings");
    (!settings.is_null()).then_some(settings)
}

fn read(spec: &Resolved) -> Option<&Resolved> {
    let settings = spec
        .get("ReadProvisionedThroughputSettings")
        .get("ReadCapacityAutoScalingSettings");
    (!settings.is_null()).then_some(settings)
}

/// Adds the scaling of the replica `replica` (in `region`) of the global
/// table `name` whose properties are `table`.
pub fn add(
    context: &mut Context<'_, '_>,
    region: &str,
    name: &str,
    table: &Resolved,
    replica: &Resolved,
) {
    let mut declared: Vec<(String, &str, &Resolved)> = Vec::new();
    let table_id = format!("table/{name}");
    if let Some(settings) = write(table) {
        declared.push((
            table_id.clone(),
            "dynamodb:table:WriteCapacityUnits",
            settings,
        ));
    }
    if let Some(settings) = read(replica) {
        declared.push((
            table_id.clone(),
            "dynamodb:table:ReadCapacityUnits",
            settings,
        ));
    }
    for index in table.get("GlobalSecondaryIndexes").items() {
        if let (Some(index_name), Some(settings)) =
            (index.get("IndexName").as_string(), write(index))
        {
            declared.push((
                format!("{table_id}/index/{index_name}"),
                "dynamodb:index:WriteCapacityUnits",
                settings,
            ));
        }
    }
    for index in replica.get("GlobalSecondaryIndexes").items() {
        if let (Some(index_name), Some(settings)) =
            (index.get("IndexName").as_string(), read(index))
        {
            declared.push((
                format!("{table_id}/index/{index_name}"),
                "dynamodb:index:ReadCapacityUnits",
                settings,
            ));
        }
    }
    for (resource_id, dimension, settings) in declared {
        let target = ScalableTarget {
            resource_id: resource_id.clone(),
            scalable_dimension: dimension.to_string(),
            min_capacity: settings.get("MinCapacity").as_i64().unwrap_or(1),
            max_capacity: settings.get("MaxCapacity").as_i64().unwrap_or(1),
            dynamic_scaling_suspended: false,
        };
        let policy = ScalingPolicy {
            name: format!("{dimension} of {resource_id}"),
            resource_id,
            scalable_dimension: dimension.to_string(),
            policy_type: "TargetTrackingScaling".to_string(),
        };
        let region = context.builder.region(region);
        if let Some(Some(targets)) = region.scalable_targets.as_mut() {
            targets.push(target);
        }
        if let Some(Some(policies)) = region.scaling_policies.as_mut() {
            policies.push(policy);
        }
    }
}
