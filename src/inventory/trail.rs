//! CloudTrail trails and their event selectors.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::inventory::absent::TrailField;
use crate::inventory::fields::nullable;

/// A CloudTrail trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trail {
    /// Trail ARN.
    pub arn: String,
    /// Trail name.
    pub name: String,
    /// The trail's home region.
    pub home_region: String,
    /// `IsMultiRegionTrail`.
    pub is_multi_region: bool,
    /// `IsOrganizationTrail`.
    pub is_organization_trail: bool,
    /// `IncludeGlobalServiceEvents`.
    pub include_global_service_events: bool,
    /// `LogFileValidationEnabled`.
    pub log_file_validation_enabled: bool,
    /// `KmsKeyId` (an ARN) when log files are encrypted with KMS; `null`
    /// without a KMS key (named in `absent`) or when not collected.
    #[serde(deserialize_with = "nullable")]
    pub kms_key_id: Option<String>,
    /// Destination bucket.
    #[serde(deserialize_with = "nullable")]
    pub s3_bucket_name: Option<String>,
    /// `GetTrailStatus.IsLogging`; `null` if not collected.
    #[serde(deserialize_with = "nullable")]
    pub is_logging: Option<bool>,
    /// `GetEventSelectors`; `null` if not collected.
    #[serde(deserialize_with = "nullable")]
    pub selectors: Option<EventSelectors>,
    /// Fields that are `null` because AWS has no value (schema 1.1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent: Vec<TrailField>,
}

/// A trail's event selectors: classic or advanced (a trail has one kind).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventSelectors {
    /// Classic event selectors.
    pub event_selectors: Vec<EventSelector>,
    /// Advanced event selectors.
    pub advanced_event_selectors: Vec<AdvancedEventSelector>,
}

/// A classic event selector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventSelector {
    /// `All`, `ReadOnly` or `WriteOnly`.
    #[serde(deserialize_with = "nullable")]
    pub read_write_type: Option<String>,
    /// Whether management events are recorded.
    #[serde(deserialize_with = "nullable")]
    pub include_management_events: Option<bool>,
    /// Data resources (`AWS::DynamoDB::Table` with ARN prefixes).
    pub data_resources: Vec<DataResource>,
}

/// A data resource of a classic selector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataResource {
    /// e.g. `AWS::DynamoDB::Table`.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// ARNs or ARN prefixes; `arn:aws:dynamodb` means all tables.
    pub values: Vec<String>,
}

/// An advanced event selector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvancedEventSelector {
    /// Selector name.
    #[serde(deserialize_with = "nullable")]
    pub name: Option<String>,
    /// Field selectors, all of which must match.
    pub field_selectors: Vec<FieldSelector>,
}

/// One field condition of an advanced event selector.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldSelector {
    /// `eventCategory`, `resources.type`, `resources.ARN`, `readOnly`, ...
    pub field: String,
    pub equals: Vec<String>,
    pub not_equals: Vec<String>,
    pub starts_with: Vec<String>,
    pub not_starts_with: Vec<String>,
    pub ends_with: Vec<String>,
    pub not_ends_with: Vec<String>,
}
