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
use crate::organization::selection::AccountSelection;
use crate::organization::shard::Shard;
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
    /// chain (or --profile). One account; for several, --role-name.
    #[arg(long, value_name = "ARN", conflicts_with_all = ["organization", "ou", "accounts", "role_name"])]
    pub role_arn: Option<String>,
    /// External id required by the role's trust policy (--role-arn or
    /// --role-name).
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    #[command(flatten)]
    pub accounts: AccountArgs,
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

/// Which accounts of an organization to scan (docs/organization.md).
#[derive(Debug, Clone, Default, Args)]
pub struct AccountArgs {
    /// Every ACTIVE account of the organization of the credentials (from
    /// the management account or a delegated administrator); the calling
    /// account is scanned with its own credentials.
    #[arg(long)]
    pub organization: bool,
    /// The accounts under these organizational units or roots, at any
    /// depth: a comma-separated list of ids (ou-xxxx-xxxxxxxx, r-xxxx).
    #[arg(long, value_name = "OU_ID,...")]
    pub ou: Option<String>,
    /// These accounts (comma-separated 12-digit ids); no Organizations
    /// access needed. With --organization or --ou, a filter of that
    /// selection, and an id that is not an ACTIVE member fails.
    #[arg(long, value_name = "ID,...")]
    pub accounts: Option<String>,
    /// Accounts to leave out (comma-separated ids).
    #[arg(long, value_name = "ID,...")]
    pub exclude_accounts: Option<String>,
    /// The role assumed in every selected account but the caller's:
    /// arn:<partition>:iam::<id>:role/NAME (NAME may include a path).
    #[arg(long, value_name = "NAME")]
    pub role_name: Option<String>,
    /// Scan only part K of N of the selected accounts (1-based; split by a
    /// hash of the account id, so adding an account moves no other).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
}

impl AccountArgs {
    /// The selection, validated; `None` without a selector.
    pub fn selection(&self) -> anyhow::Result<Option<AccountSelection>> {
        use crate::organization::selection::{parse_account_list, parse_unit_list};
        let parse =
            |option: &str, value: &Option<String>, units: bool| -> anyhow::Result<Vec<String>> {
                match value {
                    None => Ok(Vec::new()),
                    Some(v) if units => parse_unit_list(option, v).map_err(anyhow::Error::msg),
                    Some(v) => parse_account_list(option, v).map_err(anyhow::Error::msg),
                }
            };
        let selection = AccountSelection {
            organization: self.organization,
            ous: parse("--ou", &self.ou, true)?,
            accounts: parse("--accounts", &self.accounts, false)?,
            exclude: parse("--exclude-accounts", &self.exclude_accounts, false)?,
            shard: self
                .shard
                .as_deref()
                .map(Shard::parse)
                .transpose()
                .map_err(anyhow::Error::msg)?,
        };
        if !selection.is_multi_account() {
            for (given, option) in [
                (self.exclude_accounts.is_some(), "--exclude-accounts"),
                (self.role_name.is_some(), "--role-name"),
                (self.shard.is_some(), "--shard"),
            ] {
                if given {
                    anyhow::bail!(
                        "{option} applies to a set of accounts: add --organization, --ou OU_ID or --accounts ID,ID"
                    );
                }
            }
            return Ok(None);
        }
        if let Some(name) = &self.role_name {
            check_role_name(name).map_err(anyhow::Error::msg)?;
        }
        Ok(Some(selection))
    }
}

/// Checks a `--role-name`: IAM's role name characters and lengths, with
/// an optional path (`audit/Dynaudit`).
pub fn check_role_name(name: &str) -> Result<(), String> {
    let (path, role) = match name.rsplit_once('/') {
        Some((path, role)) => (path, role),
        None => ("", name),
    };
    let valid = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
    if role.is_empty() || role.len() > 64 || !role.chars().all(valid) {
        return Err(format!(
            "--role-name {:?}: a role name is 1 to 64 letters, digits and +=,.@_- (optionally after a path such as audit/)",
            crate::text_file::printable(name)
        ));
    }
    if path.len() > 510 || !path.chars().all(|c| valid(c) || c == '/') || path.contains("//") {
        return Err(format!(
            "--role-name {:?}: the path before the role name holds letters, digits, +=,.@_- and /",
            crate::text_file::printable(name)
        ));
    }
    Ok(())
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
        if self.external_id.is_some()
            && self.role_arn.is_none()
            && self.accounts.role_name.is_none()
        {
            return Err(CollectError::Settings(
                "--external-id is sent when a role is assumed: add --role-arn or --role-name"
                    .to_string(),
            ));
        }
        Ok(CollectOptions {
            regions,
            profile: self.profile.clone(),
            role_arn: self.role_arn.clone(),
            external_id: self.external_id.clone(),
            settings,
            progress: !quiet,
            shared_recorder: None,
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
        // A misspelling is told before credentials or the network are
        // touched; other names unknown to this build are asked of AWS.
        if let Some(close) = crate::regions::misspelt_region(name) {
            return Err(format!(
                "--regions: unknown region {name} (did you mean {close}?); give region names such as us-east-1,eu-west-1, or `all` for every enabled region"
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
