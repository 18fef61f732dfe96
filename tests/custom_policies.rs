//! Own rules (`--policies`) add rules; they cannot change the built-in
//! ones, and a rule that loops or explodes is stopped and named. Runs the
//! real binary on the repository's fixtures.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_dynaudit");

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path)
}

/// An inventory on which DYN501 fails in two regions (and is unknown in a
/// third): no multi-region trail qualifies.
fn no_trail_inventory() -> PathBuf {
    fixture("rules/DYN501/no-qualifying-trail/inventory.json")
}

fn run(args: &[&str], dir: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run dynaudit")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A rule file: METADATA with `id`, then `package` and `body`.
fn rule(id: &str, package: &str, body: &str) -> String {
    format!(
        "# METADATA\n# title: T\n# description: D\n# custom:\n#   id: {id}\n#   name: own-{}\n#   severity: low\n#   frameworks:\n#     soc2: [CC6.1]\n#   remediation:\n#     summary: S\npackage {package}\n\n{body}\n",
        id.to_lowercase()
    )
}

fn assert_refused(output: &Output, needles: &[&str]) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(2), "exit code; stderr: {err}");
    assert!(!err.contains("panicked"), "panic: {err}");
    for needle in needles {
        assert!(err.contains(needle), "stderr lacks {needle:?}: {err}");
    }
}

/// `(status, resource)` of a JSON report's findings of `rule`.
fn outcomes(output: &Output, rule: &str) -> Vec<(String, String)> {
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}", stderr(output)));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .map(|f| {
            (
                f["status"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn eval_json(inventory: &Path, dir: &Path, policies: &str) -> Output {
    run(
        &[
            "eval",
            &inventory.to_string_lossy(),
            "--policies",
            policies,
            "--format",
            "json",
            "--fail-on",
            "none",
        ],
        dir,
    )
}

/// Before: accepted, and its outcome became one of DYN101's (and DYN101's
/// became its own).
#[test]
fn a_rule_in_a_built_in_rule_package_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "mine/sneaky.rego",
        &rule(
            "DYN901",
            "dynaudit.rules.dyn101",
            r#"outcomes contains {"status": "pass", "resource": "x", "region": "us-east-1", "message": "m"}"#,
        ),
    );
    let out = eval_json(&fixture("sample-estate.json"), dir.path(), "mine");
    assert_refused(
        &out,
        &[
            "mine/sneaky.rego:12:",
            "dynaudit.rules.dyn101",
            "built-in rule DYN101",
        ],
    );
}

/// Before: accepted, and the extra trail turned DYN501's failures into
/// passes.
#[test]
fn a_library_in_a_built_in_library_package_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "mine/dyn901.rego",
        &rule("DYN901", "dynaudit.rules.dyn901", "outcomes := set()"),
    );
    write(
        dir.path(),
        "mine/lib/cloudtrail.rego",
        "# Counts every trail as qualifying.\npackage dynaudit.lib.cloudtrail\n\nqualifying contains arn if some arn, _ in input.trails\n",
    );
    let out = eval_json(&no_trail_inventory(), dir.path(), "mine");
    assert_refused(
        &out,
        &[
            "mine/lib/cloudtrail.rego:2:",
            "dynaudit.lib.cloudtrail",
            "read-only",
        ],
    );
}

/// Before: a library file declaring `package dynaudit` added an outcome to
/// DYN101 through the rule `rules.dyn101.outcomes`.
#[test]
fn the_dynaudit_root_and_the_parameters_cannot_be_declared() {
    for (file, text, package) in [
        (
            "mine/lib/root.rego",
            "package dynaudit\n\nrules.dyn101.outcomes contains {\"status\": \"pass\", \"resource\": \"y\", \"region\": \"us-east-1\", \"message\": \"m\"}\n",
            "package `dynaudit`",
        ),
        (
            "mine/lib/params.rego",
            "package dynaudit.params\n\nrequired_tags := {}\n",
            "package `dynaudit.params`",
        ),
        (
            "mine/dyn902.rego",
            &rule("DYN902", "dynaudit", "params := {}\n\noutcomes := set()"),
            "package `dynaudit`",
        ),
        (
            "mine/lib/acme.rego",
            "package acme.helpers\n\nx := 1\n",
            "package `acme.helpers`",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "mine/dyn901.rego",
            &rule("DYN901", "dynaudit.rules.dyn901", "outcomes := set()"),
        );
        write(dir.path(), file, text);
        let out = eval_json(&fixture("sample-estate.json"), dir.path(), "mine");
        let line = if file.ends_with("dyn902.rego") { 12 } else { 1 };
        assert_refused(&out, &[&format!("{file}:{line}:"), package]);
    }
}

/// Own libraries live below `custom.lib.`; own rules may import them and
/// the built-in libraries, and even evaluate a built-in library under
/// `with`, without changing a built-in rule's outcome.
#[test]
fn own_libraries_and_read_only_imports_work() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "mine/lib/names.rego",
        "package custom.lib.names\n\nshout(s) := upper(s)\n",
    );
    let trusting = r#"import data.custom.lib.names
import data.dynaudit.lib.cloudtrail

everything := {arn | some arn, _ in input.trails}

outcomes contains {
	"status": "pass",
	"resource": names.shout(arn),
	"region": "global",
	"message": "every trail qualifies here",
} if {
	some arn in cloudtrail.qualifying with data.dynaudit.lib.cloudtrail.qualifying as everything
}"#;
    // Sorted before DYN501 so that a shared query would evaluate it first.
    write(
        dir.path(),
        "mine/dyn001.rego",
        &rule("DYN001", "dynaudit.rules.dyn001", trusting),
    );
    let out = eval_json(&no_trail_inventory(), dir.path(), "mine");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!outcomes(&out, "DYN001").is_empty(), "{}", stderr(&out));
    let dyn501: Vec<String> = outcomes(&out, "DYN501")
        .into_iter()
        .map(|(status, _)| status)
        .collect();
    assert_eq!(dyn501, ["unknown", "fail", "fail"]);
}

/// Before: the option and the `[evaluation]` table did not exist, and the
/// rule ran until the machine gave out.
#[test]
fn a_rule_that_loops_is_stopped_at_the_limit_and_named() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "mine/dyn907.rego",
        &rule(
            "DYN907",
            "dynaudit.rules.dyn907",
            r#"outcomes contains {"status": "pass", "resource": "x", "region": "us-east-1", "message": sprintf("%d", [n])} if {
	n := count([1 | some i in numbers.range(1, 100000); some j in numbers.range(1, 100000)])
}"#,
        ),
    );
    write(
        dir.path(),
        "dynaudit.toml",
        "[evaluation]\nmax_seconds_per_rule = 1\n",
    );
    let sample = fixture("sample-estate.json");
    let sample = sample.to_string_lossy();
    for args in [
        &["--max-seconds-per-rule", "1"][..],
        &["--config", "dynaudit.toml"],
    ] {
        let started = Instant::now();
        let mut all = vec!["eval", &sample, "--policies", "mine"];
        all.extend_from_slice(args);
        let out = run(&all, dir.path());
        assert_refused(
            &out,
            &[
                "rule DYN907 (mine/dyn907.rego) was stopped after 1 s",
                "max_seconds_per_rule",
            ],
        );
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "took {:?}",
            started.elapsed()
        );
    }
}

/// Before: `numbers.range(1, 1e15)` reserved 24 PB and aborted the process
/// (exit 134, a Rust backtrace).
#[test]
fn a_range_too_large_to_build_is_an_error_naming_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "mine/dyn908.rego",
        &rule(
            "DYN908",
            "dynaudit.rules.dyn908",
            r#"outcomes contains {"status": "pass", "resource": "x", "region": "us-east-1", "message": "m"} if {
	count([i | some i in numbers.range(1, 1e15)]) > 0
}"#,
        ),
    );
    let out = run(
        &[
            "eval",
            &fixture("sample-estate.json").to_string_lossy(),
            "--policies",
            "mine",
        ],
        dir.path(),
    );
    assert_refused(
        &out,
        &[
            "rule DYN908 (mine/dyn908.rego)",
            "mine/dyn908.rego:15:",
            "max_generated_elements",
        ],
    );
}
