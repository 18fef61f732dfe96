//! Options that several subcommands share: where and as whom to scan,
//! which policies, waivers and configuration to use, and how to report and
//! gate.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::collect::{CollectError, CollectOptions};
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
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=50))]
    pub max_attempts: Option<u32>,
    /// Connect timeout in seconds (default 5, or `[scan] connect_timeout_secs`).
    #[arg(long, value_name = "SECS")]
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
    /// No summary line on standard error.
    #[arg(long, short)]
    pub quiet: bool,
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
    /// The gate of `--fail-on` (with `--fail-on-unknown`).
    pub fn gate(self, fail_on_unknown: bool) -> Gate {
        Gate {
            fail_on: self.threshold(),
            fail_on_unknown,
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
