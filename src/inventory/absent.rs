//! The `absent` lists (schema 1.1): the fields of a record that are `null`
//! because AWS has no value for them, told apart from fields that are
//! `null` because they were not collected. A trail without a KMS key, a VPC
//! endpoint without a policy and an AWS Config rule without a source
//! identifier are facts that rules judge; a value that was not collected
//! makes them unknown.
//!
//! A list names only fields that can be absent, so a misspelt name is
//! refused when the inventory is read. A name whose field holds a value
//! changes nothing: the value is read. Inventories of schema 1.0 have no
//! lists, and rules read a `null` of these fields as absent, as they
//! always did.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A field of a trail that its `absent` list can name.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TrailField {
    /// `kms_key_id`: the trail does not encrypt its log files with a KMS key.
    KmsKeyId,
}

/// A field of a VPC endpoint that its `absent` list can name.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum VpcEndpointField {
    /// `policy_document`: the endpoint has no policy (AWS applies the
    /// default full-access policy).
    PolicyDocument,
}

/// A field of an AWS Config rule that its `absent` list can name.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ConfigRuleField {
    /// `source_identifier`: the rule has none (a custom policy rule).
    SourceIdentifier,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_field_names() {
        assert_eq!(
            serde_json::to_value([TrailField::KmsKeyId]).unwrap(),
            serde_json::json!(["kms_key_id"])
        );
        assert_eq!(
            serde_json::to_value([VpcEndpointField::PolicyDocument]).unwrap(),
            serde_json::json!(["policy_document"])
        );
        assert_eq!(
            serde_json::to_value([ConfigRuleField::SourceIdentifier]).unwrap(),
            serde_json::json!(["source_identifier"])
        );
        assert!(serde_json::from_value::<Vec<TrailField>>(serde_json::json!(["kms_key"])).is_err());
    }
}
