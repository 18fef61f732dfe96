//! Client-side per-operation rate limits.
//!
//! AWS throttles some read operations far below the control-plane rate
//! (docs/design.md, "Collection: limits that shape the design"): `DescribeContinuousBackups` at 10
//! calls/s, `ListTagsOfResource` at 10 calls/s *per account*, `ListBackups`
//! at 5 calls/s. Sending faster only buys throttling errors and retry
//! back-off, so every call waits on a token bucket sized from AWS's
//! documented limit first. Buckets are per operation and per region, except
//! for operations whose AWS limit is per account (one bucket shared by every
//! region of the scan) and global services (IAM).
//!
//! The limits are configurable from the `[scan.rate_limits]` table of the
//! config file; see [`RateLimitConfig`]. Built-in defaults are listed in
//! [`DEFAULT_LIMITS`](crate::config::scan::DEFAULT_LIMITS), each with where
//! its number comes from.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use crate::collect::record::iam_prefix;
use crate::collect::util::region_of;
use crate::config::scan::{LimitScope, OperationLimit, RateLimitConfig, ranges};

type BucketKey = (String, String, String);

/// One token bucket, as GCRA (generic cell rate algorithm): `tat` is the
/// theoretical arrival time of the next call at the sustained rate; a call
/// may go when `now >= tat - tolerance`, where the tolerance is
/// `(burst - 1)` intervals. Unlike a reservation queue, waiters re-check
/// when they wake, so a slot taken by a retry ([`Pacer::charge`]) delays
/// the next waiting call at once.
#[derive(Debug)]
struct Pacer {
    interval: Duration,
    tolerance: Duration,
    tat: Mutex<Instant>,
}

impl Pacer {
    /// A bucket for `limit`; `None` (no limiting) for a rate that is not a
    /// positive number. The rate and burst are validated when the
    /// configuration is read ([`ranges`]); they are clamped to those ranges
    /// here too, and every instant is computed with checked arithmetic, so
    /// no limit, however it was built, can overflow an `Instant` (a panic)
    /// or make a call wait for ever.
    fn new(limit: &OperationLimit) -> Option<Pacer> {
        if !(limit.per_second.is_finite() && limit.per_second > 0.0) {
            return None;
        }
        let per_second = limit
            .per_second
            .clamp(*ranges::PER_SECOND.start(), *ranges::PER_SECOND.end());
        let interval = Duration::try_from_secs_f64(1.0 / per_second).unwrap_or(Duration::ZERO);
        let burst = limit
            .burst
            .unwrap_or_else(|| per_second.ceil() as u32)
            .clamp(*ranges::BURST.start(), *ranges::BURST.end());
        Some(Pacer {
            interval,
            tolerance: interval.saturating_mul(burst - 1),
            tat: Mutex::new(Instant::now()),
        })
    }

    /// The next theoretical arrival time after a call at `now`.
    fn next_tat(&self, tat: Instant, now: Instant) -> Instant {
        let from = tat.max(now);
        from.checked_add(self.interval).unwrap_or(from)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Instant> {
        crate::collect::util::lock(&self.tat)
    }

    /// Takes a slot now if one is free, or says how long to wait.
    fn try_take(&self, now: Instant) -> Result<(), Duration> {
        let mut tat = self.lock();
        let allowed_at = tat.checked_sub(self.tolerance).unwrap_or(now);
        if now >= allowed_at {
            *tat = self.next_tat(*tat, now);
            Ok(())
        } else {
            Err(allowed_at.saturating_duration_since(now))
        }
    }

    /// Takes a slot whether or not one is free (a retry the SDK sends after
    /// its back-off): later calls wait for it.
    fn charge(&self, now: Instant) {
        let mut tat = self.lock();
        *tat = self.next_tat(*tat, now);
    }

    async fn until_ready(&self) {
        loop {
            match self.try_take(Instant::now()) {
                Ok(()) => return,
                Err(wait) => tokio::time::sleep(wait).await,
            }
        }
    }
}

/// Per-operation token buckets shared across regions.
#[derive(Debug, Default)]
pub struct RateLimits {
    config: RateLimitConfig,
    buckets: Mutex<HashMap<BucketKey, Arc<Pacer>>>,
}

impl RateLimits {
    /// Limits from a configuration.
    pub fn new(config: RateLimitConfig) -> Self {
        RateLimits {
            config,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// No limiting at all (tests of the collectors against mocks).
    pub fn unlimited() -> Self {
        RateLimits::new(RateLimitConfig {
            enabled: false,
            ..RateLimitConfig::default()
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> &RateLimitConfig {
        &self.config
    }

    /// Waits until a call of `operation` in `region` may be sent.
    pub async fn acquire(&self, service: &str, operation: &str, region: &str) {
        if !self.config.enabled {
            return;
        }
        if let Some(bucket) = self.bucket(service, operation, region) {
            bucket.until_ready().await;
        }
    }

    /// Counts a retry the SDK sends (after its own back-off, without
    /// waiting here) against the operation's bucket, so that retries and
    /// first attempts together stay within the rate: without this, first
    /// attempts alone fill AWS's bucket and every retry of a throttled call
    /// is throttled again.
    pub fn charge(&self, service: &str, operation: &str, region: &str) {
        if !self.config.enabled {
            return;
        }
        if let Some(bucket) = self.bucket(service, operation, region) {
            bucket.charge(Instant::now());
        }
    }

    fn bucket(&self, service: &str, operation: &str, region: &str) -> Option<Arc<Pacer>> {
        let limit = self.config.limit_for(service, operation);
        let scope_region = match limit.scope {
            LimitScope::Region => region,
            LimitScope::Account => "*",
        };
        let key = (
            service.to_string(),
            operation.to_string(),
            scope_region.to_string(),
        );
        let mut buckets = match self.buckets.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(bucket) = buckets.get(&key) {
            return Some(Arc::clone(bucket));
        }
        let bucket = Arc::new(Pacer::new(&limit)?);
        buckets.insert(key, Arc::clone(&bucket));
        Some(bucket)
    }
}

/// The SDK interceptor that charges retries to the rate limits
/// ([`RateLimits::charge`]); installed on every collector client by
/// [`sdk_client!`](crate::sdk_client).
#[derive(Debug, Clone)]
pub struct RetryCharge(pub Arc<RateLimits>);

impl Intercept for RetryCharge {
    fn name(&self) -> &'static str {
        "dynaudit::RetryCharge"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let retry = cfg
            .load::<RequestAttempts>()
            .is_some_and(|a| a.attempts() > 1);
        if retry && let Some(meta) = cfg.load::<Metadata>() {
            self.0
                .charge(&iam_prefix(meta.service()), meta.name(), &region_of(cfg));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn defaults_follow_the_design_table() {
        let config = RateLimitConfig::default();
        let dcb = config.limit_for("dynamodb", "DescribeContinuousBackups");
        assert_eq!(dcb.per_second, 10.0);
        assert_eq!(dcb.scope, LimitScope::Region);
        let tags = config.limit_for("dynamodb", "ListTagsOfResource");
        assert_eq!(tags.per_second, 10.0);
        assert_eq!(tags.scope, LimitScope::Account);
        assert_eq!(config.limit_for("dynamodb", "ListBackups").per_second, 5.0);
        let unknown = config.limit_for("foo", "Bar");
        assert_eq!(unknown.per_second, 20.0);
        assert!(config.validate().is_ok());
    }

    #[test]
    fn overrides_replace_defaults() {
        let config: RateLimitConfig = toml::from_str(
            r#"
            default_per_second = 3.5
            [operations]
            "dynamodb:DescribeContinuousBackups" = { per_second = 50.0, burst = 5 }
            "kms:DescribeKey" = { per_second = 1.0, scope = "account" }
            "#,
        )
        .unwrap();
        assert!(config.enabled);
        let dcb = config.limit_for("dynamodb", "DescribeContinuousBackups");
        assert_eq!(dcb.per_second, 50.0);
        assert_eq!(dcb.burst, Some(5));
        assert_eq!(
            config.limit_for("kms", "DescribeKey").scope,
            LimitScope::Account
        );
        assert_eq!(config.limit_for("x", "Y").per_second, 3.5);
        assert!(config.validate().is_ok());
    }

    #[test]
    fn rejects_bad_values() {
        let bad: RateLimitConfig =
            toml::from_str("[operations]\n\"DescribeTable\" = { per_second = 1.0 }").unwrap();
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("service:Operation")
        );
        let zero: RateLimitConfig =
            toml::from_str("[operations]\n\"dynamodb:DescribeTable\" = { per_second = 0.0 }")
                .unwrap();
        assert!(zero.validate().is_err());
        assert!(toml::from_str::<RateLimitConfig>("bogus = 1").is_err());
    }

    #[tokio::test]
    async fn limits_calls_per_region_and_shares_account_buckets() {
        let mut config = RateLimitConfig::default();
        config.operations.insert(
            "t:Regional".into(),
            OperationLimit {
                per_second: 20.0,
                burst: Some(1),
                scope: LimitScope::Region,
            },
        );
        config.operations.insert(
            "t:Account".into(),
            OperationLimit {
                per_second: 20.0,
                burst: Some(1),
                scope: LimitScope::Account,
            },
        );
        let limits = RateLimits::new(config);

        // 2 regions x 5 calls at 20/s with burst 1: per-region buckets take
        // ~0.2 s for both regions together.
        let start = Instant::now();
        for _ in 0..5 {
            limits.acquire("t", "Regional", "r1").await;
            limits.acquire("t", "Regional", "r2").await;
        }
        let regional = start.elapsed();
        assert!(regional >= Duration::from_millis(150), "{regional:?}");
        assert!(regional < Duration::from_millis(450), "{regional:?}");

        // The account bucket is shared: 10 calls take ~0.45 s.
        let start = Instant::now();
        for _ in 0..5 {
            limits.acquire("t", "Account", "r1").await;
            limits.acquire("t", "Account", "r2").await;
        }
        let account = start.elapsed();
        assert!(account >= Duration::from_millis(400), "{account:?}");
    }

    /// Limits that were never validated (a library caller, a bug) cannot
    /// panic the pacer: 1e-19 calls/s used to overflow an `Instant`, 1e-300
    /// a `Duration`.
    #[test]
    fn no_limit_overflows_the_pacer() {
        let now = Instant::now();
        for (per_second, burst) in [
            (1e-19, None),
            (1e-300, Some(1)),
            (f64::MIN_POSITIVE, Some(u32::MAX)),
            (1e300, None),
            (0.5, Some(u32::MAX)),
        ] {
            let pacer = Pacer::new(&OperationLimit {
                per_second,
                burst,
                scope: LimitScope::Region,
            })
            .unwrap();
            for _ in 0..3 {
                pacer.charge(now);
                match pacer.try_take(now) {
                    Ok(()) => {}
                    Err(wait) => assert!(wait <= Duration::from_secs(100 * 100_000), "{wait:?}"),
                }
            }
            assert!(pacer.interval <= Duration::from_secs(100));
        }
        for per_second in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(
                Pacer::new(&OperationLimit {
                    per_second,
                    burst: None,
                    scope: LimitScope::Region,
                })
                .is_none()
            );
        }
    }

    #[tokio::test]
    async fn disabled_never_waits() {
        let limits = RateLimits::unlimited();
        let start = Instant::now();
        for _ in 0..1000 {
            limits.acquire("dynamodb", "ListBackups", "r1").await;
        }
        assert!(start.elapsed() < Duration::from_millis(200));
    }
}
