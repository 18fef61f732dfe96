//! A CDK cloud assembly (`cdk.out`): `manifest.json` lists the stacks
//! (artifacts of type `aws:cloudformation:stack`), each with its template
//! file, its stack name and its environment (`aws://ACCOUNT/REGION`, where
//! `unknown-account` / `unknown-region` mean environment-agnostic). Nested
//! assemblies (`cdk:cloud-assembly`, CDK stages) are read too, one level
//! deep per level of nesting up to [`MAX_NESTING`].

use std::path::Path;

use crate::iac::IacError;
use crate::iac::input::{IacOptions, Sources, Template, push_kind, shown, template_file};
use crate::iac::node::Node;

/// Deepest nesting of cloud assemblies read.
pub const MAX_NESTING: usize = 8;

/// Reads the assembly in `directory` into `sources`.
pub fn read(directory: &Path, options: &IacOptions, sources: &mut Sources) -> Result<(), IacError> {
    read_nested(directory, options, sources, 0)
}

fn read_nested(
    directory: &Path,
    options: &IacOptions,
    sources: &mut Sources,
    depth: usize,
) -> Result<(), IacError> {
    let manifest_path = directory.join("manifest.json");
    let (manifest_file, manifest) = template_file(&manifest_path, options)?;
    let Some(artifacts) = manifest.get("artifacts") else {
        return Err(IacError::at(
            &manifest_file,
            1,
            "a CDK cloud assembly manifest lists its stacks under \"artifacts\"; this one has none",
        ));
    };
    push_kind(sources, "cdk");
    for (key, artifact) in artifacts.entries() {
        let kind = artifact
            .get("type")
            .and_then(Node::as_str)
            .unwrap_or_default();
        let properties = artifact.get("properties");
        match kind {
            "aws:cloudformation:stack" => {
                let Some(template) = properties
                    .and_then(|p| p.get("templateFile"))
                    .and_then(Node::as_str)
                else {
                    return Err(IacError::at(
                        &manifest_file,
                        key.line,
                        format!(
                            "stack {} has no properties.templateFile",
                            crate::strict_json::quoted(&key.name)
                        ),
                    ));
                };
                let template_path = inside(directory, template, &manifest_file, key.line)?;
                let (file, root) = template_file(&template_path, options)?;
                let (account, region) =
                    environment(artifact.get("environment").and_then(Node::as_str));
                let stack_name = properties
                    .and_then(|p| p.get("stackName"))
                    .and_then(Node::as_str)
                    .unwrap_or(&key.name)
                    .to_string();
                sources.templates.push(Template {
                    file,
                    root,
                    account,
                    region,
                    stack_name: Some(stack_name),
                });
            }
            "cdk:cloud-assembly" => {
                if depth >= MAX_NESTING {
                    return Err(IacError::at(
                        &manifest_file,
                        key.line,
                        format!("cloud assemblies nested more than {MAX_NESTING} deep"),
                    ));
                }
                if let Some(nested) = properties
                    .and_then(|p| p.get("directoryName"))
                    .and_then(Node::as_str)
                {
                    let nested = inside(directory, nested, &manifest_file, key.line)?;
                    read_nested(&nested, options, sources, depth + 1)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// `aws://ACCOUNT/REGION`; `unknown-account` and `unknown-region` are none.
fn environment(environment: Option<&str>) -> (Option<String>, Option<String>) {
    let Some(rest) = environment.and_then(|e| e.strip_prefix("aws://")) else {
        return (None, None);
    };
    let (account, region) = rest.split_once('/').unwrap_or((rest, ""));
    let account = (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
        .then(|| account.to_string());
    let region = crate::regions::looks_like_region(region).then(|| region.to_string());
    (account, region)
}

/// A file the manifest names, which must stay inside the assembly.
fn inside(
    directory: &Path,
    name: &str,
    manifest: &str,
    line: u32,
) -> Result<std::path::PathBuf, IacError> {
    let relative = Path::new(name);
    let escapes = relative.is_absolute()
        || relative
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir));
    if escapes {
        return Err(IacError::at(
            manifest,
            line,
            format!(
                "{} is outside the cloud assembly {}",
                crate::strict_json::quoted(name),
                shown(directory)
            ),
        ));
    }
    Ok(directory.join(relative))
}
