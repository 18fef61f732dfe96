//! Reading one attribute of a planned resource: known in `planned_values`,
//! null, or known only after apply (`after_unknown`). A value known only
//! after apply is a default only when the configuration does not set it
//! (AWS then applies its documented default, e.g. the AWS managed key when
//! `server_side_encryption { enabled = true }` names no key); when the
//! configuration sets it, it is not determinable from the plan, unless it
//! is a reference to a resource of the same plan whose id or ARN dynaudit
//! stands in for ([`super::physical`]).
//!
//! Paths are lists of steps, an attribute name or a list index
//! (`["server_side_encryption", "0", "kms_key_arn"]`); the expression shown
//! for them is `aws_dynamodb_table.orders.server_side_encryption[0].kms_key_arn`.

use std::collections::BTreeMap;

use crate::iac::node::{Node, NodeValue};
use crate::iac::resolved::Undetermined;
use crate::iac::terraform::physical;
use crate::iac::terraform::plan::{Instance, Plan, Slot, child, roots};

/// Why a value is not in the plan.
pub const AFTER_APPLY: &str = "known only after apply";

/// What the configuration says about an attribute.
#[derive(Debug, Clone, Copy)]
pub enum Configured<'p> {
    /// It sets the attribute to this expression (or block).
    Set(&'p Node),
    /// It does not set it: AWS applies its default.
    NotSet,
    /// The plan does not tell (no configuration, or a `dynamic` block,
    /// which the plan's configuration does not show).
    Unknowable,
}

/// Whether a node is null, an empty list or an empty object.
fn is_empty(node: &Node) -> bool {
    match &node.value {
        NodeValue::Null => true,
        NodeValue::Seq(items) => items.is_empty(),
        NodeValue::Map(entries) => entries.is_empty(),
        _ => false,
    }
}

/// `a.b[0].c` for `["a", "b", "0", "c"]`.
pub fn path_text(path: &[&str]) -> String {
    let mut text = String::new();
    for step in path {
        if !step.is_empty() && step.bytes().all(|b| b.is_ascii_digit()) {
            text.push_str(&format!("[{step}]"));
        } else {
            if !text.is_empty() {
                text.push('.');
            }
            text.push_str(step);
        }
    }
    text
}

/// A JSON document given as a string (a policy): parsed, or kept as the
/// string when it is not JSON (the rules then say why it cannot be read).
pub fn document(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_string()))
}

impl<'p> Instance<'p> {
    /// `address.path`.
    pub fn expression(&self, path: &[&str]) -> String {
        if path.is_empty() {
            return self.address.clone();
        }
        format!("{}.{}", self.address, path_text(path))
    }

    /// The value at `path` is known only after apply.
    pub fn after_apply(&self, path: &[&str]) -> Undetermined {
        Undetermined {
            expression: self.expression(path),
            reason: AFTER_APPLY.to_string(),
            line: self.line,
        }
    }

    /// The value at `path` is not of the kind expected.
    pub fn unexpected(&self, path: &[&str], expected: &str) -> Undetermined {
        Undetermined {
            expression: self.expression(path),
            reason: format!("it is not {expected}"),
            line: self.line,
        }
    }

    /// What the configuration says about the attribute at `path` of the
    /// values, found at `config_path` in the configuration (the same path,
    /// except in a set of blocks, whose order may differ; `None` when the
    /// block could not be matched).
    pub fn configured(&self, path: &[&str], config_path: Option<&[&str]>) -> Configured<'p> {
        let (Some(mut node), Some(config_path)) = (self.config, config_path) else {
            return Configured::Unknowable;
        };
        for (i, step) in config_path.iter().enumerate() {
            match child(node, step) {
                Some(next) => node = next,
                None => {
                    // A block the values have but the configuration does not
                    // show was written with `dynamic`.
                    let in_block = i + 1 < config_path.len();
                    let block = &path[..(i + 1).min(path.len())];
                    return match self.slot(block) {
                        Slot::Known(n) if in_block && !is_empty(n) => Configured::Unknowable,
                        _ => Configured::NotSet,
                    };
                }
            }
        }
        Configured::Set(node)
    }

    /// Whether the configuration sets the attribute at `path`.
    pub fn sets(&self, path: &[&str]) -> bool {
        matches!(self.configured(path, Some(path)), Configured::Set(_))
    }

    /// The value at `path`: `None` when null or left to AWS's default.
    pub fn read(&self, path: &[&str]) -> Result<Option<&'p Node>, Undetermined> {
        self.read_at(path, Some(path))
    }

    /// [`Instance::read`] with the configuration path given apart.
    pub fn read_at(
        &self,
        path: &[&str],
        config_path: Option<&[&str]>,
    ) -> Result<Option<&'p Node>, Undetermined> {
        match self.slot(path) {
            Slot::Known(node) => Ok(Some(node)),
            Slot::Null => Ok(None),
            Slot::Unknown => match self.configured(path, config_path) {
                Configured::NotSet => Ok(None),
                _ => Err(self.after_apply(path)),
            },
        }
    }

    /// A string (a number as written).
    pub fn string(&self, path: &[&str]) -> Result<Option<String>, Undetermined> {
        match self.read(path)? {
            None => Ok(None),
            Some(node) => match &node.value {
                NodeValue::String(s) | NodeValue::Number(s) => Ok(Some(s.clone())),
                _ => Err(self.unexpected(path, "a string")),
            },
        }
    }

    /// A boolean.
    pub fn boolean(&self, path: &[&str]) -> Result<Option<bool>, Undetermined> {
        self.boolean_at(path, Some(path))
    }

    /// [`Instance::boolean`] with the configuration path given apart.
    pub fn boolean_at(
        &self,
        path: &[&str],
        config_path: Option<&[&str]>,
    ) -> Result<Option<bool>, Undetermined> {
        match self.read_at(path, config_path)? {
            None => Ok(None),
            Some(node) => match &node.value {
                NodeValue::Bool(b) => Ok(Some(*b)),
                NodeValue::String(s) if s == "true" || s == "false" => Ok(Some(s == "true")),
                _ => Err(self.unexpected(path, "true or false")),
            },
        }
    }

    /// An integer.
    pub fn integer(&self, path: &[&str]) -> Result<Option<i64>, Undetermined> {
        match self.read(path)? {
            None => Ok(None),
            Some(node) => match &node.value {
                NodeValue::Number(s) | NodeValue::String(s) => s
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| self.unexpected(path, "a whole number")),
                _ => Err(self.unexpected(path, "a whole number")),
            },
        }
    }

    /// A list (or set) of strings; empty when null.
    pub fn strings(&self, path: &[&str]) -> Result<Vec<String>, Undetermined> {
        let Some(node) = self.read(path)? else {
            return Ok(Vec::new());
        };
        if !matches!(node.value, NodeValue::Seq(_)) {
            return Err(self.unexpected(path, "a list of strings"));
        }
        let mut strings = Vec::new();
        for (i, item) in node.items().iter().enumerate() {
            let index = i.to_string();
            let mut item_path = path.to_vec();
            item_path.push(&index);
            match (&item.value, self.slot(&item_path)) {
                (_, Slot::Unknown) => return Err(self.after_apply(path)),
                (NodeValue::String(s) | NodeValue::Number(s), _) => strings.push(s.clone()),
                _ => return Err(self.unexpected(path, "a list of strings")),
            }
        }
        Ok(strings)
    }

    /// A map of strings (tags); empty when null.
    pub fn string_map(&self, path: &[&str]) -> Result<BTreeMap<String, String>, Undetermined> {
        let Some(node) = self.read(path)? else {
            return Ok(BTreeMap::new());
        };
        if !matches!(node.value, NodeValue::Map(_)) {
            return Err(self.unexpected(path, "a map of strings"));
        }
        if let Some(key) = self.unknown_keys(path).first() {
            let mut entry_path = path.to_vec();
            entry_path.push(key);
            return Err(self.after_apply(&entry_path));
        }
        let mut map = BTreeMap::new();
        for (key, value) in node.entries() {
            let mut entry_path = path.to_vec();
            entry_path.push(&key.name);
            match (&value.value, self.slot(&entry_path)) {
                (_, Slot::Unknown) => return Err(self.after_apply(&entry_path)),
                (NodeValue::String(s) | NodeValue::Number(s), _) => {
                    map.insert(key.name.clone(), s.clone());
                }
                (NodeValue::Bool(b), _) => {
                    map.insert(key.name.clone(), b.to_string());
                }
                _ => return Err(self.unexpected(&entry_path, "a string")),
            }
        }
        Ok(map)
    }

    /// The tags AWS will hold: `tags_all` (with the provider's default
    /// tags), else `tags`.
    pub fn tags(&self) -> Result<BTreeMap<String, String>, Undetermined> {
        match self.slot(&["tags_all"]) {
            Slot::Known(_) => self.string_map(&["tags_all"]),
            // The provider computes tags_all from tags and its default
            // tags; unknown when one of them is.
            Slot::Unknown => Err(self.after_apply(&["tags_all"])),
            Slot::Null => self.string_map(&["tags"]),
        }
    }

    /// The blocks of the nested block `path` (none when null or left to
    /// AWS's default).
    pub fn blocks(&self, path: &[&str]) -> Result<&'p [Node], Undetermined> {
        Ok(self.read(path)?.map_or(&[][..], Node::items))
    }

    /// The keys of the map at `path` whose values are known only after
    /// apply (left out of the planned values).
    pub fn unknown_keys(&self, path: &[&str]) -> Vec<String> {
        let mut node = self.after_unknown;
        for step in path {
            node = node.and_then(|n| child(n, step));
        }
        node.map(|n| {
            n.entries()
                .iter()
                .filter(|(_, v)| v.value == NodeValue::Bool(true))
                .map(|(k, _)| k.name.clone())
                .collect()
        })
        .unwrap_or_default()
    }

    /// Whether anything under `path` is known only after apply.
    pub fn has_unknown(&self, path: &[&str]) -> bool {
        fn any_true(node: &Node) -> bool {
            match &node.value {
                NodeValue::Bool(b) => *b,
                NodeValue::Seq(items) => items.iter().any(any_true),
                NodeValue::Map(entries) => entries.iter().any(|(_, v)| any_true(v)),
                _ => false,
            }
        }
        let mut node = self.after_unknown;
        for step in path {
            if node.is_some_and(|n| n.value == NodeValue::Bool(true)) {
                return true;
            }
            node = node.and_then(|n| child(n, step));
        }
        node.is_some_and(any_true)
    }

    /// The 1-based line of the key at `path` in `planned_values`, or of the
    /// deepest key of it there (a value known only after apply is left
    /// out); `None` when not even the first is.
    pub fn key_line(&self, path: &[&str]) -> Option<u32> {
        let mut node = self.values;
        let mut line = None;
        for step in path {
            let next = match &node.value {
                NodeValue::Map(_) => node.entry(step).map(|(key, value)| {
                    line = Some(key.line);
                    value
                }),
                _ => child(node, step),
            };
            match next {
                Some(next) => node = next,
                None => break,
            }
        }
        line
    }

    /// The line of the attribute at `path` when the configuration sets it
    /// (the property that decides a finding), for `property_lines`.
    pub fn property_line(&self, path: &[&str], config_path: Option<&[&str]>) -> Option<u32> {
        match self.configured(path, config_path) {
            Configured::Set(_) => self.key_line(path),
            _ => None,
        }
    }

    /// A string that may be a reference to a resource of the plan: its
    /// stand-in when the reference is one of `accept` (resource type,
    /// attribute), e.g. `("aws_kms_key", "arn")`.
    pub fn linked(
        &self,
        plan: &Plan<'p>,
        path: &[&str],
        config_path: Option<&[&str]>,
        accept: &[(&str, &str)],
    ) -> Result<Option<String>, Undetermined> {
        match self.slot(path) {
            Slot::Known(node) => match &node.value {
                NodeValue::String(s) => Ok(Some(s.clone())),
                _ => Err(self.unexpected(path, "a string")),
            },
            Slot::Null => Ok(None),
            Slot::Unknown => match self.configured(path, config_path) {
                Configured::NotSet => Ok(None),
                Configured::Unknowable => Err(self.after_apply(path)),
                Configured::Set(expression) => match roots(expression).as_slice() {
                    [reference] => plan
                        .follow(self, reference, accept)
                        .map(Some)
                        .ok_or_else(|| self.after_apply(path)),
                    _ => Err(self.after_apply(path)),
                },
            },
        }
    }

    /// A list of strings whose unknown items are references to resources
    /// of the plan (`route_table_ids = [aws_route_table.a.id]`): the known
    /// items and the stand-ins of the references, when every reference is
    /// one of `accept`.
    pub fn linked_strings(
        &self,
        plan: &Plan<'p>,
        path: &[&str],
        accept: &[(&str, &str)],
    ) -> Result<Vec<String>, Undetermined> {
        match self.strings(path) {
            Ok(strings) => Ok(strings),
            Err(why) if why.reason != AFTER_APPLY => Err(why),
            Err(why) => {
                let Configured::Set(expression) = self.configured(path, Some(path)) else {
                    return Err(why);
                };
                let mut strings: Vec<String> = match self.slot(path) {
                    Slot::Known(node) => node
                        .items()
                        .iter()
                        .filter_map(|n| n.as_str().map(str::to_string))
                        .collect(),
                    _ => Vec::new(),
                };
                for reference in roots(expression) {
                    let linked = plan.follow_all(self, &reference, accept);
                    if linked.is_empty() {
                        return Err(why);
                    }
                    strings.extend(linked);
                }
                strings.sort();
                strings.dedup();
                Ok(strings)
            }
        }
    }
}

impl<'p> Plan<'p> {
    /// The stand-in of `reference` (`aws_kms_key.orders.arn`,
    /// `module.keys.arn`), read from the module of `from`, when it names an
    /// attribute of `accept` of a planned resource.
    pub fn follow(
        &self,
        from: &Instance<'p>,
        reference: &str,
        accept: &[(&str, &str)],
    ) -> Option<String> {
        let (module, reference) = self.through_outputs(from, reference)?;
        let (resource, attribute) = split_reference(&reference)?;
        let resource_type = resource.split('.').next()?;
        if !accept
            .iter()
            .any(|(t, a)| *t == resource_type && *a == attribute)
        {
            return None;
        }
        let target = self.instance(&join(&module, resource))?;
        physical::value(self, target, attribute)
    }

    /// [`Plan::follow`], and for a reference to a whole resource with
    /// several instances (`aws_route_table.private[*].id` references
    /// `aws_route_table.private`), the stand-ins of all its instances.
    pub fn follow_all(
        &self,
        from: &Instance<'p>,
        reference: &str,
        accept: &[(&str, &str)],
    ) -> Vec<String> {
        if let Some(one) = self.follow(from, reference, accept) {
            return vec![one];
        }
        let Some((module, reference)) = self.through_outputs(from, reference) else {
            return Vec::new();
        };
        let mut parts = reference.split('.');
        let (Some(resource_type), Some(name), None) = (parts.next(), parts.next(), parts.next())
        else {
            return Vec::new();
        };
        let Some(attribute) = accept
            .iter()
            .find(|(t, _)| *t == resource_type)
            .map(|(_, a)| *a)
        else {
            return Vec::new();
        };
        let address = join(&module, &format!("{resource_type}.{name}"));
        let values: Option<Vec<String>> = self
            .instances_of(&address)
            .map(|i| physical::value(self, i, attribute))
            .collect();
        values.unwrap_or_default()
    }

    /// A reference to a module output (`module.keys.arn`, from a module
    /// called once) followed to what the output references, with the module
    /// it is read in.
    fn through_outputs(&self, from: &Instance<'p>, reference: &str) -> Option<(String, String)> {
        let mut module = from.module.clone();
        let mut config = from.module_config;
        let mut reference = reference.to_string();
        for _ in 0..8 {
            let Some(rest) = reference.strip_prefix("module.") else {
                return Some((module, reference));
            };
            let (call, output) = rest.split_once('.')?;
            if call.contains('[') || output.contains(['.', '[']) {
                return None;
            }
            let call_node = config?.get("module_calls")?.get(call)?;
            if call_node.get("count_expression").is_some()
                || call_node.get("for_each_expression").is_some()
            {
                return None;
            }
            let child = call_node.get("module")?;
            let expression = child.get("outputs")?.get(output)?.get("expression")?;
            let [next] = roots(expression).try_into().ok()?;
            module = join(&module, &format!("module.{call}"));
            config = Some(child);
            reference = next;
        }
        None
    }
}

/// `aws_kms_key.keys["eu"].arn` -> (`aws_kms_key.keys["eu"]`, `arn`): a
/// reference to one attribute of one resource instance.
pub fn split_reference(reference: &str) -> Option<(&str, &str)> {
    let (resource_type, rest) = reference.split_once('.')?;
    if resource_type.is_empty()
        || [
            "var",
            "local",
            "data",
            "each",
            "count",
            "path",
            "terraform",
            "self",
        ]
        .contains(&resource_type)
    {
        return None;
    }
    let name_end = rest.find(['.', '[']).unwrap_or(rest.len());
    let mut end = resource_type.len() + 1 + name_end;
    if reference[end..].starts_with('[') {
        end += super::plan::index_end(&reference[end..])?;
    }
    let attribute = reference[end..].strip_prefix('.')?;
    if attribute.is_empty()
        || !attribute
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return None;
    }
    Some((&reference[..end], attribute))
}

/// `module.db` + `aws_kms_key.x` -> `module.db.aws_kms_key.x`.
pub fn join(module: &str, address: &str) -> String {
    if module.is_empty() {
        address.to_string()
    } else {
        format!("{module}.{address}")
    }
}
