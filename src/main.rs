#![forbid(unsafe_code)]
//! Minimal `dynaudit` entry point of the collection branch: `collect` and
//! `iam-policy`. The main CLI (lead) replaces this file and embeds
//! `dynaudit::cli_collect` in its own subcommands.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dynaudit::cli_collect::{self, CollectArgs};

#[derive(Debug, Parser)]
#[command(
    name = "dynaudit",
    version,
    about = "Compliance auditor for Amazon DynamoDB"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Collect the inventory of an account and write it as JSON.
    Collect(CollectArgs),
    /// Print the least-privilege IAM policy a scan needs.
    IamPolicy,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match &cli.command {
        Command::Collect(args) => cli_collect::run_collect(args),
        Command::IamPolicy => cli_collect::run_iam_policy(),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
