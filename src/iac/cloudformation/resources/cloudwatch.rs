//! `AWS::CloudWatch::Alarm` on `AWS/DynamoDB` metrics: the region's metric
//! alarms as `DescribeAlarms` would list them once deployed, keyed by the
//! ARN `arn:PARTITION:cloudwatch:REGION:ACCOUNT:alarm:NAME` (`AlarmName`,
//! or the logical id standing in for the name CloudFormation generates),
//! which DYN506 matches to tables by their `TableName` dimension.
//!
//! - The alarm's own metric (`Namespace`, `MetricName`, `Dimensions`) and
//!   those of its metric math (`Metrics[].MetricStat.Metric`) are kept when
//!   in `AWS/DynamoDB`; an alarm with none is not a DynamoDB alarm and is
//!   not listed, as the collector does.
//! - `ActionsEnabled` is true unless set; `state` is `null` (there is no
//!   state before the alarm has evaluated).
//! - A `TableName` dimension of `!Ref Table` where the table's name is not
//!   determinable stands for that table's record (its logical id).
//! - An alarm action that is not determinable (`!ImportValue Topic`) is an
//!   action all the same, listed as its expression; one that an
//!   undetermined `!If` may leave out is not determinable.
//! - An alarm whose namespace, DynamoDB metric or dimensions,
//!   `ActionsEnabled` or actions are not determinable cannot be matched or
//!   judged: the region's alarms are `null`, with a region-wide
//!   `not_determinable` error of `DescribeAlarms`, so DYN506 says unknown
//!   for the region's tables rather than fail one the alarm may cover.

use std::collections::BTreeMap;

use crate::iac::IacError;
use crate::iac::cloudformation::context::Context;
use crate::iac::cloudformation::physical;
use crate::iac::node::Node;
use crate::iac::resolved::{Resolved, Undetermined};
use crate::inventory::{AlarmMetric, MetricAlarm};

const SERVICE: &str = "cloudwatch";
/// The namespace of DynamoDB's metrics.
const NAMESPACE: &str = "AWS/DynamoDB";

/// `AWS::CloudWatch::Alarm`.
pub fn alarm(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    match read(context)? {
        Ok(Some((alarm, determinable))) => {
            let region = context.region.clone();
            let arn = alarm.arn.clone();
            if let Some(Some(alarms)) = context.builder.region(&region).metric_alarms.as_mut() {
                alarms.insert(arn.clone(), alarm);
            }
            context.plan(
                &arn,
                determinable,
                &[
                    ("metric_name", &["MetricName"]),
                    ("metrics", &["Metrics"]),
                    ("dimensions", &["Dimensions"]),
                    ("actions_enabled", &["ActionsEnabled"]),
                    ("alarm_actions", &["AlarmActions"]),
                ],
            );
        }
        Ok(None) => {}
        Err(why) => {
            let region = context.region.clone();
            context.builder.undetermined(
                SERVICE,
                &region,
                "DescribeAlarms",
                None,
                &why,
                context.file,
            );
            context.builder.region(&region).metric_alarms = Some(None);
        }
    }
    Ok(())
}

/// The alarm and whether its name is determinable; `None` when it watches
/// no DynamoDB metric; why when it cannot be judged.
fn read(
    context: &Context<'_, '_>,
) -> Result<Result<Option<(MetricAlarm, bool)>, Undetermined>, IacError> {
    let resource: &Node = context.resource;
    let raw = resource.get("Properties");
    let p = &context.properties;
    let mut metrics = Vec::new();
    // The alarm's own metric.
    match metric(context, p, raw)? {
        Ok(Some(m)) => metrics.push(m),
        Ok(None) => {}
        Err(why) => return Ok(Err(why)),
    }
    // Its metric math.
    let queries = p.get("Metrics");
    if let Resolved::Unknown(why) = queries {
        return Ok(Err((**why).clone()));
    }
    let raw_queries = raw
        .and_then(|r| r.get("Metrics"))
        .map(Node::items)
        .unwrap_or_default();
    for (index, query) in queries.items().iter().enumerate() {
        if let Resolved::Unknown(why) = query {
            return Ok(Err((**why).clone()));
        }
        let watched = query.get("MetricStat").get("Metric");
        let raw_watched = raw_queries
            .get(index)
            .and_then(|q| q.get("MetricStat"))
            .and_then(|s| s.get("Metric"));
        match metric(context, watched, raw_watched)? {
            Ok(Some(m)) => metrics.push(m),
            Ok(None) => {}
            Err(why) => return Ok(Err(why)),
        }
    }
    if metrics.is_empty() {
        return Ok(Ok(None));
    }
    let actions_enabled = match super::cloudtrail::boolean(
        context,
        p.get("ActionsEnabled"),
        &["ActionsEnabled"],
        Some(true),
    ) {
        Ok(b) => b,
        Err(why) => return Ok(Err(why)),
    };
    let mut alarm_actions = Vec::new();
    match p.get("AlarmActions") {
        Resolved::Unknown(why) => return Ok(Err((**why).clone())),
        list => {
            for action in list.items() {
                match action {
                    Resolved::Unknown(why) if why.expression.starts_with("!If") => {
                        return Ok(Err((**why).clone()));
                    }
                    Resolved::Unknown(why) => alarm_actions.push(why.expression.clone()),
                    other => alarm_actions.extend(other.as_string()),
                }
            }
        }
    }
    let (name, determinable) = physical::name(context.resolver, context.logical, "AlarmName")?;
    let (name, determinable) = match name.as_string() {
        Some(name) if determinable => (name, true),
        _ => (context.logical.to_string(), false),
    };
    let arn = format!(
        "arn:{}:cloudwatch:{}:{}:alarm:{name}",
        context.builder.partition(),
        context.region,
        context.builder.account()
    );
    Ok(Ok(Some((
        MetricAlarm {
            name,
            arn,
            actions_enabled,
            alarm_actions,
            state: None,
            metrics,
        },
        determinable,
    ))))
}

/// The metric of `value` (`{Namespace, MetricName, Dimensions}`) if it is
/// a DynamoDB metric; `raw` is its node, for dimensions that refer to a
/// table of the template.
fn metric(
    context: &Context<'_, '_>,
    value: &Resolved,
    raw: Option<&Node>,
) -> Result<Result<Option<AlarmMetric>, Undetermined>, IacError> {
    let namespace = value.get("Namespace");
    if let Some(why) = namespace.undetermined() {
        return Ok(Err(why.clone()));
    }
    if namespace.as_string().as_deref() != Some(NAMESPACE) {
        return Ok(Ok(None));
    }
    let metric_name = match value.get("MetricName") {
        Resolved::Unknown(why) => return Ok(Err((**why).clone())),
        other => match other.as_string() {
            Some(name) => name,
            None => return Ok(Ok(None)),
        },
    };
    let dimensions = value.get("Dimensions");
    if let Resolved::Unknown(why) = dimensions {
        return Ok(Err((**why).clone()));
    }
    let raw_dimensions = raw
        .and_then(|r| r.get("Dimensions"))
        .map(Node::items)
        .unwrap_or_default();
    let mut map = BTreeMap::new();
    for (index, dimension) in dimensions.items().iter().enumerate() {
        let name = match dimension.get("Name") {
            Resolved::Unknown(why) => return Ok(Err((**why).clone())),
            other => other.as_string().unwrap_or_default(),
        };
        let mut dimension_value = dimension.get("Value").clone();
        if dimension_value.undetermined().is_some()
            && let Some(node) = raw_dimensions.get(index).and_then(|d| d.get("Value"))
        {
            dimension_value = super::scaling::resolve_table_reference(context, node)?;
        }
        match dimension_value {
            Resolved::Unknown(why) => return Ok(Err(*why)),
            other => {
                if let Some(text) = other.as_string() {
                    map.insert(name, text);
                }
            }
        }
    }
    Ok(Ok(Some(AlarmMetric {
        metric_name,
        dimensions: map,
    })))
}
