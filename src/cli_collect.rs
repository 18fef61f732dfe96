//! Command-line pieces of live collection: the arguments shared by
//! `dynaudit collect` and `dynaudit scan`, and the `collect` and
//! `iam-policy` commands. The lead's CLI embeds [`AwsArgs`] (flattened) in
//! both subcommands.

use std::path::{Path, PathBuf};

use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;

use crate::collect::{
    CollectError, CollectOptions, CollectSummary, RegionSelection, ScanSettings, collect,
    permissions,
};
use crate::inventory::Inventory;

/// Where to scan and as whom.
#[derive(Debug, Clone, Args)]
pub struct AwsArgs {
    /// Regions to scan: a comma-separated list (us-east-1,eu-west-1) or
    /// `all` (every region enabled for the account). Default: the
    /// configured region (AWS_REGION or the profile's).
    #[arg(long, value_name = "LIST")]
    pub regions: Option<String>,
    /// Named profile of ~/.aws/config and ~/.aws/credentials.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Role to assume for the scan, with the credentials of the default
    /// chain (or --profile).
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// External id required by the role's trust policy.
    #[arg(long, value_name = "ID", requires = "role_arn")]
    pub external_id: Option<String>,
    /// Attempts per API call, the first included (default 8, or
    /// `[scan] max_attempts`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=50))]
    pub max_attempts: Option<u32>,
    /// Connect timeout in seconds (default 5, or `[scan] connect_timeout_secs`).
    #[arg(long, value_name = "SECS")]
    pub connect_timeout: Option<f64>,
}

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

impl AwsArgs {
    /// The options of a run, from the arguments over the `[scan]` settings.
    pub fn to_options(
        &self,
        settings: ScanSettings,
        quiet: bool,
    ) -> Result<CollectOptions, CollectError> {
        let regions = match &self.regions {
            Some(value) => RegionSelection::parse(value).map_err(CollectError::Region)?,
            None => RegionSelection::Default,
        };
        let mut settings = settings;
        if let Some(n) = self.max_attempts {
            settings.max_attempts = n;
        }
        if let Some(secs) = self.connect_timeout {
            settings.connect_timeout_secs = secs;
        }
        settings.validate().map_err(CollectError::Settings)?;
        Ok(CollectOptions {
            regions,
            profile: self.profile.clone(),
            role_arn: self.role_arn.clone(),
            external_id: self.external_id.clone(),
            settings,
            progress: !quiet,
        })
    }
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
/// (`-` = stdout) and returns the text written, whose line numbers SARIF
/// results point at.
pub fn write_inventory(inventory: &Inventory, path: &Path) -> Result<String> {
    let mut text = serde_json::to_string_pretty(inventory)?;
    text.push('\n');
    if path == Path::new("-") {
        use std::io::Write;
        std::io::stdout().write_all(text.as_bytes())?;
    } else {
        std::fs::write(path, &text).with_context(|| format!("cannot write {}", path.display()))?;
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
pub fn run_collect(args: &CollectArgs) -> Result<u8> {
    let config = match &args.config {
        Some(path) => crate::config::Config::load(path)?,
        None => crate::config::Config::default(),
    };
    let options = args.aws.to_options(config.scan, args.quiet)?;
    let (inventory, summary) = run_collection(&options)?;
    write_inventory(&inventory, &args.output)?;
    print_summary(&summary, args.quiet);
    Ok(0)
}

/// `dynaudit iam-policy`: the least-privilege policy for a scan.
pub fn run_iam_policy() -> Result<u8> {
    print!("{}", permissions::iam_policy_text());
    Ok(0)
}

/// A connect timeout from seconds.
pub fn seconds(secs: f64) -> Duration {
    Duration::from_secs_f64(secs)
}
