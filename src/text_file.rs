//! Reading a text input (config, waivers, report) and naming where a parse
//! failed: one error type for every such file.

use std::path::Path;

/// A text file that could not be read or parsed.
#[derive(Debug, thiserror::Error)]
pub enum TextFileError {
    /// The file could not be read.
    #[error("cannot read {what} {path}: {source}")]
    Read {
        /// What the file is for (`config`, `waivers`, ...).
        what: &'static str,
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not the format, or not the shape, expected.
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

/// Reads `path`; returns its name as shown in messages and its text.
pub fn read(what: &'static str, path: &Path) -> Result<(String, String), TextFileError> {
    let shown = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => Ok((shown, text)),
        Err(source) => Err(TextFileError::Read {
            what,
            path: shown,
            source,
        }),
    }
}

impl TextFileError {
    /// A TOML error of `text` (the contents of `path`), at its position.
    pub fn toml(path: &str, text: &str, err: &toml::de::Error) -> Self {
        let (line, column) = err
            .span()
            .map_or((1, 1), |span| line_column(text, span.start));
        TextFileError::Syntax {
            path: path.to_owned(),
            line,
            column,
            message: err.message().trim_end().to_owned(),
        }
    }

    /// A JSON error of the contents of `path`, at its position.
    pub fn json(path: &str, err: &serde_json::Error) -> Self {
        TextFileError::Syntax {
            path: path.to_owned(),
            line: err.line(),
            column: err.column().max(1),
            message: strip_position(&err.to_string()),
        }
    }
}

/// serde's parsers (JSON, YAML) append " at line L column C"; dynaudit
/// prints the position first, in the file's own terms.
pub(crate) fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |i| before.len() - i - 1)
        + 1;
    (line, column)
}

/// `text` safe to print on a terminal: control characters other than line
/// breaks and tabs (an escape sequence from a hostile file could rewrite
/// the screen) are written as `\u{..}` escapes.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}
