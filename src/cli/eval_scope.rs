//! Evaluating many accounts' evidence in one report (`eval PATH...` with
//! several inventories or an evidence directory, and an organization-wide
//! `scan`): account by account, so that memory is bounded by the largest
//! account's inventory, not the sum; the findings, waivers and gate cover
//! every account.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::audit::Triage;
use crate::cli::args::{InputArgs, PolicyArgs, ReportArgs};
use crate::cli::output::{ReportRequest, evidence_uri, report_findings, write_file};
use crate::config::Config;
use crate::evidence_set::{EvidenceSet, check_listed};
use crate::finding::Finding;
use crate::organization::index::AccountStatus;
use crate::policy::PolicySet;
use crate::report::{self, AccountScope, EvidenceFile, Format, ReportInput, Scope, ScopeGap};
use crate::waivers::WaiverReport;

/// What a multi-account evaluation reads and writes.
pub struct ScopeEvaluation<'a> {
    pub paths: &'a [PathBuf],
    pub report: &'a ReportArgs,
    pub policy: &'a PolicyArgs,
    pub input: &'a InputArgs,
}

/// An inventory as loaded, and what evaluating it found.
type Evaluated = (
    crate::load::LoadedInventory,
    Result<Vec<Finding>, crate::eval::EvalError>,
);

/// Evaluates every account of `request.paths` and reports them together;
/// returns the exit code.
pub fn run(request: &ScopeEvaluation<'_>) -> Result<u8> {
    let args = request.report;
    args.check()?;
    let config = request.policy.config()?;
    let policies = PolicySet::load(&request.policy.policy_dirs)?;
    let triage = Triage::load(
        request.policy.waivers.as_deref(),
        args.baseline.as_deref(),
        request.input.max_input_bytes,
        &policies,
        &config,
    )?;
    let set = EvidenceSet::resolve(request.paths)?;
    if set.items.is_empty() {
        anyhow::bail!("no inventory to evaluate in {}", shown_paths(request.paths));
    }
    let sarif_dir = sarif_directory(args)?;

    let mut findings: Vec<Finding> = Vec::new();
    let mut waivers: Option<WaiverReport> = None;
    let mut accounts: Vec<AccountScope> = Vec::new();
    let mut gaps: Vec<ScopeGap> = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut regions: BTreeSet<String> = BTreeSet::new();
    let mut organizations: BTreeSet<Option<String>> = BTreeSet::new();
    let mut first: Option<Scope> = None;
    // Accounts are evaluated several at a time, each with a share of the
    // cores: one account's rules (its IAM, say) then cannot leave a core
    // idle. Each wave is then reported in the order of the evidence set,
    // and its inventories dropped, so memory holds one wave at a time.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let in_flight = cores.clamp(1, set.items.len());
    let workers_per_account = (cores / in_flight).max(1);
    for wave in set.items.chunks(in_flight) {
        let evaluated: Vec<Result<Evaluated>> = std::thread::scope(|scope| {
            let handles: Vec<_> = wave
                .iter()
                .map(|item| {
                    let (policies, config) = (&policies, &config);
                    scope.spawn(move || -> Result<Evaluated> {
                        let loaded =
                            crate::load::load_limited(&item.path, request.input.max_input_bytes)?;
                        let findings = crate::eval::evaluate_in_shards(
                            policies,
                            &loaded.inventory,
                            &config.parameters,
                            &config.evaluation,
                            workers_per_account,
                        );
                        Ok((loaded, findings))
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| {
                    handle
                        .join()
                        .unwrap_or_else(|_| Err(anyhow::anyhow!("an evaluation worker panicked")))
                })
                .collect()
        });
        for (item, result) in wave.iter().zip(evaluated) {
            let (loaded, evaluation) = result?;
            let inventory = &loaded.inventory;
            check_listed(item, &loaded.text, &inventory.account_id)?;
            let shown = item.path.display().to_string();
            if let Some(other) = seen.insert(inventory.account_id.clone(), shown.clone()) {
                return Err(crate::evidence_set::EvidenceError::Duplicate {
                    account: inventory.account_id.clone(),
                    first: other,
                    second: shown,
                }
                .into());
            }
            let mut account_findings = evaluation?;
            let account_waivers = triage.apply(&mut account_findings, inventory)?;
            let scope = Scope::of_inventory(inventory);
            let uri = evidence_uri(&item.path);
            if let Some(dir) = &sarif_dir {
                write_account_sarif(
                    dir,
                    &scope,
                    &uri,
                    &loaded.text,
                    &account_findings,
                    &policies,
                    &config,
                    account_waivers.as_ref(),
                    triage.baseline_path.as_deref(),
                )?;
            }
            match (&mut waivers, account_waivers) {
                (Some(total), Some(more)) => total.merge(&more),
                (total @ None, more) => *total = more,
                (Some(_), None) => {}
            }
            regions.extend(scope.regions.iter().cloned());
            organizations.insert(scope.organization.clone());
            for gap in &scope.incomplete {
                gaps.push(if gap.scope.starts_with("account ") {
                    gap.clone()
                } else {
                    ScopeGap {
                        scope: format!("account {} {}", inventory.account_id, gap.scope),
                        cause: gap.cause.clone(),
                    }
                });
            }
            let listed = item.listed.as_ref().map(|(_, entry)| entry);
            accounts.push(AccountScope {
                account_id: inventory.account_id.clone(),
                name: inventory
                    .organization
                    .as_ref()
                    .map(|o| o.account_name.clone())
                    .or_else(|| listed.and_then(|e| e.name.clone())),
                ou_path: inventory
                    .organization
                    .as_ref()
                    .map(|o| crate::organization::listing::ou_path_text(&o.ou_path))
                    .or_else(|| listed.and_then(|e| e.ou_path.clone())),
                status: if inventory.not_collected.is_some() {
                    AccountStatus::Failed.as_str().to_string()
                } else {
                    AccountStatus::Collected.as_str().to_string()
                },
                cause: inventory.not_collected.clone(),
                regions: scope.regions.clone(),
                collected_at: Some(scope.collected_at.clone()),
                inventory: Some(uri),
                collection_errors: scope.collection_errors,
            });
            findings.extend(account_findings);
            if first.is_none() {
                first = Some(scope);
            }
        }
    }
    for skipped in &set.skipped {
        accounts.push(AccountScope {
            account_id: skipped.account_id.clone(),
            name: skipped.name.clone(),
            ou_path: skipped.ou_path.clone(),
            status: AccountStatus::Skipped.as_str().to_string(),
            cause: skipped.cause.clone(),
            ..AccountScope::default()
        });
    }
    accounts.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    findings.sort_by(|a, b| {
        (&a.rule_id, &a.account, &a.resource, a.status, &a.region).cmp(&(
            &b.rule_id,
            &b.account,
            &b.resource,
            b.status,
            &b.region,
        ))
    });
    let first = first.unwrap_or_default();
    let scope = Scope {
        account_id: String::new(),
        partition: first.partition.clone(),
        regions: regions.into_iter().collect(),
        collected_at: accounts
            .iter()
            .filter_map(|a| a.collected_at.clone())
            .min()
            .unwrap_or_default(),
        schema_version: first.schema_version.clone(),
        tool_version: first.tool_version.clone(),
        collection_errors: accounts.iter().map(|a| a.collection_errors).sum(),
        incomplete: gaps,
        organization: match organizations.len() {
            1 => organizations.into_iter().next().flatten(),
            _ => None,
        },
        planned: None,
        accounts,
    };
    let uri = shown_paths(request.paths);
    report_findings(&ReportRequest {
        args,
        policies: &policies,
        config: &config,
        scope: &scope,
        inventory_text: None,
        evidence_uri: &uri,
        findings: &findings,
        waivers: waivers.as_ref(),
        baseline: triage.baseline_path.as_deref(),
        write_report: sarif_dir.is_none(),
        sources: None,
    })
}

/// `a/, b.json`.
fn shown_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| evidence_uri(p))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where the per-account SARIF files go: `--format sarif` over several
/// accounts writes one file per account into the `--output` directory
/// (GitHub takes one category per run and at most 20 runs per file, and an
/// upload replaces the previous one of its category: one file per account
/// keeps each account's category stable however the organization grows).
fn sarif_directory(args: &ReportArgs) -> Result<Option<PathBuf>> {
    check_sarif_output(args)?;
    match &args.output {
        Some(dir) if args.format == Format::Sarif => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            Ok(Some(dir.clone()))
        }
        _ => Ok(None),
    }
}

/// Checks the SARIF options of a multi-account report before any work.
pub fn check_sarif_output(args: &ReportArgs) -> Result<()> {
    if args.format != Format::Sarif {
        return Ok(());
    }
    let Some(dir) = &args.output else {
        anyhow::bail!(
            "--format sarif over an evidence directory or several inventories writes one SARIF file per account: pass --output DIR"
        );
    };
    if args.sarif_category.is_some() {
        anyhow::bail!(
            "--sarif-category names one category, but each account's SARIF file has its own (dynaudit/<account>/<regions>/): leave it out"
        );
    }
    if args.category_out.is_some() {
        anyhow::bail!(
            "--category-out writes one category, but each account's SARIF file has its own: leave it out"
        );
    }
    if dir.exists() && !dir.is_dir() {
        anyhow::bail!(
            "--output {}: SARIF over an evidence directory or several inventories is a directory of one file per account",
            dir.display()
        );
    }
    Ok(())
}

/// Writes one account's SARIF file, `DIR/<account>.sarif`.
#[allow(clippy::too_many_arguments)]
fn write_account_sarif(
    dir: &Path,
    scope: &Scope,
    uri: &str,
    text: &str,
    findings: &[Finding],
    policies: &PolicySet,
    config: &Config,
    waivers: Option<&WaiverReport>,
    baseline: Option<&str>,
) -> Result<()> {
    let lines = report::locate::resource_lines(text);
    let parameters = config.parameters.to_json();
    let input = ReportInput {
        findings,
        rules: policies.rules(),
        parameters: &parameters,
        scope,
        evidence: EvidenceFile {
            uri,
            lines: &lines,
            sources: None,
        },
        waivers,
        baseline,
        sarif_category: None,
    };
    let rendered = report::render(Format::Sarif, &input, report::Terminal::PLAIN)?;
    write_file(&dir.join(format!("{}.sarif", scope.account_id)), &rendered)
}
