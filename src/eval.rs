//! Evaluating the rules on an inventory: one compiled engine, cloned per
//! worker thread, each worker evaluating a share of the rules.

use serde::Deserialize;

use crate::config::Parameters;
use crate::finding::{Finding, Status};
use crate::inventory::Inventory;
use crate::metadata::RuleMeta;
use crate::policy::PolicySet;
use crate::reasons::ErrorIndex;

/// Why evaluation failed (a policy bug, never a property of the estate).
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot prepare the inventory for evaluation: {0}")]
    Input(String),
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

/// One element of a rule's `outcomes` set, as the policy contract defines it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Outcome {
    status: Status,
    resource: String,
    region: String,
    message: String,
    #[serde(default)]
    evidence: serde_json::Value,
    #[serde(default)]
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

/// Evaluates every rule of `set` on `inventory`; findings sorted by rule id,
/// resource and status.
pub fn evaluate(
    set: &PolicySet,
    inventory: &Inventory,
    params: &Parameters,
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

    let mut engine = set.engine.clone();
    engine
        .add_data(data)
        .map_err(|err| EvalError::Input(err.to_string()))?;
    engine.set_input(input);

    let rules = set.rules();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, rules.len().max(1));
    let errors = ErrorIndex::new(inventory);

    let results: Vec<Result<Vec<Finding>, EvalError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|worker| {
                let mut engine = engine.clone();
                let errors = &errors;
                scope.spawn(move || {
                    let share: Vec<&RuleMeta> =
                        rules.iter().skip(worker).step_by(workers).collect();
                    evaluate_share(&mut engine, &share, inventory, errors)
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
    for result in results {
        findings.extend(result?);
    }
    findings.sort_by(|a, b| {
        (&a.rule_id, &a.resource, a.status, &a.region).cmp(&(
            &b.rule_id,
            &b.resource,
            b.status,
            &b.region,
        ))
    });
    Ok(findings)
}

/// Evaluates a worker's share of the rules in one regorus query, so that
/// library rules they share (the table list, IAM statement normalisation)
/// are computed once per worker rather than once per rule. Falls back to one
/// evaluation per rule if the combined query is undefined (a rule whose
/// `outcomes` is a complete rule that is undefined).
fn evaluate_share(
    engine: &mut regorus::Engine,
    share: &[&RuleMeta],
    inventory: &Inventory,
    errors: &ErrorIndex<'_>,
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
    let combined = engine
        .eval_query(query, false)
        .ok()
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
                findings.extend(evaluate_rule(engine, rule, inventory, errors)?);
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
        message,
    }
}

fn evaluate_rule(
    engine: &mut regorus::Engine,
    rule: &RuleMeta,
    inventory: &Inventory,
    errors: &ErrorIndex<'_>,
) -> Result<Vec<Finding>, EvalError> {
    let value = engine
        .eval_rule(format!("data.{}.outcomes", rule.package))
        .map_err(|err| rule_error(rule, err.to_string()))?;
    to_findings(rule, value, inventory, errors)
}

/// Turns a rule's `outcomes` value into findings.
fn to_findings(
    rule: &RuleMeta,
    value: regorus::Value,
    inventory: &Inventory,
    errors: &ErrorIndex<'_>,
) -> Result<Vec<Finding>, EvalError> {
    let outcomes: Vec<serde_json::Value> = match value {
        regorus::Value::Undefined => Vec::new(),
        other => {
            let json =
                serde_json::to_value(&other).map_err(|err| rule_error(rule, err.to_string()))?;
            match json {
                serde_json::Value::Array(items) => items,
                other => {
                    return Err(rule_error(
                        rule,
                        format!("`outcomes` must be a set of objects, got {other}"),
                    ));
                }
            }
        }
    };
    let mut findings = Vec::with_capacity(outcomes.len());
    for raw in outcomes {
        let outcome: Outcome =
            serde_json::from_value(raw.clone()).map_err(|err| EvalError::Outcome {
                rule: rule.id.clone(),
                path: rule.source.clone(),
                message: err.to_string(),
                outcome: raw.to_string(),
            })?;
        findings.push(to_finding(rule, inventory, errors, outcome));
    }
    Ok(findings)
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
