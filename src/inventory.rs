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
//!   bytes.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod absent;
mod errors;
pub use absent::{ConfigRuleField, TrailField, VpcEndpointField};
pub use errors::{CollectionError, ErrorKind};

/// The schema version this build writes. `eval` accepts any inventory with
/// the same major version (changes by version: `docs/inventory.md`).
pub const SCHEMA_VERSION: &str = "1.1";

/// The major part of [`SCHEMA_VERSION`].
pub const SCHEMA_MAJOR: u64 = 1;

/// A JSON policy document (IAM, resource, endpoint policy), kept as the
/// service returned it after URL-decoding.
pub type PolicyDocument = serde_json::Value;

/// A string that must be an RFC 3339 time, kept as written.
fn rfc3339_string<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = String::deserialize(deserializer)?;
    match time::OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339) {
        Ok(_) => Ok(text),
        Err(err) => Err(serde::de::Error::custom(format!(
            "collected_at {text:?} is not an RFC 3339 time ({err})"
        ))),
    }
}

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
    /// evidence gives the answer it gave then. A value that is not RFC 3339
    /// is refused when the inventory is read.
    #[serde(deserialize_with = "rfc3339_string")]
    pub collected_at: String,
    /// The 12-digit AWS account id.
    pub account_id: String,
    /// `aws`, `aws-cn` or `aws-us-gov`.
    pub partition: String,
    /// Every call that failed, so that each `null` below can be explained.
    pub errors: Vec<CollectionError>,
    /// Account-wide IAM authorization details; `null` if not collected.
    pub iam: Option<Iam>,
    /// CloudTrail trails visible from any scanned region, keyed by trail
    /// ARN. Which regions could list trails is in
    /// [`RegionInventory::trail_arns`].
    pub trails: BTreeMap<String, Trail>,
    /// Per-region evidence, keyed by region name (the regions asked for).
    pub regions: BTreeMap<String, RegionInventory>,
}

/// Everything collected in one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionInventory {
    /// DynamoDB tables keyed by table ARN; `null` if they could not be listed.
    pub tables: Option<BTreeMap<String, Table>>,
    /// On-demand, system and AWS Backup backups (`ListBackups`, type `ALL`),
    /// grouped by the ARN of the table they belong to; `null` if not
    /// collected. A table with no backups has no key.
    pub backups: Option<BTreeMap<String, Vec<Backup>>>,
    /// KMS keys referenced by the region's tables and replicas, keyed by key
    /// ARN. Each is described once, however many tables use it.
    pub kms_keys: BTreeMap<String, KmsKey>,
    /// VPCs keyed by VPC id; `null` if not collected.
    pub vpcs: Option<BTreeMap<String, Vpc>>,
    /// VPC endpoints of any service keyed by endpoint id; `null` if not
    /// collected.
    pub vpc_endpoints: Option<BTreeMap<String, VpcEndpoint>>,
    /// ARNs of the trails `DescribeTrails` (with shadow trails) returned in
    /// this region, records in [`Inventory::trails`]; `null` if not collected.
    pub trail_arns: Option<Vec<String>>,
    /// AWS Config configuration recorders; `null` if not collected.
    pub config_recorders: Option<Vec<ConfigRecorder>>,
    /// AWS Config rules keyed by rule name; `null` if not collected.
    pub config_rules: Option<BTreeMap<String, ConfigRule>>,
    /// AWS Backup plans keyed by plan ARN; `null` if not collected.
    pub backup_plans: Option<BTreeMap<String, BackupPlan>>,
    /// DAX clusters keyed by cluster ARN; `null` if not collected (or DAX
    /// is not offered in the region, see `errors`).
    pub dax_clusters: Option<BTreeMap<String, DaxCluster>>,
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
    pub status: Option<String>,
    /// Creation time, RFC 3339.
    pub creation_time: Option<String>,
    /// Server-side encryption; `null` if `DescribeTable` failed.
    pub encryption: Option<Encryption>,
    /// `DeletionProtectionEnabled`; `null` if not collected.
    pub deletion_protection: Option<bool>,
    /// Point-in-time recovery (`DescribeContinuousBackups`); `null` if not
    /// collected.
    pub point_in_time_recovery: Option<PointInTimeRecovery>,
    /// The table's stream, `null` if not collected; `enabled = false` when
    /// the table has none.
    pub stream: Option<Stream>,
    /// Replicas of a global table (version 2019.11.21), excluding this
    /// region; empty for a single-region table; `null` if not collected.
    pub replicas: Option<Vec<Replica>>,
    /// Tags; `null` if `ListTagsOfResource` failed.
    pub tags: Option<BTreeMap<String, String>>,
    /// The table's resource-based policy; `null` if not collected.
    pub resource_policy: Option<ResourcePolicy>,
    /// CloudWatch Contributor Insights status (`ENABLED`, `DISABLED`,
    /// `ENABLING`, `DISABLING`, `FAILED`); `null` if not collected.
    pub contributor_insights: Option<String>,
    /// `PROVISIONED` or `PAY_PER_REQUEST`.
    pub billing_mode: Option<String>,
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
    pub status: Option<String>,
    /// `SSEDescription.KMSMasterKeyArn`, if any.
    pub kms_key_arn: Option<String>,
    /// When the key became inaccessible, RFC 3339, if it did.
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
    pub recovery_period_days: Option<i64>,
    /// Earliest restorable time, RFC 3339.
    pub earliest_restorable: Option<String>,
    /// Latest restorable time, RFC 3339.
    pub latest_restorable: Option<String>,
}

/// A table's DynamoDB stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stream {
    /// Whether the stream is enabled.
    pub enabled: bool,
    /// `NEW_IMAGE`, `OLD_IMAGE`, `NEW_AND_OLD_IMAGES`, `KEYS_ONLY`.
    pub view_type: Option<String>,
}

/// A replica of a global table in another region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Replica {
    /// Replica region.
    pub region: String,
    /// `ReplicaStatus`: `ACTIVE`, `CREATING`, `UPDATING`, `DELETING`,
    /// `CREATION_FAILED`, `REGION_DISABLED`, `INACCESSIBLE_ENCRYPTION_CREDENTIALS`.
    pub status: Option<String>,
    /// The replica's KMS key, when it uses a KMS key.
    pub kms_key_arn: Option<String>,
}

/// A table's resource-based policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourcePolicy {
    /// The policy document; `null` when the table has no policy
    /// (`PolicyNotFoundException`).
    pub document: Option<PolicyDocument>,
}

/// One backup of a table (`ListBackups` summary).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    /// Backup ARN.
    pub arn: String,
    /// Backup name.
    pub name: Option<String>,
    /// `USER`, `SYSTEM` or `AWS_BACKUP`.
    pub backup_type: String,
    /// `CREATING`, `AVAILABLE` or `DELETED`.
    pub status: String,
    /// When the backup was created, RFC 3339.
    pub creation_time: String,
    /// When it expires (AWS Backup), RFC 3339.
    pub expiry_time: Option<String>,
}

/// A KMS key that encrypts tables or replicas.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KmsKey {
    /// Key ARN.
    pub arn: String,
    /// `AWS` or `CUSTOMER`; `null` if `DescribeKey` failed.
    pub key_manager: Option<String>,
    /// `Enabled`, `Disabled`, `PendingDeletion`, `PendingImport`,
    /// `Unavailable`, ...; `null` if `DescribeKey` failed.
    pub key_state: Option<String>,
    /// Automatic rotation (`GetKeyRotationStatus`); `null` if not collected
    /// or not applicable (AWS managed keys rotate yearly, by AWS).
    pub rotation_enabled: Option<bool>,
    /// Aliases of the key (`alias/...`); `null` if not collected.
    pub aliases: Option<Vec<String>>,
    /// Whether this is a multi-Region key.
    pub multi_region: Option<bool>,
}

/// A VPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vpc {
    /// VPC id.
    pub vpc_id: String,
    /// Primary IPv4 CIDR block.
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
    pub state: Option<String>,
    /// The endpoint policy; `null` when it has none (named in `absent`)
    /// or when not collected.
    pub policy_document: Option<PolicyDocument>,
    /// Route tables a gateway endpoint is associated with.
    pub route_table_ids: Vec<String>,
    /// Fields that are `null` because AWS has no value (schema 1.1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent: Vec<VpcEndpointField>,
}

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
    pub kms_key_id: Option<String>,
    /// Destination bucket.
    pub s3_bucket_name: Option<String>,
    /// `GetTrailStatus.IsLogging`; `null` if not collected.
    pub is_logging: Option<bool>,
    /// `GetEventSelectors`; `null` if not collected.
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
    pub read_write_type: Option<String>,
    /// Whether management events are recorded.
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
    pub recording: Option<bool>,
    /// `lastStatus`: `Pending`, `Success`, `Failure`.
    pub last_status: Option<String>,
}

/// An AWS Config rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigRule {
    /// Rule name.
    pub name: String,
    /// Rule ARN.
    pub arn: Option<String>,
    /// `AWS` (managed), `CUSTOM_LAMBDA` or `CUSTOM_POLICY`.
    pub source_owner: String,
    /// The identifier of a managed rule (`DYNAMODB_PITR_ENABLED`) or the
    /// Lambda ARN of a custom rule; `null` when the rule has none (named in
    /// `absent`) or when not collected.
    pub source_identifier: Option<String>,
    /// `ACTIVE`, `DELETING`, `EVALUATING`, ...
    pub state: Option<String>,
    /// `Scope.ComplianceResourceTypes`.
    pub scope_resource_types: Vec<String>,
    /// `COMPLIANT`, `NON_COMPLIANT`, `NOT_APPLICABLE`, `INSUFFICIENT_DATA`
    /// (`DescribeComplianceByConfigRule`); `null` if not collected.
    pub compliance: Option<String>,
    /// Resource ids Config reports `NON_COMPLIANT`; `null` if not collected.
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
    pub rules: Option<Vec<BackupRule>>,
    /// Resource selections; `null` if not collected.
    pub selections: Option<Vec<BackupSelection>>,
}

/// A rule of a backup plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupRule {
    /// Rule name.
    pub name: String,
    /// Cron schedule.
    pub schedule: Option<String>,
    /// Target vault.
    pub target_vault: Option<String>,
    /// `Lifecycle.DeleteAfterDays`.
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

/// A DAX cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DaxCluster {
    /// Cluster ARN.
    pub arn: String,
    /// Cluster name.
    pub name: String,
    /// `available`, `creating`, ...
    pub status: Option<String>,
    /// `SSEDescription.Status`: `ENABLED`, `DISABLED`, ...; `null` if absent.
    pub sse_status: Option<String>,
    /// `ClusterEndpointEncryptionType`: `NONE` or `TLS`; `null` if absent.
    pub endpoint_encryption: Option<String>,
}

/// Account-wide IAM authorization details.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Iam {
    /// Users keyed by ARN.
    pub users: BTreeMap<String, Principal>,
    /// Groups keyed by ARN.
    pub groups: BTreeMap<String, Principal>,
    /// Roles keyed by ARN.
    pub roles: BTreeMap<String, Principal>,
    /// Managed policies (customer and AWS managed that are attached) keyed
    /// by policy ARN, with their default version's document.
    pub policies: BTreeMap<String, ManagedPolicy>,
}

/// An IAM user, group or role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Principal {
    /// ARN.
    pub arn: String,
    /// Name.
    pub name: String,
    /// Inline policies.
    pub inline_policies: Vec<InlinePolicy>,
    /// ARNs of attached managed policies (records in [`Iam::policies`]).
    pub attached_policy_arns: Vec<String>,
    /// For users: names of the groups the user belongs to.
    pub group_names: Vec<String>,
    /// Tags (users and roles).
    pub tags: BTreeMap<String, String>,
}

/// An inline policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InlinePolicy {
    /// Policy name.
    pub name: String,
    /// Policy document.
    pub document: PolicyDocument,
}

/// A managed policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagedPolicy {
    /// Policy ARN.
    pub arn: String,
    /// Policy name (derived from the ARN when the API omits it).
    pub name: String,
    /// Number of principals it is attached to.
    pub attachment_count: Option<i64>,
    /// The default version's document; `null` if not collected.
    pub document: Option<PolicyDocument>,
}
