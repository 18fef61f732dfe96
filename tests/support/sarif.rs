//! The Microsoft SARIF multitool (installed by `scripts/test`), as the
//! tests run it.

use std::path::Path;
use std::process::Command;

/// Validates `sarif` with GitHub's rule kind (`Sarif;Ghas`); returns the
/// error-level problems (warnings are printed, not returned). Panics when
/// the multitool is not installed: run the suite with `scripts/test`.
pub fn multitool_errors(sarif: &str) -> Vec<String> {
    let tool = std::env::var("DYNAUDIT_TEST_SARIF_MULTITOOL").unwrap_or_else(|_| {
        panic!("DYNAUDIT_TEST_SARIF_MULTITOOL is not set: run the test suite with scripts/test, which installs the SARIF multitool")
    });
    assert!(
        Path::new(&tool).exists(),
        "{tool} does not exist: run scripts/test"
    );
    let dir = tempfile::tempdir().unwrap();
    let sarif_path = dir.path().join("report.sarif");
    std::fs::write(&sarif_path, sarif).unwrap();
    let out_path = dir.path().join("validation.sarif");
    let out = Command::new(&tool)
        .arg("validate")
        .arg(&sarif_path)
        .args(["--rule-kind", "Sarif;Ghas", "-o"])
        .arg(&out_path)
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .expect("run the SARIF multitool");
    // The multitool exits 0 even on errors: read its results.
    let validation: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_path).unwrap_or_else(|err| {
            panic!(
                "the multitool wrote no output ({err}); stdout: {} stderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        }))
        .unwrap();
    let problems: Vec<(bool, String)> = validation["runs"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|run| run["results"].as_array().cloned().unwrap_or_default())
        .filter(|r| r["level"] == "error" || r["level"].is_null() || r["level"] == "warning")
        .map(|r| {
            (
                r["level"] == "warning",
                format!("{} {}: {}", r["level"], r["ruleId"], r["message"]),
            )
        })
        .collect();
    for (_, p) in &problems {
        println!("{p}");
    }
    problems
        .into_iter()
        .filter(|(warning, _)| !warning)
        .map(|(_, p)| p)
        .collect()
}
