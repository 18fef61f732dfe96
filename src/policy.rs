//! Loading policies (the built-in pack and users' directories) into
//! compiled regorus engines, and running their Rego unit tests.
//!
//! Own rules (`--policies`) cannot change built-in ones: the built-in rules
//! are evaluated by an engine that holds the built-in files alone, and every
//! own file is checked at load ([`crate::policy_packages`]): a rule file's
//! package is `dynaudit.rules.<name>` of its own, a library's is below
//! `custom.lib.`, and no id or package of a built-in rule may be reused.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::metadata::{self, MetadataError, RuleMeta};
use crate::policy_packages::{self, BuiltinPackage};

/// The built-in rule pack, embedded in the binary.
static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/policies");

/// What a `.rego` file is, decided by its name and place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A rule: must carry a `# METADATA` block.
    Rule,
    /// A helper library under a `lib/` directory: no metadata needed.
    Library,
    /// `*_test.rego`: Rego unit tests, and test-only helpers such as the
    /// inventory builders of `policies/lib/inventory_test.rego`; compiled
    /// only to run the tests, never into the evaluation engine.
    Test,
}

/// One policy source file.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// Path shown in messages (`policies/dyn101_....rego` for built-ins).
    pub path: String,
    /// The Rego text.
    pub text: String,
    /// Rule, library or test.
    pub kind: FileKind,
    /// Part of the built-in pack (else from a `--policies` directory).
    pub builtin: bool,
}

/// Why policies could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read policy directory {path}: {source}")]
    ReadDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot read policy {path}: {source}")]
    Read {
        path: String,
        source: crate::text_file::ReadError,
    },
    #[error(
        "{path}: not a regular file: a policy file must be a regular file (not a named pipe, socket or device)"
    )]
    NotAFile { path: String },
    #[error("{path}: {size} bytes, more than a policy file may have ({max} bytes)")]
    TooLarge { path: String, size: u64, max: usize },
    #[error("{path}:{line}:{column}: not UTF-8 text: policy files must be UTF-8")]
    NotUtf8 {
        path: String,
        line: usize,
        column: usize,
    },
    #[error(
        "{path}: the directory {first} again (given twice, or reached through a symbolic link): each policy directory is read once"
    )]
    DirectoryAgain { path: String, first: String },
    #[error("policy directory {0} contains no .rego rule files")]
    EmptyDir(String),
    #[error("cannot compile policy {path}:\n{message}")]
    Parse { path: String, message: String },
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    #[error("{second}:{line}: rule id {id} is already defined by {first}")]
    DuplicateId {
        id: String,
        first: String,
        second: String,
        line: usize,
    },
    #[error("{path}:{line}: package `{package}` {reason}")]
    Package {
        path: String,
        line: usize,
        package: String,
        reason: String,
    },
    #[error("cannot prepare the policy engine: {0}")]
    Engine(String),
}

fn kind_of(path: &str) -> FileKind {
    if path.ends_with("_test.rego") {
        FileKind::Test
    } else if path.split('/').any(|part| part == "lib") {
        FileKind::Library
    } else {
        FileKind::Rule
    }
}

/// The built-in policy files, in a stable order.
pub fn builtin_files() -> Vec<PolicyFile> {
    let mut files = Vec::new();
    collect_embedded(&BUILTIN, &mut files);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

fn collect_embedded(dir: &Dir<'static>, out: &mut Vec<PolicyFile>) {
    for file in dir.files() {
        let relative = file.path().to_string_lossy().replace('\\', "/");
        if !relative.ends_with(".rego") {
            continue;
        }
        if let Some(text) = file.contents_utf8() {
            let path = format!("policies/{relative}");
            out.push(PolicyFile {
                kind: kind_of(&path),
                path,
                text: text.to_string(),
                builtin: true,
            });
        }
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
}

/// The `.rego` files below a directory, recursively, in a stable order.
pub fn dir_files(dir: &Path) -> Result<Vec<PolicyFile>, PolicyError> {
    dir_files_once(dir, &mut BTreeMap::new())
}

/// [`dir_files`], refusing a directory already read (`seen`: canonical
/// path -> the path it was read as), so that a symbolic link loop cannot
/// recurse without end and no file is loaded twice.
fn dir_files_once(
    dir: &Path,
    seen: &mut BTreeMap<PathBuf, String>,
) -> Result<Vec<PolicyFile>, PolicyError> {
    let mut paths = Vec::new();
    walk(dir, &mut paths, seen)?;
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let shown = crate::text_file::printable(&path.display().to_string().replace('\\', "/"));
        // The policy engine refuses files over its own limit (1 MiB).
        let limit = crate::text_file::SizeLimit {
            bytes: regorus::PolicyLengthConfig::default().max_file_bytes.get() as u64,
            name: "the policy engine's limit for one policy file",
        };
        let text =
            crate::text_file::read_text(&path, limit).map_err(|source| PolicyError::Read {
                path: shown.clone(),
                source,
            })?;
        let relative = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        files.push(PolicyFile {
            kind: kind_of(&relative),
            path: shown,
            text,
            builtin: false,
        });
    }
    Ok(files)
}

fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    seen: &mut BTreeMap<PathBuf, String>,
) -> Result<(), PolicyError> {
    let shown = crate::text_file::printable(&dir.display().to_string());
    let read_dir_error = |source| PolicyError::ReadDir {
        path: shown.clone(),
        source,
    };
    let canonical = std::fs::canonicalize(dir).map_err(read_dir_error)?;
    if let Some(first) = seen.get(&canonical) {
        return Err(PolicyError::DirectoryAgain {
            path: shown,
            first: first.clone(),
        });
    }
    seen.insert(canonical, shown.clone());
    let entries = std::fs::read_dir(dir).map_err(read_dir_error)?;
    for entry in entries {
        let entry = entry.map_err(read_dir_error)?;
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out, seen)?;
        } else if path.extension().is_some_and(|ext| ext == "rego") {
            out.push(path);
        }
    }
    Ok(())
}

/// A compiled set of rules: the built-in rules in an engine of the built-in
/// files alone, own rules (`--policies`) in one that adds their files to the
/// built-in ones, and each rule's metadata. Cheap to clone per worker.
#[derive(Clone)]
pub struct PolicySet {
    builtin_engine: regorus::Engine,
    custom_engine: Option<regorus::Engine>,
    rules: Vec<RuleMeta>,
    custom_ids: BTreeSet<String>,
}

impl std::fmt::Debug for PolicySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicySet")
            .field("rules", &self.rules.len())
            .field("custom", &self.custom_ids.len())
            .finish()
    }
}

impl PolicySet {
    /// The built-in pack plus every directory in `extra_dirs`.
    pub fn load(extra_dirs: &[PathBuf]) -> Result<PolicySet, PolicyError> {
        let mut files = builtin_files();
        let mut seen = BTreeMap::new();
        for dir in extra_dirs {
            let found = dir_files_once(dir, &mut seen)?;
            if !found.iter().any(|f| f.kind == FileKind::Rule) {
                return Err(PolicyError::EmptyDir(crate::text_file::printable(
                    &dir.display().to_string(),
                )));
            }
            files.extend(found);
        }
        PolicySet::from_files(&files)
    }

    /// Compiles the rule and library files (tests are ignored) and parses
    /// every rule's metadata; own files (`builtin: false`) are checked
    /// against the built-in ones first.
    pub fn from_files(files: &[PolicyFile]) -> Result<PolicySet, PolicyError> {
        let compiled: Vec<&PolicyFile> =
            files.iter().filter(|f| f.kind != FileKind::Test).collect();
        let mut builtin_engine = new_engine();
        let mut rules: Vec<RuleMeta> = Vec::new();
        let mut builtin_packages: BTreeMap<Vec<String>, BuiltinPackage> = BTreeMap::new();
        for file in compiled.iter().filter(|f| f.builtin) {
            let package = add(&mut builtin_engine, file)?;
            let meta = match file.kind {
                FileKind::Rule => Some(rule_meta(file, &package, &rules, usize::MAX)?),
                _ => None,
            };
            builtin_packages.insert(
                split_package(&package),
                BuiltinPackage {
                    path: file.path.clone(),
                    rule_id: meta.as_ref().map(|m| m.id.clone()),
                },
            );
            rules.extend(meta);
        }
        let builtin_rules = rules.len();
        let customs: Vec<&PolicyFile> = compiled.iter().copied().filter(|f| !f.builtin).collect();
        let mut custom_ids = BTreeSet::new();
        let custom_engine = if customs.is_empty() {
            None
        } else {
            let mut engine = builtin_engine.clone();
            for file in &customs {
                add(&mut engine, file)?;
            }
            let packages = engine
                .get_policy_package_components()
                .map_err(|err| PolicyError::Engine(err.to_string()))?;
            let own = &packages[packages.len().saturating_sub(customs.len())..];
            let mut checker = policy_packages::Checker::new(&builtin_packages);
            for (file, package) in customs.iter().zip(own) {
                if package.source_file != file.path {
                    return Err(PolicyError::Engine(format!(
                        "the package of {} was read as that of {}",
                        file.path, package.source_file
                    )));
                }
                checker
                    .check(
                        &file.path,
                        &file.text,
                        file.kind == FileKind::Rule,
                        &package.components,
                    )
                    .map_err(|refusal| PolicyError::Package {
                        path: file.path.clone(),
                        line: refusal.line,
                        package: refusal.package,
                        reason: refusal.reason,
                    })?;
                if file.kind == FileKind::Rule {
                    let meta =
                        rule_meta(file, &package.components.join("."), &rules, builtin_rules)?;
                    custom_ids.insert(meta.id.clone());
                    rules.push(meta);
                }
            }
            Some(engine)
        };
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(PolicySet {
            builtin_engine,
            custom_engine,
            rules,
            custom_ids,
        })
    }

    /// Every loaded rule, sorted by id.
    pub fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }

    /// One rule by id (case-insensitive).
    pub fn rule(&self, id: &str) -> Option<&RuleMeta> {
        self.rules.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }

    /// Whether a rule comes from a `--policies` directory.
    pub fn is_custom(&self, rule: &RuleMeta) -> bool {
        self.custom_ids.contains(&rule.id)
    }

    /// The engine of the built-in files alone, which evaluates the built-in
    /// rules.
    pub(crate) fn builtin_engine(&self) -> &regorus::Engine {
        &self.builtin_engine
    }

    /// The engine of the built-in and own files, which evaluates own rules
    /// (`None` without any).
    pub(crate) fn custom_engine(&self) -> Option<&regorus::Engine> {
        self.custom_engine.as_ref()
    }
}

/// `a.b.c` -> `[a, b, c]` (built-in packages are plain identifiers).
fn split_package(package: &str) -> Vec<String> {
    package.split('.').map(str::to_string).collect()
}

/// Parses a rule file's metadata and refuses an id already loaded (the
/// first `builtin_rules` of `loaded` are built-in), naming the line of its
/// `id:`.
fn rule_meta(
    file: &PolicyFile,
    package: &str,
    loaded: &[RuleMeta],
    builtin_rules: usize,
) -> Result<RuleMeta, PolicyError> {
    let mut meta = metadata::parse(&file.path, &file.text, package)?;
    meta.builtin = file.builtin;
    if let Some(index) = loaded.iter().position(|r| r.id == meta.id) {
        let first = &loaded[index];
        let first = if index < builtin_rules {
            format!("the built-in rule {} ({})", first.id, first.source)
        } else {
            first.source.clone()
        };
        return Err(PolicyError::DuplicateId {
            id: meta.id.clone(),
            first,
            second: file.path.clone(),
            line: metadata::key_line(&file.text, "id:"),
        });
    }
    Ok(meta)
}

fn new_engine() -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    // Builtin errors (e.g. a malformed timestamp) must surface, not silently
    // make a rule body undefined (which could hide a failure).
    engine.set_strict_builtin_errors(true);
    engine
}

/// Adds one file; returns its package without the `data.` prefix.
fn add(engine: &mut regorus::Engine, file: &PolicyFile) -> Result<String, PolicyError> {
    let parse_error = |message: String| PolicyError::Parse {
        path: file.path.clone(),
        message: crate::text_file::printable(message.trim_start_matches("error: ").trim()),
    };
    let package =
        crate::bounds::contain(|| engine.add_policy(file.path.clone(), file.text.clone()))
            .map_err(parse_error)?
            .map_err(|err| parse_error(err.to_string()))?;
    Ok(package
        .strip_prefix("data.")
        .unwrap_or(&package)
        .to_string())
}

/// The outcome of one Rego unit test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegoTestResult {
    /// The test file.
    pub file: String,
    /// `data.<package>.<test name>`.
    pub name: String,
    /// `None` when it passed, else why not.
    pub failure: Option<String>,
}

/// Runs every `test_*` rule of every `_test.rego` file against all the
/// rule and library files given (OPA's `opa test` semantics: a test passes
/// when it evaluates to `true`).
pub fn run_rego_tests(files: &[PolicyFile]) -> Result<Vec<RegoTestResult>, PolicyError> {
    let mut engine = new_engine();
    let bounds = crate::config::EvaluationSettings::default();
    crate::bounds::guard_builtins(&mut engine, bounds.max_generated_elements)
        .map_err(|err| PolicyError::Engine(err.to_string()))?;
    engine.set_execution_timer_config(crate::bounds::timer(bounds.rule_time_limit()));
    let mut tests = Vec::new();
    for file in files {
        let package = add(&mut engine, file)?;
        if file.kind == FileKind::Test {
            for name in test_names(&file.text) {
                tests.push((file.path.clone(), format!("data.{package}.{name}")));
            }
        }
    }
    engine.set_input(regorus::Value::new_object());
    let mut results = Vec::new();
    for (file, name) in tests {
        let failure = match crate::bounds::contain(|| engine.eval_rule(name.clone())) {
            Err(panic) => Some(panic),
            Ok(Ok(regorus::Value::Bool(true))) => None,
            Ok(Ok(regorus::Value::Undefined)) => {
                Some("undefined (a condition did not hold)".to_string())
            }
            Ok(Ok(other)) => Some(format!("evaluated to {other}")),
            Ok(Err(err)) => Some(format!("error: {err}")),
        };
        results.push(RegoTestResult {
            file,
            name,
            failure,
        });
    }
    Ok(results)
}

/// Names of the `test_*` rules a test file defines (at line start, as
/// `opa fmt` writes them).
fn test_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .lines()
        .filter_map(|line| {
            let name: String = line
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            (name.starts_with("test_") && line.len() > name.len()).then_some(name)
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_are_embedded() {
        let files = builtin_files();
        assert!(
            files
                .iter()
                .any(|f| f.path == "policies/lib/common.rego" && f.kind == FileKind::Library)
        );
        assert!(files.iter().any(|f| f.kind == FileKind::Test));
        assert!(files.iter().any(|f| f.kind == FileKind::Rule));
    }

    #[test]
    fn finds_test_names() {
        let names =
            test_names("test_a if {\n}\ntest_a if { true }\n  test_nested := 1\ntest_b := true\n");
        assert_eq!(names, vec!["test_a".to_string(), "test_b".to_string()]);
    }

    /// An own rule file with `id` in `package`.
    fn own_rule(path: &str, id: &str, package: &str) -> PolicyFile {
        PolicyFile {
            path: path.to_string(),
            text: format!(
                "# METADATA\n# title: T\n# description: D\n# custom:\n#   id: {id}\n#   name: own\n#   severity: low\n#   frameworks:\n#     soc2: [CC6.1]\n#   remediation:\n#     summary: S\npackage {package}\n\noutcomes := set()\n"
            ),
            kind: FileKind::Rule,
            builtin: false,
        }
    }

    fn own_library(path: &str, text: &str) -> PolicyFile {
        PolicyFile {
            path: path.to_string(),
            text: text.to_string(),
            kind: FileKind::Library,
            builtin: false,
        }
    }

    fn load_with(own: Vec<PolicyFile>) -> Result<PolicySet, String> {
        let mut files = builtin_files();
        files.extend(own);
        PolicySet::from_files(&files).map_err(|err| err.to_string())
    }

    #[test]
    fn an_own_rule_in_a_built_in_rule_package_is_refused() {
        let err = load_with(vec![own_rule(
            "mine/x.rego",
            "DYN901",
            "dynaudit.rules.dyn101",
        )])
        .unwrap_err();
        assert!(
            err.starts_with("mine/x.rego:12: package `dynaudit.rules.dyn101`"),
            "{err}"
        );
        assert!(err.contains("built-in rule DYN101"), "{err}");
    }

    #[test]
    fn an_own_rule_with_a_built_in_id_is_refused_at_its_id_line() {
        let err = load_with(vec![own_rule(
            "mine/x.rego",
            "DYN204",
            "dynaudit.rules.mine",
        )])
        .unwrap_err();
        assert!(err.starts_with("mine/x.rego:5: rule id DYN204"), "{err}");
        assert!(
            err.contains("the built-in rule DYN204 (policies/dyn204_"),
            "{err}"
        );
        let err = load_with(vec![
            own_rule("mine/a.rego", "DYN901", "dynaudit.rules.a"),
            own_rule("mine/b.rego", "DYN901", "dynaudit.rules.b"),
        ])
        .unwrap_err();
        assert_eq!(
            err,
            "mine/b.rego:5: rule id DYN901 is already defined by mine/a.rego"
        );
    }

    #[test]
    fn own_files_cannot_add_to_built_in_libraries_or_the_parameters() {
        for (text, package) in [
            (
                "package dynaudit.lib.cloudtrail\n\nqualifying contains \"x\"\n",
                "dynaudit.lib.cloudtrail",
            ),
            (
                "package dynaudit.lib.fresh\n\nx := 1\n",
                "dynaudit.lib.fresh",
            ),
            ("package dynaudit\n\nparams := {}\n", "dynaudit"),
            (
                "package dynaudit.params\n\nrequired_tags := {}\n",
                "dynaudit.params",
            ),
            (
                "package dynaudit.rules.dyn101\n\nx := 1\n",
                "dynaudit.rules.dyn101",
            ),
            ("# helpers\npackage acme\n\nx := 1\n", "acme"),
        ] {
            let err = load_with(vec![
                own_rule("mine/r.rego", "DYN901", "dynaudit.rules.dyn901"),
                own_library("mine/lib/l.rego", text),
            ])
            .unwrap_err();
            let line = if text.starts_with('#') { 2 } else { 1 };
            assert!(
                err.starts_with(&format!("mine/lib/l.rego:{line}: package `{package}`")),
                "{err}"
            );
        }
    }

    #[test]
    fn built_in_rules_are_evaluated_by_an_engine_without_own_files() {
        let set = load_with(vec![
            own_rule("mine/r.rego", "DYN901", "dynaudit.rules.dyn901"),
            own_library("mine/lib/l.rego", "package custom.lib.util\n\nx := 1\n"),
        ])
        .unwrap();
        let builtin = set.builtin_engine().get_packages().unwrap();
        assert!(
            builtin.iter().all(|p| p.starts_with("data.dynaudit.")),
            "{builtin:?}"
        );
        assert!(
            !builtin
                .iter()
                .any(|p| p.contains("dyn901") || p.contains("custom"))
        );
        let custom = set.custom_engine().unwrap().get_packages().unwrap();
        assert!(
            custom.iter().any(|p| p == "data.custom.lib.util"),
            "{custom:?}"
        );
        assert!(
            custom.iter().any(|p| p == "data.dynaudit.lib.cloudtrail"),
            "{custom:?}"
        );
        let own = set.rule("DYN901").unwrap();
        assert!(set.is_custom(own));
        assert!(!set.is_custom(set.rule("DYN101").unwrap()));
        assert!(load_with(vec![]).unwrap().custom_engine().is_none());
    }

    #[test]
    fn unreadable_policy_files_are_refused_with_their_position() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ok.rego"), "package x\n").unwrap();
        std::fs::write(
            dir.path().join("latin1.rego"),
            b"# caf\xe9\npackage dynaudit.rules.x\n",
        )
        .unwrap();
        let err = dir_files(dir.path()).unwrap_err().to_string();
        assert!(
            err.ends_with(
                "latin1.rego: it is not UTF-8 text (an invalid byte at line 1, column 6)"
            ),
            "{err}"
        );
        std::fs::remove_file(dir.path().join("latin1.rego")).unwrap();
        let big = "# x\n".repeat(300_000);
        std::fs::write(dir.path().join("big.rego"), big).unwrap();
        let err = dir_files(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("big.rego: it is larger than the policy engine's limit"),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_refused_not_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("pipe.rego");
        let made = std::process::Command::new("mkfifo").arg(&pipe).status();
        assert!(made.is_ok_and(|s| s.success()));
        let err = dir_files(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("pipe.rego: it is a named pipe (FIFO), not a regular file"),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let mine = dir.path().join("mine");
        std::fs::create_dir_all(mine.join("sub")).unwrap();
        std::fs::write(mine.join("sub/r.rego"), "package x\n").unwrap();
        // Two links back up: walked naively, 2^depth paths before ELOOP.
        std::os::unix::fs::symlink(&mine, mine.join("sub/up")).unwrap();
        std::os::unix::fs::symlink(&mine, mine.join("sub/up2")).unwrap();
        let err = dir_files(&mine).unwrap_err().to_string();
        assert!(err.contains("sub/up: the directory"), "{err}");
        let twice = PolicySet::load(&[mine.join("sub"), mine.join("sub")])
            .unwrap_err()
            .to_string();
        assert!(twice.contains("again (given twice"), "{twice}");
    }
}
