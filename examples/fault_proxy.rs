//! The fault proxy of the benchmarks (`scripts/bench-scan`), as a command:
//!
//!     cargo run --release --example fault_proxy -- --upstream http://127.0.0.1:5000 \
//!         --port 5100 --latency-ms 30 --jitter-ms 5 --limits \
//!         --throttle 0.2 --errors 0.05 --drops 0.02 --seed 1
//!
//! `--cache` answers a request identical to one already forwarded from a
//! cache of the emulator's answers. `--region-upstream REGION=URL` (repeatable) sends a region's requests to
//! its own emulator process. `--blackhole-port-file FILE` also opens a port
//! that never completes a TCP handshake (an unreachable region) and writes
//! its number to FILE. Counts: `curl http://127.0.0.1:5100/__proxy/stats`;
//! `curl -X POST .../__proxy/reset` zeroes them and refills the buckets.
//! The implementation is `tests/support/fault_proxy.rs`.

#[path = "../tests/support/fault_proxy.rs"]
#[allow(dead_code)]
mod fault_proxy;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(about = "Latency, rate-limit and fault proxy in front of an AWS API emulator")]
struct Args {
    /// The emulator, e.g. http://127.0.0.1:5000.
    #[arg(long)]
    upstream: String,
    /// REGION=URL: that region's requests go to URL.
    #[arg(long = "region-upstream")]
    region_upstreams: Vec<String>,
    /// Port on 127.0.0.1 (0: any free port, printed on stdout).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Round trip added to every request, in milliseconds.
    #[arg(long, default_value_t = 0.0)]
    latency_ms: f64,
    /// Uniform jitter around the latency (+-), in milliseconds.
    #[arg(long, default_value_t = 0.0)]
    jitter_ms: f64,
    /// AWS's per-operation token buckets on.
    #[arg(long)]
    limits: bool,
    /// Fraction of requests answered with a throttling error.
    #[arg(long, default_value_t = 0.0)]
    throttle: f64,
    /// Fraction of requests answered with HTTP 500.
    #[arg(long, default_value_t = 0.0)]
    errors: f64,
    /// Fraction of requests whose connection is closed without an answer.
    #[arg(long, default_value_t = 0.0)]
    drops: f64,
    /// Seed of the fault draws.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Answer repeated identical requests from a cache of the emulator's
    /// answers (measures the scanner without the emulator's service time).
    #[arg(long)]
    cache: bool,
    /// Also open a blackholed port and write its number to this file.
    #[arg(long)]
    blackhole_port_file: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut region_upstreams = BTreeMap::new();
    for item in &args.region_upstreams {
        let (region, url) = item
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--region-upstream {item:?}: expected REGION=URL"))?;
        region_upstreams.insert(region.to_string(), url.to_string());
    }
    let config = fault_proxy::ProxyConfig {
        upstream: args.upstream.clone(),
        region_upstreams,
        latency: Duration::from_secs_f64(args.latency_ms.max(0.0) / 1000.0),
        jitter: Duration::from_secs_f64(args.jitter_ms.max(0.0) / 1000.0),
        limits: args.limits,
        throttle_fraction: args.throttle,
        error_fraction: args.errors,
        drop_fraction: args.drops,
        seed: args.seed,
        cache: args.cache,
        refusals: Vec::new(),
    };
    let _blackhole = match &args.blackhole_port_file {
        Some(path) => {
            let hole = fault_proxy::Blackhole::new().await?;
            std::fs::write(path, hole.addr.port().to_string())?;
            Some(hole)
        }
        None => None,
    };
    let proxy = fault_proxy::start(config, args.port).await?;
    println!("{}", proxy.addr.port());
    eprintln!(
        "fault_proxy: listening on {} -> {}",
        proxy.endpoint(),
        args.upstream
    );
    // Runs until killed; the counts are read over HTTP.
    std::future::pending::<()>().await;
    drop(proxy);
    Ok(())
}
