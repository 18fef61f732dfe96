//! `dynaudit explain RULE`: a rule's documentation.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use crate::cli::output::write_stdout;
use crate::gate::EXIT_CLEAN;
use crate::policy::PolicySet;
use crate::report::escape::inert_lines;

/// `dynaudit explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule id, e.g. DYN101.
    pub rule_id: String,
    /// Additional policy directory (repeatable).
    #[arg(long = "policies", value_name = "DIR")]
    pub policy_dirs: Vec<PathBuf>,
}

/// Runs `dynaudit explain`.
pub fn run(args: &ExplainArgs) -> Result<u8> {
    let policies = PolicySet::load(&args.policy_dirs)?;
    let rule = policies
        .rule(&args.rule_id)
        .with_context(|| format!("no rule `{}`; `dynaudit rules` lists them", args.rule_id))?;
    // The page of a --policies rule is the user's text: shown inert.
    write_stdout(&inert_lines(&crate::report::rule_doc::rule_page(rule)))?;
    Ok(EXIT_CLEAN)
}
