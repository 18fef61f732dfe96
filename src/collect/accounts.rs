//! An organization-wide run: the accounts of a selection collected
//! concurrently (at most `[scan] max_accounts_in_flight` at once), each in
//! a session of its own (its role, its rate-limit buckets: AWS's limits are
//! per account), each inventory handed to a sink as soon as it is done and
//! then dropped, so memory stays flat however many accounts there are.
//!
//! An account that cannot be collected at all (its role cannot be assumed,
//! it is not an active member) does not stop the others: it gets an
//! inventory that says why ([`failed_inventory`]), so that its rules are
//! unknown and the scope is incomplete.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::collect::run::{collect, now_rfc3339};
use crate::collect::services::organizations;
use crate::collect::session::{CollectError, CollectOptions, Session};
use crate::inventory::{CollectionError, ErrorKind, Inventory, RegionInventory, SCHEMA_VERSION};
use crate::organization::failure::FailureKind;
use crate::organization::index::{
    AccountStatus, INDEX_VERSION, Index, IndexEntry, IndexOrganization, IndexSelection,
};
use crate::organization::listing::OrganizationListing;
use crate::organization::selection::{AccountSelection, Disposition, SelectedAccount};
use crate::regions::RegionSelection;

/// Takes a finished account's inventory (writes it) and returns the file
/// name and SHA-256 to record in the index, or why it could not.
pub type InventorySink = Arc<SinkFn>;

/// The function behind an [`InventorySink`].
pub type SinkFn = dyn Fn(&Inventory) -> Result<(String, String), String> + Send + Sync;

/// What a multi-account run is asked for.
#[derive(Clone)]
pub struct AccountsRequest {
    /// Regions, credentials, settings (its `role_arn` is not used).
    pub options: CollectOptions,
    /// The accounts.
    pub selection: AccountSelection,
    /// `--role-name`: the role assumed in every account but the caller's.
    pub role_name: Option<String>,
    /// Where each inventory goes.
    pub sink: InventorySink,
}

/// The figures of a multi-account run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountsSummary {
    /// Accounts collected.
    pub collected: usize,
    /// Failed accounts per cause.
    pub failed: BTreeMap<FailureKind, usize>,
    /// Accounts skipped.
    pub skipped: usize,
    /// Tables collected over every account.
    pub tables: usize,
    /// Resources collected over every account.
    pub resources: usize,
    /// API calls over every account.
    pub calls: u64,
    /// Failed calls over every account.
    pub errors: usize,
    /// Wall time.
    pub duration: Duration,
}

impl AccountsSummary {
    /// Failed accounts.
    pub fn failed_total(&self) -> usize {
        self.failed.values().sum()
    }

    /// `6 accounts: 5 collected, 1 failed (access denied: 1), 0 skipped; 40 tables, ...`
    pub fn one_line(&self) -> String {
        let total = self.collected + self.failed_total() + self.skipped;
        let failed = if self.failed.is_empty() {
            "0 failed".to_string()
        } else {
            let kinds: Vec<String> = self
                .failed
                .iter()
                .map(|(kind, n)| format!("{}: {n}", kind.describe()))
                .collect();
            format!("{} failed ({})", self.failed_total(), kinds.join(", "))
        };
        format!(
            "{total} account{}: {} collected, {failed}, {} skipped; {} tables, {} resources, {} calls, {} failed calls in {:.1}s",
            if total == 1 { "" } else { "s" },
            self.collected,
            self.skipped,
            self.tables,
            self.resources,
            self.calls,
            self.errors,
            self.duration.as_secs_f64()
        )
    }
}

/// The session of the scanning credentials, the organization (when the
/// selection needs it) and the selected accounts, sorted by id.
pub async fn select(
    options: &CollectOptions,
    selection: &AccountSelection,
) -> Result<(Session, Option<OrganizationListing>, Vec<SelectedAccount>), CollectError> {
    let session = Session::open(options).await?;
    let listing = if selection.needs_organization() {
        let ctx = session.context(&session.home_region);
        Some(
            organizations::list(&ctx)
                .await
                .map_err(|e| organization_error(&e, &session.identity.account_id))?,
        )
    } else {
        None
    };
    let selected = selection
        .resolve(listing.as_ref())
        .map_err(CollectError::Settings)?;
    if selected.is_empty() {
        return Err(CollectError::Settings(
            "the account selection is empty (after --exclude-accounts and --shard): nothing to scan"
                .to_string(),
        ));
    }
    Ok((session, listing, selected))
}

/// The role ARN of `role_name` in `account_id`.
pub fn role_arn(partition: &str, account_id: &str, role_name: &str) -> String {
    format!("arn:{partition}:iam::{account_id}:role/{role_name}")
}

/// Runs the accounts of `request`; returns the index of the run (without
/// writing it) and its figures. Fails (exit 2) only when the run cannot
/// start: no credentials, the organization cannot be listed, a wrong
/// `--ou`, nothing selected.
pub async fn collect_accounts(
    request: &AccountsRequest,
) -> Result<(Index, AccountsSummary), CollectError> {
    let started = Instant::now();
    let started_at = now_rfc3339();
    let recorder = request.options.shared_recorder.clone().unwrap_or_default();
    let mut caller_options = request.options.clone();
    caller_options.role_arn = None;
    caller_options.shared_recorder = Some(recorder.clone());
    let (session, listing, selected) = select(&caller_options, &request.selection).await?;
    let caller = session.identity.account_id.clone();
    let partition = session.identity.partition.clone();
    if request.role_name.is_none()
        && let Some(other) = selected
            .iter()
            .find(|a| a.disposition == Disposition::Scan && a.account_id != caller)
    {
        return Err(CollectError::Settings(format!(
            "account {} is not the account of the credentials ({caller}): pass --role-name NAME, the role to assume in every member account",
            other.account_id
        )));
    }

    // Regions: a list is checked once, with the caller; `all` is resolved
    // per account (opt-in regions differ between accounts).
    let account_regions = match &request.options.regions {
        RegionSelection::All => RegionSelection::All,
        _ => RegionSelection::List(session.regions.clone()),
    };
    let total = selected.len();
    let semaphore = Arc::new(Semaphore::new(
        request.options.settings.max_accounts_in_flight.max(1),
    ));
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = JoinSet::new();
    for account in selected.iter().cloned() {
        let semaphore = Arc::clone(&semaphore);
        let done = Arc::clone(&done);
        let mut options = request.options.clone();
        options.regions = account_regions.clone();
        options.progress = false;
        options.shared_recorder = Some(recorder.clone());
        options.role_arn = if account.account_id == caller {
            None
        } else {
            request
                .role_name
                .as_deref()
                .map(|name| role_arn(&partition, &account.account_id, name))
        };
        let sink = Arc::clone(&request.sink);
        let listing = listing.clone();
        let fallback_regions = session.regions.clone();
        let show = request.options.progress;
        let home_region = session.home_region.clone();
        let partition = partition.clone();
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let outcome = collect_one(
                &account,
                &options,
                listing.as_ref(),
                &fallback_regions,
                &home_region,
                &partition,
                sink.as_ref(),
            )
            .await;
            let n = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            if show && let Ok(outcome) = &outcome {
                eprintln!("dynaudit: [{n}/{total}] {}", outcome.progress_line());
            }
            outcome
        });
    }
    let mut entries = Vec::new();
    let mut summary = AccountsSummary::default();
    while let Some(joined) = tasks.join_next().await {
        let outcome = joined.map_err(|e| {
            CollectError::Settings(format!("an account's collection failed unexpectedly: {e}"))
        })??;
        match outcome.entry.status {
            AccountStatus::Collected => summary.collected += 1,
            AccountStatus::Skipped => summary.skipped += 1,
            AccountStatus::Failed => {
                *summary
                    .failed
                    .entry(outcome.entry.failure.unwrap_or(FailureKind::Other))
                    .or_insert(0) += 1;
            }
        }
        summary.tables += outcome.tables;
        summary.resources += outcome.resources;
        summary.errors += outcome.errors;
        entries.push(outcome.entry);
    }
    entries.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    summary.calls = recorder.snapshot().values().map(|c| c.calls).sum();
    summary.duration = started.elapsed();
    if request.options.shared_recorder.is_none()
        && let Err(e) = recorder.write_if_requested()
    {
        eprintln!("dynaudit: could not write the operation record: {e}");
    }
    let selection = &request.selection;
    let index = Index {
        index_version: INDEX_VERSION.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        started_at,
        partition: partition.clone(),
        caller_account_id: caller,
        organization: listing.as_ref().map(|l| IndexOrganization {
            id: l.organization_id.clone(),
            management_account_id: l.management_account_id.clone(),
        }),
        selection: IndexSelection {
            organization: selection.organization,
            ou: selection.ous.clone(),
            accounts: selection.accounts.clone(),
            exclude_accounts: selection.exclude.clone(),
            shard: selection.shard.map(|s| s.to_string()),
            role_name: request.role_name.clone(),
            regions: match &request.options.regions {
                RegionSelection::All => vec!["all".to_string()],
                _ => session.regions.clone(),
            },
        },
        accounts: entries,
    };
    Ok((index, summary))
}

/// What became of one account.
struct AccountOutcome {
    entry: IndexEntry,
    tables: usize,
    resources: usize,
    errors: usize,
}

impl AccountOutcome {
    fn progress_line(&self) -> String {
        let e = &self.entry;
        let name = e
            .name
            .as_deref()
            .map(|n| format!(" ({})", crate::text_file::printable(n)))
            .unwrap_or_default();
        match e.status {
            AccountStatus::Collected => format!(
                "account {}{name}: collected, {} tables, {} failed calls",
                e.account_id, self.tables, self.errors
            ),
            AccountStatus::Failed => format!(
                "account {}{name}: FAILED: {}",
                e.account_id,
                crate::text_file::printable(e.cause.as_deref().unwrap_or(""))
            ),
            AccountStatus::Skipped => format!(
                "account {}{name}: skipped: {}",
                e.account_id,
                crate::text_file::printable(e.cause.as_deref().unwrap_or(""))
            ),
        }
    }
}

/// Collects one account (or records why not) and hands its inventory to
/// the sink.
async fn collect_one(
    account: &SelectedAccount,
    options: &CollectOptions,
    listing: Option<&OrganizationListing>,
    fallback_regions: &[String],
    home_region: &str,
    partition: &str,
    sink: &SinkFn,
) -> Result<AccountOutcome, CollectError> {
    let mut entry = IndexEntry {
        account_id: account.account_id.clone(),
        name: account.name().map(str::to_string),
        ou_path: account.listed.as_ref().map(|a| a.ou_path_text()),
        status: AccountStatus::Collected,
        cause: None,
        failure: None,
        inventory: None,
        sha256: None,
    };
    let organization = listing
        .zip(account.listed.as_ref())
        .map(|(l, a)| l.block_for(a));
    let (inventory, tables, resources) = match &account.disposition {
        Disposition::Skipped(cause) => {
            entry.status = AccountStatus::Skipped;
            entry.cause = Some(cause.clone());
            return Ok(AccountOutcome {
                entry,
                tables: 0,
                resources: 0,
                errors: 0,
            });
        }
        Disposition::NotAMember(cause) => {
            let error = CollectionError {
                service: "organizations".to_string(),
                region: "global".to_string(),
                operation: "ListAccounts".to_string(),
                resource: Some(account.account_id.clone()),
                kind: ErrorKind::Other,
                code: "NotAnActiveMember".to_string(),
                message: cause.clone(),
            };
            entry.status = AccountStatus::Failed;
            entry.cause = Some(cause.clone());
            entry.failure = Some(FailureKind::NotAMember);
            let inventory = failed_inventory(
                &account.account_id,
                partition,
                fallback_regions,
                cause,
                error,
                organization,
            );
            (inventory, 0, 0)
        }
        Disposition::Scan => match collect(options).await {
            Ok((mut inventory, summary)) => {
                inventory.organization = organization;
                (inventory, summary.tables, summary.resources)
            }
            Err(err) => {
                let cause = err.to_string();
                let kind = err.failure_kind();
                let error = match err {
                    CollectError::AssumeRole { error, .. } => *error,
                    other => CollectionError {
                        service: "sts".to_string(),
                        region: home_region.to_string(),
                        operation: "GetCallerIdentity".to_string(),
                        resource: None,
                        kind: ErrorKind::Other,
                        code: "SessionFailed".to_string(),
                        message: other.to_string(),
                    },
                };
                entry.status = AccountStatus::Failed;
                entry.cause = Some(cause.clone());
                entry.failure = Some(kind);
                let inventory = failed_inventory(
                    &account.account_id,
                    partition,
                    fallback_regions,
                    &cause,
                    error,
                    organization,
                );
                (inventory, 0, 0)
            }
        },
    };
    let errors = if entry.status == AccountStatus::Collected {
        inventory.errors.len()
    } else {
        0
    };
    let (file, digest) = sink(&inventory).map_err(CollectError::Settings)?;
    entry.inventory = Some(file);
    entry.sha256 = Some(digest);
    Ok(AccountOutcome {
        entry,
        tables,
        resources,
        errors,
    })
}

/// The inventory of an account that could not be collected at all: every
/// region `not_collected` with the cause, IAM `null`, the failed call in
/// `errors`, so that its rules are unknown with the cause and the scope is
/// incomplete.
pub fn failed_inventory(
    account_id: &str,
    partition: &str,
    regions: &[String],
    cause: &str,
    error: CollectionError,
    organization: Option<crate::inventory::Organization>,
) -> Inventory {
    let regions = regions
        .iter()
        .map(|region| {
            (
                region.clone(),
                RegionInventory {
                    not_collected: Some(cause.to_string()),
                    ..RegionInventory::default()
                },
            )
        })
        .collect();
    Inventory {
        schema_version: SCHEMA_VERSION.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        collected_at: now_rfc3339(),
        account_id: account_id.to_string(),
        partition: partition.to_string(),
        errors: vec![error],
        iam: None,
        trails: BTreeMap::new(),
        regions,
        organization,
        not_collected: Some(cause.to_string()),
        planned: None,
    }
}

/// The error of an organization that cannot be listed, with what to do.
fn organization_error(err: &organizations::ListingError, caller: &str) -> CollectError {
    let advice = match err.code.as_str() {
        "AWSOrganizationsNotInUseException" => format!(
            "account {caller} is not in an organization: use --accounts ID,ID to name the accounts"
        ),
        "AccessDeniedException" | "AccessDenied" => format!(
            "run from the management account or a delegated administrator, with organizations:DescribeOrganization, ListAccounts, ListRoots, ListOrganizationalUnitsForParent and ListAccountsForParent (the credentials are of account {caller}); or name the accounts with --accounts"
        ),
        _ => "retry, or name the accounts with --accounts ID,ID (no Organizations access needed)"
            .to_string(),
    };
    CollectError::Organization(format!("cannot list the organization: {err}. {advice}"))
}
