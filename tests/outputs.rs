//! Output files through the real binary: an output that is an input (by
//! any name: a symbolic or hard link, `./x`, `d/../x`) is refused before
//! any work and the input is left as it was; reports are written
//! atomically (no temporary file left, a link written through, the
//! permissions of the file replaced kept); `--counts-out` is appended to.
//! The cases that need no file system set-up are in the bad-input corpus
//! (`tests/bad_inputs/output_*`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_dynaudit");

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/sample-estate.json")
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

/// A directory holding a copy of the sample inventory.
fn with_inventory() -> (tempfile::TempDir, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(sample()).unwrap();
    std::fs::write(dir.path().join("inventory.json"), &bytes).unwrap();
    (dir, bytes)
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `eval --output` equal to the inventory overwrote the evidence (exit 0).
#[cfg(unix)]
#[test]
fn an_output_linked_to_the_inventory_is_refused() {
    let (dir, bytes) = with_inventory();
    let d = dir.path();
    std::os::unix::fs::symlink("inventory.json", d.join("symlink.json")).unwrap();
    std::fs::hard_link(d.join("inventory.json"), d.join("hardlink.json")).unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    std::os::unix::fs::symlink(d.join("sub"), d.join("sublink")).unwrap();
    for (flag, output) in [
        ("--output", "symlink.json"),
        ("--output", "hardlink.json"),
        ("--output", "sublink/../inventory.json"),
        ("--counts-out", "symlink.json"),
        ("--counts-out", "hardlink.json"),
    ] {
        let out = run(&["eval", "inventory.json", flag, output], d);
        assert_eq!(out.status.code(), Some(2), "{flag} {output}: {out:?}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{flag} {output} is the inventory")),
            "{flag} {output}: {err}"
        );
        assert_eq!(std::fs::read(d.join("inventory.json")).unwrap(), bytes);
    }
    // A link to the inventory given as the inventory, and the file itself
    // as the output.
    let out = run(&["eval", "symlink.json", "--output", "inventory.json"], d);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(std::fs::read(d.join("inventory.json")).unwrap(), bytes);
}

/// `scan --output` equal to `--inventory-out` wrote the SARIF over the
/// evidence it points into; through a link too, and before any AWS call.
#[cfg(unix)]
#[test]
fn scan_refuses_an_output_linked_to_its_inventory_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::os::unix::fs::symlink("evidence.json", d.join("report.sarif")).unwrap();
    let scan = || {
        Command::new(BIN)
            .args([
                "scan",
                "--inventory-out",
                "evidence.json",
                "--output",
                "report.sarif",
            ])
            .current_dir(d)
            .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "secret")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .unwrap()
    };
    // The link leads nowhere yet: the inventory written first would have
    // been overwritten through it.
    let out = scan();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = stderr(&out);
    assert!(
        err.contains("--output report.sarif is a symbolic link to nothing"),
        "{err}"
    );
    assert!(!err.contains("127.0.0.1"), "an AWS call was made: {err}");
    // The inventory of an earlier scan is there.
    std::fs::write(d.join("evidence.json"), "{}").unwrap();
    let out = scan();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = stderr(&out);
    assert!(
        err.contains("--output report.sarif and --inventory-out evidence.json are the same file"),
        "{err}"
    );
    assert!(!err.contains("127.0.0.1"), "an AWS call was made: {err}");
    assert_eq!(
        std::fs::read_to_string(d.join("evidence.json")).unwrap(),
        "{}"
    );
}

#[test]
fn a_report_is_written_atomically_and_keeps_permissions() {
    let (dir, _) = with_inventory();
    let d = dir.path();
    std::fs::write(d.join("report.json"), "old report").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            d.join("report.json"),
            std::fs::Permissions::from_mode(0o640),
        )
        .unwrap();
    }
    let out = run(
        &[
            "eval",
            "inventory.json",
            "--format",
            "json",
            "--output",
            "report.json",
            "--quiet",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("report.json")).unwrap()).unwrap();
    assert!(report["findings"].is_array());
    // No temporary file left behind.
    assert_eq!(names_in(d), ["inventory.json", "report.json"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.join("report.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
    }
}

#[test]
fn a_failed_run_leaves_the_previous_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("inventory.json"), "{\"schema_version\": \"1.0\",").unwrap();
    std::fs::write(d.join("report.md"), "previous report").unwrap();
    let out = run(
        &[
            "eval",
            "inventory.json",
            "--format",
            "markdown",
            "--output",
            "report.md",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        std::fs::read_to_string(d.join("report.md")).unwrap(),
        "previous report"
    );
    assert_eq!(names_in(d), ["inventory.json", "report.md"]);
}

#[cfg(unix)]
#[test]
fn a_link_to_a_report_is_written_through() {
    let (dir, _) = with_inventory();
    let d = dir.path();
    std::fs::create_dir(d.join("reports")).unwrap();
    std::fs::write(d.join("reports/latest.md"), "old").unwrap();
    std::os::unix::fs::symlink("reports/latest.md", d.join("summary.md")).unwrap();
    let out = run(
        &[
            "eval",
            "inventory.json",
            "--format",
            "markdown",
            "--output",
            "summary.md",
            "--quiet",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        std::fs::symlink_metadata(d.join("summary.md"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let text = std::fs::read_to_string(d.join("reports/latest.md")).unwrap();
    assert!(text.starts_with("# dynaudit compliance report"), "{text}");
    assert_eq!(names_in(&d.join("reports")), ["latest.md"]);
}

#[test]
fn counts_are_appended_and_new_directories_created() {
    let (dir, _) = with_inventory();
    let d = dir.path();
    std::fs::write(d.join("github_output"), "earlier=1\n").unwrap();
    for _ in 0..2 {
        let out = run(
            &[
                "eval",
                "inventory.json",
                "--format",
                "sarif",
                "--output",
                "out/new/report.sarif",
                "--counts-out",
                "github_output",
                "--quiet",
            ],
            d,
        );
        assert_eq!(out.status.code(), Some(1), "{out:?}");
    }
    let counts = std::fs::read_to_string(d.join("github_output")).unwrap();
    assert!(counts.starts_with("earlier=1\nfailing="), "{counts}");
    assert_eq!(counts.matches("gate-failures=").count(), 2, "{counts}");
    assert!(d.join("out/new/report.sarif").is_file());
    assert_eq!(names_in(&d.join("out/new")), ["report.sarif"]);
}
