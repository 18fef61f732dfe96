//! Reading a saved inventory, with errors that name the file, line and
//! column, and a clear refusal of schema versions this build cannot read.

use std::path::Path;

use crate::config::limits::{DEFAULT_MAX_INPUT_BYTES, MAX_INVENTORY_STRING_BYTES, input_limit};
use crate::inventory::{Inventory, SCHEMA_MAJOR, SCHEMA_VERSION};

/// Why an inventory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("cannot read inventory {path}: {source}")]
    Read {
        path: String,
        source: crate::text_file::ReadError,
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
        "{path}: not a valid dynaudit inventory: `{field}` is missing; schema {version} writes it (null when it was not collected)"
    )]
    MissingSince {
        path: String,
        version: String,
        field: String,
    },
    #[error(
        "{path}: schema_version `{found}` is not supported: this build of dynaudit reads schema {SCHEMA_MAJOR}.x (it writes {SCHEMA_VERSION}); use a dynaudit release that matches the inventory, or re-collect it"
    )]
    Version { path: String, found: String },
    #[error(
        "{path}: not a dynaudit inventory ({what}): an inventory is the JSON object `dynaudit collect` writes (or `scan --inventory-out`), starting {{\"schema_version\": \"{SCHEMA_VERSION}\", \"tool_version\": ..., \"account_id\": ..., \"regions\": {{...}}, ...}} (see docs/inventory.md)"
    )]
    NotInventory { path: String, what: String },
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

/// Reads and validates an inventory file of at most
/// [`DEFAULT_MAX_INPUT_BYTES`].
pub fn load(path: &Path) -> Result<LoadedInventory, InventoryError> {
    load_limited(path, DEFAULT_MAX_INPUT_BYTES)
}

/// Reads and validates an inventory file of at most `max_bytes`
/// (`--max-input-bytes`).
pub fn load_limited(path: &Path, max_bytes: u64) -> Result<LoadedInventory, InventoryError> {
    let shown = path.display().to_string();
    let text = crate::text_file::read_text(path, input_limit(max_bytes)).map_err(|source| {
        InventoryError::Read {
            path: shown.clone(),
            source,
        }
    })?;
    let inventory = parse(&shown, &text)?;
    Ok(LoadedInventory {
        path: shown,
        text,
        inventory,
    })
}

/// Parses inventory text; `path` names it in errors.
///
/// First a strict pass over the whole text ([`crate::strict_json`]): a key
/// twice in one object, or a string longer than
/// [`MAX_INVENTORY_STRING_BYTES`], is refused where it is. It also finds the
/// version, so that a newer inventory is refused for its version, not for a
/// field we do not know yet. Then the typed parse, which checks every key,
/// time and number ([`crate::inventory::fields`]).
pub fn parse(path: &str, text: &str) -> Result<Inventory, InventoryError> {
    let top = crate::strict_json::check(text, Some(MAX_INVENTORY_STRING_BYTES))
        .map_err(|err| json_error(path, &err))?;
    // A JSON document that is no inventory at all (a report, SARIF, `{}`)
    // is named for what it is, not for its missing version.
    if !top.has("schema_version") {
        return Err(InventoryError::NotInventory {
            path: path.to_string(),
            what: what_it_is(&top).to_string(),
        });
    }
    // A `schema_version` that is not a string is left to the typed parse,
    // which names its line.
    let mut minor = 0;
    if !top.has("schema_version") || top.schema_version.is_some() {
        let found = top.schema_version.unwrap_or_default();
        // `MAJOR.MINOR`, both numbers: rules read the minor (from 1.1 on, a
        // null value is told apart from an absent one), and so does the
        // check of the keys a minor version added, below.
        let number = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        let major = match found.split_once('.') {
            Some((major, found_minor)) if number(major) && number(found_minor) => {
                minor = found_minor.parse::<u64>().unwrap_or(0);
                major.parse::<u64>().ok()
            }
            _ => None,
        };
        if major != Some(SCHEMA_MAJOR) {
            // Shown on a terminal: control characters escaped, and short.
            let found: String = found
                .chars()
                .take(64)
                .flat_map(char::escape_debug)
                .collect();
            return Err(InventoryError::Version {
                path: path.to_string(),
                found,
            });
        }
    }
    let inventory: Inventory = serde_json::from_str(text).map_err(|err| json_error(path, &err))?;
    // A key a minor version added is required from that version on: its
    // absence says "not in this version", which the file's version denies.
    if let Some(field) = first_missing_since(&inventory, minor) {
        return Err(InventoryError::MissingSince {
            path: path.to_string(),
            version: inventory.schema_version.clone(),
            // Keys come from the file: shown on a terminal, escaped.
            field: field.chars().flat_map(char::escape_debug).collect(),
        });
    }
    Ok(inventory)
}

/// The path of the first [`Since`](crate::inventory::Since) field missing
/// from an inventory whose minor version is `minor`, if that version has
/// the field.
fn first_missing_since(inventory: &Inventory, minor: u64) -> Option<String> {
    if minor < crate::inventory::since::SINCE_MINOR {
        return None;
    }
    // The first of `fields` (name, whether its key is missing) that is
    // missing, named under `at`.
    let first = |at: String, fields: &[(&str, bool)]| {
        fields
            .iter()
            .find(|(_, missing)| *missing)
            .map(|(field, _)| format!("{at}.{field}"))
    };
    for (name, region) in &inventory.regions {
        if region.not_collected.is_some() {
            continue;
        }
        let at = format!("regions.{name}");
        let region_fields = [
            ("scalable_targets", region.scalable_targets.is_none()),
            ("scaling_policies", region.scaling_policies.is_none()),
            ("backup_vaults", region.backup_vaults.is_none()),
            ("metric_alarms", region.metric_alarms.is_none()),
            ("exports", region.exports.is_none()),
        ];
        if let Some(path) = first(at.clone(), &region_fields) {
            return Some(path);
        }
        for (arn, table) in region.tables.iter().flatten() {
            let stream = table.stream.as_ref();
            let table_fields = [
                (
                    "global_secondary_indexes",
                    table.global_secondary_indexes.is_none(),
                ),
                ("witness_regions", table.witness_regions.is_none()),
                ("stream.arn", stream.is_some_and(|s| s.arn.is_none())),
                (
                    "stream.resource_policy",
                    stream.is_some_and(|s| s.resource_policy.is_none()),
                ),
            ];
            if let Some(path) = first(format!("{at}.tables.{arn}"), &table_fields) {
                return Some(path);
            }
        }
        for (arn, cluster) in region.dax_clusters.iter().flatten() {
            let cluster_fields = [
                ("total_nodes", cluster.total_nodes.is_none()),
                ("nodes", cluster.nodes.is_none()),
            ];
            if let Some(path) = first(format!("{at}.dax_clusters.{arn}"), &cluster_fields) {
                return Some(path);
            }
        }
    }
    None
}

/// What a JSON document without `schema_version` looks like, by its
/// top-level keys.
fn what_it_is(top: &crate::strict_json::TopLevel) -> &'static str {
    if top.is_report() {
        "it is a dynaudit JSON report; `eval` reads the evidence, and a report is accepted by `diff` and `--baseline`"
    } else if top.has("runs") && (top.has("$schema") || top.has("version")) {
        "it is a SARIF log"
    } else if top.has("index_version") {
        "it is the index of an evidence set: pass its directory"
    } else if top.keys.is_empty() {
        "the document is empty or not a JSON object"
    } else {
        "it has no schema_version"
    }
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
            message: match message.strip_prefix("missing field ") {
                Some(field) => format!(
                    "missing field {field}: every key of the inventory must be present (`null` when its value was not collected)"
                ),
                None => message,
            },
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
        assert!(matches!(err, InventoryError::NotInventory { .. }), "{err}");
        // A report is named as such (it said "schema_version `` is not
        // supported").
        let err = parse("x.json", r#"{"tool": {}, "scope": {}, "findings": []}"#).unwrap_err();
        assert!(
            err.to_string().contains("it is a dynaudit JSON report"),
            "{err}"
        );
        let err = parse("x.json", r#"{"schema_version": "9.0"}"#).unwrap_err();
        assert!(matches!(err, InventoryError::Version { .. }), "{err}");
    }

    /// An inventory of one region, with `region` as its region's record.
    fn inventory(collected_at: &str, regions: &str) -> String {
        format!(
            "{{\"schema_version\": \"1.0\", \"tool_version\": \"x\", \"collected_at\": \"{collected_at}\",\n\"account_id\": \"1\", \"partition\": \"aws\", \"errors\": [], \"iam\": null, \"trails\": {{}},\n\"regions\": {{{regions}}}}}"
        )
    }

    fn region(backups: &str, pitr_days: &str) -> String {
        format!(
            r#"{{"tables": {{"t": {{"arn": "t", "name": "t", "status": null, "creation_time": null,
"encryption": null, "deletion_protection": null,
"point_in_time_recovery": {{"status": "ENABLED", "recovery_period_days": {pitr_days},
"earliest_restorable": null, "latest_restorable": null}},
"stream": null, "replicas": null, "tags": null, "resource_policy": null,
"contributor_insights": null, "billing_mode": null}}}},
"backups": {backups}, "kms_keys": {{}}, "vpcs": null, "vpc_endpoints": null,
"trail_arns": null, "config_recorders": null, "config_rules": null,
"backup_plans": null, "dax_clusters": null}}"#
        )
    }

    fn backups(creation_time: &str) -> String {
        format!(
            r#"{{"t": [{{"arn": "b", "name": null, "backup_type": "USER", "status": "AVAILABLE",
"creation_time": "{creation_time}", "expiry_time": null}}]}}"#
        )
    }

    fn parse_error(text: &str) -> String {
        parse("x.json", text).unwrap_err().to_string()
    }

    #[test]
    fn a_complete_inventory_loads() {
        let text = inventory(
            "2026-11-01T00:00:00Z",
            &format!(
                "\"eu-west-1\": {}",
                region(&backups("2026-10-31T05:11:58Z"), "35")
            ),
        );
        let inventory = parse("x.json", &text).unwrap();
        assert_eq!(inventory.regions.len(), 1);
        let sample = include_str!("../fixtures/sample-estate.json");
        assert!(parse("sample-estate.json", sample).is_ok());
    }

    #[test]
    fn a_duplicate_region_key_is_refused_at_its_line() {
        let one = region("null", "null");
        let text = inventory(
            "2026-11-01T00:00:00Z",
            &format!("\"eu-west-1\": {one},\n\"eu-west-1\": {one}"),
        );
        let second = text.rfind("\"eu-west-1\"").unwrap();
        let line = text[..second].matches('\n').count() + 1;
        let err = parse_error(&text);
        assert!(err.starts_with(&format!("x.json:{line}:")), "{err}");
        assert!(err.contains("duplicate key \"eu-west-1\""), "{err}");
    }

    #[test]
    fn an_over_long_string_is_refused() {
        let name = "n".repeat(MAX_INVENTORY_STRING_BYTES + 1);
        let text = inventory("2026-11-01T00:00:00Z", &format!("\"{name}\": {{}}"));
        let err = parse_error(&text);
        assert!(err.starts_with("x.json:3:"), "{err}");
        assert!(err.contains("65537 bytes"), "{err}");
    }

    #[test]
    fn a_missing_key_is_refused_even_where_null_is_allowed() {
        let text = inventory("2026-11-01T00:00:00Z", "").replace("\"iam\": null, ", "");
        let err = parse_error(&text);
        assert!(err.contains("missing field `iam`"), "{err}");
        assert!(err.contains("`null`"), "{err}");
        let text = inventory(
            "2026-11-01T00:00:00Z",
            &format!("\"eu-west-1\": {}", region("null", "null")),
        )
        .replace("\"stream\": null, ", "");
        assert!(parse_error(&text).contains("missing field `stream`"));
    }

    #[test]
    fn times_the_rules_compute_with_are_checked() {
        let err = parse_error(&inventory("2262-04-12T00:00:00Z", ""));
        assert!(err.starts_with("x.json:1:"), "{err}");
        assert!(
            err.contains("collected_at \"2262-04-12T00:00:00Z\""),
            "{err}"
        );
        for bad in ["2262-04-12T00:00:00Z", "yesterday", "2026-10-31T05:11:58"] {
            let text = inventory(
                "2026-11-01T00:00:00Z",
                &format!("\"eu-west-1\": {}", region(&backups(bad), "null")),
            );
            let err = parse_error(&text);
            assert!(err.starts_with("x.json:"), "{err}");
            assert!(err.contains(&format!("creation_time \"{bad}\"")), "{err}");
        }
    }

    /// The error names the value's line even when the value is the last of
    /// its object (serde_json would name the line of the closing brace).
    #[test]
    fn a_bad_value_is_named_at_its_own_line() {
        let text = inventory(
            "2026-11-01T00:00:00Z",
            &format!("\"eu-west-1\": {}", region("null", "null")),
        )
        .replace(
            "\"latest_restorable\": null}",
            "\"latest_restorable\": \"yesterday\"\n\n}",
        );
        let line = text[..text.find("yesterday").unwrap()]
            .matches('\n')
            .count()
            + 1;
        let err = parse_error(&text);
        assert!(err.starts_with(&format!("x.json:{line}:")), "{err}");
        assert!(err.contains("latest_restorable \"yesterday\""), "{err}");
        let text = text.replace("\"yesterday\"", "36").replace(
            "\"recovery_period_days\": null",
            "\"recovery_period_days\": -2",
        );
        let line = text[..text.find("-2").unwrap()].matches('\n').count() + 1;
        let err = parse_error(&text);
        assert!(err.starts_with(&format!("x.json:{line}:")), "{err}");
    }

    #[test]
    fn recovery_days_must_be_those_aws_offers() {
        for (days, ok) in [
            ("1", true),
            ("35", true),
            ("null", true),
            ("0", false),
            ("-1", false),
            ("36", false),
        ] {
            let text = inventory(
                "2026-11-01T00:00:00Z",
                &format!("\"eu-west-1\": {}", region("null", days)),
            );
            match parse("x.json", &text) {
                Ok(_) => assert!(ok, "{days} accepted"),
                Err(err) => {
                    assert!(!ok, "{days}: {err}");
                    let err = err.to_string();
                    assert!(
                        err.contains(&format!(
                            "recovery_period_days {days} is not between 1 and 35"
                        )),
                        "{err}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_version_that_is_not_a_string_is_named_with_line() {
        let err = parse_error("{\n\"schema_version\": 1.0}");
        assert!(err.starts_with("x.json:2:"), "{err}");
        assert!(err.contains("invalid type"), "{err}");
        let err = parse_error("{\"schema_version\": \"\\u001b[2J9\"}");
        assert!(!err.contains('\u{1b}'), "{err}");
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
