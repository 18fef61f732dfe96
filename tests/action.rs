//! The GitHub Action (`action.yml`) end to end, run here the way the
//! GitHub runner runs a composite action: its steps in order, each `run:`
//! step with its `shell`, its `env:` evaluated, `GITHUB_OUTPUT`,
//! `GITHUB_ENV`, `GITHUB_PATH` and `GITHUB_STEP_SUMMARY` honoured, `if:`
//! conditions evaluated, and a step failure ending the job. The only
//! expressions allowed in the action are the few this harness knows
//! (`inputs.*`, `steps.*.outputs.*`, `github.action_*`, `runner.*`): any
//! other fails the test, so the action cannot grow an expression that was
//! never exercised here. The code scanning upload (`uses:`) is replaced by
//! checks of what it would upload: the file exists, passes the Microsoft
//! SARIF multitool (GitHub's rule kind), and carries the category.
//!
//! The install step gets the binary under test from a `file://` release
//! directory (`DYNAUDIT_RELEASE_BASE_URL`): a `.tar.gz` with its `.sha256`,
//! packaged by the Package step of `.github/workflows/release.yml` itself,
//! so the names the release publishes are the names the action downloads.
//! The GitHub CLI is a stand-in that the harness puts first on `PATH`
//! (a real `gh` would need GitHub): by default one whose `attestation
//! verify` passes for the release asset ([`Gh`]).
//!
//! The harness also reads every line the steps print the way the runner
//! does for workflow commands (`::NAME ...::DATA` at the start of a line,
//! `##[NAME ...]DATA` anywhere in it, `::stop-commands::` and its resume
//! token), and fails any run in which the runner would act on a command the
//! action did not mean: only its own `error` and `warning` annotations and
//! its own stop / resume pairs are allowed ([`check_workflow_commands`]).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use support::moto::{TestAccount, fast_config};
use support::seed::{TableSpec, create_table};

const TAG: &str = "v0.1.0";
const ACTION_REPOSITORY: &str = "dynaudit/dynaudit";
const SAMPLE: &str = "fixtures/sample-estate.json";
const UPLOAD_SARIF: &str = "github/codeql-action/upload-sarif@";
/// What `github.token` is in the harness.
const GITHUB_TOKEN: &str = "ghs_harness-token";
/// `GITHUB_REPOSITORY` and `GITHUB_SHA` of the workflow run.
const HARNESS_REPOSITORY: &str = "octo-org/audits";
const HARNESS_SHA: &str = "0123456789abcdef0123456789abcdef01234567";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn action() -> serde_yaml_ng::Value {
    let text = std::fs::read_to_string(root().join("action.yml")).expect("read action.yml");
    serde_yaml_ng::from_str(&text).expect("action.yml is YAML")
}

fn string(value: &serde_yaml_ng::Value) -> Option<String> {
    match value {
        serde_yaml_ng::Value::String(s) => Some(s.clone()),
        serde_yaml_ng::Value::Bool(b) => Some(b.to_string()),
        serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `RUNNER_OS`, `RUNNER_ARCH` and the release target of this machine.
fn runner_platform() -> (&'static str, &'static str, &'static str) {
    match std::env::consts::ARCH {
        "aarch64" => ("Linux", "ARM64", "aarch64-unknown-linux-musl"),
        _ => ("Linux", "X64", "x86_64-unknown-linux-musl"),
    }
}

/// The SHA-256 of a file, lower-case hex.
fn sha256_hex(path: &Path) -> String {
    use sha2::Digest;
    let bytes = std::fs::read(path).unwrap();
    sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A release directory as the release workflow publishes it, holding the
/// binary under test: `<dir>/v0.1.0/dynaudit-<target>.tar.gz` and its
/// `.sha256`, made by release.yml's own packaging script. Made once per test
/// process (the tarball of a debug build is large).
fn release_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // The system's temporary directory, not the target directory (which
        // CI caches).
        let scratch = std::env::temp_dir();
        // Leftovers of earlier runs (statics are never dropped), except
        // those of test processes still running.
        if let Ok(entries) = std::fs::read_dir(&scratch) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                if let Some(pid) = name.strip_prefix("dynaudit-action-release-")
                    && !Path::new("/proc").join(pid).exists()
                {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let dir = scratch.join(format!("dynaudit-action-release-{}", std::process::id()));
        let (_, _, target) = runner_platform();
        // A checkout with the binary where `cargo build --release --target`
        // leaves it, packaged by the release workflow's own Package step.
        let checkout = dir.join("checkout");
        let built = checkout.join("target").join(target).join("release");
        std::fs::create_dir_all(&built).unwrap();
        std::fs::copy(env!("CARGO_BIN_EXE_dynaudit"), built.join("dynaudit")).unwrap();
        std::fs::copy(root().join("README.md"), checkout.join("README.md")).unwrap();
        let (script, env) = release_package_step(target);
        let out = Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
            .current_dir(&checkout)
            .envs(env)
            .output()
            .expect("run the release workflow's Package step");
        assert!(
            out.status.success(),
            "the Package step of release.yml failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::rename(checkout.join("dist"), dir.join(TAG)).unwrap();
        // The checksum file is sha256sum's format for the asset.
        let asset = format!("dynaudit-{target}.tar.gz");
        let checksum = std::fs::read_to_string(dir.join(TAG).join(format!("{asset}.sha256")))
            .expect("the Package step writes a .sha256 beside the asset");
        assert_eq!(
            checksum,
            format!("{}  {asset}\n", sha256_hex(&dir.join(TAG).join(&asset)))
        );
        dir
    })
}

/// The binary under test, as copied at the start of the run.
fn binary_copy() -> PathBuf {
    let (_, _, target) = runner_platform();
    release_dir()
        .join("checkout/target")
        .join(target)
        .join("release/dynaudit")
}

/// The `run:` script and environment of the Package step of
/// `.github/workflows/release.yml`'s build job, for `target` (which must be
/// in its matrix).
fn release_package_step(target: &str) -> (String, Vec<(String, String)>) {
    let text = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    let workflow: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    let build = &workflow["jobs"]["build"];
    let targets: Vec<&str> = build["strategy"]["matrix"]["include"]
        .as_sequence()
        .expect("a matrix of targets")
        .iter()
        .map(|entry| entry["target"].as_str().unwrap())
        .collect();
    assert!(targets.contains(&target), "release.yml builds {targets:?}");
    let step = build["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|step| step["name"].as_str() == Some("Package"))
        .expect("release.yml's build job has a Package step");
    let env = step["env"]
        .as_mapping()
        .map(|env| {
            env.iter()
                .map(|(key, value)| {
                    let value = value.as_str().unwrap();
                    assert_eq!(value, "${{ matrix.target }}", "Package step env");
                    (key.as_str().unwrap().to_string(), target.to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    (step["run"].as_str().unwrap().to_string(), env)
}

/// release.yml builds exactly the targets install.sh downloads.
#[test]
fn the_release_builds_what_the_install_downloads() {
    let text = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    let workflow: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    let mut released: Vec<&str> = workflow["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|entry| entry["target"].as_str().unwrap())
        .collect();
    released.sort_unstable();
    let install = std::fs::read_to_string(root().join("action/install.sh")).unwrap();
    let mut downloaded: Vec<&str> = install
        .lines()
        .filter_map(|line| line.trim().split_once(") target="))
        .map(|(_, rest)| rest.split_whitespace().next().unwrap())
        .collect();
    downloaded.sort_unstable();
    assert_eq!(released, downloaded);
    assert_eq!(released.len(), 4);
}

/// A copy of the release directory whose checksum file does not match.
fn tampered_release_dir(into: &Path) -> PathBuf {
    let (_, _, target) = runner_platform();
    let asset = format!("dynaudit-{target}.tar.gz");
    let tagged = into.join(TAG);
    std::fs::create_dir_all(&tagged).unwrap();
    std::fs::hard_link(release_dir().join(TAG).join(&asset), tagged.join(&asset))
        .or_else(|_| {
            std::fs::copy(release_dir().join(TAG).join(&asset), tagged.join(&asset)).map(|_| ())
        })
        .unwrap();
    std::fs::write(
        tagged.join(format!("{asset}.sha256")),
        format!("{}  {asset}\n", "0".repeat(64)),
    )
    .unwrap();
    into.to_path_buf()
}

fn file_url(dir: &Path) -> String {
    format!("file://{}/", dir.display())
}

// ---------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------

/// One run of the action, set up like a GitHub-hosted runner job.
struct Runner {
    temp: tempfile::TempDir,
    /// `RUNNER_TEMP`.
    runner_temp: PathBuf,
    /// `GITHUB_WORKSPACE` and the working directory of every step.
    workspace: PathBuf,
    inputs: BTreeMap<String, String>,
    env: BTreeMap<String, String>,
    /// `github.action_ref` and `github.action_repository` (the runner does
    /// not always fill them in composite actions).
    action_ref: String,
    action_repository: String,
    /// `GITHUB_ACTION_PATH`: where the runner checked the action out.
    action_path: PathBuf,
    /// The GitHub CLI on the runner.
    gh: Gh,
    /// Stand-in programs put first on `PATH`: name -> bash script.
    stand_ins: BTreeMap<String, String>,
}

/// The GitHub CLI the steps find on `PATH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gh {
    /// A stand-in whose `attestation verify` passes for the release asset
    /// of the harness (and fails for any other file); its arguments and
    /// `GH_TOKEN` are logged to `runner-files/gh-args`.
    Verifies,
    /// A stand-in whose `attestation verify` fails, printing workflow
    /// commands on the way.
    Refuses,
    /// No `gh` on `PATH` at all (a real one is hidden).
    Absent,
}

/// What happened to one step.
#[derive(Debug)]
struct StepRun {
    name: String,
    /// `None`: skipped by its `if:`.
    exit: Option<i32>,
    stdout: String,
    stderr: String,
}

/// What the upload step would have uploaded.
#[derive(Debug)]
struct Upload {
    sarif_file: PathBuf,
    category: String,
}

/// The outcome of a run.
#[derive(Debug)]
struct Job {
    steps: Vec<StepRun>,
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    /// The action's outputs (`outputs.*.value`).
    action_outputs: BTreeMap<String, String>,
    uploads: Vec<Upload>,
    /// The workflow commands the runner would have acted on.
    commands: Vec<WorkflowCommand>,
    summary: String,
    /// `GITHUB_WORKSPACE`, against which relative paths resolve.
    workspace: PathBuf,
    /// `RUNNER_TEMP`.
    runner_temp: PathBuf,
}

impl Job {
    /// A path output, resolved against the workspace as the steps see it.
    fn path(&self, name: &str) -> PathBuf {
        self.workspace.join(self.output(name))
    }

    /// Whether every step that ran succeeded.
    fn succeeded(&self) -> bool {
        self.steps.iter().all(|s| s.exit.is_none_or(|c| c == 0))
    }

    fn step(&self, name_part: &str) -> &StepRun {
        self.steps
            .iter()
            .find(|s| s.name.contains(name_part))
            .unwrap_or_else(|| panic!("no step named like {name_part:?}: {self:#?}"))
    }

    fn output(&self, name: &str) -> &str {
        self.action_outputs
            .get(name)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("no action output {name}: {:#?}", self.action_outputs))
    }

    fn log(&self) -> String {
        self.steps
            .iter()
            .map(|s| {
                format!(
                    "--- {} (exit {:?})\n{}{}",
                    s.name, s.exit, s.stdout, s.stderr
                )
            })
            .collect()
    }
}

impl Runner {
    fn new() -> Runner {
        let temp = tempfile::tempdir().unwrap();
        let runner_temp = temp.path().join("runner-temp");
        let workspace = temp.path().join("workspace");
        std::fs::create_dir_all(&runner_temp).unwrap();
        std::fs::create_dir_all(&workspace).unwrap();
        let mut env = BTreeMap::new();
        env.insert(
            "DYNAUDIT_RELEASE_BASE_URL".to_string(),
            file_url(release_dir()),
        );
        Runner {
            temp,
            runner_temp,
            workspace,
            inputs: BTreeMap::new(),
            env,
            action_ref: TAG.to_string(),
            action_repository: ACTION_REPOSITORY.to_string(),
            action_path: root(),
            gh: Gh::Verifies,
            stand_ins: BTreeMap::new(),
        }
    }

    /// Puts a stand-in program (a bash script) first on `PATH`.
    fn stand_in(&mut self, name: &str, script: impl Into<String>) -> &mut Runner {
        self.stand_ins.insert(name.to_string(), script.into());
        self
    }

    /// The file the stand-in `gh` logs its arguments to.
    fn gh_log(&self) -> PathBuf {
        self.temp.path().join("runner-files/gh-args")
    }

    /// A directory with the stand-in programs, first on the steps' `PATH`,
    /// and the rest of `PATH` (without any `gh` when it is [`Gh::Absent`]).
    fn search_path(&self) -> Vec<String> {
        let dir = self.temp.path().join("stand-ins");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut programs = self.stand_ins.clone();
        let (_, _, target) = runner_platform();
        let asset_sha = sha256_hex(
            &release_dir()
                .join(TAG)
                .join(format!("dynaudit-{target}.tar.gz")),
        );
        let log = self.gh_log();
        match self.gh {
            Gh::Verifies => {
                programs.entry("gh".to_string()).or_insert(format!(
                    "#!/usr/bin/env bash\n\
                     {{ printf '%s\\n' \"$@\"; printf 'GH_TOKEN=%s\\n' \"${{GH_TOKEN:-}}\"; }} >'{log}'\n\
                     [ \"$1 $2\" = 'attestation verify' ] || exit 64\n\
                     if [ \"$(sha256sum \"$3\" | cut -d ' ' -f 1)\" != '{asset_sha}' ]; then\n\
                       echo 'stand-in gh: no attestation for this file'; exit 1\n\
                     fi\n\
                     echo 'Loaded digest sha256:{asset_sha}'\n\
                     echo 'Verification succeeded!'\n",
                    log = log.display(),
                ));
            }
            Gh::Refuses => {
                programs.entry("gh".to_string()).or_insert(format!(
                    "#!/usr/bin/env bash\n\
                     printf '%s\\n' \"$@\" >'{log}'\n\
                     echo '::add-mask::dynaudit-gh-output'\n\
                     echo 'no attestation ##[add-mask]dynaudit-gh-output' >&2\n\
                     echo '::warning file=README.md,line=1::forged by gh'\n\
                     echo 'Error: no attestations found for subject' >&2\n\
                     exit 1\n",
                    log = log.display(),
                ));
            }
            Gh::Absent => {}
        }
        for (name, script) in &programs {
            let path = dir.join(name);
            std::fs::write(&path, script).unwrap();
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
                .unwrap();
        }
        let mut search_path = vec![dir.display().to_string()];
        for (i, entry) in std::env::var("PATH")
            .unwrap_or_default()
            .split(':')
            .enumerate()
        {
            let entry_dir = Path::new(entry);
            if self.gh == Gh::Absent && entry_dir.join("gh").exists() {
                // The directory without its gh: a copy of links to the rest.
                let shadow = self.temp.path().join(format!("path-without-gh-{i}"));
                let _ = std::fs::remove_dir_all(&shadow);
                std::fs::create_dir_all(&shadow).unwrap();
                for file in std::fs::read_dir(entry_dir).unwrap().flatten() {
                    if file.file_name() != "gh" {
                        let _ =
                            std::os::unix::fs::symlink(file.path(), shadow.join(file.file_name()));
                    }
                }
                search_path.push(shadow.display().to_string());
            } else {
                search_path.push(entry.to_string());
            }
        }
        search_path
    }

    fn input(&mut self, name: &str, value: impl Into<String>) -> &mut Runner {
        self.inputs.insert(name.to_string(), value.into());
        self
    }

    fn env(&mut self, name: &str, value: impl Into<String>) -> &mut Runner {
        self.env.insert(name.to_string(), value.into());
        self
    }

    /// The AWS environment of `account` in the emulator, as
    /// aws-actions/configure-aws-credentials would leave it.
    fn aws(&mut self, account: &TestAccount) -> &mut Runner {
        for (key, value) in account.env() {
            self.env(key, value);
        }
        self
    }

    /// Runs the action's steps in order, as the runner does.
    fn run(&self) -> Job {
        let action = action();
        assert_eq!(
            action["runs"]["using"].as_str(),
            Some("composite"),
            "a composite action"
        );
        // Inputs: declared defaults, then what the workflow passes.
        let mut inputs = BTreeMap::new();
        let declared = action["inputs"].as_mapping().expect("inputs");
        for (name, spec) in declared {
            let name = name.as_str().unwrap().to_string();
            inputs.insert(name, string(&spec["default"]).unwrap_or_default());
        }
        for (name, value) in &self.inputs {
            assert!(
                inputs.contains_key(name),
                "the test passes an input action.yml does not declare: {name}"
            );
            inputs.insert(name.clone(), value.clone());
        }

        let step_ids: Vec<String> = action["runs"]["steps"]
            .as_sequence()
            .expect("steps")
            .iter()
            .filter_map(|step| step["id"].as_str().map(str::to_string))
            .collect();
        let (os, arch, _) = runner_platform();
        let files = self.temp.path().join("runner-files");
        std::fs::create_dir_all(&files).unwrap();
        let summary_path = files.join("step_summary.md");
        std::fs::write(&summary_path, "").unwrap();
        let mut path_additions: Vec<String> = Vec::new();
        let mut exported_env: BTreeMap<String, String> = BTreeMap::new();
        let mut outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut steps = Vec::new();
        let mut uploads = Vec::new();
        let mut failed = false;
        let base_path = self.search_path();
        let mut commands = Vec::new();
        let mut stop_token: Option<String> = None;

        let context =
            |outputs: &BTreeMap<String, BTreeMap<String, String>>, expression: &str| -> String {
                let expression = expression.trim();
                if let Some(name) = expression.strip_prefix("inputs.") {
                    return inputs
                        .get(name)
                        .unwrap_or_else(|| panic!("action.yml uses undeclared input {name}"))
                        .clone();
                }
                if let Some(rest) = expression.strip_prefix("steps.") {
                    let (id, output) = rest
                        .split_once(".outputs.")
                        .unwrap_or_else(|| panic!("unsupported expression {expression:?}"));
                    assert!(
                        step_ids.iter().any(|s| s == id),
                        "action.yml reads the outputs of a step it does not have: {expression}"
                    );
                    return outputs
                        .get(id)
                        .and_then(|o| o.get(output))
                        .cloned()
                        .unwrap_or_default();
                }
                match expression {
                    "github.action_path" => self.action_path.display().to_string(),
                    "github.action_ref" => self.action_ref.clone(),
                    "github.action_repository" => self.action_repository.clone(),
                    "github.token" => GITHUB_TOKEN.to_string(),
                    "runner.temp" => self.runner_temp.display().to_string(),
                    "runner.os" => os.to_string(),
                    "runner.arch" => arch.to_string(),
                    other => panic!(
                        "action.yml uses an expression this harness does not evaluate: {other:?}"
                    ),
                }
            };
        let interpolate =
            |outputs: &BTreeMap<String, BTreeMap<String, String>>, text: &str| -> String {
                let mut result = String::new();
                let mut rest = text;
                while let Some(start) = rest.find("${{") {
                    result.push_str(&rest[..start]);
                    let end = rest[start..]
                        .find("}}")
                        .unwrap_or_else(|| panic!("unterminated expression in {text:?}"));
                    result.push_str(&context(outputs, &rest[start + 3..start + end]));
                    rest = &rest[start + end + 2..];
                }
                result.push_str(rest);
                result
            };
        // `if:` of the forms `EXPR == 'literal'` and `EXPR != 'literal'`
        // (string comparison is case-insensitive in GitHub expressions).
        let condition =
            |outputs: &BTreeMap<String, BTreeMap<String, String>>, text: &str| -> bool {
                let text = text.trim();
                let text = text
                    .strip_prefix("${{")
                    .and_then(|t| t.strip_suffix("}}"))
                    .unwrap_or(text)
                    .trim();
                let (left, negate, right) = if let Some((l, r)) = text.split_once("==") {
                    (l, false, r)
                } else if let Some((l, r)) = text.split_once("!=") {
                    (l, true, r)
                } else {
                    panic!("unsupported if: {text:?}")
                };
                let literal = right
                    .trim()
                    .strip_prefix('\'')
                    .and_then(|r| r.strip_suffix('\''))
                    .unwrap_or_else(|| panic!("unsupported if: {text:?}"));
                let equal = context(outputs, left).eq_ignore_ascii_case(literal);
                equal != negate
            };

        for (index, step) in action["runs"]["steps"]
            .as_sequence()
            .expect("steps")
            .iter()
            .enumerate()
        {
            let name = step["name"]
                .as_str()
                .map_or_else(|| format!("step {index}"), str::to_string);
            // A failed step ends the job: the steps after it (none of ours
            // has `if: always()`) are skipped.
            let wanted = !failed
                && step["if"]
                    .as_str()
                    .is_none_or(|text| condition(&outputs, text));
            if !wanted {
                steps.push(StepRun {
                    name,
                    exit: None,
                    stdout: String::new(),
                    stderr: String::new(),
                });
                continue;
            }
            if let Some(uses) = step["uses"].as_str() {
                let pinned = uses
                    .strip_prefix(UPLOAD_SARIF)
                    .unwrap_or_else(|| panic!("unexpected uses: {uses}"));
                assert!(
                    pinned.len() == 40 && pinned.chars().all(|c| c.is_ascii_hexdigit()),
                    "upload-sarif is pinned by a full commit SHA: {uses}"
                );
                let with = &step["with"];
                let sarif_file = interpolate(&outputs, with["sarif_file"].as_str().unwrap());
                let category = with["category"]
                    .as_str()
                    .map(|c| interpolate(&outputs, c))
                    .unwrap_or_default();
                let sarif_file = self.workspace.join(sarif_file);
                let exists = sarif_file.is_file();
                uploads.push(Upload {
                    sarif_file,
                    category,
                });
                steps.push(StepRun {
                    name,
                    exit: Some(if exists { 0 } else { 1 }),
                    stdout: String::new(),
                    stderr: if exists {
                        String::new()
                    } else {
                        "sarif_file does not exist".to_string()
                    },
                });
                failed |= !exists;
                continue;
            }
            let script = step["run"]
                .as_str()
                .unwrap_or_else(|| panic!("step {name} has neither run nor uses"));
            assert!(
                !script.contains("${{"),
                "step {name} pastes an expression into shell code; pass it through env:"
            );
            let shell = step["shell"]
                .as_str()
                .unwrap_or_else(|| panic!("composite run step {name} needs a shell"));
            assert_eq!(shell, "bash", "step {name}: only bash is used");

            let step_files = files.join(format!("step-{index}"));
            std::fs::create_dir_all(&step_files).unwrap();
            let output_file = step_files.join("output");
            let env_file = step_files.join("env");
            let path_file = step_files.join("path");
            for f in [&output_file, &env_file, &path_file] {
                std::fs::write(f, "").unwrap();
            }
            let script_file = step_files.join("script.sh");
            std::fs::write(&script_file, script).unwrap();

            let mut cmd = Command::new("bash");
            // What GitHub runs for `shell: bash`.
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script_file)
                .current_dir(&self.workspace)
                .env_clear();
            let mut search_path: Vec<String> = path_additions.iter().rev().cloned().collect();
            search_path.extend(base_path.iter().cloned());
            cmd.env("PATH", search_path.join(":"))
                .env("HOME", self.temp.path())
                .env("CI", "true")
                .env("GITHUB_ACTIONS", "true")
                .env("GITHUB_ACTION_PATH", &self.action_path)
                .env("GITHUB_WORKSPACE", &self.workspace)
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_ENV", &env_file)
                .env("GITHUB_PATH", &path_file)
                .env("GITHUB_STEP_SUMMARY", &summary_path)
                .env("RUNNER_OS", os)
                .env("RUNNER_ARCH", arch)
                .env("RUNNER_TEMP", &self.runner_temp)
                .env("GITHUB_API_URL", "https://api.github.com")
                .env("GITHUB_REPOSITORY", HARNESS_REPOSITORY)
                .env("GITHUB_SHA", HARNESS_SHA)
                .env("GITHUB_REF", "refs/heads/main")
                .env("NO_COLOR", "1");
            for (key, value) in self.env.iter().chain(&exported_env) {
                cmd.env(key, value);
            }
            if let Some(env) = step["env"].as_mapping() {
                for (key, value) in env {
                    let value = interpolate(&outputs, &string(value).unwrap_or_default());
                    cmd.env(key.as_str().unwrap(), value);
                }
            }
            let out = cmd.output().expect("run bash");
            let exit = out.status.code().unwrap_or(-1);
            failed |= exit != 0;

            if let Some(id) = step["id"].as_str() {
                outputs.insert(
                    id.to_string(),
                    parse_github_file(&std::fs::read_to_string(&output_file).unwrap()),
                );
            }
            exported_env.extend(parse_github_file(
                &std::fs::read_to_string(&env_file).unwrap(),
            ));
            path_additions.extend(
                std::fs::read_to_string(&path_file)
                    .unwrap()
                    .lines()
                    .filter(|l| !l.is_empty())
                    .map(str::to_string),
            );
            let step = StepRun {
                name,
                exit: Some(exit),
                stdout: String::from_utf8_lossy(&out.stdout).to_string(),
                stderr: String::from_utf8_lossy(&out.stderr).to_string(),
            };
            read_workflow_commands(&step, &mut stop_token, &mut commands);
            steps.push(step);
        }

        let mut action_outputs = BTreeMap::new();
        for (name, spec) in action["outputs"].as_mapping().expect("outputs") {
            let value = spec["value"].as_str().expect("output value");
            action_outputs.insert(
                name.as_str().unwrap().to_string(),
                interpolate(&outputs, value),
            );
        }
        let job = Job {
            steps,
            outputs,
            action_outputs,
            uploads,
            commands,
            summary: std::fs::read_to_string(&summary_path).unwrap(),
            workspace: self.workspace.clone(),
            runner_temp: self.runner_temp.clone(),
        };
        check_workflow_commands(&job);
        job
    }
}

/// Parses a `GITHUB_OUTPUT` / `GITHUB_ENV` file as the runner does
/// (`FileCommandManager`): lines end at LF; in a line, whichever of `=` and
/// `<<` comes first decides between `NAME=value` and a `NAME<<DELIMITER`
/// block, whose value is everything up to a line that is exactly the
/// delimiter; later values win.
fn parse_github_file(text: &str) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let equals = line.find('=');
        let heredoc = line.find("<<");
        match (equals, heredoc) {
            (Some(e), h) if h.is_none_or(|h| e < h) => {
                values.insert(line[..e].to_string(), line[e + 1..].to_string());
            }
            (_, Some(h)) => {
                let (name, delimiter) = (&line[..h], &line[h + 2..]);
                assert!(
                    !name.is_empty() && !delimiter.is_empty(),
                    "invalid line in a GitHub command file: {line:?}"
                );
                let mut value = Vec::new();
                loop {
                    let next = lines.next().unwrap_or_else(|| {
                        panic!("Matching delimiter not found {delimiter:?} (output {name})")
                    });
                    if next == delimiter {
                        break;
                    }
                    value.push(next);
                }
                values.insert(name.to_string(), value.join("\n"));
            }
            _ => panic!("malformed line in a GitHub command file: {line:?}"),
        }
    }
    values
}

// ---------------------------------------------------------------------------
// Workflow commands, as the runner reads them from a step's output
// ---------------------------------------------------------------------------

/// The commands the runner registers (`ActionCommandManager`); a stop
/// token is registered while commands are stopped.
const RUNNER_COMMANDS: &[&str] = &[
    "add-mask",
    "add-matcher",
    "remove-matcher",
    "debug",
    "notice",
    "warning",
    "error",
    "group",
    "endgroup",
    "echo",
    "set-output",
    "set-env",
    "add-path",
    "save-state",
    "stop-commands",
];

/// A workflow command the runner acted on.
#[derive(Debug, Clone, PartialEq, Eq)]
struct WorkflowCommand {
    /// The step that printed it.
    step: String,
    /// `stdout` or `stderr`.
    stream: &'static str,
    /// Its name (`resume` for the token that resumes stopped commands).
    command: String,
    properties: BTreeMap<String, String>,
    data: String,
}

/// Lines as the runner reads a process's output: ended by LF, CR or CRLF.
fn runner_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = text;
    while let Some(end) = rest.find(['\r', '\n']) {
        lines.push(&rest[..end]);
        let skip = if rest[end..].starts_with("\r\n") {
            2
        } else {
            1
        };
        rest = &rest[end + skip..];
    }
    if !rest.is_empty() {
        lines.push(rest);
    }
    lines
}

fn unescape(text: &str, mappings: &[(&str, &str)]) -> String {
    let mut text = text.to_string();
    for (escaped, raw) in mappings {
        text = text.replace(escaped, raw);
    }
    text
}

const DATA_ESCAPES: &[(&str, &str)] = &[("%0D", "\r"), ("%0A", "\n"), ("%25", "%")];
const PROPERTY_ESCAPES: &[(&str, &str)] = &[
    ("%0D", "\r"),
    ("%0A", "\n"),
    ("%3A", ":"),
    ("%2C", ","),
    ("%25", "%"),
];
const V1_ESCAPES: &[(&str, &str)] = &[
    ("%3B", ";"),
    ("%0D", "\r"),
    ("%0A", "\n"),
    ("%5D", "]"),
    ("%25", "%"),
];

/// A line parsed as the runner does (`ActionCommand.TryParseV2`, then
/// `TryParse`): name, properties and data of a registered command.
fn parse_command(
    line: &str,
    registered: &dyn Fn(&str) -> bool,
) -> Option<(String, BTreeMap<String, String>, String)> {
    // `::name k=v,k=v::data`, at the start of the line after blanks.
    let v2 = line.trim_start();
    if let Some(after) = v2.strip_prefix("::")
        && let Some(end) = after.find("::")
    {
        let info = &after[..end];
        let (name, props) = info.split_once(' ').unwrap_or((info, ""));
        if registered(name) {
            let properties = props
                .trim()
                .split(',')
                .filter_map(|p| p.split_once('='))
                .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                .map(|(k, v)| (k.to_string(), unescape(v, PROPERTY_ESCAPES)))
                .collect();
            return Some((
                name.to_string(),
                properties,
                unescape(&after[end + 2..], DATA_ESCAPES),
            ));
        }
    }
    // `##[name k=v;k=v]data`, anywhere in the line.
    let start = line.find("##[")?;
    let end = start + line[start..].find(']')?;
    let info = &line[start + 3..end];
    let (name, props) = info.split_once(' ').unwrap_or((info, ""));
    if !registered(name) {
        return None;
    }
    let properties = props
        .split(';')
        .filter_map(|p| p.split_once('='))
        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        .map(|(k, v)| (k.to_string(), unescape(v, V1_ESCAPES)))
        .collect();
    Some((
        name.to_string(),
        properties,
        unescape(&line[end + 1..], V1_ESCAPES),
    ))
}

/// Reads a step's output for workflow commands. Standard output is read in
/// order, with `::stop-commands::TOKEN` ... `::TOKEN::` honoured. The
/// runner reads standard error concurrently, in no fixed order with
/// standard output, so each of its lines is read as if commands were not
/// stopped.
fn read_workflow_commands(
    step: &StepRun,
    stop_token: &mut Option<String>,
    commands: &mut Vec<WorkflowCommand>,
) {
    let known = |name: &str| RUNNER_COMMANDS.iter().any(|c| c.eq_ignore_ascii_case(name));
    for line in runner_lines(&step.stdout) {
        let token = stop_token.clone();
        let registered = |name: &str| {
            known(name)
                || token
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case(name))
        };
        let Some((command, properties, data)) = parse_command(line, &registered) else {
            continue;
        };
        let command = match &token {
            Some(token) if token.eq_ignore_ascii_case(&command) => {
                *stop_token = None;
                "resume".to_string()
            }
            Some(_) => continue,
            None => {
                if command.eq_ignore_ascii_case("stop-commands") {
                    *stop_token = Some(data.clone());
                }
                command
            }
        };
        commands.push(WorkflowCommand {
            step: step.name.clone(),
            stream: "stdout",
            command,
            properties,
            data,
        });
    }
    for line in runner_lines(&step.stderr) {
        if let Some((command, properties, data)) = parse_command(line, &known) {
            commands.push(WorkflowCommand {
                step: step.name.clone(),
                stream: "stderr",
                command,
                properties,
                data,
            });
        }
    }
}

/// The runner acts only on the commands the action means: its own `error`
/// and `warning` annotations (title `dynaudit` or `dynaudit install`, no
/// other property) and its own stops of workflow commands, each with a
/// 32-hex-digit token, printed on standard output and resumed in the same
/// step.
fn check_workflow_commands(job: &Job) {
    let mut open: Option<(&str, &str)> = None;
    for command in &job.commands {
        let ok = match command.command.as_str() {
            "error" | "warning" => {
                command.stream == "stdout"
                    && command.properties.len() == 1
                    && matches!(
                        command.properties.get("title").map(String::as_str),
                        Some("dynaudit" | "dynaudit install" | "dynaudit upload")
                    )
            }
            "stop-commands" => {
                let fresh =
                    command.data.len() == 32 && command.data.chars().all(|c| c.is_ascii_hexdigit());
                let ok = command.stream == "stdout" && fresh && open.is_none();
                open = Some((&command.step, &command.data));
                ok
            }
            "resume" => {
                let ok = open.is_some_and(|(step, _)| step == command.step);
                open = None;
                ok
            }
            _ => false,
        };
        assert!(
            ok,
            "the runner would act on a workflow command the action did not mean: {command:?}\n{}",
            job.log()
        );
    }
    assert!(
        open.is_none(),
        "workflow commands stopped and never resumed: {open:?}\n{}",
        job.log()
    );
}

/// The annotations (`error`, `warning`) of a job: (command, message).
fn annotations(job: &Job) -> Vec<(String, String)> {
    job.commands
        .iter()
        .filter(|c| c.command == "error" || c.command == "warning")
        .map(|c| (c.command.clone(), c.data.clone()))
        .collect()
}

// ---------------------------------------------------------------------------
// Checks of what would be uploaded
// ---------------------------------------------------------------------------

/// The Microsoft SARIF multitool with GitHub's rule kind reports no error.
fn assert_multitool_accepts(sarif_path: &Path) {
    let errors = support::sarif::multitool_errors(&std::fs::read_to_string(sarif_path).unwrap());
    assert!(errors.is_empty(), "SARIF multitool errors:\n{errors:#?}");
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(
        &std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display())),
    )
    .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn count_status(report: &serde_json::Value, status: &str) -> usize {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["status"] == status)
        .count()
}

/// The action's outputs agree with its JSON report, the upload is valid
/// SARIF with the category, and the summary holds the Markdown report.
fn assert_reports_consistent(job: &Job, expected_category: &str) {
    let sarif_path = job.path("sarif");
    let json_path = job.path("json");
    let inventory = job.path("inventory");
    assert!(
        sarif_path.is_file(),
        "sarif output: {}",
        sarif_path.display()
    );
    assert!(json_path.is_file(), "json output: {}", json_path.display());
    assert!(
        inventory.is_file(),
        "inventory output: {}",
        inventory.display()
    );

    let report = read_json(&json_path);
    for (output, status) in [
        ("failing", "fail"),
        ("unknown", "unknown"),
        ("passing", "pass"),
    ] {
        assert_eq!(
            job.output(output),
            count_status(&report, status).to_string(),
            "output {output} and the JSON report's {status} count"
        );
    }
    assert_eq!(
        job.output("new"),
        job.output("failing"),
        "without a baseline every failure is new"
    );

    assert_eq!(job.uploads.len(), 1, "one SARIF upload: {:#?}", job.uploads);
    let upload = &job.uploads[0];
    assert_eq!(upload.sarif_file, sarif_path);
    assert_eq!(upload.category, expected_category);
    assert_eq!(job.output("category"), expected_category);
    let sarif = read_json(&upload.sarif_file);
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        sarif["runs"][0]["automationDetails"]["id"], expected_category,
        "the file carries the category (upload-sarif keeps an id the file has)"
    );
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(
        results.len(),
        count_status(&report, "fail") + count_status(&report, "unknown"),
        "SARIF holds the failing and unknown outcomes"
    );
    assert_multitool_accepts(&upload.sarif_file);

    // The step summary is the Markdown report of the same findings.
    let markdown = std::fs::read_to_string(job.path("markdown")).unwrap();
    assert!(
        markdown.starts_with("# dynaudit compliance report"),
        "{markdown}"
    );
    assert!(
        job.summary.contains(&markdown),
        "the step summary holds the Markdown report:\n{}",
        job.summary
    );
    // The HTML evidence report of the same run, for an artifact.
    let html = std::fs::read_to_string(job.path("html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("id=\"findings\""));
}

// ---------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------

async fn seed_two_tables(account: &TestAccount) {
    let ddb = aws_sdk_dynamodb::Client::new(&account.config("us-east-1"));
    create_table(
        &ddb,
        &TableSpec {
            name: "orders",
            pitr: true,
            deletion_protection: true,
            tags: &[("Environment", "prod"), ("Application", "shop")],
            ..TableSpec::default()
        },
    )
    .await;
    create_table(
        &ddb,
        &TableSpec {
            name: "scratch",
            ..TableSpec::default()
        },
    )
    .await;
    let ddb_west = aws_sdk_dynamodb::Client::new(&account.config("us-west-2"));
    create_table(
        &ddb_west,
        &TableSpec {
            name: "sessions",
            ..TableSpec::default()
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn scan_uploads_sarif_writes_the_summary_and_gates_last() {
    let account = TestAccount::new().await;
    seed_two_tables(&account).await;

    let mut runner = Runner::new();
    let config = fast_config(&runner.workspace);
    runner
        .aws(&account)
        .input("regions", "us-west-2,us-east-1")
        .input("config", config.display().to_string());

    // fail-on low: the scan has failures, so the last step fails, after the
    // upload.
    let job = runner.input("fail-on", "low").run();
    let log = job.log();
    assert_eq!(job.step("Install").exit, Some(0), "{log}");
    assert_eq!(job.step("Run").exit, Some(0), "{log}");
    assert_eq!(job.step("Upload").exit, Some(0), "{log}");
    assert_eq!(
        job.step("gate").exit,
        Some(1),
        "the gate fails the job: {log}"
    );
    assert_eq!(job.outputs["install"]["source"], "release", "{log}");
    assert_eq!(job.output("gate-exit"), "1");
    let category = format!("dynaudit/{}/us-east-1,us-west-2/", account.account_id);
    assert_reports_consistent(&job, &category);
    assert!(job.output("failing").parse::<usize>().unwrap() > 0, "{log}");
    assert!(
        job.output("gate-failures").parse::<usize>().unwrap() > 0,
        "{log}"
    );
    let inventory = read_json(&job.path("inventory"));
    assert_eq!(inventory["account_id"], account.account_id.as_str());
    let tables: Vec<&String> = ["us-east-1", "us-west-2"]
        .iter()
        .flat_map(|r| {
            inventory["regions"][r]["tables"]
                .as_object()
                .unwrap()
                .keys()
        })
        .collect();
    assert_eq!(tables.len(), 3, "three tables in the inventory: {tables:?}");
    // SARIF: PITR (DYN201) fails on the tables without it and not on
    // orders; every result points at the scan's inventory (outside the
    // workspace: by its file name).
    let sarif = read_json(&job.path("sarif"));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let pitr_failures: Vec<&str> = results
        .iter()
        .filter(|r| r["ruleId"] == "DYN201")
        .map(|r| r["properties"]["resource"].as_str().unwrap())
        .collect();
    let arn = |region: &str, table: &str| {
        format!(
            "arn:aws:dynamodb:{region}:{}:table/{table}",
            account.account_id
        )
    };
    assert_eq!(
        pitr_failures,
        [arn("us-east-1", "scratch"), arn("us-west-2", "sessions")],
        "{log}"
    );
    for result in results {
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "dynaudit-inventory.json"
        );
    }
    assert!(
        job.step("gate").stdout.contains("::error"),
        "the gate says why: {log}"
    );

    // fail-on none: the same findings, and the job passes.
    let job = runner.input("fail-on", "none").run();
    let log = job.log();
    assert!(job.succeeded(), "{log}");
    assert_eq!(job.step("gate").exit, Some(0), "{log}");
    assert_eq!(job.output("gate-exit"), "0");
    assert_eq!(job.output("gate-failures"), "0");
    assert_reports_consistent(&job, &category);
}

#[test]
fn eval_of_a_committed_inventory_needs_no_aws() {
    let mut runner = Runner::new();
    let inventory = runner.workspace.join("audit/prod.json");
    std::fs::create_dir_all(inventory.parent().unwrap()).unwrap();
    std::fs::copy(root().join(SAMPLE), &inventory).unwrap();
    // A path relative to the workspace, as a workflow would pass it.
    let job = runner
        .input("inventory", "audit/prod.json")
        .input("fail-on", "critical")
        .input("output-dir", "reports")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .run();
    let log = job.log();
    assert_eq!(job.step("Run").exit, Some(0), "{log}");
    assert_eq!(
        job.step("gate").exit,
        Some(1),
        "the sample has critical failures: {log}"
    );
    assert_eq!(job.output("inventory"), "audit/prod.json");
    assert_eq!(job.output("sarif"), "reports/dynaudit.sarif");
    assert_reports_consistent(&job, "dynaudit/111122223333/eu-west-1,us-east-1,us-west-2/");
    assert_eq!(job.output("failing"), "54");
    assert_eq!(job.output("unknown"), "11");
    assert_eq!(job.output("passing"), "112");
    // SARIF locations point at the committed inventory in the repository.
    let sarif = read_json(&job.uploads[0].sarif_file);
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "audit/prod.json"
    );
}

#[test]
fn iac_evaluates_infrastructure_code_and_points_at_its_lines() {
    let mut runner = Runner::new();
    let infra = runner.workspace.join("infra");
    std::fs::create_dir_all(&infra).unwrap();
    for file in ["reference.yaml", "parameters.json"] {
        std::fs::copy(
            root().join("fixtures/iac/cloudformation").join(file),
            infra.join(file),
        )
        .unwrap();
    }
    // Paths relative to the workspace, as a pull-request workflow passes
    // them; no AWS credentials at all.
    let job = runner
        .input("iac", "infra/reference.yaml")
        .input("iac-parameters", "infra/parameters.json")
        .input("iac-account", "123456789012")
        .input("regions", "us-east-1")
        .input("fail-on", "critical")
        .input("output-dir", "reports")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .run();
    let log = job.log();
    assert_eq!(job.step("Run").exit, Some(0), "{log}");
    assert_eq!(
        job.output("inventory"),
        "reports/dynaudit-planned-inventory.json"
    );
    // The global table's replica region joins the planned regions.
    assert_reports_consistent(&job, "dynaudit/123456789012/eu-west-1,us-east-1/");
    let inventory = read_json(&job.path("inventory"));
    assert_eq!(inventory["planned"]["source"], "cloudformation");
    let sarif = read_json(&job.uploads[0].sarif_file);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty(), "{log}");
    let template = std::fs::read_to_string(infra.join("reference.yaml")).unwrap();
    let lines = template.lines().count() as i64;
    for result in results {
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"]["uri"], "infra/reference.yaml",
            "{result}"
        );
        let line = location["region"]["startLine"].as_i64().unwrap();
        assert!((1..=lines).contains(&line), "{result}");
    }
    // The JSON report (the planned inventory evaluated again) says the
    // same as the gate run: resources without a name are planned ids.
    let report = read_json(&job.path("json"));
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["resource"] == "infra/reference.yaml#LegacySessionsTable"),
        "{report}"
    );
}

#[test]
fn iac_inputs_that_do_not_fit_fail_the_run_step() {
    let sample = root().join(SAMPLE).display().to_string();
    for (inputs, message) in [
        (
            vec![("iac", "t.yaml"), ("inventory", sample.as_str())],
            "iac and inventory cannot be combined",
        ),
        (
            vec![("iac", "t.yaml"), ("accounts", "111111111111")],
            "cannot be combined with iac",
        ),
        (
            vec![("iac", "t.yaml"), ("regions", "all")],
            "all means nothing before deployment",
        ),
        (
            vec![("inventory", sample.as_str()), ("iac-parameters", "p.json")],
            "iac-parameters and iac-account need the iac input",
        ),
        (
            vec![("iac", "t.yaml\t::add-mask::x")],
            "the iac input holds a control character",
        ),
    ] {
        let mut runner = Runner::new();
        for (name, value) in &inputs {
            runner.input(name, *value);
        }
        let job = runner.run();
        let log = job.log();
        assert_eq!(job.step("Run").exit, Some(2), "{inputs:?}: {log}");
        assert!(
            job.step("Run").stdout.contains(message),
            "{inputs:?}: {log}"
        );
        assert!(!job.step("Run").stdout.contains("add-mask::x"), "{log}");
        assert_eq!(job.step("gate").exit, None, "{log}");
    }
}

#[test]
fn an_explicit_category_is_written_into_the_sarif_and_upload_can_be_off() {
    // (The runner owns the temporary directories: it outlives the checks.)
    let mut runner = Runner::new();
    let job = runner
        .input("inventory", root().join(SAMPLE).display().to_string())
        .input("fail-on", "none")
        .input("category", "dynaudit/prod-nightly")
        .run();
    let log = job.log();
    assert!(job.succeeded(), "{log}");
    // GitHub's category is what precedes the last `/` of the id.
    assert_reports_consistent(&job, "dynaudit/prod-nightly/");

    let mut runner = Runner::new();
    let job = runner
        .input("inventory", root().join(SAMPLE).display().to_string())
        .input("fail-on", "none")
        .input("upload-sarif", "false")
        .run();
    assert!(job.succeeded(), "{}", job.log());
    assert!(
        job.uploads.is_empty(),
        "upload-sarif false skips the upload"
    );
    assert_eq!(job.step("Upload").exit, None);
}

/// Shell metacharacters in an input reach dynaudit as one literal argument:
/// nothing is executed, and the file with that exact name is read.
#[test]
fn inputs_with_shell_metacharacters_stay_literal() {
    let mut runner = Runner::new();
    let marker = runner.workspace.join("PWNED");
    let name = "inv $(touch PWNED) `touch PWNED`; touch PWNED #.json";
    std::fs::copy(root().join(SAMPLE), runner.workspace.join(name)).unwrap();
    let job = runner
        .input("inventory", name)
        .input("fail-on", "none")
        .input("policies", "$(touch PWNED)")
        .run();
    let log = job.log();
    // The policies directory does not exist: dynaudit names it literally.
    assert_eq!(job.step("Run").exit, Some(2), "{log}");
    assert!(
        log.contains("$(touch PWNED)"),
        "the error quotes the literal input: {log}"
    );
    assert!(!marker.exists(), "an input was executed: {log}");

    // A value that looks like an option is still a value: a file name.
    runner.inputs.remove("policies");
    let job = runner.input("waivers", "--version").run();
    let log = job.log();
    assert_eq!(job.step("Run").exit, Some(2), "{log}");
    assert!(log.contains("cannot read waivers --version"), "{log}");

    runner.inputs.remove("waivers");
    let job = runner.run();
    let log = job.log();
    assert!(
        job.succeeded(),
        "eval reads the file of that exact name: {log}"
    );
    assert_eq!(job.output("inventory"), name);
    assert_eq!(job.output("failing"), "54");
    assert!(!marker.exists(), "an input was executed: {log}");
    assert!(
        !root().join("PWNED").exists(),
        "an input was executed: {log}"
    );
}

#[test]
fn a_checksum_mismatch_fails_the_install_step() {
    let mut runner = Runner::new();
    let tampered = tampered_release_dir(&runner.temp.path().join("tampered-release"));
    let job = runner
        .env("DYNAUDIT_RELEASE_BASE_URL", file_url(&tampered))
        .input("inventory", root().join(SAMPLE).display().to_string())
        .run();
    let log = job.log();
    let install = job.step("Install");
    assert_eq!(install.exit, Some(1), "{log}");
    assert!(install.stdout.contains("sha256 mismatch"), "{log}");
    assert_eq!(job.step("Run").exit, None, "nothing runs after it: {log}");
    assert!(
        !job.runner_temp.join("dynaudit-bin/dynaudit").exists(),
        "no binary was installed: {log}"
    );
}

/// A stand-in `cargo` that "builds" dynaudit by linking the binary under
/// test into `--root`; it logs its arguments to `cargo-args` and the tokens
/// it can see to `cargo-tokens` under the runner's temporary directory.
fn fake_cargo(runner: &mut Runner) {
    let fake = runner.temp.path().join("fake-cargo");
    let args = runner.temp.path().join("cargo-args");
    let tokens = runner.temp.path().join("cargo-tokens");
    std::fs::write(
        &fake,
        format!(
            "#!/usr/bin/env bash\nset -e\nprintf '%s\\n' \"$@\" > '{args}'\n\
             printf '%s' \"${{GH_TOKEN:-}}${{DYNAUDIT_GH_TOKEN:-}}\" > '{tokens}'\n\
             echo '::add-mask::dynaudit-cargo-output'\n\
             while [ $# -gt 0 ]; do case $1 in --root) root=$2; shift;; esac; shift; done\n\
             mkdir -p \"$root/bin\"\nln -s '{bin}' \"$root/bin/dynaudit\"\n",
            args = args.display(),
            tokens = tokens.display(),
            bin = binary_copy().display(),
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    runner.env("CARGO", fake.display().to_string());
}

/// No prebuilt binary (an action ref that is no release tag, or a release
/// without this platform's asset): with `allow-build-from-source: true`,
/// dynaudit is built from the action's source with `cargo install
/// --locked` (a stand-in `cargo` here), with a warning that says so, and
/// the job's token out of cargo's reach.
#[test]
fn without_a_prebuilt_binary_the_install_builds_from_source_if_allowed() {
    for action_ref in ["main", "v9.9.9"] {
        let mut runner = Runner::new();
        fake_cargo(&mut runner);
        runner
            .input("inventory", root().join(SAMPLE).display().to_string())
            .input("fail-on", "none")
            .input("allow-build-from-source", "true");
        runner.action_ref = action_ref.to_string();
        let job = runner.run();
        let log = job.log();
        assert!(job.succeeded(), "{action_ref}: {log}");
        assert_eq!(job.outputs["install"]["source"], "cargo", "{log}");
        let args = std::fs::read_to_string(runner.temp.path().join("cargo-args")).unwrap();
        let args: Vec<&str> = args.lines().collect();
        assert_eq!(
            args[..4],
            ["install", "--locked", "--path", root().to_str().unwrap()],
            "{action_ref}: {args:?}"
        );
        let warnings: Vec<_> = annotations(&job)
            .into_iter()
            .filter(|(kind, _)| kind == "warning")
            .collect();
        assert_eq!(warnings.len(), 1, "{log}");
        assert!(
            warnings[0].1.starts_with(
                "building dynaudit from the action's source with cargo install --locked, as allow-build-from-source is true"
            ),
            "{warnings:?}"
        );
        assert_eq!(
            std::fs::read_to_string(runner.temp.path().join("cargo-tokens")).unwrap(),
            "",
            "cargo and its build scripts do not get the job's token"
        );
        assert_eq!(job.output("failing"), "54", "{log}");
    }
}

/// By default (`allow-build-from-source: false`) no build from source
/// happens: the install step fails with a fixed message and cargo never
/// runs.
#[test]
fn without_a_prebuilt_binary_the_install_fails_by_default() {
    for action_ref in ["main", "v9.9.9", "v0.1.0\n::add-mask::x"] {
        let mut runner = Runner::new();
        fake_cargo(&mut runner);
        runner.input("inventory", root().join(SAMPLE).display().to_string());
        runner.action_ref = action_ref.to_string();
        let job = runner.run();
        let log = job.log();
        assert_eq!(job.step("Install").exit, Some(1), "{action_ref}: {log}");
        assert_eq!(job.step("Run").exit, None, "{log}");
        assert!(
            !runner.temp.path().join("cargo-args").exists(),
            "cargo ran: {log}"
        );
        let errors = annotations(&job);
        assert_eq!(errors.len(), 1, "{log}");
        assert!(
            errors[0].1.contains("and allow-build-from-source is false"),
            "{errors:?}"
        );
        assert!(!errors[0].1.contains("add-mask"), "{errors:?}");
    }
}

/// The action's scripts take every input from the environment: no step
/// pastes an expression into shell code, and only the expression forms the
/// harness knows appear anywhere (checked for every step, run or not).
#[test]
fn action_yml_passes_inputs_through_env_only() {
    let action = action();
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let allowed = [
        "inputs.",
        "steps.",
        "github.action_path",
        "github.action_ref",
        "github.action_repository",
        "github.token",
        "runner.temp",
        "runner.os",
        "runner.arch",
    ];
    // The job's token goes to the install step, for gh (install.sh hands
    // it to nothing else), and to the upload of per-account SARIF files,
    // for curl (upload.sh hands it to nothing else).
    let with_token: Vec<(String, String)> = action["runs"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .flat_map(|step| {
            let name = step["name"].as_str().unwrap_or_default().to_string();
            step["env"]
                .as_mapping()
                .into_iter()
                .flatten()
                .filter(|(_, v)| v.as_str().is_some_and(|v| v.contains("github.token")))
                .map(move |(k, _)| (name.clone(), k.as_str().unwrap().to_string()))
        })
        .collect();
    assert_eq!(
        with_token,
        [
            (
                "Install dynaudit".to_string(),
                "DYNAUDIT_GH_TOKEN".to_string()
            ),
            (
                "Upload the per-account SARIF files to code scanning".to_string(),
                "DYNAUDIT_UPLOAD_TOKEN".to_string()
            )
        ]
    );
    assert_eq!(text.matches("github.token").count(), 2);
    let mut rest = text.as_str();
    while let Some(start) = rest.find("${{") {
        let end = rest[start..].find("}}").unwrap();
        let expression = rest[start + 3..start + end].trim();
        assert!(
            allowed.iter().any(|a| expression.starts_with(a)),
            "unexpected expression in action.yml: {expression}"
        );
        rest = &rest[start + end + 2..];
    }
    for step in action["runs"]["steps"].as_sequence().unwrap() {
        if let Some(run) = step["run"].as_str() {
            assert!(!run.contains("${{"), "expression in shell code: {run}");
            assert!(
                run.starts_with("bash \"$GITHUB_ACTION_PATH/action/"),
                "steps call the scripts under action/: {run}"
            );
        }
    }
    // Every declared input reaches a step.
    for (name, _) in action["inputs"].as_mapping().unwrap() {
        let name = name.as_str().unwrap();
        assert!(
            text.contains(&format!("inputs.{name} }}}}"))
                || text.contains(&format!("inputs.{name} ")),
            "input {name} is declared but never used"
        );
    }
}

/// `waivers`, `baseline` and `fail-on-unknown` reach dynaudit: waived
/// findings leave the counts, the JSON report of one run is the next run's
/// baseline (nothing new, so the gate passes), and unknown outcomes fail
/// the gate only when asked.
#[test]
fn waivers_baseline_and_fail_on_unknown_reach_dynaudit() {
    let sample = root().join(SAMPLE).display().to_string();

    let mut runner = Runner::new();
    let job = runner
        .input("inventory", &sample)
        .input("fail-on", "none")
        .input(
            "waivers",
            root()
                .join("fixtures/triage/waivers.toml")
                .display()
                .to_string(),
        )
        .run();
    let log = job.log();
    assert!(job.succeeded(), "{log}");
    let count = |name: &str| job.output(name).parse::<usize>().unwrap();
    assert!(count("waived") > 0, "{log}");
    assert_eq!(
        count("failing") + count("unknown") + count("waived"),
        54 + 11,
        "waived outcomes leave the failing and unknown counts"
    );

    // Unknown outcomes fail the gate with fail-on-unknown, even at none.
    let mut runner = Runner::new();
    let job = runner
        .input("inventory", &sample)
        .input("fail-on", "none")
        .input("fail-on-unknown", "true")
        .run();
    let log = job.log();
    assert_eq!(job.step("gate").exit, Some(1), "{log}");
    assert_eq!(job.output("gate-failures"), "11", "{log}");

    // The JSON report of that run as the baseline of the next: nothing is
    // new, so even fail-on low with fail-on-unknown passes.
    let baseline = job.path("json");
    let mut next = Runner::new();
    let job = next
        .input("inventory", &sample)
        .input("fail-on", "low")
        .input("fail-on-unknown", "true")
        .input("baseline", baseline.display().to_string())
        .run();
    let log = job.log();
    assert!(job.succeeded(), "{log}");
    assert_eq!(job.output("new"), "0", "{log}");
    assert_eq!(job.output("gate-failures"), "0", "{log}");
    assert_eq!(job.output("failing"), "54", "{log}");
}

/// Inputs the scripts reject before running anything.
#[test]
fn invalid_inputs_fail_the_run_step() {
    for (input, value, message) in [
        ("fail-on", "severe", "fail-on must be one of"),
        (
            "fail-on-unknown",
            "yes",
            "fail-on-unknown must be true or false",
        ),
        ("regions", "us-east-1", "regions is for a live scan"),
    ] {
        let mut runner = Runner::new();
        let job = runner
            .input("inventory", root().join(SAMPLE).display().to_string())
            .input(input, value)
            .run();
        let log = job.log();
        assert_eq!(job.step("Run").exit, Some(2), "{log}");
        assert!(job.step("Run").stdout.contains(message), "{log}");
        assert_eq!(job.step("Upload").exit, None, "{log}");
        assert_eq!(job.step("gate").exit, None, "{log}");
    }
}

/// The README's "GitHub Action" section is true to action.yml: its input
/// and output tables list exactly what action.yml declares (defaults
/// included), and its example workflows pass only declared inputs and read
/// only declared outputs.
#[test]
fn readme_documents_the_action_as_it_is() {
    let action = action();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("\n## GitHub Action\n")
        .expect("README has a GitHub Action section");
    let section = &readme[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];

    let declared = |key: &str| -> Vec<String> {
        action[key]
            .as_mapping()
            .unwrap()
            .keys()
            .map(|k| k.as_str().unwrap().to_string())
            .collect()
    };
    let inputs = declared("inputs");
    let outputs = declared("outputs");

    // Table rows: `| `name` | ...` (an output row may name several).
    let mut input_rows = Vec::new();
    let mut output_rows = Vec::new();
    let mut table = 0;
    for line in section.lines() {
        if line.starts_with("| input |") {
            table = 1;
        } else if line.starts_with("| output |") {
            table = 2;
        } else if !line.starts_with('|') {
            table = 0;
        } else if line.starts_with("| `") {
            let first = line.split('|').nth(1).unwrap();
            let names: Vec<String> = first
                .split(',')
                .map(|n| n.trim().trim_matches('`').to_string())
                .collect();
            match table {
                1 => {
                    let default = line.split('|').nth(2).unwrap().trim().to_string();
                    input_rows.push((names[0].clone(), default));
                }
                2 => output_rows.extend(names),
                _ => {}
            }
        }
    }
    let mut documented: Vec<String> = input_rows.iter().map(|(n, _)| n.clone()).collect();
    documented.sort();
    let mut expected = inputs.clone();
    expected.sort();
    assert_eq!(documented, expected, "README's input table");
    for (name, default) in &input_rows {
        let declared = string(&action["inputs"][name.as_str()]["default"]).unwrap_or_default();
        if declared.is_empty() {
            assert!(
                default.is_empty() || default.starts_with("(empty"),
                "input {name}: README says default {default}, action.yml has none"
            );
        } else {
            assert_eq!(*default, format!("`{declared}`"), "default of input {name}");
        }
    }
    output_rows.sort();
    let mut expected = outputs.clone();
    expected.sort();
    assert_eq!(output_rows, expected, "README's output table");

    // The examples.
    let mut examples = 0;
    let mut rest = section;
    while let Some(open) = rest.find("```yaml\n") {
        let body = &rest[open + 8..];
        let close = body.find("```").unwrap();
        let workflow: serde_yaml_ng::Value = serde_yaml_ng::from_str(&body[..close])
            .unwrap_or_else(|e| panic!("README example is not YAML: {e}"));
        for job in workflow["jobs"].as_mapping().unwrap().values() {
            for step in job["steps"].as_sequence().unwrap() {
                let uses = step["uses"].as_str().unwrap_or_default();
                if uses.starts_with("dynaudit/dynaudit@") {
                    examples += 1;
                    for key in step["with"].as_mapping().unwrap().keys() {
                        let key = key.as_str().unwrap();
                        assert!(
                            inputs.iter().any(|i| i == key),
                            "README passes undeclared input {key}"
                        );
                    }
                }
            }
        }
        for (i, _) in body[..close].match_indices("steps.dynaudit.outputs.") {
            let name: String = body[i + "steps.dynaudit.outputs.".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            assert!(
                outputs.contains(&name),
                "README reads undeclared output {name}"
            );
        }
        rest = &body[close + 3..];
    }
    assert_eq!(examples, 2, "a scan example and an offline eval example");
}

/// A report larger than a job summary shows is cut at a line, with a note;
/// the `markdown` output keeps all of it.
#[test]
fn a_report_too_large_for_the_job_summary_is_cut_with_a_note() {
    let mut runner = Runner::new();
    let job = runner
        .input("inventory", root().join(SAMPLE).display().to_string())
        .input("fail-on", "none")
        .env("DYNAUDIT_SUMMARY_LIMIT", "5000")
        .run();
    let log = job.log();
    assert!(job.succeeded(), "{log}");
    let markdown = std::fs::read_to_string(job.path("markdown")).unwrap();
    assert!(markdown.len() > 5000, "the sample's report is larger");
    assert!(job.summary.len() <= 5000, "{}", job.summary.len());
    assert!(job.summary.contains("it is cut here"), "{}", job.summary);
    let kept = job.summary.split("\n\n_The report is").next().unwrap();
    assert!(
        markdown.starts_with(kept),
        "the summary is the report's beginning"
    );
}

/// When the runner leaves `github.action_ref` and `github.action_repository`
/// empty in a composite action, the install step reads them from where the
/// runner checked the action out (`.../_actions/OWNER/REPO/REF`).
#[test]
fn the_install_finds_its_version_in_the_action_path() {
    let mut runner = Runner::new();
    let checkout = runner.temp.path().join("_work/_actions/dynaudit/dynaudit");
    std::fs::create_dir_all(&checkout).unwrap();
    std::os::unix::fs::symlink(root(), checkout.join(TAG)).unwrap();
    runner.action_path = checkout.join(TAG);
    runner.action_ref = String::new();
    runner.action_repository = String::new();
    let job = runner
        .input("inventory", root().join(SAMPLE).display().to_string())
        .input("fail-on", "none")
        .run();
    let log = job.log();
    assert!(job.succeeded(), "{log}");
    assert_eq!(job.outputs["install"]["source"], "release", "{log}");
    assert!(
        job.step("Install")
            .stderr
            .contains(&format!("/{TAG}/dynaudit-")),
        "downloads the release of the tag in the path: {log}"
    );
}

// ---------------------------------------------------------------------------
// Hostile inputs and evidence: nothing reaches the runner as a command
// ---------------------------------------------------------------------------

/// Values that would make the runner act if a line carried them.
const INJECTIONS: &[&str] = &[
    "high\n::add-mask::x",
    "high\n::stop-commands::pwned",
    "true\n::warning file=README.md,line=1::forged",
    "high\r::add-mask::x",
    "high ##[add-mask]x",
];

/// Inputs with a fixed set of values are checked against it; a bad one
/// fails the run step with a fixed message that does not repeat it.
#[test]
fn hostile_fixed_value_inputs_are_refused_without_being_repeated() {
    for input in ["fail-on", "fail-on-unknown", "upload-sarif"] {
        for value in INJECTIONS {
            let mut runner = Runner::new();
            let job = runner
                .input("inventory", root().join(SAMPLE).display().to_string())
                .input(input, *value)
                .run();
            let log = job.log();
            assert_eq!(job.step("Run").exit, Some(2), "{input} {value:?}: {log}");
            assert_eq!(job.step("Upload").exit, None, "{log}");
            let errors = annotations(&job);
            assert_eq!(errors.len(), 1, "{input} {value:?}: {errors:?}");
            assert!(
                errors[0].1.starts_with(&format!("{input} must be ")),
                "{errors:?}"
            );
            for part in ["add-mask", "stop-commands", "forged"] {
                assert!(!errors[0].1.contains(part), "{errors:?}");
            }
        }
    }
}

/// Free-form inputs (paths, regions, category, policy directories) with a
/// control character are refused, unrepeated, before dynaudit runs.
#[test]
fn hostile_free_form_inputs_are_refused_without_being_repeated() {
    let sample = root().join(SAMPLE).display().to_string();
    for (input, value) in [
        ("inventory", format!("{sample}\t::add-mask::x")),
        ("inventory", format!("{sample}\n\u{1b}]8;;::add-mask::x")),
        (
            "config",
            "dynaudit.toml\n::stop-commands::pwned".to_string(),
        ),
        ("waivers", "w.toml\r::add-mask::x".to_string()),
        (
            "baseline",
            "b.json\n::warning file=a,line=1::forged".to_string(),
        ),
        ("category", "prod\n::add-mask::x".to_string()),
        ("output-dir", "out\n::add-mask::x".to_string()),
        ("policies", "policies/a,\tpolicies/\u{1b}[31mb".to_string()),
        ("regions", "us-east-1\n::add-mask::x".to_string()),
        ("regions", "us-east-1;eu-west-1".to_string()),
        ("accounts", "111111111111\n::add-mask::x".to_string()),
        ("ou", "ou-ab12-cdef3456\r::add-mask::x".to_string()),
        ("role-name", "Audit\n::stop-commands::pwned".to_string()),
        ("shard", "1/2\n::add-mask::x".to_string()),
        ("iac-parameters", "p.json\n::add-mask::x".to_string()),
        ("iac-account", "123456789012\n::add-mask::x".to_string()),
    ] {
        let mut runner = Runner::new();
        if input != "inventory" && input != "regions" {
            runner.input("inventory", &sample);
        }
        let job = runner.input(input, &value).run();
        let log = job.log();
        assert_eq!(job.step("Run").exit, Some(2), "{input} {value:?}: {log}");
        let errors = annotations(&job);
        assert_eq!(errors.len(), 1, "{input} {value:?}: {errors:?}");
        assert!(
            errors[0].1.contains(input) && !errors[0].1.contains("add-mask"),
            "{input}: {errors:?}"
        );
        assert!(
            !job.step("Run").stdout.contains("stop-commands::pwned"),
            "refused before dynaudit ran: {log}"
        );
    }
}

/// What dynaudit prints (an error naming a path, a waiver warning quoting a
/// waivers file) cannot command the runner: dynaudit runs with workflow
/// commands stopped.
#[test]
fn what_dynaudit_prints_cannot_command_the_runner() {
    let mut runner = Runner::new();
    // A path without a control character is a valid path: dynaudit names
    // it in its error, `##[` and all.
    let job = runner
        .input("inventory", root().join(SAMPLE).display().to_string())
        .input("waivers", "##[add-mask]dynaudit-path")
        .run();
    let log = job.log();
    assert_eq!(job.step("Run").exit, Some(2), "{log}");
    assert!(
        log.contains("cannot read waivers ##[add-mask]dynaudit-path"),
        "{log}"
    );

    // A stale waiver whose resource holds a line break and a command:
    // dynaudit warns about it, quoting it.
    let waivers = runner.workspace.join("waivers.toml");
    std::fs::write(
        &waivers,
        "[[waiver]]\nrule = \"DYN101\"\nresource = \"arn:aws:dynamodb:us-east-1:111122223333:table/none\\n::add-mask::dynaudit-waiver\\n##[add-mask]dynaudit-waiver\"\n\
         reason = \"accepted\"\nowner = \"security\"\nexpires = 2099-01-01\n",
    )
    .unwrap();
    let job = runner.input("waivers", "waivers.toml").run();
    let log = job.log();
    // (Whether dynaudit accepts such a resource is not the point here: no
    // gate passes by accident, and nothing it prints is a command.)
    assert!(matches!(job.step("Run").exit, Some(0 | 2)), "{log}");
    if job.step("Run").exit == Some(0) {
        assert!(
            log.contains("dynaudit-waiver"),
            "the warning is shown: {log}"
        );
    }
}

/// The sample inventory with `{"automationDetails":{"id":
/// "attacker/category/"}}` planted in the condition of every policy
/// statement (IAM and resource policies), which failing results carry as
/// evidence: what a hostile inventory could hold.
fn inventory_with_a_planted_category() -> serde_json::Value {
    let mut inventory = read_json(&root().join(SAMPLE));
    let plant = serde_json::json!({"automationDetails": {"id": "attacker/category/"}});
    fn walk(value: &mut serde_json::Value, plant: &serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                if map.contains_key("Effect")
                    && (map.contains_key("Action") || map.contains_key("NotAction"))
                {
                    map.insert(
                        "Condition".to_string(),
                        serde_json::json!({"StringEquals": plant}),
                    );
                }
                for (_, v) in map.iter_mut() {
                    walk(v, plant);
                }
            }
            serde_json::Value::Array(items) => {
                for v in items {
                    walk(v, plant);
                }
            }
            _ => {}
        }
    }
    walk(&mut inventory, &plant);
    inventory
}

/// The `category` output is what dynaudit wrote into the SARIF, reported by
/// dynaudit itself (--category-out): not read back out of the SARIF, where
/// a category planted in the evidence could be mistaken for it.
#[test]
fn a_category_planted_in_the_evidence_is_not_the_upload_category() {
    let mut runner = Runner::new();
    let inventory = runner.workspace.join("planted.json");
    std::fs::write(
        &inventory,
        serde_json::to_string_pretty(&inventory_with_a_planted_category()).unwrap(),
    )
    .unwrap();
    let job = runner
        .input("inventory", "planted.json")
        .input("fail-on", "none")
        .run();
    let log = job.log();
    assert!(job.succeeded(), "{log}");
    let sarif = std::fs::read_to_string(job.path("sarif")).unwrap();
    let planted = sarif.find("\"attacker/category/\"").expect(
        "the planted category reaches the SARIF's evidence (else this test proves nothing)",
    );
    let real = sarif.find("\"automationDetails\"").unwrap();
    assert!(planted > real, "the plant comes after the real one");
    assert_reports_consistent(&job, "dynaudit/111122223333/eu-west-1,us-east-1,us-west-2/");
}

/// A category that cannot be one line (a line break in the inventory's
/// account id) fails the run step: no output line is forged, and no gate
/// passes.
#[test]
fn a_category_with_a_line_break_fails_the_run_step() {
    let mut runner = Runner::new();
    let mut inventory = read_json(&root().join(SAMPLE));
    inventory["account_id"] = serde_json::json!("111122223333\ngate-exit=0\n::add-mask::x");
    std::fs::write(
        runner.workspace.join("hostile.json"),
        serde_json::to_string_pretty(&inventory).unwrap(),
    )
    .unwrap();
    let job = runner.input("inventory", "hostile.json").run();
    let log = job.log();
    assert_eq!(job.step("Run").exit, Some(2), "{log}");
    assert_eq!(job.step("gate").exit, None, "{log}");
    assert!(
        !job.outputs["run"].contains_key("category"),
        "{:?}",
        job.outputs["run"]
    );
    assert!(
        !job.outputs["run"].contains_key("gate-exit"),
        "{:?}",
        job.outputs["run"]
    );
}

/// The `set_output` of action/lib.sh writes a value with line breaks (even
/// one holding a line that looks like a delimiter or another output) as a
/// heredoc with a random delimiter that the runner reads back exactly.
#[test]
fn set_output_round_trips_multi_line_values() {
    let temp = tempfile::tempdir().unwrap();
    let output = temp.path().join("output");
    std::fs::write(&output, "").unwrap();
    let values = [
        ("plain", "a=b<<c"),
        ("multi", "first\nEOF\ngate-exit=0\ndynaudit_\n"),
        ("cr", "a\rgate-exit=0"),
    ];
    let mut script = format!(". '{}'\n", root().join("action/lib.sh").display());
    for (name, value) in values {
        script.push_str(&format!(
            "set_output {name} \"$(printf '%s_' '{}')\"\n",
            value.replace('\'', "'\\''")
        ));
    }
    // (`$(...)` drops trailing newlines: the values carry a `_` at the end.)
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-euo", "pipefail", "-c", &script])
        .env("GITHUB_OUTPUT", &output)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed = parse_github_file(&std::fs::read_to_string(&output).unwrap());
    for (name, value) in values {
        assert_eq!(parsed[name], format!("{value}_"), "{name}");
    }
    assert_eq!(parsed.len(), values.len(), "{parsed:?}");
}

// ---------------------------------------------------------------------------
// Install: HTTPS only, build provenance
// ---------------------------------------------------------------------------

/// A stand-in `curl` that logs its arguments to `curl-args` and serves
/// `https://mirror.invalid/releases/download/...` from the harness's
/// release directory.
fn fake_curl(runner: &mut Runner) -> PathBuf {
    let log = runner.temp.path().join("curl-args");
    let script = format!(
        "#!/usr/bin/env bash\n\
         printf '%s\\n' \"$@\" >>'{log}'\n\
         while [ $# -gt 0 ]; do case $1 in --output) out=$2; shift;; https://*|http://*|file://*) url=$1;; esac; shift; done\n\
         file='{release}'/${{url#https://mirror.invalid/releases/download/}}\n\
         if [ ! -f \"$file\" ]; then printf 404; exit 22; fi\n\
         cp \"$file\" \"$out\"; printf 200\n",
        log = log.display(),
        release = release_dir().display(),
    );
    runner.stand_in("curl", script);
    log
}

/// The release is downloaded over HTTPS only: curl may use no other
/// protocol, also when redirected, and TLS 1.2 or later; another scheme
/// fails the install step before any download.
#[test]
fn the_install_downloads_over_https_only() {
    let mut runner = Runner::new();
    let log_file = fake_curl(&mut runner);
    let job = runner
        .env(
            "DYNAUDIT_RELEASE_BASE_URL",
            "https://mirror.invalid/releases/download",
        )
        .input("inventory", root().join(SAMPLE).display().to_string())
        .input("fail-on", "none")
        .run();
    let log = job.log();
    assert!(job.succeeded(), "{log}");
    assert_eq!(job.outputs["install"]["source"], "release", "{log}");
    let args = std::fs::read_to_string(&log_file).unwrap();
    let args: Vec<&str> = args.lines().collect();
    let (_, _, target) = runner_platform();
    let asset = format!("https://mirror.invalid/releases/download/{TAG}/dynaudit-{target}.tar.gz");
    let urls: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| a.starts_with("https://"))
        .collect();
    assert_eq!(urls, [asset.clone(), format!("{asset}.sha256")]);
    for pair in [["--proto", "=https"], ["--proto-redir", "=https"]] {
        assert_eq!(
            args.windows(2).filter(|w| *w == pair).count(),
            2,
            "every download passes {pair:?}: {args:?}"
        );
    }
    assert_eq!(args.iter().filter(|a| **a == "--tlsv1.2").count(), 2);

    for base in [
        "http://mirror.invalid/releases/download",
        "ftp://mirror.invalid/releases/download",
    ] {
        let mut runner = Runner::new();
        let log_file = fake_curl(&mut runner);
        let job = runner
            .env("DYNAUDIT_RELEASE_BASE_URL", base)
            .input("inventory", root().join(SAMPLE).display().to_string())
            .run();
        let log = job.log();
        assert_eq!(job.step("Install").exit, Some(1), "{log}");
        assert!(
            job.step("Install")
                .stdout
                .contains("DYNAUDIT_RELEASE_BASE_URL must be an https:// URL"),
            "{log}"
        );
        assert!(!log_file.exists(), "nothing was downloaded: {log}");
    }
}

/// With the GitHub CLI on the runner, the downloaded asset's build
/// provenance is verified: signed for the action's repository by its
/// release workflow on a GitHub-hosted runner; gh (alone) gets the job's
/// token.
#[test]
fn the_install_verifies_the_build_provenance_with_gh() {
    let mut runner = Runner::new();
    let job = runner
        .input("inventory", root().join(SAMPLE).display().to_string())
        .input("fail-on", "none")
        .run();
    let log = job.log();
    assert!(job.succeeded(), "{log}");
    assert!(annotations(&job).is_empty(), "no warning: {log}");
    let args = std::fs::read_to_string(runner.gh_log()).unwrap();
    let args: Vec<&str> = args.lines().collect();
    let (_, _, target) = runner_platform();
    assert_eq!(args[..2], ["attestation", "verify"], "{args:?}");
    assert!(
        args[2].ends_with(&format!("/dynaudit-{target}.tar.gz")),
        "{args:?}"
    );
    assert_eq!(
        args[3..],
        [
            "--repo",
            ACTION_REPOSITORY,
            "--signer-workflow",
            &format!("{ACTION_REPOSITORY}/.github/workflows/release.yml"),
            "--deny-self-hosted-runners",
            &format!("GH_TOKEN={GITHUB_TOKEN}"),
        ],
        "{log}"
    );
    assert!(
        job.step("Install")
            .stderr
            .contains("build provenance verified"),
        "{log}"
    );
}

/// A failed verification fails the install step: no binary is installed,
/// nothing runs after it, and what gh printed did not command the runner.
#[test]
fn a_failed_provenance_verification_fails_the_install_step() {
    let mut runner = Runner::new();
    runner.gh = Gh::Refuses;
    let job = runner
        .input("inventory", root().join(SAMPLE).display().to_string())
        .run();
    let log = job.log();
    assert_eq!(job.step("Install").exit, Some(1), "{log}");
    assert_eq!(job.step("Run").exit, None, "{log}");
    assert!(
        !job.runner_temp.join("dynaudit-bin/dynaudit").exists(),
        "no binary was installed: {log}"
    );
    let errors = annotations(&job);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].1.contains("build provenance") && errors[0].1.contains("could not be verified"),
        "{errors:?}"
    );
    assert!(runner.gh_log().exists(), "gh was asked: {log}");
}

/// Without the GitHub CLI: `auto` (the default) installs with a warning
/// that says the provenance was not verified, `always` fails; `never`
/// does not ask gh even when it is there, and warns.
#[test]
fn without_gh_the_provenance_check_warns_or_fails_as_asked() {
    let sample = root().join(SAMPLE).display().to_string();
    let mut runner = Runner::new();
    runner.gh = Gh::Absent;
    let job = runner
        .input("inventory", &sample)
        .input("fail-on", "none")
        .run();
    let log = job.log();
    assert!(job.succeeded(), "{log}");
    assert_eq!(
        annotations(&job),
        [(
            "warning".to_string(),
            "the GitHub CLI (gh) is not on the runner: the build provenance of the dynaudit binary was not verified, only its sha256 from the same release".to_string()
        )],
        "{log}"
    );

    let mut runner = Runner::new();
    runner.gh = Gh::Absent;
    let job = runner
        .input("inventory", &sample)
        .input("verify-provenance", "always")
        .run();
    let log = job.log();
    assert_eq!(job.step("Install").exit, Some(1), "{log}");
    assert!(
        !job.runner_temp.join("dynaudit-bin/dynaudit").exists(),
        "{log}"
    );

    let mut runner = Runner::new();
    let job = runner
        .input("inventory", &sample)
        .input("fail-on", "none")
        .input("verify-provenance", "never")
        .run();
    let log = job.log();
    assert!(job.succeeded(), "{log}");
    assert!(!runner.gh_log().exists(), "gh was not asked: {log}");
    let warnings = annotations(&job);
    assert_eq!(warnings.len(), 1, "{log}");
    assert!(
        warnings[0].1.starts_with("verify-provenance is never"),
        "{warnings:?}"
    );

    for (input, value) in [
        ("verify-provenance", "maybe\n::add-mask::x"),
        ("allow-build-from-source", "yes"),
    ] {
        let mut runner = Runner::new();
        let job = runner.input("inventory", &sample).input(input, value).run();
        let log = job.log();
        assert_eq!(job.step("Install").exit, Some(1), "{log}");
        let errors = annotations(&job);
        assert_eq!(errors.len(), 1, "{log}");
        assert!(
            errors[0].1.starts_with(&format!("{input} must be ")),
            "{errors:?}"
        );
    }
}

/// The release workflow attests every asset it builds (the subject the
/// installer verifies), with the permissions that takes, from the job that
/// built it, with an action pinned by commit SHA; and it is the workflow
/// the installer names as the signer.
#[test]
fn the_release_attests_the_build_provenance_the_install_verifies() {
    let text = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    let workflow: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    let build = &workflow["jobs"]["build"];
    assert_eq!(build["permissions"]["id-token"].as_str(), Some("write"));
    assert_eq!(build["permissions"]["attestations"].as_str(), Some("write"));
    assert_eq!(build["permissions"]["contents"].as_str(), Some("read"));
    let steps = build["steps"].as_sequence().unwrap();
    let package = steps
        .iter()
        .position(|s| s["name"].as_str() == Some("Package"))
        .unwrap();
    let attest = steps
        .iter()
        .position(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/attest-build-provenance@"))
        })
        .expect("the build job attests its asset");
    assert!(attest > package, "after the Package step");
    let uses = steps[attest]["uses"].as_str().unwrap();
    let sha = uses.split_once('@').unwrap().1;
    assert!(
        sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
        "pinned by a full commit SHA: {uses}"
    );
    assert_eq!(
        steps[attest]["with"]["subject-path"].as_str(),
        Some("dist/dynaudit-${{ matrix.target }}.tar.gz"),
        "the asset install.sh downloads and verifies"
    );
    let install = std::fs::read_to_string(root().join("action/install.sh")).unwrap();
    assert!(
        install.contains("workflow=\"$repository/.github/workflows/release.yml\""),
        "the installer names this workflow as the signer"
    );
}

// ---------------------------------------------------------------------------
// Account selection (organization-wide audits)
// ---------------------------------------------------------------------------

/// A release directory whose asset is a stand-in `dynaudit` (a bash
/// script), so that the arguments the action passes can be checked without
/// AWS: each call appends its arguments, NUL-separated and ended by a line
/// break, to `$FAKE_DYNAUDIT_LOG`. `scan` and `eval` write what the action
/// reads: the SARIF report (a directory of `<id>.sarif` files when
/// `$FAKE_DYNAUDIT_ACCOUNTS` names two or more accounts, else a file), the
/// JSON and Markdown reports, the inventory directory and the counts; the
/// gate run exits with `$FAKE_DYNAUDIT_EXIT` (default 0).
fn fake_dynaudit_release(into: &Path) -> PathBuf {
    let (_, _, target) = runner_platform();
    let stage = into.join("stage");
    std::fs::create_dir_all(&stage).unwrap();
    let script = r#"#!/usr/bin/env bash
set -euo pipefail
if [ "${1:-}" = --version ]; then echo 'dynaudit 0.1.0 (stand-in)'; exit 0; fi
{ for a in "$@"; do printf '%s\0' "$a"; done; printf '\n'; } >>"$FAKE_DYNAUDIT_LOG"
format= output= counts= inventory_out=
while [ $# -gt 0 ]; do
  case $1 in
    --format) format=$2; shift ;;
    --output=*) output=${1#--output=} ;;
    --counts-out=*) counts=${1#--counts-out=} ;;
    --inventory-out=*) inventory_out=${1#--inventory-out=} ;;
  esac
  shift
done
read -r -a accounts <<<"${FAKE_DYNAUDIT_ACCOUNTS:-111111111111}"
sarif_for() {
  printf '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"dynaudit"}},"automationDetails":{"id":"dynaudit/%s/us-east-1/"},"results":[]}]}\n' "$1"
}
if [ -n "$inventory_out" ]; then
  mkdir -p "$inventory_out"
  for id in "${accounts[@]}"; do echo '{}' >"$inventory_out/$id.json"; done
  echo '{"index_version":"1.0"}' >"$inventory_out/index.json"
fi
case $format in
  sarif)
    if [ "${#accounts[@]}" -gt 1 ]; then
      mkdir -p "$output"
      for id in "${accounts[@]}"; do sarif_for "$id" >"$output/$id.sarif"; done
    else
      sarif_for "${accounts[0]}" >"$output"
    fi
    if [ -n "$counts" ]; then
      printf 'failing=0\nunknown=0\npassing=0\nwaived=0\nnew=0\ngate-failures=0\nincomplete-scope=0\n' >>"$counts"
    fi
    exit "${FAKE_DYNAUDIT_EXIT:-0}"
    ;;
  json) echo '{"findings":[]}' >"$output" ;;
  markdown) printf '# dynaudit compliance report\n\n(stand-in)\n' >"$output" ;;
  html) printf '<!DOCTYPE html>\n<title>stand-in</title>\n' >"$output" ;;
esac
"#;
    let bin = stage.join("dynaudit");
    std::fs::write(&bin, script).unwrap();
    std::fs::set_permissions(&bin, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let tagged = into.join(TAG);
    std::fs::create_dir_all(&tagged).unwrap();
    let asset = format!("dynaudit-{target}.tar.gz");
    let status = Command::new("tar")
        .arg("-czf")
        .arg(tagged.join(&asset))
        .arg("-C")
        .arg(&stage)
        .arg("dynaudit")
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::write(
        tagged.join(format!("{asset}.sha256")),
        format!("{}  {asset}\n", sha256_hex(&tagged.join(&asset))),
    )
    .unwrap();
    into.to_path_buf()
}

/// A runner whose release is the stand-in dynaudit of
/// [`fake_dynaudit_release`] (and whose `gh` vouches for it), with a
/// stand-in `curl` for the code scanning API ([`fake_code_scanning`]).
/// Returns the runner and the file the stand-in logs its calls to.
fn fake_dynaudit_runner(accounts: &[&str]) -> (Runner, PathBuf) {
    let mut runner = Runner::new();
    let release = fake_dynaudit_release(&runner.temp.path().join("fake-release"));
    let log = runner.temp.path().join("dynaudit-calls");
    runner
        .env("DYNAUDIT_RELEASE_BASE_URL", file_url(&release))
        .env("FAKE_DYNAUDIT_LOG", log.display().to_string())
        .env("FAKE_DYNAUDIT_ACCOUNTS", accounts.join(" "))
        .env("DYNAUDIT_UPLOAD_INTERVAL", "0")
        .stand_in(
            "gh",
            "#!/usr/bin/env bash\n[ \"$1 $2\" = 'attestation verify' ] || exit 64\necho 'Verification succeeded!'\n",
        );
    fake_code_scanning(&mut runner);
    (runner, log)
}

/// The calls of the stand-in dynaudit, `--version` excepted: each call's
/// arguments.
fn dynaudit_calls(log: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .split_terminator("\0\n")
        .map(|call| call.split('\0').map(str::to_string).collect())
        .collect()
}

/// A stand-in `curl` for the code scanning REST API (any `file://` URL goes
/// to the real curl: the install's download). Each API call is logged to
/// `runner-files/api/N-METHOD` with its URL, its arguments and its
/// standard input (the token, as `--config -` reads it), and its body to
/// `N-body.json`; an upload answers with an id, a status query with
/// `complete`, or with `failed` for the id of an upload whose SARIF holds
/// `FAIL-PROCESSING`.
fn fake_code_scanning(runner: &mut Runner) -> PathBuf {
    let dir = runner.temp.path().join("runner-files/api");
    std::fs::create_dir_all(&dir).unwrap();
    let real_curl = ["/usr/bin/curl", "/bin/curl", "/usr/local/bin/curl"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("curl on this machine");
    let script = format!(
        r#"#!/usr/bin/env bash
for a in "$@"; do case $a in file://*) exec '{real_curl}' "$@";; esac; done
dir='{dir}'
n=$(find "$dir" -name '*-call' | wc -l | tr -d ' ')
method= url= body=
args=("$@")
while [ $# -gt 0 ]; do
  case $1 in
    --request) method=$2; shift ;;
    --url) url=$2; shift ;;
    --data-binary) body=${{2#@}}; shift ;;
  esac
  shift
done
{{ echo "$method $url"; printf '%s\n' "${{args[@]}}"; echo '--- stdin'; cat; }} >"$dir/$n-call"
if [ -n "$body" ]; then
  cp "$body" "$dir/$n-body.json"
  sed 's/.*"sarif":"\([^"]*\)".*/\1/' "$body" | base64 -d | gzip -dc >"$dir/$n-sarif.json"
  sarif=$(cat "$dir/$n-sarif.json")
  case $sarif in *FAIL-PROCESSING*) echo '{{"id":"failing-upload-'"$n"'"}}' ;; *) echo '{{"id":"upload-'"$n"'","url":"x"}}' ;; esac
  exit 0
fi
case $url in
  */failing-upload-*) echo '{{"processing_status":"failed","errors":["::add-mask::from-github"]}}' ;;
  *) echo '{{"processing_status":"complete"}}' ;;
esac
"#,
        dir = dir.display(),
    );
    runner.stand_in("curl", script);
    dir
}

/// One API call of [`fake_code_scanning`]: "METHOD URL", its arguments,
/// its standard input, and the decoded SARIF of an upload.
struct ApiCall {
    request: String,
    args: Vec<String>,
    stdin: String,
    body: Option<serde_json::Value>,
    sarif: Option<serde_json::Value>,
}

fn api_calls(dir: &Path) -> Vec<ApiCall> {
    let mut calls = Vec::new();
    for n in 0.. {
        let Ok(text) = std::fs::read_to_string(dir.join(format!("{n}-call"))) else {
            break;
        };
        let (head, stdin) = text.split_once("--- stdin\n").unwrap();
        let mut lines = head.lines();
        let request = lines.next().unwrap().to_string();
        let args = lines.map(str::to_string).collect();
        let body: Option<serde_json::Value> =
            std::fs::read_to_string(dir.join(format!("{n}-body.json")))
                .ok()
                .map(|b| serde_json::from_str(&b).expect("the upload body is JSON"));
        let sarif = std::fs::read_to_string(dir.join(format!("{n}-sarif.json")))
            .ok()
            .map(|text| serde_json::from_str(&text).expect("the uploaded SARIF is JSON"));
        calls.push(ApiCall {
            request,
            args,
            stdin: stdin.to_string(),
            body,
            sarif,
        });
    }
    calls
}

/// The arguments of the stand-in's gate run (the call with `--format
/// sarif`) and of its report runs.
fn gate_call(calls: &[Vec<String>]) -> &Vec<String> {
    calls
        .iter()
        .find(|c| c.windows(2).any(|w| w[0] == "--format" && w[1] == "sarif"))
        .unwrap_or_else(|| panic!("no gate run among {calls:#?}"))
}

/// Every selection input reaches `dynaudit scan` as one `--option=VALUE`
/// argument; the inventory is a directory, the SARIF report a directory of
/// per-account files, uploaded one file per request through the code
/// scanning API with the job's token on curl's standard input; the JSON and
/// Markdown reports evaluate the inventory directory.
#[test]
fn an_account_selection_reaches_dynaudit_and_uploads_one_sarif_per_account() {
    let accounts = ["111111111111", "222222222222", "333333333333"];
    let (mut runner, log) = fake_dynaudit_runner(&accounts);
    let api = runner.temp.path().join("runner-files/api");
    let job = runner
        .input("organization", "true")
        .input("ou", "ou-ab12-cdef3456,r-ab12")
        .input("accounts", "111111111111,222222222222,333333333333")
        .input("exclude-accounts", "444444444444")
        .input("role-name", "audit/DynauditAudit")
        .input("external-id", "dynaudit-ext-1")
        .input("shard", "2/4")
        .input("regions", "us-east-1,eu-west-1")
        .input("fail-on", "none")
        .run();
    let log_text = job.log();
    assert!(job.succeeded(), "{log_text}");
    let out = job.runner_temp.join("dynaudit");
    let inventory = out.join("dynaudit-inventory").display().to_string();
    let sarif = out.join("sarif").display().to_string();
    let calls = dynaudit_calls(&log);
    assert_eq!(calls.len(), 4, "gate, json, markdown, html: {calls:#?}");
    let gate = gate_call(&calls);
    let expected: Vec<String> = [
        "scan".to_string(),
        format!("--inventory-out={inventory}"),
        "--organization".to_string(),
        "--ou=ou-ab12-cdef3456,r-ab12".to_string(),
        "--accounts=111111111111,222222222222,333333333333".to_string(),
        "--exclude-accounts=444444444444".to_string(),
        "--role-name=audit/DynauditAudit".to_string(),
        "--external-id=dynaudit-ext-1".to_string(),
        "--shard=2/4".to_string(),
        "--regions=us-east-1,eu-west-1".to_string(),
        "--fail-on".to_string(),
        "none".to_string(),
        "--format".to_string(),
        "sarif".to_string(),
        format!("--output={sarif}"),
    ]
    .into_iter()
    .collect();
    assert_eq!(gate[..expected.len()], expected[..], "{gate:#?}");
    assert!(
        gate[expected.len()].starts_with("--counts-out="),
        "{gate:#?}"
    );
    assert_eq!(
        gate.len(),
        expected.len() + 1,
        "no category options: {gate:#?}"
    );
    for call in calls.iter().filter(|c| !std::ptr::eq(*c, gate)) {
        assert_eq!(call[0], "eval");
        assert!(
            call.contains(&"--allow-incomplete-scope".to_string()),
            "{call:?}"
        );
        assert_eq!(
            call[call.len() - 2..],
            ["--".to_string(), inventory.clone()],
            "{call:?}"
        );
    }

    assert_eq!(job.outputs["run"]["upload"], "directory");
    assert_eq!(job.output("sarif"), sarif);
    assert_eq!(job.output("inventory"), inventory);
    assert_eq!(job.output("category"), "");
    assert!(
        job.uploads.is_empty(),
        "upload-sarif is not used: {:#?}",
        job.uploads
    );
    assert_eq!(job.step("Upload SARIF to code scanning").exit, None);
    assert_eq!(job.step("per-account SARIF").exit, Some(0), "{log_text}");

    let calls = api_calls(&api);
    let uploads: Vec<&ApiCall> = calls.iter().filter(|c| c.body.is_some()).collect();
    assert_eq!(uploads.len(), 3, "one upload per account");
    for (call, account) in uploads.iter().zip(accounts) {
        assert_eq!(
            call.request,
            format!("POST https://api.github.com/repos/{HARNESS_REPOSITORY}/code-scanning/sarifs")
        );
        let body = call.body.as_ref().unwrap();
        assert_eq!(body["commit_sha"], HARNESS_SHA);
        assert_eq!(body["ref"], "refs/heads/main");
        assert_eq!(
            call.sarif.as_ref().unwrap()["runs"][0]["automationDetails"]["id"],
            format!("dynaudit/{account}/us-east-1/"),
            "the file of {account}, as dynaudit wrote it"
        );
    }
    let statuses = calls
        .iter()
        .filter(|c| c.request.starts_with("GET "))
        .count();
    assert_eq!(statuses, 3, "each upload's processing is checked");
    for call in &calls {
        assert_eq!(
            call.stdin,
            format!("header = \"Authorization: Bearer {GITHUB_TOKEN}\"\n"),
            "the token reaches curl on its standard input"
        );
        assert!(
            !call.args.iter().any(|a| a.contains(GITHUB_TOKEN)),
            "never on its command line: {:?}",
            call.args
        );
        assert!(call.args.contains(&"=https".to_string()), "{:?}", call.args);
    }
}

/// Shell syntax in `accounts`, `ou`, `role-name`, `exclude-accounts` and
/// `external-id` is a literal value: nothing runs, and each value reaches
/// dynaudit as one argument.
#[test]
fn selection_inputs_with_shell_metacharacters_stay_literal() {
    let (mut runner, log) = fake_dynaudit_runner(&["111111111111", "222222222222"]);
    let hostile = |name: &str| format!("{name} $(touch PWNED) `touch PWNED`; touch PWNED #\"'");
    let job = runner
        .input("accounts", hostile("111111111111,"))
        .input("ou", hostile("ou-x"))
        .input("role-name", hostile("Audit"))
        .input("exclude-accounts", hostile("2"))
        .input("external-id", hostile("id"))
        .input("shard", "1/1")
        .input("fail-on", "none")
        .run();
    let log_text = job.log();
    assert!(job.succeeded(), "{log_text}");
    assert!(
        !runner.workspace.join("PWNED").exists(),
        "an input was executed: {log_text}"
    );
    assert!(!root().join("PWNED").exists(), "an input was executed");
    let calls = dynaudit_calls(&log);
    let gate = gate_call(&calls);
    for (option, value) in [
        ("--accounts", hostile("111111111111,")),
        ("--ou", hostile("ou-x")),
        ("--role-name", hostile("Audit")),
        ("--exclude-accounts", hostile("2")),
        ("--external-id", hostile("id")),
    ] {
        assert!(
            gate.contains(&format!("{option}={value}")),
            "{option} as one argument: {gate:#?}"
        );
    }
    // A value that looks like an option is still the value of its option.
    let (mut runner, log) = fake_dynaudit_runner(&["111111111111", "222222222222"]);
    let job = runner
        .input("accounts", "--help")
        .input("role-name", "--version")
        .input("fail-on", "none")
        .run();
    assert!(job.succeeded(), "{}", job.log());
    let calls = dynaudit_calls(&log);
    let gate = gate_call(&calls);
    assert!(gate.contains(&"--accounts=--help".to_string()), "{gate:#?}");
    assert!(
        gate.contains(&"--role-name=--version".to_string()),
        "{gate:#?}"
    );
}

/// A shard that is not K/N with 1 <= K <= N, and selection inputs that do
/// not fit together, fail the run step with a clear message before
/// dynaudit runs.
#[test]
fn invalid_selection_inputs_fail_the_run_step() {
    let sample = root().join(SAMPLE).display().to_string();
    let mut cases: Vec<(Vec<(&str, String)>, &str)> = Vec::new();
    for shard in [
        "0/4",
        "5/4",
        "1/0",
        "a/b",
        "1-4",
        "1/4/2",
        " 1/4",
        "-1/4",
        "1/",
        "01/4",
        "1/1234567",
    ] {
        cases.push((
            vec![("organization", "true".into()), ("shard", shard.into())],
            "shard must be K/N with 1 <= K <= N, such as 2/4",
        ));
    }
    cases.extend([
        (
            vec![("organization", "yes".into())],
            "organization must be true or false",
        ),
        (
            vec![("shard", "1/2".into())],
            "need an account selection: organization, ou or accounts",
        ),
        (
            vec![("role-name", "DynauditAudit".into())],
            "need an account selection",
        ),
        (
            vec![
                ("accounts", "111111111111".into()),
                ("external-id", "x".into()),
            ],
            "external-id needs role-name",
        ),
        (
            vec![("ou", "r-ab12".into()), ("category", "nightly".into())],
            "category cannot be combined with several accounts",
        ),
        (
            vec![
                ("inventory", sample.clone()),
                ("accounts", "111111111111".into()),
            ],
            "are for a live scan; they cannot be combined with inventory",
        ),
    ]);
    for (inputs, message) in cases {
        let (mut runner, log) = fake_dynaudit_runner(&["111111111111", "222222222222"]);
        for (name, value) in &inputs {
            runner.input(name, value.clone());
        }
        let job = runner.run();
        let log_text = job.log();
        assert_eq!(job.step("Run").exit, Some(2), "{inputs:?}: {log_text}");
        let errors = annotations(&job);
        assert_eq!(errors.len(), 1, "{inputs:?}: {errors:?}");
        assert!(errors[0].1.contains(message), "{inputs:?}: {errors:?}");
        assert!(
            dynaudit_calls(&log).is_empty(),
            "dynaudit did not run: {inputs:?}"
        );
        assert_eq!(job.step("per-account SARIF").exit, None);
        assert_eq!(job.step("gate").exit, None);
    }
}

/// Inventory directories (one per line, as the final job of the fan-out
/// workflow passes them) are evaluated together, and their per-account
/// SARIF files uploaded one by one; `upload-sarif: false` uploads nothing.
#[test]
fn several_inventory_directories_are_evaluated_together() {
    let (mut runner, log) = fake_dynaudit_runner(&["111111111111", "222222222222"]);
    for dir in ["inventories/inventory-1", "inventories/inventory-2"] {
        std::fs::create_dir_all(runner.workspace.join(dir)).unwrap();
    }
    let job = runner
        .input(
            "inventory",
            "inventories/inventory-1\n  inventories/inventory-2  \n\n",
        )
        .input("fail-on", "none")
        .run();
    let log_text = job.log();
    assert!(job.succeeded(), "{log_text}");
    let calls = dynaudit_calls(&log);
    assert_eq!(calls.len(), 4, "gate, json, markdown, html: {calls:#?}");
    for call in &calls {
        assert_eq!(call[0], "eval");
        assert_eq!(
            call[call.len() - 3..],
            ["--", "inventories/inventory-1", "inventories/inventory-2"],
            "{call:?}"
        );
    }
    assert_eq!(
        job.output("inventory"),
        "inventories/inventory-1\ninventories/inventory-2"
    );
    assert_eq!(job.outputs["run"]["upload"], "directory");
    assert_eq!(job.step("per-account SARIF").exit, Some(0), "{log_text}");

    let (mut runner, _) = fake_dynaudit_runner(&["111111111111", "222222222222"]);
    let api = runner.temp.path().join("runner-files/api");
    std::fs::create_dir_all(runner.workspace.join("inv")).unwrap();
    let job = runner
        .input("inventory", "inv")
        .input("upload-sarif", "false")
        .input("fail-on", "none")
        .run();
    assert!(job.succeeded(), "{}", job.log());
    assert_eq!(job.outputs["run"]["upload"], "none");
    assert_eq!(job.step("per-account SARIF").exit, None);
    assert_eq!(job.step("Upload SARIF to code scanning").exit, None);
    assert!(api_calls(&api).is_empty());
}

/// A selection that holds one account gives one SARIF file, uploaded by
/// upload-sarif as before (the category is the one the file carries).
#[test]
fn a_selection_of_one_account_uploads_one_file_with_upload_sarif() {
    let (mut runner, _) = fake_dynaudit_runner(&["111111111111"]);
    let job = runner
        .input("accounts", "111111111111")
        .input("role-name", "DynauditAudit")
        .input("fail-on", "none")
        .run();
    assert!(job.succeeded(), "{}", job.log());
    assert_eq!(job.outputs["run"]["upload"], "file");
    assert_eq!(job.uploads.len(), 1);
    let sarif = read_json(&job.uploads[0].sarif_file);
    assert_eq!(
        sarif["runs"][0]["automationDetails"]["id"],
        "dynaudit/111111111111/us-east-1/"
    );
    assert_eq!(job.step("per-account SARIF").exit, None);
}

/// An upload that GitHub could not process fails the upload step after
/// every file was tried, naming the file; what GitHub answered is shown
/// with workflow commands stopped.
#[test]
fn a_sarif_upload_github_cannot_process_fails_the_upload_step() {
    let (mut runner, _) =
        fake_dynaudit_runner(&["111111111111", "FAIL-PROCESSING", "333333333333"]);
    let api = runner.temp.path().join("runner-files/api");
    let job = runner
        .input("accounts", "111111111111,222222222222,333333333333")
        .input("fail-on", "none")
        .run();
    let log_text = job.log();
    assert_eq!(job.step("per-account SARIF").exit, Some(1), "{log_text}");
    assert_eq!(job.step("gate").exit, None);
    let uploads = api_calls(&api)
        .into_iter()
        .filter(|c| c.body.is_some())
        .count();
    assert_eq!(uploads, 3, "every file is tried");
    let errors = annotations(&job);
    assert!(
        errors
            .iter()
            .any(|(_, m)| m.contains("FAIL-PROCESSING.sarif: code scanning could not process")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|(_, m)| m == "1 of 3 SARIF upload(s) failed"),
        "{errors:?}"
    );
}

// ---------------------------------------------------------------------------
// The fan-out workflow of docs/organization.md, run as GitHub runs it
// ---------------------------------------------------------------------------

/// The fan-out workflow of docs/organization.md (its ```yaml block with the
/// jobs `accounts`, `collect` and `report`).
fn fan_out_workflow() -> serde_yaml_ng::Value {
    let text = std::fs::read_to_string(root().join("docs/organization.md")).unwrap();
    let mut rest = text.as_str();
    while let Some(open) = rest.find("```yaml\n") {
        let body = &rest[open + 8..];
        let close = body.find("```").unwrap();
        let workflow: serde_yaml_ng::Value = serde_yaml_ng::from_str(&body[..close]).unwrap();
        if workflow["jobs"]["accounts"].is_mapping() {
            return workflow;
        }
        rest = &body[close + 3..];
    }
    panic!("docs/organization.md has no fan-out workflow (jobs accounts, collect, report)");
}

/// Sends one Organizations call to the emulator as `account` (JSON 1.1;
/// moto reads the account from the access key and checks no signature).
fn organizations_call(
    account: &TestAccount,
    operation: &str,
    body: &serde_json::Value,
) -> serde_json::Value {
    let out = Command::new("curl")
        .args(["--silent", "--show-error", "--fail-with-body", "--request", "POST"])
        .arg("--header")
        .arg(format!("X-Amz-Target: AWSOrganizationsV20161128.{operation}"))
        .arg("--header")
        .arg("Content-Type: application/x-amz-json-1.1")
        .arg("--header")
        .arg(format!(
            "Authorization: AWS4-HMAC-SHA256 Credential={}/20260101/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=0",
            account.credentials.access_key_id()
        ))
        .arg("--header")
        .arg(format!(
            "X-Amz-Security-Token: {}",
            account.credentials.session_token().unwrap_or_default()
        ))
        .arg("--data-binary")
        .arg(body.to_string())
        .arg(format!("{}/", account.endpoint))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "Organizations {operation}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// An organization in the emulator: `management` creates it and `members`
/// accounts; every account, the management one included, gets an `orders`
/// table in us-east-1 (PITR off: DYN201, high). Returns the member ids.
async fn seed_organization(management: &TestAccount, members: usize) -> Vec<String> {
    organizations_call(
        management,
        "CreateOrganization",
        &serde_json::json!({"FeatureSet": "ALL"}),
    );
    let mut ids = Vec::new();
    for n in 0..members {
        let created = organizations_call(
            management,
            "CreateAccount",
            &serde_json::json!({"AccountName": format!("member-{n}"), "Email": format!("member-{n}@example.com")}),
        );
        ids.push(
            created["CreateAccountStatus"]["AccountId"]
                .as_str()
                .expect("CreateAccount gives the account id")
                .to_string(),
        );
    }
    let sts = aws_sdk_sts::Client::new(&management.config("us-east-1"));
    let mut configs = vec![management.config("us-east-1")];
    for id in &ids {
        let out = sts
            .assume_role()
            .role_arn(format!("arn:aws:iam::{id}:role/DynauditAudit"))
            .role_session_name("seed")
            .send()
            .await
            .unwrap();
        let c = out.credentials().unwrap();
        configs.push(support::moto::sdk_config(
            &management.endpoint,
            aws_sdk_sts::config::Credentials::new(
                c.access_key_id(),
                c.secret_access_key(),
                Some(c.session_token().to_string()),
                None,
                "seed",
            ),
            "us-east-1",
        ));
    }
    for config in &configs {
        create_table(
            &aws_sdk_dynamodb::Client::new(config),
            &TableSpec {
                name: "orders",
                tags: &[("Environment", "prod"), ("Application", "shop")],
                ..TableSpec::default()
            },
        )
        .await;
    }
    ids
}

/// One job of the fan-out workflow, run as the runner runs it: `run:` steps
/// with bash and their `env:`, `GITHUB_OUTPUT` and `GITHUB_PATH` honoured;
/// `uses:` steps replaced: checkout writes the repository's files,
/// configure-aws-credentials gives the emulator's credentials, the
/// artifact actions copy directories to and from `artifacts`, and the
/// dynaudit Action runs through the action harness (`action_runner`, whose
/// workspace is the job's). Returns the job's outputs and the Action's run.
struct WorkflowJob<'a> {
    name: &'a str,
    workspace: PathBuf,
    runner_temp: PathBuf,
    artifacts: &'a Path,
    aws: Vec<(&'static str, String)>,
    matrix: serde_json::Value,
    job_index: usize,
    needs: BTreeMap<String, BTreeMap<String, String>>,
    stand_ins: &'a Path,
}

impl WorkflowJob<'_> {
    fn run(
        &self,
        workflow: &serde_yaml_ng::Value,
        mut action_runner: Option<&mut Runner>,
    ) -> (BTreeMap<String, String>, Option<Job>) {
        let job = &workflow["jobs"][self.name];
        let mut outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut path_additions: Vec<String> = Vec::new();
        let mut action_job = None;
        std::fs::create_dir_all(&self.workspace).unwrap();
        std::fs::create_dir_all(&self.runner_temp).unwrap();
        let mut workflow_env: BTreeMap<String, String> = BTreeMap::new();
        for (key, value) in workflow["env"].as_mapping().into_iter().flatten() {
            workflow_env.insert(key.as_str().unwrap().into(), string(value).unwrap());
        }
        let eval = |outputs: &BTreeMap<String, BTreeMap<String, String>>, expr: &str| -> String {
            let expr = expr.trim();
            if let Some(rest) = expr.strip_prefix("steps.") {
                let (id, name) = rest.split_once(".outputs.").unwrap();
                return outputs
                    .get(id)
                    .and_then(|o| o.get(name))
                    .cloned()
                    .unwrap_or_default();
            }
            if let Some(name) = expr.strip_prefix("matrix.") {
                return self.matrix[name]
                    .as_str()
                    .unwrap_or_else(|| panic!("no matrix.{name}"))
                    .into();
            }
            if let Some(rest) = expr.strip_prefix("needs.") {
                let (job, name) = rest.split_once(".outputs.").unwrap();
                return self.needs[job][name].clone();
            }
            match expr {
                "github.token" => GITHUB_TOKEN.into(),
                "strategy.job-index" => self.job_index.to_string(),
                other => {
                    panic!("the workflow uses an expression the harness does not evaluate: {other}")
                }
            }
        };
        let interpolate = |outputs: &BTreeMap<String, BTreeMap<String, String>>, text: &str| {
            let mut result = String::new();
            let mut rest = text;
            while let Some(start) = rest.find("${{") {
                result.push_str(&rest[..start]);
                let end = rest[start..].find("}}").unwrap();
                result.push_str(&eval(outputs, &rest[start + 3..start + end]));
                rest = &rest[start + end + 2..];
            }
            result.push_str(rest);
            result
        };
        for (index, step) in job["steps"].as_sequence().unwrap().iter().enumerate() {
            if let Some(condition) = step["if"].as_str() {
                assert_eq!(
                    condition, "always()",
                    "an if: the harness does not evaluate"
                );
            }
            let with = |key: &str| {
                step["with"][key]
                    .as_str()
                    .map(|v| interpolate(&outputs, v))
                    .unwrap_or_default()
            };
            if let Some(uses) = step["uses"].as_str() {
                let (action, _) = uses.split_once('@').unwrap();
                match action {
                    "actions/checkout" => {
                        let github = self.workspace.join(".github");
                        std::fs::create_dir_all(&github).unwrap();
                        std::fs::copy(fast_config(&self.runner_temp), github.join("dynaudit.toml"))
                            .unwrap();
                        std::fs::write(
                            github.join("dynaudit-waivers.toml"),
                            "[[waiver]]\nrule = \"DYN505\"\nresource = \"arn:aws:dynamodb:*:*:table/orders\"\nreason = \"accepted (RISK-1)\"\nowner = \"data@example.com\"\nexpires = 2099-12-31\n",
                        )
                        .unwrap();
                    }
                    "aws-actions/configure-aws-credentials" => {}
                    "actions/upload-artifact" => {
                        let name = with("name");
                        let target = self.artifacts.join(&name);
                        for path in with("path")
                            .lines()
                            .map(str::trim)
                            .filter(|p| !p.is_empty())
                        {
                            let source = self.workspace.join(path);
                            copy_tree(&source, &target);
                        }
                    }
                    "actions/download-artifact" => {
                        let pattern = with("pattern");
                        let prefix = pattern.strip_suffix('*').expect("a prefix* pattern");
                        assert_ne!(step["with"]["merge-multiple"].as_bool(), Some(true));
                        for entry in std::fs::read_dir(self.artifacts).unwrap().flatten() {
                            let name = entry.file_name().to_string_lossy().to_string();
                            if name.starts_with(prefix) {
                                copy_tree(
                                    &entry.path(),
                                    &self.workspace.join(with("path")).join(&name),
                                );
                            }
                        }
                    }
                    "dynaudit/dynaudit" => {
                        let runner = action_runner
                            .as_deref_mut()
                            .expect("an action runner for this job");
                        assert_eq!(runner.workspace, self.workspace);
                        for (key, value) in step["with"].as_mapping().unwrap() {
                            runner.input(
                                key.as_str().unwrap(),
                                interpolate(&outputs, &string(value).unwrap()),
                            );
                        }
                        let job = runner.run();
                        if let Some(id) = step["id"].as_str() {
                            outputs.insert(id.into(), job.action_outputs.clone());
                        }
                        action_job = Some(job);
                    }
                    other => {
                        panic!("the workflow uses an action the harness does not replace: {other}")
                    }
                }
                continue;
            }
            let script = step["run"].as_str().unwrap();
            assert!(
                !script.contains("${{"),
                "an expression pasted into shell code: {script}"
            );
            let files = self.runner_temp.join(format!("step-{index}"));
            std::fs::create_dir_all(&files).unwrap();
            let (output_file, path_file) = (files.join("output"), files.join("path"));
            std::fs::write(&output_file, "").unwrap();
            std::fs::write(&path_file, "").unwrap();
            std::fs::write(files.join("script.sh"), script).unwrap();
            let mut search_path: Vec<String> = path_additions.iter().rev().cloned().collect();
            search_path.push(self.stand_ins.display().to_string());
            search_path.push(std::env::var("PATH").unwrap_or_default());
            let mut cmd = Command::new("bash");
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(files.join("script.sh"))
                .current_dir(&self.workspace)
                .env_clear()
                .env("PATH", search_path.join(":"))
                .env("HOME", &self.runner_temp)
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_PATH", &path_file)
                .env("GITHUB_WORKSPACE", &self.workspace)
                .env("RUNNER_TEMP", &self.runner_temp)
                .env("NO_COLOR", "1")
                .envs(workflow_env.iter())
                .envs(self.aws.iter().map(|(k, v)| (*k, v.as_str())));
            for (key, value) in step["env"].as_mapping().into_iter().flatten() {
                cmd.env(
                    key.as_str().unwrap(),
                    interpolate(&outputs, &string(value).unwrap()),
                );
            }
            let out = cmd.output().unwrap();
            assert!(
                out.status.success(),
                "job {} step {index} failed:\n{}{}",
                self.name,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            if let Some(id) = step["id"].as_str() {
                outputs.insert(
                    id.into(),
                    parse_github_file(&std::fs::read_to_string(&output_file).unwrap()),
                );
            }
            path_additions.extend(
                std::fs::read_to_string(&path_file)
                    .unwrap()
                    .lines()
                    .filter(|l| !l.is_empty())
                    .map(str::to_string),
            );
        }
        let mut job_outputs = BTreeMap::new();
        for (key, value) in job["outputs"].as_mapping().into_iter().flatten() {
            job_outputs.insert(
                key.as_str().unwrap().into(),
                interpolate(&outputs, value.as_str().unwrap()),
            );
        }
        (job_outputs, action_job)
    }
}

/// Copies a file or a directory tree (its contents) into `target`.
fn copy_tree(source: &Path, target: &Path) {
    if source.is_file() {
        std::fs::create_dir_all(target).unwrap();
        std::fs::copy(source, target.join(source.file_name().unwrap())).unwrap();
        return;
    }
    std::fs::create_dir_all(target).unwrap();
    for entry in std::fs::read_dir(source)
        .unwrap_or_else(|e| panic!("{}: {e}", source.display()))
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            copy_tree(&path, &target.join(entry.file_name()));
        } else {
            std::fs::copy(&path, target.join(entry.file_name())).unwrap();
        }
    }
}

/// A stand-in GitHub CLI for the workflow's install step: `release download`
/// copies the assets of the harness's release, `attestation verify` passes
/// for its asset.
fn workflow_gh(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let (_, _, target) = runner_platform();
    let asset_sha = sha256_hex(
        &release_dir()
            .join(TAG)
            .join(format!("dynaudit-{target}.tar.gz")),
    );
    let script = format!(
        r#"#!/usr/bin/env bash
set -euo pipefail
case "$1 $2" in
  'release download')
    tag=$3; shift 3
    while [ $# -gt 0 ]; do
      case $1 in --pattern) cp '{release}'/"$tag"/"$2" .; shift ;; --repo) shift ;; esac
      shift
    done ;;
  'attestation verify')
    [ "$(sha256sum "$3" | cut -d ' ' -f 1)" = '{asset_sha}' ] || exit 1
    echo 'Verification succeeded!' ;;
  *) exit 64 ;;
esac
"#,
        release = release_dir().display(),
    );
    let path = dir.join("gh");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
}

/// The three jobs of the fan-out workflow of docs/organization.md against
/// an emulated organization: the accounts job lists it as a matrix of
/// shards, each collect job collects exactly its accounts into an artifact,
/// and the report job evaluates every shard's directory with the Action:
/// one report of every account, one SARIF upload per account with its own
/// category, the gate last.
#[tokio::test(flavor = "multi_thread")]
async fn the_fan_out_workflow_audits_every_account_of_the_organization() {
    let management = TestAccount::new().await;
    let members = seed_organization(&management, 5).await;
    let mut all: Vec<String> = members.clone();
    all.push(management.account_id.clone());
    all.sort();

    let workflow = fan_out_workflow();
    let temp = tempfile::tempdir().unwrap();
    let artifacts = temp.path().join("artifacts");
    let stand_ins = temp.path().join("stand-ins");
    workflow_gh(&stand_ins);
    std::fs::create_dir_all(&artifacts).unwrap();

    // Job 1: the organization, once, as a matrix.
    let accounts_job = WorkflowJob {
        name: "accounts",
        workspace: temp.path().join("accounts/workspace"),
        runner_temp: temp.path().join("accounts/temp"),
        artifacts: &artifacts,
        aws: management.env(),
        matrix: serde_json::Value::Null,
        job_index: 0,
        needs: BTreeMap::new(),
        stand_ins: &stand_ins,
    };
    let (outputs, _) = accounts_job.run(&workflow, None);
    assert_eq!(
        workflow["jobs"]["collect"]["strategy"]["matrix"].as_str(),
        Some("${{ fromJSON(needs.accounts.outputs.matrix) }}")
    );
    let matrix: serde_json::Value =
        serde_json::from_str(&outputs["matrix"]).expect("the matrix is JSON");
    let include = matrix["include"].as_array().expect("include");
    let mut listed: Vec<String> = include
        .iter()
        .flat_map(|e| {
            e["accounts"]
                .as_str()
                .unwrap()
                .split(',')
                .map(str::to_string)
        })
        .collect();
    listed.sort();
    assert_eq!(listed, all, "every account in exactly one shard: {matrix}");

    // Job 2: one collect job per shard.
    let needs = BTreeMap::from([("accounts".to_string(), outputs)]);
    for (index, entry) in include.iter().enumerate() {
        let job = WorkflowJob {
            name: "collect",
            workspace: temp.path().join(format!("collect-{index}/workspace")),
            runner_temp: temp.path().join(format!("collect-{index}/temp")),
            artifacts: &artifacts,
            aws: management.env(),
            matrix: entry.clone(),
            job_index: index,
            needs: needs.clone(),
            stand_ins: &stand_ins,
        };
        job.run(&workflow, None);
        let index_json = read_json(&artifacts.join(format!("inventory-{index}/index.json")));
        let mut collected: Vec<String> = index_json["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["account_id"].as_str().unwrap().to_string())
            .collect();
        collected.sort();
        let mut expected: Vec<String> = entry["accounts"]
            .as_str()
            .unwrap()
            .split(',')
            .map(str::to_string)
            .collect();
        expected.sort();
        assert_eq!(
            collected, expected,
            "shard {index} collects exactly its accounts"
        );
    }

    // Job 3: every shard evaluated together by the Action.
    let (mut runner, _) = (Runner::new(), ());
    let api = fake_code_scanning(&mut runner);
    runner.env("DYNAUDIT_UPLOAD_INTERVAL", "0");
    let report = WorkflowJob {
        name: "report",
        workspace: runner.workspace.clone(),
        runner_temp: temp.path().join("report/temp"),
        artifacts: &artifacts,
        aws: Vec::new(),
        matrix: serde_json::Value::Null,
        job_index: 0,
        needs: BTreeMap::new(),
        stand_ins: &stand_ins,
    };
    let (_, job) = report.run(&workflow, Some(&mut runner));
    let job = job.expect("the report job runs the Action");
    let log = job.log();
    assert_eq!(job.step("Run").exit, Some(0), "{log}");
    assert_eq!(job.outputs["run"]["upload"], "directory", "{log}");
    assert_eq!(job.step("per-account SARIF").exit, Some(0), "{log}");
    assert_eq!(
        job.step("gate").exit,
        Some(1),
        "PITR is off everywhere (DYN201, high): {log}"
    );
    let uploaded: Vec<String> = api_calls(&api)
        .iter()
        .filter_map(|c| c.sarif.as_ref())
        .map(|s| {
            s["runs"][0]["automationDetails"]["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let expected: Vec<String> = all
        .iter()
        .map(|id| format!("dynaudit/{id}/eu-west-1,us-east-1/"))
        .collect();
    assert_eq!(
        uploaded, expected,
        "one upload per account, each its own category"
    );
    for file in std::fs::read_dir(job.path("sarif")).unwrap().flatten() {
        assert_multitool_accepts(&file.path());
    }
    let report = read_json(&job.path("json"));
    for id in &all {
        assert!(
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["account"] == id.as_str()
                    && f["rule_id"] == "DYN201"
                    && f["status"] == "fail"),
            "account {id}'s orders table fails DYN201 in the one report"
        );
        assert!(
            job.summary.contains(id.as_str()),
            "the summary names account {id}"
        );
    }
}

/// The example workflows of docs/organization.md and of the README's
/// "Organization-wide audit" section pass only inputs action.yml declares
/// and read only outputs it declares.
#[test]
fn organization_workflows_use_the_action_as_it_is() {
    let action = action();
    let declared = |key: &str| -> Vec<String> {
        action[key]
            .as_mapping()
            .unwrap()
            .keys()
            .map(|k| k.as_str().unwrap().to_string())
            .collect()
    };
    let (inputs, outputs) = (declared("inputs"), declared("outputs"));
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("\n## Organization-wide audit\n")
        .expect("the README section");
    let section = &readme[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let docs = std::fs::read_to_string(root().join("docs/organization.md")).unwrap();
    let mut uses = 0;
    for text in [section, docs.as_str()] {
        let mut rest = text;
        while let Some(open) = rest.find("```yaml\n") {
            let body = &rest[open + 8..];
            let close = body.find("```").unwrap();
            let workflow: serde_yaml_ng::Value = serde_yaml_ng::from_str(&body[..close]).unwrap();
            for job in workflow["jobs"]
                .as_mapping()
                .into_iter()
                .flatten()
                .map(|(_, j)| j)
            {
                for step in job["steps"].as_sequence().unwrap() {
                    if step["uses"]
                        .as_str()
                        .is_some_and(|u| u.starts_with("dynaudit/dynaudit@"))
                    {
                        uses += 1;
                        for key in step["with"].as_mapping().unwrap().keys() {
                            let key = key.as_str().unwrap();
                            assert!(inputs.iter().any(|i| i == key), "undeclared input {key}");
                        }
                    }
                }
            }
            for (i, _) in body[..close].match_indices("steps.dynaudit.outputs.") {
                let name: String = body[i + 23..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                assert!(outputs.contains(&name), "undeclared output {name}");
            }
            rest = &body[close + 3..];
        }
    }
    assert_eq!(
        uses, 2,
        "the README's one-job workflow and the fan-out's report job"
    );
}
