//! Reading a saved inventory, with errors that name the file, line and
//! column, and a clear refusal of schema versions this build cannot read.

use std::path::Path;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::inventory::{Inventory, SCHEMA_MAJOR, SCHEMA_VERSION};

/// Why an inventory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("cannot read inventory {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path}:{line}:{column}: the inventory is truncated (the JSON ends before the document does): {message}"
    )]
    Truncated {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}:{line}:{column}: malformed JSON: {message}")]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}:{line}:{column}: not a valid dynaudit inventory: {message}")]
    Shape {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{path}: schema_version `{found}` is not supported: this build of dynaudit reads schema {SCHEMA_MAJOR}.x (it writes {SCHEMA_VERSION}); use a dynaudit release that matches the inventory, or re-collect it"
    )]
    Version { path: String, found: String },
}

#[derive(Deserialize)]
struct VersionOnly {
    schema_version: Option<String>,
    #[serde(flatten)]
    _rest: std::collections::BTreeMap<String, IgnoredAny>,
}

/// A parsed inventory together with its source text (needed for SARIF line
/// numbers).
#[derive(Debug, Clone)]
pub struct LoadedInventory {
    /// The path as given.
    pub path: String,
    /// The file's text.
    pub text: String,
    /// The typed inventory.
    pub inventory: Inventory,
}

/// Reads and validates an inventory file.
pub fn load(path: &Path) -> Result<LoadedInventory, InventoryError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| InventoryError::Read {
        path: shown.clone(),
        source,
    })?;
    let inventory = parse(&shown, &text)?;
    Ok(LoadedInventory {
        path: shown,
        text,
        inventory,
    })
}

/// Parses inventory text; `path` names it in errors.
pub fn parse(path: &str, text: &str) -> Result<Inventory, InventoryError> {
    // First only the version (any other content is skipped), so that a
    // newer inventory is refused for its version, not for a field we do not
    // know yet.
    let version: VersionOnly = serde_json::from_str(text).map_err(|err| json_error(path, &err))?;
    let found = version.schema_version.unwrap_or_default();
    // `MAJOR.MINOR`, both numbers: rules read the minor (from 1.1 on, a
    // null value is told apart from an absent one).
    let number = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let major = match found.split_once('.') {
        Some((major, minor)) if number(major) && number(minor) => major.parse::<u64>().ok(),
        _ => None,
    };
    if major != Some(SCHEMA_MAJOR) {
        return Err(InventoryError::Version {
            path: path.to_string(),
            found,
        });
    }
    serde_json::from_str(text).map_err(|err| json_error(path, &err))
}

fn json_error(path: &str, err: &serde_json::Error) -> InventoryError {
    let path = path.to_string();
    let (line, column) = (err.line(), err.column().max(1));
    let message = crate::text_file::strip_position(&err.to_string());
    match err.classify() {
        serde_json::error::Category::Eof => InventoryError::Truncated {
            path,
            line,
            column,
            message,
        },
        serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
            InventoryError::Syntax {
                path,
                line,
                column,
                message,
            }
        }
        serde_json::error::Category::Data => InventoryError::Shape {
            path,
            line,
            column,
            message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_is_named() {
        let err = parse("x.json", "{\"schema_version\": \"1.0\", \"regions\": {").unwrap_err();
        assert!(matches!(err, InventoryError::Truncated { .. }), "{err}");
        assert!(err.to_string().starts_with("x.json:1:"), "{err}");
    }

    #[test]
    fn malformed_is_named_with_line() {
        let err = parse("x.json", "{\n\"schema_version\": \"1.0\",\n\"a\": tru,\n}").unwrap_err();
        assert!(matches!(err, InventoryError::Syntax { .. }), "{err}");
        assert!(err.to_string().starts_with("x.json:3:"), "{err}");
    }

    #[test]
    fn unknown_major_version_is_refused() {
        let err = parse("x.json", "{\"schema_version\": \"2.0\", \"future\": 1}").unwrap_err();
        assert!(matches!(err, InventoryError::Version { .. }), "{err}");
        assert!(err.to_string().contains("`2.0`"), "{err}");
    }

    #[test]
    fn version_must_be_major_dot_minor() {
        for version in ["1", "1.", "1.x", "1.1.0", "+1.1", "1.1-beta", " 1.1"] {
            let text = format!("{{\"schema_version\": \"{version}\"}}");
            let err = parse("x.json", &text).unwrap_err();
            assert!(
                matches!(err, InventoryError::Version { .. }),
                "{version}: {err}"
            );
        }
    }

    #[test]
    fn missing_version_is_refused() {
        let err = parse("x.json", "{}").unwrap_err();
        assert!(matches!(err, InventoryError::Version { .. }), "{err}");
    }

    #[test]
    fn unknown_field_is_named_with_line() {
        let text = "{\"schema_version\": \"1.0\",\n \"tool_version\": \"x\", \"colour\": 1}";
        let err = parse("x.json", text).unwrap_err();
        assert!(matches!(err, InventoryError::Shape { .. }), "{err}");
        assert!(err.to_string().contains("colour"), "{err}");
        assert!(err.to_string().starts_with("x.json:2:"), "{err}");
    }
}
