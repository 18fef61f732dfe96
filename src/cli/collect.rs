//! `dynaudit collect`: collect the inventory and write it; also the pieces
//! of live collection that `scan` shares.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use crate::cli::args::AwsArgs;
use crate::cli::output::{write_file, write_stdout};
use crate::cli::path_check::{Input, Output, check_outputs};
use crate::collect::{CollectError, CollectOptions, CollectSummary, collect};
use crate::config::Config;
use crate::gate::EXIT_CLEAN;
use crate::inventory::Inventory;

/// `dynaudit collect`.
#[derive(Debug, Clone, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Where to write the inventory (`-` for stdout).
    #[arg(long, short, value_name = "PATH", default_value = "inventory.json")]
    pub output: PathBuf,
    /// Config file; `collect` uses its `[scan]` table (the whole file is
    /// validated).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// No progress display and no summary line.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs a collection on a fresh tokio runtime.
pub fn run_collection(
    options: &CollectOptions,
) -> Result<(Inventory, CollectSummary), CollectError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CollectError::Settings(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(collect(options))
}

/// Serialises an inventory (pretty, trailing newline), writes it to `path`
/// (atomically; `-` = stdout) and returns the text written, whose line numbers SARIF
/// results point at.
pub fn write_inventory(inventory: &Inventory, path: &Path) -> Result<String> {
    let mut text = serde_json::to_string_pretty(inventory)?;
    text.push('\n');
    if path == Path::new("-") {
        write_stdout(&text)?;
    } else {
        write_file(path, &text)?;
    }
    Ok(text)
}

/// Prints the summary line to stderr unless quiet.
pub fn print_summary(summary: &CollectSummary, quiet: bool) {
    if !quiet {
        eprintln!("{}", summary.one_line());
    }
}

/// `dynaudit collect`: exit 0 when the inventory is written (failed calls
/// are evidence, counted in the summary), 2 when the run could not start.
pub fn run(args: &CollectArgs) -> Result<u8> {
    if args.output != Path::new("-") {
        let inputs: Vec<Input<'_>> = args
            .config
            .iter()
            .map(|path| Input::file("the --config file", path))
            .collect();
        check_outputs(&inputs, &[Output::replace("--output", &args.output)])?;
    }
    let config = Config::load_or_default(args.config.as_deref())?;
    let options = args.aws.to_options(config.scan, args.quiet)?;
    let (inventory, summary) = run_collection(&options)?;
    write_inventory(&inventory, &args.output)?;
    print_summary(&summary, args.quiet);
    // Said even with --quiet: `eval` of this inventory fails its gate.
    for gap in crate::report::Scope::gaps_of(&inventory) {
        eprintln!(
            "dynaudit: warning: incomplete scope: {} (evaluating this inventory fails unless --allow-incomplete-scope)",
            crate::report::escape::inert(&gap.describe())
        );
    }
    Ok(EXIT_CLEAN)
}
