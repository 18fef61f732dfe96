//! The rule pack's own contract: every `_test.rego` passes under regorus,
//! and the metadata of the 27 catalogue rules is complete and correct.

use std::collections::BTreeSet;

use dynaudit::policy::{FileKind, PolicySet, builtin_files, run_rego_tests};

/// The catalogue (`docs/rules/README.md`, the generated rule index): ids and
/// names are a public contract. It lists 27 rules (5 + 5 + 5 + 3 + 5 + 4).
const CATALOGUE: &[(&str, &str)] = &[
    ("DYN101", "table-not-encrypted-with-cmk"),
    ("DYN102", "table-kms-key-unusable"),
    ("DYN103", "cmk-rotation-disabled"),
    ("DYN104", "dax-not-encrypted-at-rest"),
    ("DYN105", "dax-endpoint-not-tls"),
    ("DYN201", "pitr-disabled"),
    ("DYN202", "no-recent-backup"),
    ("DYN203", "table-not-in-backup-plan"),
    ("DYN204", "deletion-protection-disabled"),
    ("DYN205", "global-table-replica-gap"),
    ("DYN301", "iam-dynamodb-admin-wildcard"),
    ("DYN302", "leading-keys-condition-weak"),
    ("DYN303", "leading-keys-bypass"),
    ("DYN304", "row-level-security-missing"),
    ("DYN305", "table-policy-public-or-cross-account"),
    ("DYN401", "vpc-without-dynamodb-endpoint"),
    ("DYN402", "dynamodb-endpoint-policy-unrestricted"),
    ("DYN403", "gateway-endpoint-not-routed"),
    ("DYN501", "no-multi-region-trail"),
    ("DYN502", "trail-log-validation-disabled"),
    ("DYN503", "dynamodb-data-events-not-logged"),
    ("DYN504", "trail-not-kms-encrypted"),
    ("DYN505", "contributor-insights-disabled"),
    ("DYN601", "config-recorder-not-recording"),
    ("DYN602", "config-dynamodb-rules-missing"),
    ("DYN603", "config-rule-noncompliant"),
    ("DYN604", "required-tags-missing"),
];

#[test]
fn every_rego_test_passes() {
    let files = builtin_files();
    let results = run_rego_tests(&files).unwrap_or_else(|err| panic!("{err}"));
    let failed: Vec<_> = results.iter().filter(|r| r.failure.is_some()).collect();
    for r in &results {
        match &r.failure {
            None => println!("ok   {}", r.name),
            Some(why) => println!("FAIL {} ({}): {why}", r.name, r.file),
        }
    }
    println!("{} rego tests, {} failed", results.len(), failed.len());
    assert!(!results.is_empty(), "no Rego tests found");
    assert!(
        failed.is_empty(),
        "{} Rego test(s) failed: see above",
        failed.len()
    );
}

#[test]
fn every_rule_loads_with_valid_metadata() {
    let set = PolicySet::load(&[]).unwrap_or_else(|err| panic!("{err}"));
    assert!(!set.rules().is_empty());
}

#[test]
fn rule_ids_and_names_equal_the_catalogue() {
    let set = PolicySet::load(&[]).unwrap_or_else(|err| panic!("{err}"));
    let loaded: Vec<(String, String)> = set
        .rules()
        .iter()
        .map(|r| (r.id.clone(), r.name.clone()))
        .collect();
    let expected: Vec<(String, String)> = CATALOGUE
        .iter()
        .map(|(id, name)| (id.to_string(), name.to_string()))
        .collect();
    assert_eq!(loaded, expected);
}

#[test]
fn every_rule_file_has_a_test_file_with_tests() {
    let files = builtin_files();
    let paths: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for rule in files.iter().filter(|f| f.kind == FileKind::Rule) {
        let test_path = rule.path.replace(".rego", "_test.rego");
        assert!(
            paths.contains(test_path.as_str()),
            "{} has no {test_path}",
            rule.path
        );
        let test = files
            .iter()
            .find(|f| f.path == test_path)
            .map(|f| f.text.as_str())
            .unwrap_or("");
        for status in ["pass", "fail", "unknown"] {
            assert!(
                test.contains(status),
                "{test_path} never mentions `{status}`: each rule needs pass, fail and unknown tests"
            );
        }
    }
}

#[test]
fn every_rule_maps_to_a_framework_and_file_names_match_ids() {
    let set = PolicySet::load(&[]).unwrap_or_else(|err| panic!("{err}"));
    for rule in set.rules() {
        assert!(
            !rule.frameworks.is_empty(),
            "{} maps to no framework",
            rule.id
        );
        let expected_prefix = format!(
            "policies/{}_{}",
            rule.id.to_lowercase(),
            rule.name.replace('-', "_")
        );
        assert_eq!(
            rule.source,
            format!("{expected_prefix}.rego"),
            "file name of {}",
            rule.id
        );
        assert_eq!(
            rule.package,
            format!("dynaudit.rules.{}", rule.id.to_lowercase())
        );
    }
}

#[test]
fn the_test_inventory_library_is_test_support_only() {
    // Compiled for `run_rego_tests` only, never into the evaluation engine.
    let files = builtin_files();
    let library = files
        .iter()
        .find(|f| f.path == "policies/lib/inventory_test.rego")
        .expect("policies/lib/inventory_test.rego is embedded");
    assert_eq!(library.kind, FileKind::Test);
    assert!(
        !library.text.lines().any(|line| line.starts_with("test_")),
        "the builder library defines no tests of its own"
    );
}
