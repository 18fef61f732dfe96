//! The JSON Schema of the inventory, generated from the types. The copy
//! committed at `docs/inventory.schema.json` is checked against it by a test.

use schemars::Schema;
use schemars::generate::SchemaSettings;
use schemars::transform::{Transform, transform_subschemas};

use crate::inventory::Inventory;

/// The inventory's JSON Schema, pretty-printed, with a final newline.
pub fn inventory_schema() -> String {
    let schema = SchemaSettings::default()
        .with_transform(RequireEveryKey)
        .into_generator()
        .into_root_schema_for::<Inventory>();
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Every property without a default is required, `Option` ones included:
/// an inventory writes every key, and the reader refuses a missing one
/// (`null` is how it says "not collected"; `inventory::fields`). schemars
/// would make `Option` properties optional.
#[derive(Clone)]
struct RequireEveryKey;

impl Transform for RequireEveryKey {
    fn transform(&mut self, schema: &mut Schema) {
        if let Some(object) = schema.as_object_mut()
            && let Some(serde_json::Value::Object(properties)) = object.get("properties")
        {
            let required: Vec<serde_json::Value> = properties
                .iter()
                .filter(|(_, property)| property.get("default").is_none())
                .map(|(name, _)| serde_json::Value::String(name.clone()))
                .collect();
            object.insert("required".to_string(), serde_json::Value::Array(required));
        }
        transform_subschemas(self, schema);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every property of every object of the schema is required.
    #[test]
    fn every_key_is_required() {
        let schema: serde_json::Value = serde_json::from_str(&inventory_schema()).unwrap();
        let definitions = schema["$defs"].as_object().unwrap();
        let mut objects: Vec<(&str, &serde_json::Value)> = vec![("Inventory", &schema)];
        objects.extend(definitions.iter().map(|(name, def)| (name.as_str(), def)));
        let mut checked = 0;
        for (name, object) in objects {
            let Some(properties) = object["properties"].as_object() else {
                continue;
            };
            let required: Vec<&str> = object["required"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            for property in properties.keys() {
                assert!(required.contains(&property.as_str()), "{name}.{property}");
            }
            checked += 1;
        }
        assert!(checked > 20, "{checked}");
    }
}
