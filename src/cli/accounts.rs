//! `dynaudit accounts`: the accounts a selection covers, before any scan:
//! a table, JSON, or the matrix of a GitHub Actions fan-out (one entry per
//! shard with its account ids, so the organization is listed once and every
//! matrix job scans exactly its listed accounts with `--accounts`).

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};
use serde_json::json;

use crate::cli::args::AwsArgs;
use crate::cli::output::write_output;
use crate::collect::accounts::select;
use crate::gate::EXIT_CLEAN;
use crate::organization::selection::{Disposition, SelectedAccount};
use crate::organization::shard::{MAX_SHARDS, shard_of};
use crate::report::escape::inert;

/// `dynaudit accounts`.
#[derive(Debug, Args)]
pub struct AccountsArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AccountsFormat::Table)]
    pub format: AccountsFormat,
    /// The number of shards of the `github-matrix` (and of the `shard`
    /// column); empty shards are left out of the matrix.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_SHARDS)))]
    pub shards: u32,
    /// Write here instead of standard output.
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
}

/// How `accounts` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AccountsFormat {
    /// One line per account.
    Table,
    /// `{"organization": ..., "accounts": [...]}`.
    Json,
    /// One line of JSON for `strategy.matrix`: `{"include": [{"shard": "1/N", "accounts": "ID,ID"}]}`.
    GithubMatrix,
}

/// Runs `dynaudit accounts`.
pub fn run(args: &AccountsArgs) -> Result<u8> {
    let Some(selection) = args.aws.accounts.selection()? else {
        anyhow::bail!("say which accounts: --organization, --ou OU_ID or --accounts ID,ID");
    };
    if args.format == AccountsFormat::GithubMatrix && selection.shard.is_some() {
        anyhow::bail!(
            "--format github-matrix lists every shard: give their number with --shards N, not --shard K/N"
        );
    }
    let options = args
        .aws
        .to_options(crate::config::ScanSettings::default(), true)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (session, listing, selected) = runtime.block_on(select(&options, &selection))?;
    // The shard column counts in the N of `--shard K/N` when it is given
    // (the accounts listed are that shard's), else in `--shards`.
    let n = match &selection.shard {
        Some(shard) if args.shards != 1 && args.shards != shard.count => anyhow::bail!(
            "--shard {shard} and --shards {} disagree on the number of shards",
            args.shards
        ),
        Some(shard) => shard.count,
        None => args.shards,
    };
    let text = match args.format {
        AccountsFormat::GithubMatrix => {
            let mut include = Vec::new();
            for k in 1..=n {
                let ids: Vec<&str> = selected
                    .iter()
                    .filter(|a| {
                        a.disposition == Disposition::Scan && shard_of(&a.account_id, n) == k
                    })
                    .map(|a| a.account_id.as_str())
                    .collect();
                if !ids.is_empty() {
                    include.push(json!({"shard": format!("{k}/{n}"), "accounts": ids.join(",")}));
                }
            }
            serde_json::to_string(&json!({ "include": include }))? + "\n"
        }
        AccountsFormat::Json => {
            let accounts: Vec<serde_json::Value> = selected
                .iter()
                .map(|a| {
                    let (status, cause) = disposition(a);
                    json!({
                        "account_id": a.account_id,
                        "name": a.name(),
                        "ou_path": a.listed.as_ref().map(|l| l.ou_path_text()),
                        "organization_status": a.listed.as_ref().map(|l| l.status.clone()),
                        "status": status,
                        "cause": cause,
                        "shard": format!("{}/{n}", shard_of(&a.account_id, n)),
                    })
                })
                .collect();
            let document = json!({
                "caller_account_id": session.identity.account_id,
                "organization": listing.as_ref().map(|l| json!({
                    "id": l.organization_id,
                    "management_account_id": l.management_account_id,
                })),
                "accounts": accounts,
            });
            serde_json::to_string_pretty(&document)? + "\n"
        }
        AccountsFormat::Table => {
            let mut out = String::new();
            for a in &selected {
                let (status, cause) = disposition(a);
                out.push_str(&format!(
                    "{}  {:<24}  {:<32}  {:<8}  shard {}/{n}{}\n",
                    a.account_id,
                    inert(a.name().unwrap_or("-")),
                    inert(
                        &a.listed
                            .as_ref()
                            .map_or("-".to_string(), |l| l.ou_path_text())
                    ),
                    status,
                    shard_of(&a.account_id, n),
                    cause
                        .map(|c| format!("  ({})", inert(&c)))
                        .unwrap_or_default(),
                ));
            }
            out
        }
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(EXIT_CLEAN)
}

/// `scan`, `skipped` or `failed`, with the cause.
fn disposition(account: &SelectedAccount) -> (&'static str, Option<String>) {
    match &account.disposition {
        Disposition::Scan => ("scan", None),
        Disposition::Skipped(cause) => ("skipped", Some(cause.clone())),
        Disposition::NotAMember(cause) => ("failed", Some(cause.clone())),
    }
}
