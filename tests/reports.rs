//! Every report format on the sample estate, through the real binary:
//! snapshots, byte-for-byte determinism, GitHub code scanning's SARIF
//! constraints, and the Microsoft SARIF multitool (installed by
//! `scripts/test`).

mod support;

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_dynaudit");
const SAMPLE: &str = "fixtures/sample-estate.json";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `dynaudit eval` on the sample in the repository root; returns stdout.
fn eval(format: &str) -> String {
    let out = Command::new(BIN)
        .args(["eval", SAMPLE, "--format", format, "--quiet"])
        .current_dir(root())
        .env("NO_COLOR", "1")
        // The table's width comes from COLUMNS when it is set.
        .env_remove("COLUMNS")
        .output()
        .expect("run dynaudit");
    assert_eq!(
        out.status.code(),
        Some(1),
        "the sample has failures, so eval exits 1; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 report")
}

use support::snapshot_text::{normalise, redact_page};

#[test]
fn snapshot_json() {
    insta::assert_snapshot!("sample_estate_json", normalise(&eval("json")));
}

#[test]
fn snapshot_sarif() {
    insta::assert_snapshot!("sample_estate_sarif", normalise(&eval("sarif")));
}

#[test]
fn snapshot_table() {
    insta::assert_snapshot!("sample_estate_table", normalise(&eval("table")));
}

#[test]
fn snapshot_markdown() {
    insta::assert_snapshot!("sample_estate_markdown", normalise(&eval("markdown")));
}

#[test]
fn snapshot_html() {
    insta::assert_snapshot!("sample_estate_html", redact_page(&eval("html")));
}

#[test]
fn reports_are_byte_identical_across_runs() {
    for format in ["json", "sarif", "table", "markdown", "html"] {
        assert_eq!(eval(format), eval(format), "{format} differs between runs");
    }
}

#[test]
fn sample_exercises_every_rule_both_ways() {
    let report: serde_json::Value = serde_json::from_str(&eval("json")).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let rules: std::collections::BTreeSet<&str> = findings
        .iter()
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    // All 35 but DYN605, which emits nothing without `allowed_regions`
    // (the sample is evaluated with the defaults).
    assert_eq!(
        rules.len(),
        34,
        "every rule has outcomes on the sample: {rules:?}"
    );
    assert!(!rules.contains("DYN605"));
    let with = |status: &str| -> std::collections::BTreeSet<&str> {
        findings
            .iter()
            .filter(|f| f["status"] == status)
            .filter_map(|f| f["rule_id"].as_str())
            .collect()
    };
    // DYN501 is account-wide: one account's trails cover every region or none.
    let fails = with("fail");
    let passes = with("pass");
    for rule in &rules {
        assert!(
            fails.contains(rule) || *rule == "DYN501",
            "{rule} never fails on the sample"
        );
        assert!(passes.contains(rule), "{rule} never passes on the sample");
    }
    assert!(
        with("unknown").len() >= 3,
        "the sample shows unknown outcomes"
    );
    for finding in findings.iter().filter(|f| f["status"] == "unknown") {
        assert!(
            finding["message"].as_str().unwrap_or("").len() > 20,
            "unknown outcome without a reason: {finding}"
        );
    }
}

/// GitHub rejects a whole upload when any result lacks a relative physical
/// location with a region; the multitool does not catch all of it.
#[test]
fn sarif_meets_github_code_scanning_constraints() {
    let sarif: serde_json::Value = serde_json::from_str(&eval("sarif")).unwrap();
    let inventory = std::fs::read_to_string(root().join(SAMPLE)).unwrap();
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 35);
    let id = run["automationDetails"]["id"].as_str().unwrap();
    assert!(id.contains("111122223333"), "{id}");
    assert!(!run["results"].as_array().unwrap().is_empty());
    support::sarif::assert_github_constraints(&sarif, SAMPLE, &inventory);
}

/// The Microsoft SARIF multitool, with GitHub's rule kind, reports no error.
#[test]
fn sarif_passes_the_microsoft_sarif_multitool() {
    let errors = support::sarif::multitool_errors(&eval("sarif"));
    assert!(errors.is_empty(), "SARIF multitool errors:\n{errors:#?}");
}

/// The README's first command does what the README says: its summary
/// numbers are those of the run, and it warns that the first run builds
/// for about 10 minutes on 2 cores.
#[test]
fn the_readme_first_command_is_described_truly() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("## Two commands")
        .nth(1)
        .and_then(|s| s.split("scripts/test").next())
        .unwrap();
    assert!(
        section.contains("cargo run -- eval fixtures/sample-estate.json --fail-on none"),
        "{section}"
    );
    assert!(
        section.contains("about 10 minutes on a 2-core machine"),
        "{section}"
    );
    let out = Command::new(BIN)
        .args(["eval", SAMPLE, "--fail-on", "none"])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    let summary = err.lines().find(|l| l.starts_with("dynaudit: ")).unwrap();
    let counts = summary
        .trim_start_matches("dynaudit: ")
        .split(" (")
        .next()
        .unwrap();
    assert!(
        section.contains(&format!("({counts})")),
        "the README should say ({counts}):\n{section}"
    );
}
