//! Loading policies (the built-in pack and users' directories) into one
//! compiled regorus engine, and running their Rego unit tests.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::metadata::{self, MetadataError, RuleMeta};

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
    #[error("policy directory {0} contains no .rego rule files")]
    EmptyDir(String),
    #[error("cannot compile policy {path}:\n{message}")]
    Parse { path: String, message: String },
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    #[error("{second}: rule id {id} is already defined by {first}")]
    DuplicateId {
        id: String,
        first: String,
        second: String,
    },
    #[error(
        "{path}: package {package} is not a rule package: rule packages must be below `dynaudit.rules.` (e.g. `package dynaudit.rules.dyn901`)"
    )]
    Package { path: String, package: String },
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
            });
        }
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
}

/// The `.rego` files below a directory, recursively, in a stable order.
pub fn dir_files(dir: &Path) -> Result<Vec<PolicyFile>, PolicyError> {
    let mut paths = Vec::new();
    walk(dir, &mut paths)?;
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let shown = path.display().to_string().replace('\\', "/");
        let text = crate::text_file::read_text(&path, crate::config::limits::TEXT_FILE_LIMIT)
            .map_err(|source| PolicyError::Read {
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
        });
    }
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), PolicyError> {
    let entries = std::fs::read_dir(dir).map_err(|source| PolicyError::ReadDir {
        path: dir.display().to_string(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| PolicyError::ReadDir {
            path: dir.display().to_string(),
            source,
        })?;
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "rego") {
            out.push(path);
        }
    }
    Ok(())
}

/// A compiled set of rules: one regorus engine holding every rule and
/// library, plus each rule's metadata. Cheap to clone per worker.
#[derive(Clone)]
pub struct PolicySet {
    pub(crate) engine: regorus::Engine,
    rules: Vec<RuleMeta>,
}

impl std::fmt::Debug for PolicySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicySet")
            .field("rules", &self.rules.len())
            .finish()
    }
}

impl PolicySet {
    /// The built-in pack plus every directory in `extra_dirs`.
    pub fn load(extra_dirs: &[PathBuf]) -> Result<PolicySet, PolicyError> {
        let mut files = builtin_files();
        for dir in extra_dirs {
            let found = dir_files(dir)?;
            if !found.iter().any(|f| f.kind == FileKind::Rule) {
                return Err(PolicyError::EmptyDir(dir.display().to_string()));
            }
            files.extend(found);
        }
        PolicySet::from_files(&files)
    }

    /// Compiles the rule and library files (tests are ignored) and parses
    /// every rule's metadata.
    pub fn from_files(files: &[PolicyFile]) -> Result<PolicySet, PolicyError> {
        let mut engine = new_engine();
        let mut rules: Vec<RuleMeta> = Vec::new();
        for file in files.iter().filter(|f| f.kind != FileKind::Test) {
            let package = add(&mut engine, file)?;
            if file.kind != FileKind::Rule {
                continue;
            }
            if !package.starts_with("dynaudit.rules.") {
                return Err(PolicyError::Package {
                    path: file.path.clone(),
                    package,
                });
            }
            let meta = metadata::parse(&file.path, &file.text, &package)?;
            if let Some(first) = rules.iter().find(|r| r.id == meta.id) {
                return Err(PolicyError::DuplicateId {
                    id: meta.id.clone(),
                    first: first.source.clone(),
                    second: file.path.clone(),
                });
            }
            rules.push(meta);
        }
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(PolicySet { engine, rules })
    }

    /// Every loaded rule, sorted by id.
    pub fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }

    /// One rule by id (case-insensitive).
    pub fn rule(&self, id: &str) -> Option<&RuleMeta> {
        self.rules.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }
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
    let package = engine
        .add_policy(file.path.clone(), file.text.clone())
        .map_err(|err| PolicyError::Parse {
            path: file.path.clone(),
            message: err
                .to_string()
                .trim_start_matches("error: ")
                .trim()
                .to_string(),
        })?;
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
        let failure = match engine.eval_rule(name.clone()) {
            Ok(regorus::Value::Bool(true)) => None,
            Ok(regorus::Value::Undefined) => {
                Some("undefined (a condition did not hold)".to_string())
            }
            Ok(other) => Some(format!("evaluated to {other}")),
            Err(err) => Some(format!("error: {err}")),
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
}
