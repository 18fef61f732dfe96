//! Per-rule fixtures through the real inventory types and the real engine:
//! `fixtures/rules/DYNNNN/inventory.json` evaluated with the parameters of
//! `config.toml` (if any) must give exactly `expected.json` for that rule.

use std::path::Path;

use dynaudit::config::Config;
use dynaudit::eval::evaluate;
use dynaudit::policy::PolicySet;

#[derive(Debug, serde::Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
struct Expected {
    resource: String,
    status: String,
}

#[test]
fn every_rule_fixture_gives_its_expected_outcomes() {
    let set = PolicySet::load(&[]).unwrap_or_else(|err| panic!("{err}"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|err| panic!("{}: {err}", root.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut failures = Vec::new();
    let mut checked = 0;
    for dir in &dirs {
        let rule_id = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if set.rule(&rule_id).is_none() {
            failures.push(format!("{rule_id}: no such rule"));
            continue;
        }
        let inventory = match dynaudit::load::load(&dir.join("inventory.json")) {
            Ok(loaded) => loaded.inventory,
            Err(err) => {
                failures.push(format!("{rule_id}: {err}"));
                continue;
            }
        };
        let config_path = dir.join("config.toml");
        let config = if config_path.exists() {
            match Config::load(&config_path) {
                Ok(config) => config,
                Err(err) => {
                    failures.push(format!("{rule_id}: {err}"));
                    continue;
                }
            }
        } else {
            Config::default()
        };
        let expected_text = std::fs::read_to_string(dir.join("expected.json")).unwrap_or_default();
        let mut expected: Vec<Expected> = match serde_json::from_str(&expected_text) {
            Ok(e) => e,
            Err(err) => {
                failures.push(format!("{rule_id}: expected.json: {err}"));
                continue;
            }
        };
        expected.sort();
        let findings = match evaluate(&set, &inventory, &config.parameters) {
            Ok(f) => f,
            Err(err) => {
                failures.push(format!("{rule_id}: {err}"));
                continue;
            }
        };
        let mut actual: Vec<Expected> = findings
            .iter()
            .filter(|f| f.rule_id == rule_id)
            .map(|f| Expected {
                resource: f.resource.clone(),
                status: f.status.as_str().to_string(),
            })
            .collect();
        actual.sort();
        for finding in findings.iter().filter(|f| f.rule_id == rule_id) {
            println!(
                "{rule_id} {:7} {} : {}",
                finding.status.as_str(),
                finding.resource,
                finding.message
            );
        }
        let statuses: std::collections::BTreeSet<&str> =
            expected.iter().map(|e| e.status.as_str()).collect();
        if statuses.len() < 3 {
            failures.push(format!(
                "{rule_id}: the fixture must exercise pass, fail and unknown (has {statuses:?})"
            ));
        }
        if actual != expected {
            failures.push(format!(
                "{rule_id}: expected {expected:?}\n      got {actual:?}"
            ));
        }
        checked += 1;
    }
    println!("{checked} rule fixtures checked");
    assert!(
        failures.is_empty(),
        "rule fixture failures:\n{}",
        failures.join("\n")
    );
}
