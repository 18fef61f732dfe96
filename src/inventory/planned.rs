//! Planned evidence (schema 1.4): an inventory that `dynaudit iac` read
//! from infrastructure code (CloudFormation, CDK output, a Terraform plan)
//! rather than collected from AWS. The evidence is what the code declares;
//! a value the code cannot know is `null` with an `errors` entry of kind
//! `not_determinable` that says why (`!ImportValue X`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where a planned inventory's evidence comes from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedEvidence {
    /// `cloudformation`, `cdk` or `terraform`.
    pub source: String,
    /// The files read, as given on the command line (relative paths with
    /// `/` separators when they were given so).
    pub files: Vec<String>,
    /// The account the resources are planned in, and where that came from
    /// (`--account`, `manifest.json`, `provider configuration`, or
    /// `placeholder` when nothing said it).
    pub account_source: String,
    /// Each planned resource keyed by the id its inventory record has (the
    /// ARN where the name is determinable, else the planned id).
    pub resources: BTreeMap<String, PlannedResource>,
}

/// One resource of the infrastructure code.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedResource {
    /// `template.yaml#LogicalId` (CloudFormation, CDK) or
    /// `plan.json#aws_dynamodb_table.orders` (Terraform): what waivers and
    /// fingerprints use when the name is not determinable.
    pub planned_id: String,
    /// The file that declares it.
    pub file: String,
    /// The 1-based line of its declaration (the logical id's key, or the
    /// resource's `address` in a plan).
    pub line: u32,
    /// `AWS::DynamoDB::Table`, `aws_dynamodb_table`, ...
    pub resource_type: String,
    /// Whether its physical name (and so its ARN) is determinable from the
    /// code: `false` when AWS generates it at deployment.
    pub name_determinable: bool,
    /// The 1-based lines of the properties that decide findings, keyed by
    /// inventory field (`point_in_time_recovery`, `encryption`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub property_lines: BTreeMap<String, u32>,
    /// Template parameters whose default was assumed while reading the
    /// resource, as `Name=value` ("assumed from the parameter default").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumed: Vec<String>,
}
