//! The bad-input corpus: every case under `tests/bad_inputs/<name>/` is a
//! hostile or careless input (inventory, config, waivers, policy directory,
//! command line) run through the real binary. Each must end with its
//! expected exit code, its message must name the file and position where it
//! says so, and no case may panic (exit 101) or hang (killed after its
//! timeout).
//!
//! A case is a directory with a `case.toml`:
//!
//! ```toml
//! description = "a second \"eu-west-1\" key silently replaced the first"
//! args = ["eval", "inventory.json"]   # run in a copy of the case directory
//! exit = 2
//! stderr_contains = ["inventory.json:12:3", "duplicate key"]
//! # optional:
//! stdout_contains = []
//! stderr_excludes = []
//! unchanged = ["inventory.json"]      # files that must be byte-identical after the run
//! fifos = ["pipe.json"]               # named pipes created before the run
//! env = { NO_COLOR = "1" }
//! timeout_secs = 30
//! ```
//!
//! In an argument, `{case}` is replaced by the absolute path of the copy
//! and `{fixtures}` by that of the repository's `fixtures/` (e.g.
//! `{fixtures}/sample-estate.json`, a valid inventory).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_dynaudit");

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    description: String,
    args: Vec<String>,
    exit: i32,
    #[serde(default)]
    stderr_contains: Vec<String>,
    #[serde(default)]
    stdout_contains: Vec<String>,
    #[serde(default)]
    stderr_excludes: Vec<String>,
    #[serde(default)]
    unchanged: Vec<String>,
    #[serde(default)]
    fifos: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    timeout_secs: Option<u64>,
}

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs")
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Runs one case; returns what is wrong with its outcome, if anything.
fn run_case(name: &str, dir: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(dir.join("case.toml")).map_err(|e| e.to_string())?;
    let case: Case = toml::from_str(&text).map_err(|e| format!("case.toml: {e}"))?;
    let work = tempfile::tempdir().unwrap();
    let copy = work.path().join(name);
    copy_dir(dir, &copy);
    for fifo in &case.fifos {
        let status = Command::new("mkfifo").arg(copy.join(fifo)).status();
        if !status.is_ok_and(|s| s.success()) {
            return Err(format!("cannot create the fifo {fifo}"));
        }
    }
    let before: Vec<(String, Vec<u8>)> = case
        .unchanged
        .iter()
        .map(|f| (f.clone(), std::fs::read(copy.join(f)).unwrap_or_default()))
        .collect();
    let case_path = copy.to_string_lossy().to_string();
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| {
            a.replace("{case}", &case_path)
                .replace("{fixtures}", &fixtures().to_string_lossy())
        })
        .collect();
    let mut command = Command::new(BIN);
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().to_string();
        if key.starts_with("AWS_") || key.starts_with("DYNAUDIT_") {
            command.env_remove(key);
        }
    }
    let mut child = command
        .args(&args)
        .current_dir(&copy)
        .env("NO_COLOR", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/dynaudit-test/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/dynaudit-test/credentials",
        )
        .envs(&case.env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run dynaudit: {e}"))?;
    let mut stdout_pipe = child.stdout.take().unwrap();
    let mut stderr_pipe = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout_pipe.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr_pipe.read_to_end(&mut buf);
        buf
    });
    let timeout = Duration::from_secs(case.timeout_secs.unwrap_or(60));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "{name} ({}): hung: killed after {timeout:?}",
                case.description
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = String::from_utf8_lossy(&out_reader.join().unwrap()).to_string();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap()).to_string();
    let mut problems = Vec::new();
    if status.code() == Some(101) || stderr.contains("panicked at ") {
        problems.push("panicked".to_string());
    }
    if status.code() != Some(case.exit) {
        problems.push(format!("exit {:?}, expected {}", status.code(), case.exit));
    }
    for want in &case.stderr_contains {
        if !stderr.contains(want.as_str()) {
            problems.push(format!("stderr lacks {want:?}"));
        }
    }
    for want in &case.stdout_contains {
        if !stdout.contains(want.as_str()) {
            problems.push(format!("stdout lacks {want:?}"));
        }
    }
    for unwanted in &case.stderr_excludes {
        if stderr.contains(unwanted.as_str()) {
            problems.push(format!("stderr holds {unwanted:?}"));
        }
    }
    for (file, bytes) in before {
        if std::fs::read(copy.join(&file)).unwrap_or_default() != bytes {
            problems.push(format!("{file} was changed"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} ({})\n    args: {args:?}\n    {}\n    stderr: {}",
            name,
            case.description,
            problems.join("; "),
            stderr.trim_end().replace('\n', "\n            ")
        ))
    }
}

#[test]
fn every_bad_input_is_refused_cleanly() {
    let mut names: Vec<(String, PathBuf)> = std::fs::read_dir(corpus())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("case.toml").exists())
        .map(|e| (e.file_name().to_string_lossy().to_string(), e.path()))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no cases under tests/bad_inputs");
    // Cases run a few at a time: each is a process of its own.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let chunks: Vec<Vec<(String, PathBuf)>> = names
            .chunks(names.len().div_ceil(4).max(1))
            .map(<[_]>::to_vec)
            .collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|(name, dir)| run_case(name, dir).err())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    println!("{} bad-input cases, {} failed", names.len(), failures.len());
    assert!(
        failures.is_empty(),
        "{} of {} bad-input cases failed:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
}
