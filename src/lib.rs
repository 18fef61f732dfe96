//! dynaudit: a compliance auditor for Amazon DynamoDB estates.
#![forbid(unsafe_code)]

pub mod audit;
pub mod bounds;
pub mod cli;
pub mod collect;
pub mod config;
pub mod diff;
pub mod eval;
pub mod evidence_set;
pub mod finding;
pub mod frameworks;
pub mod gate;
pub mod iac;
pub mod inventory;
pub mod load;
pub mod metadata;
pub mod organization;
pub mod policy;
pub mod policy_packages;
pub mod reasons;
pub mod regions;
pub mod report;
pub mod schema;
pub mod strict_json;
pub mod text_file;
pub mod waivers;
