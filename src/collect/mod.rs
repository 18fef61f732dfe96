//! Live collection: turns AWS API answers into an [`Inventory`](crate::inventory::Inventory).
//!
//! One module per service. Each service module exposes async functions that
//! take a [`RegionContext`] (or, for IAM, an account-wide one), call only
//! read-only operations, throttle themselves through [`RateLimits`], record
//! every failed call in the [`ErrorRecorder`], and return inventory types in
//! which whatever could not be collected is `None`.

pub mod backup;
pub mod cloudtrail;
pub mod config;
pub mod dax;
pub mod ec2;
pub mod errors;
pub mod iam;
pub mod limits;
#[cfg(test)]
pub(crate) mod testing;
pub mod util;

use std::sync::Arc;

pub use errors::ErrorRecorder;
pub use limits::RateLimits;

/// What every collector of one region needs.
#[derive(Debug, Clone)]
pub struct RegionContext {
    /// The region, e.g. `us-east-1`.
    pub region: String,
    /// SDK configuration with the region, credentials, retry and timeout
    /// settings applied; build clients from it with `Client::new(&ctx.sdk_config)`.
    pub sdk_config: aws_config::SdkConfig,
    /// The scanned account.
    pub account_id: String,
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    /// Where failed calls go.
    pub errors: ErrorRecorder,
    /// Client-side per-operation rate limits (shared by all regions).
    pub limits: Arc<RateLimits>,
}
