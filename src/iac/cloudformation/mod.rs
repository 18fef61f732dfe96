//! A CloudFormation template (or a CDK stack's template) into the planned
//! inventory: one module per AWS service, each reading the resource types
//! the rules need. The template must be a mapping with `Resources`, each
//! resource a mapping with a `Type`; resources of other types are ignored,
//! and a resource whose `Condition` is false is not planned.

pub mod context;
pub mod physical;
pub mod resolve;
mod resources;

use std::collections::BTreeMap;

use crate::iac::IacError;
use crate::iac::estate::EstateBuilder;
use crate::iac::node::{Node, NodeValue};
use crate::iac::resolved::Resolved;
use context::Context;
use resolve::Resolver;

/// How one template is read.
#[derive(Debug, Clone, Default)]
pub struct TemplateOptions {
    /// Parameter values (`--parameters`), by name.
    pub parameters: BTreeMap<String, String>,
    /// The stack name, when known (`AWS::StackName`).
    pub stack_name: Option<String>,
    /// The region the stack is deployed in.
    pub region: String,
}

/// Reads the template `root` (from `file`) into `builder`.
pub fn adapt(
    file: &str,
    root: &Node,
    options: &TemplateOptions,
    builder: &mut EstateBuilder,
) -> Result<(), IacError> {
    if !matches!(root.value, NodeValue::Map(_)) {
        return Err(IacError::at(
            file,
            root.line,
            format!(
                "a template is a mapping with Resources, not {}",
                root.describe()
            ),
        ));
    }
    let Some(resources) = root.get("Resources") else {
        return Err(IacError::at(
            file,
            1,
            "the template has no Resources section",
        ));
    };
    if !matches!(resources.value, NodeValue::Map(_)) {
        return Err(IacError::at(
            file,
            resources.line,
            "Resources must be a mapping of logical ids to resources",
        ));
    }
    for (key, resource) in resources.entries() {
        match resource.get("Type").map(|t| &t.value) {
            Some(NodeValue::String(_)) => {}
            _ => {
                return Err(IacError::at(
                    file,
                    key.line,
                    format!(
                        "resource {} has no Type (a string such as AWS::DynamoDB::Table)",
                        crate::strict_json::quoted(&key.name)
                    ),
                ));
            }
        }
    }
    let account = builder.account().to_string();
    let partition = builder.partition().to_string();
    let resolver = Resolver::new(
        file,
        root,
        &options.parameters,
        &account,
        &options.region,
        &partition,
        options.stack_name.as_deref(),
    )?;
    builder.file(file);
    builder.region(&options.region);
    // Keys first: tables and aliases refer to them.
    let mut ordered: Vec<&(crate::iac::node::Key, Node)> = resources.entries().iter().collect();
    ordered.sort_by_key(|(_, r)| {
        let kind = r.get("Type").and_then(Node::as_str).unwrap_or_default();
        u8::from(kind != "AWS::KMS::Key")
    });
    for (key, resource) in ordered {
        // The defaults this resource's condition and properties use.
        resolver.take_defaults_used();
        if let Some(condition) = resource.get("Condition") {
            let name = condition.as_str().ok_or_else(|| {
                IacError::at(
                    file,
                    condition.line,
                    "a resource's Condition is the name of a condition",
                )
            })?;
            // A resource the condition leaves out is not planned; one whose
            // condition is not determinable is read (its findings say what
            // it would be if created).
            if resolver.condition(name, condition.line)? == Some(false) {
                continue;
            }
        }
        let properties = match resource.get("Properties") {
            Some(p) => resolver.resolve(p)?,
            None => Resolved::Map(Vec::new()),
        };
        let assumed = resolver.defaults_used();
        let mut context = Context {
            resolver: &resolver,
            builder,
            file,
            region: options.region.clone(),
            logical: &key.name,
            resource,
            properties,
            assumed,
        };
        resources::add(&mut context)?;
    }
    Ok(())
}
