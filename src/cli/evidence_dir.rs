//! Writing an evidence directory (`collect --output DIR`, `scan
//! --inventory-out DIR` with an account selector): one inventory per
//! account, `DIR/<id>.json`, written as soon as the account is done, and
//! `DIR/index.json` last.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};

use crate::cli::output::write_file;
use crate::collect::accounts::{AccountsRequest, AccountsSummary, collect_accounts};
use crate::collect::{CollectError, CollectOptions};
use crate::evidence_set::{read_index, sha256_hex};
use crate::inventory::Inventory;
use crate::organization::index::{INDEX_FILE, Index, inventory_file_name};
use crate::organization::selection::AccountSelection;

/// The directory of an organization-wide run when none is given.
pub const DEFAULT_EVIDENCE_DIR: &str = "dynaudit-inventory";

/// Checks that `dir` can take a run's evidence before anything is
/// collected: missing or empty, or the evidence directory of an earlier
/// run (its files are replaced). Anything else in it is refused, so that a
/// mistyped path never mixes inventories into an unrelated directory, and
/// nothing else is ever overwritten. Returns the files of the earlier run.
pub fn check_dir(dir: &Path, option: &str) -> Result<Vec<PathBuf>> {
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot use {} ({option})", dir.display()));
        }
        Ok(m) if !m.is_dir() => anyhow::bail!(
            "{} ({option}) is not a directory: with --organization, --ou or --accounts the evidence is one inventory per account in a directory",
            dir.display()
        ),
        Ok(_) => {}
    }
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        entries.push(entry?.path());
    }
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let index_path = dir.join(INDEX_FILE);
    let earlier = read_index(&index_path).map_err(|e| {
        anyhow::anyhow!(
            "{} ({option}) is not empty and not the evidence directory of an earlier run ({e}); choose an empty or new directory",
            dir.display()
        )
    })?;
    let mut known: Vec<PathBuf> = earlier
        .accounts
        .iter()
        .filter_map(|a| a.inventory.as_deref())
        .filter(|f| !f.contains(['/', '\\']) && !f.starts_with('.'))
        .map(|f| dir.join(f))
        .collect();
    known.push(index_path);
    if let Some(stranger) = entries.iter().find(|e| !known.contains(e)) {
        anyhow::bail!(
            "{} ({option}) holds {}, which its index does not list: choose an empty or new directory",
            dir.display(),
            stranger.display()
        );
    }
    Ok(known)
}

/// Collects the accounts of `request` into `dir` (checked with
/// [`check_dir`]); returns the index written and the figures.
pub fn collect_into(
    options: CollectOptions,
    selection: AccountSelection,
    role_name: Option<String>,
    dir: &Path,
    earlier: Vec<PathBuf>,
) -> Result<(Index, AccountsSummary)> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let target = dir.to_path_buf();
    let sink = Arc::new(move |inventory: &Inventory| {
        let name = inventory_file_name(&inventory.account_id);
        let mut text = serde_json::to_string_pretty(inventory).map_err(|e| {
            format!(
                "cannot serialise the inventory of {}: {e}",
                inventory.account_id
            )
        })?;
        text.push('\n');
        write_file(&target.join(&name), &text).map_err(|e| format!("{e:#}"))?;
        Ok((name, sha256_hex(text.as_bytes())))
    });
    let request = AccountsRequest {
        options,
        selection,
        role_name,
        sink,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CollectError::Settings(format!("cannot start the async runtime: {e}")))?;
    let (index, summary) = runtime.block_on(collect_accounts(&request))?;
    // Files of the earlier run that this one did not write go: the
    // directory is this run's evidence only.
    let written: Vec<PathBuf> = index
        .accounts
        .iter()
        .filter_map(|a| a.inventory.as_deref())
        .map(|f| dir.join(f))
        .collect();
    for stale in earlier.iter().filter(|f| !written.contains(f)) {
        if stale.file_name().is_some_and(|n| n != INDEX_FILE) {
            std::fs::remove_file(stale)
                .with_context(|| format!("cannot remove {} of the earlier run", stale.display()))?;
        }
    }
    let mut text = serde_json::to_string_pretty(&index)?;
    text.push('\n');
    write_file(&dir.join(INDEX_FILE), &text)?;
    Ok((index, summary))
}

/// Prints the summary of a multi-account run and one warning per failed
/// account (the warnings even with `quiet`: evaluating the directory fails).
pub fn print_accounts_summary(index: &Index, summary: &AccountsSummary, quiet: bool) {
    use crate::report::escape::inert;
    if !quiet {
        eprintln!("dynaudit: {}", summary.one_line());
    }
    for account in index
        .accounts
        .iter()
        .filter(|a| a.status == crate::organization::index::AccountStatus::Failed)
    {
        eprintln!(
            "dynaudit: warning: incomplete scope: account {}: {} (evaluating this evidence fails unless --allow-incomplete-scope)",
            inert(&account.account_id),
            inert(account.cause.as_deref().unwrap_or("")),
        );
    }
}
