//! `dynaudit collect` against the AWS API emulator (moto): STS, DynamoDB
//! and KMS evidence, the read-only operation record, and bad input.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use dynaudit::collect::permissions;
use dynaudit::inventory::{ErrorKind, Inventory, SCHEMA_VERSION};
use support::moto::{TestAccount, base_command, dummy_credentials, fast_config, moto};
use support::seed::{TableSpec, create_table};

fn run(cmd: &mut std::process::Command) -> (Output, Duration) {
    let start = Instant::now();
    let out = cmd.output().expect("run dynaudit");
    (out, start.elapsed())
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn read_inventory(path: &Path) -> Inventory {
    let text = std::fs::read_to_string(path).expect("inventory written");
    serde_json::from_str(&text).expect("inventory parses with the strict schema")
}

#[tokio::test(flavor = "multi_thread")]
async fn collects_dynamodb_kms_and_sts_evidence() {
    let account = TestAccount::new().await;
    let east = account.config("us-east-1");
    let ddb = aws_sdk_dynamodb::Client::new(&east);
    let kms = aws_sdk_kms::Client::new(&east);

    let rotated = kms.create_key().send().await.unwrap();
    let rotated = rotated.key_metadata().unwrap().arn().unwrap().to_string();
    kms.enable_key_rotation()
        .key_id(&rotated)
        .send()
        .await
        .unwrap();
    kms.create_alias()
        .alias_name("alias/orders")
        .target_key_id(&rotated)
        .send()
        .await
        .unwrap();
    let unrotated = kms.create_key().send().await.unwrap();
    let unrotated = unrotated.key_metadata().unwrap().arn().unwrap().to_string();

    let orders = create_table(
        &ddb,
        &TableSpec {
            name: "orders",
            kms_key: Some(&rotated),
            pitr: true,
            deletion_protection: true,
            tags: &[("env", "prod"), ("owner", "payments")],
            stream: true,
        },
    )
    .await;
    let sessions = create_table(
        &ddb,
        &TableSpec {
            name: "sessions",
            kms_key: Some(&unrotated),
            pitr: false,
            deletion_protection: false,
            tags: &[],
            stream: false,
        },
    )
    .await;
    let scratch = create_table(
        &ddb,
        &TableSpec {
            name: "scratch",
            kms_key: None,
            pitr: false,
            deletion_protection: false,
            tags: &[],
            stream: false,
        },
    )
    .await;
    ddb.create_backup()
        .table_name("orders")
        .backup_name("orders-nightly")
        .send()
        .await
        .unwrap();
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{}:root"}},"Action":"dynamodb:GetItem","Resource":"{}"}}]}}"#,
        account.account_id, orders
    );
    let policy_put = ddb
        .put_resource_policy()
        .resource_arn(&orders)
        .policy(&policy)
        .send()
        .await;

    // A second region with one table.
    let west = aws_sdk_dynamodb::Client::new(&account.config("eu-west-1"));
    let audit = create_table(
        &west,
        &TableSpec {
            name: "audit",
            kms_key: None,
            pitr: true,
            deletion_protection: true,
            tags: &[("env", "prod")],
            stream: false,
        },
    )
    .await;

    let dir = tempfile::tempdir().unwrap();
    let inventory_path = dir.path().join("inventory.json");
    let ops_path = dir.path().join("operations.txt");
    let (out, elapsed) = run(account
        .dynaudit()
        .args([
            "collect",
            "--regions",
            "us-east-1,eu-west-1",
            "--quiet",
            "--output",
        ])
        .arg(&inventory_path)
        .arg("--config")
        .arg(fast_config(dir.path()))
        .env("DYNAUDIT_RECORD_OPERATIONS", &ops_path));
    assert!(out.status.success(), "collect failed: {}", stderr(&out));
    assert!(
        stderr(&out).is_empty(),
        "--quiet prints nothing: {}",
        stderr(&out)
    );
    eprintln!("collect took {elapsed:?}");

    let inv = read_inventory(&inventory_path);
    assert_eq!(inv.account_id, account.account_id);
    assert_eq!(inv.partition, "aws");
    assert_eq!(inv.schema_version, SCHEMA_VERSION);
    assert!(inv.collected_at.ends_with('Z') && inv.collected_at.len() == 20);
    assert_eq!(
        inv.regions.keys().cloned().collect::<Vec<_>>(),
        ["eu-west-1", "us-east-1"]
    );

    let east_inv = &inv.regions["us-east-1"];
    let tables = east_inv.tables.as_ref().expect("tables listed");
    assert_eq!(tables.len(), 3);
    let t = &tables[&orders];
    assert_eq!(t.name, "orders");
    assert_eq!(t.status.as_deref(), Some("ACTIVE"));
    let enc = t.encryption.as_ref().unwrap();
    assert_eq!(enc.kms_key_arn.as_deref(), Some(rotated.as_str()));
    assert_eq!(t.deletion_protection, Some(true));
    assert_eq!(
        t.point_in_time_recovery.as_ref().map(|p| p.status.as_str()),
        Some("ENABLED")
    );
    assert_eq!(t.stream.as_ref().map(|s| s.enabled), Some(true));
    // Its ARN is collected (1.3); its policy, on that ARN, is not served.
    let stream = t.stream.as_ref().unwrap();
    let stream_arn = dynaudit::inventory::since::value(&stream.arn).expect("stream ARN");
    assert!(stream_arn.contains("/stream/"), "{stream_arn}");
    assert_eq!(stream.resource_policy, Some(None));
    assert!(
        inv.errors.iter().any(|e| e.operation == "GetResourcePolicy"
            && e.resource.as_deref() == Some(stream_arn.as_str())),
        "{:#?}",
        inv.errors
    );
    assert_eq!(t.replicas.as_deref(), Some(&[][..]));
    assert_eq!(
        t.tags.as_ref().unwrap().get("owner").map(String::as_str),
        Some("payments")
    );
    assert_eq!(t.billing_mode.as_deref(), Some("PAY_PER_REQUEST"));
    if policy_put.is_ok() {
        let doc = t.resource_policy.as_ref().and_then(|p| p.document.as_ref());
        assert!(
            doc.is_some(),
            "resource policy collected: {:?}",
            t.resource_policy
        );
    }
    // moto answers DescribeContributorInsights with its generic HTML 500
    // (no AWS request id): null + an error, unsupported, not retried.
    assert_eq!(t.contributor_insights, None);
    assert!(
        inv.errors
            .iter()
            .any(|e| e.operation == "DescribeContributorInsights"
                && e.resource.as_deref() == Some(orders.as_str())
                && e.kind == ErrorKind::Unsupported)
    );

    let s = &tables[&sessions];
    assert_eq!(s.deletion_protection, Some(false));
    assert_eq!(
        s.point_in_time_recovery.as_ref().map(|p| p.status.as_str()),
        Some("DISABLED")
    );
    assert_eq!(s.tags.as_ref().map(|t| t.len()), Some(0));
    assert_eq!(
        s.resource_policy.as_ref().map(|p| p.document.is_none()),
        Some(true),
        "no policy is a collected fact, not an error"
    );
    let sc = &tables[&scratch];
    assert_eq!(
        sc.encryption.as_ref().map(|e| e.sse_type),
        Some(dynaudit::inventory::SseType::AwsOwned)
    );

    // Backups, grouped by table.
    let backups = east_inv.backups.as_ref().expect("backups listed");
    assert_eq!(backups[&orders].len(), 1);
    assert_eq!(backups[&orders][0].name.as_deref(), Some("orders-nightly"));
    assert!(!backups.contains_key(&sessions));

    // KMS: each referenced key once, rotation and aliases.
    let keys = &east_inv.kms_keys;
    assert_eq!(keys.len(), 2, "{keys:#?}");
    assert_eq!(keys[&rotated].key_manager.as_deref(), Some("CUSTOMER"));
    assert_eq!(keys[&rotated].key_state.as_deref(), Some("Enabled"));
    assert_eq!(keys[&rotated].rotation_enabled, Some(true));
    assert_eq!(
        keys[&rotated].aliases.as_deref(),
        Some(&["alias/orders".to_string()][..])
    );
    assert_eq!(keys[&unrotated].rotation_enabled, Some(false));

    let west_inv = &inv.regions["eu-west-1"];
    let west_tables = west_inv.tables.as_ref().unwrap();
    assert_eq!(west_tables.len(), 1);
    assert_eq!(west_tables[&audit].deletion_protection, Some(true));
    assert!(west_inv.kms_keys.is_empty());

    // Errors are sorted and only for what moto does not serve.
    let mut sorted = inv.errors.clone();
    sorted.sort();
    assert_eq!(sorted, inv.errors);
    let failing_ops: BTreeSet<&str> = inv
        .errors
        .iter()
        .filter(|e| e.service == "dynamodb" || e.service == "kms" || e.service == "sts")
        .map(|e| e.operation.as_str())
        .collect();
    assert_eq!(
        failing_ops,
        // moto answers 500 to the first two (ListExports without
        // TableArn) and does not find the stream of the table that has one.
        BTreeSet::from([
            "DescribeContributorInsights",
            "ListExports",
            "GetResourcePolicy"
        ]),
        "{:#?}",
        inv.errors
    );

    // Read-only, provably: every operation sent is on the allow-list.
    let ops = std::fs::read_to_string(&ops_path).expect("operation record written");
    let ops: Vec<&str> = ops.lines().collect();
    assert!(ops.contains(&"dynamodb:DescribeTable"), "{ops:?}");
    assert!(ops.contains(&"sts:GetCallerIdentity"), "{ops:?}");
    for op in &ops {
        assert!(
            permissions::is_allowed(op),
            "{op} was sent but is not on the read-only allow-list"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_account_has_empty_evidence_and_no_errors_for_dynamodb() {
    let account = TestAccount::new().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.json");
    let (out, _) = run(account
        .dynaudit()
        .args(["collect", "--regions", "us-west-2", "-q", "-o"])
        .arg(&path)
        .arg("--config")
        .arg(fast_config(dir.path())));
    assert!(out.status.success(), "{}", stderr(&out));
    let inv = read_inventory(&path);
    let region = &inv.regions["us-west-2"];
    assert_eq!(region.tables.as_ref().map(|t| t.len()), Some(0));
    assert_eq!(region.backups.as_ref().map(|b| b.len()), Some(0));
    assert!(region.kms_keys.is_empty());
    // Only ListExports, which moto answers with a 500 without TableArn.
    assert!(
        !inv.errors.iter().any(
            |e| (e.service == "dynamodb" && e.operation != "ListExports") || e.service == "kms"
        ),
        "{:#?}",
        inv.errors
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_tables_across_pages() {
    let account = TestAccount::new().await;
    let ddb = aws_sdk_dynamodb::Client::new(&account.config("eu-central-1"));
    for i in 0..230 {
        create_table(
            &ddb,
            &TableSpec {
                name: &format!("t{i:03}"),
                kms_key: None,
                pitr: i % 2 == 0,
                deletion_protection: false,
                tags: &[],
                stream: false,
            },
        )
        .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.json");
    let (out, elapsed) = run(account
        .dynaudit()
        .args(["collect", "--regions", "eu-central-1", "-o"])
        .arg(&path)
        .arg("--config")
        .arg(fast_config(dir.path())));
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = stderr(&out);
    assert!(summary.contains("230 tables"), "{summary}");
    eprintln!("230 tables: {elapsed:?}: {summary}");
    let inv = read_inventory(&path);
    let tables = inv.regions["eu-central-1"].tables.as_ref().unwrap();
    assert_eq!(tables.len(), 230);
    let pitr_on = tables
        .values()
        .filter(|t| {
            t.point_in_time_recovery
                .as_ref()
                .is_some_and(|p| p.status == "ENABLED")
        })
        .count();
    assert_eq!(pitr_on, 115);
}

#[tokio::test(flavor = "multi_thread")]
async fn role_arn_assumes_the_role_of_the_scanned_account() {
    let account = TestAccount::new().await;
    let ddb = aws_sdk_dynamodb::Client::new(&account.config("us-east-1"));
    create_table(
        &ddb,
        &TableSpec {
            name: "only-in-target",
            kms_key: None,
            pitr: false,
            deletion_protection: false,
            tags: &[],
            stream: false,
        },
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.json");
    let creds = dummy_credentials();
    let (out, _) = run(base_command(&moto().endpoint)
        .env("AWS_ACCESS_KEY_ID", creds.access_key_id())
        .env("AWS_SECRET_ACCESS_KEY", creds.secret_access_key())
        .args(["collect", "--regions", "us-east-1", "-q", "--role-arn"])
        .arg(format!("arn:aws:iam::{}:role/auditor", account.account_id))
        .args(["--external-id", "dynaudit-ci", "-o"])
        .arg(&path)
        .arg("--config")
        .arg(fast_config(dir.path())));
    assert!(out.status.success(), "{}", stderr(&out));
    let inv = read_inventory(&path);
    assert_eq!(inv.account_id, account.account_id);
    let names: Vec<String> = inv.regions["us-east-1"]
        .tables
        .as_ref()
        .unwrap()
        .values()
        .map(|t| t.name.clone())
        .collect();
    assert_eq!(names, ["only-in-target"]);
}

/// Bad input: exit 2, a message that says what to do, fast.
fn assert_fails_fast(out: &Output, elapsed: Duration, needle: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    let err = stderr(out);
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_exits_2_with_advice() {
    let account = TestAccount::new().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.json");

    let (out, t) = run(account
        .dynaudit()
        .args(["collect", "--regions", "us-esat-1", "-o"])
        .arg(&path));
    assert_fails_fast(&out, t, "did you mean us-east-1?");

    let (out, t) = run(account
        .dynaudit()
        .args(["collect", "--regions", "us-east-1,,eu-west-1", "-o"])
        .arg(&path));
    assert_fails_fast(&out, t, "comma-separated list");

    let (out, t) = run(base_command(&account.endpoint)
        .args(["collect", "--regions", "us-east-1", "-o"])
        .arg(&path));
    assert_fails_fast(&out, t, "AWS_ACCESS_KEY_ID");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let (out, t) = run(account
        .dynaudit()
        .env("AWS_ENDPOINT_URL", &dead)
        .args(["collect", "--regions", "us-east-1", "-o"])
        .arg(&path));
    assert_fails_fast(&out, t, "could not reach AWS STS");
    assert!(
        !path.exists(),
        "no inventory is written when the run cannot start"
    );
}

#[test]
fn iam_policy_prints_the_allow_list() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dynaudit"))
        .arg("iam-policy")
        .output()
        .unwrap();
    assert!(out.status.success());
    let policy: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let actions: BTreeSet<String> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap().iter())
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    for (service, op, _) in permissions::ALLOWED_OPERATIONS {
        if *service != "sts" {
            assert!(
                actions.contains(&format!("{service}:{op}")),
                "{service}:{op}"
            );
        }
    }
}

/// The identity (STS) and region (EC2 `DescribeRegions`) calls are built
/// like every other client: `[scan.region_endpoints]` applies to them, and
/// the operation record and region breaker are installed. Before, they were
/// built by hand and went to `AWS_ENDPOINT_URL` whatever the configuration
/// said (here a port that refuses connections: exit 2).
#[tokio::test(flavor = "multi_thread")]
async fn identity_and_region_calls_follow_region_endpoints() {
    let account = TestAccount::new().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("dynaudit.toml");
    std::fs::write(
        &config,
        format!(
            "[scan]\nmax_attempts = 2\ninitial_backoff_ms = 20\nconnect_timeout_secs = 2\n\n\
             [scan.rate_limits]\nenabled = false\n\n\
             [scan.region_endpoints]\n\"us-east-1\" = \"{}\"\n",
            account.endpoint
        ),
    )
    .unwrap();
    let record = dir.path().join("operations.txt");
    let inventory = dir.path().join("inventory.json");
    let (out, _) = run(account
        .dynaudit()
        // Every other region's endpoint refuses connections.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("DYNAUDIT_RECORD_OPERATIONS", &record)
        .args(["collect", "--quiet", "--regions", "all", "--config"])
        .arg(&config)
        .arg("--output")
        .arg(&inventory));
    assert!(out.status.success(), "{}", stderr(&out));
    let inventory = read_inventory(&inventory);
    assert_eq!(inventory.account_id, account.account_id);
    assert!(inventory.regions["us-east-1"].tables.is_some());
    let operations = std::fs::read_to_string(&record).unwrap();
    for op in ["sts:GetCallerIdentity", "ec2:DescribeRegions"] {
        assert!(
            operations.lines().any(|l| l == op),
            "{op} not recorded: {operations}"
        );
    }
    // The other regions were cut off by the breaker, not left to time out.
    assert!(inventory.regions.len() > 1);
    assert!(
        inventory
            .errors
            .iter()
            .filter(|e| e.region != "us-east-1")
            .all(|e| e.kind == ErrorKind::RegionUnavailable),
        "{:#?}",
        inventory.errors
    );
}
