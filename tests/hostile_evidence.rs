//! Hostile evidence through the real binary: resource names, an account id
//! and rule metadata holding terminal escape sequences (ESC, the 8-bit CSI,
//! OSC 8 links and window titles, CR, backspace, NUL), bidirectional
//! controls, Markdown and HTML reach neither the terminal (the table
//! formats, standard error) nor the Markdown step summary as themselves.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_dynaudit");
/// Three tables whose names hold escape sequences, CR, bidi controls,
/// `$x$`, bare URLs, `<script>`, pipes and backticks.
const HOSTILE: &str = "fixtures/hostile-names.json";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str], dir: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run dynaudit")
}

/// The characters that act on a terminal or reorder text: C0 and C1
/// controls but the line feed, DEL, bidirectional controls.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| {
            (c.is_control() && *c != '\n')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
        })
        .collect()
}

fn assert_inert(what: &str, bytes: &[u8]) -> String {
    let text = String::from_utf8(bytes.to_vec()).expect("utf-8 output");
    let raw = raw_controls(&text);
    assert!(raw.is_empty(), "{what} holds raw {raw:?}:\n{text}");
    text
}

/// `table/orders\e[2J\e[H\e[32mALL CHECKS PASSED` cleared the screen and
/// printed a green all-clear; CR overwrote the row; U+202E reversed it.
#[test]
fn the_table_shows_escape_sequences_escaped() {
    let out = run(&["eval", HOSTILE, "--format", "table"], &root());
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stdout = assert_inert("the table", &out.stdout);
    assert_inert("stderr", &out.stderr);
    for visible in [
        "orders\\x1b[2J\\x1b[H\\x1b[32mALL CHECKS PASSED",
        "pay\\x0dFORGED",
        "\\u{202e}exe.txt",
        "\\x1b]8;;https://evil.example/\\x07click",
        "\\u{9b}31m",
    ] {
        assert!(stdout.contains(visible), "{visible:?} not shown:\n{stdout}");
    }
}

#[test]
fn the_markdown_report_holds_no_control_link_math_or_html() {
    let out = run(&["eval", HOSTILE, "--format", "markdown"], &root());
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let markdown = assert_inert("the Markdown report", &out.stdout);
    assert!(!markdown.contains("<script>"), "{markdown}");
    assert!(markdown.contains("&lt;script&gt;"), "{markdown}");
    // Bare URLs and `$x$` only inside code spans, where GitHub makes no
    // link and no math.
    assert!(
        markdown.contains("`https://evil.example/login`"),
        "{markdown}"
    );
    assert!(markdown.contains("`www.evil.example`"), "{markdown}");
    assert!(markdown.contains("`$x$`"), "{markdown}");
    assert!(!markdown.contains(" https://evil"), "{markdown}");
    assert!(!markdown.contains(" $x$"), "{markdown}");
    // The CR is a line break inside the cell, not a new row.
    assert!(
        !markdown.lines().any(|l| l.starts_with("FORGED")),
        "{markdown}"
    );
}

#[test]
fn diff_reports_show_hostile_names_inert() {
    for format in ["table", "markdown"] {
        let out = run(
            &[
                "diff",
                "fixtures/sample-estate.json",
                HOSTILE,
                "--format",
                format,
            ],
            &root(),
        );
        assert_eq!(out.status.code(), Some(1), "{format}: {out:?}");
        let text = assert_inert(format, &out.stdout);
        assert_inert("stderr", &out.stderr);
        assert!(text.contains("\\u{202e}exe.txt"), "{format}:\n{text}");
    }
}

/// The account id is printed in the table's header and in the summary line
/// on stderr; if a later check refuses it, the error quoting it must be
/// inert as well.
#[test]
fn a_hostile_account_id_is_inert_on_stdout_and_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(HOSTILE))
        .unwrap()
        .replace(
            "\"account_id\": \"111122223333\"",
            "\"account_id\": \"111122223333\\u001b]0;pwned\\u0007\\u001b[2K\\r\"",
        );
    std::fs::write(dir.path().join("inventory.json"), text).unwrap();
    for format in ["table", "markdown"] {
        let out = run(&["eval", "inventory.json", "--format", format], dir.path());
        let stdout = assert_inert("stdout", &out.stdout);
        let stderr = assert_inert("stderr", &out.stderr);
        assert!(
            format!("{stdout}{stderr}").contains("111122223333\\x1b]0;pwned\\x07"),
            "{format}: the account id is not shown escaped:\n{stdout}\n{stderr}"
        );
    }
}

/// Error messages quote what they refuse.
#[test]
fn error_messages_quote_evidence_inert() {
    let out = run(&["explain", "DYN\u{1b}[2J\u{202e}101"], &root());
    assert_eq!(out.status.code(), Some(2));
    let stderr = assert_inert("stderr", &out.stderr);
    assert!(stderr.contains("\\x1b[2J"), "{stderr}");
}

/// A user's rule (`--policies`) is text too: its metadata is shown inert by
/// `rules` and `explain`, and quoted inert when refused.
#[test]
fn rule_metadata_is_inert_in_rules_and_explain() {
    let dir = tempfile::tempdir().unwrap();
    let rule = |controls: &str| {
        format!(
            r#"# METADATA
# title: "A table is named \e[2Jorders"
# description: "Example \e]0;window title\a user rule \u202E."
# custom:
#   id: DYN901
#   name: table-named-orders
#   severity: high
#   frameworks:
#     soc2: {controls}
#   remediation:
#     summary: "Rename\r it."
package dynaudit.rules.dyn901

outcomes contains {{
	"status": "fail",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s is named orders", [t.name, region]),
	"evidence": {{"name": t.name}},
}} if {{
	some region, r in input.regions
	some arn, t in r.tables
	t.name == "orders"
}}
"#
        )
    };
    for (name, controls) in [("mine", "[CC6.1]"), ("refused", "[\"CC6.1\\e[5m\"]")] {
        std::fs::create_dir(dir.path().join(name)).unwrap();
        std::fs::write(
            dir.path().join(name).join("dyn901_table_named_orders.rego"),
            rule(controls),
        )
        .unwrap();
    }
    for (args, shown) in [
        (&["rules", "--policies", "mine"][..], &[][..]),
        (
            &["rules", "--policies", "mine", "--format", "markdown"],
            &["A table is named \\x1b[2Jorders"],
        ),
        (
            &["explain", "DYN901", "--policies", "mine"],
            &[
                "A table is named \\x1b[2Jorders",
                "\\x1b]0;window title\\x07 user rule \\u{202e}.",
                "Rename\\x0d it.",
            ],
        ),
    ] {
        let out = run(args, dir.path());
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        let stdout = assert_inert("stdout", &out.stdout);
        for text in shown {
            assert!(
                stdout.contains(text),
                "{args:?}: {text:?} not shown:\n{stdout}"
            );
        }
    }
    let out = run(&["rules", "--policies", "refused"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = assert_inert("stderr", &out.stderr);
    assert!(stderr.contains("CC6.1\\x1b[5m"), "{stderr}");
}

/// The cause of an incomplete scope comes from the evidence (a region's
/// `not_collected`): inert in the table, on stderr and in the Markdown, so
/// it can neither rewrite the terminal nor break out of the quoted block.
#[test]
fn an_incomplete_scope_cause_is_inert() {
    let dir = tempfile::tempdir().unwrap();
    let mut inventory: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            root().join("tests/bad_inputs/scope_region_not_collected/inventory.json"),
        )
        .unwrap(),
    )
    .unwrap();
    inventory["regions"]["eu-west-1"]["not_collected"] =
        serde_json::json!("boom\u{1b}[2J\r\n::add-mask::x\u{202e}");
    std::fs::write(dir.path().join("inventory.json"), inventory.to_string()).unwrap();
    for format in ["table", "markdown"] {
        let out = run(
            &[
                "eval",
                "inventory.json",
                "--fail-on",
                "none",
                "--format",
                format,
            ],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let stdout = assert_inert("stdout", &out.stdout);
        let stderr = assert_inert("stderr", &out.stderr);
        assert!(stdout.contains("region eu-west-1"), "{stdout}");
        assert!(stderr.contains("incomplete scope"), "{stderr}");
        for text in [&stdout, &stderr] {
            assert!(
                !text.lines().any(|l| l.starts_with("::add-mask::")),
                "a line starts with a workflow command:\n{text}"
            );
        }
    }
}
