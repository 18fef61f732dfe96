//! Committed generated files must equal what the code generates, so they
//! cannot drift: the inventory JSON Schema, the per-rule docs and the rule
//! and parameter tables of the README and `policies/README.md`.
//! Regenerate with `DYNAUDIT_BLESS=1 cargo test --test generated_files`.

use std::path::{Path, PathBuf};

use dynaudit::policy::PolicySet;

fn check(path: &Path, expected: &str, failures: &mut Vec<String>) {
    if std::env::var_os("DYNAUDIT_BLESS").is_some() {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, expected).unwrap();
        return;
    }
    match std::fs::read_to_string(path) {
        Ok(actual) if actual == expected => {}
        Ok(_) => failures.push(format!("{} is out of date", path.display())),
        Err(err) => failures.push(format!("{}: {err}", path.display())),
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn committed_schema_and_rule_docs_are_current() {
    let mut failures = Vec::new();
    check(
        &root().join("docs/inventory.schema.json"),
        &dynaudit::schema::inventory_schema(),
        &mut failures,
    );
    let set = PolicySet::load(&[]).unwrap_or_else(|err| panic!("{err}"));
    check(
        &root().join("docs/rules/README.md"),
        &dynaudit::report::rule_doc::rule_index(set.rules()),
        &mut failures,
    );
    for rule in set.rules() {
        check(
            &root().join(format!("docs/rules/{}.md", rule.id)),
            &dynaudit::report::rule_doc::rule_page(rule),
            &mut failures,
        );
    }
    // The README's rule list.
    let readme_path = root().join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap_or_default();
    let begin = readme
        .find("<!-- rules:begin")
        .and_then(|i| readme[i..].find('\n').map(|j| i + j + 1));
    let end = readme.find("<!-- rules:end -->");
    match (begin, end) {
        (Some(begin), Some(end)) if begin <= end => {
            let table = dynaudit::report::rule_doc::rule_table(set.rules(), "docs/rules/");
            let updated = format!("{}{}{}", &readme[..begin], table, &readme[end..]);
            check(&readme_path, &updated, &mut failures);
        }
        _ => failures.push(
            "README.md lacks the <!-- rules:begin --> / <!-- rules:end --> markers".to_string(),
        ),
    }
    // The parameter reference of the README and policies/README.md.
    for file in ["README.md", "policies/README.md"] {
        let path = root().join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        match dynaudit::config::reference::replace_generated(
            &text,
            &dynaudit::config::reference::parameter_table(),
        ) {
            Some(updated) => check(&path, &updated, &mut failures),
            None => failures.push(format!(
                "{file} lacks the <!-- parameters:begin --> / <!-- parameters:end --> markers"
            )),
        }
    }
    let example = root().join("examples/dynaudit.toml");
    let text = std::fs::read_to_string(&example).unwrap_or_default();
    match dynaudit::config::reference::replace_generated_toml(
        &text,
        &dynaudit::config::reference::example_parameters(),
    ) {
        Some(updated) => check(&example, &updated, &mut failures),
        None => failures.push(
            "examples/dynaudit.toml lacks the # parameters:begin / # parameters:end markers"
                .to_string(),
        ),
    }
    // No page for a rule that no longer exists.
    if let Ok(entries) = std::fs::read_dir(root().join("docs/rules")) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if let Some(id) = name.strip_suffix(".md")
                && id != "README"
                && set.rule(id).is_none()
            {
                failures.push(format!("docs/rules/{name} documents no loaded rule"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}\nregenerate with: DYNAUDIT_BLESS=1 cargo test --test generated_files",
        failures.join("\n")
    );
}

#[test]
fn example_config_lists_the_defaults() {
    let config = dynaudit::config::Config::load(&root().join("examples/dynaudit.toml"))
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(config, dynaudit::config::Config::default());
}

/// The audit role of `examples/dynaudit-audit-role.yaml` (the
/// CloudFormation template that docs/organization.md deploys to every
/// member account) has exactly the policy `dynaudit iam-policy` prints.
#[test]
fn the_audit_role_template_has_the_iam_policy() {
    let text = std::fs::read_to_string(root().join("examples/dynaudit-audit-role.yaml")).unwrap();
    let template: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    let policies = template["Resources"]["DynauditAudit"]["Properties"]["Policies"]
        .as_sequence()
        .expect("the role has inline policies");
    assert_eq!(policies.len(), 1, "one inline policy");
    let document: serde_json::Value =
        serde_json::to_value(&policies[0]["PolicyDocument"]).expect("the policy as JSON");
    assert_eq!(
        document,
        dynaudit::collect::permissions::iam_policy(),
        "examples/dynaudit-audit-role.yaml: its policy is not `dynaudit iam-policy`; copy the statements over"
    );
}
