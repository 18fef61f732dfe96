//! Options that several subcommands share: where and as whom to scan,
//! which policies, waivers and configuration to use, and how to report and
//! gate.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::collect::{CollectError, CollectOptions};
use crate::config::limits::DEFAULT_MAX_INPUT_BYTES;
use crate::config::scan::ranges;
use crate::config::{Config, ScanSettings};
use crate::gate::Gate;
use crate::metadata::Severity;
use crate::regions::{RegionSelection, looks_like_region};
use crate::report::Format;

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
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(
            i64::from(*ranges::MAX_ATTEMPTS.start())..=i64::from(*ranges::MAX_ATTEMPTS.end())
        )
    )]
    pub max_attempts: Option<u32>,
    /// Connect timeout in seconds, 0.1 to 600 (default 5, or `[scan]
    /// connect_timeout_secs`).
    #[arg(long, value_name = "SECS", value_parser = parse_connect_timeout)]
    pub connect_timeout: Option<f64>,
}

impl AwsArgs {
    /// The options of a run, from the arguments over the `[scan]` settings.
    pub fn to_options(
        &self,
        settings: ScanSettings,
        quiet: bool,
    ) -> Result<CollectOptions, CollectError> {
        let regions = match &self.regions {
            Some(value) => parse_regions(value).map_err(CollectError::Region)?,
            None => RegionSelection::Default,
        };
        let mut settings = settings;
        if let Some(n) = self.max_attempts {
            settings.max_attempts = n;
        }
        if let Some(secs) = self.connect_timeout {
            settings.connect_timeout_secs = secs;
        }
        settings
            .validate()
            .map_err(|invalid| CollectError::Settings(invalid.to_string()))?;
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

/// Parses a `--connect-timeout` value: seconds within
/// [`ranges::CONNECT_TIMEOUT_SECS`].
fn parse_connect_timeout(value: &str) -> Result<f64, String> {
    let secs: f64 = value
        .trim()
        .parse()
        .map_err(|_| format!("{value:?} is not a number of seconds"))?;
    let range = ranges::CONNECT_TIMEOUT_SECS;
    if range.contains(&secs) {
        Ok(secs)
    } else {
        Err(format!(
            "must be between {:?} and {:?} seconds",
            range.start(),
            range.end()
        ))
    }
}

/// Parses a `--regions` value: `all`, or a comma-separated list of
/// region names.
pub fn parse_regions(value: &str) -> Result<RegionSelection, String> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("all") {
        return Ok(RegionSelection::All);
    }
    let mut regions = Vec::new();
    for (i, item) in value.split(',').enumerate() {
        let name = item.trim();
        if name.is_empty() {
            return Err(format!(
                "--regions {value:?}: item {} is empty; give a comma-separated list such as us-east-1,eu-west-1, or `all`",
                i + 1
            ));
        }
        if !looks_like_region(name) {
            return Err(format!(
                "--regions: {name:?} is not a region name (like us-east-1); give a comma-separated list such as us-east-1,eu-west-1, or `all`"
            ));
        }
        if !regions.iter().any(|r| r == name) {
            regions.push(name.to_string());
        }
    }
    Ok(RegionSelection::List(regions))
}

/// Options shared by every command that evaluates.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// Configuration file (rule parameters); defaults apply without one.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Additional policy directory (repeatable): its rules follow the same
    /// METADATA contract as the built-in ones.
    #[arg(long = "policies", value_name = "DIR")]
    pub policy_dirs: Vec<PathBuf>,
    /// Waivers file (TOML): accepted risks with reason, owner and expiry;
    /// waived findings are kept, marked, and suppressed in SARIF.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Seconds one rule's evaluation may take before it is stopped with an
    /// error naming it (default 300, or `[evaluation]
    /// max_seconds_per_rule`).
    #[arg(long, value_name = "SECS")]
    pub max_seconds_per_rule: Option<f64>,
}

impl PolicyArgs {
    /// The configuration file (or the defaults), with the options that
    /// override it.
    pub fn config(&self) -> anyhow::Result<Config> {
        let mut config = Config::load_or_default(self.config.as_deref())?;
        if let Some(secs) = self.max_seconds_per_rule {
            config.evaluation.max_seconds_per_rule = secs;
            config
                .evaluation
                .validate()
                .map_err(|message| anyhow::anyhow!("--max-seconds-per-rule {secs}: {message}"))?;
        }
        Ok(config)
    }
}

/// Limits on the files read (`eval`, `scan`, `diff`).
#[derive(Debug, Args)]
pub struct InputArgs {
    /// The largest inventory or JSON report read (the inventory of `eval`,
    /// the sides of `diff`, `--baseline`), in bytes. An inventory of
    /// 100,000 tables is about 121 MB.
    #[arg(
        long,
        value_name = "BYTES",
        default_value_t = DEFAULT_MAX_INPUT_BYTES,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub max_input_bytes: u64,
}

/// Report options.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report here instead of standard output.
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a finding fails at or above this severity (waived
    /// findings, and with --baseline unchanged ones, do not count).
    #[arg(long, value_enum, default_value_t = FailOn::Low)]
    pub fail_on: FailOn,
    /// Also exit 1 when an outcome is unknown (not waived; with --baseline,
    /// new), whatever its severity.
    #[arg(long)]
    pub fail_on_unknown: bool,
    /// Accept evidence whose scope is incomplete (a region asked for that
    /// could not be collected at all) without failing the run; by default
    /// such a run exits 1 ("incomplete scope") whatever the findings.
    #[arg(long)]
    pub allow_incomplete_scope: bool,
    /// An earlier JSON report (or inventory): only failing and unknown
    /// outcomes that are new since it count for the exit code.
    #[arg(long, value_name = "REPORT")]
    pub baseline: Option<PathBuf>,
    /// Append outcome counts as key=value lines (the $GITHUB_OUTPUT format):
    /// failing, unknown, passing, waived, new, gate-failures.
    #[arg(long, value_name = "FILE")]
    pub counts_out: Option<PathBuf>,
    /// SARIF only: the code scanning category (`automationDetails.id`).
    /// Default: dynaudit/<account>/<sorted regions>/, so uploads of
    /// different accounts and region sets do not replace each other.
    #[arg(long, value_name = "CATEGORY")]
    pub sarif_category: Option<String>,
    /// SARIF only: append the code scanning category the report carries as
    /// a `category=VALUE` line (the $GITHUB_OUTPUT format), so that nobody
    /// has to read it back out of the SARIF. A category with a control
    /// character (a line break would forge more lines) is refused.
    #[arg(long, value_name = "FILE")]
    pub category_out: Option<PathBuf>,
    /// No summary line on standard error.
    #[arg(long, short)]
    pub quiet: bool,
}

impl ReportArgs {
    /// Checks the options that do not fit together or cannot be written,
    /// before anything is read, collected or written.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.category_out.is_some() && self.format != Format::Sarif {
            anyhow::bail!(
                "--category-out writes the code scanning category of a SARIF report: it needs --format sarif"
            );
        }
        if let Some(category) = &self.sarif_category {
            check_category(category)
                .map_err(|problem| anyhow::anyhow!("--sarif-category {category:?}: {problem}"))?;
        }
        Ok(())
    }
}

/// Whether a code scanning category can be written as one
/// `$GITHUB_OUTPUT` line and shown in a log: no control characters.
pub fn check_category(category: &str) -> Result<(), &'static str> {
    if category.chars().any(char::is_control) {
        return Err(
            "a code scanning category cannot hold a control character (line break, tab, escape)",
        );
    }
    Ok(())
}

/// The exit-code threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    /// Never exit 1 for findings.
    None,
}

impl FailOn {
    /// The gate of `--fail-on` (with `--fail-on-unknown` and
    /// `--allow-incomplete-scope`).
    pub fn gate(self, fail_on_unknown: bool, allow_incomplete_scope: bool) -> Gate {
        Gate {
            fail_on: self.threshold(),
            fail_on_unknown,
            allow_incomplete_scope,
        }
    }

    /// The lowest severity that fails, if any.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_region_lists() {
        assert_eq!(parse_regions("all"), Ok(RegionSelection::All));
        assert_eq!(
            parse_regions("us-east-1, eu-west-1,us-east-1"),
            Ok(RegionSelection::List(vec![
                "us-east-1".into(),
                "eu-west-1".into()
            ]))
        );
        assert_eq!(
            parse_regions("us-gov-west-1"),
            Ok(RegionSelection::List(vec!["us-gov-west-1".into()]))
        );
        assert!(parse_regions("us-east-1,,eu-west-1").is_err());
        assert!(parse_regions("us-east-1;eu-west-1").is_err());
        assert!(parse_regions("US-EAST-1").is_err());
        assert!(parse_regions("").is_err());
    }
}
