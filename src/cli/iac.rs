//! `dynaudit iac`: evaluate infrastructure code (CloudFormation templates,
//! CDK output, Terraform plans) with the rule pack, before deployment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::Args;

use crate::audit::Triage;
use crate::cli::args::{InputArgs, PolicyArgs, ReportArgs, parse_regions};
use crate::cli::output::{ReportRequest, evidence_uri, report_findings, write_output};
use crate::cli::path_check::{Input, check_outputs, policy_inputs, report_files};
use crate::iac::input::IacOptions;
use crate::policy::PolicySet;
use crate::regions::RegionSelection;
use crate::report::{Format, SourceLine};

/// `dynaudit iac`.
#[derive(Debug, Args)]
pub struct IacArgs {
    /// A CloudFormation template (YAML or JSON), a directory of templates,
    /// a CDK cloud assembly (`cdk.out`), or a Terraform plan in JSON
    /// (`terraform show -json plan.out > plan.json`); several may be given.
    #[arg(value_name = "PATH", required = true, num_args = 1..)]
    pub paths: Vec<PathBuf>,
    /// CloudFormation parameter values: `[{"ParameterKey": ..,
    /// "ParameterValue": ..}]` or `{"Parameters": {NAME: VALUE}}`. Without
    /// a value, a parameter's default is assumed (and findings say so); a
    /// parameter with neither is not determinable.
    #[arg(long, value_name = "FILE")]
    pub parameters: Option<PathBuf>,
    /// The account the code is deployed to (12 digits). Default: the CDK
    /// environment or the Terraform provider's allowed_account_ids, else
    /// the placeholder 000000000000.
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// The regions a template is deployed to (comma-separated). Default: the
    /// CDK environment's region, else us-east-1. A Terraform plan names its
    /// own regions (the provider configuration).
    #[arg(long, value_name = "LIST")]
    pub regions: Option<String>,
    /// The stack name (`AWS::StackName`); the CDK stack's name by default.
    #[arg(long, value_name = "NAME")]
    pub stack_name: Option<String>,
    /// Also write the planned inventory (schema 1.4, marked as planned)
    /// here, to evaluate again with `dynaudit eval` or compare with `diff`.
    #[arg(long, value_name = "FILE")]
    pub inventory_out: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub input: InputArgs,
}

/// Runs `dynaudit iac`; returns the exit code.
pub fn run(args: &IacArgs) -> Result<u8> {
    check_paths(args)?;
    args.report.check()?;
    let options = options(args)?;
    let config = args.policy.config()?;
    let inventory = crate::iac::sources::read(&args.paths, &options)?;
    if let Some(path) = &args.inventory_out {
        let text = serde_json::to_string_pretty(&inventory)? + "\n";
        write_output(Some(path), &text)
            .with_context(|| format!("cannot write the planned inventory to {}", path.display()))?;
    }
    let policies = PolicySet::load(&args.policy.policy_dirs)?;
    let triage = Triage::load(
        args.policy.waivers.as_deref(),
        args.report.baseline.as_deref(),
        args.input.max_input_bytes,
        &policies,
        &config,
    )?;
    let mut findings = crate::eval::evaluate(
        &policies,
        &inventory,
        &config.parameters,
        &config.evaluation,
    )?;
    let located = planned_findings(&mut findings, &inventory, args.report.format)?;
    let waivers = triage.apply(&mut findings, &inventory)?;
    // Results about what no file declares point at the first file read (a
    // directory given cannot be annotated).
    let first = inventory
        .planned
        .as_ref()
        .and_then(|p| p.files.first())
        .map(|f| evidence_uri(Path::new(f)))
        .or_else(|| args.paths.first().map(|p| evidence_uri(p)))
        .unwrap_or_default();
    report_findings(&ReportRequest {
        args: &args.report,
        policies: &policies,
        config: &config,
        scope: &crate::report::Scope::of_inventory(&inventory),
        inventory_text: None,
        evidence_uri: &first,
        findings: &findings,
        waivers: waivers.as_ref(),
        baseline: triage.baseline_path.as_deref(),
        write_report: true,
        sources: Some(&located),
    })
}

/// The findings of planned evidence in the code's terms
/// ([`crate::iac::findings`]), sorted again (resources may be renamed);
/// where each is declared, with SARIF URIs when the report is SARIF.
/// Findings of collected evidence are left as they are.
pub fn planned_findings(
    findings: &mut Vec<crate::finding::Finding>,
    inventory: &crate::inventory::Inventory,
    format: Format,
) -> Result<BTreeMap<String, SourceLine>> {
    let mut located = crate::iac::findings::planned_findings(findings, inventory);
    if located.is_empty() {
        return Ok(located);
    }
    findings.sort_by(crate::eval::order);
    if format == Format::Sarif {
        for source in located.values_mut() {
            source.uri = crate::report::sarif::artifact_uri(&evidence_uri(Path::new(&source.uri)))?;
        }
    }
    Ok(located)
}

fn options(args: &IacArgs) -> Result<IacOptions> {
    let account = match &args.account {
        Some(account) => {
            if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                anyhow::bail!(
                    "--account {}: an AWS account id is 12 digits",
                    crate::strict_json::quoted(account)
                );
            }
            Some(account.clone())
        }
        None => None,
    };
    let regions = match args.regions.as_deref().map(parse_regions).transpose() {
        Ok(None) => Vec::new(),
        Ok(Some(RegionSelection::List(regions))) => regions,
        Ok(Some(_)) => anyhow::bail!(
            "--regions: name the regions the code is deployed to (`all` means nothing before deployment)"
        ),
        Err(message) => anyhow::bail!(message),
    };
    let parameters = match &args.parameters {
        Some(path) => {
            let (shown, text) = crate::text_file::read(
                "the --parameters file",
                path,
                crate::text_file::SizeLimit {
                    bytes: 1024 * 1024,
                    name: "the parameters file limit (1 MiB)",
                },
            )?;
            crate::iac::parameters::parse(&shown, &text)?
        }
        None => Default::default(),
    };
    Ok(IacOptions {
        account,
        regions,
        parameters,
        stack_name: args.stack_name.clone(),
        max_bytes: args.input.max_input_bytes,
    })
}

/// Checks the outputs against the inputs and each other before any work.
fn check_paths(args: &IacArgs) -> Result<()> {
    let mut inputs: Vec<Input<'_>> = args
        .paths
        .iter()
        .filter(|p| p.is_file())
        .map(|p| Input::file("the infrastructure code", p))
        .collect();
    if let Some(parameters) = &args.parameters {
        inputs.push(Input::file("the --parameters file", parameters));
    }
    inputs.extend(policy_inputs(&args.policy));
    let (baseline, mut outputs) = report_files(&args.report);
    inputs.extend(baseline);
    if let Some(out) = &args.inventory_out {
        outputs.push(crate::cli::path_check::Output::replace(
            "--inventory-out",
            out,
        ));
    }
    check_outputs(&inputs, &outputs)
}
