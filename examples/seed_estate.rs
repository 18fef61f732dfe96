//! Seeds the AWS API emulator with a benchmark estate through the Rust SDK
//! (`scripts/bench-scan`):
//!
//!     cargo run --release --example seed_estate -- --endpoint http://127.0.0.1:5100 \
//!         --regions us-east-1,us-west-2,eu-west-1 --tables 300
//!
//! Per region: `--tables` on-demand tables (a third encrypted with one of
//! `--keys` customer managed KMS keys, a third with the AWS managed key;
//! PITR on every 2nd, deletion protection every 4th, tags on 4 of 5, a
//! stream every 7th, an on-demand backup every 10th), the KMS keys (rotation
//! on every 2nd), a VPC with a DynamoDB gateway endpoint; once: a logging
//! multi-region trail (with its S3 bucket) and `--roles` IAM roles with
//! managed policies. The default account of the emulator (dummy
//! credentials), or, with `--accounts ID,ID,...`, the same estate in each of
//! those accounts: the emulator maps the credentials of `sts:AssumeRole`
//! into `arn:aws:iam::<id>:role/<--role-name>` to account `<id>` (it grants
//! the call for a role that does not exist), so each account is seeded
//! through its assumed-role credentials, `--accounts-in-flight` at once
//! (`scripts/bench-org`). `--concurrency` requests in flight per account.
//! The estate code is `tests/support/seed.rs`, shared with the fault tests.

#[path = "../tests/support/seed.rs"]
#[allow(dead_code)]
mod seed;

use std::time::Instant;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use clap::Parser;
use futures_util::StreamExt;

#[derive(Debug, Parser)]
#[command(about = "Seed the AWS API emulator with a benchmark estate")]
struct Args {
    /// The emulator (or the fault proxy in front of it).
    #[arg(long)]
    endpoint: String,
    /// Comma-separated regions.
    #[arg(long, default_value = "us-east-1")]
    regions: String,
    /// Tables per region.
    #[arg(long, default_value_t = 100)]
    tables: usize,
    /// Customer managed keys per region.
    #[arg(long, default_value_t = 5)]
    keys: usize,
    /// IAM roles with a managed policy each.
    #[arg(long, default_value_t = 20)]
    roles: usize,
    /// Requests in flight.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// The emulator account (moto's default).
    #[arg(long, default_value = "123456789012")]
    account: String,
    /// Comma-separated 12-digit account ids: seed the estate in each,
    /// through `sts:AssumeRole` into `--role-name` there (instead of
    /// `--account`).
    #[arg(long)]
    accounts: Option<String>,
    /// The role assumed in each of `--accounts`.
    #[arg(long, default_value = "DynauditAudit")]
    role_name: String,
    /// Accounts seeded at once with `--accounts`.
    #[arg(long, default_value_t = 4)]
    accounts_in_flight: usize,
}

fn sdk_config(endpoint: &str, region: &str, credentials: Credentials) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build()
}

fn base_credentials() -> Credentials {
    Credentials::new(
        "AKIDDYNAUDITBENCH",
        "dynaudit-bench-secret",
        None,
        None,
        "bench",
    )
}

/// The credentials of `role_name` in `account`, from the emulator's STS.
async fn assume(args: &Args, region: &str, account: &str) -> anyhow::Result<Credentials> {
    let sts = aws_sdk_sts::Client::new(&sdk_config(&args.endpoint, region, base_credentials()));
    let out = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/{}", args.role_name))
        .role_session_name("dynaudit-seed")
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("AssumeRole into {account}: {e:?}"))?;
    let c = out
        .credentials()
        .ok_or_else(|| anyhow::anyhow!("AssumeRole into {account}: no credentials"))?;
    Ok(Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        None,
        "bench-assumed",
    ))
}

/// Seeds one account's estate with `credentials`.
async fn seed_account(
    args: &Args,
    regions: &[String],
    account: &str,
    credentials: Credentials,
) -> anyhow::Result<seed::Seeded> {
    let endpoint = args.endpoint.clone();
    let config =
        move |region: &str| -> SdkConfig { sdk_config(&endpoint, region, credentials.clone()) };
    let spec = seed::EstateSpec {
        regions: regions.to_vec(),
        tables_per_region: args.tables,
        keys_per_region: args.keys,
        roles: args.roles,
        concurrency: args.concurrency,
        trail_bucket: Some((args.endpoint.clone(), account.to_string())),
        vpc_endpoints: true,
    };
    seed::seed_estate(&config, &spec)
        .await
        .map_err(|e| anyhow::anyhow!("account {account}: {e}"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let regions: Vec<String> = args
        .regions
        .split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    let started = Instant::now();
    let Some(accounts) = args.accounts.as_deref() else {
        let seeded = seed_account(&args, &regions, &args.account, base_credentials()).await?;
        report(&seeded, "", started);
        return Ok(());
    };
    let accounts: Vec<String> = accounts
        .split(',')
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    let first = regions
        .first()
        .ok_or_else(|| anyhow::anyhow!("no region to seed"))?
        .clone();
    let args = &args;
    let regions = &regions;
    let first = &first;
    let mut total = seed::Seeded::default();
    let mut seeded_accounts = futures_util::stream::iter(accounts.iter())
        .map(|account| async move {
            let credentials = assume(args, first, account).await?;
            seed_account(args, regions, account, credentials).await
        })
        .buffer_unordered(args.accounts_in_flight.max(1));
    while let Some(seeded) = seeded_accounts.next().await {
        let seeded = seeded?;
        total.tables.extend(seeded.tables);
        total.keys.extend(seeded.keys);
        total.backups += seeded.backups;
        total.trails.extend(seeded.trails);
        total.vpc_endpoints.extend(seeded.vpc_endpoints);
        total.roles += seeded.roles;
    }
    report(&total, &format!(" in {} accounts", accounts.len()), started);
    Ok(())
}

fn report(seeded: &seed::Seeded, scope: &str, started: Instant) {
    eprintln!(
        "seed_estate: {} tables, {} keys, {} backups, {} trails, {} VPC endpoints, {} roles{scope} in {:.1}s",
        seeded.tables.len(),
        seeded.keys.len(),
        seeded.backups,
        seeded.trails.len(),
        seeded.vpc_endpoints.len(),
        seeded.roles,
        started.elapsed().as_secs_f64()
    );
}
