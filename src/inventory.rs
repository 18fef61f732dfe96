//! The inventory: a versioned, self-describing snapshot of everything that
//! decides whether a DynamoDB estate is compliant.
//!
//! Principles (see `docs/inventory.md`):
//! - one account per inventory; `regions` is keyed by region name and holds
//!   exactly the regions that were asked for;
//! - a value that could not be collected is `null` **and** has an entry in
//!   `errors`; rules turn a `null` they depend on into an *unknown* outcome;
//!   the few fields that are also `null` when AWS has no value are then
//!   named in their record's `absent` list (schema 1.1, [`absent`]);
//! - lookups that many tables share (KMS keys, backups, trails) are stored
//!   once, keyed by ARN;
//! - maps are `BTreeMap`s so the same snapshot always serialises to the same
//!   bytes;
//! - every key is written, and a reader requires every key: `null` says
//!   "not collected", a missing key says the file is not an inventory
//!   ([`fields`] checks the keys, times and numbers as they are read).

pub mod absent;
pub mod alarms;
pub mod backup_vault;
pub mod capacity;
pub mod dax;
pub mod errors;
pub mod exports;
pub mod fields;
pub mod iam;
pub mod organization;
pub mod planned;
pub mod since;
pub mod trail;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::inventory::absent::{ConfigRuleField, TrailField, VpcEndpointField};
pub use crate::inventory::alarms::{AlarmMetric, MetricAlarm};
pub use crate::inventory::backup_vault::BackupVault;
pub use crate::inventory::capacity::{ScalableTarget, ScalingPolicy};
pub use crate::inventory::dax::{DaxCluster, DaxNode};
pub use crate::inventory::errors::{CollectionError, ErrorKind};
pub use crate::inventory::exports::{ExportField, TableExport};
pub use crate::inventory::fields::PolicyDocument;
use crate::inventory::fields::{
    backup_creation_time, collected_at, delete_after_days, earliest_restorable, expiry_time,
    inaccessible_since, latest_restorable, nullable, recovery_period_days, table_creation_time,
};
pub use crate::inventory::iam::{Iam, InlinePolicy, ManagedPolicy, Principal};
pub use crate::inventory::organization::{Organization, OrganizationalUnit};
pub use crate::inventory::planned::{PlannedEvidence, PlannedResource};
pub use crate::inventory::since::Since;
pub use crate::inventory::trail::{
    AdvancedEventSelector, DataResource, EventSelector, EventSelectors, FieldSelector, Trail,
};

/// The schema version this build writes. `eval` accepts any inventory with
/// the same major version (changes by version: `docs/inventory.md`).
pub const SCHEMA_VERSION: &str = "1.4";

/// The major part of [`SCHEMA_VERSION`].
pub const SCHEMA_MAJOR: u64 = 1;

/// The whole snapshot of one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    /// `MAJOR.MINOR`; readers reject an unknown major version.
    pub schema_version: String,
    /// Version of the dynaudit build that wrote this file.
    pub tool_version: String,
    /// RFC 3339 UTC time the collection started. Time-based rules (backup
    /// window) are evaluated as of this instant, so re-evaluating old
    /// evidence gives the answer it gave then. A value that is not RFC 3339,
    /// or not between 1970 and 2261, is refused when the inventory is read.
    #[serde(deserialize_with = "collected_at")]
    #[schemars(extend("format" = "date-time"))]
    pub collected_at: String,
    /// The 12-digit AWS account id.
    pub account_id: String,
    /// `aws`, `aws-cn` or `aws-us-gov`.
    pub partition: String,
    /// Every call that failed, so that each `null` below can be explained.
    pub errors: Vec<CollectionError>,
    /// Account-wide IAM authorization details; `null` if not collected.
    #[serde(deserialize_with = "nullable")]
    pub iam: Option<Iam>,
    /// CloudTrail trails visible from any scanned region, keyed by trail
    /// ARN. Which regions could list trails is in
    /// [`RegionInventory::trail_arns`].
    pub trails: BTreeMap<String, Trail>,
    /// Per-region evidence, keyed by region name (the regions asked for).
    pub regions: BTreeMap<String, RegionInventory>,
    /// The AWS Organization of the account, when it was selected through
    /// the organization (`--organization`, `--ou`; since 1.2). Absent for
    /// an account scanned on its own or named with `--accounts` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<Organization>,
    /// Why nothing of the account could be collected (its role could not
    /// be assumed, it is suspended, ...), if so: an incomplete scope, like a
    /// region's `not_collected` (since 1.2). Every region of such an
    /// inventory is `not_collected` with the same cause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_collected: Option<String>,
    /// Set when the evidence was read from infrastructure code by
    /// `dynaudit iac`, not collected from AWS (since 1.4): what the code
    /// plans, with the file and line of each resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned: Option<PlannedEvidence>,
}

/// Everything collected in one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionInventory {
    /// DynamoDB tables keyed by table ARN; `null` if they could not be listed.
    #[serde(deserialize_with = "nullable")]
    pub tables: Option<BTreeMap<String, Table>>,
    /// On-demand, system and AWS Backup backups (`ListBackups`, type `ALL`),
    /// grouped by the ARN of the table they belong to; `null` if not
    /// collected. A table with no backups has no key.
    #[serde(deserialize_with = "nullable")]
    pub backups: Option<BTreeMap<String, Vec<Backup>>>,
    /// KMS keys referenced by the region's tables and replicas, keyed by key
    /// ARN. Each is described once, however many tables use it.
    pub kms_keys: BTreeMap<String, KmsKey>,
    /// VPCs keyed by VPC id; `null` if not collected.
    #[serde(deserialize_with = "nullable")]
    pub vpcs: Option<BTreeMap<String, Vpc>>,
    /// VPC endpoints of any service keyed by endpoint id; `null` if not
    /// collected.
    #[serde(deserialize_with = "nullable")]
    pub vpc_endpoints: Option<BTreeMap<String, VpcEndpoint>>,
    /// ARNs of the trails `DescribeTrails` (with shadow trails) returned in
    /// this region, records in [`Inventory::trails`]; `null` if not collected.
    #[serde(deserialize_with = "nullable")]
    pub trail_arns: Option<Vec<String>>,
    /// AWS Config configuration recorders; `null` if not collected.
    #[serde(deserialize_with = "nullable")]
    pub config_recorders: Option<Vec<ConfigRecorder>>,
    /// AWS Config rules keyed by rule name; `null` if not collected.
    #[serde(deserialize_with = "nullable")]
    pub config_rules: Option<BTreeMap<String, ConfigRule>>,
    /// AWS Backup plans keyed by plan ARN; `null` if not collected.
    #[serde(deserialize_with = "nullable")]
    pub backup_plans: Option<BTreeMap<String, BackupPlan>>,
    /// DAX clusters keyed by cluster ARN; `null` if not collected (or DAX
    /// is not offered in the region, see `errors`).
    #[serde(deserialize_with = "nullable")]
    pub dax_clusters: Option<BTreeMap<String, DaxCluster>>,
    /// Application Auto Scaling targets of the `dynamodb` namespace
    /// (`DescribeScalableTargets`); `null` if not collected (since 1.3).
    #[serde(
        default,
        deserialize_with = "since::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub scalable_targets: Since<Vec<ScalableTarget>>,
    /// Application Auto Scaling policies of the `dynamodb` namespace
    /// (`DescribeScalingPolicies`); `null` if not collected (since 1.3).
    #[serde(
        default,
        deserialize_with = "since::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub scaling_policies: Since<Vec<ScalingPolicy>>,
    /// AWS Backup vaults keyed by vault name (`ListBackupVaults`), with
    /// their vault lock; `null` if not collected (since 1.3).
    #[serde(
        default,
        deserialize_with = "since::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub backup_vaults: Since<BTreeMap<String, BackupVault>>,
    /// CloudWatch metric alarms on `AWS/DynamoDB` metrics keyed by alarm
    /// ARN (`DescribeAlarms`); `null` if not collected (since 1.3).
    #[serde(
        default,
        deserialize_with = "since::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub metric_alarms: Since<BTreeMap<String, MetricAlarm>>,
    /// Exports of the region's tables to Amazon S3 keyed by export ARN
    /// (`ListExports`, `DescribeExport`); `null` if not collected (since
    /// 1.3).
    #[serde(
        default,
        deserialize_with = "since::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub exports: Since<BTreeMap<String, TableExport>>,
    /// Why nothing of the region could be collected (its collector failed,
    /// or it could not be reached), if so: an incomplete scope (since 1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_collected: Option<String>,
}

/// A DynamoDB table, as `DescribeTable` and the per-table calls saw it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// Table ARN.
    pub arn: String,
    /// Table name.
    pub name: String,
    /// `TableStatus`: `ACTIVE`, `CREATING`, `UPDATING`, `DELETING`,
    /// `INACCESSIBLE_ENCRYPTION_CREDENTIALS`, `ARCHIVING`, `ARCHIVED`;
    /// `null` if `DescribeTable` failed.
    #[serde(deserialize_with = "nullable")]
    pub status: Option<String>,
    /// Creation time, RFC 3339.
    #[serde(deserialize_with = "table_creation_time")]
    #[schemars(extend("format" = "date-time"))]
    pub creation_time: Option<String>,
    /// Server-side encryption; `null` if `DescribeTable` failed.
    #[serde(deserialize_with = "nullable")]
    pub encryption: Option<Encryption>,
    /// `DeletionProtectionEnabled`; `null` if not collected.
    #[serde(deserialize_with = "nullable")]
    pub deletion_protection: Option<bool>,
    /// Point-in-time recovery (`DescribeContinuousBackups`); `null` if not
    /// collected.
    #[serde(deserialize_with = "nullable")]
    pub point_in_time_recovery: Option<PointInTimeRecovery>,
    /// The table's stream, `null` if not collected; `enabled = false` when
    /// the table has none.
    #[serde(deserialize_with = "nullable")]
    pub stream: Option<Stream>,
    /// Replicas of a global table (version 2019.11.21), excluding this
    /// region; empty for a single-region table; `null` if not collected.
    #[serde(deserialize_with = "nullable")]
    pub replicas: Option<Vec<Replica>>,
    /// Tags; `null` if `ListTagsOfResource` failed.
    #[serde(deserialize_with = "nullable")]
    pub tags: Option<BTreeMap<String, String>>,
    /// The table's resource-based policy; `null` if not collected.
    #[serde(deserialize_with = "nullable")]
    pub resource_policy: Option<ResourcePolicy>,
    /// CloudWatch Contributor Insights status (`ENABLED`, `DISABLED`,
    /// `ENABLING`, `DISABLING`, `FAILED`); `null` if not collected.
    #[serde(deserialize_with = "nullable")]
    pub contributor_insights: Option<String>,
    /// `PROVISIONED` or `PAY_PER_REQUEST`.
    #[serde(deserialize_with = "nullable")]
    pub billing_mode: Option<String>,
    /// Names of the global secondary indexes; `null` if `DescribeTable`
    /// failed (since 1.3).
    #[serde(
        default,
        deserialize_with = "since::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub global_secondary_indexes: Since<Vec<String>>,
    /// The witness region of a multi-Region strong consistency global table
    /// (`GlobalTableWitnesses`), empty for any other table; `null` if
    /// `DescribeTable` failed (since 1.3).
    #[serde(
        default,
        deserialize_with = "since::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub witness_regions: Since<Vec<String>>,
}

/// Server-side encryption of a table or replica.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Encryption {
    /// `AWS_OWNED` when the table has no `SSEDescription` (the AWS owned
    /// key), otherwise `KMS`. Whether a KMS key is AWS managed or customer
    /// managed is in [`RegionInventory::kms_keys`].
    pub sse_type: SseType,
    /// `SSEDescription.Status` (`ENABLED`, `UPDATING`, ...), if any.
    #[serde(deserialize_with = "nullable")]
    pub status: Option<String>,
    /// `SSEDescription.KMSMasterKeyArn`, if any.
    #[serde(deserialize_with = "nullable")]
    pub kms_key_arn: Option<String>,
    /// When the key became inaccessible, RFC 3339, if it did.
    #[serde(deserialize_with = "inaccessible_since")]
    #[schemars(extend("format" = "date-time"))]
    pub inaccessible_since: Option<String>,
}

/// The kind of key that encrypts a table at rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SseType {
    /// The AWS owned key (no `SSEDescription`).
    AwsOwned,
    /// A KMS key: AWS managed (`alias/aws/dynamodb`) or customer managed.
    Kms,
}

/// Point-in-time recovery of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PointInTimeRecovery {
    /// `ENABLED` or `DISABLED`.
    pub status: String,
    /// `RecoveryPeriodInDays` (1-35) when enabled.
    #[serde(deserialize_with = "recovery_period_days")]
    #[schemars(range(min = 1, max = 35))]
    pub recovery_period_days: Option<i64>,
    /// Earliest restorable time, RFC 3339.
    #[serde(deserialize_with = "earliest_restorable")]
    #[schemars(extend("format" = "date-time"))]
    pub earliest_restorable: Option<String>,
    /// Latest restorable time, RFC 3339.
    #[serde(deserialize_with = "latest_restorable")]
    #[schemars(extend("format" = "date-time"))]
    pub latest_restorable: Option<String>,
}

/// A table's DynamoDB stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stream {
    /// Whether the stream is enabled.
    pub enabled: bool,
    /// `NEW_IMAGE`, `OLD_IMAGE`, `NEW_AND_OLD_IMAGES`, `KEYS_ONLY`.
    #[serde(deserialize_with = "nullable")]
    pub view_type: Option<String>,
    /// `LatestStreamArn`, `null` when the table has no stream (since 1.3).
    #[serde(
        default,
        deserialize_with = "since::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub arn: Since<String>,
    /// The stream's resource-based policy (`GetResourcePolicy` on the
    /// stream ARN); `null` if not collected or the table has no stream
    /// (since 1.3).
    #[serde(
        default,
        deserialize_with = "since::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub resource_policy: Since<ResourcePolicy>,
}

/// A replica of a global table in another region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Replica {
    /// Replica region.
    pub region: String,
    /// `ReplicaStatus`: `ACTIVE`, `CREATING`, `UPDATING`, `DELETING`,
    /// `CREATION_FAILED`, `REGION_DISABLED`, `INACCESSIBLE_ENCRYPTION_CREDENTIALS`.
    #[serde(deserialize_with = "nullable")]
    pub status: Option<String>,
    /// The replica's KMS key, when it uses a KMS key.
    #[serde(deserialize_with = "nullable")]
    pub kms_key_arn: Option<String>,
}

/// A table's resource-based policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourcePolicy {
    /// The policy document; `null` when the table has no policy
    /// (`PolicyNotFoundException`).
    #[serde(deserialize_with = "nullable")]
    pub document: Option<PolicyDocument>,
}

/// One backup of a table (`ListBackups` summary).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    /// Backup ARN.
    pub arn: String,
    /// Backup name.
    #[serde(deserialize_with = "nullable")]
    pub name: Option<String>,
    /// `USER`, `SYSTEM` or `AWS_BACKUP`.
    pub backup_type: String,
    /// `CREATING`, `AVAILABLE` or `DELETED`.
    pub status: String,
    /// When the backup was created, RFC 3339.
    #[serde(deserialize_with = "backup_creation_time")]
    #[schemars(extend("format" = "date-time"))]
    pub creation_time: String,
    /// When it expires (AWS Backup), RFC 3339.
    #[serde(deserialize_with = "expiry_time")]
    #[schemars(extend("format" = "date-time"))]
    pub expiry_time: Option<String>,
}

/// A KMS key that encrypts tables or replicas.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KmsKey {
    /// Key ARN.
    pub arn: String,
    /// `AWS` or `CUSTOMER`; `null` if `DescribeKey` failed.
    #[serde(deserialize_with = "nullable")]
    pub key_manager: Option<String>,
    /// `Enabled`, `Disabled`, `PendingDeletion`, `PendingImport`,
    /// `Unavailable`, ...; `null` if `DescribeKey` failed.
    #[serde(deserialize_with = "nullable")]
    pub key_state: Option<String>,
    /// Automatic rotation (`GetKeyRotationStatus`); `null` if not collected
    /// or not applicable (AWS managed keys rotate yearly, by AWS).
    #[serde(deserialize_with = "nullable")]
    pub rotation_enabled: Option<bool>,
    /// Aliases of the key (`alias/...`); `null` if not collected.
    #[serde(deserialize_with = "nullable")]
    pub aliases: Option<Vec<String>>,
    /// Whether this is a multi-Region key.
    #[serde(deserialize_with = "nullable")]
    pub multi_region: Option<bool>,
}

/// A VPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vpc {
    /// VPC id.
    pub vpc_id: String,
    /// Primary IPv4 CIDR block.
    #[serde(deserialize_with = "nullable")]
    pub cidr_block: Option<String>,
    /// Whether this is the region's default VPC.
    pub is_default: bool,
    /// Tags.
    pub tags: BTreeMap<String, String>,
}

/// A VPC endpoint (any service; rules filter on `service_name`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpcEndpoint {
    /// Endpoint id (`vpce-...`).
    pub endpoint_id: String,
    /// VPC id.
    pub vpc_id: String,
    /// e.g. `com.amazonaws.us-east-1.dynamodb`.
    pub service_name: String,
    /// `Gateway`, `Interface` or `GatewayLoadBalancer`.
    pub endpoint_type: String,
    /// `available`, `pending`, ...
    #[serde(deserialize_with = "nullable")]
    pub state: Option<String>,
    /// The endpoint policy; `null` when it has none (named in `absent`)
    /// or when not collected.
    #[serde(deserialize_with = "nullable")]
    pub policy_document: Option<PolicyDocument>,
    /// Route tables a gateway endpoint is associated with.
    pub route_table_ids: Vec<String>,
    /// Fields that are `null` because AWS has no value (schema 1.1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent: Vec<VpcEndpointField>,
}

/// An AWS Config configuration recorder and its status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigRecorder {
    /// Recorder name.
    pub name: String,
    /// `recordingGroup.allSupported`.
    pub all_supported: bool,
    /// `recordingGroup.resourceTypes` (when not all supported).
    pub resource_types: Vec<String>,
    /// `recordingGroup.exclusionByResourceTypes.resourceTypes`.
    pub excluded_resource_types: Vec<String>,
    /// `DescribeConfigurationRecorderStatus.recording`; `null` if not collected.
    #[serde(deserialize_with = "nullable")]
    pub recording: Option<bool>,
    /// `lastStatus`: `Pending`, `Success`, `Failure`.
    #[serde(deserialize_with = "nullable")]
    pub last_status: Option<String>,
}

/// An AWS Config rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigRule {
    /// Rule name.
    pub name: String,
    /// Rule ARN.
    #[serde(deserialize_with = "nullable")]
    pub arn: Option<String>,
    /// `AWS` (managed), `CUSTOM_LAMBDA` or `CUSTOM_POLICY`.
    pub source_owner: String,
    /// The identifier of a managed rule (`DYNAMODB_PITR_ENABLED`) or the
    /// Lambda ARN of a custom rule; `null` when the rule has none (named in
    /// `absent`) or when not collected.
    #[serde(deserialize_with = "nullable")]
    pub source_identifier: Option<String>,
    /// `ACTIVE`, `DELETING`, `EVALUATING`, ...
    #[serde(deserialize_with = "nullable")]
    pub state: Option<String>,
    /// `Scope.ComplianceResourceTypes`.
    pub scope_resource_types: Vec<String>,
    /// `COMPLIANT`, `NON_COMPLIANT`, `NOT_APPLICABLE`, `INSUFFICIENT_DATA`
    /// (`DescribeComplianceByConfigRule`); `null` if not collected.
    #[serde(deserialize_with = "nullable")]
    pub compliance: Option<String>,
    /// Resource ids Config reports `NON_COMPLIANT`; `null` if not collected.
    #[serde(deserialize_with = "nullable")]
    pub non_compliant_resources: Option<Vec<String>>,
    /// Fields that are `null` because AWS has no value (schema 1.1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent: Vec<ConfigRuleField>,
}

/// An AWS Backup plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupPlan {
    /// Plan ARN.
    pub arn: String,
    /// Plan id.
    pub id: String,
    /// Plan name.
    pub name: String,
    /// Plan rules; `null` if `GetBackupPlan` failed.
    #[serde(deserialize_with = "nullable")]
    pub rules: Option<Vec<BackupRule>>,
    /// Resource selections; `null` if not collected.
    #[serde(deserialize_with = "nullable")]
    pub selections: Option<Vec<BackupSelection>>,
}

/// A rule of a backup plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupRule {
    /// Rule name.
    pub name: String,
    /// Cron schedule.
    #[serde(deserialize_with = "nullable")]
    pub schedule: Option<String>,
    /// Target vault.
    #[serde(deserialize_with = "nullable")]
    pub target_vault: Option<String>,
    /// `Lifecycle.DeleteAfterDays`.
    #[serde(deserialize_with = "delete_after_days")]
    #[schemars(range(min = 0))]
    pub delete_after_days: Option<i64>,
}

/// A backup selection: which resources a plan protects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupSelection {
    /// Selection id.
    pub id: String,
    /// Selection name.
    pub name: String,
    /// Resource ARNs or wildcards (`arn:aws:dynamodb:*:*:table/*`, `*`).
    pub resources: Vec<String>,
    /// Resource ARNs or wildcards excluded.
    pub not_resources: Vec<String>,
    /// `ListOfTags` (OR-ed).
    pub list_of_tags: Vec<BackupTagCondition>,
    /// `Conditions.StringEquals` etc. (AND-ed), each with its operator.
    pub conditions: Vec<BackupTagCondition>,
}

/// A tag condition of a backup selection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupTagCondition {
    /// `STRINGEQUALS`, `STRINGNOTEQUALS`, `STRINGLIKE`, `STRINGNOTLIKE`.
    pub condition_type: String,
    /// Tag key (without the `aws:ResourceTag/` prefix).
    pub key: String,
    /// Tag value (may contain `*` for the LIKE forms).
    pub value: String,
}
