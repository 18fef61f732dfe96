//! Client-side per-operation rate limits.
//!
//! AWS throttles some read operations far below the control-plane rate
//! (design.md, "Collection: limits"): `DescribeContinuousBackups` at 10
//! calls/s, `ListTagsOfResource` at 10 calls/s *per account*, `ListBackups`
//! at 5 calls/s. Sending faster only buys throttling errors and retry
//! back-off, so every call waits on a token bucket sized from AWS's
//! documented limit first. Buckets are per operation and per region, except
//! for operations whose AWS limit is per account (one bucket shared by every
//! region of the scan) and global services (IAM).
//!
//! The limits are configurable from the `[scan.rate_limits]` table of the
//! config file; see [`RateLimitConfig`]. Built-in defaults are listed in
//! [`DEFAULT_LIMITS`], each with where its number comes from.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::collect::record::iam_prefix;
use crate::collect::util::region_of;

/// Whether one bucket serves each region or the whole account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LimitScope {
    /// One bucket per region (AWS's limit is per account and region).
    Region,
    /// One bucket shared by all regions of the scan (AWS's limit is per
    /// account, or the service is global).
    Account,
}

/// The limit of one operation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OperationLimit {
    /// Sustained calls per second (may be fractional, e.g. `0.5`).
    pub per_second: f64,
    /// Calls that may be sent at once after a quiet period (bucket size);
    /// defaults to one second's worth, at least 1.
    #[serde(default)]
    pub burst: Option<u32>,
    /// `region` (default) or `account`.
    #[serde(default = "default_scope")]
    pub scope: LimitScope,
}

fn default_scope() -> LimitScope {
    LimitScope::Region
}

/// Rate-limit settings, read from the config file's `[scan.rate_limits]`.
///
/// ```toml
/// [scan.rate_limits]
/// enabled = true
/// default_per_second = 20.0
///
/// [scan.rate_limits.operations]
/// "dynamodb:DescribeContinuousBackups" = { per_second = 10.0 }
/// "dynamodb:ListTagsOfResource" = { per_second = 10.0, scope = "account" }
/// ```
///
/// An entry in `operations` (key `service:Operation`, service as in the SDK
/// crate name) replaces the built-in default for that operation; operations
/// not listed keep theirs ([`DEFAULT_LIMITS`]); operations with no built-in
/// default use `default_per_second` per region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitConfig {
    /// `false` turns client-side limiting off entirely (the SDK's retries
    /// still handle throttling). Default `true`.
    pub enabled: bool,
    /// Calls per second, per region, for operations with no built-in or
    /// configured limit. Default 20 (the EC2 refill rate, the lowest
    /// published rate among the unlisted read operations we call).
    pub default_per_second: f64,
    /// Per-operation overrides, keyed `service:Operation`.
    pub operations: BTreeMap<String, OperationLimit>,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            enabled: true,
            default_per_second: 20.0,
            operations: BTreeMap::new(),
        }
    }
}

/// Built-in limits: `(service, operation, calls per second, burst, scope)`.
///
/// Sources: design.md's table of AWS's published limits; where AWS publishes
/// none for the operation, a conservative value noted beside it.
///
/// Where AWS's bucket is small (10 calls/s and below), the burst is half of
/// AWS's: calls sent exactly at the sustained rate arrive a few milliseconds
/// closer together or further apart (network jitter), and other clients of
/// the account draw on the same bucket; the half left over absorbs both.
/// Measured with the fault proxy (docs/benchmarks.md, B2): with bursts
/// equal to AWS's, some of these calls were throttled right after the first
/// burst; with half, none.
pub const DEFAULT_LIMITS: &[(&str, &str, f64, u32, LimitScope)] = &[
    // DynamoDB. Control plane (ListTables, DescribeTable) is 2,500 rps per
    // account and region, shared with whatever else runs in the account: we
    // take a fifth of it.
    ("dynamodb", "ListTables", 500.0, 500, LimitScope::Region),
    ("dynamodb", "DescribeTable", 500.0, 500, LimitScope::Region),
    // Published: 10 calls/s.
    (
        "dynamodb",
        "DescribeContinuousBackups",
        10.0,
        5,
        LimitScope::Region,
    ),
    // Published: 10 calls/s per account, so one bucket for all regions.
    (
        "dynamodb",
        "ListTagsOfResource",
        10.0,
        5,
        LimitScope::Account,
    ),
    // Published: 5 calls/s; called once per region and paginated.
    ("dynamodb", "ListBackups", 5.0, 2, LimitScope::Region),
    // Not published; control-plane reads, kept well under 2,500 rps.
    (
        "dynamodb",
        "GetResourcePolicy",
        100.0,
        100,
        LimitScope::Region,
    ),
    (
        "dynamodb",
        "DescribeContributorInsights",
        100.0,
        100,
        LimitScope::Region,
    ),
    // KMS: DescribeKey 2,000 rps, GetKeyRotationStatus 1,000 rps (shared
    // request quotas per account and region); we take a tenth, once per key.
    ("kms", "DescribeKey", 200.0, 200, LimitScope::Region),
    (
        "kms",
        "GetKeyRotationStatus",
        100.0,
        100,
        LimitScope::Region,
    ),
    ("kms", "ListAliases", 100.0, 100, LimitScope::Region),
    // EC2 Describe*: token bucket of 100, refill 20/s.
    ("ec2", "DescribeRegions", 20.0, 100, LimitScope::Region),
    ("ec2", "DescribeVpcs", 20.0, 100, LimitScope::Region),
    ("ec2", "DescribeVpcEndpoints", 20.0, 100, LimitScope::Region),
    ("ec2", "DescribeRouteTables", 20.0, 100, LimitScope::Region),
    // CloudTrail: 10 TPS per operation.
    ("cloudtrail", "DescribeTrails", 10.0, 5, LimitScope::Region),
    ("cloudtrail", "GetTrailStatus", 10.0, 5, LimitScope::Region),
    (
        "cloudtrail",
        "GetEventSelectors",
        10.0,
        5,
        LimitScope::Region,
    ),
    // IAM is global: one bucket for the account. Not published.
    (
        "iam",
        "GetAccountAuthorizationDetails",
        5.0,
        5,
        LimitScope::Account,
    ),
    // STS: one call per scan.
    ("sts", "GetCallerIdentity", 100.0, 100, LimitScope::Account),
    // AWS Config, AWS Backup, DAX: not published; a few calls per region.
    (
        "config",
        "DescribeConfigurationRecorders",
        10.0,
        10,
        LimitScope::Region,
    ),
    (
        "config",
        "DescribeConfigurationRecorderStatus",
        10.0,
        10,
        LimitScope::Region,
    ),
    (
        "config",
        "DescribeConfigRules",
        10.0,
        10,
        LimitScope::Region,
    ),
    (
        "config",
        "DescribeComplianceByConfigRule",
        10.0,
        10,
        LimitScope::Region,
    ),
    (
        "config",
        "GetComplianceDetailsByConfigRule",
        10.0,
        10,
        LimitScope::Region,
    ),
    ("backup", "ListBackupPlans", 10.0, 10, LimitScope::Region),
    ("backup", "GetBackupPlan", 10.0, 10, LimitScope::Region),
    (
        "backup",
        "ListBackupSelections",
        10.0,
        10,
        LimitScope::Region,
    ),
    ("backup", "GetBackupSelection", 10.0, 10, LimitScope::Region),
    ("dax", "DescribeClusters", 10.0, 10, LimitScope::Region),
];

impl RateLimitConfig {
    /// The limit in force for `service:operation`.
    pub fn limit_for(&self, service: &str, operation: &str) -> OperationLimit {
        let key = format!("{service}:{operation}");
        if let Some(limit) = self.operations.get(&key) {
            return *limit;
        }
        DEFAULT_LIMITS
            .iter()
            .find(|(s, o, ..)| *s == service && *o == operation)
            .map(|&(_, _, per_second, burst, scope)| OperationLimit {
                per_second,
                burst: Some(burst),
                scope,
            })
            .unwrap_or(OperationLimit {
                per_second: self.default_per_second,
                burst: None,
                scope: LimitScope::Region,
            })
    }

    /// Checks the values (positive, finite rates; known operation keys look
    /// like `service:Operation`). The CLI calls this when it reads the
    /// config file.
    pub fn validate(&self) -> Result<(), String> {
        fn check_rate(what: &str, rate: f64) -> Result<(), String> {
            if rate.is_finite() && rate > 0.0 {
                Ok(())
            } else {
                Err(format!(
                    "{what}: per_second must be a positive number, got {rate}"
                ))
            }
        }
        check_rate(
            "scan.rate_limits.default_per_second",
            self.default_per_second,
        )?;
        for (key, limit) in &self.operations {
            let well_formed = key
                .split_once(':')
                .is_some_and(|(s, o)| !s.is_empty() && !o.is_empty() && !o.contains(':'));
            if !well_formed {
                return Err(format!(
                    "scan.rate_limits.operations: key {key:?} must look like \"service:Operation\", e.g. \"dynamodb:DescribeContinuousBackups\""
                ));
            }
            check_rate(
                &format!("scan.rate_limits.operations.{key:?}"),
                limit.per_second,
            )?;
            if limit.burst == Some(0) {
                return Err(format!(
                    "scan.rate_limits.operations.{key:?}: burst must be at least 1"
                ));
            }
        }
        Ok(())
    }
}

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
    fn new(limit: &OperationLimit) -> Option<Pacer> {
        if !(limit.per_second.is_finite() && limit.per_second > 0.0) {
            return None;
        }
        let interval = Duration::from_secs_f64(1.0 / limit.per_second);
        let burst = limit
            .burst
            .unwrap_or_else(|| limit.per_second.ceil().clamp(1.0, u32::MAX as f64) as u32)
            .max(1);
        Some(Pacer {
            interval,
            tolerance: interval.saturating_mul(burst - 1),
            tat: Mutex::new(Instant::now()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Instant> {
        crate::collect::util::lock(&self.tat)
    }

    /// Takes a slot now if one is free, or says how long to wait.
    fn try_take(&self, now: Instant) -> Result<(), Duration> {
        let mut tat = self.lock();
        let allowed_at = tat.checked_sub(self.tolerance).unwrap_or(now);
        if now >= allowed_at {
            *tat = (*tat).max(now) + self.interval;
            Ok(())
        } else {
            Err(allowed_at - now)
        }
    }

    /// Takes a slot whether or not one is free (a retry the SDK sends after
    /// its back-off): later calls wait for it.
    fn charge(&self, now: Instant) {
        let mut tat = self.lock();
        *tat = (*tat).max(now) + self.interval;
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
        assert!(bad.validate().unwrap_err().contains("service:Operation"));
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
