//! `trusted_account_ids = ["organization"]` through the real binary: the
//! accounts of the inventory's `organization` block are trusted, an account
//! outside it is not, and without the block a grant only the organization
//! could trust is unknown with a cause the user can act on (never a fail,
//! never a pass). Runs `dynaudit eval` on `fixtures/rules/DYN305/`.

use std::path::PathBuf;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_dynaudit");

fn scenario(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/rules/DYN305")
        .join(name)
}

fn table(name: &str) -> String {
    format!("arn:aws:dynamodb:us-east-1:111122223333:table/{name}")
}

fn eval(inventory: &PathBuf, config: &PathBuf) -> Output {
    Command::new(BIN)
        .args(["eval", "--format", "json", "--fail-on", "none", "--config"])
        .arg(config)
        .arg(inventory)
        .env("NO_COLOR", "1")
        .output()
        .expect("run dynaudit")
}

/// DYN305's finding for `resource`: (status, message, reasons).
fn finding(output: &Output, resource: &str) -> (String, String, serde_json::Value) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|err| panic!("{err}: {stderr}"));
    let found: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "DYN305" && f["resource"] == resource)
        .collect();
    assert_eq!(found.len(), 1, "one DYN305 finding for {resource}");
    (
        found[0]["status"].as_str().unwrap().to_string(),
        found[0]["message"].as_str().unwrap().to_string(),
        found[0].clone(),
    )
}

#[test]
fn the_organization_trusts_its_member_accounts_and_no_other() {
    let dir = scenario("organization");
    let output = eval(&dir.join("inventory.json"), &dir.join("config.toml"));
    let (status, message, _) = finding(&output, &table("reporting"));
    assert_eq!(status, "pass", "{message}");
    let (status, message, _) = finding(&output, &table("members"));
    assert_eq!(status, "pass", "{message}");
    let (status, message, _) = finding(&output, &table("partners"));
    assert_eq!(status, "fail", "{message}");
    assert!(message.contains("555566667777"), "{message}");
}

#[test]
fn without_the_organization_block_a_grant_only_it_could_trust_is_unknown() {
    let dir = scenario("organization-not-collected");
    let output = eval(&dir.join("inventory.json"), &dir.join("config.toml"));
    for name in ["reporting", "partners", "members"] {
        let (status, message, finding) = finding(&output, &table(name));
        assert_eq!(status, "unknown", "{name}: {message}");
        assert!(
            message.contains(
                "the organization's accounts are not in this inventory (collect it with --organization or --ou)"
            ),
            "{name}: {message}"
        );
        assert!(
            finding.to_string().contains("undetermined_accounts"),
            "{finding}"
        );
    }
    // An unconditional grant to everyone fails whatever the organization.
    let (status, message, _) = finding(&output, &table("public"));
    assert_eq!(status, "fail", "{message}");
}

#[test]
fn the_same_inventory_without_the_word_fails_the_member_grant() {
    let dir = scenario("organization");
    let temp = tempfile::tempdir().unwrap();
    let config = temp.path().join("dynaudit.toml");
    std::fs::write(&config, "[parameters]\ntrusted_account_ids = []\n").unwrap();
    let output = eval(&dir.join("inventory.json"), &config);
    let (status, message, _) = finding(&output, &table("reporting"));
    assert_eq!(status, "fail", "{message}");
}

#[test]
fn a_word_other_than_organization_is_refused() {
    let dir = scenario("organization");
    let temp = tempfile::tempdir().unwrap();
    let config = temp.path().join("dynaudit.toml");
    std::fs::write(
        &config,
        "[parameters]\ntrusted_account_ids = [\"organisation\"]\n",
    )
    .unwrap();
    let output = eval(&dir.join("inventory.json"), &config);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        stderr.contains("`organisation` is neither a 12-digit AWS account id nor `organization`"),
        "{stderr}"
    );
}
