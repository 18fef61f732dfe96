//! Which Rego packages the files of a `--policies` directory may declare.
//!
//! Rego packages are open: a file declaring `package dynaudit.rules.dyn101`
//! adds rules to DYN101, and one declaring `package dynaudit.lib.cloudtrail`
//! adds to the library the CloudTrail rules decide on. So an own file may
//! declare only:
//!
//! - a rule file: `dynaudit.rules.<name>`, a name no built-in rule and no
//!   other own rule file uses;
//! - a library (a file under a `lib/` directory): a package below
//!   [`CUSTOM_LIBRARY_PREFIX`] (`custom.lib.<name>`).
//!
//! Everything else under `dynaudit` (the built-in rules and libraries,
//! `data.dynaudit.params`) is refused, and so is any other root, which
//! leaves nothing an own file could shadow. Own files may import the
//! built-in libraries; they cannot add to them.

use std::collections::BTreeMap;

/// The package every own library lives below: `custom.lib.<name>`.
pub const CUSTOM_LIBRARY_PREFIX: [&str; 2] = ["custom", "lib"];

/// The package every rule lives in: `dynaudit.rules.<name>`.
const RULE_PREFIX: [&str; 2] = ["dynaudit", "rules"];

/// A package the built-in pack declares.
#[derive(Debug, Clone)]
pub struct BuiltinPackage {
    /// The built-in file that declares it.
    pub path: String,
    /// Its rule id, for a rule file.
    pub rule_id: Option<String>,
}

/// Why an own file's package is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// 1-based line of the `package` statement.
    pub line: usize,
    /// The package, dotted.
    pub package: String,
    /// Why, and what to write instead.
    pub reason: String,
}

/// Checks the own files of one load against the built-in packages and
/// against each other.
pub struct Checker<'a> {
    builtin: &'a BTreeMap<Vec<String>, BuiltinPackage>,
    /// Rule packages already declared by own rule files -> the file.
    own_rules: BTreeMap<Vec<String>, String>,
}

impl<'a> Checker<'a> {
    /// A checker against these built-in packages.
    pub fn new(builtin: &'a BTreeMap<Vec<String>, BuiltinPackage>) -> Self {
        Checker {
            builtin,
            own_rules: BTreeMap::new(),
        }
    }

    /// Checks the package (`components`, as regorus decoded them) of the own
    /// file `path` with source `text`: a rule file when `is_rule`, else a
    /// library.
    pub fn check(
        &mut self,
        path: &str,
        text: &str,
        is_rule: bool,
        components: &[String],
    ) -> Result<(), Refusal> {
        let refuse = |reason: String| Refusal {
            line: package_line(text),
            package: shown(components),
            reason,
        };
        if starts_with(components, &["dynaudit", "lib"]) {
            return Err(refuse(
                "belongs to the built-in libraries, which are read-only: an own library's package is below `custom.lib.` (e.g. `package custom.lib.tags`), and it may import the built-in ones (`import data.dynaudit.lib.common`)".to_string(),
            ));
        }
        if is_rule {
            if !(components.len() == 3
                && starts_with(components, &RULE_PREFIX)
                && is_identifier(&components[2]))
            {
                return Err(refuse(
                    "is not a rule package: a rule file's package is `dynaudit.rules.<name>` (e.g. `package dynaudit.rules.dyn901`); a helper library goes under a `lib/` directory, in a package below `custom.lib.`".to_string(),
                ));
            }
            if let Some(builtin) = self.builtin.get(components) {
                let owner = match &builtin.rule_id {
                    Some(id) => format!("built-in rule {id} ({})", builtin.path),
                    None => builtin.path.clone(),
                };
                return Err(refuse(format!(
                    "is the package of the {owner}: own rules cannot add to or change a built-in rule; give yours a package of its own (e.g. `package dynaudit.rules.dyn901`)"
                )));
            }
            if let Some(first) = self.own_rules.get(components) {
                return Err(refuse(format!(
                    "is already the package of {first}: every rule file needs a package of its own (their outcomes would merge)"
                )));
            }
            self.own_rules.insert(components.to_vec(), path.to_string());
            return Ok(());
        }
        if components.len() > CUSTOM_LIBRARY_PREFIX.len()
            && starts_with(components, &CUSTOM_LIBRARY_PREFIX)
            && components.iter().all(|c| is_identifier(c))
        {
            return Ok(());
        }
        Err(refuse(
            "is not a library package: a library under `lib/` has a package below `custom.lib.` (e.g. `package custom.lib.tags`); `dynaudit` is reserved for the built-in rules and libraries and the parameters (`data.dynaudit.params`)".to_string(),
        ))
    }
}

fn starts_with(components: &[String], prefix: &[&str]) -> bool {
    components.len() >= prefix.len() && components.iter().zip(prefix).all(|(c, p)| c == p)
}

/// `a.b["c d"]` -> `a.b["c d"]`: identifiers dotted, anything else quoted.
fn shown(components: &[String]) -> String {
    let mut out = String::new();
    for (i, c) in components.iter().enumerate() {
        if is_identifier(c) {
            if i > 0 {
                out.push('.');
            }
            out.push_str(c);
        } else {
            out.push_str(&format!("[{c:?}]"));
        }
    }
    out
}

/// A Rego identifier: a letter or `_`, then letters, digits or `_`.
fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The 1-based line of a file's `package` statement: the first line that
/// is not blank or a comment (Rego allows nothing else before it); 1 if
/// there is none.
pub fn package_line(text: &str) -> usize {
    text.lines()
        .position(|line| {
            let line = line.trim();
            !line.is_empty() && !line.starts_with('#')
        })
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(package: &str) -> Vec<String> {
        package.split('.').map(str::to_string).collect()
    }

    fn builtins() -> BTreeMap<Vec<String>, BuiltinPackage> {
        BTreeMap::from([
            (
                parts("dynaudit.rules.dyn101"),
                BuiltinPackage {
                    path: "policies/dyn101_x.rego".to_string(),
                    rule_id: Some("DYN101".to_string()),
                },
            ),
            (
                parts("dynaudit.lib.cloudtrail"),
                BuiltinPackage {
                    path: "policies/lib/cloudtrail.rego".to_string(),
                    rule_id: None,
                },
            ),
        ])
    }

    fn check(is_rule: bool, package: &str) -> Result<(), Refusal> {
        let builtin = builtins();
        let mut checker = Checker::new(&builtin);
        let text = format!("# a comment\n\npackage {package}\n");
        checker.check("mine/x.rego", &text, is_rule, &parts(package))
    }

    #[test]
    fn own_rules_and_libraries_in_their_places_are_accepted() {
        assert_eq!(check(true, "dynaudit.rules.dyn901"), Ok(()));
        assert_eq!(check(true, "dynaudit.rules.my_rule"), Ok(()));
        assert_eq!(check(false, "custom.lib.tags"), Ok(()));
        assert_eq!(check(false, "custom.lib.acme.naming"), Ok(()));
    }

    #[test]
    fn a_built_in_rule_package_is_refused_with_its_line() {
        let refusal = check(true, "dynaudit.rules.dyn101").unwrap_err();
        assert_eq!(refusal.line, 3);
        assert!(
            refusal.reason.contains("built-in rule DYN101"),
            "{refusal:?}"
        );
    }

    #[test]
    fn built_in_libraries_are_read_only() {
        for is_rule in [true, false] {
            for package in [
                "dynaudit.lib.cloudtrail",
                "dynaudit.lib.new_one",
                "dynaudit.lib",
            ] {
                let refusal = check(is_rule, package).unwrap_err();
                assert!(
                    refusal.reason.contains("read-only"),
                    "{package}: {refusal:?}"
                );
            }
        }
    }

    #[test]
    fn nothing_else_under_dynaudit_or_elsewhere_is_accepted() {
        for package in [
            "dynaudit",
            "dynaudit.params",
            "dynaudit.params.min_pitr_recovery_days",
            "dynaudit.rules",
            "dynaudit.rules.dyn901.outcomes",
            "dynaudit.rules.dyn101.extra",
            "acme.rules.dyn901",
            "custom.lib.tags",
        ] {
            assert!(check(true, package).is_err(), "rule file in {package}");
        }
        for package in [
            "dynaudit",
            "dynaudit.params",
            "dynaudit.rules.dyn901",
            "acme.helpers",
            "custom",
            "custom.lib",
            "custom.libs.tags",
        ] {
            assert!(check(false, package).is_err(), "library in {package}");
        }
    }

    #[test]
    fn quoted_components_are_not_identifiers() {
        let builtin = builtins();
        let mut checker = Checker::new(&builtin);
        let components = vec![
            "dynaudit".to_string(),
            "rules".to_string(),
            "dyn101.x".to_string(),
        ];
        let refusal = checker
            .check("x.rego", "package x\n", true, &components)
            .unwrap_err();
        assert_eq!(refusal.package, "dynaudit.rules[\"dyn101.x\"]");
        let components = vec!["custom".to_string(), "lib".to_string(), "a b".to_string()];
        assert!(
            checker
                .check("y.rego", "package y\n", false, &components)
                .is_err()
        );
    }

    #[test]
    fn two_own_rule_files_need_two_packages() {
        let builtin = builtins();
        let mut checker = Checker::new(&builtin);
        let package = parts("dynaudit.rules.dyn901");
        assert_eq!(
            checker.check("a.rego", "package x\n", true, &package),
            Ok(())
        );
        let refusal = checker
            .check("b.rego", "package x\n", true, &package)
            .unwrap_err();
        assert!(refusal.reason.contains("a.rego"), "{refusal:?}");
    }

    #[test]
    fn finds_the_package_line() {
        assert_eq!(package_line("# METADATA\n# x: y\n\n  package a\n"), 4);
        assert_eq!(package_line(""), 1);
    }
}
