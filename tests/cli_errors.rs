//! Bad input gets exit 2 and a message naming the file and position; good
//! input gets 0 or 1 by the --fail-on threshold. Runs the real binary.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_dynaudit");

const EMPTY_INVENTORY: &str = r#"{
  "schema_version": "1.0",
  "tool_version": "0.1.0",
  "collected_at": "2026-11-01T00:00:00Z",
  "account_id": "111122223333",
  "partition": "aws",
  "errors": [],
  "iam": null,
  "trails": {},
  "regions": {}
}
"#;

const ONE_TABLE_INVENTORY: &str = r#"{
  "schema_version": "1.0",
  "tool_version": "0.1.0",
  "collected_at": "2026-11-01T00:00:00Z",
  "account_id": "111122223333",
  "partition": "aws",
  "errors": [],
  "iam": null,
  "trails": {},
  "regions": {
    "us-east-1": {
      "tables": {
        "arn:aws:dynamodb:us-east-1:111122223333:table/orders": {
          "arn": "arn:aws:dynamodb:us-east-1:111122223333:table/orders",
          "name": "orders",
          "status": null,
          "creation_time": null,
          "encryption": null,
          "deletion_protection": false,
          "point_in_time_recovery": null,
          "stream": null,
          "replicas": null,
          "tags": null,
          "resource_policy": null,
          "contributor_insights": null,
          "billing_mode": null
        }
      },
      "backups": null,
      "kms_keys": {},
      "vpcs": null,
      "vpc_endpoints": null,
      "trail_arns": null,
      "config_recorders": null,
      "config_rules": null,
      "backup_plans": null,
      "dax_clusters": null
    }
  }
}
"#;

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
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

fn assert_error(output: &Output, needles: &[&str]) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(2), "exit code; stderr: {err}");
    assert!(!err.contains("panicked"), "panic: {err}");
    for needle in needles {
        assert!(err.contains(needle), "stderr lacks {needle:?}: {err}");
    }
}

#[test]
fn malformed_json_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "inv.json",
        "{\n  \"schema_version\": \"1.0\",\n  \"account_id\": 1111,,\n}\n",
    );
    let out = run(&["eval", "inv.json"], dir.path());
    assert_error(&out, &["inv.json:3:", "malformed JSON"]);
}

#[test]
fn truncated_file_is_called_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let cut = &EMPTY_INVENTORY[..EMPTY_INVENTORY.len() / 2];
    write(dir.path(), "inv.json", cut);
    let out = run(&["eval", "inv.json"], dir.path());
    assert_error(&out, &["inv.json:", "truncated"]);
}

#[test]
fn unknown_schema_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "inv.json",
        &EMPTY_INVENTORY.replace("\"1.0\"", "\"7.2\""),
    );
    let out = run(&["eval", "inv.json"], dir.path());
    assert_error(
        &out,
        &["inv.json", "schema_version `7.2`", "reads schema 1.x"],
    );
}

#[test]
fn unknown_inventory_field_is_named() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "inv.json",
        &EMPTY_INVENTORY.replace("\"iam\": null", "\"iam\": null,\n  \"colour\": 1"),
    );
    let out = run(&["eval", "inv.json"], dir.path());
    assert_error(&out, &["inv.json:9:", "colour"]);
}

#[test]
fn missing_inventory_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["eval", "nope.json"], dir.path());
    assert_error(&out, &["nope.json"]);
    // The I/O error is in the message once; no "caused by" line repeats it.
    let err = stderr(&out);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    assert!(!err.contains("caused by"), "{err}");
    // A cause that adds something is still shown.
    let out = run(&["diff", "nope.json", "nope.json"], dir.path());
    let err = stderr(&out);
    assert_error(
        &out,
        &[
            "cannot compare nope.json",
            "caused by: cannot read file nope.json",
        ],
    );
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
}

#[test]
fn policy_with_syntax_error_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "inv.json", EMPTY_INVENTORY);
    let metadata = "# METADATA\n# title: T\n# description: D\n# custom:\n#   id: DYN901\n#   name: broken\n#   severity: low\n#   frameworks:\n#     soc2: [CC6.1]\n#   remediation:\n#     summary: S\npackage dynaudit.rules.dyn901\n\n";
    write(
        dir.path(),
        "mine/dyn901.rego",
        &format!("{metadata}outcomes contains x if {{\n  x := [\n}}\n"),
    );
    let out = run(&["eval", "inv.json", "--policies", "mine"], dir.path());
    assert_error(&out, &["mine/dyn901.rego:15:5", "expecting"]);
}

#[test]
fn policy_without_metadata_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "inv.json", EMPTY_INVENTORY);
    write(
        dir.path(),
        "mine/dyn902.rego",
        "package dynaudit.rules.dyn902\n\noutcomes := set()\n",
    );
    let out = run(&["eval", "inv.json", "--policies", "mine"], dir.path());
    assert_error(&out, &["mine/dyn902.rego", "no `# METADATA` block"]);
}

#[test]
fn policy_with_unknown_metadata_key_names_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "inv.json", EMPTY_INVENTORY);
    write(
        dir.path(),
        "mine/dyn903.rego",
        "# METADATA\n# title: T\n# description: D\n# custom:\n#   id: DYN903\n#   name: odd\n#   severity: low\n#   owner: me\n#   frameworks:\n#     soc2: [CC6.1]\n#   remediation:\n#     summary: S\npackage dynaudit.rules.dyn903\n\noutcomes := set()\n",
    );
    let out = run(&["eval", "inv.json", "--policies", "mine"], dir.path());
    assert_error(&out, &["mine/dyn903.rego:8:", "owner"]);
}

#[test]
fn duplicate_rule_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "inv.json", EMPTY_INVENTORY);
    write(
        dir.path(),
        "mine/dup.rego",
        "# METADATA\n# title: T\n# description: D\n# custom:\n#   id: DYN204\n#   name: dup\n#   severity: low\n#   frameworks:\n#     soc2: [CC6.1]\n#   remediation:\n#     summary: S\npackage dynaudit.rules.dup\n\noutcomes := set()\n",
    );
    let out = run(&["eval", "inv.json", "--policies", "mine"], dir.path());
    assert_error(&out, &["DYN204", "already defined"]);
}

#[test]
fn config_with_unknown_key_names_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "inv.json", EMPTY_INVENTORY);
    write(
        dir.path(),
        "dynaudit.toml",
        "[parameters]\nbackup_window_hours = 12\npitr_days = 3\n",
    );
    let out = run(
        &["eval", "inv.json", "--config", "dynaudit.toml"],
        dir.path(),
    );
    assert_error(&out, &["dynaudit.toml:3:", "pitr_days"]);
}

#[test]
fn config_with_wrong_type_names_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "inv.json", EMPTY_INVENTORY);
    write(
        dir.path(),
        "dynaudit.toml",
        "[parameters]\nrequired_tags = \"Environment\"\n",
    );
    let out = run(
        &["eval", "inv.json", "--config", "dynaudit.toml"],
        dir.path(),
    );
    assert_error(&out, &["dynaudit.toml:2:"]);
}

#[test]
fn unknown_rule_in_explain_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["explain", "DYN999"], dir.path());
    assert_error(&out, &["DYN999", "dynaudit rules"]);
}

#[test]
fn unknown_format_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "inv.json", EMPTY_INVENTORY);
    let out = run(&["eval", "inv.json", "--format", "xml"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn exit_code_follows_the_fail_on_threshold() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "inv.json", ONE_TABLE_INVENTORY);
    // DYN204 (medium) fails on the table.
    let failing = run(
        &[
            "eval",
            "inv.json",
            "--format",
            "json",
            "--fail-on",
            "medium",
        ],
        dir.path(),
    );
    assert_eq!(failing.status.code(), Some(1), "{}", stderr(&failing));
    let above = run(
        &[
            "eval",
            "inv.json",
            "--format",
            "json",
            "--fail-on",
            "critical",
        ],
        dir.path(),
    );
    let json: serde_json::Value = serde_json::from_slice(&above.stdout).unwrap();
    let critical_failures = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail" && f["severity"] == "critical")
        .count();
    let expected = if critical_failures > 0 { 1 } else { 0 };
    assert_eq!(above.status.code(), Some(expected), "{}", stderr(&above));
    let never = run(
        &["eval", "inv.json", "--format", "json", "--fail-on", "none"],
        dir.path(),
    );
    assert_eq!(never.status.code(), Some(0), "{}", stderr(&never));
}

#[test]
fn print_input_shows_nulls_and_parameters() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "inv.json", ONE_TABLE_INVENTORY);
    let out = run(&["eval", "inv.json", "--print-input"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let table = &doc["input"]["regions"]["us-east-1"]["tables"]["arn:aws:dynamodb:us-east-1:111122223333:table/orders"];
    assert!(
        table
            .get("point_in_time_recovery")
            .is_some_and(|v| v.is_null())
    );
    assert_eq!(
        doc["data"]["dynaudit"]["params"]["min_pitr_recovery_days"],
        35
    );
}

#[test]
fn user_policy_directory_adds_rules_under_the_same_contract() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "inv.json", ONE_TABLE_INVENTORY);
    write(
        dir.path(),
        "mine/dyn901_table_named_orders.rego",
        r#"# METADATA
# title: A table is named orders
# description: Example user rule.
# custom:
#   id: DYN901
#   name: table-named-orders
#   severity: high
#   frameworks:
#     soc2: [CC6.1]
#   remediation:
#     summary: Rename it.
package dynaudit.rules.dyn901

outcomes contains {
	"status": "fail",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s is named orders", [t.name, region]),
	"evidence": {"name": t.name},
} if {
	some region, r in input.regions
	some arn, t in r.tables
	t.name == "orders"
}
"#,
    );
    let out = run(
        &[
            "eval",
            "inv.json",
            "--policies",
            "mine",
            "--format",
            "json",
            "--fail-on",
            "high",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mine: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "DYN901")
        .collect();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["status"], "fail");
    assert_eq!(mine[0]["severity"], "high");
    assert_eq!(mine[0]["frameworks"]["soc2"][0], "CC6.1");
    let rules = run(
        &["rules", "--policies", "mine", "--format", "json"],
        dir.path(),
    );
    let listed: serde_json::Value = serde_json::from_slice(&rules.stdout).unwrap();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "DYN901")
    );
    let explain = run(&["explain", "DYN901", "--policies", "mine"], dir.path());
    assert!(String::from_utf8_lossy(&explain.stdout).contains("Rename it."));
}

/// A reader that goes away (`dynaudit iam-policy | head -1`) is not an
/// error: before, `iam-policy` used `print!`, which panics (exit 101) on a
/// closed pipe.
#[test]
fn a_closed_pipe_is_not_a_panic() {
    for args in [&["iam-policy"][..], &["schema"], &["rules"]] {
        let mut child = Command::new(BIN)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run dynaudit");
        // Close the read end before the child writes.
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("wait for dynaudit");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
    }
}
