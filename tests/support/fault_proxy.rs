//! A latency, rate-limit and fault proxy between dynaudit and the emulator,
//! for tests and benchmarks (issue 5). Loopback only.
//!
//! For every request it reads the service and region from the SigV4
//! credential scope of the `Authorization` header and the operation from
//! `X-Amz-Target` (JSON protocols), the `Action` query or form parameter
//! (query protocols: IAM, STS, EC2) or the method and path (REST-JSON: AWS
//! Backup). Then, in this order:
//!
//! 1. waits `latency` +- `jitter` (uniform), the round trip;
//! 2. with probability `drop_fraction`, closes the socket without answering;
//!    with `throttle_fraction`, answers the protocol's throttling error;
//!    with `error_fraction`, answers HTTP 500 (one draw decides, so the
//!    fractions add up);
//! 3. if `limits` is on and the operation's token bucket (AWS's documented
//!    rate, [`AWS_LIMITS`]) is empty, answers the throttling error;
//! 4. otherwise forwards to the upstream (per region if configured) and
//!    relays the answer.
//!
//! Throttling errors are shaped like AWS's: JSON protocols HTTP 400 with
//! `__type` `ThrottlingException` (DynamoDB:
//! `com.amazonaws.dynamodb.v20120810#ThrottlingException`); awsquery
//! (IAM, STS) `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling`;
//! EC2 `<Response><Errors><Error><Code>RequestLimitExceeded` (EC2's own
//! throttling code); REST-JSON `x-amzn-ErrorType: ThrottlingException`.
//!
//! Counts per `service:Operation` (the keys dynaudit's operation recorder
//! uses): requests, forwarded, throttled (injected plus rate limited, the
//! latter also in `rate_limited`), HTTP 500s and drops; `GET
//! /__proxy/stats` answers them as JSON, `POST /__proxy/reset` zeroes them
//! and refills the buckets.
//!
//! Faults are drawn from a seeded SplitMix64 generator: a run sees the same
//! sequence of draws, though which request gets which draw depends on the
//! order in which concurrent requests arrive.
//!
//! Used in-process by the integration tests (`start` on the test's tokio
//! runtime) and by `examples/fault_proxy.rs` for the benchmarks.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// What the proxy injects.
#[derive(Debug, Clone)]
pub struct ProxyConfig {
    /// Where requests go: `http://127.0.0.1:PORT`.
    pub upstream: String,
    /// Per-region upstreams (one emulator process per region); regions not
    /// listed, and requests without a region, go to `upstream`.
    pub region_upstreams: BTreeMap<String, String>,
    /// Round trip added to every request.
    pub latency: Duration,
    /// Uniform jitter around `latency` (+-).
    pub jitter: Duration,
    /// AWS's per-operation token buckets on.
    pub limits: bool,
    /// Fraction of requests answered with a throttling error.
    pub throttle_fraction: f64,
    /// Fraction of requests answered with HTTP 500.
    pub error_fraction: f64,
    /// Fraction of requests whose connection is closed without an answer.
    pub drop_fraction: f64,
    /// Seed of the fault draws.
    pub seed: u64,
    /// Answer a request identical to one already forwarded (same access
    /// key, region, target, `X-Amz-Target` and body) from a cache of the
    /// emulator's answers instead of asking the emulator again: measures
    /// the scanner without the emulator's own service time (a benchmark
    /// that is emulator-bound otherwise). Faults and limits still apply
    /// first.
    pub cache: bool,
    /// Requests answered with an error instead of being forwarded: what
    /// the emulator cannot be made to refuse (an `sts:AssumeRole` denied
    /// by a trust policy or an SCP, a region disabled for one account).
    /// Checked before any other fault.
    pub refusals: Vec<Refusal>,
}

/// A request the proxy refuses.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// `service:Operation`, e.g. `sts:AssumeRole`.
    pub operation: String,
    /// A string the request body must contain (e.g. an account id, which
    /// form encoding leaves as is).
    pub body_contains: String,
    /// HTTP status.
    pub status: u16,
    /// The error code (`AccessDenied`, `RegionDisabledException`).
    pub code: String,
    /// The error message.
    pub message: String,
}

impl ProxyConfig {
    /// A transparent proxy to `upstream`.
    pub fn new(upstream: impl Into<String>) -> ProxyConfig {
        ProxyConfig {
            upstream: upstream.into(),
            region_upstreams: BTreeMap::new(),
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            limits: false,
            throttle_fraction: 0.0,
            error_fraction: 0.0,
            drop_fraction: 0.0,
            seed: 1,
            cache: false,
            refusals: Vec::new(),
        }
    }
}

/// Counts of one operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct OpStats {
    /// Requests received.
    pub requests: u64,
    /// Requests sent on to the emulator.
    pub forwarded: u64,
    /// Throttling errors answered (injected and rate limited).
    pub throttled: u64,
    /// Of `throttled`, those because the token bucket was empty.
    pub rate_limited: u64,
    /// HTTP 500s injected.
    pub errors_500: u64,
    /// Connections closed without an answer.
    pub dropped: u64,
}

impl OpStats {
    fn add(&mut self, other: &OpStats) {
        self.requests += other.requests;
        self.forwarded += other.forwarded;
        self.throttled += other.throttled;
        self.rate_limited += other.rate_limited;
        self.errors_500 += other.errors_500;
        self.dropped += other.dropped;
    }
}

/// Shared counts per `service:Operation`.
#[derive(Debug, Clone, Default)]
pub struct Stats(Arc<Mutex<BTreeMap<String, OpStats>>>);

impl Stats {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, OpStats>> {
        match self.0.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn bump(&self, op: &str, f: impl FnOnce(&mut OpStats)) {
        f(self.lock().entry(op.to_string()).or_default());
    }

    /// Counts so far.
    pub fn snapshot(&self) -> BTreeMap<String, OpStats> {
        self.lock().clone()
    }

    /// Sum over all operations.
    pub fn total(&self) -> OpStats {
        let mut total = OpStats::default();
        for s in self.lock().values() {
            total.add(s);
        }
        total
    }

    /// Zeroes the counts.
    pub fn reset(&self) {
        self.lock().clear();
    }
}

/// A running proxy.
pub struct FaultProxy {
    /// Where it listens (127.0.0.1).
    pub addr: SocketAddr,
    /// Its counts.
    pub stats: Stats,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// AWS's documented rates: `(service, operation, per second, burst,
/// per account)`. `per account` buckets are shared by all regions (of one
/// credential: every bucket is per access key, as AWS's are per account). EC2's
/// `Describe*` actions share one bucket per region (`Describe*`). Operations
/// not listed are not limited (AWS publishes no rate, or one far above what
/// a scan sends).
pub const AWS_LIMITS: &[(&str, &str, f64, f64, bool)] = &[
    ("dynamodb", "DescribeContinuousBackups", 10.0, 10.0, false),
    ("dynamodb", "ListTagsOfResource", 10.0, 10.0, true),
    ("dynamodb", "ListBackups", 5.0, 5.0, false),
    ("dynamodb", "ListTables", 2500.0, 2500.0, false),
    ("dynamodb", "DescribeTable", 2500.0, 2500.0, false),
    ("kms", "DescribeKey", 2000.0, 2000.0, false),
    ("kms", "GetKeyRotationStatus", 1000.0, 1000.0, false),
    ("cloudtrail", "DescribeTrails", 10.0, 10.0, false),
    ("cloudtrail", "GetTrailStatus", 10.0, 10.0, false),
    ("cloudtrail", "GetEventSelectors", 10.0, 10.0, false),
    ("ec2", "Describe*", 20.0, 100.0, false),
    ("sts", "GetCallerIdentity", 600.0, 600.0, false),
];

struct Bucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn take(&mut self, now: Instant) -> bool {
        let elapsed = now.duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// SplitMix64: small, seeded, good enough for fault draws.
struct Rng(u64);

impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Shared {
    config: ProxyConfig,
    stats: Stats,
    rng: Mutex<Rng>,
    buckets: Mutex<HashMap<(String, String, String), Bucket>>,
    client: Client<HttpConnector, Full<Bytes>>,
    cache: Mutex<HashMap<Vec<u8>, Vec<u8>>>,
}

impl Shared {
    fn draw(&self) -> f64 {
        match self.rng.lock() {
            Ok(mut rng) => rng.next_f64(),
            Err(poisoned) => poisoned.into_inner().next_f64(),
        }
    }

    /// Takes a token; `true` when the call may go on.
    fn admit(&self, req: &Parsed) -> bool {
        if !self.config.limits {
            return true;
        }
        let op = if req.service == "ec2" && req.operation.starts_with("Describe") {
            "Describe*"
        } else {
            req.operation.as_str()
        };
        let Some(&(_, _, rate, burst, per_account)) = AWS_LIMITS
            .iter()
            .find(|(s, o, ..)| *s == req.service && *o == op)
        else {
            return true;
        };
        // AWS's limits are per account: the buckets are per credential
        // (each account of an organization-wide run has its own).
        let credential = req.access_key_id();
        let scope = if per_account {
            format!("{credential}/*")
        } else {
            format!("{credential}/{}", req.region)
        };
        let key = (req.service.clone(), op.to_string(), scope);
        let mut buckets = match self.buckets.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let now = Instant::now();
        buckets
            .entry(key)
            .or_insert(Bucket {
                rate,
                capacity: burst,
                tokens: burst,
                at: now,
            })
            .take(now)
    }

    fn reset(&self) {
        self.stats.reset();
        match self.buckets.lock() {
            Ok(mut b) => b.clear(),
            Err(poisoned) => poisoned.into_inner().clear(),
        }
    }
}

/// Starts the proxy on 127.0.0.1 (an ephemeral port for `port` 0) as a task
/// of the current tokio runtime.
pub async fn start(config: ProxyConfig, port: u16) -> std::io::Result<FaultProxy> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let stats = Stats::default();
    let client = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(512)
        .build(HttpConnector::new());
    let shared = Arc::new(Shared {
        rng: Mutex::new(Rng(config.seed)),
        config,
        stats: stats.clone(),
        buckets: Mutex::new(HashMap::new()),
        client,
        cache: Mutex::new(HashMap::new()),
    });
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let shared = Arc::clone(&shared);
            tokio::spawn(async move {
                let _ = serve(stream, shared).await;
            });
        }
    });
    Ok(FaultProxy { addr, stats, task })
}

/// A request as read from the client.
struct Parsed {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Bytes,
    close: bool,
    service: String,
    region: String,
    operation: String,
}

impl Parsed {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The access key id of the SigV4 `Credential=` of the request.
    fn access_key_id(&self) -> String {
        self.header("authorization")
            .and_then(|auth| auth.split("Credential=").nth(1))
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_default()
            .to_string()
    }

    fn key(&self) -> String {
        format!("{}:{}", self.service, self.operation)
    }
}

/// What went wrong reading a request: the connection ends.
#[derive(Debug)]
struct Closed;

impl From<std::io::Error> for Closed {
    fn from(_: std::io::Error) -> Closed {
        Closed
    }
}

async fn serve(mut stream: TcpStream, shared: Arc<Shared>) -> Result<(), Closed> {
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    loop {
        let Some(req) = read_request(&mut stream, &mut buf).await? else {
            return Ok(());
        };
        if req.target.starts_with("/__proxy/") {
            let body = match (req.method.as_str(), req.target.as_str()) {
                ("POST", "/__proxy/reset") => {
                    shared.reset();
                    "{}".to_string()
                }
                _ => stats_json(&shared.stats),
            };
            let response = respond(
                200,
                &[("content-type", "application/json")],
                body.as_bytes(),
            );
            stream.write_all(&response).await?;
            if req.close {
                return Ok(());
            }
            continue;
        }
        let key = req.key();
        shared.stats.bump(&key, |s| s.requests += 1);
        let config = &shared.config;
        if let Some(refusal) = config
            .refusals
            .iter()
            .find(|r| r.operation == key && find(&req.body, r.body_contains.as_bytes()).is_some())
        {
            let response = aws_error(
                &req,
                refusal.status,
                &refusal.code,
                &refusal.code,
                &refusal.code,
                &refusal.message,
            );
            stream.write_all(&response).await?;
            if req.close {
                return Ok(());
            }
            continue;
        }
        let delay = {
            let base = config.latency.as_secs_f64();
            let jitter = config.jitter.as_secs_f64();
            (base + jitter * (2.0 * shared.draw() - 1.0)).max(0.0)
        };
        if delay > 0.0 {
            tokio::time::sleep(Duration::from_secs_f64(delay)).await;
        }
        let u = shared.draw();
        let response = if u < config.drop_fraction {
            shared.stats.bump(&key, |s| s.dropped += 1);
            // Close without an answer.
            return Ok(());
        } else if u < config.drop_fraction + config.throttle_fraction {
            shared.stats.bump(&key, |s| s.throttled += 1);
            throttling_error(&req)
        } else if u < config.drop_fraction + config.throttle_fraction + config.error_fraction {
            shared.stats.bump(&key, |s| s.errors_500 += 1);
            internal_error(&req)
        } else if !shared.admit(&req) {
            shared.stats.bump(&key, |s| {
                s.throttled += 1;
                s.rate_limited += 1;
            });
            throttling_error(&req)
        } else {
            shared.stats.bump(&key, |s| s.forwarded += 1);
            forward(&shared, &req).await
        };
        stream.write_all(&response).await?;
        if req.close {
            return Ok(());
        }
    }
}

fn stats_json(stats: &Stats) -> String {
    let value = serde_json::json!({
        "operations": stats.snapshot(),
        "total": stats.total(),
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads one request; `None` when the client closed the connection
/// between requests.
async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<Option<Parsed>, Closed> {
    let head_end = loop {
        if let Some(pos) = find(buf, b"\r\n\r\n") {
            break pos;
        }
        if buf.len() > 1 << 20 {
            return Err(Closed);
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(Closed)
            };
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_string();
    let target = request_line.next().unwrap_or("/").to_string();
    let version = request_line.next().unwrap_or("HTTP/1.1").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    buf.drain(..head_end + 4);
    let chunked = header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    let body = if chunked {
        read_chunked(stream, buf).await?
    } else {
        let len: usize = header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < len {
            let mut chunk = [0u8; 8192];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(Closed);
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        Bytes::from(buf.drain(..len).collect::<Vec<u8>>())
    };
    let close = match header("connection") {
        Some(v) if v.eq_ignore_ascii_case("close") => true,
        Some(v) if v.eq_ignore_ascii_case("keep-alive") => false,
        _ => version == "HTTP/1.0",
    };
    let mut parsed = Parsed {
        method,
        target,
        headers,
        body,
        close,
        service: String::new(),
        region: String::new(),
        operation: String::new(),
    };
    identify(&mut parsed);
    Ok(Some(parsed))
}

async fn read_chunked(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<Bytes, Closed> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(pos) = find(buf, b"\r\n") {
                break pos;
            }
            let mut chunk = [0u8; 8192];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(Closed);
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let size_text = String::from_utf8_lossy(&buf[..line_end]).to_string();
        let size_text = size_text.split(';').next().unwrap_or("").trim().to_string();
        let size = usize::from_str_radix(&size_text, 16).map_err(|_| Closed)?;
        buf.drain(..line_end + 2);
        // The chunk and its CRLF (for the last chunk: the empty trailer).
        while buf.len() < size + 2 {
            let mut chunk = [0u8; 8192];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(Closed);
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        body.extend(buf.drain(..size));
        buf.drain(..2);
        if size == 0 {
            return Ok(Bytes::from(body));
        }
    }
}

/// The value of `name` in an `application/x-www-form-urlencoded` string.
fn form_value(form: &str, name: &str) -> Option<String> {
    form.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.replace('+', " "))
    })
}

/// Service, region and operation of a request.
fn identify(req: &mut Parsed) {
    // Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request, ...
    if let Some(auth) = req.header("authorization").map(str::to_string)
        && let Some(scope) = auth.split("Credential=").nth(1)
    {
        let parts: Vec<&str> = scope.split(',').next().unwrap_or("").split('/').collect();
        if parts.len() >= 5 {
            req.region = parts[2].to_string();
            req.service = parts[3].to_string();
        }
    }
    let operation = if let Some(target) = req.header("x-amz-target") {
        target.rsplit('.').next().unwrap_or(target).to_string()
    } else if let Some(action) = req
        .target
        .split_once('?')
        .and_then(|(_, q)| form_value(q, "Action"))
        .or_else(|| form_value(&String::from_utf8_lossy(&req.body), "Action"))
    {
        action
    } else {
        rest_operation(&req.service, &req.method, &req.target)
    };
    req.operation = operation;
    if req.service.is_empty() {
        req.service = "unsigned".to_string();
    }
}

/// The operation of a REST request (AWS Backup is the one REST service the
/// scan calls); other paths are named by method and path.
fn rest_operation(service: &str, method: &str, target: &str) -> String {
    let path = target.split('?').next().unwrap_or(target);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if service == "backup" && method == "GET" {
        match segments.as_slice() {
            ["backup", "plans"] => return "ListBackupPlans".to_string(),
            ["backup", "plans", _] => return "GetBackupPlan".to_string(),
            ["backup", "plans", _, "selections"] => return "ListBackupSelections".to_string(),
            ["backup", "plans", _, "selections", _] => return "GetBackupSelection".to_string(),
            _ => {}
        }
    }
    format!("{method} {path}")
}

enum Protocol {
    /// `X-Amz-Target` JSON (DynamoDB, KMS, CloudTrail, Config, DAX).
    Json,
    /// awsquery XML (IAM, STS).
    Query,
    /// EC2's query dialect.
    Ec2,
    /// REST-JSON (AWS Backup).
    RestJson,
}

fn protocol(req: &Parsed) -> Protocol {
    if req.header("x-amz-target").is_some() {
        Protocol::Json
    } else if req.service == "ec2" {
        Protocol::Ec2
    } else if matches!(req.service.as_str(), "iam" | "sts")
        || req
            .header("content-type")
            .is_some_and(|c| c.contains("x-www-form-urlencoded"))
    {
        Protocol::Query
    } else {
        Protocol::RestJson
    }
}

fn respond(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        _ => "Unknown",
    };
    let mut out = format!("HTTP/1.1 {status} {reason}\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!(
        "x-amzn-requestid: fault-proxy\r\ncontent-length: {}\r\n\r\n",
        body.len()
    ));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// An AWS error of the request's protocol.
fn aws_error(
    req: &Parsed,
    status: u16,
    json_type: &str,
    query_code: &str,
    ec2_code: &str,
    message: &str,
) -> Vec<u8> {
    match protocol(req) {
        Protocol::Json => {
            let content_type = if req.service == "dynamodb" {
                "application/x-amz-json-1.0"
            } else {
                "application/x-amz-json-1.1"
            };
            let body = serde_json::json!({ "__type": json_type, "message": message }).to_string();
            respond(status, &[("content-type", content_type)], body.as_bytes())
        }
        Protocol::RestJson => {
            let short = json_type.rsplit('#').next().unwrap_or(json_type);
            let body = serde_json::json!({ "__type": short, "message": message }).to_string();
            respond(
                status,
                &[
                    ("content-type", "application/json"),
                    ("x-amzn-errortype", short),
                ],
                body.as_bytes(),
            )
        }
        Protocol::Query => {
            let kind = if status >= 500 { "Receiver" } else { "Sender" };
            let body = format!(
                "<ErrorResponse xmlns=\"https://{}.amazonaws.com/doc/\"><Error><Type>{kind}</Type><Code>{query_code}</Code><Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>",
                req.service
            );
            respond(status, &[("content-type", "text/xml")], body.as_bytes())
        }
        Protocol::Ec2 => {
            let body = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{ec2_code}</Code><Message>{message}</Message></Error></Errors><RequestID>fault-proxy</RequestID></Response>"
            );
            respond(status, &[("content-type", "text/xml")], body.as_bytes())
        }
    }
}

fn throttling_error(req: &Parsed) -> Vec<u8> {
    let json_type = if req.service == "dynamodb" {
        "com.amazonaws.dynamodb.v20120810#ThrottlingException"
    } else {
        "ThrottlingException"
    };
    aws_error(
        req,
        400,
        json_type,
        "Throttling",
        "RequestLimitExceeded",
        "Rate exceeded",
    )
}

fn internal_error(req: &Parsed) -> Vec<u8> {
    let json_type = if req.service == "dynamodb" {
        "com.amazonaws.dynamodb.v20120810#InternalServerError"
    } else {
        "InternalFailure"
    };
    aws_error(
        req,
        500,
        json_type,
        "InternalFailure",
        "InternalError",
        "injected by the fault proxy",
    )
}

const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
];

async fn forward(shared: &Shared, req: &Parsed) -> Vec<u8> {
    if !shared.config.cache {
        return forward_uncached(shared, req).await;
    }
    // Per credential, as the buckets: the answers of one account (the same
    // table names, the same `GetCallerIdentity` body) are not another's.
    let mut key = format!(
        "{} {} {} {} {}\n",
        req.access_key_id(),
        req.region,
        req.method,
        req.target,
        req.header("x-amz-target").unwrap_or("")
    )
    .into_bytes();
    key.extend_from_slice(&req.body);
    let cached = match shared.cache.lock() {
        Ok(cache) => cache.get(&key).cloned(),
        Err(poisoned) => poisoned.into_inner().get(&key).cloned(),
    };
    if let Some(response) = cached {
        return response;
    }
    let response = forward_uncached(shared, req).await;
    match shared.cache.lock() {
        Ok(mut cache) => cache.insert(key, response.clone()),
        Err(poisoned) => poisoned.into_inner().insert(key, response.clone()),
    };
    response
}

async fn forward_uncached(shared: &Shared, req: &Parsed) -> Vec<u8> {
    let upstream = shared
        .config
        .region_upstreams
        .get(&req.region)
        .unwrap_or(&shared.config.upstream);
    let uri = format!("{}{}", upstream.trim_end_matches('/'), req.target);
    let mut builder = http::Request::builder()
        .method(req.method.as_str())
        .uri(uri);
    for (k, v) in &req.headers {
        if !HOP_BY_HOP.contains(&k.to_ascii_lowercase().as_str()) {
            builder = builder.header(k.as_str(), v.as_str());
        }
    }
    let request = match builder.body(Full::new(req.body.clone())) {
        Ok(r) => r,
        Err(e) => {
            return respond(
                502,
                &[],
                format!("fault proxy: bad request: {e}").as_bytes(),
            );
        }
    };
    let response = match shared.client.request(request).await {
        Ok(r) => r,
        Err(e) => return respond(502, &[], format!("fault proxy: upstream: {e}").as_bytes()),
    };
    let status = response.status().as_u16();
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(k, _)| !HOP_BY_HOP.contains(&k.as_str()))
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let body = match response.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            return respond(
                502,
                &[],
                format!("fault proxy: upstream body: {e}").as_bytes(),
            );
        }
    };
    let mut out = format!("HTTP/1.1 {status} Relayed\r\n");
    for (k, v) in &headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&body);
    bytes
}

/// A port that never completes a TCP handshake: a listener with a full
/// accept queue that never accepts, so the kernel drops further SYNs, as a
/// firewall that blackholes a region's endpoint does. Connecting to it
/// ends in the client's connect timeout. Keep the value alive while in use.
pub struct Blackhole {
    /// `127.0.0.1:PORT`.
    pub addr: SocketAddr,
    _listener: TcpListener,
    _fillers: Vec<TcpStream>,
}

impl Blackhole {
    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Binds and fills the accept queue.
    pub async fn new() -> std::io::Result<Blackhole> {
        let socket = TcpSocket::new_v4()?;
        socket.bind("127.0.0.1:0".parse().map_err(std::io::Error::other)?)?;
        let listener = socket.listen(0)?;
        let addr = listener.local_addr()?;
        let mut fillers = Vec::new();
        // Fill the queue until a connect no longer completes at once.
        for _ in 0..8 {
            match tokio::time::timeout(Duration::from_millis(200), TcpStream::connect(addr)).await {
                Ok(Ok(stream)) => fillers.push(stream),
                _ => break,
            }
        }
        Ok(Blackhole {
            addr,
            _listener: listener,
            _fillers: fillers,
        })
    }
}
