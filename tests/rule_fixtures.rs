//! Per-rule fixtures through the real inventory types and the real engine:
//! `fixtures/rules/DYNNNN/inventory.json` evaluated with the parameters of
//! `config.toml` (if any) must give exactly `expected.json` for that rule.
//! A rule whose outcome cannot vary within one inventory (DYN501 is
//! account-wide) keeps several scenarios in sub-directories instead; pass,
//! fail and unknown must be exercised across the rule's scenarios.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dynaudit::config::Config;
use dynaudit::eval::evaluate;
use dynaudit::policy::PolicySet;

#[derive(Debug, serde::Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
struct Expected {
    resource: String,
    status: String,
}

fn sub_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Checks one scenario; returns the statuses it expects.
fn check_scenario(set: &PolicySet, rule_id: &str, dir: &Path) -> Result<BTreeSet<String>, String> {
    let shown = dir.display().to_string();
    let inventory = dynaudit::load::load(&dir.join("inventory.json"))
        .map_err(|err| format!("{shown}: {err}"))?
        .inventory;
    let config_path = dir.join("config.toml");
    let config = if config_path.exists() {
        Config::load(&config_path).map_err(|err| format!("{shown}: {err}"))?
    } else {
        Config::default()
    };
    let expected_text = std::fs::read_to_string(dir.join("expected.json"))
        .map_err(|err| format!("{shown}/expected.json: {err}"))?;
    let mut expected: Vec<Expected> = serde_json::from_str(&expected_text)
        .map_err(|err| format!("{shown}/expected.json: {err}"))?;
    expected.sort();
    let findings = evaluate(set, &inventory, &config.parameters, &config.evaluation)
        .map_err(|err| format!("{shown}: {err}"))?;
    let mine: Vec<_> = findings.iter().filter(|f| f.rule_id == rule_id).collect();
    for finding in &mine {
        println!(
            "{rule_id} {:7} {} : {}",
            finding.status.as_str(),
            finding.resource,
            finding.message
        );
    }
    let mut actual: Vec<Expected> = mine
        .iter()
        .map(|f| Expected {
            resource: f.resource.clone(),
            status: f.status.as_str().to_string(),
        })
        .collect();
    actual.sort();
    if actual != expected {
        return Err(format!(
            "{shown}: expected {expected:?}\n      got {actual:?}"
        ));
    }
    Ok(expected.into_iter().map(|e| e.status).collect())
}

#[test]
fn every_rule_fixture_gives_its_expected_outcomes() {
    let set = PolicySet::load(&[]).unwrap_or_else(|err| panic!("{err}"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut rules_with_fixtures = BTreeSet::new();
    for rule_dir in sub_dirs(&root) {
        let rule_id = rule_dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if set.rule(&rule_id).is_none() {
            failures.push(format!("{rule_id}: no such rule"));
            continue;
        }
        rules_with_fixtures.insert(rule_id.clone());
        let scenarios = if rule_dir.join("inventory.json").exists() {
            vec![rule_dir.clone()]
        } else {
            sub_dirs(&rule_dir)
        };
        let mut statuses = BTreeSet::new();
        for dir in &scenarios {
            match check_scenario(&set, &rule_id, dir) {
                Ok(found) => statuses.extend(found),
                Err(failure) => failures.push(failure),
            }
            checked += 1;
        }
        if statuses.len() < 3 {
            failures.push(format!(
                "{rule_id}: the fixtures must exercise pass, fail and unknown (have {statuses:?})"
            ));
        }
    }
    for rule in set.rules() {
        if !rules_with_fixtures.contains(&rule.id) {
            failures.push(format!("{}: no fixture under fixtures/rules/", rule.id));
        }
    }
    println!("{checked} rule fixture scenarios checked");
    assert!(
        failures.is_empty(),
        "rule fixture failures:\n{}",
        failures.join("\n")
    );
}
