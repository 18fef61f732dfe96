//! One module per AWS service: each reads its resource types from
//! [`Context::properties`] into the planned inventory.

mod backup;
mod cloudtrail;
mod cloudwatch;
mod config;
mod dax;
mod documents;
mod dynamodb;
mod dynamodb_encryption;
mod ec2;
mod global_table_scaling;
mod iam;
mod kms;
mod scaling;
#[cfg(test)]
mod tests;

use crate::iac::IacError;
use crate::iac::cloudformation::context::Context;
use crate::iac::node::Node;

/// Reads one resource; types no rule needs are ignored.
pub fn add(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    let resource_type = context
        .resource
        .get("Type")
        .and_then(Node::as_str)
        .unwrap_or_default()
        .to_string();
    match resource_type.as_str() {
        "AWS::DynamoDB::Table" => dynamodb::table(context),
        "AWS::DynamoDB::GlobalTable" => dynamodb::global_table(context),
        "AWS::KMS::Key" => kms::key(context),
        "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
            iam::principal(context, &resource_type)
        }
        "AWS::IAM::Policy" => iam::policy(context),
        "AWS::IAM::ManagedPolicy" => iam::managed_policy(context),
        "AWS::EC2::VPC" => ec2::vpc(context),
        "AWS::EC2::VPCEndpoint" => ec2::vpc_endpoint(context),
        "AWS::CloudTrail::Trail" => cloudtrail::trail(context),
        "AWS::Config::ConfigurationRecorder" => config::recorder(context),
        "AWS::Config::ConfigRule" => config::rule(context),
        "AWS::Backup::BackupPlan" => backup::plan(context),
        "AWS::Backup::BackupSelection" => backup::selection(context),
        "AWS::Backup::BackupVault" => backup::vault(context),
        "AWS::DAX::Cluster" => dax::cluster(context),
        "AWS::CloudWatch::Alarm" => cloudwatch::alarm(context),
        "AWS::ApplicationAutoScaling::ScalableTarget" => scaling::target(context),
        "AWS::ApplicationAutoScaling::ScalingPolicy" => scaling::policy(context),
        _ => Ok(()),
    }
}
