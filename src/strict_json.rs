//! A strict pass over a JSON document before it is deserialised: a key that
//! occurs twice in one object is refused (serde_json, like most readers,
//! silently keeps the last one, so a second `"eu-west-1"` would replace the
//! first region and its failures), and so is a string (value or key) over a
//! length limit. The pass walks the text once without building the document:
//! it holds only the keys of the objects it is inside, borrowed from the text
//! where they have no escapes. Its errors are serde_json errors, so they
//! carry serde_json's line and column.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// What the pass saw of the top level: enough to tell an inventory from a
/// report, and to check an inventory's version before its shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopLevel {
    /// The keys of the top-level object (empty if the document is not one).
    pub keys: Vec<String>,
    /// `schema_version`, when present and a string.
    pub schema_version: Option<String>,
}

impl TopLevel {
    /// Whether the top-level object has `key`.
    pub fn has(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k == key)
    }

    /// Whether the document is a dynaudit JSON report (`tool` and
    /// `findings`), not an inventory.
    pub fn is_report(&self) -> bool {
        self.has("tool") && self.has("findings")
    }
}

/// Checks `text`: well-formed JSON, no key twice in an object and, with
/// `max_string_bytes`, no string longer than that. serde_json's nesting
/// limit (128) applies, so a deeply nested document is an error, not a
/// stack overflow.
pub fn check(text: &str, max_string_bytes: Option<usize>) -> Result<TopLevel, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let top = Top {
        limit: max_string_bytes,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(top)
}

/// Shortens a value quoted in a message, with its control characters
/// escaped (it may come from hostile input and end up on a terminal).
pub fn quoted(value: &str) -> String {
    const SHOWN: usize = 64;
    match value.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{:?}... ({} bytes)", &value[..end], value.len()),
        None => format!("{value:?}"),
    }
}

fn check_length<E: de::Error>(value: &str, limit: Option<usize>) -> Result<(), E> {
    match limit {
        Some(limit) if value.len() > limit => Err(E::custom(format!(
            "a string of {} bytes ({}) is longer than the {limit} bytes allowed for one string",
            value.len(),
            quoted(value)
        ))),
        _ => Ok(()),
    }
}

fn duplicate<E: de::Error>(key: &str) -> E {
    E::custom(format!(
        "duplicate key {}: an object may name a key only once (JSON readers disagree on which value counts)",
        quoted(key)
    ))
}

/// Any value, checked and dropped.
#[derive(Clone, Copy)]
struct Any {
    limit: Option<usize>,
}

impl<'de> DeserializeSeed<'de> for Any {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Any {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        check_length(value, self.limit)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key_seed(Key { limit: self.limit })? {
            if seen.contains(&key) {
                return Err(duplicate(&key));
            }
            seen.insert(key);
            map.next_value_seed(self)?;
        }
        Ok(())
    }
}

/// An object key: borrowed from the text unless it has escapes, so that
/// `"eu\u002dwest-1"` and `"eu-west-1"` are the same key.
struct Key {
    limit: Option<usize>,
}

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
        check_length(value, self.limit)?;
        Ok(Cow::Borrowed(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        check_length(value, self.limit)?;
        Ok(Cow::Owned(value.to_owned()))
    }
}

/// The top-level value: checked like any other, noting its keys and
/// `schema_version`.
struct Top {
    limit: Option<usize>,
}

impl<'de> DeserializeSeed<'de> for Top {
    type Value = TopLevel;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<TopLevel, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top {
    type Value = TopLevel;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON document")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<TopLevel, E> {
        Ok(TopLevel::default())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<TopLevel, E> {
        Ok(TopLevel::default())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<TopLevel, E> {
        Ok(TopLevel::default())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<TopLevel, E> {
        Ok(TopLevel::default())
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<TopLevel, E> {
        check_length(value, self.limit)?;
        Ok(TopLevel::default())
    }

    fn visit_unit<E: de::Error>(self) -> Result<TopLevel, E> {
        Ok(TopLevel::default())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<TopLevel, A::Error> {
        Any { limit: self.limit }.visit_seq(seq)?;
        Ok(TopLevel::default())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevel, A::Error> {
        let any = Any { limit: self.limit };
        let mut top = TopLevel::default();
        while let Some(key) = map.next_key_seed(Key { limit: self.limit })? {
            if top.has(&key) {
                return Err(duplicate(&key));
            }
            if key == "schema_version" {
                top.schema_version = map.next_value_seed(MaybeString(any))?;
            } else {
                map.next_value_seed(any)?;
            }
            top.keys.push(key.into_owned());
        }
        Ok(top)
    }
}

/// A value kept when it is a string (checked like any other otherwise).
struct MaybeString(Any);

impl<'de> DeserializeSeed<'de> for MaybeString {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MaybeString {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        check_length(value, self.0.limit)?;
        Ok(Some(value.to_owned()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(seq)?;
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(map)?;
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> (usize, usize, String) {
        let err = check(text, Some(16)).unwrap_err();
        (err.line(), err.column(), err.to_string())
    }

    #[test]
    fn accepts_distinct_keys_and_notes_the_top_level() {
        let top = check(
            r#"{"schema_version": "1.0", "a": {"x": 1, "y": [{"x": 2}, {"x": 3}]}, "b": null}"#,
            Some(16),
        )
        .unwrap();
        assert_eq!(top.keys, ["schema_version", "a", "b"]);
        assert_eq!(top.schema_version.as_deref(), Some("1.0"));
        let top = check(r#"{"schema_version": 1.0}"#, None).unwrap();
        assert!(top.has("schema_version"));
        assert_eq!(top.schema_version, None);
        assert_eq!(check("[1, 2]", None).unwrap(), TopLevel::default());
    }

    #[test]
    fn refuses_a_duplicate_key_at_any_depth_with_its_position() {
        let (line, _, message) = error("{\"a\": 1,\n \"a\": 2}");
        assert_eq!(line, 2);
        assert!(message.contains("duplicate key \"a\""), "{message}");
        let (line, _, message) = error("{\"r\": {\"t\": {\n\"k\": [{\"x\": 1,\n\n \"x\": 1}]}}}");
        assert_eq!(line, 4);
        assert!(message.contains("duplicate key \"x\""), "{message}");
    }

    #[test]
    fn an_escaped_key_is_the_same_key() {
        let (line, _, message) = error("{\"eu-west-1\": {},\n\"eu\\u002dwest-1\": {}}");
        assert_eq!(line, 2);
        assert!(message.contains("\"eu-west-1\""), "{message}");
    }

    #[test]
    fn equal_keys_in_different_objects_are_fine() {
        assert!(check(r#"[{"a": 1}, {"a": 1}, {"b": {"a": 1}, "a": 2}]"#, None).is_ok());
    }

    #[test]
    fn refuses_an_over_long_string_value_or_key() {
        let (_, _, message) = error(r#"{"a": "0123456789abcdefg"}"#);
        assert!(message.contains("17 bytes"), "{message}");
        let (_, _, message) = error(r#"{"0123456789abcdefg": 1}"#);
        assert!(message.contains("longer than the 16 bytes"), "{message}");
        let (_, _, message) = error(r#"{"schema_version": "0123456789abcdefg"}"#);
        assert!(message.contains("17 bytes"), "{message}");
        assert!(check(r#"{"a": "0123456789abcdef"}"#, Some(16)).is_ok());
        assert!(check(r#"{"a": "0123456789abcdefg"}"#, None).is_ok());
    }

    #[test]
    fn syntax_errors_and_trailing_text_are_errors() {
        assert!(check("{\"a\": 1,}", None).is_err());
        assert!(check("{\"a\": 1} x", None).is_err());
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(check(&deep, None).is_err());
    }

    #[test]
    fn quoted_values_are_escaped_and_shortened() {
        assert_eq!(quoted("a\u{1b}[2Jb"), "\"a\\u{1b}[2Jb\"");
        let long = "x".repeat(1000);
        let shown = quoted(&long);
        assert!(shown.len() < 100, "{shown}");
        assert!(shown.ends_with("(1000 bytes)"), "{shown}");
    }
}
