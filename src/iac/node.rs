//! A template as a tree of nodes that remember their line: what the
//! YAML and JSON readers ([`crate::iac::yaml`]) produce and the adapters
//! read. Short-form intrinsics (`!Ref X`) are already their long form
//! (`{"Ref": "X"}`) here.

/// A value of the template, with the 1-based line where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// 1-based line of the value (of its first character).
    pub line: u32,
    /// The value.
    pub value: NodeValue,
}

/// The kinds of template values.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeValue {
    /// `null`, `~` or an empty value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written (`012345678901` keeps its leading zero when it
    /// is used as a string, as CloudFormation does with account ids).
    Number(String),
    /// A string.
    String(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in the order written; keys are unique.
    Map(Vec<(Key, Node)>),
}

/// A mapping key and its line.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key.
    pub name: String,
    /// 1-based line of the key.
    pub line: u32,
}

impl Node {
    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, node)| node)
    }

    /// The key and value of `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Key, &Node)> {
        match &self.value {
            NodeValue::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.name == key)
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// The entries of a mapping (empty for anything else).
    pub fn entries(&self) -> &[(Key, Node)] {
        match &self.value {
            NodeValue::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The items of a sequence (empty for anything else).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            NodeValue::Seq(items) => items,
            _ => &[],
        }
    }

    /// The string of a string node.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// A one-entry mapping whose key is an intrinsic function (`Ref`,
    /// `Condition`, `Fn::...`): its name and argument.
    pub fn intrinsic(&self) -> Option<(&str, &Node)> {
        match &self.value {
            NodeValue::Map(entries) if entries.len() == 1 => {
                let (key, arg) = &entries[0];
                let name = key.name.as_str();
                (name == "Ref" || name == "Condition" || name.starts_with("Fn::"))
                    .then_some((name, arg))
            }
            _ => None,
        }
    }

    /// A short description of the node for messages: the value of a
    /// scalar, the kind of anything else.
    pub fn describe(&self) -> String {
        match &self.value {
            NodeValue::Null => "null".to_string(),
            NodeValue::Bool(b) => b.to_string(),
            NodeValue::Number(n) => n.clone(),
            NodeValue::String(s) => crate::strict_json::quoted(s),
            NodeValue::Seq(_) => "a list".to_string(),
            NodeValue::Map(_) => "a mapping".to_string(),
        }
    }
}
