//! `AWS::ApplicationAutoScaling::ScalableTarget` and `ScalingPolicy` of
//! the `dynamodb` namespace: the region's scalable targets and scaling
//! policies as `DescribeScalableTargets` and `DescribeScalingPolicies`
//! would list them once deployed, which DYN206 matches to PROVISIONED
//! tables (`table/NAME`, `table/NAME/index/INDEX`).
//!
//! - `ResourceId` is usually `!Sub table/${Table}`: a table of the template
//!   whose name is not determinable stands for its record (named by its
//!   logical id, as the table adapter names it), so the two still meet.
//! - A policy names its target by `ResourceId` and `ScalableDimension`, or
//!   by `ScalingTargetId` (`!Ref Target`, or the id
//!   `RESOURCE|DIMENSION|NAMESPACE` that `Ref` gives): the target's values
//!   are read from the template.
//! - A target is not suspended unless `SuspendedState` says so.
//! - A target or policy whose resource, dimension, namespace, or (target)
//!   capacities are not determinable cannot be matched to a table: the
//!   region's list is `null` with a region-wide `not_determinable` error of
//!   the listing (`DescribeScalableTargets`, `DescribeScalingPolicies`), so
//!   DYN206 says unknown for provisioned tables rather than fail them.

use crate::iac::IacError;
use crate::iac::cloudformation::context::Context;
use crate::iac::cloudformation::physical;
use crate::iac::node::{Key, Node, NodeValue};
use crate::iac::resolved::{Resolved, Undetermined};
use crate::inventory::{ScalableTarget, ScalingPolicy};

const SERVICE: &str = "application-autoscaling";
const TARGETS: &str = "DescribeScalableTargets";
const POLICIES: &str = "DescribeScalingPolicies";

/// `AWS::ApplicationAutoScaling::ScalableTarget`.
pub fn target(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    let resource: &Node = context.resource;
    let properties = resource.get("Properties");
    let read = target_of(context, properties)?;
    let target = match read {
        Ok(Some(target)) => target,
        Ok(None) => return Ok(()),
        Err(why) => {
            not_listed(context, TARGETS, &why);
            return Ok(());
        }
    };
    let id = format!(
        "{}|{}|dynamodb",
        target.resource_id, target.scalable_dimension
    );
    let region = context.region.clone();
    if let Some(Some(targets)) = context.builder.region(&region).scalable_targets.as_mut() {
        targets.retain(|t| {
            (&t.resource_id, &t.scalable_dimension)
                != (&target.resource_id, &target.scalable_dimension)
        });
        targets.push(target);
        targets.sort_by(|a, b| {
            (&a.resource_id, &a.scalable_dimension).cmp(&(&b.resource_id, &b.scalable_dimension))
        });
    }
    context.plan(
        &id,
        true,
        &[
            ("resource_id", &["ResourceId"]),
            ("scalable_dimension", &["ScalableDimension"]),
            ("dynamic_scaling_suspended", &["SuspendedState"]),
        ],
    );
    Ok(())
}

/// `AWS::ApplicationAutoScaling::ScalingPolicy`.
pub fn policy(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    let resource: &Node = context.resource;
    let properties = resource.get("Properties");
    let p = context.properties.clone();
    let (namespace, resource_id, dimension) =
        match properties.and_then(|p| p.get("ScalingTargetId")) {
            Some(node) => match target_id(context, node)? {
                Ok(Some(ids)) => ids,
                Ok(None) => return Ok(()),
                Err(why) => {
                    not_listed(context, POLICIES, &why);
                    return Ok(());
                }
            },
            None => {
                let namespace = p.get("ServiceNamespace").clone();
                let resource_id = match properties.and_then(|p| p.get("ResourceId")) {
                    Some(node) => resolve_table_reference(context, node)?,
                    None => Resolved::Null,
                };
                (namespace, resource_id, p.get("ScalableDimension").clone())
            }
        };
    let policy_type = p.get("PolicyType");
    let name = p.get("PolicyName");
    // Another service's policy is not listed, whatever it leaves unknown.
    if namespace.undetermined().is_none() && namespace.as_string().as_deref() != Some("dynamodb") {
        return Ok(());
    }
    for value in [&namespace, &resource_id, &dimension, policy_type, name] {
        if let Some(why) = value.undetermined() {
            let why = why.clone();
            not_listed(context, POLICIES, &why);
            return Ok(());
        }
    }
    let policy = ScalingPolicy {
        name: name
            .as_string()
            .unwrap_or_else(|| context.logical.to_string()),
        resource_id: resource_id.as_string().unwrap_or_default(),
        scalable_dimension: dimension.as_string().unwrap_or_default(),
        policy_type: policy_type.as_string().unwrap_or_default(),
    };
    let id = format!(
        "{}|{}|{}",
        policy.resource_id, policy.scalable_dimension, policy.name
    );
    let region = context.region.clone();
    if let Some(Some(policies)) = context.builder.region(&region).scaling_policies.as_mut() {
        policies.retain(|x| {
            (&x.resource_id, &x.scalable_dimension, &x.name)
                != (
                    &policy.resource_id,
                    &policy.scalable_dimension,
                    &policy.name,
                )
        });
        policies.push(policy);
        policies.sort_by(|a, b| {
            (&a.resource_id, &a.scalable_dimension, &a.name).cmp(&(
                &b.resource_id,
                &b.scalable_dimension,
                &b.name,
            ))
        });
    }
    context.plan(
        &id,
        true,
        &[
            ("policy_type", &["PolicyType"]),
            ("scaling_target", &["ScalingTargetId"]),
        ],
    );
    Ok(())
}

/// The scalable target declared by `properties` (of this resource or the
/// one a policy refers to); `None` outside the `dynamodb` namespace.
fn target_of(
    context: &Context<'_, '_>,
    properties: Option<&Node>,
) -> Result<Result<Option<ScalableTarget>, Undetermined>, IacError> {
    let resolve = |key: &str| -> Result<Resolved, IacError> {
        match properties.and_then(|p| p.get(key)) {
            Some(node) if key == "ResourceId" => resolve_table_reference(context, node),
            Some(node) => context.resolver.resolve(node),
            None => Ok(Resolved::Null),
        }
    };
    let namespace = resolve("ServiceNamespace")?;
    let resource_id = resolve("ResourceId")?;
    let dimension = resolve("ScalableDimension")?;
    let min = resolve("MinCapacity")?;
    let max = resolve("MaxCapacity")?;
    let suspended = resolve("SuspendedState")?;
    // Another service's target is not listed, whatever it leaves unknown.
    if namespace.undetermined().is_none() && namespace.as_string().as_deref() != Some("dynamodb") {
        return Ok(Ok(None));
    }
    for value in [&namespace, &resource_id, &dimension, &min, &max, &suspended] {
        if let Some(why) = value.undetermined() {
            return Ok(Err(why.clone()));
        }
    }
    let flag = |key: &str| suspended.get(key).as_bool() == Some(true);
    Ok(Ok(Some(ScalableTarget {
        resource_id: resource_id.as_string().unwrap_or_default(),
        scalable_dimension: dimension.as_string().unwrap_or_default(),
        min_capacity: min.as_i64().unwrap_or_default(),
        max_capacity: max.as_i64().unwrap_or_default(),
        dynamic_scaling_suspended: flag("DynamicScalingInSuspended")
            || flag("DynamicScalingOutSuspended"),
    })))
}

/// A policy's `ScalingTargetId`: the namespace, resource id and dimension
/// of the target it names.
#[allow(clippy::type_complexity)]
fn target_id(
    context: &Context<'_, '_>,
    node: &Node,
) -> Result<Result<Option<(Resolved, Resolved, Resolved)>, Undetermined>, IacError> {
    if let Some(("Ref", argument)) = node.intrinsic() {
        let logical = argument.as_str().unwrap_or_default();
        let target = context.resolver.resources.get(logical);
        let is_target = target.and_then(|t| t.get("Type")).and_then(Node::as_str)
            == Some("AWS::ApplicationAutoScaling::ScalableTarget");
        if is_target {
            return Ok(
                match target_of(context, target.and_then(|t| t.get("Properties")))? {
                    Ok(Some(t)) => Ok(Some((
                        Resolved::String("dynamodb".to_string()),
                        Resolved::String(t.resource_id),
                        Resolved::String(t.scalable_dimension),
                    ))),
                    Ok(None) => Ok(None),
                    Err(why) => Err(why),
                },
            );
        }
    }
    let value = context.resolver.resolve(node)?;
    if let Some(why) = value.undetermined() {
        return Ok(Err(why.clone()));
    }
    let text = value.as_string().unwrap_or_default();
    let parts: Vec<&str> = text.split('|').collect();
    Ok(match parts.as_slice() {
        [resource_id, dimension, namespace] => Ok(Some((
            Resolved::String((*namespace).to_string()),
            Resolved::String((*resource_id).to_string()),
            Resolved::String((*dimension).to_string()),
        ))),
        _ => Err(Undetermined {
            expression: text.clone(),
            reason: "ScalingTargetId is not RESOURCE|DIMENSION|NAMESPACE nor a scalable target of the template".to_string(),
            line: node.line,
        }),
    })
}

/// The region's list of `operation` is not known complete.
fn not_listed(context: &mut Context<'_, '_>, operation: &str, why: &Undetermined) {
    let region = context.region.clone();
    context
        .builder
        .undetermined(SERVICE, &region, operation, None, why, context.file);
    let record = context.builder.region(&region);
    if operation == TARGETS {
        record.scalable_targets = Some(None);
    } else {
        record.scaling_policies = Some(None);
    }
}

/// Resolves `node`, where a table of the template whose name is not
/// determinable stands for its record: `!Ref Table` is its logical id,
/// `!GetAtt Table.Arn` its ARN with that name, and so in `!Sub`, as the
/// table adapter keys such a table.
pub(super) fn resolve_table_reference(
    context: &Context<'_, '_>,
    node: &Node,
) -> Result<Resolved, IacError> {
    let value = context.resolver.resolve(node)?;
    if value.undetermined().is_none() {
        return Ok(value);
    }
    let unnamed = |logical: &str| -> bool {
        let is_table = matches!(
            context
                .resolver
                .resources
                .get(logical)
                .and_then(|r| r.get("Type"))
                .and_then(Node::as_str),
            Some("AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable")
        );
        is_table
            && !matches!(
                physical::name(context.resolver, logical, "TableName"),
                Ok((_, true))
            )
    };
    let arn = |logical: &str| context.builder.table_arn(&context.region, logical);
    Ok(match node.intrinsic() {
        Some(("Ref", argument)) => match argument.as_str() {
            Some(logical) if unnamed(logical) => Resolved::String(logical.to_string()),
            _ => value,
        },
        Some(("Fn::GetAtt", argument)) => match argument.items() {
            [table, attribute] if attribute.as_str() == Some("Arn") => match table.as_str() {
                Some(logical) if unnamed(logical) => Resolved::String(arn(logical)),
                _ => value,
            },
            _ => value,
        },
        Some(("Fn::Sub", argument)) => match argument.as_str() {
            Some(template) => {
                let mut text = template.to_string();
                for (key, _) in context.resolver.resources.entries() {
                    if unnamed(&key.name) {
                        text = text
                            .replace(&format!("${{{}.Arn}}", key.name), &arn(&key.name))
                            .replace(&format!("${{{}}}", key.name), &key.name);
                    }
                }
                let substituted = Node {
                    line: node.line,
                    value: NodeValue::Map(vec![(
                        Key {
                            name: "Fn::Sub".to_string(),
                            line: node.line,
                        },
                        Node {
                            line: argument.line,
                            value: NodeValue::String(text),
                        },
                    )]),
                };
                context.resolver.resolve(&substituted)?
            }
            None => value,
        },
        _ => value,
    })
}
