//! The estate of `tests/scan_emulator.rs`: three regions of one account
//! seeded through the Rust SDK so that every rule the emulator can model
//! passes somewhere and fails somewhere, each resource under a label
//! (`table:orders`, `key:east-rotated`, ...) that the expected outcomes
//! name. Every call here was tried on moto 5.2.5 and is served (KMS
//! DisableKey/ScheduleKeyDeletion take only a bare key id there); what moto
//! cannot model is listed in the test's documentation.

mod backup;
mod config;
mod dax;
mod iam;
mod monitoring;
mod network;
mod tables;
pub mod trails;

use std::collections::BTreeMap;

use crate::support::moto::TestAccount;

pub const EAST: &str = "us-east-1";
pub const WEST: &str = "us-west-2";
pub const EU: &str = "eu-west-1";
/// An account outside the estate (DYN305's cross-account grant).
pub const FOREIGN_ACCOUNT: &str = "999988887777";

/// Labels of seeded resources -> their ids (ARNs, VPC ids, ...), so the
/// expectations can be written before the ids exist.
#[derive(Debug, Default)]
pub struct Estate {
    pub account_id: String,
    pub ids: BTreeMap<String, String>,
}

impl Estate {
    pub fn put(&mut self, label: &str, id: impl Into<String>) {
        let previous = self.ids.insert(label.to_string(), id.into());
        assert!(previous.is_none(), "label {label} used twice");
    }

    /// The resource id of `label`; `region:R` is the per-region resource
    /// `<account>/R`.
    pub fn id(&self, label: &str) -> String {
        if let Some(region) = label.strip_prefix("region:") {
            return format!("{}/{region}", self.account_id);
        }
        self.ids
            .get(label)
            .unwrap_or_else(|| panic!("no seeded resource labelled {label}"))
            .clone()
    }
}

/// Seeds the estate into the account; returns the labels of what it made.
pub async fn seed_estate(account: &TestAccount) -> Estate {
    let mut e = Estate {
        account_id: account.account_id.clone(),
        ..Estate::default()
    };
    tables::seed_tables(account, &mut e).await;
    iam::seed_iam(account, &mut e).await;
    network::seed_network(account, &mut e).await;
    trails::seed_trails(account, &mut e).await;
    config::seed_config(account, &mut e).await;
    backup::seed_backup_plans(account, &mut e).await;
    dax::seed_dax(account, &mut e).await;
    monitoring::seed_monitoring(account, &mut e).await;
    e
}

fn statement_policy(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}
