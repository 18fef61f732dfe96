//! What an adapter of [`super::resources`] has while it reads one resource:
//! the template's resolver, the inventory being built, the resource and its
//! resolved properties, and the lines of its properties.

use crate::iac::cloudformation::resolve::Resolver;
use crate::iac::estate::EstateBuilder;
use crate::iac::node::{Node, NodeValue};
use crate::iac::resolved::{Resolved, Undetermined};
use crate::inventory::PlannedResource;

/// What an adapter module needs while it reads one resource.
pub struct Context<'a, 't> {
    /// The template's resolver.
    pub resolver: &'a Resolver<'t>,
    /// The inventory being built.
    pub builder: &'a mut EstateBuilder,
    /// The template file, as shown and as SARIF locations name it.
    pub file: &'a str,
    /// The stack's region.
    pub region: String,
    /// The logical id of the resource being read.
    pub logical: &'a str,
    /// The resource's node (`Type`, `Properties`, ...).
    pub resource: &'a Node,
    /// The resource's `Properties`, resolved.
    pub properties: Resolved,
    /// Parameters whose default was assumed for this resource.
    pub assumed: Vec<String>,
}

impl Context<'_, '_> {
    /// `template.yaml#LogicalId`.
    pub fn planned_id(&self) -> String {
        format!("{}#{}", self.file, self.logical)
    }

    /// The line of a property (`["SSESpecification", "KMSMasterKeyId"]`),
    /// or of the deepest part of the path that exists, or of the resource.
    /// A path step that is a number indexes a list (`["Replicas", "1",
    /// "SSESpecification"]`).
    pub fn line_of(&self, path: &[&str]) -> u32 {
        let (line, _) = self.walk(path);
        line
    }

    /// Follows `path` from `Properties`: the line of the deepest step found
    /// (a key's line, or a list item's), and whether the whole path exists.
    fn walk(&self, path: &[&str]) -> (u32, bool) {
        let mut node = self.resource.get("Properties");
        let mut line = self.resource_line();
        for key in path {
            let next = match node.map(|n| &n.value) {
                Some(NodeValue::Seq(items)) => key
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i))
                    .map(|item| (item.line, item)),
                Some(NodeValue::Map(_)) => node
                    .and_then(|n| n.entry(key))
                    .map(|(k, value)| (k.line, value)),
                _ => None,
            };
            match next {
                Some((at, value)) => {
                    line = at;
                    node = Some(value);
                }
                None => return (line, false),
            }
        }
        (line, node.is_some())
    }

    /// The parameter defaults assumed for this resource so far (its
    /// properties, and what the adapter resolved since).
    pub fn assumed_now(&self) -> Vec<String> {
        let mut assumed = self.assumed.clone();
        assumed.extend(self.resolver.defaults_used());
        assumed.sort();
        assumed.dedup();
        assumed
    }

    /// The line of the resource's logical id.
    pub fn resource_line(&self) -> u32 {
        self.resolver
            .resources
            .entry(self.logical)
            .map_or(self.resource.line, |(k, _)| k.line)
    }

    /// Records the resource as planned under inventory id `id`, with the
    /// lines of the properties that decide findings.
    pub fn plan(&mut self, id: &str, name_determinable: bool, property_lines: &[(&str, &[&str])]) {
        let resource_type = self
            .resource
            .get("Type")
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string();
        let lines = property_lines
            .iter()
            .filter(|(_, path)| self.walk(path).1)
            .map(|(field, path)| (field.to_string(), self.line_of(path)))
            .collect();
        let planned = PlannedResource {
            planned_id: self.planned_id(),
            file: self.file.to_string(),
            line: self.resource_line(),
            resource_type,
            name_determinable,
            property_lines: lines,
            assumed: self.assumed_now(),
        };
        self.builder.planned(id, planned);
    }

    /// Records that `operation`'s evidence about `resource` is not
    /// determinable.
    pub fn undetermined(
        &mut self,
        service: &str,
        operation: &str,
        resource: &str,
        why: &Undetermined,
    ) {
        let region = self.region.clone();
        self.undetermined_in(service, &region, operation, resource, why);
    }

    /// [`Context::undetermined`] in another region (a replica's).
    pub fn undetermined_in(
        &mut self,
        service: &str,
        region: &str,
        operation: &str,
        resource: &str,
        why: &Undetermined,
    ) {
        self.builder
            .undetermined(service, region, operation, Some(resource), why, self.file);
    }

    /// A value that is not a literal of the expected kind: not determinable
    /// either (e.g. a list where a boolean belongs).
    pub fn unexpected(&self, path: &[&str], expected: &str) -> Undetermined {
        Undetermined {
            expression: path.join("."),
            reason: format!("it is not {expected}"),
            line: self.line_of(path),
        }
    }
}
