//! AWS Backup vaults (schema 1.3): the vault lock that keeps recovery
//! points from being deleted early, which DYN207 checks on the vaults that
//! the plans protecting a table write to.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::inventory::fields::nullable;

/// A backup vault (`ListBackupVaults`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupVault {
    /// `BackupVaultName`.
    pub name: String,
    /// `BackupVaultArn`.
    pub arn: String,
    /// `Locked`: a vault lock is in place (in compliance mode after its
    /// grace time, or in governance mode).
    pub locked: bool,
    /// `MinRetentionDays` of the vault lock, if any.
    #[serde(deserialize_with = "nullable")]
    pub min_retention_days: Option<i64>,
    /// `MaxRetentionDays` of the vault lock, if any.
    #[serde(deserialize_with = "nullable")]
    pub max_retention_days: Option<i64>,
    /// `LockDate`: when a compliance-mode lock becomes immutable, RFC 3339;
    /// `null` for governance mode or no lock.
    #[serde(deserialize_with = "nullable")]
    pub lock_date: Option<String>,
}
