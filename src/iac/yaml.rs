//! Reads a CloudFormation template (YAML, or JSON, which is YAML too) into
//! [`Node`]s that keep their line, with the short-form intrinsics
//! (`!Ref X`, `!GetAtt A.B`, `!Sub ...`) turned into their long form.
//!
//! `yaml-rust2`'s event parser does the YAML; this module builds the tree
//! with an explicit stack (no recursion, so nesting depth is only bounded by
//! [`MAX_DEPTH`]) and refuses what CloudFormation refuses or what would let
//! a small file become a large tree: aliases (`*x`), a key twice in one
//! mapping, more than one document, unknown `!Tags`.

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::TScalarStyle;

use crate::iac::node::{Key, Node, NodeValue};

/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 128;

/// A template that cannot be read, with the 1-based line of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line.
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// The short-form tags of CloudFormation and their long form.
const SHORT_FORMS: [(&str, &str); 21] = [
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("Sub", "Fn::Sub"),
    ("GetAtt", "Fn::GetAtt"),
    ("If", "Fn::If"),
    ("Join", "Fn::Join"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("FindInMap", "Fn::FindInMap"),
    ("ImportValue", "Fn::ImportValue"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("GetAZs", "Fn::GetAZs"),
    ("Equals", "Fn::Equals"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("Not", "Fn::Not"),
    ("Transform", "Fn::Transform"),
    ("ToJsonString", "Fn::ToJsonString"),
    ("Length", "Fn::Length"),
    ("ForEach", "Fn::ForEach"),
];

/// The long form of a short-form tag's name, if it is one.
pub fn long_form(short: &str) -> Option<&'static str> {
    SHORT_FORMS
        .iter()
        .find(|(s, _)| *s == short)
        .map(|(_, long)| *long)
}

enum Frame {
    Seq {
        line: u32,
        tag: Option<Tag>,
        items: Vec<Node>,
    },
    Map {
        line: u32,
        tag: Option<Tag>,
        entries: Vec<(Key, Node)>,
        key: Option<Key>,
    },
}

/// Parses `text` (YAML or JSON) into a tree.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    loop {
        let (event, mark) = parser.next_token().map_err(|e| SyntaxError {
            line: line_of(e.marker().line()),
            message: format!("not valid YAML: {}", e.info()),
        })?;
        let line = line_of(mark.line());
        let node = match event {
            Event::StreamEnd => break,
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => continue,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err(SyntaxError {
                        line,
                        message:
                            "a template is one YAML document; this file has more than one (`---`)"
                                .to_string(),
                    });
                }
                continue;
            }
            Event::Alias(_) => {
                return Err(SyntaxError {
                    line,
                    message: "YAML aliases (`*name`) are not supported in templates (CloudFormation does not read them either)".to_string(),
                });
            }
            Event::Scalar(value, style, _, tag) => {
                let scalar = scalar(value, style, tag.as_ref(), line)?;
                match tag {
                    Some(tag) => tagged(tag, scalar, line)?,
                    None => scalar,
                }
            }
            Event::SequenceStart(_, tag) => {
                push(
                    &mut stack,
                    Frame::Seq {
                        line,
                        tag,
                        items: Vec::new(),
                    },
                    line,
                )?;
                continue;
            }
            Event::MappingStart(_, tag) => {
                push(
                    &mut stack,
                    Frame::Map {
                        line,
                        tag,
                        entries: Vec::new(),
                        key: None,
                    },
                    line,
                )?;
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = stack.pop() else {
                    return Err(SyntaxError {
                        line,
                        message: "not valid YAML: unbalanced end of a collection".to_string(),
                    });
                };
                let (start, tag, value) = match frame {
                    Frame::Seq { line, tag, items } => (line, tag, NodeValue::Seq(items)),
                    Frame::Map {
                        line, tag, entries, ..
                    } => (line, tag, NodeValue::Map(entries)),
                };
                let node = Node { line: start, value };
                match tag {
                    Some(tag) => tagged(tag, node, start)?,
                    None => node,
                }
            }
        };
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => {
                    let name = match node.value {
                        NodeValue::String(s) | NodeValue::Number(s) => s,
                        NodeValue::Bool(b) => b.to_string(),
                        NodeValue::Null => String::new(),
                        _ => {
                            return Err(SyntaxError {
                                line: node.line,
                                message:
                                    "a mapping key must be a plain value, not a list or mapping"
                                        .to_string(),
                            });
                        }
                    };
                    if entries.iter().any(|(k, _)| k.name == name) {
                        return Err(SyntaxError {
                            line: node.line,
                            message: format!(
                                "key {} occurs twice in the same mapping",
                                crate::strict_json::quoted(&name)
                            ),
                        });
                    }
                    *key = Some(Key {
                        name,
                        line: node.line,
                    });
                }
            },
        }
    }
    root.ok_or(SyntaxError {
        line: 1,
        message: "the file is empty: a template is a YAML or JSON mapping".to_string(),
    })
}

fn push(stack: &mut Vec<Frame>, frame: Frame, line: u32) -> Result<(), SyntaxError> {
    if stack.len() >= MAX_DEPTH {
        return Err(SyntaxError {
            line,
            message: format!("nested more than {MAX_DEPTH} levels deep"),
        });
    }
    stack.push(frame);
    Ok(())
}

fn line_of(line: usize) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX).max(1)
}

/// A scalar's value: plain scalars are typed as YAML 1.2's core schema
/// types them (with the capitalised forms CloudFormation accepts), quoted
/// and block scalars are strings, and `!!str` makes anything a string.
fn scalar(
    value: String,
    style: TScalarStyle,
    tag: Option<&Tag>,
    line: u32,
) -> Result<Node, SyntaxError> {
    let explicit_string = tag.is_some_and(|t| t.handle == "!!" && t.suffix == "str")
        || tag.is_some_and(|t| t.handle == "tag:yaml.org,2002:" && t.suffix == "str");
    let value = if style != TScalarStyle::Plain || explicit_string {
        NodeValue::String(value)
    } else {
        match value.as_str() {
            "" | "~" | "null" | "Null" | "NULL" => NodeValue::Null,
            "true" | "True" | "TRUE" => NodeValue::Bool(true),
            "false" | "False" | "FALSE" => NodeValue::Bool(false),
            v if is_number(v) => NodeValue::Number(value),
            _ => NodeValue::String(value),
        }
    };
    Ok(Node { line, value })
}

fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty()
        && digits.chars().next().is_some_and(|c| c.is_ascii_digit())
        && (digits.chars().all(|c| c.is_ascii_digit())
            || (digits.parse::<f64>().is_ok()
                && digits
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))))
}

/// A node with a tag: a short-form intrinsic becomes its long form; YAML's
/// own `!!` tags are kept as they are; any other tag is an error.
fn tagged(tag: Tag, node: Node, line: u32) -> Result<Node, SyntaxError> {
    if tag.handle == "!!" || tag.handle == "tag:yaml.org,2002:" {
        return Ok(node);
    }
    let name = if tag.handle == "!" {
        tag.suffix.as_str()
    } else {
        ""
    };
    let Some(long) = long_form(name) else {
        return Err(SyntaxError {
            line,
            message: format!(
                "unknown tag {}: the short-form intrinsic functions are {}",
                crate::strict_json::quoted(&format!("{}{}", tag.handle, tag.suffix)),
                SHORT_FORMS
                    .iter()
                    .map(|(s, _)| format!("!{s}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    };
    // `!GetAtt Resource.Attribute` is the string form of
    // `Fn::GetAtt: [Resource, Attribute]`.
    let argument = match (&node.value, long) {
        (NodeValue::String(s), "Fn::GetAtt") => match s.split_once('.') {
            Some((resource, attribute)) => Node {
                line: node.line,
                value: NodeValue::Seq(vec![
                    Node {
                        line: node.line,
                        value: NodeValue::String(resource.to_string()),
                    },
                    Node {
                        line: node.line,
                        value: NodeValue::String(attribute.to_string()),
                    },
                ]),
            },
            None => node,
        },
        _ => node,
    };
    Ok(Node {
        line,
        value: NodeValue::Map(vec![(
            Key {
                name: long.to_string(),
                line,
            },
            argument,
        )]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_become_long_forms_with_lines() {
        let node =
            parse("A:\n  B: !Ref X\n  C: !GetAtt T.Arn\n  D: !Sub 'a-${AWS::Region}'\n").unwrap();
        let a = node.get("A").unwrap();
        assert_eq!(a.line, 2);
        let b = a.get("B").unwrap();
        assert_eq!(b.line, 2);
        assert_eq!(b.intrinsic().unwrap().0, "Ref");
        let (name, arg) = a.get("C").unwrap().intrinsic().unwrap();
        assert_eq!(name, "Fn::GetAtt");
        assert_eq!(arg.items().len(), 2);
        assert_eq!(a.entry("D").unwrap().0.line, 4);
    }

    #[test]
    fn tagged_collections() {
        let node = parse("A: !If\n  - Cond\n  - 1\n  - !Ref AWS::NoValue\n").unwrap();
        let (name, arg) = node.get("A").unwrap().intrinsic().unwrap();
        assert_eq!(name, "Fn::If");
        assert_eq!(arg.items().len(), 3);
    }

    #[test]
    fn scalars_are_typed() {
        let node =
            parse("a: 012345678901\nb: 'true'\nc: true\nd: 2012-10-17\ne: ~\nf: 1.5\n").unwrap();
        assert_eq!(
            node.get("a").unwrap().value,
            NodeValue::Number("012345678901".into())
        );
        assert_eq!(
            node.get("b").unwrap().value,
            NodeValue::String("true".into())
        );
        assert_eq!(node.get("c").unwrap().value, NodeValue::Bool(true));
        assert_eq!(
            node.get("d").unwrap().value,
            NodeValue::String("2012-10-17".into())
        );
        assert_eq!(node.get("e").unwrap().value, NodeValue::Null);
        assert_eq!(
            node.get("f").unwrap().value,
            NodeValue::Number("1.5".into())
        );
    }

    #[test]
    fn json_is_read_with_lines() {
        let node = parse(
            "{\n  \"Resources\": {\n    \"T\": {\"Type\": \"AWS::DynamoDB::Table\"}\n  }\n}\n",
        )
        .unwrap();
        assert_eq!(node.get("Resources").unwrap().entry("T").unwrap().0.line, 3);
    }

    #[test]
    fn refusals_name_the_line() {
        for (text, line, words) in [
            ("a: 1\na: 2\n", 2, "occurs twice"),
            ("a: &x 1\nb: *x\n", 2, "aliases"),
            ("a: !Foo x\n", 1, "unknown tag"),
            ("a: [1\n", 2, "not valid YAML"),
            ("a: 1\n---\nb: 2\n", 2, "more than one"),
            ("", 1, "empty"),
        ] {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, line, "{text:?}: {err:?}");
            assert!(err.message.contains(words), "{text:?}: {err:?}");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(parse(&deep).unwrap_err().message.contains("nested"));
    }
}
