//! What an attribute of a planned resource will be once applied, when the
//! plan knows it only after apply: the ids and ARNs AWS assigns get a
//! planned stand-in made from the resource's address, the same wherever
//! the plan refers to them, as the CloudFormation adapter does with logical
//! ids (`cloudformation::physical`). A key `aws_kms_key.orders` is
//! `arn:aws:kms:REGION:ACCOUNT:key/planned-aws_kms_key.orders`, a VPC
//! `vpc-planned-aws_vpc.main`; ARNs made of a name the plan knows are made
//! as AWS makes them (`arn:aws:iam::ACCOUNT:role/PATH/NAME`). Attributes
//! only AWS knows (a stream's label) have none.

use crate::iac::terraform::plan::Slot;
use crate::iac::terraform::plan::{Instance, Plan};

/// The stand-in for an id AWS assigns: `planned-<address>`.
pub fn planned_id(instance: &Instance<'_>) -> String {
    format!("planned-{}", instance.address)
}

/// The value `attribute` of `target` will have: the planned value when
/// known, else its stand-in, if it has one.
pub fn value(plan: &Plan<'_>, target: &Instance<'_>, attribute: &str) -> Option<String> {
    let known = |name: &str| match target.slot(&[name]) {
        Slot::Known(node) => node.as_str().map(str::to_string),
        _ => None,
    };
    if let Some(value) = known(attribute) {
        return Some(value);
    }
    let (partition, account, region) = (&plan.partition, &plan.account, &target.region);
    let stand_in = planned_id(target);
    let named = |name_attribute: &str, make: &dyn Fn(&str) -> String| {
        known(name_attribute).map(|n| make(&n))
    };
    let path = known("path").unwrap_or_else(|| "/".to_string());
    match (target.resource_type.as_str(), attribute) {
        ("aws_kms_key", "arn") => Some(key_arn(plan, target)),
        ("aws_kms_key", "key_id" | "id") => Some(stand_in),
        ("aws_kms_alias", "arn") => named("name", &|n| {
            format!("arn:{partition}:kms:{region}:{account}:{n}")
        }),
        ("aws_kms_alias", "id") => known("name"),
        ("aws_dynamodb_table", "arn") => named("name", &|n| {
            format!("arn:{partition}:dynamodb:{region}:{account}:table/{n}")
        }),
        ("aws_dynamodb_table", "id" | "name") => known("name"),
        ("aws_iam_role", "arn") => named("name", &|n| {
            format!("arn:{partition}:iam::{account}:role{path}{n}")
        }),
        ("aws_iam_user", "arn") => named("name", &|n| {
            format!("arn:{partition}:iam::{account}:user{path}{n}")
        }),
        ("aws_iam_group", "arn") => named("name", &|n| {
            format!("arn:{partition}:iam::{account}:group{path}{n}")
        }),
        ("aws_iam_role" | "aws_iam_user" | "aws_iam_group", "id" | "name") => known("name"),
        ("aws_iam_policy", "arn" | "id") => Some(policy_arn(plan, target)),
        ("aws_vpc" | "aws_default_vpc", "id") => Some(format!("vpc-{stand_in}")),
        ("aws_vpc" | "aws_default_vpc", "main_route_table_id" | "default_route_table_id") => {
            Some(format!("rtb-{stand_in}"))
        }
        ("aws_route_table" | "aws_default_route_table", "id") => Some(format!("rtb-{stand_in}")),
        ("aws_vpc_endpoint", "id") => Some(format!("vpce-{stand_in}")),
        ("aws_sns_topic", "arn" | "id") => named("name", &|n| {
            format!("arn:{partition}:sns:{region}:{account}:{n}")
        }),
        ("aws_s3_bucket", "id" | "bucket") => known("bucket"),
        ("aws_s3_bucket", "arn") => named("bucket", &|n| format!("arn:{partition}:s3:::{n}")),
        ("aws_backup_plan", "id") => Some(stand_in),
        ("aws_backup_plan", "arn") => Some(backup_plan_arn(plan, target)),
        ("aws_backup_vault", "id" | "name") => known("name"),
        ("aws_backup_vault", "arn") => named("name", &|n| {
            format!("arn:{partition}:backup:{region}:{account}:backup-vault:{n}")
        }),
        ("aws_cloudtrail", "arn") => named("name", &|n| {
            format!("arn:{partition}:cloudtrail:{region}:{account}:trail/{n}")
        }),
        ("aws_dax_cluster", "arn") => named("cluster_name", &|n| {
            format!("arn:{partition}:dax:{region}:{account}:cache/{n}")
        }),
        ("aws_cloudwatch_metric_alarm", "arn") => named("alarm_name", &|n| {
            format!("arn:{partition}:cloudwatch:{region}:{account}:alarm:{n}")
        }),
        _ => None,
    }
}

/// A key's ARN: the planned one when known (an existing key), else
/// `arn:PARTITION:kms:REGION:ACCOUNT:key/planned-<address>`.
pub fn key_arn(plan: &Plan<'_>, key: &Instance<'_>) -> String {
    match key.slot(&["arn"]) {
        Slot::Known(node) if node.as_str().is_some() => {
            node.as_str().unwrap_or_default().to_string()
        }
        _ => format!(
            "arn:{}:kms:{}:{}:key/{}",
            plan.partition,
            key.region,
            plan.account,
            planned_id(key)
        ),
    }
}

/// A managed policy's ARN: planned, else made of its path and name, else
/// `policy/planned-<address>` (a name AWS generates from `name_prefix`).
pub fn policy_arn(plan: &Plan<'_>, policy: &Instance<'_>) -> String {
    let known = |name: &str| match policy.slot(&[name]) {
        Slot::Known(node) => node.as_str().map(str::to_string),
        _ => None,
    };
    if let Some(arn) = known("arn") {
        return arn;
    }
    let path = known("path").unwrap_or_else(|| "/".to_string());
    let name = known("name").unwrap_or_else(|| planned_id(policy));
    format!(
        "arn:{}:iam::{}:policy{path}{name}",
        plan.partition, plan.account
    )
}

/// A backup plan's ARN: planned, else `backup-plan:planned-<address>`.
pub fn backup_plan_arn(plan: &Plan<'_>, backup_plan: &Instance<'_>) -> String {
    match backup_plan.slot(&["arn"]) {
        Slot::Known(node) if node.as_str().is_some() => {
            node.as_str().unwrap_or_default().to_string()
        }
        _ => format!(
            "arn:{}:backup:{}:{}:backup-plan:{}",
            plan.partition,
            backup_plan.region,
            plan.account,
            planned_id(backup_plan)
        ),
    }
}
