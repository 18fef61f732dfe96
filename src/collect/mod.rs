//! Live collection: turns AWS API answers into an [`Inventory`](crate::inventory::Inventory).
//!
//! One module per service. Each service module exposes async functions that
//! take a [`RegionContext`] (or, for IAM, an account-wide one), call only
//! read-only operations, throttle themselves through [`RateLimits`], record
//! every failed call in the [`ErrorRecorder`], and return inventory types in
//! which whatever could not be collected is `None`.

pub mod backup;
pub mod breaker;
pub mod cloudtrail;
pub mod config;
pub mod dax;
pub mod dynamodb;
pub mod ec2;
pub mod errors;
pub mod iam;
pub mod kms;
pub mod limits;
pub mod permissions;
pub mod record;
pub mod scan;
pub mod sts;
#[cfg(test)]
pub(crate) mod testing;
pub mod util;

use std::sync::Arc;

pub use breaker::RegionBreaker;
pub use errors::ErrorRecorder;
pub use limits::{RateLimitConfig, RateLimits};
pub use record::OperationRecorder;
pub use scan::{
    CollectError, CollectOptions, CollectSummary, RegionSelection, ScanSettings, collect,
};

/// Builds a client of SDK crate `$sdk` for a [`RegionContext`], with the
/// context's settings, the [`OperationRecorder`] and the per-region
/// [`RegionBreaker`] installed. Every client
/// a collector uses must be built with this macro (a test checks the
/// sources), so the recorded operation list is complete.
///
/// ```ignore
/// let client = sdk_client!(aws_sdk_dynamodb, ctx);
/// let iam = sdk_client!(aws_sdk_iam, ctx, |b| b.region(Region::new("us-east-1")));
/// ```
#[macro_export]
macro_rules! sdk_client {
    ($sdk:ident, $ctx:expr) => {
        $crate::sdk_client!($sdk, $ctx, |builder| builder)
    };
    ($sdk:ident, $ctx:expr, $customize:expr) => {{
        let ctx: &$crate::collect::RegionContext = &$ctx;
        fn customize<F: FnOnce($sdk::config::Builder) -> $sdk::config::Builder>(f: F) -> F {
            f
        }
        // No retry quota (the SDK's default token bucket of 500 tokens per
        // service and region, 5 per retry, refunded only on success): every
        // call gets its `max_attempts`. The quota guards services against
        // retry storms from clients that send as fast as they can; the scan
        // paces itself with per-operation rate limits and bounds retries by
        // `max_attempts`, and a call cut short by an empty quota would turn
        // into a lost field (unknown) that one more attempt would have
        // collected.
        let builder = $sdk::config::Builder::from(&ctx.sdk_config)
            .interceptor(ctx.operations.clone())
            .interceptor(ctx.breaker.clone())
            .interceptor($crate::collect::limits::RetryCharge(
                ::std::sync::Arc::clone(&ctx.limits),
            ))
            .retry_partition(
                $sdk::config::retry::RetryPartition::custom("dynaudit")
                    .token_bucket($sdk::config::retry::TokenBucket::unlimited())
                    .build(),
            );
        let config = customize($customize)(builder).build();
        // `[scan.region_endpoints]`, by the region the client is for (a
        // collector may build a client for another region: KMS keys of
        // replicas, a trail's home region).
        let config = match config
            .region()
            .and_then(|r| ctx.region_endpoints.get(r.as_ref()))
        {
            Some(url) => config.to_builder().endpoint_url(url).build(),
            None => config,
        };
        $sdk::Client::from_conf(config)
    }};
}

/// What every collector of one region needs.
#[derive(Debug, Clone)]
pub struct RegionContext {
    /// The region, e.g. `us-east-1`.
    pub region: String,
    /// SDK configuration with the region, credentials, retry and timeout
    /// settings applied; build clients with [`sdk_client!`](crate::sdk_client).
    pub sdk_config: aws_config::SdkConfig,
    /// The scanned account.
    pub account_id: String,
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    /// Where failed calls go.
    pub errors: ErrorRecorder,
    /// Client-side per-operation rate limits (shared by all regions).
    pub limits: Arc<RateLimits>,
    /// Records every operation sent (install with [`sdk_client!`]).
    pub operations: OperationRecorder,
    /// Cuts off a region after its first connect failure (install with
    /// [`sdk_client!`]; shared by all regions of the scan).
    pub breaker: RegionBreaker,
    /// `[scan.region_endpoints]`: region -> endpoint URL. Applied per
    /// client by [`sdk_client!`], so it wins over `AWS_ENDPOINT_URL` (which
    /// the SDK reads per service, after the shared configuration).
    pub region_endpoints: Arc<std::collections::BTreeMap<String, String>>,
}

#[cfg(test)]
mod tests {
    /// Every client a collector builds carries the operation recorder: the
    /// sources build clients only through `sdk_client!` (scan.rs installs
    /// the recorder by hand on its STS and EC2 clients).
    #[test]
    fn every_client_is_built_with_the_recorder() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/collect");
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if !name.ends_with(".rs") || name == "mod.rs" || name == "testing.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Production code only: tests build mock clients.
            let code = text.split("#[cfg(test)]").next().unwrap();
            let builds =
                code.matches("Client::new(").count() + code.matches("Client::from_conf(").count();
            let recorded = code.matches(".interceptor(recorder.clone())").count();
            assert_eq!(
                builds, recorded,
                "{name} builds an SDK client without the operation recorder; use sdk_client!"
            );
        }
    }
}
