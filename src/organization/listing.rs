//! What AWS Organizations said about the organization: its id, its
//! management account, and every account with its status and OU path.

use crate::inventory::{Organization, OrganizationalUnit};

/// The organization as listed at the start of a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrganizationListing {
    /// `o-...`.
    pub organization_id: String,
    /// The management account's id.
    pub management_account_id: String,
    /// Every account of the organization, sorted by id.
    pub accounts: Vec<ListedAccount>,
}

/// One account of the organization.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListedAccount {
    /// 12-digit id.
    pub id: String,
    /// Its name in the organization.
    pub name: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`, `CLOSED`,
    /// `PENDING_ACTIVATION` (the account's `State`, else its `Status`).
    pub status: String,
    /// The root and OUs from the root down to the account's parent; empty
    /// if the account was not found under the root.
    pub ou_path: Vec<OrganizationalUnit>,
}

impl ListedAccount {
    /// Whether the account can be scanned.
    pub fn is_active(&self) -> bool {
        self.status == "ACTIVE"
    }

    /// `Root/Workloads/Prod`.
    pub fn ou_path_text(&self) -> String {
        ou_path_text(&self.ou_path)
    }

    /// Whether the account sits under `ou_id` (a root or OU id), at any
    /// depth.
    pub fn is_under(&self, ou_id: &str) -> bool {
        self.ou_path.iter().any(|ou| ou.id == ou_id)
    }
}

/// `Root/Workloads/Prod` for a path of units.
pub fn ou_path_text(path: &[OrganizationalUnit]) -> String {
    path.iter()
        .map(|ou| ou.name.as_str())
        .collect::<Vec<_>>()
        .join("/")
}

impl OrganizationListing {
    /// Every ACTIVE account's id, sorted.
    pub fn active_ids(&self) -> Vec<String> {
        self.accounts
            .iter()
            .filter(|a| a.is_active())
            .map(|a| a.id.clone())
            .collect()
    }

    /// The account with this id.
    pub fn account(&self, id: &str) -> Option<&ListedAccount> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// Whether a root or OU of this id was met while listing.
    pub fn has_unit(&self, unit_id: &str) -> bool {
        self.accounts.iter().any(|a| a.is_under(unit_id))
    }

    /// The inventory's `organization` block for one of its accounts.
    pub fn block_for(&self, account: &ListedAccount) -> Organization {
        Organization {
            id: self.organization_id.clone(),
            management_account_id: self.management_account_id.clone(),
            account_name: account.name.clone(),
            account_status: account.status.clone(),
            ou_path: account.ou_path.clone(),
            account_ids: self.active_ids(),
        }
    }
}
