//! dynaudit: a compliance auditor for Amazon DynamoDB estates.
#![forbid(unsafe_code)]

pub mod collect;
pub mod cli;
pub mod config;
pub mod docs;
pub mod eval;
pub mod load;
pub mod frameworks;
pub mod policy;
pub mod regions;
pub mod schema;
pub mod finding;
pub mod inventory;
pub mod metadata;
pub mod report;
