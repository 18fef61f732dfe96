//! The intrinsic functions of a CloudFormation template, resolved only as
//! far as reading literal values needs: `Ref` (parameters, pseudo
//! parameters, resources of the template), `Fn::Sub`, `Fn::GetAtt`,
//! `Fn::If` and the condition functions, `Fn::Join`, `Fn::Select`,
//! `Fn::Split`, `Fn::FindInMap`, `Fn::Base64`, `Fn::ToJsonString`,
//! `Fn::Length`. `Fn::ImportValue`, `Fn::GetAZs`, `Fn::Cidr` and
//! `Fn::Transform` are never determinable here: they give
//! [`Resolved::Unknown`]. Any other `Fn::` is an error, and so is a `Ref`
//! or condition that refers to itself through others.

mod functions;
#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use crate::iac::IacError;
use crate::iac::cloudformation::physical;
use crate::iac::node::{Node, NodeValue};
use crate::iac::resolved::Resolved;

/// A template parameter's value and where it came from.
#[derive(Debug, Clone)]
pub enum Parameter {
    /// Given in the `--parameters` file (a list for the list types).
    Given(Resolved),
    /// The template's `Default` (a list for the list types).
    Default(Resolved),
    /// Neither: not determinable.
    Missing,
    /// Of an `AWS::SSM::Parameter::Value<...>` type: its value is read from
    /// Parameter Store at deployment (what is given is the SSM name).
    FromParameterStore(String),
}

/// A parameter's value as `Ref` gives it: `CommaDelimitedList` and
/// `List<...>` types are lists of the comma-separated values.
fn typed(declared_type: &str, value: Resolved) -> Resolved {
    let is_list = declared_type == "CommaDelimitedList" || declared_type.starts_with("List<");
    match (is_list, value.as_string()) {
        (true, Some(text)) => Resolved::List(
            text.split(',')
                .map(|item| Resolved::String(item.trim().to_string()))
                .collect(),
        ),
        _ => value,
    }
}

/// Resolves the intrinsic functions of one template.
pub struct Resolver<'t> {
    /// The template file, for errors.
    pub file: &'t str,
    /// The `Resources` mapping.
    pub resources: &'t Node,
    mappings: Option<&'t Node>,
    conditions: Option<&'t Node>,
    parameters: BTreeMap<String, Parameter>,
    /// The planned account, region and partition.
    pub account: String,
    /// The region the stack is planned in.
    pub region: String,
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    stack_name: Option<String>,
    active: RefCell<Vec<String>>,
    /// `Ref`/`Fn::GetAtt` of each resource, once (a template whose names
    /// are built from other names would otherwise take exponential time),
    /// with the parameter defaults it used.
    physical_values: RefCell<BTreeMap<PhysicalKey, Remembered<Outcome>>>,
    /// Each condition's value once, with the parameter defaults it used.
    condition_values: RefCell<BTreeMap<String, Remembered<Option<bool>>>>,
    defaults_used: RefCell<BTreeSet<String>>,
}

type Outcome = Result<Resolved, IacError>;

/// A resource's logical id and the attribute asked (`None`: `Ref`).
type PhysicalKey = (String, Option<String>);

/// A value resolved once, with the parameter defaults it used.
type Remembered<T> = (T, Vec<String>);

/// The longest string `Fn::Sub` or `Fn::Join` may compute (CloudFormation's
/// own limit on a template is 1 MB; names and ARNs are far shorter).
pub const MAX_VALUE_BYTES: usize = 64 * 1024;

impl<'t> Resolver<'t> {
    /// A resolver for `template` (its root mapping).
    pub fn new(
        file: &'t str,
        template: &'t Node,
        given: &BTreeMap<String, String>,
        account: &str,
        region: &str,
        partition: &str,
        stack_name: Option<&str>,
    ) -> Result<Self, IacError> {
        static EMPTY: Node = Node {
            line: 1,
            value: NodeValue::Map(Vec::new()),
        };
        let resources = template.get("Resources").unwrap_or(&EMPTY);
        let mut parameters = BTreeMap::new();
        for (key, declaration) in template.get("Parameters").map_or(&[][..], Node::entries) {
            let declared_type = declaration
                .get("Type")
                .and_then(Node::as_str)
                .unwrap_or("String");
            let value = if declared_type.starts_with("AWS::SSM::Parameter::Value<") {
                let ssm_name = given
                    .get(&key.name)
                    .cloned()
                    .or_else(|| {
                        declaration
                            .get("Default")
                            .and_then(|d| Resolved::literal(d).as_string())
                    })
                    .unwrap_or_default();
                Parameter::FromParameterStore(ssm_name)
            } else {
                match given.get(&key.name) {
                    Some(value) => {
                        Parameter::Given(typed(declared_type, Resolved::String(value.clone())))
                    }
                    None => match declaration.get("Default") {
                        Some(default) => {
                            Parameter::Default(typed(declared_type, Resolved::literal(default)))
                        }
                        None => Parameter::Missing,
                    },
                }
            };
            parameters.insert(key.name.clone(), value);
        }
        Ok(Resolver {
            file,
            resources,
            mappings: template.get("Mappings"),
            conditions: template.get("Conditions"),
            parameters,
            account: account.to_string(),
            region: region.to_string(),
            partition: partition.to_string(),
            stack_name: stack_name.map(str::to_string),
            active: RefCell::new(Vec::new()),
            physical_values: RefCell::new(BTreeMap::new()),
            condition_values: RefCell::new(BTreeMap::new()),
            defaults_used: RefCell::new(BTreeSet::new()),
        })
    }

    fn error(&self, line: u32, message: impl Into<String>) -> IacError {
        IacError::at(self.file, line, message)
    }

    /// The parameters whose default was used since the last
    /// [`Resolver::take_defaults_used`], as `Name=value`.
    pub fn defaults_used(&self) -> Vec<String> {
        self.defaults_used.borrow().iter().cloned().collect()
    }

    /// The parameters whose default was used since the last call, as
    /// `Name=value`, and forgets them.
    pub fn take_defaults_used(&self) -> Vec<String> {
        std::mem::take(&mut *self.defaults_used.borrow_mut())
            .into_iter()
            .collect()
    }

    /// Resolves a node: literal values as they are, intrinsic functions
    /// evaluated, `AWS::NoValue` removed from mappings and lists.
    pub fn resolve(&self, node: &Node) -> Outcome {
        if let Some((name, argument)) = node.intrinsic() {
            return self.function(name, argument, node.line);
        }
        Ok(match &node.value {
            NodeValue::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    if !is_no_value(item) && !self.removed_by_if(item)? {
                        out.push(self.resolve(item)?);
                    }
                }
                Resolved::List(out)
            }
            NodeValue::Map(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                for (key, value) in entries {
                    if is_no_value(value) || self.removed_by_if(value)? {
                        continue;
                    }
                    out.push((key.name.clone(), self.resolve(value)?));
                }
                Resolved::Map(out)
            }
            _ => Resolved::literal(node),
        })
    }

    /// Whether `value` is an `Fn::If` that chooses `AWS::NoValue`.
    fn removed_by_if(&self, value: &Node) -> Result<bool, IacError> {
        let Some(("Fn::If", argument)) = value.intrinsic() else {
            return Ok(false);
        };
        let [condition, when_true, when_false] = argument.items() else {
            return Ok(false);
        };
        let Some(name) = condition.as_str() else {
            return Ok(false);
        };
        Ok(match self.condition(name, condition.line)? {
            Some(true) => is_no_value(when_true),
            Some(false) => is_no_value(when_false),
            None => false,
        })
    }

    fn function(&self, name: &str, argument: &Node, line: u32) -> Outcome {
        match name {
            "Ref" => self.reference(argument, line),
            "Condition" => {
                let name = self.string_argument(argument, "Condition")?;
                Ok(match self.condition(&name, line)? {
                    Some(b) => Resolved::Bool(b),
                    None => Resolved::unknown(
                        format!("!Condition {name}"),
                        "the condition depends on a value the template does not determine",
                        line,
                    ),
                })
            }
            "Fn::GetAtt" => self.get_att(argument, line),
            "Fn::Sub" => self.sub(argument, line),
            "Fn::If" => self.if_(argument, line),
            "Fn::Join" => self.join(argument, line),
            "Fn::Select" => self.select(argument, line),
            "Fn::Split" => self.split(argument, line),
            "Fn::FindInMap" => self.find_in_map(argument, line),
            "Fn::Base64" => self.resolve(argument),
            "Fn::ToJsonString" => {
                let value = self.resolve(argument)?;
                Ok(match value.to_json() {
                    Ok(json) => Resolved::String(json.to_string()),
                    Err(_) => value,
                })
            }
            "Fn::Length" => {
                let value = self.resolve(argument)?;
                Ok(match &value {
                    Resolved::List(items) => Resolved::Number(items.len().to_string()),
                    _ => value,
                })
            }
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => {
                Ok(match self.condition_expression(name, argument, line)? {
                    Some(b) => Resolved::Bool(b),
                    None => Resolved::unknown(
                        format!("!{}", short(name)),
                        "it depends on a value the template does not determine",
                        line,
                    ),
                })
            }
            "Fn::ImportValue" => {
                let what = match self.resolve(argument)?.as_string() {
                    Some(export) => export,
                    None => "...".to_string(),
                };
                Ok(Resolved::unknown(
                    format!("!ImportValue {what}"),
                    "an imported value is known only when the stack is deployed",
                    line,
                ))
            }
            "Fn::GetAZs" | "Fn::Cidr" | "Fn::Transform" | "Fn::ForEach" => Ok(Resolved::unknown(
                format!("!{}", short(name)),
                "its value is computed by CloudFormation at deployment",
                line,
            )),
            other => Err(self.error(
                line,
                format!(
                    "unknown intrinsic function {}",
                    crate::strict_json::quoted(other)
                ),
            )),
        }
    }

    fn string_argument(&self, argument: &Node, function: &str) -> Result<String, IacError> {
        argument.as_str().map(str::to_string).ok_or_else(|| {
            self.error(
                argument.line,
                format!("{function} takes a name, not {}", argument.describe()),
            )
        })
    }

    fn reference(&self, argument: &Node, line: u32) -> Outcome {
        let name = self.string_argument(argument, "Ref")?;
        match name.as_str() {
            "AWS::AccountId" => return Ok(Resolved::String(self.account.clone())),
            "AWS::Region" => return Ok(Resolved::String(self.region.clone())),
            "AWS::Partition" => return Ok(Resolved::String(self.partition.clone())),
            "AWS::URLSuffix" => {
                return Ok(Resolved::String(
                    if self.partition == "aws-cn" {
                        "amazonaws.com.cn"
                    } else {
                        "amazonaws.com"
                    }
                    .to_string(),
                ));
            }
            "AWS::NoValue" => return Ok(Resolved::Null),
            "AWS::StackName" => {
                return Ok(match &self.stack_name {
                    Some(stack) => Resolved::String(stack.clone()),
                    None => Resolved::unknown(
                        "!Ref AWS::StackName",
                        "the stack name is chosen at deployment (give it with --stack-name)",
                        line,
                    ),
                });
            }
            "AWS::StackId" | "AWS::NotificationARNs" => {
                return Ok(Resolved::unknown(
                    format!("!Ref {name}"),
                    "it is assigned at deployment",
                    line,
                ));
            }
            _ => {}
        }
        if let Some(parameter) = self.parameters.get(&name) {
            return Ok(match parameter {
                Parameter::Given(value) => value.clone(),
                Parameter::Default(value) => {
                    let shown = match value {
                        Resolved::List(items) => items
                            .iter()
                            .filter_map(Resolved::as_string)
                            .collect::<Vec<_>>()
                            .join(","),
                        other => other.as_string().unwrap_or_else(|| "...".to_string()),
                    };
                    self.defaults_used
                        .borrow_mut()
                        .insert(format!("{name}={shown}"));
                    value.clone()
                }
                Parameter::FromParameterStore(ssm_name) => Resolved::unknown(
                    format!("!Ref {name}"),
                    format!(
                        "parameter {name} is read from SSM Parameter Store ({}) when the stack is deployed",
                        crate::strict_json::quoted(ssm_name)
                    ),
                    line,
                ),
                Parameter::Missing => Resolved::unknown(
                    format!("!Ref {name}"),
                    format!("parameter {name} has no default and no value in --parameters"),
                    line,
                ),
            });
        }
        if self.resources.get(&name).is_some() {
            return self.physical(&name, None, line);
        }
        Err(self.error(
            line,
            format!(
                "!Ref {}: no parameter, pseudo parameter or resource of that name",
                crate::strict_json::quoted(&name)
            ),
        ))
    }

    /// The value of `Ref` (attribute `None`) or `Fn::GetAtt` of a resource
    /// of the template, guarding against cycles.
    fn physical(&self, logical: &str, attribute: Option<&str>, line: u32) -> Outcome {
        if self.active.borrow().iter().any(|a| a == logical) {
            let chain = self.active.borrow().join(" -> ");
            return Err(self.error(
                line,
                format!("cyclic reference: {chain} -> {logical} refers back to itself"),
            ));
        }
        let key = (logical.to_string(), attribute.map(str::to_string));
        if let Some((result, defaults)) = self.physical_values.borrow().get(&key) {
            self.defaults_used
                .borrow_mut()
                .extend(defaults.iter().cloned());
            return result.clone();
        }
        let outer = std::mem::take(&mut *self.defaults_used.borrow_mut());
        self.active.borrow_mut().push(logical.to_string());
        let result = physical::value(self, logical, attribute, line);
        self.active.borrow_mut().pop();
        let defaults: Vec<String> = self.defaults_used.borrow().iter().cloned().collect();
        self.defaults_used.borrow_mut().extend(outer);
        self.physical_values
            .borrow_mut()
            .insert(key, (result.clone(), defaults));
        result
    }

    /// Refuses a computed string longer than [`MAX_VALUE_BYTES`].
    fn bounded(&self, value: String, line: u32) -> Outcome {
        if value.len() > MAX_VALUE_BYTES {
            return Err(self.error(
                line,
                format!("a value computed here is longer than {MAX_VALUE_BYTES} bytes"),
            ));
        }
        Ok(Resolved::String(value))
    }

    /// A named condition's value; `None` when not determinable.
    pub fn condition(&self, name: &str, line: u32) -> Result<Option<bool>, IacError> {
        if let Some((value, defaults)) = self.condition_values.borrow().get(name) {
            self.defaults_used
                .borrow_mut()
                .extend(defaults.iter().cloned());
            return Ok(*value);
        }
        let key = format!("condition {name}");
        if self.active.borrow().contains(&key) {
            return Err(self.error(
                line,
                format!("cyclic condition: {name} refers back to itself"),
            ));
        }
        let Some(expression) = self.conditions.and_then(|c| c.get(name)) else {
            return Err(self.error(
                line,
                format!("no condition {}", crate::strict_json::quoted(name)),
            ));
        };
        let outer = std::mem::take(&mut *self.defaults_used.borrow_mut());
        self.active.borrow_mut().push(key);
        let value = self.condition_node(expression);
        self.active.borrow_mut().pop();
        let defaults: Vec<String> = self.defaults_used.borrow().iter().cloned().collect();
        self.defaults_used.borrow_mut().extend(outer);
        let value = value?;
        self.condition_values
            .borrow_mut()
            .insert(name.to_string(), (value, defaults));
        Ok(value)
    }

    fn condition_node(&self, node: &Node) -> Result<Option<bool>, IacError> {
        match node.intrinsic() {
            Some(("Condition", argument)) => {
                let name = self.string_argument(argument, "Condition")?;
                self.condition(&name, node.line)
            }
            Some((name, argument)) if name != "Ref" => {
                self.condition_expression(name, argument, node.line)
            }
            _ => Ok(self.resolve(node)?.as_bool()),
        }
    }

    fn condition_expression(
        &self,
        name: &str,
        argument: &Node,
        line: u32,
    ) -> Result<Option<bool>, IacError> {
        match name {
            "Fn::Equals" => {
                let [a, b] = argument.items() else {
                    return Err(self.error(line, "Fn::Equals takes [value, value]"));
                };
                let (a, b) = (self.resolve(a)?, self.resolve(b)?);
                if a.undetermined().is_some() || b.undetermined().is_some() {
                    return Ok(None);
                }
                Ok(Some(match (a.as_string(), b.as_string()) {
                    (Some(a), Some(b)) => a == b,
                    _ => a == b,
                }))
            }
            "Fn::Not" => {
                let [inner] = argument.items() else {
                    return Err(self.error(line, "Fn::Not takes [condition]"));
                };
                Ok(self.condition_node(inner)?.map(|b| !b))
            }
            "Fn::And" | "Fn::Or" => {
                let want = name == "Fn::Or";
                let mut unknown = false;
                for inner in argument.items() {
                    match self.condition_node(inner)? {
                        Some(b) if b == want => return Ok(Some(want)),
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                Ok(if unknown { None } else { Some(!want) })
            }
            _ => Ok(self
                .resolve(&Node {
                    line,
                    value: NodeValue::Map(vec![(
                        crate::iac::node::Key {
                            name: name.to_string(),
                            line,
                        },
                        argument.clone(),
                    )]),
                })?
                .as_bool()),
        }
    }
}

impl physical::Template for Resolver<'_> {
    fn resources(&self) -> &Node {
        self.resources
    }

    fn resolve(&self, node: &Node) -> Result<Resolved, IacError> {
        Resolver::resolve(self, node)
    }

    fn place(&self) -> (&str, &str, &str) {
        (&self.partition, &self.region, &self.account)
    }
}

/// `{"Ref": "AWS::NoValue"}`.
fn is_no_value(node: &Node) -> bool {
    matches!(node.intrinsic(), Some(("Ref", arg)) if arg.as_str() == Some("AWS::NoValue"))
}

/// `Fn::ImportValue` -> `ImportValue`.
fn short(name: &str) -> &str {
    name.strip_prefix("Fn::").unwrap_or(name)
}
