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

/// GitHub code scanning's constraints on one SARIF file over the evidence
/// file `evidence_uri` (relative) whose text is `evidence`: GitHub rejects
/// a whole upload when any result lacks a relative physical location with a
/// region, and caps runs, results, descriptions and tags; the multitool
/// does not catch all of it.
pub fn assert_github_constraints(sarif: &serde_json::Value, evidence_uri: &str, evidence: &str) {
    let lines: Vec<&str> = evidence.lines().collect();
    assert_eq!(sarif["version"], "2.1.0");
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for rule in rules {
        let severity = rule["properties"]["security-severity"]
            .as_str()
            .unwrap_or("");
        let score: f64 = severity.parse().unwrap_or_else(|_| {
            panic!(
                "non-numeric security-severity {severity:?} in {}",
                rule["id"]
            )
        });
        assert!((0.0..=10.0).contains(&score));
        assert!(
            rule["shortDescription"]["text"]
                .as_str()
                .unwrap()
                .chars()
                .count()
                <= 1024
        );
        assert!(
            rule["fullDescription"]["text"]
                .as_str()
                .unwrap()
                .chars()
                .count()
                <= 1024
        );
        assert!(rule["properties"]["tags"].as_array().unwrap().len() <= 20);
    }
    let results = run["results"].as_array().unwrap();
    assert!(results.len() <= 25_000);
    for result in results {
        let locations = result["locations"].as_array().expect("locations");
        assert_eq!(locations.len(), 1, "exactly one location: {result}");
        let physical = &locations[0]["physicalLocation"];
        let uri = physical["artifactLocation"]["uri"].as_str().expect("uri");
        assert_eq!(uri, evidence_uri, "relative URI of the evidence file");
        assert!(!uri.contains(':') && !uri.starts_with('/'));
        let line = physical["region"]["startLine"].as_u64().expect("startLine") as usize;
        assert!(line >= 1 && line <= lines.len());
        let resource = result["properties"]["resource"].as_str().unwrap();
        let logical = result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
            .as_str()
            .unwrap();
        assert_eq!(logical, resource);
        assert!(
            result["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .is_some(),
            "fingerprint: {result}"
        );
        let status = result["properties"]["status"].as_str().unwrap();
        assert!(
            status == "fail" || status == "unknown",
            "passes are not SARIF results"
        );
        // The line is the resource's own record when it has one.
        let text = lines[line - 1];
        let region = result["properties"]["region"].as_str().unwrap();
        assert!(
            text.contains(resource)
                || text.contains(&format!("\"{region}\""))
                || text.trim_end().ends_with('{')
                || line == 1,
            "line {line} ({text:?}) is not the record of {resource}"
        );
    }
    // Fingerprints are unique per (rule, resource).
    let mut prints: Vec<&str> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .unwrap()
        })
        .collect();
    prints.sort_unstable();
    let before = prints.len();
    prints.dedup();
    assert_eq!(before, prints.len(), "duplicate fingerprints");
}
