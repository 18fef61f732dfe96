//! The `[scan]` table of the configuration: retries, timeouts, concurrency,
//! client-side rate limits and endpoints of live collection. Plain data,
//! validated here; the collection layer ([`crate::collect`]) reads it.
//!
//! AWS throttles some read operations far below the control-plane rate
//! (docs/design.md, "Collection: limits that shape the design"): `DescribeContinuousBackups` at 10
//! calls/s, `ListTagsOfResource` at 10 calls/s *per account*, `ListBackups`
//! at 5 calls/s. [`DEFAULT_LIMITS`] sizes a client-side bucket per operation
//! from AWS's documented limit.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::regions::looks_like_region;

/// The `[scan]` table of the config file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ScanSettings {
    /// Attempts per call, first one included (SDK standard retry mode).
    /// Default 8: the client-side rate limits keep throttling rare, and a
    /// call that still fails becomes an `unknown`, so retrying is cheap.
    pub max_attempts: u32,
    /// First retry back-off in milliseconds (doubles, jittered, capped at
    /// 20 s). Default 1000 (the SDK's).
    pub initial_backoff_ms: u64,
    /// TCP/TLS connect timeout in seconds: a disabled or unreachable region
    /// fails within this. Default 5.
    pub connect_timeout_secs: f64,
    /// Timeout of one attempt (request sent to answer read) in seconds.
    /// Default 60.
    pub attempt_timeout_secs: f64,
    /// Tables collected at once per region. Default 32 (the slowest bucket,
    /// 10 calls/s, is saturated far below this).
    pub concurrency: usize,
    /// Client-side per-operation rate limits.
    pub rate_limits: RateLimitConfig,
    /// Endpoint URL per region, for every service of that region, in place
    /// of the SDK's (and of `AWS_ENDPOINT_URL`): emulators, proxies,
    /// tests. Empty by default.
    pub region_endpoints: BTreeMap<String, String>,
}

impl Default for ScanSettings {
    fn default() -> Self {
        ScanSettings {
            max_attempts: 8,
            initial_backoff_ms: 1000,
            connect_timeout_secs: 5.0,
            attempt_timeout_secs: 60.0,
            concurrency: 32,
            rate_limits: RateLimitConfig::default(),
            region_endpoints: BTreeMap::new(),
        }
    }
}

impl ScanSettings {
    /// Checks the values; the message names the key to fix.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_attempts == 0 {
            return Err("scan.max_attempts must be at least 1".to_string());
        }
        for (key, value) in [
            ("scan.connect_timeout_secs", self.connect_timeout_secs),
            ("scan.attempt_timeout_secs", self.attempt_timeout_secs),
        ] {
            if !(value.is_finite() && value > 0.0 && value < 86_400.0) {
                return Err(format!(
                    "{key} must be a positive number of seconds, got {value}"
                ));
            }
        }
        if self.concurrency == 0 {
            return Err("scan.concurrency must be at least 1".to_string());
        }
        for (region, url) in &self.region_endpoints {
            if !looks_like_region(region) {
                return Err(format!(
                    "scan.region_endpoints: {region:?} is not a region name (like us-east-1)"
                ));
            }
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!(
                    "scan.region_endpoints.{region}: {url:?} is not an http:// or https:// URL"
                ));
            }
        }
        self.rate_limits.validate()
    }
}

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
/// Sources: docs/design.md, "AWS's per-operation limits, and dynaudit's
/// built-in limits"; where AWS publishes none for the operation, a
/// conservative value noted beside it.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_and_validate() {
        let s: ScanSettings = toml::from_str(
            "max_attempts = 3\nconnect_timeout_secs = 1.5\n[rate_limits]\nenabled = false\n",
        )
        .unwrap();
        assert_eq!(s.max_attempts, 3);
        assert!(!s.rate_limits.enabled);
        assert_eq!(s.concurrency, 32);
        assert!(s.validate().is_ok());
        let bad = ScanSettings {
            max_attempts: 0,
            ..ScanSettings::default()
        };
        assert!(bad.validate().is_err());
        assert!(toml::from_str::<ScanSettings>("nope = 1").is_err());
    }
}
