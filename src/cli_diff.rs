//! `dynaudit diff OLD NEW`: what changed between two inventories or two
//! JSON reports.

use anyhow::{Context, Result};

use crate::cli::{
    DiffArgs, DiffFormat, EXIT_CLEAN, EXIT_FINDINGS, Gate, load_waivers, read_outcomes,
    write_output,
};
use crate::diff::Diff;
use crate::policy::PolicySet;

/// Runs `dynaudit diff`; returns the exit code.
pub fn run_diff(args: &DiffArgs) -> Result<u8> {
    let config = crate::cli::load_config(args.policy.config.as_deref())?;
    let policies = PolicySet::load(&args.policy.policy_dirs)?;
    let waivers = load_waivers(args.policy.waivers.as_deref(), &policies)?;
    let side = |path: &std::path::Path| {
        read_outcomes(path, &policies, &config, waivers.as_ref())
            .with_context(|| format!("cannot compare {}", path.display()))
    };
    let diff = Diff::new(side(&args.old)?, side(&args.new)?);
    let text = match args.format {
        DiffFormat::Table => crate::report::diff::table::render(&diff)?,
        DiffFormat::Json => crate::report::diff::json::render(&diff)?,
        DiffFormat::Markdown => crate::report::diff::markdown::render(&diff)?,
    };
    write_output(args.output.as_deref(), &text)?;
    let gate = Gate {
        fail_on: args.fail_on,
        fail_on_unknown: false,
    };
    let counted = diff.new_failures.iter().filter(|f| gate.counts(f)).count();
    if !args.quiet {
        eprintln!(
            "dynaudit diff: {} new, {} fixed, {} unchanged failures; {counted} new at or above --fail-on",
            diff.new_failures.len(),
            diff.fixed.len(),
            diff.unchanged.len(),
        );
    }
    Ok(if counted > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}
