//! Inventory schema versions through the real binary: an inventory written
//! before 1.3 still evaluates, and the rules that need what 1.3 added say
//! **unknown** because the evidence is not in that version (not because a
//! call failed); a 1.3 inventory that lacks a key 1.3 writes is refused.

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_dynaudit");

/// The rules whose evidence schema 1.3 added (DYN404 reads endpoint
/// policies, which every version has).
const RULES_OF_1_3: &[&str] = &[
    "DYN206", "DYN207", "DYN208", "DYN306", "DYN506", "DYN507", "DYN605",
];

fn sample() -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/sample-estate.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The sample estate as dynaudit 1.2 wrote it: without the keys of 1.3.
fn as_1_2(mut inventory: serde_json::Value) -> serde_json::Value {
    inventory["schema_version"] = "1.2".into();
    for region in inventory["regions"].as_object_mut().unwrap().values_mut() {
        let region = region.as_object_mut().unwrap();
        for key in [
            "scalable_targets",
            "scaling_policies",
            "backup_vaults",
            "metric_alarms",
            "exports",
        ] {
            assert!(region.remove(key).is_some(), "the sample has {key}");
        }
        for table in region["tables"].as_object_mut().unwrap().values_mut() {
            let table = table.as_object_mut().unwrap();
            table.remove("global_secondary_indexes").unwrap();
            table.remove("witness_regions").unwrap();
            if let Some(stream) = table["stream"].as_object_mut() {
                stream.remove("arn").unwrap();
                stream.remove("resource_policy").unwrap();
            }
        }
        for cluster in region["dax_clusters"].as_object_mut().unwrap().values_mut() {
            let cluster = cluster.as_object_mut().unwrap();
            cluster.remove("total_nodes").unwrap();
            cluster.remove("nodes").unwrap();
        }
    }
    inventory
}

fn eval(inventory: &serde_json::Value, config: &str) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inventory.json");
    std::fs::write(&path, serde_json::to_string_pretty(inventory).unwrap()).unwrap();
    let config_path = dir.path().join("dynaudit.toml");
    std::fs::write(&config_path, config).unwrap();
    let out = Command::new(BIN)
        .arg("eval")
        .arg(&path)
        .args(["--format", "json", "--fail-on", "none", "--config"])
        .arg(&config_path)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Every rule of 1.3 that can judge something on the sample estate.
const CONFIG: &str = "[parameters]\nallowed_regions = [\"us-east-1\", \"us-west-2\", \"eu-west-1\"]\nrequire_vault_lock = true\n";

#[test]
fn an_inventory_before_1_3_evaluates_and_its_new_rules_say_the_evidence_is_not_in_its_version() {
    let (code, stdout, stderr) = eval(&as_1_2(sample()), CONFIG);
    assert_eq!(code, Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let (_, stdout_1_3, _) = eval(&sample(), CONFIG);
    let current: serde_json::Value = serde_json::from_str(&stdout_1_3).unwrap();
    let verdicts =
        |report: &serde_json::Value| -> std::collections::BTreeMap<(String, String), String> {
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        (
                            f["rule_id"].as_str().unwrap().to_string(),
                            f["resource"].as_str().unwrap().to_string(),
                        ),
                        f["status"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        };
    let (before, after) = (verdicts(&report), verdicts(&current));
    for rule in RULES_OF_1_3 {
        let mine: Vec<_> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == *rule)
            .collect();
        // Each says, somewhere, that its evidence is not in this version...
        assert!(
            mine.iter().any(|f| f["status"] == "unknown"
                && f["message"]
                    .as_str()
                    .unwrap()
                    .contains("not in this inventory's schema version (1.2)")),
            "{rule}: {mine:#?}"
        );
        // ...and decides only what evidence of every version decides (an
        // on-demand table needs no scaling), as the 1.3 evidence does.
        for f in mine {
            let key = (
                rule.to_string(),
                f["resource"].as_str().unwrap().to_string(),
            );
            if f["status"] != "unknown" {
                assert_eq!(Some(&before[&key]), after.get(&key), "{rule}: {f}");
            } else {
                let message = f["message"].as_str().unwrap();
                assert!(
                    message.contains("not in this inventory's schema version (1.2)"),
                    "{rule}: an unknown that is not about the version: {message}"
                );
            }
        }
    }
    // The rules of earlier versions judge the same evidence as before.
    let earlier = |verdicts: &std::collections::BTreeMap<(String, String), String>| {
        verdicts
            .iter()
            .filter(|((rule, _), _)| !RULES_OF_1_3.contains(&rule.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(earlier(&before), earlier(&after));
    // And the same inventory at 1.3 gives the new rules real verdicts.
    for rule in RULES_OF_1_3 {
        assert!(
            current["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["rule_id"] == *rule && f["status"] != "unknown"),
            "{rule} decides something on the 1.3 sample"
        );
    }
}

#[test]
fn a_1_3_inventory_without_a_key_of_1_3_is_refused_with_the_key() {
    for (what, strip) in [
        (
            "regions.us-east-1.metric_alarms",
            Box::new(|inv: &mut serde_json::Value| {
                inv["regions"]["us-east-1"]
                    .as_object_mut()
                    .unwrap()
                    .remove("metric_alarms");
            }) as Box<dyn Fn(&mut serde_json::Value)>,
        ),
        (
            "regions.us-west-2.tables.arn:aws:dynamodb:us-west-2:111122223333:table/invoices.global_secondary_indexes",
            Box::new(|inv: &mut serde_json::Value| {
                inv["regions"]["us-west-2"]["tables"]
                    ["arn:aws:dynamodb:us-west-2:111122223333:table/invoices"]
                    .as_object_mut()
                    .unwrap()
                    .remove("global_secondary_indexes");
            }),
        ),
    ] {
        let mut inventory = sample();
        strip(&mut inventory);
        let (code, stdout, stderr) = eval(&inventory, "");
        assert_eq!(code, Some(2), "{what}: {stderr}");
        assert!(stdout.is_empty(), "{what}: nothing evaluated");
        assert!(
            stderr.contains(&format!("`{what}` is missing; schema 1.3 writes it")),
            "{what}: {stderr}"
        );
    }
}

/// The key named in that refusal comes from the file: a terminal escape in
/// it reaches standard error escaped, never as itself.
#[test]
fn a_hostile_key_in_that_refusal_is_shown_escaped() {
    let mut inventory = sample();
    let tables = inventory["regions"]["us-west-2"]["tables"]
        .as_object_mut()
        .unwrap();
    let mut table = tables
        .remove("arn:aws:dynamodb:us-west-2:111122223333:table/invoices")
        .unwrap();
    table.as_object_mut().unwrap().remove("witness_regions");
    tables.insert("evil\u{1b}]0;owned\u{7}\n::error::x".to_string(), table);
    let (code, _, stderr) = eval(&inventory, "");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("evil\\u{1b}]0;owned\\u{7}\\n::error::x.witness_regions` is missing"),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}') && !stderr.contains("\n::error"),
        "{stderr:?}"
    );
}
