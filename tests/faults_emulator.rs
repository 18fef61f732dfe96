//! Scans through the fault proxy (tests/support/fault_proxy.rs) in front of
//! the AWS API emulator:
//!
//! - 20 % throttling, 5 % HTTP 500s and 2 % dropped connections, with AWS's
//!   per-operation rate limits on in the proxy, find exactly what a clean
//!   scan of the same account finds: the same inventory (every table, key,
//!   backup, trail, endpoint and IAM principal), the same failed calls (only
//!   those the emulator does not serve), the same findings, with a bounded
//!   number of retries;
//! - a region whose endpoint never completes a TCP handshake fails within
//!   about one connect timeout, recorded as `region_unavailable`, while the
//!   other region is collected in full.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::fault_proxy::{self, Blackhole, ProxyConfig};
use support::moto::TestAccount;
use support::seed::{EstateSpec, seed_estate};

const EAST: &str = "us-east-1";
const EU: &str = "eu-west-1";

/// Operations moto 5.2.5 does not serve (docs/design.md): they fail in every
/// run, clean or not.
const UNSERVED: &[&str] = &[
    "DescribeContributorInsights",
    "DescribeComplianceByConfigRule",
    "GetComplianceDetailsByConfigRule",
    "ListBackupSelections",
    "GetBackupSelection",
    "ListExports",
];

/// Whether the emulator never serves this call: an operation of
/// [`UNSERVED`], or `GetResourcePolicy` on a stream ARN (moto looks the
/// stream up as a table; on a table ARN the call is served).
fn unserved(operation: &str, resource: &str) -> bool {
    UNSERVED.contains(&operation)
        || (operation == "GetResourcePolicy" && resource.contains("/stream/"))
}

fn write_config(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Runs the command off the async runtime (the proxy serves on it).
async fn run(mut cmd: std::process::Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("run dynaudit"))
        .await
        .unwrap()
}

/// `dynaudit scan --format json` of `regions` through `endpoint`; returns
/// the report and the inventory.
async fn scan(
    account: &TestAccount,
    endpoint: &str,
    regions: &str,
    dir: &Path,
    config: &Path,
) -> (Value, Value, String) {
    std::fs::create_dir_all(dir).unwrap();
    let mut cmd = account.dynaudit();
    cmd.env("AWS_ENDPOINT_URL", endpoint)
        .current_dir(dir)
        .args(["scan", "--regions", regions, "--format", "json", "--output"])
        .arg(dir.join("report.json"))
        .arg("--inventory-out")
        .arg(dir.join("inventory.json"))
        .arg("--config")
        .arg(config);
    let out = run(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "scan failed: {stderr}"
    );
    (
        read_json(&dir.join("report.json")),
        read_json(&dir.join("inventory.json")),
        stderr,
    )
}

/// The findings, without the collection time (`evidence.collected_at`)
/// and, for unknowns, without the quoted error: the last attempt of a call
/// the emulator never serves may meet an injected fault instead of the
/// emulator's 500, which changes the message but not the outcome.
fn comparable_findings(report: &Value) -> Vec<Value> {
    let mut findings: Vec<Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .cloned()
        .map(|mut f| {
            if let Some(evidence) = f.get_mut("evidence").and_then(Value::as_object_mut) {
                evidence.remove("collected_at");
            }
            if f["status"] == "unknown"
                && let Some(obj) = f.as_object_mut()
            {
                obj.remove("message");
                obj.remove("evidence");
            }
            f
        })
        .collect();
    findings.sort_by_key(|f| f.to_string());
    findings
}

/// `(service, region, operation, resource)` of each recorded error.
fn error_keys(inventory: &Value) -> BTreeSet<(String, String, String, String)> {
    inventory["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["service"].as_str().unwrap_or("").to_string(),
                e["region"].as_str().unwrap_or("").to_string(),
                e["operation"].as_str().unwrap_or("").to_string(),
                e["resource"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn table_arns(inventory: &Value, region: &str) -> BTreeSet<String> {
    inventory["regions"][region]["tables"]
        .as_object()
        .unwrap_or_else(|| panic!("tables of {region} collected"))
        .keys()
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_scan_through_throttling_500s_and_drops_finds_what_a_clean_scan_finds() {
    let account = TestAccount::new().await;
    let spec = EstateSpec {
        regions: vec![EAST.to_string(), EU.to_string()],
        tables_per_region: 15,
        keys_per_region: 3,
        roles: 5,
        concurrency: 8,
        trail_bucket: Some((account.endpoint.clone(), account.account_id.clone())),
        vpc_endpoints: true,
    };
    let seeded = seed_estate(&|region: &str| account.config(region), &spec)
        .await
        .expect("seed the estate");
    assert_eq!(seeded.tables.len(), 30);
    assert_eq!(seeded.backups, 4);

    // Retries: up to 10 attempts, fast back-off; client-side rate limits on
    // (the default).
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "dynaudit.toml",
        "[scan]\nmax_attempts = 10\ninitial_backoff_ms = 10\n",
    );
    let regions = format!("{EAST},{EU}");

    let clean_proxy = fault_proxy::start(ProxyConfig::new(account.endpoint.clone()), 0)
        .await
        .unwrap();
    let (clean_report, clean_inventory, clean_summary) = scan(
        &account,
        &clean_proxy.endpoint(),
        &regions,
        &dir.path().join("clean"),
        &config,
    )
    .await;
    let clean = clean_proxy.stats.total();

    let faulty_proxy = fault_proxy::start(
        ProxyConfig {
            limits: true,
            throttle_fraction: 0.20,
            error_fraction: 0.05,
            drop_fraction: 0.02,
            seed: 5,
            ..ProxyConfig::new(account.endpoint.clone())
        },
        0,
    )
    .await
    .unwrap();
    let (faulty_report, faulty_inventory, faulty_summary) = scan(
        &account,
        &faulty_proxy.endpoint(),
        &regions,
        &dir.path().join("faulty"),
        &config,
    )
    .await;
    let faulty = faulty_proxy.stats.total();
    eprintln!("clean: {clean_summary}\n{clean:?}\nfaulty: {faulty_summary}\n{faulty:?}");
    eprintln!(
        "{}",
        serde_json::to_string_pretty(&faulty_proxy.stats.snapshot()).unwrap()
    );

    for e in faulty_inventory["errors"].as_array().unwrap() {
        if !unserved(
            e["operation"].as_str().unwrap_or(""),
            e["resource"].as_str().unwrap_or(""),
        ) {
            eprintln!("unexpected error in the faulty scan: {e}");
        }
    }
    // The faults happened, of every kind.
    assert_eq!(clean.throttled + clean.errors_500 + clean.dropped, 0);
    assert!(faulty.throttled > 0 && faulty.errors_500 > 0 && faulty.dropped > 0);

    // Nothing lost: every seeded table, and the same evidence everywhere.
    let seeded_arns: BTreeSet<String> = seeded.tables.iter().cloned().collect();
    let mut collected = table_arns(&faulty_inventory, EAST);
    collected.extend(table_arns(&faulty_inventory, EU));
    assert_eq!(collected, seeded_arns);
    for key in ["regions", "iam", "trails", "account_id"] {
        assert_eq!(
            faulty_inventory[key], clean_inventory[key],
            "inventory.{key} differs between the clean and the faulty scan"
        );
    }
    // The same failed calls, and only calls the emulator never serves.
    let clean_errors = error_keys(&clean_inventory);
    assert_eq!(error_keys(&faulty_inventory), clean_errors);
    for (service, region, operation, resource) in &clean_errors {
        assert!(
            unserved(operation, resource),
            "unexpected failed call {service} {region} {operation} {resource}"
        );
    }

    // The same findings.
    assert_eq!(
        comparable_findings(&faulty_report),
        comparable_findings(&clean_report)
    );

    // Bounded retries: every attempt fails with probability 0.27 (plus the
    // proxy's rate limits), so about 1 / (1 - 0.27) = 1.37 attempts per
    // call; the bound is twice the clean run's requests. The clean run
    // itself has retries only for the calls the emulator answers with 500.
    assert!(
        faulty.requests <= 2 * clean.requests,
        "faulty run sent {} requests, clean run {}",
        faulty.requests,
        clean.requests
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unreachable_region_fails_fast_and_the_others_complete() {
    let account = TestAccount::new().await;
    let spec = EstateSpec {
        regions: vec![EAST.to_string(), EU.to_string()],
        tables_per_region: 6,
        keys_per_region: 1,
        roles: 1,
        concurrency: 8,
        trail_bucket: None,
        vpc_endpoints: false,
    };
    let seeded = seed_estate(&|region: &str| account.config(region), &spec)
        .await
        .expect("seed the estate");

    // eu-west-1's endpoint is a port whose accept queue is full: SYNs are
    // dropped, as by a firewall, and every connect times out.
    let hole = Blackhole::new().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "dynaudit.toml",
        &format!(
            "[scan]\nmax_attempts = 8\ninitial_backoff_ms = 20\nconnect_timeout_secs = 3\n\n\
             [scan.rate_limits]\nenabled = false\n\n\
             [scan.region_endpoints]\n\"{EU}\" = \"{}\"\n",
            hole.endpoint()
        ),
    );
    let started = Instant::now();
    let (report, inventory, summary) = scan(
        &account,
        &account.endpoint,
        &format!("{EAST},{EU}"),
        &dir.path().join("scan"),
        &config,
    )
    .await;
    let wall = started.elapsed();
    eprintln!("{summary} (wall {wall:?})");

    // Without the breaker: 8 attempts x 3 s connect timeout plus back-off,
    // per call (at least 24 s). With it: about one connect timeout.
    assert!(wall < Duration::from_secs(20), "took {wall:?}: {summary}");

    // us-east-1 is complete.
    let east: BTreeSet<String> = seeded
        .tables
        .iter()
        .filter(|arn| arn.contains(EAST))
        .cloned()
        .collect();
    assert_eq!(table_arns(&inventory, EAST), east);
    // eu-west-1 is unknown, every failure region_unavailable.
    let eu = &inventory["regions"][EU];
    assert!(eu["tables"].is_null(), "eu-west-1 tables: {eu}");
    let eu_errors: Vec<&Value> = inventory["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["region"] == EU)
        .collect();
    assert!(!eu_errors.is_empty());
    for e in &eu_errors {
        assert_eq!(e["kind"], "region_unavailable", "{e}");
    }
    assert!(
        eu_errors.iter().any(|e| e["code"] == "RegionUnavailable"),
        "calls after the first failure are not sent: {eu_errors:#?}"
    );
    // No us-east-1 call failed for want of a connection.
    assert!(
        inventory["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["region"] == EAST)
            .all(|e| e["kind"] != "region_unavailable")
    );
    // The report says so: eu-west-1's findings are unknown.
    let eu_findings: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["resource"].as_str().is_some_and(|r| r.contains(EU)))
        .collect();
    assert!(!eu_findings.is_empty());
    for f in eu_findings {
        assert_eq!(f["status"], "unknown", "{f}");
    }
}

/// The proxy's throttling errors are the ones each protocol's SDK
/// recognises as throttling (and so retries): JSON (DynamoDB, KMS,
/// CloudTrail), REST-JSON (AWS Backup), awsquery (IAM, STS) and EC2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_errors_have_each_protocols_shape() {
    use aws_smithy_types::error::metadata::ProvideErrorMetadata;
    use dynaudit::collect::errors::describe;
    use dynaudit::inventory::ErrorKind;

    let account = TestAccount::new().await;
    let proxy = fault_proxy::start(
        ProxyConfig {
            throttle_fraction: 1.0,
            ..ProxyConfig::new(account.endpoint.clone())
        },
        0,
    )
    .await
    .unwrap();
    let config = support::moto::sdk_config(&proxy.endpoint(), account.credentials.clone(), EAST)
        .into_builder()
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1))
        .build();

    macro_rules! check {
        ($what:expr, $code:expr, $call:expr) => {{
            let err = $call.await.expect_err($what);
            assert_eq!(err.code(), Some($code), "{}: {err:?}", $what);
            assert_eq!(describe(&err).kind, ErrorKind::Throttled, "{}", $what);
        }};
    }
    check!(
        "dynamodb",
        "ThrottlingException",
        aws_sdk_dynamodb::Client::new(&config).list_tables().send()
    );
    check!(
        "kms",
        "ThrottlingException",
        aws_sdk_kms::Client::new(&config).list_keys().send()
    );
    check!(
        "cloudtrail",
        "ThrottlingException",
        aws_sdk_cloudtrail::Client::new(&config)
            .describe_trails()
            .send()
    );
    check!(
        "backup",
        "ThrottlingException",
        aws_sdk_backup::Client::new(&config)
            .list_backup_plans()
            .send()
    );
    check!(
        "iam",
        "Throttling",
        aws_sdk_iam::Client::new(&config).list_roles().send()
    );
    check!(
        "sts",
        "Throttling",
        aws_sdk_sts::Client::new(&config)
            .get_caller_identity()
            .send()
    );
    check!(
        "ec2",
        "RequestLimitExceeded",
        aws_sdk_ec2::Client::new(&config).describe_vpcs().send()
    );
    let stats = proxy.stats.snapshot();
    for op in [
        "dynamodb:ListTables",
        "kms:ListKeys",
        "cloudtrail:DescribeTrails",
        "backup:ListBackupPlans",
        "iam:ListRoles",
        "sts:GetCallerIdentity",
        "ec2:DescribeVpcs",
    ] {
        assert_eq!(
            stats.get(op).map(|s| s.throttled),
            Some(1),
            "{op}: {stats:?}"
        );
    }
}
