//! dynaudit: a compliance auditor for Amazon DynamoDB estates.
#![forbid(unsafe_code)]

pub mod cli;
pub mod cli_collect;
pub mod cli_diff;
pub mod collect;
pub mod config;
pub mod diff;
pub mod docs;
pub mod eval;
pub mod finding;
pub mod frameworks;
pub mod inventory;
pub mod load;
pub mod metadata;
pub mod policy;
pub mod regions;
pub mod report;
pub mod schema;
pub mod text_file;
pub mod waivers;
