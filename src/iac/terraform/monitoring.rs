//! `aws_cloudwatch_metric_alarm` on `AWS/DynamoDB` metrics (its own
//! metric, or those of its `metric_query` blocks), as `DescribeAlarms`
//! would list it once applied (a new alarm is `INSUFFICIENT_DATA`), and
//! Application Auto Scaling of DynamoDB capacity: `aws_appautoscaling_target`
//! and `aws_appautoscaling_policy` of the `dynamodb` namespace. An alarm
//! or target whose decisive values the plan does not know makes the
//! region's alarms, or targets, not determinable.

use std::collections::BTreeMap;

use crate::iac::IacError;
use crate::iac::resolved::Undetermined;
use crate::iac::terraform::plan::Slot;
use crate::iac::terraform::plan::{Instance, roots};
use crate::iac::terraform::values::Configured;
use crate::iac::terraform::{Adapter, physical};
use crate::inventory::{AlarmMetric, MetricAlarm, ScalableTarget, ScalingPolicy};

const NAMESPACE: &str = "AWS/DynamoDB";
const TOPIC_REFERENCES: [(&str, &str); 1] = [("aws_sns_topic", "arn")];
const TABLE_NAME: [(&str, &str); 2] =
    [("aws_dynamodb_table", "name"), ("aws_dynamodb_table", "id")];

/// Reads the plan's alarms and scaling.
pub fn read(adapter: &mut Adapter<'_, '_>) -> Result<(), IacError> {
    let plan = adapter.plan;
    for alarm in plan.of_type("aws_cloudwatch_metric_alarm") {
        let region = alarm.region.clone();
        match read_alarm(adapter, alarm) {
            Ok(Some(record)) => {
                adapter.planned(&record.arn.clone(), alarm, true, &[]);
                if let Some(Some(alarms)) = adapter.builder.region(&region).metric_alarms.as_mut() {
                    alarms.insert(record.arn.clone(), record);
                }
            }
            Ok(None) => {}
            Err(why) => {
                adapter.builder.region(&region).metric_alarms = Some(None);
                adapter.undetermined("cloudwatch", &region, "DescribeAlarms", None, &why);
            }
        }
    }
    for target in plan.of_type("aws_appautoscaling_target") {
        let region = target.region.clone();
        match read_target(target) {
            Ok(Some(record)) => {
                if let Some(Some(targets)) =
                    adapter.builder.region(&region).scalable_targets.as_mut()
                {
                    targets.push(record);
                    targets.sort_by(|a, b| {
                        (&a.resource_id, &a.scalable_dimension)
                            .cmp(&(&b.resource_id, &b.scalable_dimension))
                    });
                }
            }
            Ok(None) => {}
            Err(why) => {
                adapter.builder.region(&region).scalable_targets = Some(None);
                adapter.undetermined(
                    "application-autoscaling",
                    &region,
                    "DescribeScalableTargets",
                    None,
                    &why,
                );
            }
        }
    }
    for policy in plan.of_type("aws_appautoscaling_policy") {
        let region = policy.region.clone();
        match read_policy(adapter, policy) {
            Ok(Some(record)) => {
                if let Some(Some(policies)) =
                    adapter.builder.region(&region).scaling_policies.as_mut()
                {
                    policies.push(record);
                    policies.sort_by(|a, b| {
                        (&a.resource_id, &a.scalable_dimension, &a.name).cmp(&(
                            &b.resource_id,
                            &b.scalable_dimension,
                            &b.name,
                        ))
                    });
                }
            }
            Ok(None) => {}
            Err(why) => {
                adapter.builder.region(&region).scaling_policies = Some(None);
                adapter.undetermined(
                    "application-autoscaling",
                    &region,
                    "DescribeScalingPolicies",
                    None,
                    &why,
                );
            }
        }
    }
    Ok(())
}

/// An alarm on DynamoDB metrics (`None`: on other metrics).
fn read_alarm(
    adapter: &Adapter<'_, '_>,
    alarm: &Instance<'_>,
) -> Result<Option<MetricAlarm>, Undetermined> {
    let plan = adapter.plan;
    let mut metrics = Vec::new();
    if alarm.string(&["namespace"])?.as_deref() == Some(NAMESPACE)
        && let Some(name) = alarm.string(&["metric_name"])?
    {
        metrics.push(AlarmMetric {
            metric_name: name,
            dimensions: dimensions(plan, alarm, &["dimensions"])?,
        });
    }
    let queries = alarm.blocks(&["metric_query"])?;
    for index in 0..queries.len() {
        let i = index.to_string();
        let metric = ["metric_query", i.as_str(), "metric", "0"];
        if alarm.blocks(&metric[..3])?.is_empty() {
            continue;
        }
        let at = |field: &'static str| -> Vec<&str> {
            let mut path = metric.to_vec();
            path.push(field);
            path
        };
        if alarm.string(&at("namespace"))?.as_deref() != Some(NAMESPACE) {
            continue;
        }
        if let Some(name) = alarm.string(&at("metric_name"))? {
            metrics.push(AlarmMetric {
                metric_name: name,
                dimensions: dimensions(plan, alarm, &at("dimensions"))?,
            });
        }
    }
    if metrics.is_empty() {
        return Ok(None);
    }
    let name = alarm
        .string(&["alarm_name"])?
        .ok_or_else(|| alarm.after_apply(&["alarm_name"]))?;
    let arn = physical::value(plan, alarm, "arn").unwrap_or_default();
    let mut alarm_actions = alarm.linked_strings(plan, &["alarm_actions"], &TOPIC_REFERENCES)?;
    alarm_actions.sort();
    Ok(Some(MetricAlarm {
        name,
        arn,
        actions_enabled: alarm.boolean(&["actions_enabled"])?.unwrap_or(true),
        alarm_actions,
        state: Some("INSUFFICIENT_DATA".to_string()),
        metrics,
    }))
}

/// An alarm's dimensions; a value known only after apply may be the name
/// of a table of the plan (`TableName = aws_dynamodb_table.orders.id`).
fn dimensions(
    plan: &crate::iac::terraform::plan::Plan<'_>,
    alarm: &Instance<'_>,
    path: &[&str],
) -> Result<BTreeMap<String, String>, Undetermined> {
    match alarm.string_map(path) {
        Ok(map) => Ok(map),
        Err(why) => {
            let Slot::Known(node) = alarm.slot(path) else {
                return Err(why);
            };
            let Configured::Set(expression) = alarm.configured(path, Some(path)) else {
                return Err(why);
            };
            let references: Vec<String> = roots(expression)
                .into_iter()
                .filter(|r| !r.starts_with("var.") && !r.starts_with("local."))
                .collect();
            let mut map = BTreeMap::new();
            let unknown = alarm.unknown_keys(path);
            for (key, value) in node.entries() {
                if unknown.contains(&key.name) {
                    continue;
                }
                match value.as_str() {
                    Some(text) => {
                        map.insert(key.name.clone(), text.to_string());
                    }
                    None => return Err(why),
                }
            }
            match (unknown.as_slice(), references.as_slice()) {
                ([key], [reference]) => {
                    let value = plan.follow(alarm, reference, &TABLE_NAME).ok_or(why)?;
                    map.insert(key.clone(), value);
                    Ok(map)
                }
                _ => Err(why),
            }
        }
    }
}

/// A scalable target of the `dynamodb` namespace (`None`: another one).
fn read_target(target: &Instance<'_>) -> Result<Option<ScalableTarget>, Undetermined> {
    if target.string(&["service_namespace"])?.as_deref() != Some("dynamodb") {
        return Ok(None);
    }
    let required = |attribute: &str| -> Result<String, Undetermined> {
        target
            .string(&[attribute])?
            .ok_or_else(|| target.after_apply(&[attribute]))
    };
    let suspended = |attribute: &str| -> Result<bool, Undetermined> {
        Ok(target
            .boolean(&["suspended_state", "0", attribute])?
            .unwrap_or(false))
    };
    let has_suspension = !target.blocks(&["suspended_state"])?.is_empty();
    Ok(Some(ScalableTarget {
        resource_id: required("resource_id")?,
        scalable_dimension: required("scalable_dimension")?,
        min_capacity: target.integer(&["min_capacity"])?.unwrap_or(0),
        max_capacity: target.integer(&["max_capacity"])?.unwrap_or(0),
        dynamic_scaling_suspended: has_suspension
            && (suspended("dynamic_scaling_in_suspended")?
                || suspended("dynamic_scaling_out_suspended")?),
    }))
}

/// A scaling policy of the `dynamodb` namespace (`None`: another one).
fn read_policy(
    adapter: &Adapter<'_, '_>,
    policy: &Instance<'_>,
) -> Result<Option<ScalingPolicy>, Undetermined> {
    let plan = adapter.plan;
    let target_references = [
        ("aws_appautoscaling_target", "resource_id"),
        ("aws_appautoscaling_target", "scalable_dimension"),
        ("aws_appautoscaling_target", "service_namespace"),
    ];
    let linked = |attribute: &str| -> Result<Option<String>, Undetermined> {
        policy.linked(plan, &[attribute], Some(&[attribute]), &target_references)
    };
    if linked("service_namespace")?.as_deref() != Some("dynamodb") {
        return Ok(None);
    }
    let required = |attribute: &str| -> Result<String, Undetermined> {
        linked(attribute)?.ok_or_else(|| policy.after_apply(&[attribute]))
    };
    Ok(Some(ScalingPolicy {
        name: required("name")?,
        resource_id: required("resource_id")?,
        scalable_dimension: required("scalable_dimension")?,
        policy_type: policy
            .string(&["policy_type"])?
            .unwrap_or_else(|| "StepScaling".to_string()),
    }))
}
