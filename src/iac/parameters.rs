//! CloudFormation parameter values (`--parameters FILE`), in either format
//! AWS tools write:
//! - the CLI's: `[{"ParameterKey": "Env", "ParameterValue": "prod"}]`
//!   (`UsePreviousValue` entries are not determinable and are refused);
//! - CodePipeline's template configuration: `{"Parameters": {"Env": "prod"}}`.

use std::collections::BTreeMap;

use crate::iac::IacError;
use crate::iac::node::{Node, NodeValue};

/// Reads the parameters file `file` (its text `text`).
pub fn parse(file: &str, text: &str) -> Result<BTreeMap<String, String>, IacError> {
    if let Err(e) = crate::strict_json::check(text, Some(64 * 1024)) {
        return Err(IacError::at(
            file,
            u32::try_from(e.line()).unwrap_or(1),
            format!("not valid JSON: {e}"),
        ));
    }
    let root = crate::iac::yaml::parse(text).map_err(|e| IacError::at(file, e.line, e.message))?;
    let mut values = BTreeMap::new();
    let scalar = |node: &Node| match &node.value {
        NodeValue::String(s) | NodeValue::Number(s) => Some(s.clone()),
        NodeValue::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match &root.value {
        NodeValue::Seq(items) => {
            for item in items {
                let key = item.get("ParameterKey").and_then(scalar).ok_or_else(|| {
                    IacError::at(file, item.line, "each entry needs a ParameterKey string")
                })?;
                if item.get("UsePreviousValue").and_then(&scalar).as_deref() == Some("true") {
                    return Err(IacError::at(
                        file,
                        item.line,
                        format!(
                            "{}: UsePreviousValue is the deployed stack's value, which a template review cannot know; give the value",
                            crate::strict_json::quoted(&key)
                        ),
                    ));
                }
                let value = item.get("ParameterValue").and_then(scalar).ok_or_else(|| {
                    IacError::at(
                        file,
                        item.line,
                        format!(
                            "{} has no ParameterValue string",
                            crate::strict_json::quoted(&key)
                        ),
                    )
                })?;
                values.insert(key, value);
            }
        }
        NodeValue::Map(_) => {
            let Some(parameters) = root.get("Parameters") else {
                return Err(IacError::at(
                    file,
                    root.line,
                    "a parameters file is [{\"ParameterKey\": ..., \"ParameterValue\": ...}] or {\"Parameters\": {NAME: VALUE}}",
                ));
            };
            for (key, value) in parameters.entries() {
                let value = scalar(value).ok_or_else(|| {
                    IacError::at(
                        file,
                        key.line,
                        format!("{} is not a string", crate::strict_json::quoted(&key.name)),
                    )
                })?;
                values.insert(key.name.clone(), value);
            }
        }
        _ => {
            return Err(IacError::at(
                file,
                root.line,
                "a parameters file is [{\"ParameterKey\": ..., \"ParameterValue\": ...}] or {\"Parameters\": {NAME: VALUE}}",
            ));
        }
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats() {
        let cli = parse(
            "p.json",
            r#"[{"ParameterKey": "Env", "ParameterValue": "prod"}]"#,
        )
        .unwrap();
        assert_eq!(cli["Env"], "prod");
        let pipeline = parse("p.json", r#"{"Parameters": {"Env": "dev", "Days": 35}}"#).unwrap();
        assert_eq!(pipeline["Days"], "35");
    }

    #[test]
    fn refusals_name_the_line() {
        let err = parse(
            "p.json",
            "[\n{\"ParameterKey\": \"A\", \"UsePreviousValue\": true}\n]",
        )
        .unwrap_err();
        assert_eq!(err.line, 2);
        let err = parse("p.json", "{\"Env\": 1,\n\"Env\": 2}").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(parse("p.json", "42").is_err());
    }
}
