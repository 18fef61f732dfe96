//! One collector per AWS service; see [`crate::collect`] for what each may
//! use.

pub mod application_autoscaling;
pub mod aws_config;
pub mod backup;
pub mod cloudtrail;
pub mod cloudwatch;
pub mod dax;
pub mod dynamodb;
pub mod dynamodb_exports;
pub mod ec2;
pub mod iam;
pub mod kms;
pub mod organizations;
pub mod sts;
