//! Mutation property of the inventory loader and evaluator, on the sample
//! estate and on every rule fixture: setting any single evidence value (a
//! leaf or a whole object or list) to `null`
//!
//! - never panics: the inventory is refused with an error (exit 2), or it
//!   loads and evaluates;
//! - never turns an outcome into `pass` or `fail` that was not already that
//!   (`null` means "not collected": it can only make outcomes unknown, or
//!   remove them with the resource they were about). Five documented
//!   exceptions: a resource renamed when the value it is named by is nulled
//!   (same rule, region and verdict); a replica judged from its peers'
//!   reports once its region's tables are not listed; a table's
//!   (or stream's) `resource_policy.document`, a PITR record's
//!   `recovery_period_days` and a backup rule's `delete_after_days`, whose
//!   `null` means "none" (docs/inventory.md).
//!
//! Every inventory is read as one of the current schema version, or as 1.2
//! when it lacks the keys 1.3 added (in 1.0, `null` also meant "absent"
//! for a few fields).
//!
//! The mutations are drawn with a fixed seed (`DYNAUDIT_MUTATION_SEED`
//! changes it) and bounded in count (`DYNAUDIT_MUTATIONS`, default 400) and
//! time (90 s), so the test always ends.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use dynaudit::config::Config;
use dynaudit::finding::Status;
use dynaudit::policy::PolicySet;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every JSON pointer under `value` below the top level of the inventory's
/// evidence (`errors`, `iam`, `trails`, `regions`).
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let pointer = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                out.push(pointer.clone());
                pointers(child, pointer, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let pointer = format!("{at}/{i}");
                out.push(pointer.clone());
                pointers(child, pointer, out);
            }
        }
        _ => {}
    }
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

type Outcomes = BTreeMap<(String, String, String), Status>;

/// Loads and evaluates `text`: `Ok(None)` when the loader refuses it,
/// `Err` on a panic or an evaluation error.
fn outcomes(policies: &PolicySet, config: &Config, text: &str) -> Result<Option<Outcomes>, String> {
    let run = catch_unwind(AssertUnwindSafe(|| {
        let inventory = match dynaudit::load::parse("mutated.json", text) {
            Ok(inventory) => inventory,
            Err(_) => return Ok(None),
        };
        let findings =
            dynaudit::eval::evaluate(policies, &inventory, &config.parameters, &config.evaluation)
                .map_err(|err| format!("evaluation failed: {err}"))?;
        Ok(Some(
            findings
                .into_iter()
                .map(|f| ((f.rule_id, f.region, f.resource), f.status))
                .collect(),
        ))
    }));
    match run {
        Ok(result) => result,
        Err(panic) => Err(format!(
            "panicked: {}",
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        )),
    }
}

#[test]
fn nulling_any_evidence_value_never_makes_a_verdict() {
    let policies = PolicySet::load(&[]).unwrap();
    let mut inputs: Vec<(PathBuf, Config)> = vec![(
        root().join("fixtures/sample-estate.json"),
        Config::default(),
    )];
    for entry in std::fs::read_dir(root().join("fixtures/rules"))
        .unwrap()
        .flatten()
    {
        let dir = entry.path();
        let mut dirs = vec![dir.clone()];
        for sub in std::fs::read_dir(&dir).unwrap().flatten() {
            if sub.path().is_dir() {
                dirs.push(sub.path());
            }
        }
        for dir in dirs {
            if dir.join("inventory.json").exists() {
                let config = if dir.join("config.toml").exists() {
                    Config::load(&dir.join("config.toml")).unwrap()
                } else {
                    Config::default()
                };
                inputs.push((dir.join("inventory.json"), config));
            }
        }
    }
    inputs.sort_by(|a, b| a.0.cmp(&b.0));

    let seed = std::env::var("DYNAUDIT_MUTATION_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_d11a_0d17_u64);
    let budget: usize = std::env::var("DYNAUDIT_MUTATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(400);
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut rng = Rng(seed | 1);
    let mut problems = Vec::new();
    let mut tried = 0;
    let mut refused = 0;

    // Every input gets its share of the budget.
    let per_input = budget.div_ceil(inputs.len()).max(1);
    for (path, config) in &inputs {
        // Read as evidence of the current schema version, where `null`
        // means only "not collected" (in 1.0 some fields used it for
        // "absent" too).
        let mut original: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        // An inventory without the keys of 1.3 is read as 1.2 (the
        // latest version it can be: 1.3 requires those keys).
        let has_1_3 = original["schema_version"]
            .as_str()
            .is_some_and(|v| v == dynaudit::inventory::SCHEMA_VERSION);
        original["schema_version"] = Value::from(if has_1_3 {
            dynaudit::inventory::SCHEMA_VERSION
        } else {
            "1.2"
        });
        let text = original.to_string();
        let before = outcomes(&policies, config, &text)
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
            .unwrap_or_else(|| panic!("{} does not load", path.display()));
        let mut candidates = Vec::new();
        for top in ["errors", "iam", "trails", "regions"] {
            if let Some(value) = original.get(top) {
                candidates.push(format!("/{top}"));
                pointers(value, format!("/{top}"), &mut candidates);
            }
        }
        for _ in 0..per_input {
            if Instant::now() > deadline || candidates.is_empty() {
                break;
            }
            let pointer = &candidates[(rng.next() % candidates.len() as u64) as usize];
            let mut mutated = original.clone();
            match mutated.pointer_mut(pointer) {
                Some(slot) if !slot.is_null() => *slot = Value::Null,
                _ => continue,
            }
            tried += 1;
            let shown = format!("{} at {pointer}", path.display());
            match outcomes(&policies, config, &mutated.to_string()) {
                Err(err) => problems.push(format!("{shown}: {err}")),
                Ok(None) => refused += 1,
                Ok(Some(after)) => {
                    // Outcomes of `before` whose resource is gone: nulling
                    // the value a resource is named by (a Config rule's ARN)
                    // renames it, the verdict unchanged.
                    let vanished: Vec<(&(String, String, String), &Status)> = before
                        .iter()
                        .filter(|(key, _)| !after.contains_key(*key))
                        .collect();
                    for (key, status) in &after {
                        if *status == Status::Unknown {
                            continue;
                        }
                        let renamed = !before.contains_key(key)
                            && vanished.iter().any(|((rule, region, _), was)| {
                                *rule == key.0 && *region == key.1 && *was == status
                            });
                        // A replica in a region whose tables are no longer
                        // listed is judged from what its scanned peers'
                        // DescribeTable reports of it (DYN101, DYN102,
                        // DYN201, documented): a resource the listing had
                        // shown absent (a replica still CREATING) gets an
                        // outcome from real evidence.
                        let judged_from_peers = !before.contains_key(key)
                            && pointer == &format!("/regions/{}/tables", key.1);
                        // A table's `resource_policy.document` is `null`
                        // when the table has no policy (the not-collected
                        // marker is `resource_policy: null`): nulling it
                        // changes the evidence, it does not hide it.
                        // Likewise a PITR record's `recovery_period_days`,
                        // `null` when DescribeContinuousBackups reports none
                        // (AWS's default of 35 days applies).
                        // And a backup rule's `delete_after_days`, `null`
                        // when the rule never expires its recovery points
                        // (DYN207 counts that as long enough).
                        let policy_removed = pointer.ends_with("/resource_policy/document")
                            || pointer.ends_with("/point_in_time_recovery/recovery_period_days")
                            || pointer.ends_with("/delete_after_days");
                        if before.get(key) != Some(status)
                            && !renamed
                            && !judged_from_peers
                            && !policy_removed
                        {
                            problems.push(format!(
                                "{shown}: {key:?} became {status:?} (was {:?})",
                                before.get(key)
                            ));
                        }
                    }
                }
            }
        }
    }
    println!(
        "{tried} mutations over {} inventories ({refused} refused by the loader), {} problems",
        inputs.len(),
        problems.len()
    );
    assert!(tried > 50, "too few mutations tried: {tried}");
    assert!(
        problems.is_empty(),
        "{} mutation(s) broke the property:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
