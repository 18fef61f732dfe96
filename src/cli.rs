//! The command line: argument definitions and the commands behind them.
//! `main` only calls [`run`] and turns its result into an exit code.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::Config;
use crate::finding::{Finding, Status};
use crate::metadata::Severity;
use crate::policy::PolicySet;
use crate::report::{self, EvidenceFile, Format, ReportInput, Scope};

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
    /// Exit 1 when a finding fails at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Low)]
    pub fail_on: FailOn,
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
    }
}

fn load_config(path: Option<&Path>) -> Result<Config> {
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
    let findings = crate::eval::evaluate(&policies, &loaded.inventory, &config.parameters)?;
    let evidence_uri = evidence_uri(&args.inventory);
    report_findings(&ReportRequest {
        args: &args.report,
        policies: &policies,
        config: &config,
        inventory: &loaded.inventory,
        inventory_text: &loaded.text,
        evidence_uri: &evidence_uri,
        findings: &findings,
    })
}

fn scan(args: &ScanArgs) -> Result<u8> {
    if args.inventory_out == Path::new("-") {
        anyhow::bail!("--inventory-out must name a file: the report goes to standard output");
    }
    // Everything that can be wrong locally is checked before the first call.
    let config = load_config(args.policy.config.as_deref())?;
    let policies = PolicySet::load(&args.policy.policy_dirs)?;
    let options = args
        .aws
        .to_options(config.scan.clone(), args.report.quiet)?;
    let (inventory, summary) = crate::cli_collect::run_collection(&options)?;
    let inventory_text = crate::cli_collect::write_inventory(&inventory, &args.inventory_out)?;
    crate::cli_collect::print_summary(&summary, args.report.quiet);
    let findings = crate::eval::evaluate(&policies, &inventory, &config.parameters)?;
    let evidence_uri = evidence_uri(&args.inventory_out);
    report_findings(&ReportRequest {
        args: &args.report,
        policies: &policies,
        config: &config,
        inventory: &inventory,
        inventory_text: &inventory_text,
        evidence_uri: &evidence_uri,
        findings: &findings,
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
    };
    let color = request.args.format == Format::Table
        && request.args.output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let text = report::render(request.args.format, &input, color)?;
    write_output(request.args.output.as_deref(), &text)?;

    let count = |status: Status| {
        request
            .findings
            .iter()
            .filter(|f| f.status == status)
            .count()
    };
    let failing = gate(request.findings, request.args.fail_on);
    if !request.args.quiet {
        eprintln!(
            "dynaudit: {} failing, {} unknown, {} passing ({} rules, account {}, {} region(s)); {} at or above --fail-on {}",
            count(Status::Fail),
            count(Status::Unknown),
            count(Status::Pass),
            request.policies.rules().len(),
            inventory.account_id,
            inventory.regions.len(),
            failing,
            request
                .args
                .fail_on
                .to_possible_value()
                .map(|v| v.get_name().to_string())
                .unwrap_or_default(),
        );
    }
    Ok(if failing > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

/// How many failures are at or above the threshold.
pub fn gate(findings: &[Finding], fail_on: FailOn) -> usize {
    match fail_on.threshold() {
        None => 0,
        Some(threshold) => findings
            .iter()
            .filter(|f| f.status == Status::Fail && f.severity >= threshold)
            .count(),
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
