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
//! have its key: the reader (`crate::load`) names the first one that is
//! missing and refuses the inventory.

use serde::{Deserialize, Deserializer};

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
