//! The command line: one module per subcommand, each thin (parse, call the
//! library, map the result to an exit code); [`args`] holds the options
//! several share, [`output`] where their output goes and [`path_check`]
//! the check of output paths before any work. `main` only calls
//! [`run`] and turns its result into an exit code ([`crate::gate`]).

pub mod accounts;
pub mod args;
pub mod collect;
pub mod diff;
pub mod eval;
pub mod eval_scope;
pub mod evidence_dir;
pub mod explain;
pub mod iac;
pub mod iam_policy;
pub mod output;
pub mod path_check;
pub mod rules;
pub mod scan;
pub mod schema;

use anyhow::Result;
use clap::{Parser, Subcommand};

/// Compliance auditor for Amazon DynamoDB: collect evidence, evaluate Rego
/// policies mapped to PCI DSS v4.0 and SOC 2, report as SARIF, JSON, a table
/// or Markdown.
///
/// Exit codes: 0 nothing failing at or above --fail-on, 1 findings at or
/// above it, 2 error.
#[derive(Debug, Parser)]
#[command(name = "dynaudit", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Collect the inventory live (read-only calls only), evaluate it and
    /// report; the inventory is kept as evidence (--inventory-out).
    Scan(scan::ScanArgs),
    /// Evaluate a saved inventory offline (no AWS access).
    Eval(eval::EvalArgs),
    /// List the rules (built-in and --policies).
    Rules(rules::RulesArgs),
    /// Show a rule's documentation: what it checks, why, how to fix.
    Explain(explain::ExplainArgs),
    /// Evaluate infrastructure code before deployment: CloudFormation
    /// templates, CDK output (cdk.out) and Terraform plans (JSON), with the
    /// same rules; SARIF results point at the template lines.
    Iac(iac::IacArgs),
    /// Print the JSON Schema of the inventory.
    Schema,
    /// Collect the inventory of an AWS account (read-only) and write it as JSON.
    Collect(collect::CollectArgs),
    /// Print the least-privilege IAM policy a scan needs.
    IamPolicy,
    /// Compare two inventories or two JSON reports: new, fixed and unchanged
    /// failures. Exit 1 when a new failure is at or above --fail-on.
    Diff(diff::DiffArgs),
    /// List the accounts a selection (--organization, --ou, --accounts)
    /// covers, as a table, JSON, or a GitHub Actions matrix of shards.
    Accounts(accounts::AccountsArgs),
}

/// Runs a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Scan(args) => scan::run(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Rules(args) => rules::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Iac(args) => iac::run(&args),
        Command::Schema => schema::run(),
        Command::Collect(args) => collect::run(&args),
        Command::IamPolicy => iam_policy::run(),
        Command::Diff(args) => diff::run(&args),
        Command::Accounts(args) => accounts::run(&args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }
}
