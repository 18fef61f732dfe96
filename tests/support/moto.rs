//! The AWS API emulator for integration tests: one `moto_server` per test
//! binary on 127.0.0.1, and one AWS account per test.
//!
//! moto is found through `DYNAUDIT_TEST_MOTO_SERVER`, which `scripts/test`
//! sets after installing moto into `.tools/venv`; without it the tests fail
//! (they never skip). The server is started on a free port the first time a
//! test asks for it and is stopped when the test process exits (a watchdog
//! shell kills it when its parent is gone, since statics are never dropped).
//!
//! Isolation: moto keeps separate state per account and picks the account
//! from credentials obtained with STS `AssumeRole` into that account. Each
//! [`TestAccount`] assumes a role in a fresh account id; its credentials
//! seed the emulator through the Rust SDK and are given to the `dynaudit`
//! binary through the environment, so tests run in parallel on one server.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::Credentials;

/// The running emulator of this test binary.
pub struct Moto {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    _child: Child,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self._child.kill();
        let _ = self._child.wait();
    }
}

fn moto_server_path() -> PathBuf {
    match std::env::var_os("DYNAUDIT_TEST_MOTO_SERVER") {
        Some(path) if !path.is_empty() => {
            let path = PathBuf::from(path);
            assert!(
                path.exists(),
                "DYNAUDIT_TEST_MOTO_SERVER={} does not exist: run the tests with `scripts/test`, which installs moto[server] 5.2.5 into .tools/venv",
                path.display()
            );
            path
        }
        _ => panic!(
            "DYNAUDIT_TEST_MOTO_SERVER is not set: run the tests with `scripts/test`, which installs the AWS emulator moto[server] 5.2.5 into .tools/venv and sets it"
        ),
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port on 127.0.0.1");
    listener.local_addr().expect("local address").port()
}

fn start() -> Moto {
    let server = moto_server_path();
    let port = free_port();
    // The watchdog: runs moto, and kills it once this test process is gone.
    let script = format!(
        "\"$0\" -H 127.0.0.1 -p {port} >/dev/null 2>&1 & child=$!; \
         while kill -0 {parent} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done; \
         kill $child 2>/dev/null; wait $child 2>/dev/null",
        parent = std::process::id()
    );
    let child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(&server)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", server.display()));
    let moto = Moto {
        endpoint: format!("http://127.0.0.1:{port}"),
        _child: child,
    };
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "moto_server ({}) did not listen on {addr} within 60 s",
            server.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    moto
}

/// The emulator of this test binary, started on first use.
pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(start)
}

/// An AWS account of its own in the emulator.
pub struct TestAccount {
    /// The 12-digit account id.
    pub account_id: String,
    /// Temporary credentials of a role in that account.
    pub credentials: Credentials,
    /// The emulator endpoint.
    pub endpoint: String,
}

/// A fresh account id: unique per process and per call.
fn next_account_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let pid = u64::from(std::process::id()) % 100_000;
    format!("{:012}", 200_000_000_000u64 + pid * 10_000 + n)
}

/// SDK configuration for the emulator with the given credentials.
pub fn sdk_config(endpoint: &str, credentials: Credentials, region: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
            credentials,
        ))
        .build()
}

/// The dummy credentials of the default account.
pub fn dummy_credentials() -> Credentials {
    Credentials::new(
        "AKIDDYNAUDITTEST",
        "dynaudit-test-secret",
        None,
        None,
        "test",
    )
}

impl TestAccount {
    /// Assumes a role in a new account.
    pub async fn new() -> TestAccount {
        let moto = moto();
        let account_id = next_account_id();
        let sts = aws_sdk_sts::Client::new(&sdk_config(
            &moto.endpoint,
            dummy_credentials(),
            "us-east-1",
        ));
        let out = sts
            .assume_role()
            .role_arn(format!("arn:aws:iam::{account_id}:role/dynaudit-test"))
            .role_session_name("dynaudit-test")
            .send()
            .await
            .expect("AssumeRole on the emulator");
        let c = out.credentials().expect("AssumeRole credentials");
        let credentials = Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            None,
            "moto-assumed-role",
        );
        TestAccount {
            account_id,
            credentials,
            endpoint: moto.endpoint.clone(),
        }
    }

    /// SDK configuration of this account in `region` (for seeding).
    pub fn config(&self, region: &str) -> SdkConfig {
        sdk_config(&self.endpoint, self.credentials.clone(), region)
    }

    /// The environment of a `dynaudit` run in this account: [`base_env`]
    /// and this account's credentials.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = base_env(&self.endpoint);
        env.push((
            "AWS_ACCESS_KEY_ID",
            self.credentials.access_key_id().to_string(),
        ));
        env.push((
            "AWS_SECRET_ACCESS_KEY",
            self.credentials.secret_access_key().to_string(),
        ));
        if let Some(token) = self.credentials.session_token() {
            env.push(("AWS_SESSION_TOKEN", token.to_string()));
        }
        env
    }

    /// The `dynaudit` binary with this account's credentials, the emulator
    /// endpoint, no shared config files, no instance metadata, and a small
    /// retry budget (what moto does not serve answers 500).
    pub fn dynaudit(&self) -> Command {
        let mut cmd = base_command(&self.endpoint);
        cmd.envs(self.env());
        cmd
    }
}

/// The AWS environment of a `dynaudit` run against the emulator, without
/// credentials: its endpoint, no shared config files, no instance metadata,
/// and a default region.
pub fn base_env(endpoint: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", endpoint.to_string()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_string()),
        (
            "AWS_CONFIG_FILE",
            "/nonexistent/dynaudit-test/config".to_string(),
        ),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/dynaudit-test/credentials".to_string(),
        ),
        ("AWS_REGION", "us-east-1".to_string()),
    ]
}

/// A config file in `dir` with a fast retry back-off (the emulator answers
/// 500 to what it does not serve) and no client-side rate limits (the
/// emulator has none; the limiter has its own tests).
pub fn fast_config(dir: &Path) -> PathBuf {
    let path = dir.join("dynaudit.toml");
    std::fs::write(
        &path,
        "[scan]\nmax_attempts = 2\ninitial_backoff_ms = 20\n\n[scan.rate_limits]\nenabled = false\n",
    )
    .unwrap();
    path
}

/// The binary with the emulator's endpoint and a clean AWS environment but
/// no credentials.
pub fn base_command(endpoint: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dynaudit"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(key);
        }
    }
    cmd.envs(base_env(endpoint))
        .env_remove("DYNAUDIT_RECORD_OPERATIONS")
        .env_remove("DYNAUDIT_RECORD_CALLS");
    cmd
}
