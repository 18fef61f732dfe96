//! Waivers, baselines, `dynaudit diff` and the exit-code gates, through
//! the real binary on fixture inventories: `fixtures/sample-estate.json`
//! (collected 2026-11-01) and `fixtures/triage/sample-estate-later.json`
//! (the same estate a month later: orders gained PITR and deletion
//! protection, sessions lost deletion protection, backups went stale).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_dynaudit");
const SAMPLE: &str = "fixtures/sample-estate.json";
const LATER: &str = "fixtures/triage/sample-estate-later.json";
const WAIVERS: &str = "fixtures/triage/waivers.toml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn dynaudit(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .output()
        .expect("run dynaudit")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|err| panic!("{err}: {}", stderr(out)))
}

use support::snapshot_text::{normalise, redact_page};

/// A JSON report of the sample estate, as the baseline of later runs.
fn baseline_report(dir: &Path) -> PathBuf {
    let path = dir.join("baseline.json");
    let out = dynaudit(&[
        "eval",
        SAMPLE,
        "--format",
        "json",
        "--quiet",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    path
}

fn finding<'a>(report: &'a Value, rule: &str, resource_suffix: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule_id"] == rule && f["resource"].as_str().unwrap().ends_with(resource_suffix)
        })
        .unwrap_or_else(|| panic!("no {rule} finding for {resource_suffix}"))
}

fn counts(path: &Path) -> Vec<(String, usize)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            (k.to_owned(), v.parse().unwrap())
        })
        .collect()
}

#[test]
fn waivers_apply_expire_and_go_stale() {
    let out = dynaudit(&["eval", SAMPLE, "--waivers", WAIVERS, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    let states: Vec<(&str, u64)> = report["waivers"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["state"].as_str().unwrap(),
                e["findings"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [("applied", 4), ("applied", 1), ("expired", 1), ("stale", 0)]
    );
    assert_eq!(report["waivers"]["as_of"], "2026-11-01");
    assert_eq!(report["summary"]["waived"], 5);

    // Applied: kept, marked, still failing (or unknown) in its own status.
    let waived = finding(&report, "DYN505", "table/orders");
    assert_eq!(waived["status"], "fail");
    assert_eq!(waived["waiver"]["state"], "active");
    assert_eq!(waived["waiver"]["source"], format!("{WAIVERS}:6"));
    assert!(
        waived["waiver"]["reason"]
            .as_str()
            .unwrap()
            .contains("RISK-42")
    );
    let waived_unknown = finding(
        &report,
        "DYN505",
        "eu-west-1:111122223333:table/transactions",
    );
    assert_eq!(waived_unknown["status"], "unknown");
    assert_eq!(waived_unknown["waiver"]["state"], "active");
    // Expired: marked expired, counts again.
    let expired = finding(&report, "DYN204", "table/feature-flags");
    assert_eq!(expired["waiver"]["state"], "expired");
    // Unmatched findings carry no waiver key at all.
    assert!(
        finding(&report, "DYN101", "table/orders")
            .get("waiver")
            .is_none()
    );

    let err = stderr(&out);
    assert!(
        err.contains("4 waived") || err.contains("5 waived"),
        "{err}"
    );
    assert!(
        err.contains(&format!("waiver at {WAIVERS}:22")) && err.contains("expired on 2026-10-31"),
        "{err}"
    );
    assert!(
        err.contains(&format!("waiver at {WAIVERS}:30")) && err.contains("stale"),
        "{err}"
    );
}

#[test]
fn waived_findings_do_not_count_for_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let without = dir.path().join("without.txt");
    let with = dir.path().join("with.txt");
    let out = dynaudit(&[
        "eval",
        SAMPLE,
        "--format",
        "json",
        "-q",
        "--counts-out",
        without.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let out = dynaudit(&[
        "eval",
        SAMPLE,
        "--format",
        "json",
        "-q",
        "--waivers",
        WAIVERS,
        "--counts-out",
        with.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let get = |c: &[(String, usize)], k: &str| c.iter().find(|(key, _)| key == k).unwrap().1;
    let (a, b) = (counts(&without), counts(&with));
    assert_eq!(get(&a, "failing"), 54);
    assert_eq!(get(&a, "unknown"), 11);
    assert_eq!(get(&a, "passing"), 112);
    assert_eq!(get(&a, "waived"), 0);
    assert_eq!(get(&a, "gate-failures"), 54);
    // Three DYN505 failures, one DYN505 unknown and the DYN402 failure.
    assert_eq!(get(&b, "failing"), 50);
    assert_eq!(get(&b, "unknown"), 10);
    assert_eq!(get(&b, "waived"), 5);
    assert_eq!(get(&b, "gate-failures"), 50);
    assert_eq!(
        b.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        [
            "failing",
            "unknown",
            "passing",
            "waived",
            "new",
            "gate-failures",
            "incomplete-scope"
        ]
    );

    // With every critical and high failure waived (expiring on the
    // evidence's own day: still in force), the high gate passes.
    let all = dir.path().join("all.toml");
    let mut text = String::new();
    for rule in [
        "DYN101", "DYN102", "DYN104", "DYN105", "DYN201", "DYN205", "DYN301", "DYN302", "DYN303",
        "DYN304", "DYN305", "DYN306", "DYN503", "DYN507",
    ] {
        text.push_str(&format!(
            "[[waiver]]\nrule = \"{rule}\"\nresource = \"*\"\nreason = \"accepted for the test\"\nowner = \"qa\"\nexpires = 2026-11-01\n\n"
        ));
    }
    std::fs::write(&all, text).unwrap();
    let out = dynaudit(&[
        "eval",
        SAMPLE,
        "--fail-on",
        "high",
        "--waivers",
        all.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = dynaudit(&["eval", SAMPLE, "--fail-on", "high", "-q"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn sarif_suppressions_carry_the_justification_and_pass_the_multitool() {
    let out = dynaudit(&[
        "eval",
        SAMPLE,
        "--waivers",
        WAIVERS,
        "--format",
        "sarif",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let sarif: Value = serde_json::from_str(&text).unwrap();
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().unwrap();
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 5);
    for r in &suppressed {
        let s = &r["suppressions"][0];
        assert_eq!(s["kind"], "external");
        assert_eq!(s["status"], "accepted");
        assert!(!s["justification"].as_str().unwrap().is_empty());
        assert!(s["properties"]["owner"].is_string());
    }
    let expired = results
        .iter()
        .find(|r| {
            r["ruleId"] == "DYN204"
                && r["message"]["text"]
                    .as_str()
                    .unwrap()
                    .contains("feature-flags")
        })
        .unwrap();
    assert!(expired.get("suppressions").is_none());
    assert!(
        expired["message"]["text"]
            .as_str()
            .unwrap()
            .contains("waiver expired 2026-10-31")
    );
    let notes: Vec<&str> = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"]["text"].as_str().unwrap())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains(":22") && n.contains("expired")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains(":30") && n.contains("stale")),
        "{notes:?}"
    );

    let errors = support::sarif::multitool_errors(&text);
    assert!(errors.is_empty(), "SARIF multitool errors:\n{errors:#?}");
}

#[test]
fn invalid_waivers_are_errors_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(root().join(WAIVERS)).unwrap();
    let cases = [
        (
            "no-reason",
            good.replacen(
                "reason = \"Endpoint policy tightened in change CHG-1187, rollout pending\"\n",
                "",
                1,
            ),
            ":14:1: missing field `reason`",
        ),
        (
            "empty-reason",
            good.replacen("\"Table is recreated by each deploy\"", "\"\"", 1),
            ":22: waiver #3: `reason` must not be empty",
        ),
        (
            "bad-date",
            good.replacen("2026-12-15", "2026-13-15", 1),
            ":19:",
        ),
        (
            "unknown-rule",
            good.replacen("\"DYN101\"", "\"DYN199\"", 1),
            ":30: waiver #4: unknown rule id \"DYN199\"",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(format!("{name}.toml"));
        std::fs::write(&path, text).unwrap();
        let out = dynaudit(&["eval", SAMPLE, "--waivers", path.to_str().unwrap()]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(out.stdout.is_empty(), "{name}: no report on error");
        assert!(
            err.contains(&format!("{}{expected}", path.display())),
            "{name}: {err}"
        );
    }
}

#[test]
fn baseline_counts_only_new_outcomes() {
    let dir = tempfile::tempdir().unwrap();
    let base = baseline_report(dir.path());
    let base = base.to_str().unwrap();
    let counts_path = dir.path().join("counts.txt");

    // The same evidence against its own report: nothing is new.
    let out = dynaudit(&[
        "eval",
        SAMPLE,
        "--baseline",
        base,
        "--fail-on-unknown",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // A month later: 6 DYN202 (medium) and 1 DYN204 (medium) failures are new.
    let out = dynaudit(&[
        "eval",
        LATER,
        "--baseline",
        base,
        "--format",
        "json",
        "-q",
        "--counts-out",
        counts_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    assert_eq!(report["summary"]["new"], 7);
    assert_eq!(report["baseline"], base);
    assert_eq!(
        finding(&report, "DYN204", "table/sessions")["baseline"],
        "new"
    );
    assert_eq!(
        finding(&report, "DYN101", "table/orders")["baseline"],
        "unchanged"
    );
    assert!(
        finding(&report, "DYN201", "table/orders")
            .get("baseline")
            .is_none()
    );
    let c = counts(&counts_path);
    assert!(c.contains(&("new".to_owned(), 7)), "{c:?}");
    assert!(c.contains(&("gate-failures".to_owned(), 7)), "{c:?}");

    // The new failures are medium: a high gate passes, a medium one fails.
    let out = dynaudit(&["eval", LATER, "--baseline", base, "--fail-on", "high", "-q"]);
    assert_eq!(out.status.code(), Some(0));
    let out = dynaudit(&[
        "eval",
        LATER,
        "--baseline",
        base,
        "--fail-on",
        "medium",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(1));
    // Without the baseline the old high failures fail the high gate.
    let out = dynaudit(&["eval", LATER, "--fail-on", "high", "-q"]);
    assert_eq!(out.status.code(), Some(1));

    // SARIF says which results are new.
    let out = dynaudit(&["eval", LATER, "--baseline", base, "--format", "sarif", "-q"]);
    let sarif: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let states: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["baselineState"].as_str().unwrap())
        .collect();
    assert_eq!(states.iter().filter(|s| **s == "new").count(), 7);
    assert!(states.iter().all(|s| *s == "new" || *s == "unchanged"));
    let errors = support::sarif::multitool_errors(&stdout(&out));
    assert!(errors.is_empty(), "SARIF multitool errors:\n{errors:#?}");

    // A baseline that is neither a report nor an inventory is an error.
    let bogus = dir.path().join("bogus.json");
    std::fs::write(&bogus, "{\"hello\": 1}\n").unwrap();
    let out = dynaudit(&["eval", LATER, "--baseline", bogus.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("neither a dynaudit inventory"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn fail_on_unknown_gates_unknown_outcomes() {
    // The sample has 11 unknowns (DYN205, DYN304, DYN505, DYN603, DYN604,
    // DYN306, DYN506, DYN507).
    let out = dynaudit(&["eval", SAMPLE, "--fail-on", "none", "-q"]);
    assert_eq!(out.status.code(), Some(0));
    let out = dynaudit(&["eval", SAMPLE, "--fail-on", "none", "--fail-on-unknown"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("11 counted by --fail-on none --fail-on-unknown"),
        "{}",
        stderr(&out)
    );
}

/// Regression: a policy document that breaks the IAM policy grammar was read
/// leniently, and its rules passed what they should have failed. Now each
/// such outcome is unknown and quotes the problem; --fail-on-unknown
/// counts it.
#[test]
fn malformed_policy_documents_make_their_rules_unknown() {
    let mut inventory: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(SAMPLE)).unwrap()).unwrap();
    let east = &mut inventory["regions"]["us-east-1"];
    let sessions = &mut east["tables"]["arn:aws:dynamodb:us-east-1:111122223333:table/sessions"];
    sessions["resource_policy"]["document"]["Statement"][0]["Principal"] = Value::Null;
    let west = &mut inventory["regions"]["us-west-2"];
    west["vpc_endpoints"]["vpce-0d1f5b7c9e3a4b791"]["policy_document"]["Statement"][0]["Effect"] =
        Value::from("allow");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("malformed.json");
    std::fs::write(&path, serde_json::to_string_pretty(&inventory).unwrap()).unwrap();
    let path = path.to_str().unwrap();

    let report = json(&dynaudit(&["eval", path, "--format", "json", "-q"]));
    let table = finding(&report, "DYN305", "table/sessions");
    assert_eq!(table["status"], "unknown", "{table}");
    assert_eq!(
        table["message"],
        "The resource-based policy of table sessions in us-east-1 is not a valid IAM policy: \
         Statement[0] (Sid \"PartnerSessionLookup\") has Principal null; it must be \"*\" or \
         an object such as {\"AWS\": \"arn:aws:iam::111122223333:root\"}"
    );
    let endpoint = finding(&report, "DYN402", "vpce-0d1f5b7c9e3a4b791");
    assert_eq!(endpoint["status"], "unknown", "{endpoint}");
    assert!(
        endpoint["message"]
            .as_str()
            .unwrap()
            .ends_with("is not a valid IAM policy: Statement[0] has Effect \"allow\"; it must be \"Allow\" or \"Deny\""),
        "{endpoint}"
    );

    // The sample's 11 unknowns and these 3 (DYN404 judges the endpoint
    // policy too, now that it is not exactly the full-access default).
    let out = dynaudit(&["eval", path, "--fail-on", "none", "--fail-on-unknown"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("14 counted by --fail-on none --fail-on-unknown"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn diff_of_inventories_and_of_reports_agree() {
    let dir = tempfile::tempdir().unwrap();
    let base = baseline_report(dir.path());
    let later_report = dir.path().join("later.json");
    let out = dynaudit(&[
        "eval",
        LATER,
        "--format",
        "json",
        "-q",
        "-o",
        later_report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));

    let from_inventories = dynaudit(&["diff", SAMPLE, LATER, "--format", "json"]);
    assert_eq!(
        from_inventories.status.code(),
        Some(1),
        "{}",
        stderr(&from_inventories)
    );
    let a = json(&from_inventories);
    assert_eq!(
        a["summary"],
        serde_json::json!({"new": 7, "fixed": 2, "unchanged": 52})
    );
    assert_eq!(a["before"]["kind"], "inventory");
    let fixed: Vec<(&str, &str)> = a["fixed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule_id"].as_str().unwrap(), f["now"].as_str().unwrap()))
        .collect();
    assert_eq!(fixed, [("DYN201", "pass"), ("DYN204", "pass")]);

    let from_reports = dynaudit(&[
        "diff",
        base.to_str().unwrap(),
        later_report.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let b = json(&from_reports);
    assert_eq!(b["before"]["kind"], "report");
    for key in ["summary", "new", "fixed", "unchanged"] {
        assert_eq!(a[key], b[key], "{key}");
    }

    // The gate counts new failures only: all 7 are medium.
    let out = dynaudit(&["diff", SAMPLE, LATER, "--fail-on", "high", "-q"]);
    assert_eq!(out.status.code(), Some(0));
    // Nothing changes between a file and itself.
    let out = dynaudit(&["diff", SAMPLE, SAMPLE, "--format", "json", "-q"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        json(&out)["summary"],
        serde_json::json!({"new": 0, "fixed": 0, "unchanged": 54})
    );

    // Waivers apply to evaluated inventories: the expired DYN204 waiver and
    // the rest are judged on each side's own evidence day.
    let out = dynaudit(&[
        "diff",
        SAMPLE,
        LATER,
        "--format",
        "json",
        "--waivers",
        WAIVERS,
    ]);
    let w = json(&out);
    assert_eq!(w["summary"]["unchanged"], 48, "{}", w["summary"]);
}

#[test]
fn diff_rejects_what_it_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        "{\n  \"tool\": {\"name\": \"dynaudit\"},\n  \"findings\": [1]\n}\n",
    )
    .unwrap();
    let out = dynaudit(&["diff", SAMPLE, broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(&format!("{}:", broken.display())), "{err}");
    let out = dynaudit(&["diff", SAMPLE, "no/such/file.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no/such/file.json"));
}

fn diff_text(format: &str) -> String {
    let out = dynaudit(&["diff", SAMPLE, LATER, "--format", format, "-q"]);
    assert_eq!(out.status.code(), Some(1));
    normalise(&stdout(&out))
}

#[test]
fn snapshot_diff_table() {
    insta::assert_snapshot!("diff_table", diff_text("table"));
}

#[test]
fn snapshot_diff_json() {
    insta::assert_snapshot!("diff_json", diff_text("json"));
}

#[test]
fn snapshot_diff_html() {
    let text = diff_text("html");
    assert!(text.starts_with("<!DOCTYPE html>"));
    insta::assert_snapshot!("diff_html", redact_page(&text));
}

#[test]
fn snapshot_diff_markdown() {
    insta::assert_snapshot!("diff_markdown", diff_text("markdown"));
}

/// The four report formats with waivers and a baseline (the baseline is
/// the sample's own JSON report, written to a fixed relative path so the
/// snapshots do not depend on a temporary directory).
fn triaged(format: &str) -> String {
    let base = "target/triage-baseline.json";
    let out = dynaudit(&["eval", SAMPLE, "--format", "json", "-q", "-o", base]);
    assert_eq!(out.status.code(), Some(1));
    let out = dynaudit(&[
        "eval",
        LATER,
        "--format",
        format,
        "-q",
        "--waivers",
        WAIVERS,
        "--baseline",
        base,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    normalise(&stdout(&out))
}

#[test]
fn snapshot_triaged_reports() {
    for format in ["json", "sarif", "table", "markdown"] {
        insta::assert_snapshot!(format!("triaged_{format}"), triaged(format));
    }
}

/// Waiver expiry is judged on the evidence's day, so an inventory without a
/// readable `collected_at` is refused when it is read, naming the line.
#[test]
fn waivers_need_an_evidence_day() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(SAMPLE))
        .unwrap()
        .replacen("\"2026-11-01T00:00:00Z\"", "\"last tuesday\"", 1);
    let path = dir.path().join("undated.json");
    std::fs::write(&path, text).unwrap();
    let out = dynaudit(&["eval", path.to_str().unwrap(), "--waivers", WAIVERS]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("undated.json:4:")
            && stderr(&out).contains("\"last tuesday\" is not an RFC 3339 time"),
        "{}",
        stderr(&out)
    );
}

/// The number written just before ` {word}` in `line`.
fn count_before(line: &str, word: &str) -> usize {
    let at = line
        .find(&format!(" {word}"))
        .unwrap_or_else(|| panic!("no {word:?} in {line:?}"));
    let digits: String = line[..at]
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().unwrap()
}

/// One set of counts for one run: the summary line on standard error, the
/// table's counts line, the Markdown summary, `--counts-out` and the HTML
/// cards agree (they did not: stderr said "36 failing ... 5 waived" while
/// the table said "40 fail" for the same run).
#[test]
fn every_report_of_a_run_gives_the_same_counts() {
    let dir = tempfile::tempdir().unwrap();
    let counts_file = dir.path().join("counts");
    let common = ["eval", LATER, "--waivers", WAIVERS, "--fail-on", "none"];
    let table = dynaudit(
        &[
            &common[..],
            &[
                "--format",
                "table",
                "--counts-out",
                counts_file.to_str().unwrap(),
            ],
        ]
        .concat(),
    );
    assert_eq!(table.status.code(), Some(0), "{}", stderr(&table));
    let err = stderr(&table);
    let summary = err.lines().find(|l| l.starts_with("dynaudit: ")).unwrap();
    let words = ["failing", "unknown", "passing", "waived"];
    let from_stderr: Vec<usize> = words.iter().map(|w| count_before(summary, w)).collect();

    let out = stdout(&table);
    let line = out.lines().find(|l| l.contains(" outcomes of ")).unwrap();
    let from_table: Vec<usize> = words.iter().map(|w| count_before(line, w)).collect();
    assert_eq!(from_table, from_stderr, "{line}\n{summary}");

    let counts: Vec<(String, usize)> = counts(&counts_file);
    let from_counts: Vec<usize> = words
        .iter()
        .map(|w| counts.iter().find(|(k, _)| k == w).unwrap().1)
        .collect();
    assert_eq!(from_counts, from_stderr);

    let markdown = stdout(&dynaudit(
        &[&common[..], &["--format", "markdown", "-q"]].concat(),
    ));
    let row = |label: &str| -> usize {
        let line = markdown
            .lines()
            .find(|l| l.starts_with(&format!("| {label}")))
            .unwrap_or_else(|| panic!("no {label} row"));
        line.trim_end_matches(" |")
            .rsplit("| ")
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let from_markdown = vec![
        row("❌ Fail"),
        row("❔ Unknown"),
        row("✅ Pass"),
        row("🔕 Waived"),
    ];
    assert_eq!(from_markdown, from_stderr);

    let html = stdout(&dynaudit(
        &[&common[..], &["--format", "html", "-q"]].concat(),
    ));
    let card = |class: &str| -> usize {
        let start = format!("id=\"count-{class}\">");
        let at = html.find(&start).unwrap() + start.len();
        html[at..].split('<').next().unwrap().parse().unwrap()
    };
    let from_html = vec![card("fail"), card("unknown"), card("pass"), card("waived")];
    assert_eq!(from_html, from_stderr);
    // Waived outcomes are apart: the four add up to every outcome.
    assert_eq!(from_stderr.iter().sum::<usize>(), 177);
}

/// `diff` names the level its gate counted at (it said "at or above
/// --fail-on" without the level).
#[test]
fn diff_names_the_gate_level() {
    let out = dynaudit(&["diff", SAMPLE, LATER, "--fail-on", "high"]);
    assert!(
        stderr(&out).contains("0 new counted by --fail-on high"),
        "{}",
        stderr(&out)
    );
    let out = dynaudit(&["diff", SAMPLE, LATER, "--fail-on", "medium"]);
    assert!(
        stderr(&out).contains("7 new counted by --fail-on medium"),
        "{}",
        stderr(&out)
    );
}
