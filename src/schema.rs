//! The JSON Schema of the inventory, generated from the types. The copy
//! committed at `docs/inventory.schema.json` is checked against it by a test.

use crate::inventory::Inventory;

/// The inventory's JSON Schema, pretty-printed, with a final newline.
pub fn inventory_schema() -> String {
    let schema = schemars::schema_for!(Inventory);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
