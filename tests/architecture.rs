//! The layout is the architecture: no import circles between the modules of
//! `src/`, and no source file over 600 lines outside its test module.
//!
//! The module graph is read from the sources: an edge `a -> b` for every
//! `crate::b::...` path in `a`'s production code (`use` statements, grouped
//! ones expanded, and paths written inline), resolved to the longest module
//! prefix, plus `pub use child::...` re-exports. `mod` declarations are not
//! edges. A path into a module's own re-export (`crate::collect::X` where
//! `collect/mod.rs` re-exports `run::X`) is an edge to that module, so it
//! closes a circle when the re-exported module depends back: import by the
//! defining module's path instead.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 600;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/a/b.rs` -> `a::b`; `src/a/mod.rs` -> `a`; `src/lib.rs` -> `crate`.
fn module_of(path: &Path) -> String {
    let relative = path.strip_prefix(root().join("src")).unwrap();
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts == ["lib"] || parts == ["main"] || parts.is_empty() {
        return "crate".to_string();
    }
    parts.join("::")
}

/// The production part of a file: up to its `#[cfg(test)] mod ... {`.
fn production_part(text: &str) -> &str {
    let mut end = text.len();
    let mut search = 0;
    while let Some(found) = text[search..].find("#[cfg(test)]") {
        let at = search + found;
        let rest = text[at + "#[cfg(test)]".len()..].trim_start();
        let rest = rest
            .strip_prefix("pub(crate) ")
            .or_else(|| rest.strip_prefix("pub "))
            .unwrap_or(rest);
        if let Some(decl) = rest.strip_prefix("mod ") {
            let name_end = decl
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(decl.len());
            if decl[name_end..].trim_start().starts_with('{') {
                end = at;
                break;
            }
        }
        search = at + 1;
    }
    &text[..end]
}

/// The production part without comments.
fn production_code(text: &str) -> String {
    production_part(text)
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expands `a::{b, c::{d, e}}` into `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = tree.find('{') else {
        return vec![tree];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.len().saturating_sub(1)];
    let mut items = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    items
        .into_iter()
        .filter(|item| !item.is_empty())
        .flat_map(|item| expand(&format!("{prefix}{item}")))
        .collect()
}

/// Every path the code names, as segments after `crate`.
fn paths(code: &str, module: &str, children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    // `use` statements, grouped ones expanded.
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before_ok = at == 0 || {
            let c = rest.as_bytes()[at - 1] as char;
            c.is_whitespace() || c == ';' || c == '{' || c == '}'
        };
        let after = &rest[at + 4..];
        let Some(end) = after.find(';') else { break };
        if before_ok {
            for path in expand(&after[..end]) {
                let path = path.split(" as ").next().unwrap_or("").to_string();
                let segments: Vec<String> = path.split("::").map(str::to_string).collect();
                match segments.first().map(String::as_str) {
                    Some("crate") | Some("$crate") => out.push(segments[1..].to_vec()),
                    Some(first) if children.contains(first) => {
                        let mut full: Vec<String> =
                            module.split("::").map(str::to_string).collect();
                        if module == "crate" {
                            full.clear();
                        }
                        full.extend(segments);
                        out.push(full);
                    }
                    _ => {}
                }
            }
        }
        rest = &after[end..];
    }
    // Paths written inline.
    for (at, _) in code.match_indices("crate::") {
        let tail = &code[at + "crate::".len()..];
        let path: String = tail
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        out.push(
            path.split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        );
    }
    out
}

struct Tree {
    /// module -> production code
    code: BTreeMap<String, String>,
    /// module -> file
    files: BTreeMap<String, PathBuf>,
    /// module -> lines before its test module
    lines: BTreeMap<String, usize>,
}

fn tree() -> Tree {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let mut tree = Tree {
        code: BTreeMap::new(),
        files: BTreeMap::new(),
        lines: BTreeMap::new(),
    };
    let mut test_modules = BTreeSet::new();
    for file in files {
        if file.ends_with("main.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let module = module_of(&file);
        test_modules.extend(test_module_files(&module, &text));
        tree.code.insert(module.clone(), production_code(&text));
        tree.lines
            .insert(module.clone(), production_part(&text).lines().count());
        tree.files.insert(module, file);
    }
    // A test module in a file of its own (`#[cfg(test)] mod tests;`) is
    // test code as a whole, like an inline `#[cfg(test)] mod tests { ... }`.
    for module in test_modules {
        tree.code.remove(&module);
        tree.lines.remove(&module);
        tree.files.remove(&module);
    }
    tree
}

/// The modules `module` declares as `#[cfg(test)] mod NAME;` (in a file of
/// their own).
fn test_module_files(module: &str, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut search = 0;
    while let Some(found) = text[search..].find("#[cfg(test)]") {
        let at = search + found;
        let rest = text[at + "#[cfg(test)]".len()..].trim_start();
        if let Some(decl) = rest.strip_prefix("mod ") {
            let name_end = decl
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(decl.len());
            if decl[name_end..].trim_start().starts_with(';') {
                let name = &decl[..name_end];
                out.push(if module == "crate" {
                    name.to_string()
                } else {
                    format!("{module}::{name}")
                });
            }
        }
        search = at + 1;
    }
    out
}

#[test]
fn a_test_module_in_a_file_of_its_own_is_test_code() {
    assert_eq!(
        test_module_files(
            "a::b",
            "mod c;\n#[cfg(test)]\nmod tests;\n#[cfg(test)]\nmod inline {}\n"
        ),
        ["a::b::tests"]
    );
    assert!(!tree().lines.keys().any(|m| m.ends_with("::tests")));
}

fn graph(tree: &Tree) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<String> = tree.code.keys().cloned().collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, code) in &tree.code {
        let prefix = if module == "crate" {
            String::new()
        } else {
            format!("{module}::")
        };
        let children: BTreeSet<String> = modules
            .iter()
            .filter_map(|m| m.strip_prefix(&prefix))
            .filter(|rest| !rest.contains("::") && !rest.is_empty() && *rest != "crate")
            .map(str::to_string)
            .collect();
        let edges = graph.entry(module.clone()).or_default();
        for segments in paths(code, module, &children) {
            let target = (1..=segments.len())
                .rev()
                .map(|n| segments[..n].join("::"))
                .find(|candidate| modules.contains(candidate));
            if let Some(target) = target
                && &target != module
            {
                edges.insert(target);
            }
        }
    }
    graph
}

fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let start = stack.iter().position(|n| n == node).unwrap_or(0);
                let mut cycle = stack[start..].to_vec();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.to_string(), Mark::Open);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, graph, &mut marks, &mut Vec::new()) {
            return Some(cycle);
        }
    }
    None
}

#[test]
fn no_import_circles() {
    let graph = graph(&tree());
    assert!(graph.len() > 30, "too few modules read: {graph:?}");
    // The reader sees real edges (a broken reader would find no circle).
    assert!(
        graph["cli::scan"].contains("audit"),
        "{:?}",
        graph["cli::scan"]
    );
    assert!(
        graph["collect"].contains("collect::run"),
        "{:?}",
        graph["collect"]
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import circle: {}", cycle.join(" -> "));
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.insert("a".into(), ["b".to_string()].into());
    graph.insert("b".into(), ["c".to_string()].into());
    graph.insert("c".into(), ["a".to_string()].into());
    assert_eq!(find_cycle(&graph).unwrap(), ["a", "b", "c", "a"]);
    graph.insert("c".into(), BTreeSet::new());
    assert_eq!(find_cycle(&graph), None);
    assert_eq!(
        expand("crate::collect::{context::RegionContext, util::{a, b}}"),
        [
            "crate::collect::context::RegionContext",
            "crate::collect::util::a",
            "crate::collect::util::b"
        ]
    );
}

#[test]
fn no_source_file_is_over_600_lines_outside_its_tests() {
    let tree = tree();
    let long: Vec<String> = tree
        .lines
        .iter()
        .filter(|(_, lines)| **lines > MAX_LINES)
        .map(|(module, lines)| format!("{} ({lines} lines)", tree.files[module].display()))
        .collect();
    assert!(
        long.is_empty(),
        "over {MAX_LINES} lines outside #[cfg(test)]: {long:?}"
    );
}
