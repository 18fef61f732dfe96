//! Output paths, checked before any work (before policies are loaded, and
//! for `scan` and `collect` before the first AWS call): an output must not
//! be one of the command's inputs nor another of its outputs, must not be a
//! directory, a FIFO or a device, and its directory must exist or be
//! creatable, and accept new files.
//!
//! Two paths are the same file when they resolve to the same place: `./x`
//! and `x`, `d/../x`, an absolute path, a symbolic link and its target (and
//! on Unix a hard link: the same device and inode). A path that does not
//! exist yet resolves through its nearest existing ancestor.

use std::path::{Component, Path, PathBuf};

use anyhow::{Result, bail};

use crate::cli::args::{PolicyArgs, ReportArgs};

/// A file or directory a command reads.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// How messages name it: `the inventory`, `the --config file`.
    pub what: String,
    pub path: &'a Path,
    /// A `--policies` directory: what it holds below it, `.rego` files, is
    /// read, not the directory itself.
    pub rego_dir: bool,
}

impl<'a> Input<'a> {
    /// An input file, named `what` in messages.
    pub fn file(what: impl Into<String>, path: &'a Path) -> Self {
        Input {
            what: what.into(),
            path,
            rego_dir: false,
        }
    }
}

/// How an output is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Replaced as a whole (a temporary file renamed over it).
    Replace,
    /// Appended to (`--counts-out`, which is `$GITHUB_OUTPUT` in a workflow).
    Append,
}

/// A file a command writes.
#[derive(Debug, Clone, Copy)]
pub struct Output<'a> {
    /// The option that names it: `--output`.
    pub flag: &'static str,
    pub path: &'a Path,
    pub mode: Mode,
}

impl<'a> Output<'a> {
    /// A file replaced as a whole.
    pub fn replace(flag: &'static str, path: &'a Path) -> Self {
        Output {
            flag,
            path,
            mode: Mode::Replace,
        }
    }
}

/// The inputs named by the policy options: `--config`, `--waivers`, and
/// the `.rego` files of each `--policies` directory.
pub fn policy_inputs(policy: &PolicyArgs) -> Vec<Input<'_>> {
    let mut inputs = Vec::new();
    if let Some(path) = &policy.config {
        inputs.push(Input::file("the --config file", path));
    }
    if let Some(path) = &policy.waivers {
        inputs.push(Input::file("the --waivers file", path));
    }
    for dir in &policy.policy_dirs {
        inputs.push(Input {
            what: format!("a rule of --policies {}", dir.display()),
            path: dir,
            rego_dir: true,
        });
    }
    inputs
}

/// The report options' input (`--baseline`) and outputs (`--output`,
/// `--counts-out`).
pub fn report_files(report: &ReportArgs) -> (Option<Input<'_>>, Vec<Output<'_>>) {
    let baseline = report
        .baseline
        .as_deref()
        .map(|path| Input::file("the --baseline report", path));
    let mut outputs = Vec::new();
    if let Some(path) = &report.output {
        outputs.push(Output::replace("--output", path));
    }
    if let Some(path) = &report.counts_out {
        outputs.push(Output {
            flag: "--counts-out",
            path,
            mode: Mode::Append,
        });
    }
    if let Some(path) = &report.category_out {
        outputs.push(Output {
            flag: "--category-out",
            path,
            mode: Mode::Append,
        });
    }
    (baseline, outputs)
}

/// Where a path leads.
#[derive(Debug)]
struct Resolved {
    /// Absolute, with links followed and `.` and `..` resolved.
    path: PathBuf,
    /// Its metadata (links followed), when it exists.
    metadata: Option<std::fs::Metadata>,
}

impl Resolved {
    fn same_file(&self, other: &Resolved) -> bool {
        if self.path == other.path {
            return true;
        }
        #[cfg(unix)]
        if let (Some(a), Some(b)) = (&self.metadata, &other.metadata) {
            use std::os::unix::fs::MetadataExt;
            return a.dev() == b.dev() && a.ino() == b.ino();
        }
        false
    }
}

/// Resolves `path`; also returns the nearest existing ancestor as given
/// and resolved, and the metadata of that ancestor.
fn resolve(path: &Path) -> std::io::Result<(Resolved, PathBuf, std::fs::Metadata)> {
    if let Ok(canonical) = std::fs::canonicalize(path) {
        let metadata = std::fs::metadata(&canonical)?;
        let parent = canonical.parent().unwrap_or(&canonical).to_path_buf();
        let parent_metadata = std::fs::metadata(&parent)?;
        return Ok((
            Resolved {
                path: canonical,
                metadata: Some(metadata),
            },
            parent,
            parent_metadata,
        ));
    }
    // The nearest ancestor that exists; the rest is resolved as written.
    for ancestor in path.ancestors().skip(1) {
        let shown = if ancestor.as_os_str().is_empty() {
            Path::new(".")
        } else {
            ancestor
        };
        let Ok(canonical) = std::fs::canonicalize(shown) else {
            continue;
        };
        let metadata = std::fs::metadata(&canonical)?;
        let rest = path.strip_prefix(ancestor).unwrap_or(path);
        let mut resolved = canonical;
        for component in rest.components() {
            match component {
                Component::ParentDir => {
                    resolved.pop();
                }
                Component::Normal(part) => resolved.push(part),
                Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            }
        }
        return Ok((
            Resolved {
                path: resolved,
                metadata: None,
            },
            shown.to_path_buf(),
            metadata,
        ));
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        "no part of the path exists",
    ))
}

/// Checks every output of a command against its inputs and its other
/// outputs, and each on its own; the first problem is the error.
pub fn check_outputs(inputs: &[Input<'_>], outputs: &[Output<'_>]) -> Result<()> {
    let mut checked: Vec<(&Output<'_>, Resolved)> = Vec::new();
    for output in outputs {
        let resolved = check_one(output)?;
        for input in inputs {
            if collides(input, &resolved) {
                let verb = match output.mode {
                    Mode::Replace => "overwrite",
                    Mode::Append => "append to",
                };
                bail!(
                    "{} {} is {} ({}): it would {verb} an input; choose another path",
                    output.flag,
                    output.path.display(),
                    input.what,
                    input.path.display(),
                );
            }
        }
        for (earlier, other) in &checked {
            // Appending outputs may share a file: `--counts-out` and
            // `--category-out` both go to `$GITHUB_OUTPUT` in the Action.
            let both_append = earlier.mode == Mode::Append && output.mode == Mode::Append;
            if !both_append && resolved.same_file(other) {
                bail!(
                    "{} {} and {} {} are the same file: each output needs a path of its own",
                    earlier.flag,
                    earlier.path.display(),
                    output.flag,
                    output.path.display(),
                );
            }
        }
        checked.push((output, resolved));
    }
    Ok(())
}

fn collides(input: &Input<'_>, output: &Resolved) -> bool {
    let Ok((resolved, _, _)) = resolve(input.path) else {
        return false;
    };
    if input.rego_dir {
        output.path.extension().is_some_and(|ext| ext == "rego")
            && output.path.starts_with(&resolved.path)
    } else {
        resolved.same_file(output)
    }
}

/// One output on its own: what it names, and whether a file can be
/// created beside it.
fn check_one(output: &Output<'_>) -> Result<Resolved> {
    let (flag, path) = (output.flag, output.path);
    let shown = path.display();
    if path.as_os_str().is_empty() {
        bail!("{flag} is empty: name a file");
    }
    if path
        .as_os_str()
        .to_string_lossy()
        .ends_with(['/', std::path::MAIN_SEPARATOR])
    {
        bail!("{flag} {shown} ends with a path separator: name a file, not a directory");
    }
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let (resolved, ancestor, ancestor_metadata) = match resolve(path) {
        Ok(found) => found,
        Err(err) => bail!("{flag} {shown}: cannot resolve the path: {err}"),
    };
    if is_link && resolved.metadata.is_none() {
        bail!("{flag} {shown} is a symbolic link to nothing; name a file");
    }
    match &resolved.metadata {
        Some(metadata) if metadata.is_dir() => {
            bail!("{flag} {shown} is a directory; name a file")
        }
        Some(metadata) if !metadata.is_file() => {
            bail!(
                "{flag} {shown} is not a regular file (a FIFO, socket or device); name a regular file"
            )
        }
        Some(metadata) if metadata.permissions().readonly() => {
            bail!("{flag} {shown} is read-only; make it writable or choose another path")
        }
        _ => {}
    }
    if !ancestor_metadata.is_dir() {
        bail!("{flag} {shown}: {} is not a directory", ancestor.display());
    }
    // The file is written through a temporary file beside it (or appended
    // to, possibly created): the directory must take new files.
    let dir = match resolved.metadata {
        Some(_) => resolved.path.parent().map(Path::to_path_buf),
        None => std::fs::canonicalize(&ancestor).ok(),
    };
    if let Some(dir) = dir
        && let Err(err) = probe(&dir)
    {
        bail!(
            "{flag} {shown}: cannot create files in {}: {err}",
            dir.display()
        );
    }
    Ok(resolved)
}

/// Creates and removes an empty file in `dir`.
fn probe(dir: &Path) -> std::io::Result<()> {
    let (path, file) = crate::cli::output::create_temp(dir, "probe")?;
    drop(file);
    std::fs::remove_file(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(path: &Path) -> Output<'_> {
        Output::replace("--output", path)
    }

    fn err(inputs: &[Input<'_>], outputs: &[Output<'_>]) -> String {
        check_outputs(inputs, outputs).unwrap_err().to_string()
    }

    #[test]
    fn an_output_that_is_an_input_is_refused_by_any_name() {
        let dir = tempfile::tempdir().unwrap();
        let inventory = dir.path().join("inventory.json");
        std::fs::write(&inventory, "{}").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let input = [Input::file("the inventory", &inventory)];
        let dotted = dir.path().join("sub/.././inventory.json");
        let message = err(&input, &[out(&dotted)]);
        assert!(message.contains("is the inventory"), "{message}");
        #[cfg(unix)]
        {
            let link = dir.path().join("link.json");
            std::os::unix::fs::symlink(&inventory, &link).unwrap();
            assert!(err(&input, &[out(&link)]).contains("the inventory"));
            let hard = dir.path().join("hard.json");
            std::fs::hard_link(&inventory, &hard).unwrap();
            assert!(err(&input, &[out(&hard)]).contains("the inventory"));
            // A link to a directory, then `..`: still the inventory.
            let sub_link = dir.path().join("sublink");
            std::os::unix::fs::symlink(dir.path().join("sub"), &sub_link).unwrap();
            assert!(
                err(&input, &[out(&sub_link.join("../inventory.json"))]).contains("the inventory")
            );
        }
        let other = dir.path().join("report.json");
        check_outputs(&input, &[out(&other)]).unwrap();
    }

    #[test]
    fn two_outputs_that_are_one_file_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("new/report.sarif");
        let b = dir.path().join("new/../new/report.sarif");
        let counts = Output {
            flag: "--counts-out",
            path: &b,
            mode: Mode::Append,
        };
        let message = err(&[], &[out(&a), counts]);
        assert!(
            message.contains("--output") && message.contains("--counts-out"),
            "{message}"
        );
        assert!(message.contains("the same file"), "{message}");
        // Nothing was created by the check.
        assert!(!dir.path().join("new").exists());
    }

    #[test]
    fn directories_and_special_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(err(&[], &[out(dir.path())]).contains("is a directory"));
        #[cfg(unix)]
        assert!(err(&[], &[out(Path::new("/dev/null"))]).contains("not a regular file"));
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        assert!(err(&[], &[out(&file.join("report.md"))]).contains("is not a directory"));
        #[cfg(unix)]
        {
            let dangling = dir.path().join("dangling");
            std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
            assert!(err(&[], &[out(&dangling)]).contains("symbolic link to nothing"));
        }
        let mut permissions = std::fs::metadata(&file).unwrap().permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(&file, permissions).unwrap();
        assert!(err(&[], &[out(&file)]).contains("read-only"));
        assert!(err(&[], &[out(Path::new(""))]).contains("is empty"));
        assert!(err(&[], &[out(Path::new("new-dir/"))]).contains("path separator"));
    }

    #[test]
    fn a_rule_file_of_a_policy_directory_is_an_input() {
        let dir = tempfile::tempdir().unwrap();
        let rules = dir.path().join("mine");
        std::fs::create_dir(&rules).unwrap();
        let input = [Input {
            what: "a rule of --policies mine".to_owned(),
            path: &rules,
            rego_dir: true,
        }];
        let rule = rules.join("deep/dyn901.rego");
        assert!(err(&input, &[out(&rule)]).contains("a rule of --policies"));
        check_outputs(&input, &[out(&rules.join("report.md"))]).unwrap();
    }
}
