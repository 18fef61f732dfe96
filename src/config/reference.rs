//! The parameter reference, generated from the configuration types: the
//! table in the README and in `policies/README.md` (between
//! [`BEGIN_MARKER`] and [`END_MARKER`]) and the `[parameters]` table of
//! `examples/dynaudit.toml` (between [`TOML_BEGIN_MARKER`] and
//! [`TOML_END_MARKER`]), checked by a test so they cannot drift from the
//! defaults and doc comments in [`Parameters`].

use crate::config::Parameters;

/// The start of the line after which the generated table starts.
pub const BEGIN_MARKER: &str = "<!-- parameters:begin";
/// The line before which the generated table ends.
pub const END_MARKER: &str = "<!-- parameters:end -->";

/// The start of the line after which the generated TOML starts.
pub const TOML_BEGIN_MARKER: &str = "# parameters:begin";
/// The line before which the generated TOML ends.
pub const TOML_END_MARKER: &str = "# parameters:end";

/// Every parameter: its name, its doc comment and its default.
fn parameters() -> Vec<(String, String, serde_json::Value)> {
    let schema = schemars::schema_for!(Parameters);
    let defaults = serde_json::to_value(Parameters::default()).unwrap_or_default();
    let Some(properties) = schema
        .as_object()
        .and_then(|o| o.get("properties"))
        .and_then(|p| p.as_object())
    else {
        return Vec::new();
    };
    properties
        .iter()
        .map(|(name, property)| {
            let description = property
                .get("description")
                .and_then(|d| d.as_str())
                .unwrap_or_default()
                .replace('\n', " ");
            let default = defaults.get(name).cloned().unwrap_or_default();
            (name.clone(), description, default)
        })
        .collect()
}

/// The `[parameters]` table with every key at its default, each under its
/// doc comment, for `examples/dynaudit.toml`.
pub fn example_parameters() -> String {
    let mut out = String::from("[parameters]\n");
    for (name, description, default) in parameters() {
        for line in wrap(&description, 76) {
            out.push_str("# ");
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str(&format!("{name} = {}\n", toml_value(&default)));
    }
    out
}

/// Words of `text` in lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The Markdown table of every rule parameter: name, default, the rules
/// that read it, and what it means (the field's doc comment).
pub fn parameter_table() -> String {
    let mut out = String::from(
        "They are the keys of the `[parameters]` table of the configuration file:\n\n\
         ```toml\n\
         [parameters]\n\
         min_pitr_recovery_days = 30\n\
         required_tags = { Environment = [\"prod\", \"staging\"], Owner = [] }\n\
         ```\n\n\
         | parameter | default | rules | meaning |\n|---|---|---|---|\n",
    );
    for (name, description, default) in parameters() {
        let (rules, meaning) = split_rules(&description);
        out.push_str(&format!(
            "| `{name}` | `{}` | {rules} | {} |\n",
            toml_value(&default),
            meaning.replace('|', "\\|")
        ));
    }
    out
}

/// `"DYN101, DYN102: text"` -> (`"DYN101, DYN102"`, `"text"`).
fn split_rules(description: &str) -> (String, String) {
    match description.split_once(": ") {
        Some((head, rest))
            if !head.is_empty()
                && head
                    .split(", ")
                    .all(|id| id.starts_with("DYN") && id.len() == 6) =>
        {
            (head.to_string(), rest.to_string())
        }
        _ => (String::new(), description.to_string()),
    }
}

/// A default as TOML writes it inline (`[]`, `"text"`, `{ a = [] }`).
fn toml_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => format!("{s:?}"),
        serde_json::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(toml_value).collect();
            format!("[{}]", items.join(", "))
        }
        serde_json::Value::Object(map) if map.is_empty() => "{}".to_string(),
        serde_json::Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{} = {}", toml_key(k), toml_value(v)))
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
    }
}

/// A TOML key: bare when it can be, quoted otherwise.
fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

/// `text` with the lines between the line that starts with [`BEGIN_MARKER`]
/// and the [`END_MARKER`] line replaced by `generated`; `None` when the
/// markers are missing.
pub fn replace_generated(text: &str, generated: &str) -> Option<String> {
    replace_between(text, BEGIN_MARKER, END_MARKER, generated)
}

/// The same for `examples/dynaudit.toml`'s markers.
pub fn replace_generated_toml(text: &str, generated: &str) -> Option<String> {
    replace_between(text, TOML_BEGIN_MARKER, TOML_END_MARKER, generated)
}

fn replace_between(text: &str, begin: &str, end: &str, generated: &str) -> Option<String> {
    let start = text.find(begin)?;
    let start = start + text[start..].find('\n')? + 1;
    let stop = text[start..].find(end)? + start;
    Some(format!("{}{generated}{}", &text[..start], &text[stop..]))
}

/// Parameters whose doc comment does not start with the rules that read
/// them (`DYN101: ...`).
pub fn undocumented_parameters() -> Vec<String> {
    parameters()
        .into_iter()
        .filter(|(_, description, _)| split_rules(description).0.is_empty())
        .map(|(name, ..)| name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_names_its_rules() {
        assert_eq!(undocumented_parameters(), Vec::<String>::new());
    }

    #[test]
    fn table_lists_defaults_as_toml() {
        let table = parameter_table();
        assert!(
            table.contains("| `min_pitr_recovery_days` | `35` | DYN201 |"),
            "{table}"
        );
        assert!(
            table.contains("`{ Application = [], Environment = [] }`"),
            "{table}"
        );
    }

    #[test]
    fn the_table_says_where_the_keys_go() {
        let table = parameter_table();
        let example = table
            .split("```toml\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .unwrap();
        assert!(example.starts_with("[parameters]\n"), "{example}");
        // The example is a valid configuration.
        let config = crate::config::Config::parse("example", example).unwrap();
        assert_eq!(config.parameters.min_pitr_recovery_days, 30);
    }

    #[test]
    fn example_parameters_parse_to_the_defaults() {
        let text = example_parameters();
        let config: crate::config::Config = toml::from_str(&text).unwrap();
        assert_eq!(config.parameters, Parameters::default());
        assert!(text.contains("\nmin_pitr_recovery_days = 35\n"), "{text}");
        assert_eq!(toml_key("a.b"), "\"a.b\"");
    }

    #[test]
    fn replaces_between_markers() {
        let text = format!("a\n{BEGIN_MARKER} x -->\nold\n{END_MARKER}\nb\n");
        assert_eq!(
            replace_generated(&text, "new\n").unwrap(),
            format!("a\n{BEGIN_MARKER} x -->\nnew\n{END_MARKER}\nb\n")
        );
        assert_eq!(replace_generated("no markers", "x"), None);
    }
}
