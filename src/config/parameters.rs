//! Rule parameters (`[parameters]`, `data.dynaudit.params` in Rego): every
//! one has a default, and all are echoed in reports.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The word of `trusted_account_ids` that trusts every ACTIVE account of
/// the organization (`organization.account_ids` of the inventory; the
/// policy library's `common.organization_word`).
pub const TRUSTED_ORGANIZATION: &str = "organization";

/// A parameter whose value TOML types alone cannot rule out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidParameter {
    /// The key under `[parameters]`, e.g. `min_pitr_recovery_days`.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

/// Rule parameters. Every one has a default; all are echoed in reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Parameters {
    /// DYN101: when non-empty, tables must be encrypted with one of these
    /// KMS key ARNs (empty: any customer managed key).
    pub allowed_kms_key_arns: Vec<String>,
    /// DYN201: minimum PITR recovery period in days (1-35).
    pub min_pitr_recovery_days: i64,
    /// DYN202: a backup (on-demand, system or AWS Backup) must have
    /// completed within this many hours before the inventory's
    /// `collected_at`.
    pub backup_window_hours: i64,
    /// DYN207: the fewest days an AWS Backup plan protecting a table must
    /// keep its recovery points (`Lifecycle.DeleteAfterDays`; a rule that
    /// never expires them keeps them long enough).
    pub min_backup_retention_days: i64,
    /// DYN207: whether the vault each such plan rule writes to must have an
    /// AWS Backup vault lock.
    pub require_vault_lock: bool,
    /// DYN205: table name -> regions it must have ACTIVE replicas in.
    pub required_replica_regions: BTreeMap<String, Vec<String>>,
    /// DYN205: tag whose value (space-separated regions, e.g.
    /// `us-west-2 eu-west-1`) sets a table's required replica regions.
    pub replica_regions_tag: String,
    /// DYN304: names of tables that require `dynamodb:LeadingKeys`
    /// row-level security.
    pub row_level_security_tables: Vec<String>,
    /// DYN304: tag that, set to `required`, marks a table as requiring
    /// row-level security.
    pub row_level_security_tag: String,
    /// DYN305, DYN306, DYN404, DYN507: accounts (besides the scanned one,
    /// always trusted) a table or stream resource policy may grant, a
    /// DynamoDB VPC endpoint policy may let through, and a table export may
    /// go to: 12-digit ids, or the word `organization`
    /// for every ACTIVE account of the AWS Organization (the inventory's
    /// `organization.account_ids`, written by `--organization` or `--ou`;
    /// without it, a grant only the organization could trust is unknown).
    pub trusted_account_ids: Vec<String>,
    /// DYN506: the CloudWatch metrics every table must have an alarm on,
    /// with an alarm action: each entry is a list of alternatives (any one
    /// of them is enough), e.g. `["ThrottledRequests", "ReadThrottleEvents",
    /// "WriteThrottleEvents"]`.
    pub required_alarm_metrics: Vec<Vec<String>>,
    /// DYN506: whether a global table must also have a `ReplicationLatency`
    /// alarm for each region it replicates to.
    pub require_replication_latency_alarm: bool,
    /// DYN507: whether table exports must be encrypted with SSE-KMS
    /// (`false`: SSE-S3 or the bucket's default encryption is accepted).
    pub require_export_kms: bool,
    /// DYN605: the regions a table, its replicas and the witness of a
    /// multi-Region strong consistency global table may be in (data
    /// residency); empty (the default): DYN605 emits nothing.
    pub allowed_regions: Vec<String>,
    /// DYN401: VPCs that must have a DynamoDB endpoint (empty: every VPC).
    pub vpc_ids: Vec<String>,
    /// DYN401: whether default VPCs are ignored.
    pub skip_default_vpcs: bool,
    /// DYN602: AWS Config managed rule identifiers that must be deployed in
    /// every region.
    pub required_config_rules: Vec<String>,
    /// DYN604: required tag keys -> allowed values (an empty list: any
    /// non-empty value).
    pub required_tags: BTreeMap<String, Vec<String>>,
}

impl Default for Parameters {
    fn default() -> Self {
        Parameters {
            allowed_kms_key_arns: Vec::new(),
            min_pitr_recovery_days: 35,
            backup_window_hours: 24,
            min_backup_retention_days: 30,
            require_vault_lock: false,
            required_replica_regions: BTreeMap::new(),
            replica_regions_tag: "dynaudit:replica-regions".to_string(),
            row_level_security_tables: Vec::new(),
            row_level_security_tag: "dynaudit:row-level-security".to_string(),
            trusted_account_ids: Vec::new(),
            required_alarm_metrics: vec![
                vec![
                    "ThrottledRequests".to_string(),
                    "ReadThrottleEvents".to_string(),
                    "WriteThrottleEvents".to_string(),
                ],
                vec!["SystemErrors".to_string()],
            ],
            require_replication_latency_alarm: true,
            require_export_kms: false,
            allowed_regions: Vec::new(),
            vpc_ids: Vec::new(),
            skip_default_vpcs: false,
            required_config_rules: vec![
                "DYNAMODB_TABLE_ENCRYPTED_KMS".to_string(),
                "DYNAMODB_PITR_ENABLED".to_string(),
                "DYNAMODB_IN_BACKUP_PLAN".to_string(),
            ],
            required_tags: BTreeMap::from([
                ("Application".to_string(), Vec::new()),
                ("Environment".to_string(), Vec::new()),
            ]),
        }
    }
}

impl Parameters {
    /// Checks values that TOML types alone cannot.
    pub fn validate(&self) -> Result<(), InvalidParameter> {
        let invalid = |key: &str, message: String| InvalidParameter {
            key: key.to_string(),
            message,
        };
        if !(1..=35).contains(&self.min_pitr_recovery_days) {
            return Err(invalid(
                "min_pitr_recovery_days",
                format!(
                    "{} is outside 1..=35 (DynamoDB's PITR recovery period range)",
                    self.min_pitr_recovery_days
                ),
            ));
        }
        if !(1..=36_500).contains(&self.min_backup_retention_days) {
            return Err(invalid(
                "min_backup_retention_days",
                format!(
                    "{} is outside 1..=36500 (AWS Backup keeps recovery points up to 100 years)",
                    self.min_backup_retention_days
                ),
            ));
        }
        for (i, metrics) in self.required_alarm_metrics.iter().enumerate() {
            let entry = i + 1;
            if metrics.is_empty() {
                return Err(invalid(
                    "required_alarm_metrics",
                    format!(
                        "entry {entry} is an empty list of alternatives, which no alarm can meet"
                    ),
                ));
            }
            for metric in metrics {
                let valid = !metric.is_empty()
                    && metric.len() <= 255
                    && metric.chars().all(|c| c.is_ascii_alphanumeric());
                if !valid {
                    return Err(invalid(
                        "required_alarm_metrics",
                        format!(
                            "entry {entry}: `{}` is not a DynamoDB metric name (letters and digits, e.g. `SystemErrors`)",
                            metric.escape_debug()
                        ),
                    ));
                }
            }
        }
        for region in &self.allowed_regions {
            if !crate::regions::looks_like_region(region) {
                return Err(invalid(
                    "allowed_regions",
                    format!("`{}` is not a region name", region.escape_debug()),
                ));
            }
        }
        if self.backup_window_hours < 1 {
            return Err(invalid(
                "backup_window_hours",
                format!("{} must be at least 1", self.backup_window_hours),
            ));
        }
        for account in &self.trusted_account_ids {
            let id = account.len() == 12 && account.chars().all(|c| c.is_ascii_digit());
            if !id && account != TRUSTED_ORGANIZATION {
                return Err(invalid(
                    "trusted_account_ids",
                    format!(
                        "`{account}` is neither a 12-digit AWS account id nor `{TRUSTED_ORGANIZATION}`"
                    ),
                ));
            }
        }
        for arn in &self.allowed_kms_key_arns {
            if !arn.starts_with("arn:") || !arn.contains(":kms:") {
                return Err(invalid(
                    "allowed_kms_key_arns",
                    format!("`{arn}` is not a KMS key ARN"),
                ));
            }
        }
        for (table, regions) in &self.required_replica_regions {
            for region in regions {
                if !crate::regions::looks_like_region(region) {
                    return Err(invalid(
                        &format!("required_replica_regions.{table}"),
                        format!("`{region}` is not a region name"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The parameters as the JSON object rules see as `data.dynaudit.params`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}
