//! Evidence made inert for a human reader: every string that came from the
//! evidence (resource names, tags, account ids, messages quoting them) or
//! from a user's file passes through [`inert`] before it reaches a terminal
//! (the table formats, the summary and error lines on standard error) or a
//! Markdown report.
//!
//! Control characters (C0, DEL and C1: ESC, the 8-bit CSI 0x9b, BEL, CR,
//! backspace, ...) would move the cursor, clear the screen, set the window
//! title or make a link; bidirectional controls reorder what is shown
//! (`U+202E` turns `txt.exe` into `exe.txt`); line and paragraph separators
//! and zero-width characters hide or split text. Each becomes a visible
//! escape (`\x1b`, `\u{202e}`), so the reader sees that the evidence holds
//! it. Nothing else changes: a backslash stays a backslash.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a reader as itself.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_invisible_format(c)
}

/// Bidirectional controls, line and paragraph separators, and the
/// zero-width characters that hide text. The zero-width (non-)joiners
/// U+200C and U+200D are left alone: scripts and emoji sequences need them,
/// and they move nothing.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{061c}'              // Arabic letter mark
            | '\u{200b}'               // zero-width space
            | '\u{200e}' | '\u{200f}'  // left-to-right and right-to-left marks
            | '\u{2028}'..='\u{202e}' // line and paragraph separators, LRE..RLO
            | '\u{2060}'        // word joiner
            | '\u{2066}'..='\u{2069}' // LRI..PDI
            | '\u{feff}' // zero-width no-break space (BOM)
    )
}

/// The visible escape of one character: `\x1b` below U+0080, `\u{202e}`
/// above.
fn push_escape(out: &mut String, c: char) {
    let code = u32::from(c);
    // Writing to a String cannot fail.
    let _ = if code < 0x80 {
        write!(out, "\\x{code:02x}")
    } else {
        write!(out, "\\u{{{code:x}}}")
    };
}

/// `text` with every control, bidirectional or invisible formatting
/// character as a visible escape; borrowed when there is none.
pub fn inert(text: &str) -> Cow<'_, str> {
    escape_where(text, is_unsafe)
}

/// Like [`inert`], but line feeds and tabs are kept: for multi-line text
/// such as an error message with its source excerpt or a rule's page. A
/// carriage return is still escaped (it would overwrite the line).
pub fn inert_lines(text: &str) -> Cow<'_, str> {
    escape_where(text, |c| c != '\n' && c != '\t' && is_unsafe(c))
}

fn escape_where(text: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(inert("table/orders é ✅ a\\b"), Cow::Borrowed(_)));
        assert!(matches!(inert_lines("a\n\tb"), Cow::Borrowed(_)));
    }

    #[test]
    fn terminal_controls_become_visible() {
        assert_eq!(
            inert("table/orders\x1b[2J\x1b[H\x1b[32mALL CHECKS PASSED"),
            "table/orders\\x1b[2J\\x1b[H\\x1b[32mALL CHECKS PASSED"
        );
        // OSC 8 link and window title, ended by BEL or ST.
        assert_eq!(
            inert("\x1b]8;;https://evil\x07x\x1b]8;;\x1b\\"),
            "\\x1b]8;;https://evil\\x07x\\x1b]8;;\\x1b\\"
        );
        assert_eq!(
            inert("a\rb\x08c\0d\x7fe\tf\ng"),
            "a\\x0db\\x08c\\x00d\\x7fe\\x09f\\x0ag"
        );
        // The 8-bit CSI and NEL (C1).
        assert_eq!(inert("x\u{9b}2Jy\u{85}"), "x\\u{9b}2Jy\\u{85}");
    }

    #[test]
    fn bidi_and_invisible_characters_become_visible() {
        assert_eq!(inert("abc\u{202e}txt.exe"), "abc\\u{202e}txt.exe");
        for c in [
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200e}', '\u{200f}', '\u{061c}', '\u{2028}', '\u{2029}',
            '\u{200b}', '\u{feff}',
        ] {
            let text = format!("a{c}b");
            let escaped = inert(&text);
            assert!(!escaped.contains(c), "{c:?}");
            assert_eq!(escaped, format!("a\\u{{{:x}}}b", u32::from(c)));
        }
    }

    #[test]
    fn lines_keep_line_feeds_and_tabs_only() {
        assert_eq!(
            inert_lines("line 1\n\tline 2\r\x1b[2K"),
            "line 1\n\tline 2\\x0d\\x1b[2K"
        );
    }
}
