//! Account-wide IAM authorization details: users, groups, roles and the
//! managed policies attached to them.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::inventory::fields::{PolicyDocument, attachment_count, nullable};

/// Account-wide IAM authorization details.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Iam {
    /// Users keyed by ARN.
    pub users: BTreeMap<String, Principal>,
    /// Groups keyed by ARN.
    pub groups: BTreeMap<String, Principal>,
    /// Roles keyed by ARN.
    pub roles: BTreeMap<String, Principal>,
    /// Managed policies (customer and AWS managed that are attached) keyed
    /// by policy ARN, with their default version's document.
    pub policies: BTreeMap<String, ManagedPolicy>,
}

/// An IAM user, group or role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Principal {
    /// ARN.
    pub arn: String,
    /// Name.
    pub name: String,
    /// Inline policies.
    pub inline_policies: Vec<InlinePolicy>,
    /// ARNs of attached managed policies (records in [`Iam::policies`]).
    pub attached_policy_arns: Vec<String>,
    /// For users: names of the groups the user belongs to.
    pub group_names: Vec<String>,
    /// Tags (users and roles).
    pub tags: BTreeMap<String, String>,
}

/// An inline policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InlinePolicy {
    /// Policy name.
    pub name: String,
    /// Policy document.
    pub document: PolicyDocument,
}

/// A managed policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagedPolicy {
    /// Policy ARN.
    pub arn: String,
    /// Policy name (derived from the ARN when the API omits it).
    pub name: String,
    /// Number of principals it is attached to.
    #[serde(deserialize_with = "attachment_count")]
    #[schemars(range(min = 0))]
    pub attachment_count: Option<i64>,
    /// The default version's document; `null` if not collected.
    #[serde(deserialize_with = "nullable")]
    pub document: Option<PolicyDocument>,
}
