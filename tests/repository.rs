//! The repository explains itself: no file points outside it, and every
//! documentation file it names exists.
//!
//! Walks every text file of the repository (`git ls-files`, tracked files
//! and new files not ignored; without git, the tree minus `target/`,
//! `.git/`, `.tools/` and `node_modules/`) and reports, as `file:line`:
//!
//! - a mention of the team's notes outside the repository (their `spec`
//!   folder), or any path into a folder named "shared" that the repository
//!   does not contain;
//! - a mention of a Markdown file under the documentation folder that does
//!   not exist;
//! - a bare mention of the design page (it lives in the documentation
//!   folder, and is named with that folder), except as a Markdown link that
//!   resolves from the file it is in;
//! - in Markdown files, a relative link whose target does not exist, or
//!   whose `#anchor` names no heading of the target page.
//!
//! The strings searched for are assembled with `concat!`, so this file does
//! not report itself.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// The documentation folder, as mentioned from the repository root.
const DOCS: &str = concat!("do", "cs/");
/// The design page's file name.
const DESIGN: &str = concat!("design", ".md");
/// A folder outside the repository that nothing may point into.
const SHARED: &str = concat!("sha", "red/");
/// The team's notes, outside the repository.
const NOTES: &str = concat!("sha", "red/", "spec");
const MARKDOWN: &str = concat!(".", "md");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Repository-relative paths (with `/`) of the files to check.
fn repository_files(root: &Path) -> Vec<String> {
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output();
    let mut files: Vec<String> = match listed {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .split('\0')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => {
            let mut found = Vec::new();
            walk(root, root, &mut found);
            found
        }
    };
    // A tracked file deleted in the working tree is not there to point at.
    files.retain(|f| root.join(f).is_file());
    files.sort();
    files.dedup();
    files
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if dir == root && matches!(name.as_ref(), "target" | ".git" | ".tools") {
                continue;
            }
            if name == "node_modules" {
                continue;
            }
            walk(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// What exists in the repository: files and the folders that hold them.
struct Tree {
    files: BTreeSet<String>,
    dirs: BTreeSet<String>,
}

impl Tree {
    fn new(files: &[String]) -> Tree {
        let mut dirs = BTreeSet::new();
        dirs.insert(String::new());
        for file in files {
            let mut dir = file.as_str();
            while let Some((parent, _)) = dir.rsplit_once('/') {
                dirs.insert(parent.to_owned());
                dir = parent;
            }
        }
        Tree {
            files: files.iter().cloned().collect(),
            dirs,
        }
    }

    fn contains(&self, path: &str) -> bool {
        let path = path.trim_end_matches('/');
        self.files.contains(path) || self.dirs.contains(path)
    }
}

/// `base` (a repository-relative folder) joined with `target`, normalised;
/// `None` when it leaves the repository.
fn resolve(base: &str, target: &str) -> Option<String> {
    let joined = if let Some(from_root) = target.strip_prefix('/') {
        PathBuf::from(from_root)
    } else {
        Path::new(base).join(target)
    };
    let mut parts: Vec<String> = Vec::new();
    for component in joined.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

fn parent_dir(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | '~')
}

/// The path around `line[start..]`: from the first path character before
/// `start` to the last one after it.
fn path_token(line: &str, start: usize) -> (usize, &str) {
    let begin = line[..start]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_path_char(c))
        .last()
        .map_or(start, |(i, _)| i);
    let end = line[start..]
        .char_indices()
        .find(|&(_, c)| !is_path_char(c))
        .map_or(line.len(), |(i, _)| start + i);
    // A sentence's full stop is not part of the path.
    (begin, line[begin..end].trim_end_matches('.'))
}

/// The targets of Markdown links (`](target)`) on a line, with the byte
/// range of each target.
fn link_targets(line: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = line[from..].find("](") {
        let start = from + i + 2;
        let Some(len) = line[start..].find(')') else {
            break;
        };
        let inner = &line[start..start + len];
        // `[text](target "title")`
        let target = inner.split_whitespace().next().unwrap_or("");
        let target = target.trim_start_matches('<').trim_end_matches('>');
        out.push((start, start + len, target));
        from = start + len;
    }
    out
}

fn is_external(target: &str) -> bool {
    target.is_empty()
        || target.contains("://")
        || target.starts_with("mailto:")
        || target.starts_with("data:")
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces
/// as hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown file's headings (fenced code skipped;
/// repeated headings numbered as GitHub does).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = BTreeSet::new();
    let mut fence: Option<&str> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        for marker in ["```", "~~~"] {
            if trimmed.starts_with(marker) {
                fence = match fence {
                    None => Some(marker),
                    Some(open) if open == marker => None,
                    other => other,
                };
            }
        }
        if fence.is_some() {
            continue;
        }
        let hashes = trimmed.chars().take_while(|&c| c == '#').count();
        if !(1..=6).contains(&hashes) || !trimmed[hashes..].starts_with(' ') {
            continue;
        }
        let base = slug(trimmed[hashes..].trim().trim_end_matches('#'));
        let n = seen.entry(base.clone()).or_insert(0);
        let anchor = if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        *n += 1;
        out.insert(anchor);
    }
    out
}

/// Every problem of one file, as `file:line: what`.
fn check_file(
    root: &Path,
    file: &str,
    text: &str,
    tree: &Tree,
    anchor_cache: &mut HashMap<String, BTreeSet<String>>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let is_markdown = file.ends_with(MARKDOWN);
    let dir = parent_dir(file);
    let mut in_fence = false;
    for (index, line) in text.lines().enumerate() {
        let at = format!("{file}:{}", index + 1);
        let trimmed = line.trim_start();
        if is_markdown && (trimmed.starts_with("```") || trimmed.starts_with("~~~")) {
            in_fence = !in_fence;
        }
        let links = if is_markdown && !in_fence {
            link_targets(line)
        } else {
            Vec::new()
        };
        let in_link = |pos: usize| links.iter().any(|&(s, e, _)| s <= pos && pos < e);

        // (a) Nothing points outside the repository.
        if line.contains(NOTES) {
            problems.push(format!(
                "{at}: mentions the team's notes outside the repository ({NOTES}); put the fact in the repository's own documentation and point there"
            ));
        } else {
            for (pos, _) in line.match_indices(SHARED) {
                let starts_segment = pos == 0 || line[..pos].ends_with('/') || {
                    let before = line[..pos].chars().next_back();
                    before.is_some_and(|c| !is_path_char(c))
                };
                if !starts_segment {
                    continue;
                }
                let (begin, token) = path_token(line, pos);
                if line[..begin].ends_with(':') {
                    continue; // a URL
                }
                if token == SHARED {
                    continue; // the folder's name alone is no path into it
                }
                let inside = !token.starts_with(['/', '~'])
                    && [resolve("", token), resolve(dir, token)]
                        .into_iter()
                        .flatten()
                        .any(|p| tree.contains(&p));
                if !inside {
                    problems.push(format!(
                        "{at}: points into a {SHARED} folder outside the repository ({token})"
                    ));
                }
            }
        }

        // (b) Documentation files named from the root exist.
        for (pos, _) in line.match_indices(DOCS) {
            let before = line[..pos].chars().next_back();
            if before.is_some_and(is_path_char) {
                continue; // part of a longer path (`./`, `../`, `x/docs/`, a URL)
            }
            let (_, token) = path_token(line, pos);
            if !token.ends_with(MARKDOWN) || in_link(pos) {
                continue; // link targets are checked below, from the file's folder
            }
            if !tree.contains(token) {
                problems.push(format!("{at}: {token} does not exist"));
            }
        }

        // (b) The design page is named with its folder.
        for (pos, _) in line.match_indices(DESIGN) {
            if line[pos + DESIGN.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                continue;
            }
            let (_, token) = path_token(line, pos);
            if in_link(pos) {
                continue; // checked below, from the file's folder
            }
            if token == DESIGN {
                problems.push(format!(
                    "{at}: bare {DESIGN}: write {DOCS}{DESIGN} (and the section)"
                ));
            } else if !token.starts_with(DOCS) && !tree.contains(token) {
                problems.push(format!("{at}: {token} does not exist"));
            }
        }

        // Relative Markdown links resolve, anchors included.
        for &(_, _, target) in &links {
            if is_external(target) {
                continue;
            }
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target, None),
            };
            let resolved = if path.is_empty() {
                Some(file.to_owned())
            } else {
                resolve(dir, path)
            };
            let Some(resolved) = resolved.filter(|p| tree.contains(p)) else {
                problems.push(format!(
                    "{at}: link to {target}: no such file in the repository"
                ));
                continue;
            };
            if let Some(anchor) = anchor.filter(|a| !a.is_empty())
                && resolved.ends_with(MARKDOWN)
                && tree.files.contains(&resolved)
            {
                let known = anchor_cache.entry(resolved.clone()).or_insert_with(|| {
                    anchors(&std::fs::read_to_string(root.join(&resolved)).unwrap_or_default())
                });
                if !known.contains(&anchor.to_lowercase()) {
                    problems.push(format!(
                        "{at}: link to {target}: {resolved} has no heading #{anchor}"
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn the_repository_points_only_at_itself() {
    let root = root();
    let files = repository_files(&root);
    assert!(
        files.iter().any(|f| f == "Cargo.toml"),
        "no files found under {}",
        root.display()
    );
    let tree = Tree::new(&files);
    let mut anchor_cache = HashMap::new();
    let mut problems = Vec::new();
    for file in &files {
        let Ok(bytes) = std::fs::read(root.join(file)) else {
            continue;
        };
        if bytes.contains(&0) {
            continue; // binary
        }
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        problems.extend(check_file(&root, file, &text, &tree, &mut anchor_cache));
    }
    assert!(
        problems.is_empty(),
        "{} reference(s) to files the repository does not contain:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_checks_catch_what_they_should() {
    let files: Vec<String> = [
        "README.md",
        concat!("do", "cs/", "design", ".md"),
        concat!("do", "cs/", "scan", ".md"),
        "src/lib.rs",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let tree = Tree::new(&files);
    let root = root();
    let mut cache = HashMap::new();
    cache.insert(
        format!("{DOCS}{DESIGN}"),
        anchors("# Design\n\n## The floor of a scan\n```\n# not a heading\n```\n"),
    );
    let check = |file: &str, text: &str, cache: &mut HashMap<String, BTreeSet<String>>| {
        check_file(&root, file, text, &tree, cache)
    };

    // Fine: named with its folder, relative links that resolve, anchors
    // that exist, URLs.
    let fine = format!(
        "See {DOCS}{DESIGN}, \"The floor of a scan\".\n\
         [the floor]({DESIGN}#the-floor-of-a-scan) [scan](scan{MARKDOWN})\n\
         https://example.com/{SHARED}x and https://example.com/{DOCS}nothing{MARKDOWN}\n"
    );
    assert_eq!(
        check(&format!("{DOCS}x{MARKDOWN}"), &fine, &mut cache),
        Vec::<String>::new()
    );

    let bad = format!(
        "from /work/{NOTES}/notes{MARKDOWN}\n\
         see /work/{SHARED}elsewhere/x.txt\n\
         (see {DESIGN})\n\
         {DOCS}missing{MARKDOWN}\n\
         [gone](missing{MARKDOWN}) [floor]({DESIGN}#no-such-section)\n"
    );
    let problems = check(&format!("{DOCS}x{MARKDOWN}"), &bad, &mut cache);
    let lines: Vec<&str> = problems
        .iter()
        .map(|p| p.split(": ").next().unwrap_or(""))
        .collect();
    let x = format!("{DOCS}x{MARKDOWN}");
    assert_eq!(
        lines,
        [
            format!("{x}:1"),
            format!("{x}:2"),
            format!("{x}:3"),
            format!("{x}:4"),
            format!("{x}:5"),
            format!("{x}:5"),
        ],
        "{problems:#?}"
    );

    // In a Rust comment, a bare name is reported too, and a link-like
    // text is not taken for a link.
    let rust = format!("//! ({DESIGN}, \"Collection\")\n");
    assert_eq!(check("src/lib.rs", &rust, &mut cache).len(), 1);
}
