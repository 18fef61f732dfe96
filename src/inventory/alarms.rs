//! CloudWatch metric alarms on DynamoDB metrics (schema 1.3), which DYN506
//! matches to tables by their `TableName` dimension.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A metric alarm (`DescribeAlarms`, type `MetricAlarm`) with at least one
/// metric in the `AWS/DynamoDB` namespace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricAlarm {
    /// `AlarmName`.
    pub name: String,
    /// `AlarmArn`.
    pub arn: String,
    /// `ActionsEnabled`.
    pub actions_enabled: bool,
    /// `AlarmActions` (SNS topics, Auto Scaling or Systems Manager actions).
    pub alarm_actions: Vec<String>,
    /// `StateValue`: `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    #[serde(deserialize_with = "crate::inventory::fields::nullable")]
    pub state: Option<String>,
    /// The `AWS/DynamoDB` metrics the alarm watches: its own metric, or
    /// those of its metric math expression (`Metrics[].MetricStat`).
    pub metrics: Vec<AlarmMetric>,
}

/// A metric an alarm watches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlarmMetric {
    /// `MetricName`, e.g. `ThrottledRequests`.
    pub metric_name: String,
    /// Dimension name -> value, e.g. `TableName`, `Operation`,
    /// `ReceivingRegion`.
    pub dimensions: BTreeMap<String, String>,
}
