//! `dynaudit eval`: evaluate a saved inventory offline (no AWS access).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::audit::Triage;
use crate::cli::args::{InputArgs, PolicyArgs, ReportArgs};
use crate::cli::output::{ReportRequest, evidence_uri, report_findings, write_output};
use crate::cli::path_check::{Input, check_outputs, policy_inputs, report_files};
use crate::gate::EXIT_CLEAN;
use crate::policy::PolicySet;

/// `dynaudit eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The inventory file (written by `dynaudit collect` or `scan`), or
    /// several, or evidence directories of an organization-wide run: every
    /// account is evaluated and reported together.
    #[arg(value_name = "INVENTORY", required = true, num_args = 1..)]
    pub inventories: Vec<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub input: InputArgs,
    /// Print the document the policies see (`{"input": ..., "data": ...}`)
    /// instead of evaluating, e.g. to run the rules with stock OPA.
    #[arg(long)]
    pub print_input: bool,
}

/// Runs `dynaudit eval`; returns the exit code.
pub fn run(args: &EvalArgs) -> Result<u8> {
    let single = match args.inventories.as_slice() {
        [one] if !one.is_dir() => one.clone(),
        _ => {
            if args.print_input {
                anyhow::bail!(
                    "--print-input prints one inventory's input: give one inventory file"
                );
            }
            return crate::cli::eval_scope::run(&crate::cli::eval_scope::ScopeEvaluation {
                paths: &args.inventories,
                report: &args.report,
                policy: &args.policy,
                input: &args.input,
            });
        }
    };
    let args_inventory = &single;
    check_paths(args, args_inventory)?;
    args.report.check()?;
    let config = args.policy.config()?;
    let mut loaded = crate::load::load_limited(args_inventory, args.input.max_input_bytes)?;
    // Only SARIF points at lines of the evidence file: any other format
    // does not keep the text through evaluation.
    if args.report.format != crate::report::Format::Sarif {
        loaded.text = String::new();
    }
    if args.print_input {
        let input: serde_json::Value =
            serde_json::from_str(&crate::eval::policy_input(&loaded.inventory)?)?;
        let document = serde_json::json!({
            "input": input,
            "data": crate::eval::policy_data(&config.parameters),
        });
        write_output(
            args.report.output.as_deref(),
            &(serde_json::to_string_pretty(&document)? + "\n"),
        )?;
        return Ok(EXIT_CLEAN);
    }
    let policies = PolicySet::load(&args.policy.policy_dirs)?;
    let triage = Triage::load(
        args.policy.waivers.as_deref(),
        args.report.baseline.as_deref(),
        args.input.max_input_bytes,
        &policies,
        &config,
    )?;
    let mut findings = crate::eval::evaluate(
        &policies,
        &loaded.inventory,
        &config.parameters,
        &config.evaluation,
    )?;
    // Planned evidence (written by `dynaudit iac --inventory-out`) is
    // reported as `iac` reports it.
    let located =
        crate::cli::iac::planned_findings(&mut findings, &loaded.inventory, args.report.format)?;
    let waivers = triage.apply(&mut findings, &loaded.inventory)?;
    let evidence_uri = evidence_uri(args_inventory);
    let code = report_findings(&ReportRequest {
        args: &args.report,
        policies: &policies,
        config: &config,
        scope: &crate::report::Scope::of_inventory(&loaded.inventory),
        inventory_text: Some(&loaded.text),
        evidence_uri: &evidence_uri,
        findings: &findings,
        waivers: waivers.as_ref(),
        baseline: triage.baseline_path.as_deref(),
        write_report: true,
        sources: (!located.is_empty()).then_some(&located),
    })?;
    // The process ends now: freeing every finding and the inventory one
    // allocation at a time would only cost time (5 % of a large run).
    std::mem::forget(findings);
    std::mem::forget(loaded);
    Ok(code)
}

/// Checks the outputs against the inputs and each other before any work.
fn check_paths(args: &EvalArgs, inventory: &std::path::Path) -> Result<()> {
    let mut inputs = vec![Input::file("the inventory", inventory)];
    inputs.extend(policy_inputs(&args.policy));
    let (baseline, outputs) = report_files(&args.report);
    inputs.extend(baseline);
    check_outputs(&inputs, &outputs)
}
