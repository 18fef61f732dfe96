//! dynaudit: a compliance auditor for Amazon DynamoDB estates.
#![forbid(unsafe_code)]

pub mod cli_collect;
pub mod collect;
pub mod finding;
pub mod inventory;
pub mod metadata;
pub mod report;
