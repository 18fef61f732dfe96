//! The command line: argument definitions and the commands behind them.
//! `main` only calls [`run`] and turns its result into an exit code.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::Config;
use crate::diff::Baseline;
use crate::finding::{BaselineState, Finding, Status};
use crate::metadata::Severity;
use crate::policy::PolicySet;
use crate::report::{self, EvidenceFile, Format, ReportInput, Scope};
use crate::waivers::{WaiverReport, Waivers};

/// Exit code: nothing failing at or above the threshold.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings at or above the threshold.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: an error (bad input, bad policy, failed collection).
pub const EXIT_ERROR: u8 = 2;

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
    Scan(ScanArgs),
    /// Evaluate a saved inventory offline (no AWS access).
    Eval(EvalArgs),
    /// List the rules (built-in and --policies).
    Rules(RulesArgs),
    /// Show a rule's documentation: what it checks, why, how to fix.
    Explain(ExplainArgs),
    /// Print the JSON Schema of the inventory.
    Schema,
    /// Collect the inventory of an AWS account (read-only) and write it as JSON.
    Collect(crate::cli_collect::CollectArgs),
    /// Print the least-privilege IAM policy a scan needs.
    IamPolicy,
    /// Compare two inventories or two JSON reports: new, fixed and unchanged
    /// failures. Exit 1 when a new failure is at or above --fail-on.
    Diff(DiffArgs),
}

/// `dynaudit diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier inventory or JSON report.
    pub old: PathBuf,
    /// The later inventory or JSON report.
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Write the comparison here instead of standard output.
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a new failure is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Low)]
    pub fail_on: FailOn,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// No summary line on standard error.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Formats of `dynaudit diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
    Markdown,
}

/// `dynaudit eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The inventory file (written by `dynaudit collect` or `scan`).
    pub inventory: PathBuf,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Print the document the policies see (`{"input": ..., "data": ...}`)
    /// instead of evaluating, e.g. to run the rules with stock OPA.
    #[arg(long)]
    pub print_input: bool,
}

/// `dynaudit scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub aws: crate::cli_collect::AwsArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Where to write the inventory the findings were decided on; SARIF
    /// results point at lines of this file, so keep it beside the SARIF.
    #[arg(long, value_name = "PATH", default_value = "dynaudit-inventory.json")]
    pub inventory_out: PathBuf,
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

/// `dynaudit rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
    /// Additional policy directory (repeatable).
    #[arg(long = "policies", value_name = "DIR")]
    pub policy_dirs: Vec<PathBuf>,
}

/// Formats of `dynaudit rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
    /// The rule index of `docs/rules/README.md`.
    Markdown,
}

/// `dynaudit explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule id, e.g. DYN101.
    pub rule_id: String,
    /// Additional policy directory (repeatable).
    #[arg(long = "policies", value_name = "DIR")]
    pub policy_dirs: Vec<PathBuf>,
}

/// Runs a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Scan(args) => scan(&args),
        Command::Eval(args) => eval(&args),
        Command::Rules(args) => rules(&args),
        Command::Explain(args) => explain(&args),
        Command::Schema => {
            write_stdout(&crate::schema::inventory_schema())?;
            Ok(EXIT_CLEAN)
        }
        Command::Collect(args) => crate::cli_collect::run_collect(&args),
        Command::IamPolicy => crate::cli_collect::run_iam_policy(),
        Command::Diff(args) => crate::cli_diff::run_diff(&args),
    }
}

pub(crate) fn load_config(path: Option<&Path>) -> Result<Config> {
    match path {
        Some(path) => Ok(Config::load(path)?),
        None => Ok(Config::default()),
    }
}

fn eval(args: &EvalArgs) -> Result<u8> {
    let config = load_config(args.policy.config.as_deref())?;
    let loaded = crate::load::load(&args.inventory)?;
    if args.print_input {
        let input: serde_json::Value =
            serde_json::from_str(&crate::eval::policy_input(&loaded.inventory)?)?;
        let document = serde_json::json!({
            "input": input,
            "data": crate::eval::policy_data(&config.parameters),
        });
        write_output(
            args.report.output.as_deref(),
            &(serde_json::to_string_pretty(&document)? + "\n"),
        )?;
        return Ok(EXIT_CLEAN);
    }
    let policies = PolicySet::load(&args.policy.policy_dirs)?;
    let triage = Triage::load(&args.policy, &args.report, &policies, &config)?;
    let mut findings = crate::eval::evaluate(&policies, &loaded.inventory, &config.parameters)?;
    let waivers = triage.apply(&mut findings, &loaded.inventory)?;
    let evidence_uri = evidence_uri(&args.inventory);
    report_findings(&ReportRequest {
        args: &args.report,
        policies: &policies,
        config: &config,
        inventory: &loaded.inventory,
        inventory_text: &loaded.text,
        evidence_uri: &evidence_uri,
        findings: &findings,
        waivers: waivers.as_ref(),
        baseline: triage.baseline_path.as_deref(),
    })
}

fn scan(args: &ScanArgs) -> Result<u8> {
    if args.inventory_out == Path::new("-") {
        anyhow::bail!("--inventory-out must name a file: the report goes to standard output");
    }
    // Everything that can be wrong locally is checked before the first call.
    let config = load_config(args.policy.config.as_deref())?;
    let policies = PolicySet::load(&args.policy.policy_dirs)?;
    let triage = Triage::load(&args.policy, &args.report, &policies, &config)?;
    let options = args
        .aws
        .to_options(config.scan.clone(), args.report.quiet)?;
    let (inventory, summary) = crate::cli_collect::run_collection(&options)?;
    let inventory_text = crate::cli_collect::write_inventory(&inventory, &args.inventory_out)?;
    crate::cli_collect::print_summary(&summary, args.report.quiet);
    let mut findings = crate::eval::evaluate(&policies, &inventory, &config.parameters)?;
    let waivers = triage.apply(&mut findings, &inventory)?;
    let evidence_uri = evidence_uri(&args.inventory_out);
    report_findings(&ReportRequest {
        args: &args.report,
        policies: &policies,
        config: &config,
        inventory: &inventory,
        inventory_text: &inventory_text,
        evidence_uri: &evidence_uri,
        findings: &findings,
        waivers: waivers.as_ref(),
        baseline: triage.baseline_path.as_deref(),
    })
}

/// Everything needed to write a report and decide the exit code.
pub struct ReportRequest<'a> {
    pub args: &'a ReportArgs,
    pub policies: &'a PolicySet,
    pub config: &'a Config,
    pub inventory: &'a crate::inventory::Inventory,
    pub inventory_text: &'a str,
    pub evidence_uri: &'a str,
    pub findings: &'a [Finding],
    pub waivers: Option<&'a WaiverReport>,
    pub baseline: Option<&'a str>,
}

/// Waivers and baseline, loaded and checked before anything is evaluated
/// (and, for `scan`, before the first AWS call).
pub struct Triage {
    waivers: Option<Waivers>,
    baseline: Option<Baseline>,
    /// The baseline file, as given.
    pub baseline_path: Option<String>,
}

impl Triage {
    /// Loads `--waivers` and `--baseline`.
    pub fn load(
        policy: &PolicyArgs,
        report: &ReportArgs,
        policies: &PolicySet,
        config: &Config,
    ) -> Result<Triage> {
        let waivers = load_waivers(policy.waivers.as_deref(), policies)?;
        let baseline = match report.baseline.as_deref() {
            None => None,
            Some(path) => {
                let outcomes = read_outcomes(path, policies, config, waivers.as_ref())
                    .with_context(|| format!("cannot use {} as the baseline", path.display()))?;
                Some(Baseline::new(&outcomes.findings))
            }
        };
        Ok(Triage {
            waivers,
            baseline,
            baseline_path: report.baseline.as_ref().map(|p| p.display().to_string()),
        })
    }

    /// Marks waived and new findings; returns what the waivers did.
    pub fn apply(
        &self,
        findings: &mut [Finding],
        inventory: &crate::inventory::Inventory,
    ) -> Result<Option<WaiverReport>> {
        let report = match &self.waivers {
            None => None,
            Some(waivers) => Some(waivers.apply(findings, evidence_day(inventory)?)),
        };
        if let Some(baseline) = &self.baseline {
            baseline.mark(findings);
        }
        Ok(report)
    }
}

/// The day waivers are judged on: the evidence's collection day (UTC).
fn evidence_day(inventory: &crate::inventory::Inventory) -> Result<time::Date> {
    crate::waivers::evidence_day(&inventory.collected_at).with_context(|| {
        format!(
            "the inventory's collected_at {:?} is not an RFC 3339 time, so waiver expiry cannot be judged",
            inventory.collected_at
        )
    })
}

/// Loads `--waivers`, checking its rule ids against the loaded rules.
pub fn load_waivers(path: Option<&Path>, policies: &PolicySet) -> Result<Option<Waivers>> {
    let known: Vec<&str> = policies.rules().iter().map(|r| r.id.as_str()).collect();
    Ok(path.map(|path| Waivers::load(path, &known)).transpose()?)
}

/// The outcomes of a JSON report, or of an inventory evaluated with
/// [`evaluate_with_waivers`] (`--baseline`, `dynaudit diff`).
pub fn read_outcomes(
    path: &Path,
    policies: &PolicySet,
    config: &Config,
    waivers: Option<&Waivers>,
) -> Result<crate::diff::Outcomes> {
    crate::diff::read_outcomes(path, |inventory| {
        evaluate_with_waivers(policies, config, waivers, inventory)
    })
}

/// Evaluates an inventory and applies waivers (as of its evidence day).
pub fn evaluate_with_waivers(
    policies: &PolicySet,
    config: &Config,
    waivers: Option<&Waivers>,
    inventory: &crate::inventory::Inventory,
) -> Result<Vec<Finding>> {
    let mut findings = crate::eval::evaluate(policies, inventory, &config.parameters)?;
    if let Some(waivers) = waivers {
        waivers.apply(&mut findings, evidence_day(inventory)?);
    }
    Ok(findings)
}

/// Writes the report and returns the exit code.
pub fn report_findings(request: &ReportRequest<'_>) -> Result<u8> {
    let inventory = request.inventory;
    // Only SARIF points at lines of the evidence file.
    let lines = if request.args.format == Format::Sarif {
        report::locate::resource_lines(request.inventory_text)
    } else {
        Default::default()
    };
    let scope = Scope {
        account_id: inventory.account_id.clone(),
        partition: inventory.partition.clone(),
        regions: inventory.regions.keys().cloned().collect(),
        collected_at: inventory.collected_at.clone(),
        schema_version: inventory.schema_version.clone(),
        tool_version: inventory.tool_version.clone(),
        collection_errors: inventory.errors.len(),
    };
    let parameters = request.config.parameters.to_json();
    let input = ReportInput {
        findings: request.findings,
        rules: request.policies.rules(),
        parameters: &parameters,
        scope: &scope,
        evidence: EvidenceFile {
            uri: request.evidence_uri,
            lines: &lines,
        },
        waivers: request.waivers,
        baseline: request.baseline,
        sarif_category: request.args.sarif_category.as_deref(),
    };
    let color = request.args.format == Format::Table
        && request.args.output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let text = report::render(request.args.format, &input, color)?;
    write_output(request.args.output.as_deref(), &text)?;

    let gate = Gate {
        fail_on: request.args.fail_on,
        fail_on_unknown: request.args.fail_on_unknown,
    };
    let counts = OutcomeCounts::of(request.findings, gate);
    if let Some(path) = &request.args.counts_out {
        counts.append_to(path)?;
    }
    if !request.args.quiet {
        let mut extra = String::new();
        if request.waivers.is_some() {
            extra.push_str(&format!(", {} waived", counts.waived));
        }
        if request.baseline.is_some() {
            extra.push_str(&format!(", {} new since the baseline", counts.new));
        }
        eprintln!(
            "dynaudit: {} failing, {} unknown, {} passing{extra} ({} rules, account {}, {} region(s)); {} counted by {}",
            counts.failing,
            counts.unknown,
            counts.passing,
            request.policies.rules().len(),
            inventory.account_id,
            inventory.regions.len(),
            counts.gate_failures,
            gate.describe(),
        );
        if let Some(waivers) = request.waivers {
            for warning in waivers.warnings() {
                eprintln!("dynaudit: warning: {warning}");
            }
        }
    }
    Ok(if counts.gate_failures > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

/// The exit-code gate: `--fail-on` and `--fail-on-unknown`.
#[derive(Debug, Clone, Copy)]
pub struct Gate {
    /// Failures at or above this severity count.
    pub fail_on: FailOn,
    /// Unknown outcomes count too.
    pub fail_on_unknown: bool,
}

impl Gate {
    /// Whether a finding counts for the exit code: a failure at or above
    /// the threshold, or (with --fail-on-unknown) an unknown; never a waived
    /// one, and never one the baseline already had.
    pub fn counts(&self, f: &Finding) -> bool {
        if f.is_waived() || f.baseline == Some(BaselineState::Unchanged) {
            return false;
        }
        match f.status {
            Status::Fail => self.fail_on.threshold().is_some_and(|t| f.severity >= t),
            Status::Unknown => self.fail_on_unknown,
            Status::Pass => false,
        }
    }

    fn describe(&self) -> String {
        let name = self
            .fail_on
            .to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default();
        if self.fail_on_unknown {
            format!("--fail-on {name} --fail-on-unknown")
        } else {
            format!("--fail-on {name}")
        }
    }
}

/// Outcome counts, as `--counts-out` writes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutcomeCounts {
    /// Failing, not waived.
    pub failing: usize,
    /// Unknown, not waived.
    pub unknown: usize,
    /// Passing.
    pub passing: usize,
    /// Failing or unknown, waived.
    pub waived: usize,
    /// Failing, not waived, new since the baseline (all of them without one).
    pub new: usize,
    /// What the gate counted.
    pub gate_failures: usize,
}

impl OutcomeCounts {
    /// Counts `findings` under `gate`.
    pub fn of(findings: &[Finding], gate: Gate) -> OutcomeCounts {
        let mut counts = OutcomeCounts::default();
        for f in findings {
            match (f.status, f.is_waived()) {
                (Status::Pass, _) => counts.passing += 1,
                (_, true) => counts.waived += 1,
                (Status::Fail, false) => {
                    counts.failing += 1;
                    if f.baseline != Some(BaselineState::Unchanged) {
                        counts.new += 1;
                    }
                }
                (Status::Unknown, false) => counts.unknown += 1,
            }
            if gate.counts(f) {
                counts.gate_failures += 1;
            }
        }
        counts
    }

    /// Appends `key=value` lines to `path` (created if missing).
    pub fn append_to(&self, path: &Path) -> Result<()> {
        let text = format!(
            "failing={}\nunknown={}\npassing={}\nwaived={}\nnew={}\ngate-failures={}\n",
            self.failing, self.unknown, self.passing, self.waived, self.new, self.gate_failures
        );
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot open {} for --counts-out", path.display()))?;
        file.write_all(text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }
}

/// The SARIF artifact URI of an evidence file: relative to the current
/// directory when possible, `/`-separated, without a leading `./`.
pub fn evidence_uri(path: &Path) -> String {
    let relative = if path.is_absolute() {
        std::env::current_dir()
            .ok()
            .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
            .unwrap_or_else(|| {
                path.file_name()
                    .map(PathBuf::from)
                    .unwrap_or_else(|| path.to_path_buf())
            })
    } else {
        path.to_path_buf()
    };
    let text = relative.to_string_lossy().replace('\\', "/");
    text.trim_start_matches("./").to_string()
}

fn rules(args: &RulesArgs) -> Result<u8> {
    let policies = PolicySet::load(&args.policy_dirs)?;
    let text = match args.format {
        RulesFormat::Json => serde_json::to_string_pretty(policies.rules())? + "\n",
        RulesFormat::Markdown => crate::docs::rule_index(policies.rules()),
        RulesFormat::Table => {
            let mut table = comfy_table::Table::new();
            table.load_style(comfy_table::presets::UTF8_HORIZONTAL_ONLY);
            table.set_header(vec!["id", "severity", "name", "PCI DSS v4.0", "SOC 2"]);
            for rule in policies.rules() {
                let controls = |f: &str| {
                    rule.frameworks
                        .get(f)
                        .map(|c| c.join(" "))
                        .unwrap_or_default()
                };
                table.add_row(vec![
                    rule.id.clone(),
                    rule.severity.to_string(),
                    rule.name.clone(),
                    controls(crate::frameworks::PCI_DSS_4),
                    controls(crate::frameworks::SOC2),
                ]);
            }
            format!("{table}\n")
        }
    };
    write_stdout(&text)?;
    Ok(EXIT_CLEAN)
}

fn explain(args: &ExplainArgs) -> Result<u8> {
    let policies = PolicySet::load(&args.policy_dirs)?;
    let rule = policies
        .rule(&args.rule_id)
        .with_context(|| format!("no rule `{}`; `dynaudit rules` lists them", args.rule_id))?;
    write_stdout(&crate::docs::rule_page(rule))?;
    Ok(EXIT_CLEAN)
}

fn write_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        // `dynaudit rules | head` is not an error.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(err) => Err(err).context("cannot write to standard output"),
    }
}

/// Writes a report to a file (created with its parent directories) or to
/// standard output.
pub fn write_output(path: Option<&Path>, text: &str) -> Result<()> {
    match path {
        None => write_stdout(text),
        Some(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create directory {}", parent.display()))?;
            }
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
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

    #[test]
    fn evidence_uri_is_relative() {
        assert_eq!(
            evidence_uri(Path::new("./fixtures/x.json")),
            "fixtures/x.json"
        );
        assert_eq!(evidence_uri(Path::new("/nowhere/else/x.json")), "x.json");
    }
}
