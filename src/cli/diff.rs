//! `dynaudit diff OLD NEW`: what changed between two inventories or two
//! JSON reports.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use crate::audit::{load_waivers, read_outcomes};
use crate::cli::args::{FailOn, InputArgs, PolicyArgs};
use crate::cli::output::write_output;
use crate::cli::path_check::{Input, Output, check_outputs, policy_inputs};
use crate::diff::Diff;
use crate::gate::Gate;
use crate::policy::PolicySet;

/// `dynaudit diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier inventory or JSON report.
    pub old: PathBuf,
    /// The later inventory or JSON report.
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Write the comparison here instead of standard output.
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a new failure is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Low)]
    pub fail_on: FailOn,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub input: InputArgs,
    /// No summary line on standard error.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Formats of `dynaudit diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
    Markdown,
    /// One self-contained HTML page.
    Html,
}

/// Runs `dynaudit diff`; returns the exit code.
pub fn run(args: &DiffArgs) -> Result<u8> {
    let mut inputs = vec![
        Input::file("the earlier inventory or report (OLD)", &args.old),
        Input::file("the later inventory or report (NEW)", &args.new),
    ];
    inputs.extend(policy_inputs(&args.policy));
    let outputs: Vec<Output<'_>> = args
        .output
        .iter()
        .map(|path| Output::replace("--output", path))
        .collect();
    check_outputs(&inputs, &outputs)?;
    let config = args.policy.config()?;
    let policies = PolicySet::load(&args.policy.policy_dirs)?;
    let waivers = load_waivers(args.policy.waivers.as_deref(), &policies)?;
    let side = |path: &std::path::Path| {
        read_outcomes(
            path,
            args.input.max_input_bytes,
            &policies,
            &config,
            waivers.as_ref(),
        )
        .with_context(|| format!("cannot compare {}", path.display()))
    };
    let diff = Diff::new(side(&args.old)?, side(&args.new)?);
    let text = match args.format {
        DiffFormat::Table => crate::report::diff::table::render(&diff)?,
        DiffFormat::Json => crate::report::diff::json::render(&diff)?,
        DiffFormat::Markdown => crate::report::diff::markdown::render(&diff)?,
        DiffFormat::Html => crate::report::diff::html::render(&diff)?,
    };
    write_output(args.output.as_deref(), &text)?;
    let gate = args.fail_on.gate(false, true);
    let counted = diff.new_failures.iter().filter(|f| gate.counts(f)).count();
    if !args.quiet {
        eprintln!(
            "dynaudit diff: {} new, {} fixed, {} unchanged failures; {counted} new counted by {}",
            diff.new_failures.len(),
            diff.fixed.len(),
            diff.unchanged.len(),
            gate.describe(),
        );
    }
    Ok(Gate::exit_code(counted))
}
