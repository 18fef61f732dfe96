//! Seeds the AWS API emulator with the demo estate (`scripts/demo`): the
//! estate of the end-to-end tests (`tests/support/estate/`), three regions
//! of one account told like the sample estate: tables encrypted with
//! customer managed keys and with AWS owned keys, PITR on and off, backups
//! and AWS Backup plans, global-table replicas, IAM roles and policies with
//! and without `dynamodb:LeadingKeys` conditions, VPC endpoints and route
//! tables, CloudTrail trails with and without data events, AWS Config, DAX.
//!
//!     cargo run --example demo_estate -- --endpoint http://127.0.0.1:5100
//!
//! Prints the environment a `dynaudit scan` of that account needs (the
//! endpoint and the account's credentials), as shell `export` lines.

/// The one piece of `tests/support/moto.rs` the estate uses (that file
/// needs the test harness).
mod moto {
    use aws_config::{BehaviorVersion, Region, SdkConfig};
    use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};

    /// An account of the emulator, reached with assumed-role credentials.
    pub struct TestAccount {
        pub account_id: String,
        pub credentials: Credentials,
        pub endpoint: String,
    }

    impl TestAccount {
        /// SDK configuration of this account in `region`.
        pub fn config(&self, region: &str) -> SdkConfig {
            SdkConfig::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new(region.to_string()))
                .endpoint_url(&self.endpoint)
                .credentials_provider(SharedCredentialsProvider::new(self.credentials.clone()))
                .build()
        }
    }
}

#[path = "../tests/support/estate/mod.rs"]
#[allow(dead_code)]
mod estate;
#[path = "../tests/support/seed.rs"]
#[allow(dead_code)]
mod seed;

/// Where the estate code finds them (`crate::support::...`).
mod support {
    pub(crate) use super::{moto, seed};
}

use aws_sdk_sts::config::Credentials;
use clap::Parser;
use moto::TestAccount;

#[derive(Debug, Parser)]
#[command(about = "Seed the AWS API emulator with the dynaudit demo estate")]
struct Args {
    /// The emulator.
    #[arg(long)]
    endpoint: String,
    /// The account to seed (moto creates it on first use).
    #[arg(long, default_value = "111122223333")]
    account: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let bootstrap = TestAccount {
        account_id: "123456789012".to_string(),
        credentials: Credentials::new("AKIDDYNAUDITDEMO", "demo", None, None, "demo"),
        endpoint: args.endpoint.clone(),
    };
    let sts = aws_sdk_sts::Client::new(&bootstrap.config("us-east-1"));
    let out = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{}:role/dynaudit-demo", args.account))
        .role_session_name("dynaudit-demo")
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("AssumeRole on the emulator at {}: {e}", args.endpoint))?;
    let c = out
        .credentials()
        .ok_or_else(|| anyhow::anyhow!("AssumeRole answered without credentials"))?;
    let account = TestAccount {
        account_id: args.account.clone(),
        credentials: Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            None,
            "demo",
        ),
        endpoint: args.endpoint.clone(),
    };
    let estate = estate::seed_estate(&account).await;
    eprintln!(
        "seeded {} resources in account {} of the emulator at {}",
        estate.ids.len(),
        account.account_id,
        args.endpoint
    );
    let quoted = |value: &str| format!("'{}'", value.replace('\'', r"'\''"));
    println!("export AWS_ENDPOINT_URL={}", quoted(&args.endpoint));
    println!(
        "export AWS_ACCESS_KEY_ID={}",
        quoted(account.credentials.access_key_id())
    );
    println!(
        "export AWS_SECRET_ACCESS_KEY={}",
        quoted(account.credentials.secret_access_key())
    );
    if let Some(token) = account.credentials.session_token() {
        println!("export AWS_SESSION_TOKEN={}", quoted(token));
    }
    Ok(())
}
