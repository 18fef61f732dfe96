//! Where an account sits in its AWS Organization (schema 1.2): the
//! `organization` block of an inventory collected through the organization.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where an account sits in its AWS Organization, as `organizations:*`
/// listed it when the inventory was collected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// The organization id, `o-` and 10 to 32 characters.
    pub id: String,
    /// The management account's id.
    pub management_account_id: String,
    /// The account's name in the organization.
    pub account_name: String,
    /// The account's status in the organization: `ACTIVE`, `SUSPENDED`,
    /// `PENDING_CLOSURE` (the `State` of `ListAccounts`, else its `Status`).
    pub account_status: String,
    /// The organizational units from the root down to the account's
    /// parent, the root first.
    pub ou_path: Vec<OrganizationalUnit>,
    /// Every ACTIVE account of the organization, sorted: the accounts that
    /// `trusted_account_ids = ["organization"]` trusts.
    pub account_ids: Vec<String>,
}

/// A root or organizational unit on an account's path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationalUnit {
    /// `r-...` for the root, `ou-...` for an organizational unit.
    pub id: String,
    /// Its name (`Root` for the root).
    pub name: String,
}
