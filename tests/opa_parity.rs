//! The rule pack under stock OPA: every `_test.rego` passes there too, and
//! OPA and dynaudit reach the same outcomes (status, resource, region, rule
//! by rule) on the sample estate and on every rule's fixture. So the rules
//! stay plain Rego that users can run with their own OPA, and a regorus
//! divergence shows here rather than in an audit.
//!
//! OPA comes from `scripts/opa` (its Go library from PyPI, unpacked into
//! `DYNAUDIT_OPA_DIR`, which `scripts/test` installs and sets).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dynaudit::policy::{builtin_files, run_rego_tests};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `scripts/opa ARGS`, with the OPA installed by `scripts/test`.
fn opa(args: &[&str]) -> Output {
    let dir = std::env::var_os("DYNAUDIT_OPA_DIR").unwrap_or_else(|| {
        panic!(
            "DYNAUDIT_OPA_DIR is not set: run the tests with `scripts/test`, which installs stock OPA (scripts/opa install) and sets it"
        )
    });
    Command::new("python3")
        .arg(root().join("scripts/opa"))
        .args(args)
        .env("DYNAUDIT_OPA_DIR", dir)
        .output()
        .unwrap_or_else(|err| panic!("cannot run scripts/opa: {err}"))
}

/// `dynaudit eval INVENTORY ARGS [--config CONFIG]`, which must succeed.
fn dynaudit_eval(inventory: &Path, config: Option<&Path>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dynaudit"));
    command.arg("eval").arg(inventory).args(args);
    if let Some(config) = config {
        command.arg("--config").arg(config);
    }
    let out = command
        .output()
        .unwrap_or_else(|err| panic!("cannot run dynaudit: {err}"));
    assert!(
        out.status.success(),
        "dynaudit eval {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn every_rego_test_passes_under_stock_opa() {
    let out = opa(&["test"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "Rego tests failed under OPA: see above"
    );
    let regorus = run_rego_tests(&builtin_files()).unwrap_or_else(|err| panic!("{err}"));
    let expected = format!("{0} of {0} Rego tests passed", regorus.len());
    assert!(
        stdout.contains(&expected),
        "OPA ran another number of tests than regorus ({expected}): {stdout}"
    );
}

/// Rule id -> sorted (status, resource, region) triples.
type Outcomes = BTreeMap<String, Vec<[String; 3]>>;

fn opa_outcomes(document: &Path) -> Outcomes {
    let out = opa(&["eval", &document.display().to_string()]);
    assert!(
        out.status.success(),
        "scripts/opa eval failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|err| panic!("{err}"));
    serde_json::from_value(report["rules"].clone()).unwrap_or_else(|err| panic!("{err}"))
}

fn dynaudit_outcomes(inventory: &Path, config: Option<&Path>, work: &Path) -> Outcomes {
    let report = work.join("report.json");
    let shown = report.display().to_string();
    dynaudit_eval(
        inventory,
        config,
        &[
            "--format",
            "json",
            "--output",
            &shown,
            "--fail-on",
            "none",
            "--quiet",
        ],
    );
    let text = std::fs::read_to_string(&report).unwrap_or_else(|err| panic!("{err}"));
    let report: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|err| panic!("{err}"));
    let mut outcomes = Outcomes::new();
    for finding in report["findings"].as_array().into_iter().flatten() {
        let field = |name: &str| finding[name].as_str().unwrap_or_default().to_string();
        outcomes.entry(field("rule_id")).or_default().push([
            field("status"),
            field("resource"),
            field("region"),
        ]);
    }
    for triples in outcomes.values_mut() {
        triples.sort();
    }
    outcomes
}

fn assert_same_outcomes(inventory: &Path, config: Option<&Path>) {
    let work = tempfile::tempdir().unwrap_or_else(|err| panic!("{err}"));
    let document = work.path().join("document.json");
    let out = dynaudit_eval(inventory, config, &["--print-input"]);
    std::fs::write(&document, &out.stdout).unwrap_or_else(|err| panic!("{err}"));
    let opa = opa_outcomes(&document);
    assert!(opa.len() >= 27, "OPA evaluated {} rules", opa.len());
    // A rule without outcomes is simply absent from dynaudit's findings.
    let without_empty = |outcomes: Outcomes| -> Outcomes {
        outcomes
            .into_iter()
            .filter(|(_, t)| !t.is_empty())
            .collect()
    };
    let opa = without_empty(opa);
    let ours = without_empty(dynaudit_outcomes(inventory, config, work.path()));
    assert_eq!(
        opa,
        ours,
        "OPA (left) and dynaudit (right) disagree on {}",
        inventory.display()
    );
}

#[test]
fn opa_and_dynaudit_agree_on_the_sample_estate() {
    assert_same_outcomes(&root().join("fixtures/sample-estate.json"), None);
}

/// The directories below `dir` that hold an `inventory.json` (a rule's
/// fixture, or one of its scenarios).
fn fixture_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.join("inventory.json").exists() {
        out.push(dir.to_path_buf());
    }
    let mut subs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|entry| entry.unwrap_or_else(|err| panic!("{err}")).path())
        .filter(|path| path.is_dir())
        .collect();
    subs.sort();
    for sub in subs {
        fixture_dirs(&sub, out);
    }
}

#[test]
fn opa_and_dynaudit_agree_on_every_rule_fixture() {
    let mut fixtures = Vec::new();
    fixture_dirs(&root().join("fixtures/rules"), &mut fixtures);
    assert!(
        fixtures.len() >= 27,
        "fixtures/rules has a fixture per rule"
    );
    for fixture in fixtures {
        let config = fixture.join("config.toml");
        assert_same_outcomes(
            &fixture.join("inventory.json"),
            config.exists().then_some(config.as_path()),
        );
    }
}
