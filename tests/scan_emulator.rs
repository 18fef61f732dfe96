//! `dynaudit scan` end to end against the AWS API emulator (moto): a
//! three-region estate seeded through the Rust SDK in which every rule the
//! emulator can model passes somewhere and fails somewhere; the outcome of
//! every rule on every seeded resource, checked exactly; unknowns (with the
//! failed operation named) for what the emulator does not serve; SARIF
//! locations in the inventory; `collect` + `eval` giving exactly the
//! findings of `scan`; and the read-only operation record.
//!
//! The estate is seeded by `tests/support/estate/`, and the outcomes
//! expected on it are the data file `expected_outcomes.txt` there. Every
//! seeding call was tried on moto 5.2.5 and is served (KMS
//! DisableKey/ScheduleKeyDeletion take only a bare key id there). What moto
//! cannot model, and so what the expectations cannot show:
//! - DynamoDB replicas (`UpdateTable` with `ReplicaUpdates` does nothing,
//!   `DescribeTable` has no `Replicas`): DYN205 only as "no replica" (fail)
//!   or "no region besides its own required" (pass); DYN101/DYN201 on
//!   replicas not at all.
//! - `DescribeContributorInsights` answers 500: DYN505 is always unknown.
//! - Config rules are never evaluated and `DescribeComplianceByConfigRule`
//!   answers 500: DYN603 is always unknown.
//! - AWS Backup has no `CreateBackupSelection` and `ListBackupSelections`
//!   answers 500: DYN203 is unknown where a plan exists, fails where none
//!   does, and never passes.
//! - A table in `INACCESSIBLE_ENCRYPTION_CREDENTIALS` (DYN102 by table
//!   status): moto never reports it; DYN102 fails here by key state.
//! - `alias/aws/dynamodb` is reported with `KeyManager = CUSTOMER`: DYN101
//!   recognises it by its alias.
//! - DYN501 cannot fail in one region and pass in another of the same
//!   account (a multi-region trail covers them all): it fails in a second,
//!   bare account.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Output;

use dynaudit::collect::permissions;
use support::estate::trails::{TrailSpec, create_bucket, create_trail};
use support::estate::{EAST, EU, Estate, FOREIGN_ACCOUNT, WEST, seed_estate};
use support::moto::{TestAccount, fast_config};

const REGIONS: &str = "us-east-1,us-west-2,eu-west-1";

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

// ---------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------

/// The outcome of every rule on every seeded resource: a grid of rule x
/// table and a list for the other resources, labelled as in [`Estate`]; the
/// file says how to read and extend it.
const EXPECTED_OUTCOMES: &str = include_str!("support/estate/expected_outcomes.txt");

/// [`EXPECTED_OUTCOMES`], read: the tables of the grid, in its order, and
/// every outcome as (rule, resource label, status).
struct Expected {
    tables: Vec<&'static str>,
    outcomes: Vec<(&'static str, String, &'static str)>,
}

/// Reads [`EXPECTED_OUTCOMES`], refusing anything it cannot read.
fn expected() -> Expected {
    let mut expected = Expected {
        tables: Vec::new(),
        outcomes: Vec::new(),
    };
    let mut section = "";
    let mut rules: Vec<&str> = Vec::new();
    let mut resources = 0;
    let mut seen = BTreeSet::new();
    let mut add = |rule: &'static str, label: String, status: &'static str, line: usize| {
        assert!(
            seen.insert((rule, label.clone())),
            "line {line}: {rule} on {label} listed twice"
        );
        expected.outcomes.push((rule, label, status));
    };
    for (i, line) in EXPECTED_OUTCOMES.lines().enumerate() {
        let line_no = i + 1;
        let line = line.split('#').next().unwrap().trim();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name;
            continue;
        }
        let cells: Vec<&str> = line.split_whitespace().collect();
        match section {
            "tables" if rules.is_empty() => {
                assert_eq!(cells[0], "table", "line {line_no}: the header of [tables]");
                rules = cells[1..].to_vec();
                assert!(!rules.is_empty(), "line {line_no}: no rule in the header");
            }
            "tables" => {
                let table = cells[0];
                assert_eq!(cells.len(), rules.len() + 1, "row of {table}");
                expected.tables.push(table);
                for (rule, cell) in rules.iter().zip(&cells[1..]) {
                    let status = match *cell {
                        "P" => "pass",
                        "F" => "fail",
                        "U" => "unknown",
                        other => panic!("bad cell {other} in row of {table}"),
                    };
                    add(rule, format!("table:{table}"), status, line_no);
                }
            }
            "resources" => {
                let [rule, label, status] = cells[..] else {
                    panic!("line {line_no}: not `rule label status`: {line}");
                };
                assert!(
                    ["pass", "fail", "unknown"].contains(&status),
                    "line {line_no}: bad status {status}"
                );
                add(rule, label.to_string(), status, line_no);
                resources += 1;
            }
            other => panic!("line {line_no}: outside [tables] and [resources] ({other:?})"),
        }
    }
    assert!(
        !expected.tables.is_empty() && resources > 0,
        "no tables or no other resources in the expected outcomes"
    );
    expected
}

type Outcome = (String, String, String);

/// The names of the tables of the grid of [`EXPECTED_OUTCOMES`].
fn table_names() -> impl Iterator<Item = &'static str> {
    expected().tables.into_iter()
}

fn expected_outcomes(e: &Estate) -> BTreeSet<Outcome> {
    expected()
        .outcomes
        .into_iter()
        .map(|(rule, label, status)| (rule.to_string(), e.id(&label), status.to_string()))
        .collect()
}

fn findings(report: &serde_json::Value) -> &Vec<serde_json::Value> {
    report["findings"].as_array().expect("findings array")
}

fn outcomes(report: &serde_json::Value) -> BTreeSet<Outcome> {
    let all: Vec<Outcome> = findings(report)
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let set: BTreeSet<Outcome> = all.iter().cloned().collect();
    let pairs: BTreeSet<(&String, &String)> = all.iter().map(|(r, id, _)| (r, id)).collect();
    assert_eq!(
        pairs.len(),
        all.len(),
        "one outcome per (rule, resource): {all:#?}"
    );
    set
}

/// Asserts that the outcomes are exactly `expected`, showing labels in the
/// difference.
fn assert_outcomes(e: &Estate, actual: &BTreeSet<Outcome>, expected: &BTreeSet<Outcome>) {
    let labels: BTreeMap<String, String> = e
        .ids
        .iter()
        .map(|(label, id)| (id.clone(), label.clone()))
        .collect();
    let show = |set: Vec<&Outcome>| -> Vec<String> {
        set.into_iter()
            .map(|(rule, id, status)| {
                let label = labels.get(id).map_or(id.as_str(), String::as_str);
                format!("{rule} {label} {status}")
            })
            .collect()
    };
    let missing = show(expected.difference(actual).collect());
    let unexpected = show(actual.difference(expected).collect());
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "outcomes differ from the expected table\nexpected but absent:\n  {}\nreported but not expected:\n  {}",
        missing.join("\n  "),
        unexpected.join("\n  ")
    );
}

fn finding<'a>(report: &'a serde_json::Value, rule: &str, resource: &str) -> &'a serde_json::Value {
    findings(report)
        .iter()
        .find(|f| f["rule_id"] == rule && f["resource"] == resource)
        .unwrap_or_else(|| panic!("no {rule} finding for {resource}"))
}

fn message<'a>(report: &'a serde_json::Value, rule: &str, resource: &str) -> &'a str {
    finding(report, rule, resource)["message"].as_str().unwrap()
}

// ---------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------

fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// `dynaudit scan` of the three regions into `dir` (report, inventory,
/// config), run from `dir` so the SARIF artifact URI is `inventory.json`.
/// Returns the report and the summary printed on stderr.
fn scan(
    account: &TestAccount,
    dir: &Path,
    format: &str,
    ops: Option<&Path>,
) -> (serde_json::Value, String) {
    std::fs::create_dir_all(dir).unwrap();
    let report = dir.join(format!("report.{format}"));
    let mut cmd = account.dynaudit();
    cmd.current_dir(dir)
        .args(["scan", "--regions", REGIONS, "--format", format, "--output"])
        .arg(&report)
        .arg("--inventory-out")
        .arg(dir.join("inventory.json"))
        .arg("--config")
        .arg(estate_config(dir));
    if let Some(ops) = ops {
        cmd.env("DYNAUDIT_RECORD_OPERATIONS", ops);
    }
    cmd.env("DYNAUDIT_RECORD_CALLS", dir.join("calls.json"));
    let out = cmd.output().expect("run dynaudit scan");
    let summary = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a scan of an estate with failing rules exits 1: {summary}"
    );
    assert!(
        summary.contains("collected 3 regions:") && summary.contains("failing"),
        "summary on stderr: {summary}"
    );
    (read_json(&report), summary)
}

/// The emulator settings with the estate's data residency (DYN605: the
/// tables of eu-west-1 are outside it).
fn estate_config(dir: &Path) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = fast_config(dir);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("\n[parameters]\nallowed_regions = [\"us-east-1\", \"us-west-2\"]\n");
    std::fs::write(&path, text).unwrap();
    path
}

/// The findings of a report with `evidence.collected_at`, where a rule
/// echoes it, checked against the report's collection time and blanked.
fn without_collection_time(report: &serde_json::Value) -> Vec<serde_json::Value> {
    let collected_at = &report["scope"]["collected_at"];
    assert!(collected_at.is_string(), "scope.collected_at");
    findings(report)
        .iter()
        .cloned()
        .map(|mut f| {
            let rule = f["rule_id"].to_string();
            if let Some(at) = f["evidence"].get_mut("collected_at") {
                assert_eq!(at, collected_at, "{rule} evaluated as of collected_at");
                *at = serde_json::Value::Null;
            }
            // A quoted error carries the request id the emulator gave that
            // call, which differs between two runs.
            let text = without_request_ids(&f.to_string());
            serde_json::from_str(&text).unwrap()
        })
        .collect()
}

/// `text` with every `(request id ...)` of a quoted error blanked.
fn without_request_ids(text: &str) -> String {
    const MARK: &str = "(request id ";
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at + MARK.len()]);
        rest = &rest[at + MARK.len()..];
        let end = rest.find(')').unwrap_or(rest.len());
        out.push('-');
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn scan_reports_every_rule_per_resource_and_sends_only_reads() {
    let account = TestAccount::new().await;
    let estate = seed_estate(&account).await;
    let dir = tempfile::tempdir().unwrap();
    let ops_path = dir.path().join("operations.txt");
    let (report, summary) = scan(&account, dir.path(), "json", Some(&ops_path));
    // The summary counts the tables and the failed calls, by kind.
    assert!(
        summary.contains(": 12 tables,")
            && summary.contains(", 20 errors (19 unsupported, 1 other) in "),
        "{summary}"
    );
    // What the emulator does not serve is asked once, not retried (the
    // config allows 2 attempts; the defaults 8, with back-off).
    let calls = read_json(&dir.path().join("calls.json"));
    let insights = &calls["dynamodb:DescribeContributorInsights"];
    assert_eq!(insights["calls"], 12, "{calls}");
    assert_eq!(insights["attempts"], 12, "not retried: {calls}");

    assert_eq!(report["scope"]["account_id"], account.account_id.as_str());
    assert_eq!(
        report["scope"]["regions"],
        serde_json::json!(["eu-west-1", "us-east-1", "us-west-2"])
    );

    // 1. The outcome of every rule on every seeded resource, exactly.
    assert_outcomes(&estate, &outcomes(&report), &expected_outcomes(&estate));

    // Every rule the emulator can model both passes and fails somewhere:
    // all 35 but DYN203 (no pass), DYN208 (no pass: moto puts every DAX
    // node in one zone), DYN505, DYN603, DYN207, DYN306 and DYN507
    // (unknown only, see expected_outcomes.txt). DYN501 fails in the bare
    // account of the test below.
    let statuses = |rule: &str| -> BTreeSet<String> {
        findings(&report)
            .iter()
            .filter(|f| f["rule_id"] == rule)
            .map(|f| f["status"].as_str().unwrap().to_string())
            .collect()
    };
    let rules: BTreeSet<String> = report["summary"]["by_rule"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(rules.len(), 35, "{rules:?}");
    for rule in &rules {
        let seen = statuses(rule);
        match rule.as_str() {
            "DYN203" => assert_eq!(seen, BTreeSet::from(["fail".into(), "unknown".into()])),
            "DYN505" | "DYN603" | "DYN207" | "DYN306" | "DYN507" => {
                assert_eq!(seen, BTreeSet::from(["unknown".into()]), "{rule}")
            }
            "DYN208" => assert_eq!(seen, BTreeSet::from(["fail".into()])),
            "DYN501" => assert_eq!(seen, BTreeSet::from(["pass".into()])),
            _ => assert!(
                seen.contains("pass") && seen.contains("fail"),
                "{rule} should pass somewhere and fail somewhere: {seen:?}"
            ),
        }
    }

    // The failing outcomes fail for the seeded reason.
    let id = |label: &str| estate.id(label);
    assert!(message(&report, "DYN101", &id("table:ledger")).contains("alias/aws/dynamodb"));
    assert!(message(&report, "DYN101", &id("table:sessions")).contains("AWS owned key"));
    assert!(message(&report, "DYN102", &id("table:archive")).contains("Disabled"));
    assert!(message(&report, "DYN102", &id("table:retired")).contains("PendingDeletion"));
    assert!(message(&report, "DYN201", &id("table:archive")).contains("7 days"));
    assert!(message(&report, "DYN201", &id("table:sessions")).contains("disabled"));
    assert!(message(&report, "DYN305", &id("table:partner-share")).contains(FOREIGN_ACCOUNT));
    assert!(message(&report, "DYN304", &id("table:tenants-legacy")).contains("DynamoAdminAll"));
    assert!(message(&report, "DYN303", &id("user:reporting")).contains("dynamodb:Scan"));
    assert!(
        message(&report, "DYN602", &id("region:us-west-2"))
            .contains("DYNAMODB_TABLE_ENCRYPTED_KMS, DYNAMODB_IN_BACKUP_PLAN")
    );
    assert!(message(&report, "DYN604", &id("table:public-feed")).contains("missing Application"));
    assert!(message(&report, "DYN205", &id("table:ledger")).contains("eu-west-1, us-west-2"));
    assert!(
        message(&report, "DYN206", &id("table:tenants-legacy"))
            .contains("dynamodb:table:ReadCapacityUnits")
    );
    assert!(message(&report, "DYN506", &id("table:ledger")).contains("ledger-errors-silent"));
    assert!(message(&report, "DYN605", &id("table:scratch")).contains("eu-west-1"));
    assert!(message(&report, "DYN404", &id("vpce:partner-west")).contains(FOREIGN_ACCOUNT));
    assert!(message(&report, "DYN208", &id("dax:secure-east")).contains("fewer than 3"));

    // 2. Unknowns name the operation the emulator does not serve, with the
    // recorded error as the reason.
    for table in table_names() {
        let arn = id(&format!("table:{table}"));
        let region = arn.split(':').nth(3).unwrap().to_string();
        let msg = message(&report, "DYN505", &arn);
        assert!(
            msg.contains(&format!(
                "on dynamodb:DescribeContributorInsights in {region} (unsupported): the endpoint does not serve this call"
            )),
            "DYN505 {table}: {msg}"
        );
    }
    for rule in [
        "dynamodb-table-encrypted-kms",
        "dynamodb-pitr-enabled",
        "dynamodb-in-backup-plan",
        "pitr-west",
    ] {
        let msg = message(&report, "DYN603", &id(&format!("config-rule:{rule}")));
        assert!(
            msg.contains("on config:DescribeComplianceByConfigRule in") && msg.contains(rule),
            "DYN603 {rule}: {msg}"
        );
    }
    for (table, plan) in [
        ("orders", "daily-east"),
        ("sessions", "daily-east"),
        ("audit-log", "daily-eu"),
        ("scratch", "daily-eu"),
    ] {
        let f = finding(&report, "DYN203", &id(&format!("table:{table}")));
        let msg = f["message"].as_str().unwrap();
        assert!(
            msg.contains("on backup:ListBackupSelections in"),
            "DYN203 {table} names the recorded error: {msg}"
        );
        assert_eq!(
            f["evidence"]["plans_with_uncollected_selections"],
            serde_json::json!([plan]),
            "DYN203 {table}"
        );
    }

    // The collection errors are exactly what moto does not serve.
    let inventory = read_json(&dir.path().join("inventory.json"));
    let errors: BTreeSet<(String, String, String, String)> = inventory["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["service"].as_str().unwrap().to_string(),
                e["region"].as_str().unwrap().to_string(),
                e["operation"].as_str().unwrap().to_string(),
                e["resource"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    let mut expected_errors: BTreeSet<(String, String, String, String)> = table_names()
        .map(|table| {
            let arn = id(&format!("table:{table}"));
            (
                "dynamodb".to_string(),
                arn.split(':').nth(3).unwrap().to_string(),
                "DescribeContributorInsights".to_string(),
                arn,
            )
        })
        .collect();
    for (region, plan) in [(EAST, "plan:east"), (EU, "plan:eu")] {
        expected_errors.insert((
            "backup".into(),
            region.into(),
            "ListBackupSelections".into(),
            id(plan),
        ));
    }
    // Compliance is asked for only where the region has Config rules.
    for region in [EAST, WEST] {
        expected_errors.insert((
            "config".into(),
            region.into(),
            "DescribeComplianceByConfigRule".into(),
            "-".into(),
        ));
    }
    // Exports are listed once per region, without TableArn (500 there);
    // the policy of sessions' stream is asked on the stream ARN.
    for region in [EAST, WEST, EU] {
        expected_errors.insert((
            "dynamodb".into(),
            region.into(),
            "ListExports".into(),
            "-".into(),
        ));
    }
    let stream = inventory["regions"][EAST]["tables"][id("table:sessions")]["stream"]["arn"]
        .as_str()
        .expect("sessions has a stream")
        .to_string();
    expected_errors.insert((
        "dynamodb".into(),
        EAST.into(),
        "GetResourcePolicy".into(),
        stream.clone(),
    ));
    assert_eq!(errors, expected_errors);
    // The unknowns of schema 1.3 quote their failed calls.
    let msg = message(&report, "DYN306", &id("table:sessions"));
    assert!(
        msg.contains("on dynamodb:GetResourcePolicy in us-east-1") && msg.contains(&stream),
        "DYN306: {msg}"
    );
    for region in [EAST, WEST, EU] {
        let msg = message(&report, "DYN507", &id(&format!("region:{region}")));
        assert!(
            msg.contains(&format!("on dynamodb:ListExports in {region}")),
            "DYN507 {region}: {msg}"
        );
    }
    assert_eq!(
        report["scope"]["collection_errors"],
        expected_errors.len(),
        "the report counts the failed calls"
    );

    // 4. Read-only, provably: every operation the scan sent is a
    // Describe/Get/List on the allow-list, and every service was asked.
    let ops = std::fs::read_to_string(&ops_path).expect("operation record written");
    let ops: BTreeSet<&str> = ops.lines().filter(|l| !l.is_empty()).collect();
    for op in &ops {
        assert!(
            permissions::is_allowed(op),
            "{op} was sent but is not on the read-only allow-list"
        );
        let (_, name) = op.split_once(':').unwrap();
        assert!(
            permissions::is_read_only_name(name),
            "{op} is not a Describe/Get/List"
        );
    }
    for op in [
        "sts:GetCallerIdentity",
        "dynamodb:ListTables",
        "dynamodb:DescribeTable",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:ListTagsOfResource",
        "dynamodb:ListBackups",
        "dynamodb:GetResourcePolicy",
        "dynamodb:DescribeContributorInsights",
        "kms:DescribeKey",
        "kms:GetKeyRotationStatus",
        "iam:GetAccountAuthorizationDetails",
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcEndpoints",
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:GetEventSelectors",
        "config:DescribeConfigurationRecorders",
        "config:DescribeConfigurationRecorderStatus",
        "config:DescribeConfigRules",
        "config:DescribeComplianceByConfigRule",
        "backup:ListBackupPlans",
        "backup:GetBackupPlan",
        "backup:ListBackupSelections",
        "dax:DescribeClusters",
        "dynamodb:ListExports",
        "backup:ListBackupVaults",
        "application-autoscaling:DescribeScalableTargets",
        "application-autoscaling:DescribeScalingPolicies",
        "cloudwatch:DescribeAlarms",
    ] {
        assert!(ops.contains(op), "{op} not recorded: {ops:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sarif_points_at_the_inventory_and_collect_then_eval_equals_scan() {
    let account = TestAccount::new().await;
    let estate = seed_estate(&account).await;
    let dir = tempfile::tempdir().unwrap();

    // scan --format json, the reference.
    let (scanned, _) = scan(&account, &dir.path().join("scan"), "json", None);
    let expected = expected_outcomes(&estate);
    assert_outcomes(&estate, &outcomes(&scanned), &expected);

    // 3. collect, then eval of the saved file: exactly the same findings
    // (messages and evidence included; the DYN202 backup is minutes old,
    // so its age as of each run's collected_at is the same).
    let saved = dir.path().join("collected.json");
    let out = account
        .dynaudit()
        .args(["collect", "--regions", REGIONS, "--quiet", "--output"])
        .arg(&saved)
        .arg("--config")
        .arg(fast_config(dir.path()))
        .output()
        .unwrap();
    assert!(out.status.success(), "collect: {}", stderr(&out));
    let evaluated_path = dir.path().join("eval.json");
    let out = account
        .dynaudit()
        .arg("eval")
        .arg(&saved)
        .args(["--format", "json", "--quiet", "--output"])
        .arg(&evaluated_path)
        .arg("--config")
        .arg(estate_config(&dir.path().join("eval-config")))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "eval: {}", stderr(&out));
    let evaluated = read_json(&evaluated_path);
    // The two runs collected at different instants: time-based evidence
    // (DYN202 echoes `collected_at`) must be each run's own collection
    // time, and is then set aside; everything else must be identical.
    let (a, b) = (
        without_collection_time(&scanned),
        without_collection_time(&evaluated),
    );
    assert_eq!(a.len(), b.len(), "same number of findings");
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y, "collect + eval differs from scan");
    }
    assert_eq!(scanned["summary"], evaluated["summary"]);

    // SARIF: one result per failing or unknown outcome, each pointing at
    // the line of inventory.json where its resource's record starts.
    let sarif_dir = dir.path().join("sarif");
    let (sarif, _) = scan(&account, &sarif_dir, "sarif", None);
    let inventory_text = std::fs::read_to_string(sarif_dir.join("inventory.json")).unwrap();
    let lines: Vec<&str> = inventory_text.lines().collect();
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().expect("SARIF results");
    let rule_names: BTreeMap<String, String> = estate
        .ids
        .iter()
        .filter_map(|(label, id)| {
            label
                .strip_prefix("config-rule:")
                .map(|name| (id.clone(), name.to_string()))
        })
        .collect();
    let mut reported = BTreeSet::new();
    for result in results {
        let rule = result["ruleId"].as_str().unwrap();
        let status = result["properties"]["status"].as_str().unwrap();
        let location = &result["locations"][0];
        let resource = location["logicalLocations"][0]["fullyQualifiedName"]
            .as_str()
            .unwrap();
        let physical = &location["physicalLocation"];
        assert_eq!(
            physical["artifactLocation"]["uri"], "inventory.json",
            "{rule} {resource}"
        );
        let line = physical["region"]["startLine"].as_u64().unwrap() as usize;
        assert!(
            line >= 2 && line <= lines.len(),
            "{rule} {resource}: line {line}"
        );
        let text = lines[line - 1];
        // The record's key: the resource id, the region of an
        // `<account>/<region>` resource, or the name of a Config rule.
        let needle = if let Some(name) = rule_names.get(resource) {
            format!("\"{name}\": {{")
        } else if let Some(region) = resource.strip_prefix(&format!("{}/", account.account_id)) {
            format!("\"{region}\": {{")
        } else {
            format!("\"{resource}\": {{")
        };
        assert!(
            text.contains(&needle),
            "{rule} {resource}: line {line} of inventory.json is {text:?}, expected {needle}"
        );
        reported.insert((rule.to_string(), resource.to_string(), status.to_string()));
    }
    let not_passing: BTreeSet<Outcome> = expected
        .into_iter()
        .filter(|(_, _, status)| status != "pass")
        .collect();
    assert_outcomes(&estate, &reported, &not_passing);
}

/// DYN501 fails in every region of an account whose only multi-region
/// trail is not logging and whose logging trail is single-region; DYN502
/// and DYN504 then have nothing to judge.
#[tokio::test(flavor = "multi_thread")]
async fn dyn501_fails_without_a_logging_multi_region_trail() {
    let account = TestAccount::new().await;
    let bucket = format!("trail-logs-{}", account.account_id);
    create_bucket(&account.endpoint, &account.account_id, &bucket);
    let mut e = Estate {
        account_id: account.account_id.clone(),
        ..Estate::default()
    };
    let stopped = create_trail(
        &account,
        &bucket,
        &TrailSpec {
            name: "stopped",
            region: EAST,
            multi_region: true,
            validation: true,
            kms_key: None,
            logging: false,
        },
    )
    .await;
    e.put("trail:stopped", stopped);
    let local = create_trail(
        &account,
        &bucket,
        &TrailSpec {
            name: "local",
            region: WEST,
            multi_region: false,
            validation: false,
            kms_key: None,
            logging: true,
        },
    )
    .await;
    e.put("trail:local", local);
    let dir = tempfile::tempdir().unwrap();
    let (report, summary) = scan(&account, dir.path(), "json", None);
    // Only what the emulator does not serve fails: ListExports without
    // TableArn, in each region.
    assert!(
        summary.contains(", 3 errors (3 unsupported) in "),
        "{summary}"
    );
    let trail_outcomes: BTreeSet<Outcome> = outcomes(&report)
        .into_iter()
        .filter(|(rule, _, _)| ["DYN501", "DYN502", "DYN503", "DYN504"].contains(&rule.as_str()))
        .collect();
    let expected: BTreeSet<Outcome> = [EAST, WEST, EU]
        .iter()
        .map(|region| {
            (
                "DYN501".to_string(),
                e.id(&format!("region:{region}")),
                "fail".to_string(),
            )
        })
        .collect();
    assert_outcomes(&e, &trail_outcomes, &expected);
    let msg = message(&report, "DYN501", &e.id("region:us-west-2"));
    assert!(msg.contains("2 trail(s) known, none qualifies"), "{msg}");
}
