//! What IAM and EC2 records share as templates write them: a policy
//! document (an object, or a JSON string) and tags (`[{Key, Value}]`) of a
//! record whose tags cannot be `null`.

use std::collections::BTreeMap;

use crate::iac::resolved::{Resolved, Undetermined};
use crate::inventory::PolicyDocument;

/// A policy document as JSON: an object as written, a JSON string parsed
/// (a string that is not JSON is kept, for the rules to name its
/// problem); the first undetermined part otherwise.
pub fn document(value: &Resolved) -> Result<PolicyDocument, Undetermined> {
    match value.to_json() {
        Ok(serde_json::Value::String(text)) => {
            Ok(serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
        }
        Ok(json) => Ok(json),
        Err(why) => Err(why.clone()),
    }
}

/// Tags (`[{Key, Value}]`) of a record whose tags cannot be `null`: the
/// determinable ones, and why one is not (if one is not).
pub fn tags(value: &Resolved) -> (BTreeMap<String, String>, Option<Undetermined>) {
    let tags = value
        .items()
        .iter()
        .filter(|tag| tag.undetermined().is_none())
        .filter_map(|tag| {
            let value = tag.get("Value").as_string().unwrap_or_default();
            Some((tag.get("Key").as_string()?, value))
        })
        .collect();
    (tags, value.undetermined().cloned())
}
