//! The three views a plan gives of each resource, joined by address:
//! `planned_values` (the values after apply, unknown ones left out),
//! `resource_changes` (the actions, and `after_unknown`, which marks the
//! values known only after apply) and `configuration` (the expressions as
//! written, with the references between resources, and the provider
//! configurations that say each resource's region).

use std::collections::BTreeMap;

use crate::iac::IacError;
use crate::iac::node::{Node, NodeValue};
use crate::strict_json::quoted;

/// Deeper module nesting than this is refused (a plan is not that deep).
const MAX_DEPTH: usize = 32;

/// The plan, read once: every managed resource instance that is planned
/// (not being deleted), with what the adapters need to read it.
#[derive(Debug)]
pub struct Plan<'p> {
    /// The plan file, as shown and as SARIF locations name it.
    pub file: &'p str,
    /// The partition ARNs are made in.
    pub partition: String,
    /// The account ARNs are made in.
    pub account: String,
    /// The planned managed resource instances, in plan order.
    pub instances: Vec<Instance<'p>>,
    by_address: BTreeMap<String, usize>,
}

/// One planned managed resource instance.
#[derive(Debug)]
pub struct Instance<'p> {
    /// Its absolute address (`module.db.aws_dynamodb_table.orders["x"]`).
    pub address: String,
    /// The address of the module instance that declares it (`""` for the
    /// root module).
    pub module: String,
    /// The resource type (`aws_dynamodb_table`).
    pub resource_type: String,
    /// The 1-based line of its `address` key in `planned_values`.
    pub line: u32,
    /// Its planned `values`.
    pub values: &'p Node,
    /// `resource_changes[].change.after_unknown`, when the plan has it.
    pub after_unknown: Option<&'p Node>,
    /// The `expressions` of its configuration block, when the plan has it.
    pub config: Option<&'p Node>,
    /// The configuration of the module that declares it (for module
    /// outputs and calls).
    pub module_config: Option<&'p Node>,
    /// The region it is planned in.
    pub region: String,
}

/// An attribute of a planned resource.
#[derive(Debug, Clone, Copy)]
pub enum Slot<'p> {
    /// Known, not null.
    Known(&'p Node),
    /// Null (or absent).
    Null,
    /// Known only after apply.
    Unknown,
}

impl Slot<'_> {
    /// Whether the value is known and not null.
    pub fn is_known(&self) -> bool {
        matches!(self, Slot::Known(_))
    }
}

/// A step into a node: a key of an object, an index of a list.
pub fn child<'n>(node: &'n Node, step: &str) -> Option<&'n Node> {
    match &node.value {
        NodeValue::Map(_) => node.get(step),
        NodeValue::Seq(items) => step.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    }
}

impl<'p> Instance<'p> {
    /// The attribute at `path`.
    pub fn slot(&self, path: &[&str]) -> Slot<'p> {
        let mut value = Some(self.values);
        let mut unknown = self.after_unknown;
        for step in path {
            if unknown.is_some_and(|u| u.value == NodeValue::Bool(true)) {
                return Slot::Unknown;
            }
            unknown = unknown.and_then(|u| child(u, step));
            value = value.and_then(|v| child(v, step));
        }
        if unknown.is_some_and(|u| u.value == NodeValue::Bool(true)) {
            return Slot::Unknown;
        }
        match value {
            Some(node) if node.value != NodeValue::Null => Slot::Known(node),
            _ => Slot::Null,
        }
    }
}

/// A change of `resource_changes`: its actions and `after_unknown`.
struct Change<'p> {
    actions: Vec<&'p str>,
    after_unknown: Option<&'p Node>,
}

impl<'p> Plan<'p> {
    /// Reads the plan `root` of `file`; `default_region` is used for a
    /// resource whose region neither its values nor its provider name.
    pub fn read(
        file: &'p str,
        root: &'p Node,
        default_region: &str,
        account: &str,
        partition: &str,
    ) -> Result<Self, IacError> {
        let mut plan = Plan {
            file,
            partition: partition.to_string(),
            account: account.to_string(),
            instances: Vec::new(),
            by_address: BTreeMap::new(),
        };
        let changes = changes(file, root)?;
        let Some(module) = root
            .get("planned_values")
            .and_then(|p| p.get("root_module"))
        else {
            return Err(IacError::at(
                file,
                1,
                "the plan has no planned_values.root_module",
            ));
        };
        let config = root.get("configuration");
        let reader = Reader {
            file,
            root,
            changes: &changes,
            providers: config.and_then(|c| c.get("provider_config")),
            default_region,
        };
        reader.module(
            module,
            "",
            config.and_then(|c| c.get("root_module")),
            0,
            &mut plan,
        )?;
        Ok(plan)
    }

    /// The planned instance at `address`.
    pub fn instance(&self, address: &str) -> Option<&Instance<'p>> {
        self.by_address.get(address).map(|&i| &self.instances[i])
    }

    /// The planned instances of `resource_type`.
    pub fn of_type<'a>(
        &'a self,
        resource_type: &'a str,
    ) -> impl Iterator<Item = &'a Instance<'p>> + 'a {
        self.instances
            .iter()
            .filter(move |i| i.resource_type == resource_type)
    }

    /// The instances of the resource `address` (without an instance key):
    /// those of `aws_route_table.private` are `aws_route_table.private[0]`,
    /// `aws_route_table.private[1]`, ...
    pub fn instances_of<'a>(
        &'a self,
        address: &'a str,
    ) -> impl Iterator<Item = &'a Instance<'p>> + 'a {
        self.instances.iter().filter(move |i| {
            i.address
                .strip_prefix(address)
                .is_some_and(|rest| rest.starts_with('[') && rest.ends_with(']'))
        })
    }
}

/// What reading `planned_values` needs.
struct Reader<'r, 'p> {
    file: &'p str,
    root: &'p Node,
    changes: &'r BTreeMap<String, Change<'p>>,
    providers: Option<&'p Node>,
    default_region: &'r str,
}

impl<'p> Reader<'_, 'p> {
    /// Reads a module of `planned_values` (and its child modules).
    fn module(
        &self,
        module: &'p Node,
        address: &str,
        config: Option<&'p Node>,
        depth: usize,
        plan: &mut Plan<'p>,
    ) -> Result<(), IacError> {
        if depth > MAX_DEPTH {
            return Err(IacError::at(
                self.file,
                module.line,
                "modules nested deeper than 32 levels",
            ));
        }
        if !matches!(module.value, NodeValue::Map(_)) {
            return Err(IacError::at(
                self.file,
                module.line,
                "a module of planned_values must be an object",
            ));
        }
        for resource in list(self.file, module, "resources")? {
            self.resource(resource, address, config, plan)?;
        }
        for child in list(self.file, module, "child_modules")? {
            let Some(child_address) = child.get("address").and_then(Node::as_str) else {
                return Err(IacError::at(
                    self.file,
                    child.line,
                    "a child module of planned_values has no address",
                ));
            };
            let child_config = module_calls(child_address)
                .last()
                .and_then(|call| config?.get("module_calls")?.get(call)?.get("module"));
            self.module(child, child_address, child_config, depth + 1, plan)?;
        }
        Ok(())
    }

    /// Reads one resource of a module of `planned_values`.
    fn resource(
        &self,
        resource: &'p Node,
        module: &str,
        module_config: Option<&'p Node>,
        plan: &mut Plan<'p>,
    ) -> Result<(), IacError> {
        let Some((key, address)) = resource.entry("address") else {
            return Err(IacError::at(
                self.file,
                resource.line,
                "a resource of planned_values has no address",
            ));
        };
        let Some(address) = address.as_str() else {
            return Err(IacError::at(
                self.file,
                key.line,
                "a resource's address must be a string",
            ));
        };
        let field = |name: &str| -> Result<&'p str, IacError> {
            resource.get(name).and_then(Node::as_str).ok_or_else(|| {
                IacError::at(
                    self.file,
                    key.line,
                    format!(
                        "resource {} of planned_values has no {name} (a string)",
                        quoted(address)
                    ),
                )
            })
        };
        let (mode, resource_type, name) = (field("mode")?, field("type")?, field("name")?);
        let values = match resource.get("values") {
            Some(values) if matches!(values.value, NodeValue::Map(_)) => values,
            _ => {
                return Err(IacError::at(
                    self.file,
                    key.line,
                    format!(
                        "resource {} of planned_values has no values object",
                        quoted(address)
                    ),
                ));
            }
        };
        if mode != "managed" {
            return Ok(());
        }
        let change = self.changes.get(address);
        if change.is_some_and(|c| matches!(c.actions.as_slice(), ["delete"] | ["forget"])) {
            return Ok(());
        }
        let config = module_config.and_then(|m| {
            m.get("resources")?.items().iter().find(|r| {
                r.get("mode").and_then(Node::as_str) == Some("managed")
                    && r.get("type").and_then(Node::as_str) == Some(resource_type)
                    && r.get("name").and_then(Node::as_str) == Some(name)
            })
        });
        let region = values
            .get("region")
            .and_then(Node::as_str)
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .or_else(|| {
                let key = config
                    .and_then(|c| c.get("provider_config_key"))
                    .and_then(Node::as_str)
                    .unwrap_or("aws");
                self.provider_region(key)
            })
            .unwrap_or_else(|| self.default_region.to_string());
        let index = plan.instances.len();
        if plan.by_address.insert(address.to_string(), index).is_some() {
            return Err(IacError::at(
                self.file,
                key.line,
                format!(
                    "resource {} appears twice in planned_values",
                    quoted(address)
                ),
            ));
        }
        plan.instances.push(Instance {
            address: address.to_string(),
            module: module.to_string(),
            resource_type: resource_type.to_string(),
            line: key.line,
            values,
            after_unknown: change.and_then(|c| c.after_unknown),
            config: config.and_then(|c| c.get("expressions")),
            module_config,
            region,
        });
        Ok(())
    }

    /// The region of the provider configuration `key` (`aws`, `aws.eu`,
    /// `module.db:aws`): a constant, or a root variable's value.
    fn provider_region(&self, key: &str) -> Option<String> {
        let providers = self.providers?;
        let provider = providers
            .get(key)
            .or_else(|| key.rsplit_once(':').and_then(|(_, k)| providers.get(k)))?;
        let region = provider.get("expressions")?.get("region")?;
        if let Some(constant) = region.get("constant_value") {
            return constant.as_str().map(str::to_string);
        }
        // `region = var.region` in the root module: the variable's value.
        let in_root = provider
            .get("module_address")
            .and_then(Node::as_str)
            .is_none_or(str::is_empty);
        let roots = roots(region);
        match roots.as_slice() {
            [reference] if in_root => {
                let name = reference.strip_prefix("var.")?;
                self.root
                    .get("variables")?
                    .get(name)?
                    .get("value")?
                    .as_str()
                    .map(str::to_string)
            }
            _ => None,
        }
    }
}

/// The `resource_changes` of managed resources by address (deposed objects
/// left out: they are being destroyed).
fn changes<'p>(file: &str, root: &'p Node) -> Result<BTreeMap<String, Change<'p>>, IacError> {
    let mut changes = BTreeMap::new();
    for entry in list(file, root, "resource_changes")? {
        if entry.get("deposed").is_some()
            || entry.get("mode").and_then(Node::as_str) != Some("managed")
        {
            continue;
        }
        let Some(address) = entry.get("address").and_then(Node::as_str) else {
            return Err(IacError::at(
                file,
                entry.line,
                "a resource change has no address",
            ));
        };
        let change = entry.get("change");
        let actions = change
            .and_then(|c| c.get("actions"))
            .map(|a| a.items().iter().filter_map(Node::as_str).collect())
            .unwrap_or_default();
        changes.insert(
            address.to_string(),
            Change {
                actions,
                after_unknown: change.and_then(|c| c.get("after_unknown")),
            },
        );
    }
    Ok(changes)
}

/// The items of the list `key` of `node` (none when it is missing or null).
fn list<'p>(file: &str, node: &'p Node, key: &str) -> Result<&'p [Node], IacError> {
    match node.get(key) {
        None => Ok(&[]),
        Some(value) => match &value.value {
            NodeValue::Seq(items) => Ok(items),
            NodeValue::Null => Ok(&[]),
            _ => Err(IacError::at(
                file,
                value.line,
                format!("{key} must be a list"),
            )),
        },
    }
}

/// The module call names of a module address: `module.a["x"].module.b`
/// gives `a`, `b`.
pub fn module_calls(address: &str) -> Vec<String> {
    let mut calls = Vec::new();
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        calls.push(after[..end].to_string());
        rest = &after[end..];
        if rest.starts_with('[') {
            rest = &rest[index_end(rest).unwrap_or(rest.len())..];
        }
        rest = rest.strip_prefix('.').unwrap_or(rest);
        if rest.is_empty() {
            break;
        }
    }
    calls
}

/// The length of the instance key at the start of `text` (`[0]`,
/// `["a.b"]`), brackets included.
pub fn index_end(text: &str) -> Option<usize> {
    let mut chars = text.char_indices();
    if chars.next()?.1 != '[' {
        return None;
    }
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in chars {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ']' if !in_string => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The references of an expression that no other of its references
/// extends: Terraform lists `aws_kms_key.a.arn` and also `aws_kms_key.a`;
/// only the first says what the expression reads.
pub fn roots(expression: &Node) -> Vec<String> {
    let references: Vec<&str> = expression
        .get("references")
        .map(|r| r.items().iter().filter_map(Node::as_str).collect())
        .unwrap_or_default();
    let mut roots: Vec<String> = references
        .iter()
        .filter(|r| {
            !references.iter().any(|other| {
                other.len() > r.len()
                    && other.starts_with(**r)
                    && matches!(other.as_bytes()[r.len()], b'.' | b'[')
            })
        })
        .map(|r| r.to_string())
        .collect();
    roots.sort();
    roots.dedup();
    roots
}
