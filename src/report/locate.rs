//! Where each resource's record starts in the inventory file, so SARIF
//! results can point at a real line.
//!
//! One pass over the tokens of `jsonc-parser`'s scanner (which gives byte
//! offsets and borrows strings without escapes) tracks the path of object
//! keys and notes the byte offset of each record's key; a second pass turns
//! those offsets into line numbers by counting newlines. No tree is built:
//! a 170 MB pretty-printed inventory with 100,000 tables is located in
//! about 0.5 s (optimised build) in little memory.

use std::borrow::Cow;
use std::collections::BTreeMap;

use jsonc_parser::tokens::Token;
use jsonc_parser::{Scanner, ScannerOptions};

/// Where infrastructure code declares a resource (or the property that
/// decides a finding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLine {
    /// The file, relative with `/` separators (SARIF `artifactLocation.uri`).
    pub uri: String,
    /// 1-based line.
    pub line: u32,
}

impl SourceLine {
    /// The key of a finding's location in `EvidenceFile::sources`: rule
    /// and resource (two rules about one resource can point at different
    /// properties).
    pub fn key(rule_id: &str, resource: &str) -> String {
        format!("{rule_id} {resource}")
    }
}

/// Per-region maps whose keys are resource ids.
const REGION_COLLECTIONS: [&str; 6] = [
    "tables",
    "kms_keys",
    "vpcs",
    "vpc_endpoints",
    "dax_clusters",
    "backup_plans",
];
/// IAM maps whose keys are ARNs.
const IAM_COLLECTIONS: [&str; 4] = ["users", "groups", "roles", "policies"];
/// Deepest key path that matters (`regions.<r>.config_rules.<name>.arn`).
const MAX_DEPTH: usize = 5;

/// Maps each resource id in an inventory to the 1-based line where its
/// record starts (the line of its key):
/// - keys of `regions.<r>.{tables, kms_keys, vpcs, vpc_endpoints,
///   dax_clusters, backup_plans}`, of `trails` and of
///   `iam.{users, groups, roles, policies}`;
/// - Config rules: the `arn` inside `regions.<r>.config_rules.<name>` and
///   `<account>/<region>/config-rule/<name>`, both at the line of `<name>`;
/// - `<account>/<region>` at the line of the region's key under `regions`,
///   and `<account>/global` at the line of `iam`.
///
/// Works on any valid JSON layout (minified: everything is on line 1). The
/// first occurrence of an id wins. Text that is not valid JSON yields the
/// ids found before the error (callers fall back to line 1).
pub fn resource_lines(inventory_json_text: &str) -> BTreeMap<String, u32> {
    let mut locator = Locator::default();
    let options = ScannerOptions::default();
    let mut scanner = Scanner::new(inventory_json_text, &options);
    let mut stack: Vec<Frame<'_>> = Vec::with_capacity(16);

    while let Ok(Some(token)) = scanner.scan() {
        match token {
            Token::OpenBrace => stack.push(Frame::Object {
                key: None,
                key_offset: 0,
                expect_key: true,
            }),
            Token::OpenBracket => stack.push(Frame::Array),
            Token::CloseBrace | Token::CloseBracket => {
                stack.pop();
            }
            Token::Comma => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = true;
                }
            }
            Token::String(text) => match stack.last_mut() {
                Some(Frame::Object {
                    key,
                    key_offset,
                    expect_key,
                }) if *expect_key => {
                    let offset = scanner.token_start();
                    *key = Some(text);
                    *key_offset = offset;
                    *expect_key = false;
                    locator.on_key(&stack, offset);
                }
                _ => locator.on_string_value(&stack, &text),
            },
            _ => {}
        }
    }
    locator.finish(inventory_json_text.as_bytes())
}

/// Newlines in `bytes`, counted in blocks small enough for a `u8`
/// accumulator, which the compiler vectorises.
fn count_newlines(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|block| usize::from(block.iter().fold(0u8, |n, b| n + u8::from(*b == b'\n'))))
        .sum()
}

enum Frame<'a> {
    Object {
        /// The current key (the last one read).
        key: Option<Cow<'a, str>>,
        /// The byte offset of that key.
        key_offset: usize,
        /// The next string is a key.
        expect_key: bool,
    },
    Array,
}

/// The keys leading to the current position, if it is at most
/// [`MAX_DEPTH`] objects deep and not inside an array.
fn path<'s>(stack: &'s [Frame<'_>]) -> Option<([&'s str; MAX_DEPTH], usize)> {
    if stack.len() > MAX_DEPTH {
        return None;
    }
    let mut keys = [""; MAX_DEPTH];
    for (slot, frame) in keys.iter_mut().zip(stack) {
        match frame {
            Frame::Object { key: Some(key), .. } => *slot = key,
            _ => return None,
        }
    }
    Some((keys, stack.len()))
}

#[derive(Default)]
struct Locator {
    /// Resource id -> byte offset of its record.
    offsets: BTreeMap<String, usize>,
    account: Option<String>,
    iam_offset: Option<usize>,
    regions: Vec<(String, usize)>,
    config_rules: Vec<(String, String, usize)>,
}

impl Locator {
    fn insert(&mut self, id: &str, offset: usize) {
        if !self.offsets.contains_key(id) {
            self.offsets.insert(id.to_owned(), offset);
        }
    }

    fn on_key(&mut self, stack: &[Frame<'_>], offset: usize) {
        let Some((keys, depth)) = path(stack) else {
            return;
        };
        match (depth, keys) {
            (1, ["iam", ..]) => {
                self.iam_offset.get_or_insert(offset);
            }
            (2, ["trails", arn, ..]) => self.insert(arn, offset),
            (2, ["regions", region, ..]) => self.regions.push((region.to_owned(), offset)),
            (3, ["iam", collection, arn, ..]) if IAM_COLLECTIONS.contains(&collection) => {
                self.insert(arn, offset)
            }
            (4, ["regions", _, collection, id, _]) if REGION_COLLECTIONS.contains(&collection) => {
                self.insert(id, offset)
            }
            (4, ["regions", region, "config_rules", name, _]) => {
                self.config_rules
                    .push((region.to_owned(), name.to_owned(), offset))
            }
            _ => {}
        }
    }

    fn on_string_value(&mut self, stack: &[Frame<'_>], value: &str) {
        let Some((keys, depth)) = path(stack) else {
            return;
        };
        match (depth, keys) {
            (1, ["account_id", ..]) => {
                self.account.get_or_insert_with(|| value.to_owned());
            }
            (5, ["regions", _, "config_rules", _, "arn"]) => {
                // The record starts at the rule's name, one object up.
                if let Some(Frame::Object { key_offset, .. }) = stack.get(3) {
                    self.insert(value, *key_offset);
                }
            }
            _ => {}
        }
    }

    fn finish(mut self, text: &[u8]) -> BTreeMap<String, u32> {
        if let Some(account) = self.account.take() {
            if let Some(offset) = self.iam_offset {
                self.insert(&format!("{account}/global"), offset);
            }
            for (region, offset) in std::mem::take(&mut self.regions) {
                self.insert(&format!("{account}/{region}"), offset);
            }
            for (region, name, offset) in std::mem::take(&mut self.config_rules) {
                self.insert(&format!("{account}/{region}/config-rule/{name}"), offset);
            }
        }
        // Offsets -> lines, counting newlines once from the start.
        let mut offsets: Vec<usize> = self.offsets.values().copied().collect();
        offsets.sort_unstable();
        offsets.dedup();
        let mut line_of: BTreeMap<usize, u32> = BTreeMap::new();
        let (mut counted, mut line) = (0usize, 1usize);
        for offset in offsets {
            let end = offset.min(text.len());
            if let Some(skipped) = text.get(counted..end) {
                line += count_newlines(skipped);
                counted = end;
            }
            line_of.insert(offset, u32::try_from(line).unwrap_or(u32::MAX));
        }
        self.offsets
            .into_iter()
            .map(|(id, offset)| {
                let line = line_of.get(&offset).copied().unwrap_or(1);
                (id, line)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
  "schema_version": "1.0",
  "tool_version": "0.1.0",
  "collected_at": "2025-01-02T03:04:05Z",
  "account_id": "123456789012",
  "partition": "aws",
  "errors": [
    {"service": "dynamodb", "region": "us-east-1", "operation": "DescribeTable",
     "resource": "arn:aws:dynamodb:us-east-1:123456789012:table/x", "kind": "access_denied",
     "code": "AccessDeniedException", "message": "no"}
  ],
  "iam": {
    "users": {
      "arn:aws:iam::123456789012:user/alice": {
        "arn": "arn:aws:iam::123456789012:user/alice", "name": "alice",
        "inline_policies": [{"name": "p", "document": {"Statement": [{"Resource": {"tables": {"x": 1}}}]}}],
        "attached_policy_arns": [], "group_names": [], "tags": {}
      }
    },
    "groups": {},
    "roles": {
      "arn:aws:iam::123456789012:role/admin": {"arn": "arn:aws:iam::123456789012:role/admin"}
    },
    "policies": {
      "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess": {"document": {"trails": {"fake": 1}}}
    }
  },
  "trails": {
    "arn:aws:cloudtrail:us-east-1:123456789012:trail/main": {"name": "main"}
  },
  "regions": {
    "eu-west-1": {
      "tables": null,
      "kms_keys": {},
      "config_rules": {
        "dynamodb-pitr-enabled": {
          "name": "dynamodb-pitr-enabled",
          "arn": "arn:aws:config:eu-west-1:123456789012:config-rule/config-rule-abc"
        },
        "no-arn": {"name": "no-arn", "arn": null}
      }
    },
    "us-east-1": {
      "tables": {
        "arn:aws:dynamodb:us-east-1:123456789012:table/orders": {
          "arn": "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
          "tags": {"tables": "x", "k\"q": "v"}
        },
        "arn:aws:dynamodb:us-east-1:123456789012:table/we\u0069rd": {}
      },
      "backups": {"arn:aws:dynamodb:us-east-1:123456789012:table/orders": []},
      "kms_keys": {"arn:aws:kms:us-east-1:123456789012:key/k1": {}},
      "vpcs": {"vpc-1": {}},
      "vpc_endpoints": {"vpce-1": {}},
      "dax_clusters": {"arn:aws:dax:us-east-1:123456789012:cache/c1": {}},
      "backup_plans": {"arn:aws:backup:us-east-1:123456789012:backup-plan:p1": {}}
    }
  }
}"#;

    fn line_of(text: &str, needle: &str) -> u32 {
        let idx = text.find(needle).unwrap();
        u32::try_from(text[..idx].matches('\n').count()).unwrap() + 1
    }

    #[test]
    fn locates_every_kind_of_resource() {
        let lines = resource_lines(SAMPLE);
        let expect = |id: &str, needle: &str| {
            assert_eq!(
                lines.get(id).copied(),
                Some(line_of(SAMPLE, needle)),
                "{id}"
            );
        };
        expect(
            "arn:aws:iam::123456789012:user/alice",
            "\"arn:aws:iam::123456789012:user/alice\": {",
        );
        expect(
            "arn:aws:iam::123456789012:role/admin",
            "\"arn:aws:iam::123456789012:role/admin\": {",
        );
        expect(
            "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess",
            "\"arn:aws:iam::aws:policy/Amazon",
        );
        expect(
            "arn:aws:cloudtrail:us-east-1:123456789012:trail/main",
            "\"arn:aws:cloudtrail",
        );
        expect(
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
            "\"arn:aws:dynamodb:us-east-1:123456789012:table/orders\": {",
        );
        expect(
            "arn:aws:dynamodb:us-east-1:123456789012:table/weird",
            "table/we\\u0069rd",
        );
        expect("arn:aws:kms:us-east-1:123456789012:key/k1", "\"arn:aws:kms");
        expect("vpc-1", "\"vpc-1\"");
        expect("vpce-1", "\"vpce-1\"");
        expect(
            "arn:aws:dax:us-east-1:123456789012:cache/c1",
            "\"arn:aws:dax",
        );
        expect(
            "arn:aws:backup:us-east-1:123456789012:backup-plan:p1",
            "\"arn:aws:backup",
        );
        expect(
            "arn:aws:config:eu-west-1:123456789012:config-rule/config-rule-abc",
            "\"dynamodb-pitr-enabled\": {",
        );
        expect(
            "123456789012/eu-west-1/config-rule/dynamodb-pitr-enabled",
            "\"dynamodb-pitr-enabled\": {",
        );
        expect("123456789012/eu-west-1/config-rule/no-arn", "\"no-arn\"");
        expect("123456789012/eu-west-1", "\"eu-west-1\": {");
        expect("123456789012/us-east-1", "\"us-east-1\": {");
        expect("123456789012/global", "\"iam\": {");
        // Nothing from errors, backups, tags, policy documents or table fields.
        assert!(!lines.contains_key("arn:aws:dynamodb:us-east-1:123456789012:table/x"));
        assert!(!lines.contains_key("fake"));
        assert!(!lines.contains_key("x"));
        assert!(!lines.contains_key("alice"));
        assert_eq!(lines.len(), 17, "{lines:#?}");
    }

    #[test]
    fn minified_is_all_line_one() {
        let value: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
        let minified = serde_json::to_string(&value).unwrap();
        let lines = resource_lines(&minified);
        assert_eq!(lines.len(), 17);
        assert!(lines.values().all(|l| *l == 1));
    }

    #[test]
    fn agrees_with_serde_pretty_printing() {
        let value: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let lines = resource_lines(&pretty);
        assert_eq!(lines.len(), 17);
        assert_eq!(lines["vpc-1"], line_of(&pretty, "\"vpc-1\""));
        assert_eq!(lines["123456789012/global"], line_of(&pretty, "\"iam\""));
    }

    #[test]
    fn account_after_regions_and_crlf() {
        let text = "{\r\n\"regions\": {\r\n  \"us-east-1\": {\"vpcs\": {\"vpc-9\": {}}}},\r\n\"account_id\": \"1\"}";
        let lines = resource_lines(text);
        assert_eq!(lines["vpc-9"], 3);
        assert_eq!(lines["1/us-east-1"], 3);
    }

    #[test]
    fn invalid_json_keeps_what_was_found() {
        let lines = resource_lines("{\"trails\": {\"arn:t\": {}, \"arn:u\": @@@");
        assert_eq!(lines.get("arn:t"), Some(&1));
        assert!(resource_lines("").is_empty());
        assert!(resource_lines("[1, 2]").is_empty());
    }
}
