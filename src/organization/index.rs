//! The index of an evidence directory (`DIR/index.json`): what a
//! multi-account run was asked for and what became of each account, with
//! the SHA-256 of each inventory file it wrote.
//!
//! The digests let `eval` notice a file that changed after the run
//! (corruption, an accidental edit, a file copied in from another run);
//! they do not stop a deliberate edit of a file and of the index together,
//! which needs signing (see `docs/organization.md`).

use serde::{Deserialize, Serialize};

use crate::organization::failure::FailureKind;

/// The file name of the index in an evidence directory.
pub const INDEX_FILE: &str = "index.json";

/// The index format this build writes; readers accept the same major.
pub const INDEX_VERSION: &str = "1.0";

/// `DIR/index.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Index {
    /// `MAJOR.MINOR` of this format.
    pub index_version: String,
    /// The dynaudit version that wrote it.
    pub tool_version: String,
    /// RFC 3339 UTC time the run started.
    pub started_at: String,
    /// `aws`, `aws-cn` or `aws-us-gov`.
    pub partition: String,
    /// The account of the scanning credentials.
    pub caller_account_id: String,
    /// The organization, when it was listed.
    pub organization: Option<IndexOrganization>,
    /// What the run was asked for.
    pub selection: IndexSelection,
    /// Every account of the selection, sorted by id.
    pub accounts: Vec<IndexEntry>,
}

/// The organization of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexOrganization {
    /// `o-...`.
    pub id: String,
    /// The management account's id.
    pub management_account_id: String,
}

/// The selection options of the run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexSelection {
    /// `--organization`.
    pub organization: bool,
    /// `--ou`.
    pub ou: Vec<String>,
    /// `--accounts`.
    pub accounts: Vec<String>,
    /// `--exclude-accounts`.
    pub exclude_accounts: Vec<String>,
    /// `--shard`, `K/N`.
    pub shard: Option<String>,
    /// `--role-name`.
    pub role_name: Option<String>,
    /// The regions asked for (`all`: every region enabled per account).
    pub regions: Vec<String>,
}

/// What became of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Its inventory was collected (its failed calls are in it).
    Collected,
    /// Nothing of it could be collected: an incomplete scope. Its inventory
    /// file says why (`not_collected`), so its rules are unknown.
    Failed,
    /// Listed by the organization but not scanned (not ACTIVE).
    Skipped,
}

impl AccountStatus {
    /// `collected`, `failed`, `skipped`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Collected => "collected",
            AccountStatus::Failed => "failed",
            AccountStatus::Skipped => "skipped",
        }
    }
}

/// One account of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexEntry {
    /// 12-digit id.
    pub account_id: String,
    /// Its name in the organization, when listed.
    pub name: Option<String>,
    /// `Root/Workloads/Prod`, when listed.
    pub ou_path: Option<String>,
    /// Collected, failed or skipped.
    pub status: AccountStatus,
    /// Why it failed or was skipped.
    pub cause: Option<String>,
    /// The cause of a failure, by kind.
    pub failure: Option<FailureKind>,
    /// The inventory file, relative to the directory (`<id>.json`).
    pub inventory: Option<String>,
    /// Lower-case hex SHA-256 of that file's bytes.
    pub sha256: Option<String>,
}

/// The inventory file name of an account.
pub fn inventory_file_name(account_id: &str) -> String {
    format!("{account_id}.json")
}
