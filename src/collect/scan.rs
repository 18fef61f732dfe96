//! The collection run: credentials, regions, every collector concurrently,
//! and the inventory with its summary.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{Region, SdkConfig};
use aws_sdk_sts::config::SharedCredentialsProvider;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;

use crate::collect::cloudtrail::TrailRegistry;
use crate::collect::errors::describe;
use crate::collect::limits::RateLimitConfig;
use crate::collect::record::{OperationCount, OperationRecorder};
use crate::collect::{
    ErrorRecorder, RateLimits, RegionBreaker, RegionContext, backup, cloudtrail, config, dax,
    dynamodb, ec2, iam, kms, sts,
};
use crate::inventory::{ErrorKind, Inventory, RegionInventory, SCHEMA_VERSION};

/// Which regions to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionSelection {
    /// The configured default region (`AWS_REGION`, the profile's region).
    Default,
    /// Every region enabled for the account (`DescribeRegions`).
    All,
    /// These regions.
    List(Vec<String>),
}

impl RegionSelection {
    /// Parses a `--regions` value: `all`, or a comma-separated list of
    /// region names.
    pub fn parse(value: &str) -> Result<RegionSelection, String> {
        let value = value.trim();
        if value.eq_ignore_ascii_case("all") {
            return Ok(RegionSelection::All);
        }
        let mut regions = Vec::new();
        for (i, item) in value.split(',').enumerate() {
            let name = item.trim();
            if name.is_empty() {
                return Err(format!(
                    "--regions {value:?}: item {} is empty; give a comma-separated list such as us-east-1,eu-west-1, or `all`",
                    i + 1
                ));
            }
            if !looks_like_region(name) {
                return Err(format!(
                    "--regions: {name:?} is not a region name (like us-east-1); give a comma-separated list such as us-east-1,eu-west-1, or `all`"
                ));
            }
            if !regions.iter().any(|r| r == name) {
                regions.push(name.to_string());
            }
        }
        Ok(RegionSelection::List(regions))
    }
}

use crate::regions::{KNOWN_REGIONS, looks_like_region};

/// The `[scan]` table of the config file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ScanSettings {
    /// Attempts per call, first one included (SDK standard retry mode).
    /// Default 8: the client-side rate limits keep throttling rare, and a
    /// call that still fails becomes an `unknown`, so retrying is cheap.
    pub max_attempts: u32,
    /// First retry back-off in milliseconds (doubles, jittered, capped at
    /// 20 s). Default 1000 (the SDK's).
    pub initial_backoff_ms: u64,
    /// TCP/TLS connect timeout in seconds: a disabled or unreachable region
    /// fails within this. Default 5.
    pub connect_timeout_secs: f64,
    /// Timeout of one attempt (request sent to answer read) in seconds.
    /// Default 60.
    pub attempt_timeout_secs: f64,
    /// Tables collected at once per region. Default 32 (the slowest bucket,
    /// 10 calls/s, is saturated far below this).
    pub concurrency: usize,
    /// Client-side per-operation rate limits.
    pub rate_limits: RateLimitConfig,
    /// Endpoint URL per region, for every service of that region, in place
    /// of the SDK's (and of `AWS_ENDPOINT_URL`): emulators, proxies,
    /// tests. Empty by default.
    pub region_endpoints: BTreeMap<String, String>,
}

impl Default for ScanSettings {
    fn default() -> Self {
        ScanSettings {
            max_attempts: 8,
            initial_backoff_ms: 1000,
            connect_timeout_secs: 5.0,
            attempt_timeout_secs: 60.0,
            concurrency: 32,
            rate_limits: RateLimitConfig::default(),
            region_endpoints: BTreeMap::new(),
        }
    }
}

impl ScanSettings {
    /// Checks the values; the message names the key to fix.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_attempts == 0 {
            return Err("scan.max_attempts must be at least 1".to_string());
        }
        for (key, value) in [
            ("scan.connect_timeout_secs", self.connect_timeout_secs),
            ("scan.attempt_timeout_secs", self.attempt_timeout_secs),
        ] {
            if !(value.is_finite() && value > 0.0 && value < 86_400.0) {
                return Err(format!(
                    "{key} must be a positive number of seconds, got {value}"
                ));
            }
        }
        if self.concurrency == 0 {
            return Err("scan.concurrency must be at least 1".to_string());
        }
        for (region, url) in &self.region_endpoints {
            if !looks_like_region(region) {
                return Err(format!(
                    "scan.region_endpoints: {region:?} is not a region name (like us-east-1)"
                ));
            }
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!(
                    "scan.region_endpoints.{region}: {url:?} is not an http:// or https:// URL"
                ));
            }
        }
        self.rate_limits.validate()
    }
}

/// Everything a collection run needs.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// Regions to scan.
    pub regions: RegionSelection,
    /// Named profile of the shared config files.
    pub profile: Option<String>,
    /// Role to assume (on top of the default credential chain).
    pub role_arn: Option<String>,
    /// External id for the role.
    pub external_id: Option<String>,
    /// Retry, timeout, concurrency and rate-limit settings.
    pub settings: ScanSettings,
    /// Show a progress bar on stderr (only if stderr is a terminal).
    pub progress: bool,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            regions: RegionSelection::Default,
            profile: None,
            role_arn: None,
            external_id: None,
            settings: ScanSettings::default(),
            progress: false,
        }
    }
}

/// Why a collection could not run at all (exit code 2). Failed calls during
/// the run are not fatal: they are evidence in the inventory.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// No usable credentials.
    #[error("{0}")]
    Credentials(String),
    /// A region argument or setting is wrong.
    #[error("{0}")]
    Region(String),
    /// The AWS endpoint could not be reached.
    #[error("{0}")]
    Unreachable(String),
    /// Invalid settings.
    #[error("{0}")]
    Settings(String),
}

/// Figures of a run, for the one-line summary and `--format json` users.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectSummary {
    /// Regions scanned.
    pub regions: usize,
    /// Tables collected.
    pub tables: usize,
    /// Resources collected (tables, backups, keys, VPCs, endpoints, trails,
    /// recorders, Config rules, backup plans, DAX clusters, IAM principals
    /// and policies).
    pub resources: usize,
    /// API calls and HTTP attempts per `service:Operation`.
    pub calls: BTreeMap<String, OperationCount>,
    /// Failed calls per kind.
    pub errors_by_kind: BTreeMap<ErrorKind, usize>,
    /// Wall time.
    pub duration: Duration,
}

impl CollectSummary {
    /// Total API calls.
    pub fn total_calls(&self) -> u64 {
        self.calls.values().map(|c| c.calls).sum()
    }

    /// Total HTTP attempts (calls plus retries).
    pub fn total_attempts(&self) -> u64 {
        self.calls.values().map(|c| c.attempts).sum()
    }

    /// Total failed calls.
    pub fn total_errors(&self) -> usize {
        self.errors_by_kind.values().sum()
    }

    /// `collected 3 regions: 300 tables, 1210 resources, 1534 calls (12 retries), 2 errors (2 access_denied) in 4.2s`
    pub fn one_line(&self) -> String {
        let retries = self.total_attempts().saturating_sub(self.total_calls());
        let errors = if self.errors_by_kind.is_empty() {
            "0 errors".to_string()
        } else {
            let kinds: Vec<String> = self
                .errors_by_kind
                .iter()
                .map(|(k, n)| format!("{n} {}", kind_name(*k)))
                .collect();
            format!("{} errors ({})", self.total_errors(), kinds.join(", "))
        };
        format!(
            "collected {} region{}: {} tables, {} resources, {} calls ({} retries), {} in {:.1}s",
            self.regions,
            if self.regions == 1 { "" } else { "s" },
            self.tables,
            self.resources,
            self.total_calls(),
            retries,
            errors,
            self.duration.as_secs_f64()
        )
    }
}

/// The snake_case name of an error kind, as in the inventory.
pub fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::AccessDenied => "access_denied",
        ErrorKind::Throttled => "throttled",
        ErrorKind::Unsupported => "unsupported",
        ErrorKind::RegionUnavailable => "region_unavailable",
        ErrorKind::Other => "other",
    }
}

/// Progress display on stderr; a no-op when disabled.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    state: Arc<std::sync::Mutex<ProgressState>>,
}

#[derive(Debug, Default)]
struct ProgressState {
    regions_total: usize,
    regions_done: usize,
}

impl Progress {
    /// A display when `enabled` and stderr is a terminal.
    pub fn new(enabled: bool) -> Progress {
        if !(enabled && std::io::stderr().is_terminal()) {
            return Progress::default();
        }
        let bar = indicatif::ProgressBar::new(0);
        let style = indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {msg} tables {pos}/{len} {wide_bar}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress {
            bar: Some(bar),
            state: Arc::default(),
        }
    }

    fn with_state(&self, f: impl FnOnce(&mut ProgressState)) {
        let mut state = match self.state.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut state);
        if let Some(bar) = &self.bar {
            bar.set_message(format!(
                "regions {}/{}",
                state.regions_done, state.regions_total
            ));
        }
    }

    /// The scan covers `n` regions.
    pub fn regions(&self, n: usize) {
        self.with_state(|s| s.regions_total = n);
    }

    /// A region is done.
    pub fn region_done(&self, _region: &str) {
        self.with_state(|s| s.regions_done += 1);
    }

    /// `n` tables were listed in `region`.
    pub fn tables_found(&self, _region: &str, n: usize) {
        if let Some(bar) = &self.bar {
            bar.inc_length(n as u64);
        }
    }

    /// One table of `region` is collected.
    pub fn table_done(&self, _region: &str) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Removes the display.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// `collected_at`: now, UTC, seconds precision.
fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Loads the AWS configuration: the full default chain, `--profile`,
/// retries and timeouts; `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`
/// are honoured by the SDK itself.
async fn load_sdk_config(opts: &CollectOptions) -> SdkConfig {
    let s = &opts.settings;
    let retry = RetryConfig::standard()
        .with_max_attempts(s.max_attempts.max(1))
        .with_initial_backoff(Duration::from_millis(s.initial_backoff_ms));
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs_f64(s.connect_timeout_secs))
        .operation_attempt_timeout(Duration::from_secs_f64(s.attempt_timeout_secs))
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry)
        .timeout_config(timeouts);
    if let Some(profile) = &opts.profile {
        loader = loader.profile_name(profile);
    }
    loader.load().await
}

/// Replaces the credentials with those of `--role-arn`.
async fn assume_role(base: SdkConfig, opts: &CollectOptions) -> SdkConfig {
    let Some(role) = &opts.role_arn else {
        return base;
    };
    let mut builder = AssumeRoleProvider::builder(role.clone()).session_name("dynaudit");
    if let Some(id) = &opts.external_id {
        builder = builder.external_id(id.clone());
    }
    let provider = builder.configure(&base).build().await;
    base.into_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build()
}

/// The message for a failed `GetCallerIdentity`.
fn identity_error(err: sts::IdentityError, region: &str, opts: &CollectOptions) -> CollectError {
    let err = match err {
        sts::IdentityError::Malformed(m) => {
            return CollectError::Credentials(format!(
                "STS GetCallerIdentity gave an unusable answer ({m}); check AWS_ENDPOINT_URL"
            ));
        }
        sts::IdentityError::Call(err) => err,
    };
    let failure = describe(&err);
    let chain = failure.message.clone();
    let lower = chain.to_ascii_lowercase();
    let role_hint = match &opts.role_arn {
        Some(role) => format!(
            " The role {role} is assumed with the base credentials: check that they may call sts:AssumeRole on it{}.",
            if opts.external_id.is_some() {
                " and that the external id is right"
            } else {
                " (and whether it needs --external-id)"
            }
        ),
        None => String::new(),
    };
    if lower.contains("credential") && failure.http_status.is_none() {
        return CollectError::Credentials(format!(
            "no usable AWS credentials: {chain}. Provide credentials through the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), \
             a profile (--profile NAME or AWS_PROFILE; run `aws sso login` for SSO profiles), web identity (AWS_ROLE_ARN with \
             AWS_WEB_IDENTITY_TOKEN_FILE) or an instance/container role.{role_hint}"
        ));
    }
    match failure.http_status {
        Some(status) if failure.code.starts_with("HTTP") => CollectError::Unreachable(format!(
            "the endpoint for AWS STS in {region} did not answer like AWS (HTTP {status}: {chain}). \
             Check AWS_ENDPOINT_URL and proxy settings."
        )),
        None => CollectError::Unreachable(format!(
            "could not reach AWS STS in {region}: {chain}. Check the network, proxy settings and AWS_ENDPOINT_URL, \
             or raise [scan] connect_timeout_secs."
        )),
        Some(_) => CollectError::Credentials(format!(
            "AWS STS rejected the credentials ({}: {}).{role_hint} Check the access key, session token and clock, \
             or choose other credentials with --profile.",
            failure.code, failure.message
        )),
    }
}

/// Regions with `DescribeRegions`: only enabled ones (`all_regions`
/// false), or every region with its opt-in status (`all_regions` true).
async fn describe_regions(
    sdk_config: &SdkConfig,
    recorder: &OperationRecorder,
    limits: &RateLimits,
    region: &str,
    all_regions: bool,
) -> Result<Vec<String>, String> {
    // Few attempts: the answer decides whether the scan starts at all.
    let ec2 = aws_sdk_ec2::Client::from_conf(
        aws_sdk_ec2::config::Builder::from(sdk_config)
            .interceptor(recorder.clone())
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(200)),
            )
            .build(),
    );
    limits.acquire("ec2", "DescribeRegions", region).await;
    let out = ec2
        .describe_regions()
        .all_regions(all_regions)
        .send()
        .await
        .map_err(|e| {
            let f = describe(&e);
            format!("{}: {}", f.code, f.message)
        })?;
    let mut names: Vec<String> = out
        .regions()
        .iter()
        .filter(|r| {
            all_regions
                || matches!(
                    r.opt_in_status(),
                    None | Some("opt-in-not-required") | Some("opted-in")
                )
        })
        .filter_map(|r| r.region_name().map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// Collects the inventory.
pub async fn collect(opts: &CollectOptions) -> Result<(Inventory, CollectSummary), CollectError> {
    let started = Instant::now();
    let collected_at = now_rfc3339();
    opts.settings.validate().map_err(CollectError::Settings)?;

    let base = load_sdk_config(opts).await;
    let home_region = match &opts.regions {
        // A name this build does not know is checked with DescribeRegions
        // later; the identity call goes to a known region.
        RegionSelection::List(list) => match list
            .iter()
            .find(|r| KNOWN_REGIONS.contains(&r.as_str()))
            .or(list.first())
        {
            Some(first) if KNOWN_REGIONS.contains(&first.as_str()) => first.clone(),
            Some(first) => match base.region() {
                Some(region) if KNOWN_REGIONS.contains(&region.as_ref()) => region.to_string(),
                _ if first.starts_with("cn-") => "cn-north-1".to_string(),
                _ if first.starts_with("us-gov-") => "us-gov-west-1".to_string(),
                _ => "us-east-1".to_string(),
            },
            None => return Err(CollectError::Region("--regions is empty".to_string())),
        },
        _ => match base.region() {
            Some(region) => region.to_string(),
            None => {
                return Err(CollectError::Region(
                    "no AWS region configured: pass --regions us-east-1,eu-west-1 (or --regions all), \
                     or set AWS_REGION, or a region in the profile of ~/.aws/config"
                        .to_string(),
                ));
            }
        },
    };
    let base = base
        .into_builder()
        .region(Region::new(home_region.clone()))
        .build();
    let base = assume_role(base, opts).await;

    let recorder = OperationRecorder::default();
    let limits = Arc::new(RateLimits::new(opts.settings.rate_limits.clone()));

    // Who are we? A failure here is fatal and says what to do. Few attempts:
    // a missing credential or unreachable endpoint must fail in seconds.
    let sts_client = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(&base)
            .interceptor(recorder.clone())
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(opts.settings.max_attempts.clamp(1, 3))
                    .with_initial_backoff(Duration::from_millis(
                        opts.settings.initial_backoff_ms.min(500),
                    )),
            )
            .build(),
    );
    let identity = sts::caller_identity(&sts_client, &limits, &home_region)
        .await
        .map_err(|e| identity_error(e, &home_region, opts))?;

    let regions = resolve_regions(opts, &base, &recorder, &limits, &home_region).await?;

    let errors = ErrorRecorder::default();
    let progress = Progress::new(opts.progress);
    progress.regions(regions.len());
    let breaker = RegionBreaker::default();
    let region_endpoints = Arc::new(opts.settings.region_endpoints.clone());
    let context = |region: &str| RegionContext {
        region: region.to_string(),
        sdk_config: base
            .clone()
            .into_builder()
            .region(Region::new(region.to_string()))
            .build(),
        account_id: identity.account_id.clone(),
        partition: identity.partition.clone(),
        errors: errors.clone(),
        limits: Arc::clone(&limits),
        operations: recorder.clone(),
        breaker: breaker.clone(),
        region_endpoints: Arc::clone(&region_endpoints),
    };

    // IAM once per account, concurrently with the regions.
    let iam_ctx = context(&home_region);
    let iam_task = tokio::spawn(async move { iam::collect(&iam_ctx).await });

    let trails = TrailRegistry::new();
    let mut tasks = JoinSet::new();
    for region in &regions {
        let ctx = context(region);
        let progress = progress.clone();
        let trails = trails.clone();
        let concurrency = opts.settings.concurrency;
        tasks.spawn(async move {
            let inventory = collect_region(&ctx, concurrency, &progress, &trails).await;
            progress.region_done(&ctx.region);
            (ctx.region.clone(), inventory)
        });
    }
    let mut region_map = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((region, inventory)) => {
                region_map.insert(region, inventory);
            }
            Err(join_error) => {
                // A collector panicked: a bug. Keep the other regions.
                errors.push(internal_error("unknown", &join_error.to_string()));
            }
        }
    }
    let iam = match iam_task.await {
        Ok(iam) => iam,
        Err(join_error) => {
            errors.push(internal_error("global", &join_error.to_string()));
            None
        }
    };
    progress.finish();

    let inventory = Inventory {
        schema_version: SCHEMA_VERSION.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        collected_at,
        account_id: identity.account_id.clone(),
        partition: identity.partition.clone(),
        errors: errors.snapshot(),
        iam,
        trails: trails.trails(),
        regions: region_map,
    };

    // Best effort: the list is for tests; failing to write it is not a
    // reason to lose the scan.
    if let Err(e) = recorder.write_if_requested() {
        eprintln!("dynaudit: could not write the operation record: {e}");
    }

    let mut errors_by_kind = BTreeMap::new();
    for error in &inventory.errors {
        *errors_by_kind.entry(error.kind).or_insert(0) += 1;
    }
    let summary = CollectSummary {
        regions: inventory.regions.len(),
        tables: inventory
            .regions
            .values()
            .filter_map(|r| r.tables.as_ref())
            .map(|t| t.len())
            .sum(),
        resources: count_resources(&inventory),
        calls: recorder.snapshot(),
        errors_by_kind,
        duration: started.elapsed(),
    };
    Ok((inventory, summary))
}

/// The regions to scan, validated.
async fn resolve_regions(
    opts: &CollectOptions,
    base: &SdkConfig,
    recorder: &OperationRecorder,
    limits: &RateLimits,
    home_region: &str,
) -> Result<Vec<String>, CollectError> {
    match &opts.regions {
        RegionSelection::Default => Ok(vec![home_region.to_string()]),
        RegionSelection::All => {
            let regions = describe_regions(base, recorder, limits, home_region, false)
                .await
                .map_err(|e| {
                    CollectError::Region(format!(
                        "--regions all: could not list the account's enabled regions with EC2 DescribeRegions ({e}); \
                         grant ec2:DescribeRegions or name the regions, e.g. --regions us-east-1,eu-west-1"
                    ))
                })?;
            if regions.is_empty() {
                return Err(CollectError::Region(
                    "--regions all: DescribeRegions listed no enabled region; name the regions instead"
                        .to_string(),
                ));
            }
            Ok(regions)
        }
        RegionSelection::List(list) => {
            let unknown: Vec<&String> = list
                .iter()
                .filter(|r| !KNOWN_REGIONS.contains(&r.as_str()))
                .collect();
            if unknown.is_empty() {
                return Ok(list.clone());
            }
            // Perhaps a region newer than this build: ask the account.
            let listed = describe_regions(base, recorder, limits, home_region, true)
                .await
                .unwrap_or_default();
            let still_unknown: Vec<&String> = unknown
                .into_iter()
                .filter(|r| !listed.contains(r))
                .collect();
            if still_unknown.is_empty() {
                return Ok(list.clone());
            }
            let hints: Vec<String> = still_unknown
                .iter()
                .map(|r| match closest_region(r) {
                    Some(close) => format!("{r} (did you mean {close}?)"),
                    None => r.to_string(),
                })
                .collect();
            Err(CollectError::Region(format!(
                "unknown region{} {}: give region names such as us-east-1,eu-west-1, or --regions all for every enabled region",
                if hints.len() == 1 { "" } else { "s" },
                hints.join(", ")
            )))
        }
    }
}

/// The known region with the smallest edit distance, if close.
fn closest_region(name: &str) -> Option<&'static str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                let cost = usize::from(ca != *cb);
                cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
            }
            prev = cur;
        }
        prev[b.len()]
    }
    KNOWN_REGIONS
        .iter()
        .map(|r| (distance(name, r), *r))
        .min()
        .filter(|(d, _)| *d <= 3)
        .map(|(_, r)| r)
}

/// A collector task that panicked (a bug), as evidence.
fn internal_error(region: &str, message: &str) -> crate::inventory::CollectionError {
    crate::inventory::CollectionError {
        service: "dynaudit".to_string(),
        region: region.to_string(),
        operation: "collect".to_string(),
        resource: None,
        kind: ErrorKind::Other,
        code: "InternalError".to_string(),
        message: message.to_string(),
    }
}

/// Everything of one region: every service concurrently; KMS after the
/// tables (it describes the keys they reference).
async fn collect_region(
    ctx: &RegionContext,
    concurrency: usize,
    progress: &Progress,
    trails: &TrailRegistry,
) -> RegionInventory {
    let dynamo_and_keys = async {
        let dynamo = dynamodb::collect(ctx, concurrency, progress).await;
        let keys = kms::collect(ctx, &dynamo.kms_key_arns()).await;
        (dynamo, keys)
    };
    let ((dynamo, keys), network, trail_arns, config, backup_plans, dax_clusters) = tokio::join!(
        dynamo_and_keys,
        ec2::collect(ctx),
        cloudtrail::collect(ctx, trails),
        config::collect(ctx),
        backup::collect(ctx),
        dax::collect(ctx),
    );
    RegionInventory {
        tables: dynamo.tables,
        backups: dynamo.backups,
        kms_keys: keys,
        vpcs: network.vpcs,
        vpc_endpoints: network.vpc_endpoints,
        trail_arns,
        config_recorders: config.recorders,
        config_rules: config.rules,
        backup_plans,
        dax_clusters,
    }
}

fn count_resources(inventory: &Inventory) -> usize {
    let mut n = inventory.trails.len();
    if let Some(iam) = &inventory.iam {
        n += iam.users.len() + iam.groups.len() + iam.roles.len() + iam.policies.len();
    }
    for region in inventory.regions.values() {
        n += region.tables.as_ref().map_or(0, BTreeMap::len);
        n += region
            .backups
            .as_ref()
            .map_or(0, |b| b.values().map(Vec::len).sum());
        n += region.kms_keys.len();
        n += region.vpcs.as_ref().map_or(0, BTreeMap::len);
        n += region.vpc_endpoints.as_ref().map_or(0, BTreeMap::len);
        n += region.config_recorders.as_ref().map_or(0, Vec::len);
        n += region.config_rules.as_ref().map_or(0, BTreeMap::len);
        n += region.backup_plans.as_ref().map_or(0, BTreeMap::len);
        n += region.dax_clusters.as_ref().map_or(0, BTreeMap::len);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_region_lists() {
        assert_eq!(RegionSelection::parse("all"), Ok(RegionSelection::All));
        assert_eq!(
            RegionSelection::parse("us-east-1, eu-west-1,us-east-1"),
            Ok(RegionSelection::List(vec![
                "us-east-1".into(),
                "eu-west-1".into()
            ]))
        );
        assert_eq!(
            RegionSelection::parse("us-gov-west-1"),
            Ok(RegionSelection::List(vec!["us-gov-west-1".into()]))
        );
        assert!(RegionSelection::parse("us-east-1,,eu-west-1").is_err());
        assert!(RegionSelection::parse("us-east-1;eu-west-1").is_err());
        assert!(RegionSelection::parse("US-EAST-1").is_err());
        assert!(RegionSelection::parse("").is_err());
    }

    #[test]
    fn suggests_close_regions() {
        assert_eq!(closest_region("us-esat-1"), Some("us-east-1"));
        assert_eq!(closest_region("xx-nowhere-9"), None);
    }

    #[test]
    fn settings_parse_and_validate() {
        let s: ScanSettings = toml::from_str(
            "max_attempts = 3\nconnect_timeout_secs = 1.5\n[rate_limits]\nenabled = false\n",
        )
        .unwrap();
        assert_eq!(s.max_attempts, 3);
        assert!(!s.rate_limits.enabled);
        assert_eq!(s.concurrency, 32);
        assert!(s.validate().is_ok());
        let bad = ScanSettings {
            max_attempts: 0,
            ..ScanSettings::default()
        };
        assert!(bad.validate().is_err());
        assert!(toml::from_str::<ScanSettings>("nope = 1").is_err());
    }

    #[test]
    fn collected_at_has_seconds_precision() {
        let t = now_rfc3339();
        assert!(t.ends_with('Z'), "{t}");
        assert_eq!(t.len(), "2024-01-01T00:00:00Z".len(), "{t}");
    }
}
