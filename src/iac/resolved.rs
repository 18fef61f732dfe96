//! A template value after its intrinsic functions were resolved: literal
//! where the template determines it, [`Resolved::Unknown`] (with the
//! expression and why) where it does not. Adapters read properties from
//! here; a policy document is turned into JSON only if all of it is known.

use crate::iac::node::Node;

/// Why a value is not determinable from the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undetermined {
    /// The expression, short form (`!ImportValue SharedKeyArn`).
    pub expression: String,
    /// Why it has no value here, e.g. "an imported value is known only
    /// when the stack is deployed".
    pub reason: String,
    /// 1-based line of the expression.
    pub line: u32,
}

impl Undetermined {
    /// "not determinable from the template (`!ImportValue X`): reason".
    pub fn message(&self, source_word: &str) -> String {
        format!(
            "not determinable from the {source_word} (`{}`): {}",
            self.expression, self.reason
        )
    }
}

/// A resolved value.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// `null` (or a property removed with `AWS::NoValue`).
    Null,
    /// A boolean.
    Bool(bool),
    /// A number as written.
    Number(String),
    /// A string.
    String(String),
    /// A list.
    List(Vec<Resolved>),
    /// A mapping.
    Map(Vec<(String, Resolved)>),
    /// Not determinable from the code.
    Unknown(Box<Undetermined>),
}

impl Resolved {
    /// An unknown value.
    pub fn unknown(expression: impl Into<String>, reason: impl Into<String>, line: u32) -> Self {
        Resolved::Unknown(Box::new(Undetermined {
            expression: expression.into(),
            reason: reason.into(),
            line,
        }))
    }

    /// The value of `key` in a mapping; [`Resolved::Null`] when missing.
    pub fn get(&self, key: &str) -> &Resolved {
        match self {
            Resolved::Map(entries) => entries
                .iter()
                .find(|(k, _)| k == key)
                .map_or(&Resolved::Null, |(_, v)| v),
            Resolved::Unknown(_) => self,
            _ => &Resolved::Null,
        }
    }

    /// Whether the value is missing (`null`).
    pub fn is_null(&self) -> bool {
        matches!(self, Resolved::Null)
    }

    /// The first undetermined part of the value, if any.
    pub fn undetermined(&self) -> Option<&Undetermined> {
        match self {
            Resolved::Unknown(why) => Some(why),
            Resolved::List(items) => items.iter().find_map(Resolved::undetermined),
            Resolved::Map(entries) => entries.iter().find_map(|(_, v)| v.undetermined()),
            _ => None,
        }
    }

    /// A string value (numbers as written, booleans as `true`/`false`, as
    /// CloudFormation turns them into strings).
    pub fn as_string(&self) -> Option<String> {
        match self {
            Resolved::String(s) | Resolved::Number(s) => Some(s.clone()),
            Resolved::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A boolean (`true`, `"true"`, case-insensitive, as CloudFormation
    /// accepts).
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Resolved::Bool(b) => Some(*b),
            Resolved::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Resolved::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// An integer (a number or a string of digits).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Resolved::Number(s) | Resolved::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// The items of a list (empty for anything else).
    pub fn items(&self) -> &[Resolved] {
        match self {
            Resolved::List(items) => items,
            _ => &[],
        }
    }

    /// The entries of a mapping (empty for anything else).
    pub fn entries(&self) -> &[(String, Resolved)] {
        match self {
            Resolved::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The value as JSON, or the first undetermined part.
    pub fn to_json(&self) -> Result<serde_json::Value, &Undetermined> {
        Ok(match self {
            Resolved::Null => serde_json::Value::Null,
            Resolved::Bool(b) => serde_json::Value::Bool(*b),
            Resolved::Number(n) => match serde_json::from_str::<serde_json::Number>(n) {
                // A number with a leading zero stays the text it was.
                Ok(number) if number.to_string() == *n => serde_json::Value::Number(number),
                _ => serde_json::Value::String(n.clone()),
            },
            Resolved::String(s) => serde_json::Value::String(s.clone()),
            Resolved::List(items) => serde_json::Value::Array(
                items
                    .iter()
                    .map(Resolved::to_json)
                    .collect::<Result<_, _>>()?,
            ),
            Resolved::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), v.to_json()?)))
                    .collect::<Result<_, _>>()?,
            ),
            Resolved::Unknown(why) => return Err(why),
        })
    }

    /// A literal node (no intrinsic functions) as a resolved value.
    pub fn literal(node: &Node) -> Resolved {
        use crate::iac::node::NodeValue;
        match &node.value {
            NodeValue::Null => Resolved::Null,
            NodeValue::Bool(b) => Resolved::Bool(*b),
            NodeValue::Number(n) => Resolved::Number(n.clone()),
            NodeValue::String(s) => Resolved::String(s.clone()),
            NodeValue::Seq(items) => Resolved::List(items.iter().map(Resolved::literal).collect()),
            NodeValue::Map(entries) => Resolved::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), Resolved::literal(v)))
                    .collect(),
            ),
        }
    }

    /// A JSON value as a resolved value (Terraform plans).
    pub fn from_json(value: &serde_json::Value) -> Resolved {
        match value {
            serde_json::Value::Null => Resolved::Null,
            serde_json::Value::Bool(b) => Resolved::Bool(*b),
            serde_json::Value::Number(n) => Resolved::Number(n.to_string()),
            serde_json::Value::String(s) => Resolved::String(s.clone()),
            serde_json::Value::Array(items) => {
                Resolved::List(items.iter().map(Resolved::from_json).collect())
            }
            serde_json::Value::Object(map) => Resolved::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), Resolved::from_json(v)))
                    .collect(),
            ),
        }
    }
}
