//! Application Auto Scaling of DynamoDB capacity (schema 1.3): the
//! region's scalable targets and scaling policies of the `dynamodb`
//! namespace, which DYN206 matches to PROVISIONED tables and their global
//! secondary indexes.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A scalable target (`DescribeScalableTargets`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScalableTarget {
    /// `table/NAME` or `table/NAME/index/INDEX`.
    pub resource_id: String,
    /// `dynamodb:table:ReadCapacityUnits`, `dynamodb:table:WriteCapacityUnits`,
    /// `dynamodb:index:ReadCapacityUnits` or `dynamodb:index:WriteCapacityUnits`.
    pub scalable_dimension: String,
    /// `MinCapacity`.
    pub min_capacity: i64,
    /// `MaxCapacity`.
    pub max_capacity: i64,
    /// `SuspendedState.DynamicScalingInSuspended` or
    /// `DynamicScalingOutSuspended`: scaling policies do not act.
    pub dynamic_scaling_suspended: bool,
}

/// A scaling policy (`DescribeScalingPolicies`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScalingPolicy {
    /// `PolicyName`.
    pub name: String,
    /// The target's `resource_id`.
    pub resource_id: String,
    /// The target's `scalable_dimension`.
    pub scalable_dimension: String,
    /// `TargetTrackingScaling`, `StepScaling` or `PredictiveScaling`.
    pub policy_type: String,
}
