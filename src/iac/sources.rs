//! What `dynaudit iac` is given, sorted into sources and read into one
//! planned inventory:
//! - a CloudFormation template: `.yaml`, `.yml`, `.template`, or `.json`
//!   with `Resources`;
//! - a Terraform plan: `.json` with `format_version` and `planned_values`
//!   (`terraform show -json plan.out`);
//! - a CDK cloud assembly: a directory with `manifest.json` (`cdk.out`);
//! - a directory of templates: every template in it and its
//!   subdirectories (files that are not templates are passed over).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::iac::cloudformation::{self, TemplateOptions};
use crate::iac::estate::{AccountSource, EstateBuilder, PLACEHOLDER_ACCOUNT};
use crate::iac::input::{
    DEFAULT_REGION, IacOptions, Plan, Sources, Template, push_kind, read_text, shown,
};
use crate::iac::{IacError, cdk, terraform, yaml};
use crate::inventory::Inventory;

/// Reads every path into one planned inventory.
pub fn read(paths: &[PathBuf], options: &IacOptions) -> Result<Inventory, IacError> {
    let mut sources = Sources::default();
    for path in paths {
        find(path, options, &mut sources, true)?;
    }
    if sources.templates.is_empty() && sources.plans.is_empty() {
        return Err(IacError::at(
            &shown(paths.first().map_or(Path::new("."), PathBuf::as_path)),
            1,
            "no CloudFormation template, CDK cloud assembly or Terraform plan found here",
        ));
    }
    let (account, account_source) = account(&sources, options)?;
    let regions = if options.regions.is_empty() {
        vec![DEFAULT_REGION.to_string()]
    } else {
        options.regions.clone()
    };
    let mut builder = EstateBuilder::new(
        &sources.kinds.join("+"),
        "template",
        &account,
        account_source,
        "aws",
        &[],
    );
    for template in &sources.templates {
        let template_regions = match &template.region {
            Some(region) if options.regions.is_empty() => vec![region.clone()],
            _ => regions.clone(),
        };
        for region in template_regions {
            let template_options = TemplateOptions {
                parameters: options.parameters.clone(),
                stack_name: template.stack_name.clone().or(options.stack_name.clone()),
                region,
            };
            builder.source_word = "template";
            cloudformation::adapt(
                &template.file,
                &template.root,
                &template_options,
                &mut builder,
            )?;
        }
    }
    for plan in &sources.plans {
        builder.source_word = "plan";
        terraform::adapt(&plan.file, &plan.root, options, &mut builder)?;
    }
    if builder.inventory.regions.is_empty() {
        for region in regions {
            builder.region(&region);
        }
    }
    if account_source == AccountSource::Placeholder {
        let named = crate::iac::account_check::literal_accounts(&builder.inventory);
        if !named.is_empty() {
            let file = builder
                .inventory
                .planned
                .as_ref()
                .and_then(|p| p.files.first().cloned())
                .unwrap_or_default();
            return Err(IacError::at(
                &file,
                1,
                format!(
                    "the code names AWS account {} but not the account it is deployed to: give it with --account (the rules compare account ids, and would judge the deploying account as foreign)",
                    named.into_iter().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    Ok(builder.finish())
}

/// The account: `--account`, else the one the code names (all of it must
/// name the same), else [`PLACEHOLDER_ACCOUNT`].
fn account(sources: &Sources, options: &IacOptions) -> Result<(String, AccountSource), IacError> {
    if let Some(account) = &options.account {
        return Ok((account.clone(), AccountSource::Flag));
    }
    let mut named: BTreeMap<String, String> = BTreeMap::new();
    for template in &sources.templates {
        if let Some(account) = &template.account {
            named
                .entry(account.clone())
                .or_insert(template.file.clone());
        }
    }
    for plan in &sources.plans {
        if let Some(account) = terraform::account_hint(&plan.root) {
            named.entry(account).or_insert(plan.file.clone());
        }
    }
    match named.len() {
        0 => Ok((PLACEHOLDER_ACCOUNT.to_string(), AccountSource::Placeholder)),
        1 => Ok((
            named.into_keys().next().unwrap_or_default(),
            AccountSource::Code,
        )),
        _ => {
            let list: Vec<String> = named.iter().map(|(a, f)| format!("{a} ({f})")).collect();
            Err(IacError::at(
                named.values().next().map_or("", String::as_str),
                1,
                format!(
                    "the code plans resources in several accounts ({}): run dynaudit iac once per account, with --account",
                    list.join(", ")
                ),
            ))
        }
    }
}

/// Sorts `path` into `sources`; `explicit` when it was given on the command
/// line (a file that is not a template is then an error, not passed over).
fn find(
    path: &Path,
    options: &IacOptions,
    sources: &mut Sources,
    explicit: bool,
) -> Result<(), IacError> {
    let file = shown(path);
    let metadata =
        std::fs::metadata(path).map_err(|e| IacError::at(&file, 1, format!("cannot read: {e}")))?;
    if metadata.is_dir() {
        if path.join("manifest.json").is_file() {
            return cdk::read(path, options, sources);
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| IacError::at(&file, 1, format!("cannot list the directory: {e}")))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                !p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.') || n == "node_modules")
            })
            .collect();
        entries.sort();
        for entry in entries {
            let is_dir = std::fs::symlink_metadata(&entry).is_ok_and(|m| m.is_dir());
            if is_dir || has_template_extension(&entry) {
                find(&entry, options, sources, false)?;
            }
        }
        return Ok(());
    }
    if !explicit && !has_template_extension(path) {
        return Ok(());
    }
    let text = read_text(path, options)?;
    let is_json = path.extension().and_then(|e| e.to_str()) == Some("json")
        || text.trim_start().starts_with('{');
    if is_json {
        // Well-formed JSON, no key twice, before the YAML reader reads its
        // lines (JSON is YAML).
        if let Err(e) = crate::strict_json::check(&text, None) {
            if !explicit {
                return Ok(());
            }
            return Err(IacError::at(
                &file,
                u32::try_from(e.line()).unwrap_or(1),
                format!("not valid JSON: {e}"),
            ));
        }
    }
    let root = yaml::parse(&text).map_err(|e| IacError::at(&file, e.line, e.message))?;
    if is_json
        && root.get("format_version").is_some()
        && (root.get("planned_values").is_some() || root.get("resource_changes").is_some())
    {
        terraform::check_format(&file, &root)?;
        push_kind(sources, "terraform");
        sources.plans.push(Plan { file, root });
        return Ok(());
    }
    if root.get("Resources").is_none() {
        if explicit && !matches!(root.value, crate::iac::node::NodeValue::Map(_)) {
            return Err(IacError::at(
                &file,
                root.line,
                format!(
                    "a template is a mapping with Resources, not {}",
                    root.describe()
                ),
            ));
        }
        if explicit {
            return Err(IacError::at(
                &file,
                1,
                "not a CloudFormation template (no Resources) nor a Terraform plan (no format_version and planned_values)",
            ));
        }
        return Ok(());
    }
    push_kind(sources, "cloudformation");
    sources.templates.push(Template {
        file,
        root,
        account: None,
        region: None,
        stack_name: None,
    });
    Ok(())
}

fn has_template_extension(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json" | "template")
    )
}
