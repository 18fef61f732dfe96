//! `dynaudit collect`: collect the inventory and write it; also the pieces
//! of live collection that `scan` shares.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use crate::cli::args::AwsArgs;
use crate::cli::evidence_dir::{
    DEFAULT_EVIDENCE_DIR, check_dir, collect_into, print_accounts_summary,
};
use crate::cli::output::{write_file, write_stdout};
use crate::cli::path_check::{Input, Output, check_outputs};
use crate::collect::{CollectError, CollectOptions, CollectSummary, collect};
use crate::config::Config;
use crate::gate::EXIT_CLEAN;
use crate::inventory::Inventory;
use crate::organization::selection::AccountSelection;

/// `dynaudit collect`.
#[derive(Debug, Clone, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Where to write the inventory (`-` for stdout; default
    /// inventory.json). With --organization, --ou or --accounts, a
    /// directory (default dynaudit-inventory/) of one inventory per
    /// account and an index.
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
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
    if let Some(selection) = args.aws.accounts.selection()? {
        return run_accounts(args, selection);
    }
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("inventory.json"));
    if output != Path::new("-") {
        let inputs: Vec<Input<'_>> = args
            .config
            .iter()
            .map(|path| Input::file("the --config file", path))
            .collect();
        check_outputs(&inputs, &[Output::replace("--output", &output)])?;
    }
    let config = Config::load_or_default(args.config.as_deref())?;
    let options = args.aws.to_options(config.scan, args.quiet)?;
    let (inventory, summary) = run_collection(&options)?;
    write_inventory(&inventory, &output)?;
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

/// `dynaudit collect` over a set of accounts: a directory of inventories.
fn run_accounts(args: &CollectArgs, selection: AccountSelection) -> Result<u8> {
    let dir = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_EVIDENCE_DIR));
    if dir == Path::new("-") {
        anyhow::bail!(
            "--output - : with --organization, --ou or --accounts the evidence is a directory of inventories, not one stream"
        );
    }
    let earlier = check_dir(&dir, "--output")?;
    let config = Config::load_or_default(args.config.as_deref())?;
    let options = args.aws.to_options(config.scan, args.quiet)?;
    let (index, summary) = collect_into(
        options,
        selection,
        args.aws.accounts.role_name.clone(),
        &dir,
        earlier,
    )?;
    print_accounts_summary(&index, &summary, args.quiet);
    Ok(EXIT_CLEAN)
}
