//! Reports over an organization's evidence: the committed evidence
//! directory `fixtures/organization/` (seven accounts of a moto
//! organization, two regions, OUs Workloads > Prod and Sandbox, the table
//! `orders` in every account with a different posture) evaluated as a
//! whole: snapshots of every format, one SARIF file per account that GitHub
//! accepts, the index's digests, and the evaluation of a directory equal to
//! the evaluation of its files one by one.
//!
//! The fixture is real evidence: `dynaudit scan --organization --role-name
//! OrganizationAccountAccessRole --regions us-east-1,eu-west-1
//! --inventory-out fixtures/organization` run against moto 5.2.5 holding
//! the organization (the account ids are the ones moto generated; PITR on
//! in payments-prod, orders-prod and shared-services, as checked below).
//! Collected again, it differs only in those ids and `collected_at`: the
//! snapshots are then blessed again (`INSTA_UPDATE=always`).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_dynaudit");
const ORG: &str = "fixtures/organization";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn dynaudit(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run dynaudit")
}

fn eval(format: &str) -> String {
    let out = dynaudit(&["eval", ORG, "--format", format, "--quiet"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the organization has failures; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn normalise(text: &str) -> String {
    text.replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

fn index() -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join(ORG).join("index.json")).unwrap())
        .unwrap()
}

fn account_ids() -> Vec<String> {
    index()["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn snapshot_table() {
    insta::assert_snapshot!(normalise(&eval("table")));
}

#[test]
fn snapshot_markdown() {
    insta::assert_snapshot!(normalise(&eval("markdown")));
}

#[test]
fn snapshot_json() {
    insta::assert_snapshot!(normalise(&eval("json")));
}

/// Every finding is filed under the account whose evidence decided it:
/// the same table name `orders` exists in every account with a different
/// posture, so a finding under the wrong account shows as a wrong verdict.
#[test]
fn findings_are_filed_under_their_account() {
    let report: Value = serde_json::from_str(&eval("json")).unwrap();
    let ids = account_ids();
    assert_eq!(ids.len(), 7);
    let accounts = report["scope"]["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 7);
    assert_eq!(report["scope"]["account_id"], "");
    assert_eq!(
        report["scope"]["organization"],
        index()["organization"]["id"]
    );
    for f in report["findings"].as_array().unwrap() {
        let account = f["account"].as_str().unwrap();
        assert!(ids.iter().any(|id| id == account), "{f}");
        // ARNs and `account/region` ids name their account; VPC and
        // endpoint ids do not (the finding's `account` does).
        let resource = f["resource"].as_str().unwrap();
        assert!(
            resource.contains(account) || resource.starts_with("vpc"),
            "{resource} is not of {account}"
        );
    }
    // PITR (DYN201) of `orders` per account, as seeded.
    let names: std::collections::BTreeMap<String, String> = index()["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["account_id"].as_str().unwrap().to_string(),
                a["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for f in report["findings"].as_array().unwrap() {
        if f["rule_id"] == "DYN201" && f["resource"].as_str().unwrap().ends_with("table/orders") {
            let name = &names[f["account"].as_str().unwrap()];
            let pitr_on =
                ["payments-prod", "orders-prod", "shared-services"].contains(&name.as_str());
            assert_eq!(
                f["status"],
                if pitr_on { "pass" } else { "fail" },
                "{name}: {f}"
            );
        }
    }
}

/// A directory evaluates exactly like its inventory files given one by one.
#[test]
fn a_directory_evaluates_like_its_files() {
    let whole = dynaudit(&["eval", ORG, "--format", "json", "--quiet"]);
    let mut args: Vec<String> = vec![
        "eval".into(),
        "--format".into(),
        "json".into(),
        "--quiet".into(),
    ];
    for id in account_ids() {
        args.push(format!("{ORG}/{id}.json"));
    }
    let files = Command::new(BIN)
        .args(&args)
        .current_dir(root())
        .output()
        .unwrap();
    let a: Value = serde_json::from_slice(&whole.stdout).unwrap();
    let b: Value = serde_json::from_slice(&files.stdout).unwrap();
    assert_eq!(a["findings"], b["findings"]);
    assert_eq!(a["summary"], b["summary"]);
}

/// `--format sarif` writes one file per account, each with its own stable
/// category, accepted by the multitool and within GitHub's limits.
#[test]
fn sarif_is_one_file_per_account_that_github_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("sarif");
    let out = dynaudit(&[
        "eval",
        ORG,
        "--format",
        "sarif",
        "--quiet",
        "--output",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut categories = Vec::new();
    for id in account_ids() {
        let text = std::fs::read_to_string(out_dir.join(format!("{id}.sarif"))).unwrap();
        let sarif: Value = serde_json::from_str(&text).unwrap();
        let runs = sarif["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        let category = runs[0]["automationDetails"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(category, format!("dynaudit/{id}/eu-west-1,us-east-1/"));
        categories.push(category);
        for result in runs[0]["results"].as_array().unwrap() {
            let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            assert_eq!(uri, format!("{ORG}/{id}.json"));
            let resource = result["properties"]["resource"].as_str().unwrap();
            assert!(
                resource.contains(&id) || resource.starts_with("vpc"),
                "{resource}"
            );
        }
        let evidence =
            std::fs::read_to_string(root().join(ORG).join(format!("{id}.json"))).unwrap();
        support::sarif::assert_github_constraints(&sarif, &format!("{ORG}/{id}.json"), &evidence);
        let errors = support::sarif::multitool_errors(&text);
        assert!(errors.is_empty(), "{id}: {errors:#?}");
    }
    categories.sort();
    categories.dedup();
    assert_eq!(categories.len(), 7);
    // SARIF over a directory needs a directory to write to.
    let out = dynaudit(&["eval", ORG, "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--output DIR"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// The index protects the directory against a changed file, a stray file
/// and an account given twice; each refusal names the file, exit 2.
#[test]
fn the_index_refuses_changed_stray_and_duplicate_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("org");
    copy_dir(&root().join(ORG), &copy);
    let ids = account_ids();
    let run = |args: &[&str]| {
        let out = Command::new(BIN).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let copy_s = copy.to_str().unwrap();
    assert_eq!(
        run(&["eval", copy_s, "--quiet", "--fail-on", "none"]).0,
        Some(0)
    );

    // The same account twice.
    let file = format!("{copy_s}/{}.json", ids[0]);
    let (code, stderr) = run(&["eval", copy_s, &file, "--fail-on", "none"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("account {} is in both", ids[0])),
        "{stderr}"
    );

    // A stray file.
    std::fs::write(copy.join("999999999999.json"), "{}").unwrap();
    let (code, stderr) = run(&["eval", copy_s, "--fail-on", "none"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("999999999999.json") && stderr.contains("not in its index"),
        "{stderr}"
    );
    std::fs::remove_file(copy.join("999999999999.json")).unwrap();

    // A file swapped for another account's (valid inventory, wrong digest).
    std::fs::copy(
        copy.join(format!("{}.json", ids[1])),
        copy.join(format!("{}.json", ids[2])),
    )
    .unwrap();
    let (code, stderr) = run(&["eval", copy_s, "--fail-on", "none"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("SHA-256"), "{stderr}");
}

/// A waiver with an `account` covers that account's findings only.
#[test]
fn waivers_can_be_scoped_to_an_account() {
    let ids = account_ids();
    let dir = tempfile::tempdir().unwrap();
    let waivers = dir.path().join("waivers.toml");
    std::fs::write(
        &waivers,
        format!(
            "[[waiver]]\nrule = \"DYN101\"\nresource = \"*table/orders\"\naccount = \"{}\"\nreason = \"sandbox\"\nowner = \"team-a\"\nexpires = 2099-12-31\n",
            ids[0]
        ),
    )
    .unwrap();
    let out = dynaudit(&[
        "eval",
        ORG,
        "--format",
        "json",
        "--quiet",
        "--waivers",
        waivers.to_str().unwrap(),
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let waived: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("waiver").is_some())
        .collect();
    assert_eq!(waived.len(), 2, "orders in two regions of one account");
    assert!(waived.iter().all(|f| f["account"] == ids[0].as_str()));
    assert_eq!(report["waivers"]["entries"][0]["state"], "applied");
    assert_eq!(report["waivers"]["entries"][0]["account"], ids[0].as_str());
}
