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
//! credentials). `--concurrency` requests in flight. The estate code is
//! `tests/support/seed.rs`, shared with the fault tests.

#[path = "../tests/support/seed.rs"]
#[allow(dead_code)]
mod seed;

use std::time::Instant;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use clap::Parser;

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
    let endpoint = args.endpoint.clone();
    let config = move |region: &str| -> SdkConfig {
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .endpoint_url(&endpoint)
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "AKIDDYNAUDITBENCH",
                "dynaudit-bench-secret",
                None,
                None,
                "bench",
            )))
            .build()
    };
    let spec = seed::EstateSpec {
        regions,
        tables_per_region: args.tables,
        keys_per_region: args.keys,
        roles: args.roles,
        concurrency: args.concurrency,
        trail_bucket: Some((args.endpoint.clone(), args.account.clone())),
        vpc_endpoints: true,
    };
    let started = Instant::now();
    let seeded = seed::seed_estate(&config, &spec)
        .await
        .map_err(anyhow::Error::msg)?;
    eprintln!(
        "seed_estate: {} tables, {} keys, {} backups, {} trails, {} VPC endpoints, {} roles in {:.1}s",
        seeded.tables.len(),
        seeded.keys.len(),
        seeded.backups,
        seeded.trails.len(),
        seeded.vpc_endpoints.len(),
        seeded.roles,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
