//! Reading a text input (config, waivers, report) and naming where a parse
//! failed: one error type for every such file.

use std::io::Read;
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
        /// Why.
        source: ReadError,
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

/// Why an input file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The operating system's error.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A FIFO, device, directory or socket: reading it could block forever
    /// or never end.
    #[error("it is {0}, not a regular file")]
    NotRegular(&'static str),
    /// Over the size limit.
    #[error("it is larger than {} ({} bytes)", .0.name, .0.bytes)]
    TooLarge(SizeLimit),
    /// Not UTF-8.
    #[error("it is not UTF-8 text (an invalid byte at line {line}, column {column})")]
    NotUtf8 {
        /// 1-based line of the first invalid byte.
        line: usize,
        /// 1-based column.
        column: usize,
    },
}

/// The most bytes an input may have, and what sets that limit (named when
/// a file is over it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeLimit {
    /// The limit in bytes.
    pub bytes: u64,
    /// What sets it, e.g. `--max-input-bytes`.
    pub name: &'static str,
}

/// Reads `path` as text, at most `limit` bytes; returns its name as shown
/// in messages and its text.
pub fn read(
    what: &'static str,
    path: &Path,
    limit: SizeLimit,
) -> Result<(String, String), TextFileError> {
    let shown = path.display().to_string();
    match read_text(path, limit) {
        Ok(text) => Ok((shown, text)),
        Err(source) => Err(TextFileError::Read {
            what,
            path: shown,
            source,
        }),
    }
}

/// Reads a regular file as UTF-8 text of at most `limit` bytes.
///
/// The file's kind is checked before it is opened (opening a FIFO for
/// reading blocks until a writer comes, and `/dev/zero` never ends), and
/// again on the open file; the read itself stops one byte past the limit,
/// so a file that grows, or is swapped, after the check still cannot make
/// dynaudit read more.
pub fn read_text(path: &Path, limit: SizeLimit) -> Result<String, ReadError> {
    let metadata = std::fs::metadata(path)?;
    check_kind(&metadata)?;
    if metadata.len() > limit.bytes {
        return Err(ReadError::TooLarge(limit));
    }
    let file = std::fs::File::open(path)?;
    let metadata = file.metadata()?;
    check_kind(&metadata)?;
    let expected = metadata.len().min(limit.bytes).saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    file.take(limit.bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit.bytes {
        return Err(ReadError::TooLarge(limit));
    }
    String::from_utf8(bytes).map_err(|err| {
        let valid = err.utf8_error().valid_up_to();
        let before = std::str::from_utf8(&err.as_bytes()[..valid]).unwrap_or_default();
        let (line, column) = line_column(before, before.len());
        ReadError::NotUtf8 { line, column }
    })
}

/// Refuses what is not a regular file (symbolic links are followed).
fn check_kind(metadata: &std::fs::Metadata) -> Result<(), ReadError> {
    let kind = metadata.file_type();
    if kind.is_file() {
        return Ok(());
    }
    if kind.is_dir() {
        return Err(ReadError::NotRegular("a directory"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Err(ReadError::NotRegular("a named pipe (FIFO)"));
        }
        if kind.is_char_device() {
            return Err(ReadError::NotRegular("a character device"));
        }
        if kind.is_block_device() {
            return Err(ReadError::NotRegular("a block device"));
        }
        if kind.is_socket() {
            return Err(ReadError::NotRegular("a socket"));
        }
    }
    Err(ReadError::NotRegular("a special file"))
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

/// 1-based line and column of the value of `key` (a path of table keys,
/// e.g. `scan`, `rate_limits`, `default_per_second`) in the TOML `text`, if
/// it is there: where a value that parsed but is out of range was written.
pub fn toml_key_position(text: &str, key: &[&str]) -> Option<(usize, usize)> {
    let parsed = toml::de::DeTable::parse(text).ok()?;
    let mut table = parsed.get_ref();
    let mut start = None;
    for (i, part) in key.iter().enumerate() {
        let value = table.get(*part)?;
        start = Some(value.span().start);
        if i + 1 < key.len() {
            match value.get_ref() {
                toml::de::DeValue::Table(inner) => table = inner,
                _ => return None,
            }
        }
    }
    start.map(|offset| line_column(text, offset))
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
            // As `report::escape` writes them: `\x1b`, `\u{9b}`.
            if (c as u32) < 0x80 {
                out.push_str(&format!("\\x{:02x}", c as u32));
            } else {
                out.push_str(&c.escape_unicode().to_string());
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: SizeLimit = SizeLimit {
        bytes: 8,
        name: "the test limit",
    };

    #[test]
    fn reads_a_regular_file_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.toml");
        std::fs::write(&path, "12345678").unwrap();
        assert_eq!(read_text(&path, LIMIT).unwrap(), "12345678");
        std::fs::write(&path, "123456789").unwrap();
        let err = read_text(&path, LIMIT).unwrap_err().to_string();
        assert_eq!(err, "it is larger than the test limit (8 bytes)");
    }

    #[test]
    fn refuses_directories_devices_and_fifos_without_reading_them() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_text(dir.path(), LIMIT).unwrap_err().to_string();
        assert_eq!(err, "it is a directory, not a regular file");
        let err = read_text(Path::new("/dev/zero"), LIMIT)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "it is a character device, not a regular file");
        // A FIFO with no writer: opening it would block forever.
        let fifo = dir.path().join("pipe.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let err = read_text(&fifo, LIMIT).unwrap_err().to_string();
            assert_eq!(err, "it is a named pipe (FIFO), not a regular file");
        }
    }

    #[test]
    fn names_the_position_of_the_first_byte_that_is_not_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.toml");
        std::fs::write(&path, b"a = 1\nb = \"x\xff\"\n").unwrap();
        let limit = SizeLimit {
            bytes: 100,
            ..LIMIT
        };
        let err = read_text(&path, limit).unwrap_err().to_string();
        assert_eq!(
            err,
            "it is not UTF-8 text (an invalid byte at line 2, column 7)"
        );
    }

    #[test]
    fn finds_the_line_of_a_toml_key() {
        let text = "[scan]\nmax_attempts = 3\n\n[scan.rate_limits.operations]\n\"sts:GetCallerIdentity\" = { per_second = 1e-19 }\n";
        let at = |key: &[&str]| toml_key_position(text, key);
        assert_eq!(at(&["scan", "max_attempts"]), Some((2, 16)));
        assert_eq!(
            at(&[
                "scan",
                "rate_limits",
                "operations",
                "sts:GetCallerIdentity",
                "per_second"
            ]),
            Some((5, 42))
        );
        assert_eq!(at(&["scan", "concurrency"]), None);
        assert_eq!(at(&["scan", "max_attempts", "x"]), None);
        assert_eq!(toml_key_position("not = [toml", &["not"]), None);
    }

    #[test]
    fn a_missing_file_is_the_io_error_once() {
        let err = read("config", Path::new("no/such.toml"), LIMIT).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("cannot read config no/such.toml: "),
            "{text}"
        );
        assert_eq!(text.matches("No such file").count(), 1, "{text}");
    }
}
