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
    /// Attempts per call, first one included (SDK standard retry mode),
    /// 1 to 50. Default 8: the client-side rate limits keep throttling
    /// rare, and a call that still fails becomes an `unknown`, so retrying
    /// is cheap.
    pub max_attempts: u32,
    /// First retry back-off in milliseconds (doubles, jittered, capped at
    /// 20 s), 1 to 20,000. Default 1000 (the SDK's).
    pub initial_backoff_ms: u64,
    /// TCP/TLS connect timeout in seconds, 0.1 to 600: a disabled or
    /// unreachable region fails within this. Default 5.
    pub connect_timeout_secs: f64,
    /// Timeout of one attempt (request sent to answer read) in seconds,
    /// 1 to 3,600. Default 60.
    pub attempt_timeout_secs: f64,
    /// Tables collected at once per region, 1 to 1,024. Default 32 (the
    /// slowest bucket, 10 calls/s, is saturated far below this).
    pub concurrency: usize,
    /// Accounts collected at once by an organization-wide run
    /// (`--organization`, `--ou`, `--accounts`), 1 to 256. Default 4: a
    /// run is bound by AWS's per-account rate limits, not the CPU, and four
    /// accounts of 32 concurrent table collections each keep a 2-core
    /// runner under half busy; each account has its own rate-limit buckets,
    /// as AWS's limits are per account.
    pub max_accounts_in_flight: usize,
    /// Client-side per-operation rate limits.
    pub rate_limits: RateLimitConfig,
    /// Endpoint URL per region, for every service of that region, in place
    /// of the SDK's (and of `AWS_ENDPOINT_URL`): emulators, proxies,
    /// tests. Each is `http://` or `https://`, a host (name, IPv4 address
    /// or `[IPv6]`), an optional port and path; no user name, query or
    /// fragment. Empty by default.
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
            max_accounts_in_flight: 4,
            rate_limits: RateLimitConfig::default(),
            region_endpoints: BTreeMap::new(),
        }
    }
}

/// Ranges of the `[scan]` settings, checked when the configuration is read
/// (and by [`ScanSettings::validate`] for settings from anywhere else).
pub mod ranges {
    use std::ops::RangeInclusive;

    /// `max_attempts` (and `--max-attempts`).
    pub const MAX_ATTEMPTS: RangeInclusive<u32> = 1..=50;
    /// `initial_backoff_ms`: the SDK caps its back-off at 20 s.
    pub const INITIAL_BACKOFF_MS: RangeInclusive<u64> = 1..=20_000;
    /// `connect_timeout_secs` (and `--connect-timeout`).
    pub const CONNECT_TIMEOUT_SECS: RangeInclusive<f64> = 0.1..=600.0;
    /// `attempt_timeout_secs`.
    pub const ATTEMPT_TIMEOUT_SECS: RangeInclusive<f64> = 1.0..=3600.0;
    /// `concurrency`.
    pub const CONCURRENCY: RangeInclusive<usize> = 1..=1024;
    /// `max_accounts_in_flight`.
    pub const MAX_ACCOUNTS_IN_FLIGHT: RangeInclusive<usize> = 1..=256;
    /// Every `per_second`, and `default_per_second`: from one call in 100 s
    /// to 100,000 calls a second (40 times DynamoDB's control plane).
    pub const PER_SECOND: RangeInclusive<f64> = 0.01..=100_000.0;
    /// Every `burst`.
    pub const BURST: RangeInclusive<u32> = 1..=100_000;
}

/// A setting that is not valid, named by its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSetting {
    /// The key's path from the top of the file, e.g. `scan`,
    /// `rate_limits`, `operations`, `dynamodb:ListTables`, `per_second`.
    pub key: Vec<String>,
    /// What is wrong.
    pub message: String,
}

impl InvalidSetting {
    fn new(key: &[&str], message: String) -> Self {
        InvalidSetting {
            key: key.iter().map(|k| (*k).to_string()).collect(),
            message,
        }
    }

    /// The key as written in TOML: `scan.rate_limits.operations."sts:GetCallerIdentity".per_second`.
    pub fn dotted_key(&self) -> String {
        self.key
            .iter()
            .map(|k| {
                let bare = !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if bare { k.clone() } else { format!("{k:?}") }
            })
            .collect::<Vec<_>>()
            .join(".")
    }
}

impl std::fmt::Display for InvalidSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.dotted_key(), self.message)
    }
}

/// Checks that `value` is in `range`; `unit` follows the bounds.
fn in_range<T>(
    key: &[&str],
    value: T,
    range: &std::ops::RangeInclusive<T>,
    unit: &str,
) -> Result<(), InvalidSetting>
where
    T: PartialOrd + std::fmt::Debug,
{
    if range.contains(&value) {
        Ok(())
    } else {
        Err(InvalidSetting::new(
            key,
            format!(
                "must be between {:?} and {:?}{unit}, got {value:?}",
                range.start(),
                range.end()
            ),
        ))
    }
}

impl ScanSettings {
    /// Checks the values against [`ranges`]; the error names the key.
    pub fn validate(&self) -> Result<(), InvalidSetting> {
        in_range(
            &["scan", "max_attempts"],
            self.max_attempts,
            &ranges::MAX_ATTEMPTS,
            "",
        )?;
        in_range(
            &["scan", "initial_backoff_ms"],
            self.initial_backoff_ms,
            &ranges::INITIAL_BACKOFF_MS,
            " milliseconds",
        )?;
        in_range(
            &["scan", "connect_timeout_secs"],
            self.connect_timeout_secs,
            &ranges::CONNECT_TIMEOUT_SECS,
            " seconds",
        )?;
        in_range(
            &["scan", "attempt_timeout_secs"],
            self.attempt_timeout_secs,
            &ranges::ATTEMPT_TIMEOUT_SECS,
            " seconds",
        )?;
        in_range(
            &["scan", "concurrency"],
            self.concurrency,
            &ranges::CONCURRENCY,
            "",
        )?;
        in_range(
            &["scan", "max_accounts_in_flight"],
            self.max_accounts_in_flight,
            &ranges::MAX_ACCOUNTS_IN_FLIGHT,
            "",
        )?;
        for (region, url) in &self.region_endpoints {
            let key = ["scan", "region_endpoints", region.as_str()];
            if !looks_like_region(region) {
                return Err(InvalidSetting::new(
                    &key,
                    format!(
                        "{} is not a region name (like us-east-1)",
                        crate::strict_json::quoted(region)
                    ),
                ));
            }
            crate::config::endpoint::check(url).map_err(|message| {
                InvalidSetting::new(
                    &key,
                    format!("{} {message}", crate::strict_json::quoted(url)),
                )
            })?;
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
    // Since schema 1.3 (DYN206, DYN207, DYN506, DYN507).
    // AWS Backup: not published, like its other reads; once per region.
    ("backup", "ListBackupVaults", 10.0, 10, LimitScope::Region),
    // DynamoDB exports: not published; control-plane reads, one listing
    // per region and one description per export.
    ("dynamodb", "ListExports", 10.0, 5, LimitScope::Region),
    ("dynamodb", "DescribeExport", 10.0, 5, LimitScope::Region),
    // Application Auto Scaling: no published request rate; two listings
    // per region.
    (
        "application-autoscaling",
        "DescribeScalableTargets",
        10.0,
        5,
        LimitScope::Region,
    ),
    (
        "application-autoscaling",
        "DescribeScalingPolicies",
        10.0,
        5,
        LimitScope::Region,
    ),
    // CloudWatch: published, DescribeAlarms 9 TPS per account and region.
    ("cloudwatch", "DescribeAlarms", 9.0, 4, LimitScope::Region),
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

    /// Checks the values (rates and bursts within [`ranges`]; operation
    /// keys look like `service:Operation`). The CLI calls this when it
    /// reads the config file.
    pub fn validate(&self) -> Result<(), InvalidSetting> {
        in_range(
            &["scan", "rate_limits", "default_per_second"],
            self.default_per_second,
            &ranges::PER_SECOND,
            " calls per second",
        )?;
        for (key, limit) in &self.operations {
            let path = ["scan", "rate_limits", "operations", key.as_str()];
            let well_formed = key
                .split_once(':')
                .is_some_and(|(s, o)| !s.is_empty() && !o.is_empty() && !o.contains(':'));
            if !well_formed {
                return Err(InvalidSetting::new(
                    &path,
                    "an operation must look like \"service:Operation\", e.g. \"dynamodb:DescribeContinuousBackups\"".to_string(),
                ));
            }
            in_range(
                &[&path[..], &["per_second"]].concat(),
                limit.per_second,
                &ranges::PER_SECOND,
                " calls per second",
            )?;
            if let Some(burst) = limit.burst {
                in_range(
                    &[&path[..], &["burst"]].concat(),
                    burst,
                    &ranges::BURST,
                    " calls",
                )?;
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

    fn invalid(toml_text: &str) -> String {
        let s: ScanSettings = toml::from_str(toml_text).unwrap();
        s.validate().unwrap_err().to_string()
    }

    #[test]
    fn every_number_has_a_range_and_the_error_names_its_key() {
        for (text, key) in [
            ("max_attempts = 51", "scan.max_attempts"),
            ("initial_backoff_ms = 0", "scan.initial_backoff_ms"),
            (
                "initial_backoff_ms = 9223372036854775807",
                "scan.initial_backoff_ms",
            ),
            ("connect_timeout_secs = 0.001", "scan.connect_timeout_secs"),
            ("connect_timeout_secs = nan", "scan.connect_timeout_secs"),
            ("attempt_timeout_secs = 1e300", "scan.attempt_timeout_secs"),
            ("attempt_timeout_secs = -1.0", "scan.attempt_timeout_secs"),
            ("concurrency = 0", "scan.concurrency"),
            ("concurrency = 1000000", "scan.concurrency"),
            (
                "[rate_limits]\ndefault_per_second = 0.001",
                "scan.rate_limits.default_per_second",
            ),
            (
                "[rate_limits]\ndefault_per_second = inf",
                "scan.rate_limits.default_per_second",
            ),
            (
                "[rate_limits.operations]\n\"sts:GetCallerIdentity\" = { per_second = 1e-19 }",
                "scan.rate_limits.operations.\"sts:GetCallerIdentity\".per_second",
            ),
            (
                "[rate_limits.operations]\n\"dynamodb:ListTables\" = { per_second = 1e-300 }",
                "scan.rate_limits.operations.\"dynamodb:ListTables\".per_second",
            ),
            (
                "[rate_limits.operations]\n\"dynamodb:ListTables\" = { per_second = 1e9 }",
                "scan.rate_limits.operations.\"dynamodb:ListTables\".per_second",
            ),
            (
                "[rate_limits.operations]\n\"kms:DescribeKey\" = { per_second = 1.0, burst = 0 }",
                "scan.rate_limits.operations.\"kms:DescribeKey\".burst",
            ),
            (
                "[rate_limits.operations]\n\"kms:DescribeKey\" = { per_second = 1.0, burst = 4000000000 }",
                "scan.rate_limits.operations.\"kms:DescribeKey\".burst",
            ),
        ] {
            let err = invalid(text);
            assert!(
                err.starts_with(&format!("{key}: must be between ")),
                "{text}: {err}"
            );
        }
        let err =
            invalid("[rate_limits.operations]\n\"sts:GetCallerIdentity\" = { per_second = 1e-19 }");
        assert!(err.ends_with("calls per second, got 1e-19"), "{err}");
    }

    #[test]
    fn the_bounds_themselves_are_valid() {
        let s: ScanSettings = toml::from_str(
            "max_attempts = 50\ninitial_backoff_ms = 20000\nconnect_timeout_secs = 0.1\n\
             attempt_timeout_secs = 3600\nconcurrency = 1024\n\
             [rate_limits]\ndefault_per_second = 0.01\n\
             [rate_limits.operations]\n\"a:B\" = { per_second = 100000.0, burst = 100000 }\n",
        )
        .unwrap();
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn endpoints_are_checked_by_region() {
        let err = invalid("[region_endpoints]\n\"us-east-1\" = \"http://[::1\"");
        assert!(
            err.starts_with("scan.region_endpoints.us-east-1: \"http://[::1\" is not a valid URL"),
            "{err}"
        );
        let err = invalid("[region_endpoints]\n\"moon-1\" = \"http://localhost\"");
        assert!(err.contains("not a region name"), "{err}");
    }

    #[test]
    fn built_in_limits_are_within_the_ranges() {
        for (service, operation, per_second, burst, _) in DEFAULT_LIMITS {
            assert!(
                ranges::PER_SECOND.contains(per_second) && ranges::BURST.contains(burst),
                "{service}:{operation}"
            );
        }
        assert_eq!(ScanSettings::default().validate(), Ok(()));
    }
}
