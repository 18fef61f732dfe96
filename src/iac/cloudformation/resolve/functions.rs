//! The intrinsic functions that compute a value from their arguments:
//! `Fn::GetAtt`, `Fn::Sub`, `Fn::If`, `Fn::Join`, `Fn::Select`,
//! `Fn::Split`, `Fn::FindInMap`.

use super::{Outcome, Resolver};
use crate::iac::node::{Node, NodeValue};
use crate::iac::resolved::Resolved;

impl Resolver<'_> {
    pub(super) fn get_att(&self, argument: &Node, line: u32) -> Outcome {
        let (resource, attribute) = match (&argument.value, argument.items()) {
            // "Resource.Attribute", in JSON and the long form too.
            (NodeValue::String(text), _) if text.contains('.') => {
                let (resource, attribute) = text.split_once('.').unwrap_or_default();
                (resource.to_string(), attribute.to_string())
            }
            (_, [resource, attribute]) => {
                let resource = self.string_argument(resource, "Fn::GetAtt")?;
                let attribute = match self.resolve(attribute)?.as_string() {
                    Some(a) => a,
                    None => {
                        return Ok(Resolved::unknown(
                            format!("!GetAtt {resource}.?"),
                            "the attribute name is not determinable",
                            line,
                        ));
                    }
                };
                (resource, attribute)
            }
            _ => {
                return Err(self.error(
                    line,
                    "Fn::GetAtt takes [Resource, Attribute] or \"Resource.Attribute\"",
                ));
            }
        };
        if self.resources.get(&resource).is_none() {
            return Err(self.error(
                line,
                format!(
                    "!GetAtt {}: no resource of that name",
                    crate::strict_json::quoted(&resource)
                ),
            ));
        }
        self.physical(&resource, Some(&attribute), line)
    }

    pub(super) fn sub(&self, argument: &Node, line: u32) -> Outcome {
        let (template, variables) = match &argument.value {
            NodeValue::String(s) => (s.clone(), None),
            NodeValue::Seq(items) => match items.as_slice() {
                [template, variables] => {
                    (self.string_argument(template, "Fn::Sub")?, Some(variables))
                }
                _ => {
                    return Err(self.error(line, "Fn::Sub takes a string or [string, {variables}]"));
                }
            },
            _ => return Err(self.error(line, "Fn::Sub takes a string or [string, {variables}]")),
        };
        let mut out = String::new();
        let mut rest = template.as_str();
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                return Err(self.error(line, "Fn::Sub: `${` without a closing `}`"));
            };
            let name = &after[..end];
            rest = &after[end + 1..];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let value = match variables.and_then(|v| v.get(name)) {
                Some(node) => self.resolve(node)?,
                None => match name.split_once('.') {
                    Some((resource, attribute)) if self.resources.get(resource).is_some() => {
                        self.physical(resource, Some(attribute), line)?
                    }
                    _ => self.reference(
                        &Node {
                            line,
                            value: NodeValue::String(name.to_string()),
                        },
                        line,
                    )?,
                },
            };
            match value.as_string() {
                Some(text) => {
                    out.push_str(&text);
                    if out.len() > super::MAX_VALUE_BYTES {
                        return self.bounded(out, line);
                    }
                }
                None => {
                    return Ok(match value {
                        Resolved::Unknown(why) => Resolved::Unknown(why),
                        _ => Resolved::unknown(
                            format!("!Sub ...${{{name}}}..."),
                            "the variable is not a string",
                            line,
                        ),
                    });
                }
            }
        }
        out.push_str(rest);
        self.bounded(out, line)
    }

    pub(super) fn if_(&self, argument: &Node, line: u32) -> Outcome {
        let [condition, when_true, when_false] = argument.items() else {
            return Err(self.error(line, "Fn::If takes [Condition, ValueIfTrue, ValueIfFalse]"));
        };
        let name = self.string_argument(condition, "Fn::If")?;
        match self.condition(&name, line)? {
            Some(true) => self.resolve(when_true),
            Some(false) => self.resolve(when_false),
            None => Ok(Resolved::unknown(
                format!("!If [{name}, ...]"),
                format!("condition {name} depends on a value the template does not determine"),
                line,
            )),
        }
    }

    pub(super) fn join(&self, argument: &Node, line: u32) -> Outcome {
        let [delimiter, list] = argument.items() else {
            return Err(self.error(line, "Fn::Join takes [delimiter, [values]]"));
        };
        let delimiter = self.resolve(delimiter)?.as_string().unwrap_or_default();
        let list = self.resolve(list)?;
        if let Some(why) = list.undetermined() {
            return Ok(Resolved::Unknown(Box::new(why.clone())));
        }
        let mut parts = Vec::new();
        for item in list.items() {
            match item.as_string() {
                Some(s) => parts.push(s),
                None => {
                    return Err(self.error(line, "Fn::Join: a value of the list is not a string"));
                }
            }
        }
        self.bounded(parts.join(&delimiter), line)
    }

    pub(super) fn select(&self, argument: &Node, line: u32) -> Outcome {
        let [index, list] = argument.items() else {
            return Err(self.error(line, "Fn::Select takes [index, [values]]"));
        };
        let index = self.resolve(index)?;
        let list = self.resolve(list)?;
        if let Some(why) = index.undetermined().or(list.undetermined()) {
            return Ok(Resolved::Unknown(Box::new(why.clone())));
        }
        let Some(i) = index.as_i64() else {
            return Err(self.error(line, "Fn::Select: the index is not a number"));
        };
        usize::try_from(i)
            .ok()
            .and_then(|i| list.items().get(i).cloned())
            .ok_or_else(|| self.error(line, format!("Fn::Select: index {i} is out of range")))
    }

    pub(super) fn split(&self, argument: &Node, line: u32) -> Outcome {
        let [delimiter, source] = argument.items() else {
            return Err(self.error(line, "Fn::Split takes [delimiter, string]"));
        };
        let delimiter = self.resolve(delimiter)?.as_string().unwrap_or_default();
        let source = self.resolve(source)?;
        if let Resolved::Unknown(why) = source {
            return Ok(Resolved::Unknown(why));
        }
        match source.as_string() {
            Some(s) if !delimiter.is_empty() => Ok(Resolved::List(
                s.split(delimiter.as_str())
                    .map(|p| Resolved::String(p.to_string()))
                    .collect(),
            )),
            _ => Err(self.error(line, "Fn::Split: the value or delimiter is not a string")),
        }
    }

    pub(super) fn find_in_map(&self, argument: &Node, line: u32) -> Outcome {
        let items = argument.items();
        if items.len() < 3 {
            return Err(self.error(
                line,
                "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]",
            ));
        }
        let mut keys = Vec::new();
        for item in &items[..3] {
            let key = self.resolve(item)?;
            if let Resolved::Unknown(why) = key {
                return Ok(Resolved::Unknown(why));
            }
            keys.push(key.as_string().unwrap_or_default());
        }
        let found = self
            .mappings
            .and_then(|m| m.get(&keys[0]))
            .and_then(|m| m.get(&keys[1]))
            .and_then(|m| m.get(&keys[2]));
        match found {
            Some(node) => self.resolve(node),
            None => match items.get(3).and_then(|d| d.get("DefaultValue")) {
                Some(default) => self.resolve(default),
                None => Err(self.error(
                    line,
                    format!(
                        "Fn::FindInMap: no value at {}",
                        crate::strict_json::quoted(&keys.join("."))
                    ),
                )),
            },
        }
    }
}
