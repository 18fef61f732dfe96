//! Unknown outcomes name the call that failed and why, with IAM enforced
//! in the emulator: moto checks every request against the caller's IAM
//! policies after `POST /moto-api/reset-auth` (body `0`). This binary has
//! its own emulator (enforcement is server-wide) and one test.
//!
//! The auditor may do everything but `dynamodb:DescribeContinuousBackups`,
//! `kms:DescribeKey` and `cloudtrail:GetEventSelectors`. Before, DYN503
//! said "GetEventSelectors evidence is missing ... no collection error
//! recorded" (the errors are recorded against each trail's ARN), and DYN103
//! blamed GetKeyRotationStatus, which is never called after DescribeKey
//! failed.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;

use support::estate::trails::{TrailSpec, create_bucket, create_trail};
use support::moto::{TestAccount, base_command, fast_config};
use support::seed::{TableSpec, create_table};

/// Turns the emulator's IAM enforcement on (`0`) or off (`inf`).
fn reset_auth(endpoint: &str, body: &str) {
    let address = endpoint.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).expect("connect to the emulator");
    write!(
        stream,
        "POST /moto-api/reset-auth HTTP/1.1\r\nHost: {address}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "reset-auth: {answer}");
}

fn finding<'a>(report: &'a serde_json::Value, rule: &str, resource: &str) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule_id"] == rule && f["resource"].as_str().is_some_and(|r| r.contains(resource))
        })
        .unwrap_or_else(|| panic!("no {rule} finding for {resource}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn unknowns_under_iam_enforcement_name_the_denied_call() {
    let account = TestAccount::new().await;
    let east = account.config("us-east-1");

    // Seeded with enforcement off.
    let kms = aws_sdk_kms::Client::new(&east);
    let key = kms.create_key().send().await.unwrap();
    let key = key.key_metadata().unwrap().arn().unwrap().to_string();
    let ddb = aws_sdk_dynamodb::Client::new(&east);
    create_table(
        &ddb,
        &TableSpec {
            name: "orders",
            kms_key: Some(&key),
            pitr: true,
            ..TableSpec::default()
        },
    )
    .await;
    create_bucket(&account.endpoint, &account.account_id, "iam-enforced-trail");
    let trail = create_trail(
        &account,
        "iam-enforced-trail",
        &TrailSpec {
            name: "main",
            region: "us-east-1",
            multi_region: true,
            validation: true,
            kms_key: None,
            logging: true,
        },
    )
    .await;
    let iam = aws_sdk_iam::Client::new(&east);
    iam.create_user().user_name("auditor").send().await.unwrap();
    iam.put_user_policy()
        .user_name("auditor")
        .policy_name("audit-but-not-everything")
        .policy_document(
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "*", "Resource": "*"},
                    {"Effect": "Deny", "Action": [
                        "dynamodb:DescribeContinuousBackups",
                        "kms:DescribeKey",
                        "cloudtrail:GetEventSelectors"
                    ], "Resource": "*"}
                ]
            })
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    let access = iam
        .create_access_key()
        .user_name("auditor")
        .send()
        .await
        .unwrap();
    let access = access.access_key().unwrap();

    reset_auth(&account.endpoint, "0");
    let dir = tempfile::tempdir().unwrap();
    let out = base_command(&account.endpoint)
        .current_dir(dir.path())
        .env("AWS_ACCESS_KEY_ID", access.access_key_id())
        .env("AWS_SECRET_ACCESS_KEY", access.secret_access_key())
        .args([
            "scan",
            "--regions",
            "us-east-1",
            "--format",
            "json",
            "--output",
            "report.json",
        ])
        .arg("--config")
        .arg(fast_config(dir.path()))
        .output()
        .expect("run dynaudit scan");
    reset_auth(&account.endpoint, "inf");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0) | Some(1)), "{stderr}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();

    // PITR: the denied call itself, by name, as access denied.
    let pitr = finding(&report, "DYN201", "table/orders");
    assert_eq!(pitr["status"], "unknown", "{pitr}");
    let message = pitr["message"].as_str().unwrap();
    assert!(
        message.contains("on dynamodb:DescribeContinuousBackups in us-east-1"),
        "{message}"
    );
    assert!(message.contains("(access_denied)"), "{message}");

    // Rotation: never asked, because DescribeKey was denied first.
    let rotation = finding(&report, "DYN103", "key/");
    assert_eq!(rotation["status"], "unknown", "{rotation}");
    let message = rotation["message"].as_str().unwrap();
    assert!(message.contains("kms:DescribeKey"), "{message}");
    assert!(
        !message.contains("no collection error recorded"),
        "{message}"
    );

    // Data events: the trail's GetEventSelectors error, found through the
    // region's trails.
    let data_events = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "DYN503" && f["status"] == "unknown")
        .collect::<Vec<_>>();
    assert!(!data_events.is_empty(), "DYN503 unknown expected: {report}");
    for f in data_events {
        let message = f["message"].as_str().unwrap();
        assert!(
            message.contains("on cloudtrail:GetEventSelectors"),
            "{message}"
        );
        assert!(message.contains(&trail), "{message}");
        assert!(
            !message.contains("no collection error recorded"),
            "{message}"
        );
    }
}
