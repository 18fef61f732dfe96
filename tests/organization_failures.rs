//! Accounts that cannot be collected, end to end through the binary and the
//! emulator: `sts:AssumeRole` refused by a trust policy, by an SCP, and STS
//! disabled in the region for one account. moto grants every AssumeRole,
//! so the fault proxy between dynaudit and moto refuses the calls for those
//! accounts with AWS's error shapes; every other call reaches moto.
//!
//! The run must collect the other accounts, report each failed one with its
//! cause, count them by cause, write an inventory that says why (so its
//! rules are unknown), and fail the gate as an incomplete scope unless
//! `--allow-incomplete-scope`.

mod support;

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use support::fault_proxy::{self, ProxyConfig, Refusal};
use support::moto::{TestAccount, fast_config};
use support::seed::{TableSpec, create_table};

const REGION: &str = "us-east-1";

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

async fn run(mut cmd: std::process::Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("run dynaudit"))
        .await
        .unwrap()
}

fn refusal(account: &str, status: u16, code: &str, message: &str) -> Refusal {
    Refusal {
        operation: "sts:AssumeRole".into(),
        body_contains: account.into(),
        status,
        code: code.into(),
        message: message.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_accounts_are_reported_with_their_cause_and_fail_the_gate() {
    let caller = TestAccount::new().await;
    let mut members = Vec::new();
    for _ in 0..4 {
        let member = TestAccount::new().await;
        let ddb = aws_sdk_dynamodb::Client::new(&member.config(REGION));
        create_table(
            &ddb,
            &TableSpec {
                name: "orders",
                kms_key: None,
                pitr: false,
                deletion_protection: false,
                tags: &[],
                stream: false,
            },
        )
        .await;
        members.push(member.account_id.clone());
    }
    let (ok, denied, scp, disabled) = (&members[0], &members[1], &members[2], &members[3]);
    let proxy = fault_proxy::start(
        ProxyConfig {
            refusals: vec![
                refusal(
                    denied,
                    403,
                    "AccessDenied",
                    &format!("User: arn:aws:iam::{}:user/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{denied}:role/Audit", caller.account_id),
                ),
                refusal(
                    scp,
                    403,
                    "AccessDenied",
                    &format!("User: arn:aws:iam::{}:user/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{scp}:role/Audit with an explicit deny in a service control policy", caller.account_id),
                ),
                refusal(
                    disabled,
                    403,
                    "RegionDisabledException",
                    &format!("STS is not activated in this region for account:{disabled}. Your account administrator can activate STS in this region using the IAM Console."),
                ),
            ],
            ..ProxyConfig::new(caller.endpoint.clone())
        },
        0,
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = fast_config(dir.path());
    let evidence = dir.path().join("evidence");
    let report = dir.path().join("report.json");
    let mut cmd = caller.dynaudit();
    cmd.env("AWS_ENDPOINT_URL", proxy.endpoint())
        .args([
            "scan",
            "--regions",
            REGION,
            "--role-name",
            "Audit",
            "--format",
            "json",
        ])
        .arg(format!("--accounts={}", members.join(",")))
        .arg("--output")
        .arg(&report)
        .arg("--inventory-out")
        .arg(&evidence)
        .arg("--config")
        .arg(&config);
    let out = run(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    // The summary counts the failed accounts by cause.
    assert!(
        stderr.contains("4 accounts: 1 collected, 3 failed (access denied: 1, denied by an SCP: 1, region disabled: 1), 0 skipped"),
        "{stderr}"
    );
    for account in [denied, scp, disabled] {
        assert!(
            stderr.contains(&format!("error: incomplete scope: account {account}: sts:AssumeRole on arn:aws:iam::{account}:role/Audit failed")),
            "{stderr}"
        );
    }
    assert!(
        stderr.contains("a service control policy denies it"),
        "{stderr}"
    );
    assert!(
        stderr.contains("STS is not enabled in us-east-1"),
        "{stderr}"
    );

    // The index: statuses, causes, digests of every file.
    let index = read_json(&evidence.join("index.json"));
    let entries = index["accounts"].as_array().unwrap();
    assert_eq!(entries.len(), 4);
    for entry in entries {
        let id = entry["account_id"].as_str().unwrap();
        let file = evidence.join(format!("{id}.json"));
        assert_eq!(entry["inventory"], format!("{id}.json"));
        let bytes = std::fs::read(&file).unwrap();
        use sha2::Digest;
        let digest: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(entry["sha256"], digest, "{id}");
        let expected = if id == ok {
            ("collected", Value::Null)
        } else {
            ("failed", entry["failure"].clone())
        };
        assert_eq!(entry["status"], expected.0, "{entry}");
        if id == denied {
            assert_eq!(entry["failure"], "access-denied");
        } else if id == scp {
            assert_eq!(entry["failure"], "scp-denied");
        } else if id == disabled {
            assert_eq!(entry["failure"], "region-disabled");
        }
    }

    // The failed accounts' rules are unknown, never pass or fail; the
    // collected account has its verdicts, under its own id.
    let report = read_json(&report);
    let findings = report["findings"].as_array().unwrap();
    for f in findings {
        let account = f["account"].as_str().unwrap();
        if account != ok {
            assert_eq!(f["status"], "unknown", "{f}");
        }
    }
    assert!(
        findings.iter().any(|f| f["account"] == ok.as_str()
            && f["rule_id"] == "DYN201"
            && f["status"] == "fail")
    );
    for account in [denied, scp, disabled] {
        assert!(
            findings
                .iter()
                .any(|f| f["account"] == account.as_str() && f["rule_id"] == "DYN401"),
            "no outcome of account {account}: its rules must say unknown, not vanish"
        );
    }
    let gaps: Vec<&str> = report["scope"]["incomplete"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["scope"].as_str().unwrap())
        .collect();
    let mut expected: Vec<String> = [denied, scp, disabled]
        .iter()
        .map(|a| format!("account {a}"))
        .collect();
    expected.sort();
    assert_eq!(gaps, expected);
    assert_eq!(report["scope"]["accounts"].as_array().unwrap().len(), 4);

    // Accepting the incomplete scope explicitly: the gate no longer fails
    // for it (and --fail-on none ignores the findings).
    let mut cmd = caller.dynaudit();
    cmd.args([
        "eval",
        "--fail-on",
        "none",
        "--allow-incomplete-scope",
        "--format",
        "table",
    ])
    .arg(&evidence);
    let out = run(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: incomplete scope: account"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        stdout.contains("Accounts: 4 (1 collected, 3 failed, 0 skipped)"),
        "{stdout}"
    );

    // A file changed after the run is refused, naming it.
    let edited = evidence.join(format!("{ok}.json"));
    let text = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, text.replace("\"orders\"", "\"ORDERS\"")).unwrap();
    let mut cmd = caller.dynaudit();
    cmd.args(["eval", "--fail-on", "none"]).arg(&evidence);
    let out = run(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("SHA-256") && stderr.contains(ok.as_str()),
        "{stderr}"
    );
}
