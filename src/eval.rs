//! Evaluating the rules on an inventory: the compiled engines, cloned per
//! worker thread, each worker evaluating a share of the rules, each rule
//! within the time limit of `[evaluation]` ([`crate::bounds`]).

use std::time::Duration;

use crate::config::{EvaluationSettings, Parameters};
use crate::finding::{Finding, Status};
use crate::inventory::Inventory;
use crate::metadata::{EvaluatedPer, RuleMeta};
use crate::policy::PolicySet;
use crate::reasons::ErrorIndex;

/// Why evaluation failed (a policy bug, never a property of the estate).
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot prepare the inventory for evaluation: {0}")]
    Input(String),
    #[error(
        "rule {rule} ({path}) was stopped after {seconds} s, the time limit per rule (`[evaluation] max_seconds_per_rule`, `--max-seconds-per-rule`): it loops, or its work grows too fast with the inventory"
    )]
    TimeLimit {
        rule: String,
        path: String,
        seconds: f64,
    },
    #[error("cannot prepare the policy engine: {0}")]
    Engine(String),
    #[error("rule {rule} ({path}) failed to evaluate: {message}")]
    Rule {
        rule: String,
        path: String,
        message: String,
    },
    #[error("rule {rule} ({path}) produced a malformed outcome ({message}): {outcome}")]
    Outcome {
        rule: String,
        path: String,
        message: String,
        outcome: String,
    },
}

/// One element of a rule's `outcomes` set, as the policy contract defines
/// it: `status`, `resource`, `region`, `message`, optionally `evidence` and
/// `needs` (the calls an unknown needed).
#[derive(Debug)]
struct Outcome {
    status: Status,
    resource: String,
    region: String,
    message: String,
    evidence: serde_json::Value,
    needs: Vec<String>,
}

/// The document rules see as `input`: the inventory with every `null`
/// written out (a missing key would make a `== null` test undefined).
pub fn policy_input(inventory: &Inventory) -> Result<String, EvalError> {
    serde_json::to_string(inventory).map_err(|err| EvalError::Input(err.to_string()))
}

/// The document rules see as `data`.
pub fn policy_data(params: &Parameters) -> serde_json::Value {
    serde_json::json!({ "dynaudit": { "params": params.to_json() } })
}

/// Evaluates every rule of `set` on `inventory` within `bounds`; findings
/// sorted by rule id, resource, status, region and message. Uses every
/// core: see [`evaluate_in_shards`].
pub fn evaluate(
    set: &PolicySet,
    inventory: &Inventory,
    params: &Parameters,
    bounds: &EvaluationSettings,
) -> Result<Vec<Finding>, EvalError> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    evaluate_in_shards(set, inventory, params, bounds, workers)
}

/// [`evaluate`] with `workers` threads (at least 1). Each worker evaluates
/// the built-in rules evaluated per table (`custom.evaluated_per: table`)
/// over its share of the tables (split by table name, so a global table's
/// replicas stay together), and a share of the other rules, each over the
/// whole inventory. The findings do not depend on `workers`
/// (`tests/evaluation_shards.rs`).
pub fn evaluate_in_shards(
    set: &PolicySet,
    inventory: &Inventory,
    params: &Parameters,
    bounds: &EvaluationSettings,
    workers: usize,
) -> Result<Vec<Finding>, EvalError> {
    // IAM and backup-selection rules match many distinct wildcard patterns;
    // regorus's default cache (128 globs) would recompile them per match.
    regorus::cache::configure(regorus::cache::Config {
        regex: 4096,
        glob: 16384,
    });
    let input_json = policy_input(inventory)?;
    let input = regorus::Value::from_json_str(&input_json)
        .map_err(|err| EvalError::Input(err.to_string()))?;
    drop(input_json);
    let data = regorus::Value::from_json_str(&policy_data(params).to_string())
        .map_err(|err| EvalError::Input(err.to_string()))?;
    let prepare = |engine: &regorus::Engine| -> Result<regorus::Engine, EvalError> {
        let mut engine = engine.clone();
        crate::bounds::guard_builtins(&mut engine, bounds.max_generated_elements)
            .map_err(|err| EvalError::Engine(err.to_string()))?;
        engine
            .add_data(data.clone())
            .map_err(|err| EvalError::Input(err.to_string()))?;
        engine.set_input(input.clone());
        // regorus analyses the policies at the first evaluation after a
        // change (`add_data` discards that); doing it here, before the
        // engine is cloned per worker, does it once rather than per worker.
        engine
            .eval_query("true".to_string(), false)
            .map_err(|err| EvalError::Engine(err.to_string()))?;
        Ok(engine)
    };
    // Built-in rules run in an engine of the built-in files alone, so that
    // nothing of a `--policies` directory can change their outcomes.
    let builtin_engine = prepare(set.builtin_engine())?;
    let custom_engine = set.custom_engine().map(prepare).transpose()?;
    let limits = Limits {
        per_rule: bounds.rule_time_limit(),
        seconds: bounds.max_seconds_per_rule,
    };

    let (custom, builtin): (Vec<&RuleMeta>, Vec<&RuleMeta>) =
        set.rules().iter().partition(|rule| set.is_custom(rule));
    let workers = workers.clamp(1, set.rules().len().max(1));
    // Per-table rules over shares of the tables, when there is more than
    // one worker to share them; every other rule over the whole inventory.
    let (per_table, whole): (Vec<&RuleMeta>, Vec<&RuleMeta>) = if workers > 1 {
        builtin
            .iter()
            .partition(|rule| rule.evaluated_per == EvaluatedPer::Table)
    } else {
        (Vec::new(), builtin)
    };
    let shard_inputs = if per_table.is_empty() {
        Vec::new()
    } else {
        shard_inputs(&input, workers)
    };
    let errors = ErrorIndex::new(inventory);

    let results: Vec<Result<WorkerFindings, EvalError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|worker| {
                let mut builtin_engine = builtin_engine.clone();
                let mut custom_engine = custom_engine.clone();
                let (errors, limits, per_table) = (&errors, &limits, &per_table);
                let shard_input = shard_inputs.get(worker).cloned();
                let whole_share = share_of(&whole, worker, workers);
                let custom_share = share_of(&custom, worker, workers);
                scope.spawn(move || {
                    let mut found = WorkerFindings {
                        whole: evaluate_share(
                            &mut builtin_engine,
                            &whole_share,
                            inventory,
                            errors,
                            limits,
                        )?,
                        sharded: Vec::new(),
                    };
                    if let Some(shard_input) = shard_input {
                        builtin_engine.set_input(shard_input);
                        found.sharded = evaluate_share(
                            &mut builtin_engine,
                            per_table,
                            inventory,
                            errors,
                            limits,
                        )?;
                    }
                    // Own rules one at a time: each gets exactly its limit.
                    if let Some(engine) = custom_engine.as_mut() {
                        for rule in custom_share {
                            found
                                .whole
                                .extend(evaluate_rule(engine, rule, inventory, errors, limits)?);
                        }
                    }
                    Ok(found)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle.join().unwrap_or_else(|_| {
                    Err(EvalError::Input(
                        "an evaluation worker panicked".to_string(),
                    ))
                })
            })
            .collect()
    });

    let mut findings = Vec::new();
    let mut shared = Vec::new();
    let tables = table_arns(inventory);
    for result in results {
        let found = result?;
        findings.extend(found.whole);
        // A per-table rule's outcome about a table comes from the one share
        // that holds the table; one about anything else (a region whose
        // tables could not be listed) from every share that sees it, alike.
        for finding in found.sharded {
            if tables.contains(finding.resource.as_str()) {
                findings.push(finding);
            } else {
                shared.push(finding);
            }
        }
    }
    // Only the shared outcomes can repeat: compare them among themselves,
    // not against every finding (a million at 100,000 tables).
    let mut distinct: Vec<Finding> = Vec::new();
    for finding in shared {
        if !distinct.contains(&finding) {
            distinct.push(finding);
        }
    }
    findings.extend(distinct);
    findings.sort_by(order);
    Ok(findings)
}

/// The order of findings in reports: rule id, resource, status, region,
/// message.
pub fn order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    (&a.rule_id, &a.resource, a.status, &a.region, &a.message).cmp(&(
        &b.rule_id,
        &b.resource,
        b.status,
        &b.region,
        &b.message,
    ))
}

/// What one worker found: over the whole inventory, and over its share of
/// the tables.
struct WorkerFindings {
    whole: Vec<Finding>,
    sharded: Vec<Finding>,
}

/// The ARNs of the inventory's tables.
fn table_arns(inventory: &Inventory) -> std::collections::HashSet<&str> {
    inventory
        .regions
        .values()
        .filter_map(|region| region.tables.as_ref())
        .flat_map(|tables| tables.keys().map(String::as_str))
        .collect()
}

/// `shards` copies of the policy input, each with its share of every
/// region's tables (`regions.<region>.tables`), split by table name so that
/// the replicas of a global table (same name, other regions) stay in one
/// share. Everything else is shared, not copied (regorus values are
/// reference-counted). A region whose tables are `null` stays `null` in
/// every share.
fn shard_inputs(input: &regorus::Value, shards: usize) -> Vec<regorus::Value> {
    use std::hash::{Hash, Hasher};

    let shard_of = |arn: &str| -> usize {
        let name = arn.rsplit_once(":table/").map_or(arn, |(_, name)| name);
        // SipHash with fixed keys: the same split on every run.
        let mut hasher = std::hash::DefaultHasher::new();
        name.hash(&mut hasher);
        usize::try_from(hasher.finish() % shards as u64).unwrap_or(0)
    };
    (0..shards)
        .map(|shard| {
            with_object_field(input, "regions", |regions| {
                map_object(regions, |_, region| {
                    Some(with_object_field(region, "tables", |tables| {
                        map_object(tables, |arn, table| match arn {
                            regorus::Value::String(arn) if shard_of(arn) != shard => None,
                            _ => Some(table.clone()),
                        })
                    }))
                })
            })
        })
        .collect()
}

/// `value` with its field `key` changed by `change` when both are objects;
/// anything else as it is. Untouched values are shared, not copied.
fn with_object_field(
    value: &regorus::Value,
    key: &str,
    change: impl Fn(&regorus::Value) -> regorus::Value,
) -> regorus::Value {
    map_object(value, |name, field| {
        Some(match (name, field) {
            (regorus::Value::String(name), regorus::Value::Object(_)) if name.as_ref() == key => {
                change(field)
            }
            _ => field.clone(),
        })
    })
}

/// An object with each entry's value changed by `change` (`None` leaves the
/// entry out); anything but an object as it is.
fn map_object(
    value: &regorus::Value,
    change: impl Fn(&regorus::Value, &regorus::Value) -> Option<regorus::Value>,
) -> regorus::Value {
    let regorus::Value::Object(entries) = value else {
        return value.clone();
    };
    let entries: std::collections::BTreeMap<regorus::Value, regorus::Value> = entries
        .iter()
        .filter_map(|(key, entry)| change(key, entry).map(|entry| (key.clone(), entry)))
        .collect();
    regorus::Value::from(entries)
}

/// Worker `worker`'s share of `rules`, out of `workers`.
fn share_of<'a>(rules: &[&'a RuleMeta], worker: usize, workers: usize) -> Vec<&'a RuleMeta> {
    rules
        .iter()
        .skip(worker)
        .step_by(workers)
        .copied()
        .collect()
}

/// The time limits of one evaluation.
struct Limits {
    /// One rule's.
    per_rule: Duration,
    /// The same, as configured, for messages.
    seconds: f64,
}

/// Evaluates a worker's share of the rules in one regorus query, so that
/// library rules they share (the table list, IAM statement normalisation)
/// are computed once per worker rather than once per rule. The query may
/// take the share's time limits added up. Falls back to one evaluation per
/// rule, each within its own limit, if the combined query fails or is
/// undefined (a rule whose `outcomes` is a complete rule that is
/// undefined): so only a rule that overruns on its own is an error, and the
/// error names it.
fn evaluate_share(
    engine: &mut regorus::Engine,
    share: &[&RuleMeta],
    inventory: &Inventory,
    errors: &ErrorIndex<'_>,
    limits: &Limits,
) -> Result<Vec<Finding>, EvalError> {
    if share.is_empty() {
        return Ok(Vec::new());
    }
    let query = format!(
        "[{}]",
        share
            .iter()
            .map(|rule| format!("data.{}.outcomes", rule.package))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let rules = u32::try_from(share.len()).unwrap_or(u32::MAX);
    let budget = limits.per_rule.saturating_mul(rules);
    engine.set_execution_timer_config(crate::bounds::timer(budget));
    let combined = crate::bounds::contain(|| engine.eval_query(query, false))
        .ok()
        .and_then(Result::ok)
        .and_then(|mut results| results.result.pop())
        .and_then(|mut result| result.expressions.pop())
        .map(|expression| expression.value);
    let mut findings = Vec::new();
    match combined {
        Some(regorus::Value::Array(values)) if values.len() == share.len() => {
            for (rule, value) in share.iter().zip(values.iter()) {
                findings.extend(to_findings(rule, value.clone(), inventory, errors)?);
            }
        }
        _ => {
            for rule in share {
                findings.extend(evaluate_rule(engine, rule, inventory, errors, limits)?);
            }
        }
    }
    Ok(findings)
}

/// A rule that failed to evaluate (a policy bug, never a property of the
/// estate).
fn rule_error(rule: &RuleMeta, message: String) -> EvalError {
    EvalError::Rule {
        rule: rule.id.clone(),
        path: rule.source.clone(),
        message: crate::text_file::printable(&message),
    }
}

/// Evaluates one rule within the per-rule time limit.
fn evaluate_rule(
    engine: &mut regorus::Engine,
    rule: &RuleMeta,
    inventory: &Inventory,
    errors: &ErrorIndex<'_>,
    limits: &Limits,
) -> Result<Vec<Finding>, EvalError> {
    engine.set_execution_timer_config(crate::bounds::timer(limits.per_rule));
    let query = format!("data.{}.outcomes", rule.package);
    let value = crate::bounds::contain(|| engine.eval_rule(query))
        .map_err(|panic| rule_error(rule, panic))?
        .map_err(|err| {
            if crate::bounds::is_time_limit(&err) {
                EvalError::TimeLimit {
                    rule: rule.id.clone(),
                    path: rule.source.clone(),
                    seconds: limits.seconds,
                }
            } else {
                rule_error(rule, err.to_string())
            }
        })?;
    to_findings(rule, value, inventory, errors)
}

/// Turns a rule's `outcomes` value into findings, reading the regorus
/// values in place (no JSON round trip; only `evidence` is converted).
fn to_findings(
    rule: &RuleMeta,
    value: regorus::Value,
    inventory: &Inventory,
    errors: &ErrorIndex<'_>,
) -> Result<Vec<Finding>, EvalError> {
    let items: Vec<&regorus::Value> = match &value {
        regorus::Value::Undefined => return Ok(Vec::new()),
        regorus::Value::Set(items) => items.iter().collect(),
        regorus::Value::Array(items) => items.iter().collect(),
        other => {
            return Err(rule_error(
                rule,
                format!("`outcomes` must be a set of objects, got {other}"),
            ));
        }
    };
    let mut findings = Vec::with_capacity(items.len());
    for item in items {
        let outcome = Outcome::read(item).map_err(|message| EvalError::Outcome {
            rule: rule.id.clone(),
            path: rule.source.clone(),
            message: crate::text_file::printable(&message),
            outcome: serde_json::to_string(item).unwrap_or_else(|err| err.to_string()),
        })?;
        findings.push(to_finding(rule, inventory, errors, outcome));
    }
    Ok(findings)
}

impl Outcome {
    /// Reads one element of `outcomes` as the contract defines it: the
    /// fields below and no others.
    fn read(value: &regorus::Value) -> Result<Outcome, String> {
        let regorus::Value::Object(fields) = value else {
            return Err("an outcome must be an object".to_string());
        };
        let mut status = None;
        let mut resource = None;
        let mut region = None;
        let mut message = None;
        let mut evidence = serde_json::Value::Null;
        let mut needs = Vec::new();
        for (key, field) in fields.iter() {
            let regorus::Value::String(key) = key else {
                return Err(format!("an outcome's keys are strings, got {key}"));
            };
            match key.as_ref() {
                "status" => {
                    status = Some(match string(field, "status")? {
                        "pass" => Status::Pass,
                        "fail" => Status::Fail,
                        "unknown" => Status::Unknown,
                        other => {
                            return Err(format!(
                                "unknown variant `{other}`, expected one of `fail`, `unknown`, `pass`"
                            ));
                        }
                    });
                }
                "resource" => resource = Some(string(field, "resource")?.to_string()),
                "region" => region = Some(string(field, "region")?.to_string()),
                "message" => message = Some(string(field, "message")?.to_string()),
                "evidence" => {
                    evidence = serde_json::to_value(field).map_err(|err| err.to_string())?;
                }
                "needs" => {
                    let regorus::Value::Array(items) = field else {
                        return Err("`needs` must be an array of strings".to_string());
                    };
                    needs = items
                        .iter()
                        .map(|item| string(item, "needs").map(str::to_string))
                        .collect::<Result<_, _>>()?;
                }
                other => {
                    return Err(format!(
                        "unknown field `{other}`, expected one of `status`, `resource`, `region`, `message`, `evidence`, `needs`"
                    ));
                }
            }
        }
        let missing = |name: &str| format!("missing field `{name}`");
        Ok(Outcome {
            status: status.ok_or_else(|| missing("status"))?,
            resource: resource.ok_or_else(|| missing("resource"))?,
            region: region.ok_or_else(|| missing("region"))?,
            message: message.ok_or_else(|| missing("message"))?,
            evidence,
            needs,
        })
    }
}

/// A string field of an outcome.
fn string<'v>(value: &'v regorus::Value, name: &str) -> Result<&'v str, String> {
    match value {
        regorus::Value::String(text) => Ok(text.as_ref()),
        other => Err(format!("`{name}` must be a string, got {other}")),
    }
}

fn to_finding(
    rule: &RuleMeta,
    inventory: &Inventory,
    errors: &ErrorIndex<'_>,
    outcome: Outcome,
) -> Finding {
    let mut message = outcome.message;
    let mut evidence = outcome.evidence;
    // An unknown that names the calls it needed gets the recorded error of
    // each appended; one that needs none (e.g. AWS Config has not evaluated
    // yet) already says why in its message.
    if outcome.status == Status::Unknown && !outcome.needs.is_empty() {
        let reasons = errors.reasons(
            &outcome.region,
            &outcome.resource,
            &evidence,
            &outcome.needs,
        );
        message = format!("{message} (reason: {})", reasons.join("; "));
        if let serde_json::Value::Object(map) = &mut evidence {
            map.insert("unknown_reasons".to_string(), serde_json::json!(reasons));
        } else {
            evidence = serde_json::json!({ "value": evidence, "unknown_reasons": reasons });
        }
    }
    Finding {
        rule_id: rule.id.clone(),
        status: outcome.status,
        severity: rule.severity,
        account: inventory.account_id.clone(),
        region: outcome.region,
        resource: outcome.resource,
        message,
        evidence,
        frameworks: rule.frameworks.clone(),
        waiver: None,
        baseline: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<Outcome, String> {
        let value = regorus::Value::from_json_str(json).unwrap_or_else(|err| panic!("{err}"));
        Outcome::read(&value)
    }

    #[test]
    fn reads_an_outcome_in_place() {
        let outcome = read(
            r#"{"status": "unknown", "resource": "r", "region": "us-east-1", "message": "m",
                "evidence": {"b": [1, null], "a": "x"}, "needs": ["DescribeTable"]}"#,
        )
        .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(outcome.status, Status::Unknown);
        assert_eq!(
            (
                outcome.resource.as_str(),
                outcome.region.as_str(),
                outcome.message.as_str()
            ),
            ("r", "us-east-1", "m")
        );
        assert_eq!(outcome.evidence.to_string(), r#"{"a":"x","b":[1,null]}"#);
        assert_eq!(outcome.needs, vec!["DescribeTable".to_string()]);
        let bare = read(r#"{"status": "pass", "resource": "r", "region": "g", "message": "m"}"#)
            .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(bare.evidence, serde_json::Value::Null);
        assert!(bare.needs.is_empty());
    }

    #[test]
    fn refuses_what_the_contract_does_not_allow() {
        let cases = [
            (r#"["pass"]"#, "must be an object"),
            (
                r#"{"status": "ok", "resource": "r", "region": "g", "message": "m"}"#,
                "unknown variant `ok`",
            ),
            (
                r#"{"status": "pass", "resource": "r", "region": "g", "message": "m", "extra": 1}"#,
                "unknown field `extra`",
            ),
            (
                r#"{"status": "pass", "region": "g", "message": "m"}"#,
                "missing field `resource`",
            ),
            (
                r#"{"status": "pass", "resource": 7, "region": "g", "message": "m"}"#,
                "`resource` must be a string",
            ),
            (
                r#"{"status": "pass", "resource": "r", "region": "g", "message": "m", "needs": "x"}"#,
                "`needs` must be an array of strings",
            ),
        ];
        for (json, expected) in cases {
            match read(json) {
                Ok(outcome) => panic!("{json} was read as {outcome:?}"),
                Err(err) => assert!(err.contains(expected), "{json}: {err}"),
            }
        }
    }
}
