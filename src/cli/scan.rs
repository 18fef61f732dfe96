//! `dynaudit scan`: collect live, keep the inventory as evidence, evaluate
//! and report.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use crate::audit::Triage;
use crate::cli::args::{AwsArgs, InputArgs, PolicyArgs, ReportArgs};
use crate::cli::collect::{print_summary, run_collection, write_inventory};
use crate::cli::evidence_dir::{
    DEFAULT_EVIDENCE_DIR, check_dir, collect_into, print_accounts_summary,
};
use crate::cli::output::{ReportRequest, evidence_uri, report_findings};
use crate::cli::path_check::{Output, check_outputs, policy_inputs, report_files};
use crate::organization::selection::AccountSelection;
use crate::policy::PolicySet;

/// `dynaudit scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub input: InputArgs,
    /// Where to write the inventory the findings were decided on (default
    /// dynaudit-inventory.json); SARIF results point at lines of this file,
    /// so keep it beside the SARIF. With --organization, --ou or
    /// --accounts, a directory (default dynaudit-inventory/) of one
    /// inventory per account and an index.
    #[arg(long, value_name = "PATH")]
    pub inventory_out: Option<PathBuf>,
}

/// Runs `dynaudit scan`; returns the exit code.
pub fn run(args: &ScanArgs) -> Result<u8> {
    if let Some(selection) = args.aws.accounts.selection()? {
        return run_accounts(args, selection);
    }
    let inventory_out = args
        .inventory_out
        .clone()
        .unwrap_or_else(|| PathBuf::from("dynaudit-inventory.json"));
    if inventory_out == Path::new("-") {
        anyhow::bail!("--inventory-out must name a file: the report goes to standard output");
    }
    // Everything that can be wrong locally is checked before the first call,
    // the output paths first.
    let mut inputs = policy_inputs(&args.policy);
    let (baseline, mut outputs) = report_files(&args.report);
    inputs.extend(baseline);
    outputs.push(Output::replace("--inventory-out", &inventory_out));
    check_outputs(&inputs, &outputs)?;
    args.report.check()?;
    let config = args.policy.config()?;
    let policies = PolicySet::load(&args.policy.policy_dirs)?;
    let triage = Triage::load(
        args.policy.waivers.as_deref(),
        args.report.baseline.as_deref(),
        args.input.max_input_bytes,
        &policies,
        &config,
    )?;
    let options = args
        .aws
        .to_options(config.scan.clone(), args.report.quiet)?;
    let (inventory, summary) = run_collection(&options)?;
    let inventory_text = write_inventory(&inventory, &inventory_out)?;
    print_summary(&summary, args.report.quiet);
    let mut findings = crate::eval::evaluate(
        &policies,
        &inventory,
        &config.parameters,
        &config.evaluation,
    )?;
    let waivers = triage.apply(&mut findings, &inventory)?;
    let evidence_uri = evidence_uri(&inventory_out);
    report_findings(&ReportRequest {
        args: &args.report,
        policies: &policies,
        config: &config,
        scope: &crate::report::Scope::of_inventory(&inventory),
        inventory_text: Some(&inventory_text),
        evidence_uri: &evidence_uri,
        findings: &findings,
        waivers: waivers.as_ref(),
        baseline: triage.baseline_path.as_deref(),
        write_report: true,
        sources: None,
    })
}

/// `dynaudit scan` over a set of accounts: collect into the evidence
/// directory, then evaluate it account by account.
fn run_accounts(args: &ScanArgs, selection: AccountSelection) -> Result<u8> {
    let dir = args
        .inventory_out
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_EVIDENCE_DIR));
    if dir == Path::new("-") {
        anyhow::bail!("--inventory-out must name a directory: the report goes to standard output");
    }
    // Everything that can be wrong locally is checked before the first call.
    let mut inputs = policy_inputs(&args.policy);
    let (baseline, outputs) = report_files(&args.report);
    inputs.extend(baseline);
    check_outputs(&inputs, &outputs)?;
    args.report.check()?;
    let earlier = check_dir(&dir, "--inventory-out")?;
    crate::cli::eval_scope::check_sarif_output(&args.report)?;
    // The policies, waivers and baseline are checked before the collection
    // (and read again for the evaluation).
    let config = args.policy.config()?;
    Triage::load(
        args.policy.waivers.as_deref(),
        args.report.baseline.as_deref(),
        args.input.max_input_bytes,
        &PolicySet::load(&args.policy.policy_dirs)?,
        &config,
    )?;
    let options = args
        .aws
        .to_options(config.scan.clone(), args.report.quiet)?;
    let (index, summary) = collect_into(
        options,
        selection,
        args.aws.accounts.role_name.clone(),
        &dir,
        earlier,
    )?;
    print_accounts_summary(&index, &summary, args.report.quiet);
    crate::cli::eval_scope::run(&crate::cli::eval_scope::ScopeEvaluation {
        paths: std::slice::from_ref(&dir),
        report: &args.report,
        policy: &args.policy,
        input: &args.input,
    })
}
