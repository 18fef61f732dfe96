//! Where command output goes: standard output (a closed pipe is not an
//! error) or a file, replaced atomically or appended to (the paths are
//! checked before any work, by [`crate::cli::path_check`]), and the report
//! of findings with its summary line and exit code.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cli::args::{ReportArgs, check_category};
use crate::config::Config;
use crate::finding::Finding;
use crate::gate::OutcomeCounts;
use crate::policy::PolicySet;
use crate::report::escape::inert;
use crate::report::{self, EvidenceFile, Format, ReportInput, Scope, Terminal};
use crate::waivers::WaiverReport;

/// Everything needed to write a report and decide the exit code.
pub struct ReportRequest<'a> {
    pub args: &'a ReportArgs,
    pub policies: &'a PolicySet,
    pub config: &'a Config,
    /// What was audited.
    pub scope: &'a Scope,
    /// The evidence file's text, whose lines SARIF results point at (one
    /// account only; `None` for a multi-account report).
    pub inventory_text: Option<&'a str>,
    pub evidence_uri: &'a str,
    pub findings: &'a [Finding],
    pub waivers: Option<&'a WaiverReport>,
    pub baseline: Option<&'a str>,
    /// Whether to render and write the report (false when it was written
    /// per account, as SARIF files): the counts and gate apply anyway.
    pub write_report: bool,
    /// Where infrastructure code declares each resource (`dynaudit iac`).
    pub sources: Option<&'a std::collections::BTreeMap<String, crate::report::SourceLine>>,
}

/// Writes the report and returns the exit code.
pub fn report_findings(request: &ReportRequest<'_>) -> Result<u8> {
    // Only SARIF points at lines of the evidence file.
    let lines = match request.inventory_text {
        Some(text) if request.args.format == Format::Sarif => report::locate::resource_lines(text),
        _ => Default::default(),
    };
    let scope = request.scope;
    let parameters = request.config.parameters.to_json();
    let input = ReportInput {
        findings: request.findings,
        rules: request.policies.rules(),
        parameters: &parameters,
        scope,
        evidence: EvidenceFile {
            uri: request.evidence_uri,
            lines: &lines,
            sources: request.sources,
        },
        waivers: request.waivers,
        baseline: request.baseline,
        sarif_category: request.args.sarif_category.as_deref(),
    };
    // The counts and the category are checked, and their files opened,
    // before the report is written: a run that cannot write them leaves no
    // report without them.
    let category = match &request.args.category_out {
        Some(path) => {
            let category = report::sarif::category(request.args.sarif_category.as_deref(), scope);
            if let Err(problem) = check_category(&category) {
                anyhow::bail!(
                    "cannot write the code scanning category {category:?} to {} (--category-out): {problem}; it comes from --sarif-category or from the inventory's account_id and region names",
                    path.display()
                );
            }
            Some((open_append(path, "--category-out")?, category))
        }
        None => None,
    };
    let counts_file = match &request.args.counts_out {
        Some(path) => Some(open_append(path, "--counts-out")?),
        None => None,
    };
    let terminal = terminal_of(request.args.output.is_none());
    if request.write_report {
        write_output_with(request.args.output.as_deref(), |out| {
            Ok(report::write(request.args.format, &input, terminal, out)?)
        })?;
    }

    let gate = request.args.fail_on.gate(
        request.args.fail_on_unknown,
        request.args.allow_incomplete_scope,
    );
    let counts = OutcomeCounts::of(request.findings, gate, scope.incomplete.len());
    if let Some((path, mut file)) = counts_file {
        file.write_all(counts.to_output_lines().as_bytes())
            .with_context(|| format!("cannot write {} (--counts-out)", path.display()))?;
    }
    if let Some(((path, mut file), category)) = category {
        file.write_all(format!("category={category}\n").as_bytes())
            .with_context(|| format!("cannot write {} (--category-out)", path.display()))?;
    }
    if !request.args.quiet {
        let mut extra = String::new();
        if request.waivers.is_some() {
            extra.push_str(&format!(", {} waived", counts.waived));
        }
        if request.baseline.is_some() {
            extra.push_str(&format!(", {} new since the baseline", counts.new));
        }
        eprintln!(
            "dynaudit: {} failing, {} unknown, {} passing{extra} ({} rules, {}, {} region(s)); {} counted by {}",
            counts.failing,
            counts.unknown,
            counts.passing,
            request.policies.rules().len(),
            scope_name(scope),
            scope.regions.len(),
            counts.gate_failures,
            gate.describe(),
        );
        if let Some(waivers) = request.waivers {
            for warning in waivers.warnings() {
                eprintln!("dynaudit: warning: {}", inert(&warning));
            }
        }
    }
    // Said even with --quiet: it decides the exit code.
    for gap in &scope.incomplete {
        eprintln!(
            "dynaudit: {}: incomplete scope: {}{}",
            if gate.scope_fails(&counts) {
                "error"
            } else {
                "warning"
            },
            inert(&gap.describe()),
            if gate.scope_fails(&counts) {
                " (the run fails; --allow-incomplete-scope accepts it)"
            } else {
                " (accepted with --allow-incomplete-scope)"
            }
        );
    }
    Ok(gate.exit_code_of(&counts))
}

/// How the table is laid out: for a report on standard output, colours
/// when it is a terminal and `NO_COLOR` is not set (<https://no-color.org>:
/// set and not empty), and the width of `COLUMNS` or else of the terminal;
/// for a file, or a pipe without `COLUMNS`, [`Terminal::PLAIN`].
pub fn terminal_of(to_stdout: bool) -> Terminal {
    if !to_stdout {
        return Terminal::PLAIN;
    }
    let on_terminal = std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<u16>().ok())
        .filter(|w| *w > 0);
    let width = columns
        .or_else(|| {
            on_terminal
                .then(|| terminal_size::terminal_size().map(|(w, _)| w.0))
                .flatten()
        })
        .unwrap_or(Terminal::PLAIN.width);
    Terminal {
        color: on_terminal && !no_color,
        width,
    }
}

/// `account 123456789012`, or `6 accounts` for a multi-account scope.
fn scope_name(scope: &Scope) -> String {
    if scope.is_multi_account() {
        format!("{} accounts", scope.accounts.len())
    } else {
        format!("account {}", inert(&scope.account_id))
    }
}

/// Opens `path` to append `key=value` lines to (created, with its parent
/// directories, if missing; never truncated): `--counts-out` and
/// `--category-out` are `$GITHUB_OUTPUT` in the Action, which other steps
/// append to as well. `option` names it in the error.
fn open_append<'p>(path: &'p Path, option: &str) -> Result<(&'p Path, std::fs::File)> {
    create_parent(path)?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot write {} ({option})", path.display()))?;
    Ok((path, file))
}

/// The SARIF artifact URI of an evidence file: relative to the current
/// directory when possible, `/`-separated, without a leading `./`.
pub fn evidence_uri(path: &Path) -> String {
    let relative = if path.is_absolute() {
        std::env::current_dir()
            .ok()
            .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
            .unwrap_or_else(|| {
                path.file_name()
                    .map(PathBuf::from)
                    .unwrap_or_else(|| path.to_path_buf())
            })
    } else {
        path.to_path_buf()
    };
    let text = relative.to_string_lossy().replace('\\', "/");
    text.trim_start_matches("./").to_string()
}

/// Writes to standard output; a reader that went away (`| head`) is not
/// an error.
pub fn write_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        // `dynaudit rules | head` is not an error.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(err) => Err(err).context("cannot write to standard output"),
    }
}

/// Writes a report to a file ([`write_file`]) or to standard output.
pub fn write_output(path: Option<&Path>, text: &str) -> Result<()> {
    write_output_with(path, |out| Ok(out.write_all(text.as_bytes())?))
}

/// [`write_output`] of what `write` writes, streamed (a buffered writer
/// around the file or standard output), never held whole in memory.
pub fn write_output_with(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    match path {
        None => {
            let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            let written = write(&mut stdout).and_then(|()| Ok(stdout.flush()?));
            match written {
                Ok(()) => Ok(()),
                // `dynaudit rules | head` is not an error.
                Err(err) if is_broken_pipe(&err) => Ok(()),
                Err(err) => Err(err).context("cannot write to standard output"),
            }
        }
        Some(path) => write_file_with(path, write),
    }
}

/// Whether writing failed because the reader went away.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Writes `text` to `path` atomically: into a temporary file beside it,
/// then renamed over it, so a reader never sees a partial file and a run
/// that fails leaves what was there. Parent directories are created; a
/// symbolic link is written through (its target is replaced, the link
/// kept); an existing file keeps its permissions.
pub fn write_file(path: &Path, text: &str) -> Result<()> {
    write_file_with(path, |out| Ok(out.write_all(text.as_bytes())?))
}

/// [`write_file`] of what `write` writes, through a buffered writer.
pub fn write_file_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = create_parent(&target)?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (temp, file) = create_temp(&dir, &name)
        .with_context(|| format!("cannot create a file in {}", dir.display()))?;
    let written = (|| -> Result<()> {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, file);
        write(&mut buffered)?;
        let file = buffered.into_inner().map_err(|err| err.into_error())?;
        if let Ok(metadata) = std::fs::metadata(&target) {
            file.set_permissions(metadata.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        Ok(std::fs::rename(&temp, &target)?)
    })();
    if let Err(err) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(err.context(format!("cannot write {}", path.display())));
    }
    Ok(())
}

/// Creates the parent directories of `path`; returns the parent (`.` for a
/// bare file name).
fn create_parent(path: &Path) -> Result<PathBuf> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create directory {}", parent.display()))?;
    Ok(parent.to_path_buf())
}

/// Creates a new, empty hidden file in `dir` whose name starts with
/// `.<name>.` and that did not exist before.
pub(crate) fn create_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    let pid = std::process::id();
    let mut attempt = 0u32;
    loop {
        let path = dir.join(format!(".{name}.dynaudit-{pid}-{attempt}.tmp"));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => return Ok((path, file)),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists && attempt < 1_000 => {
                attempt += 1;
            }
            Err(err) => return Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_uri_is_relative() {
        assert_eq!(
            evidence_uri(Path::new("./fixtures/x.json")),
            "fixtures/x.json"
        );
        assert_eq!(evidence_uri(Path::new("/nowhere/else/x.json")), "x.json");
    }
}
