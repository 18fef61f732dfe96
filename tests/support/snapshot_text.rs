//! Report text for snapshots (`tests/reports.rs`, `tests/triage.rs`).

/// The version replaced by `[VERSION]`.
pub fn normalise(text: &str) -> String {
    text.replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

/// An HTML page for a snapshot: the style sheet, the script and the policy
/// (their hashes) replaced by markers; the snapshot is of what it says.
pub fn redact_page(text: &str) -> String {
    let mut out = normalise(text);
    for (open, close, marker) in [
        ("<style>", "</style>", "[STYLE]"),
        ("<script>", "</script>", "[SCRIPT]"),
        ("Content-Security-Policy\" content=\"", "\">", "[POLICY]"),
    ] {
        if let Some(a) = out.find(open).map(|a| a + open.len())
            && let Some(b) = out[a..].find(close)
        {
            out.replace_range(a..a + b, marker);
        }
    }
    out
}
