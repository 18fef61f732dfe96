//! Fields added after 1.0 that a reader must tell apart from "not
//! collected": [`Since`] (schema 1.3 on).
//!
//! A field added in a minor version is missing from older inventories. A
//! rule that needs it then reports **unknown** with "not in this
//! inventory's schema version", which is not the same as a call that
//! failed (`null`, with its error in `errors`). So such a field has three
//! states, and keeps them through evaluation: the key is left out of the
//! rules' input when the inventory predates it, and is `null` when it was
//! not collected. An inventory of the version that added a field must
//! have its key: [`first_missing`] names the first one that is missing,
//! and reading the inventory fails on it.

use serde::{Deserialize, Deserializer};

use crate::inventory::Inventory;

/// A field added in a minor version: `None` when the inventory predates it
/// (the key is missing), `Some(None)` when it was not collected (`null`),
/// `Some(Some(value))` when it was.
pub type Since<T> = Option<Option<T>>;

/// The minor version that added the [`Since`] fields of this build.
pub const SINCE_MINOR: u64 = 3;

/// Reads a [`Since`] field that is present: `null` or a value.
pub fn present<'de, D, T>(deserializer: D) -> Result<Since<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// The value of a [`Since`] field, if the inventory has it and it was
/// collected.
pub fn value<T>(field: &Since<T>) -> Option<&T> {
    field.as_ref().and_then(Option::as_ref)
}

/// The path of the first [`Since`] field missing from an inventory whose
/// minor version is `minor`, if that version has the field.
pub fn first_missing(inventory: &Inventory, minor: u64) -> Option<String> {
    if minor < SINCE_MINOR {
        return None;
    }
    for (name, region) in &inventory.regions {
        if region.not_collected.is_some() {
            continue;
        }
        let at = |field: &str| Some(format!("regions.{name}.{field}"));
        if region.scalable_targets.is_none() {
            return at("scalable_targets");
        }
        if region.scaling_policies.is_none() {
            return at("scaling_policies");
        }
        if region.backup_vaults.is_none() {
            return at("backup_vaults");
        }
        if region.metric_alarms.is_none() {
            return at("metric_alarms");
        }
        if region.exports.is_none() {
            return at("exports");
        }
        for (arn, table) in region.tables.iter().flatten() {
            let at = |field: &str| Some(format!("regions.{name}.tables.{arn}.{field}"));
            if table.global_secondary_indexes.is_none() {
                return at("global_secondary_indexes");
            }
            if table.witness_regions.is_none() {
                return at("witness_regions");
            }
            if let Some(stream) = &table.stream {
                if stream.arn.is_none() {
                    return at("stream.arn");
                }
                if stream.resource_policy.is_none() {
                    return at("stream.resource_policy");
                }
            }
        }
        for (arn, cluster) in region.dax_clusters.iter().flatten() {
            let at = |field: &str| Some(format!("regions.{name}.dax_clusters.{arn}.{field}"));
            if cluster.total_nodes.is_none() {
                return at("total_nodes");
            }
            if cluster.nodes.is_none() {
                return at("nodes");
            }
        }
    }
    None
}
