//! `dynaudit scan`: collect live, keep the inventory as evidence, evaluate
//! and report.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use crate::audit::Triage;
use crate::cli::args::{AwsArgs, InputArgs, PolicyArgs, ReportArgs};
use crate::cli::collect::{print_summary, run_collection, write_inventory};
use crate::cli::output::{ReportRequest, evidence_uri, report_findings};
use crate::cli::path_check::{Output, check_outputs, policy_inputs, report_files};
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
    /// Where to write the inventory the findings were decided on; SARIF
    /// results point at lines of this file, so keep it beside the SARIF.
    #[arg(long, value_name = "PATH", default_value = "dynaudit-inventory.json")]
    pub inventory_out: PathBuf,
}

/// Runs `dynaudit scan`; returns the exit code.
pub fn run(args: &ScanArgs) -> Result<u8> {
    if args.inventory_out == Path::new("-") {
        anyhow::bail!("--inventory-out must name a file: the report goes to standard output");
    }
    // Everything that can be wrong locally is checked before the first call,
    // the output paths first.
    let mut inputs = policy_inputs(&args.policy);
    let (baseline, mut outputs) = report_files(&args.report);
    inputs.extend(baseline);
    outputs.push(Output::replace("--inventory-out", &args.inventory_out));
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
    let inventory_text = write_inventory(&inventory, &args.inventory_out)?;
    print_summary(&summary, args.report.quiet);
    let mut findings = crate::eval::evaluate(
        &policies,
        &inventory,
        &config.parameters,
        &config.evaluation,
    )?;
    let waivers = triage.apply(&mut findings, &inventory)?;
    let evidence_uri = evidence_uri(&args.inventory_out);
    report_findings(&ReportRequest {
        args: &args.report,
        policies: &policies,
        config: &config,
        inventory: &inventory,
        inventory_text: &inventory_text,
        evidence_uri: &evidence_uri,
        findings: &findings,
        waivers: waivers.as_ref(),
        baseline: triage.baseline_path.as_deref(),
    })
}
