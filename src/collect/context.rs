//! What every collector of one region needs, and the one way to build an
//! SDK client for it ([`sdk_client!`](crate::sdk_client)).

use std::sync::Arc;

use crate::collect::breaker::RegionBreaker;
use crate::collect::errors::ErrorRecorder;
use crate::collect::limits::RateLimits;
use crate::collect::record::OperationRecorder;

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
        let ctx: &$crate::collect::context::RegionContext = &$ctx;
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
        let region_endpoint = config
            .region()
            .and_then(|r| ctx.region_endpoints.get(r.as_ref()));
        let classifier = $crate::collect::errors::NotImplementedByEndpoint {
            custom_endpoint: region_endpoint.is_some() || ctx.sdk_config.endpoint_url().is_some(),
        };
        let config = match region_endpoint {
            Some(url) => config.to_builder().endpoint_url(url),
            None => config.to_builder(),
        }
        .retry_classifier(classifier)
        .build();
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
