//! Charts of the HTML report, drawn here as SVG (no script, no library):
//! they print as they show. Every label passes through [`super::esc`].

use std::fmt::Write as _;

use super::esc;
use crate::metadata::Severity;

/// Failing outcomes.
pub const FAIL: &str = "#b71c1c";
/// Unknown outcomes.
pub const UNKNOWN: &str = "#6a1b9a";
/// Waived outcomes.
pub const WAIVED: &str = "#9e9e9e";
/// Passing outcomes.
pub const PASS: &str = "#2e7d32";
/// An empty bar.
const EMPTY: &str = "#eaeef2";

/// Label, count and colour of each part of a bar, in drawing order.
pub type Segments = Vec<(&'static str, usize, &'static str)>;

/// The colour of a severity.
pub fn severity_color(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "#7f0000",
        Severity::High => "#c62828",
        Severity::Medium => "#e65100",
        Severity::Low => "#01579b",
    }
}

/// The x positions of the segments' edges over `width`, so that the parts
/// fill the bar exactly.
fn edges(segments: &Segments, width: f64) -> Vec<(f64, f64)> {
    let total: usize = segments.iter().map(|s| s.1).sum();
    let mut out = Vec::with_capacity(segments.len());
    let mut seen = 0usize;
    for segment in segments {
        let x0 = width * seen as f64 / total.max(1) as f64;
        seen += segment.1;
        let x1 = width * seen as f64 / total.max(1) as f64;
        out.push((x0, x1));
    }
    out
}

/// The rectangles of one bar at (`x`, `y`).
fn bar_rects(out: &mut String, segments: &Segments, x: f64, y: f64, width: f64, height: f64) {
    let total: usize = segments.iter().map(|s| s.1).sum();
    let _ = write!(
        out,
        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{width:.1}\" height=\"{height:.1}\" fill=\"{EMPTY}\"/>"
    );
    if total == 0 {
        return;
    }
    for ((label, count, color), (x0, x1)) in segments.iter().zip(edges(segments, width)) {
        if *count == 0 {
            continue;
        }
        let _ = write!(
            out,
            "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{height:.1}\" fill=\"{color}\" data-segment=\"{label}\" data-count=\"{count}\"><title>{count} {label}</title></rect>",
            x + x0,
            x1 - x0
        );
    }
}

/// One horizontal bar of `width` x `height` pixels, its parts in
/// proportion; `title` is what a screen reader says.
pub fn stacked_bar(id: &str, title: &str, segments: &Segments, width: u32, height: u32) -> String {
    let mut out = String::new();
    let described: Vec<String> = segments
        .iter()
        .map(|(label, count, _)| format!("{count} {label}"))
        .collect();
    let _ = write!(
        out,
        "<svg{} class=\"chart\" role=\"img\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}: {}</title>",
        if id.is_empty() {
            String::new()
        } else {
            format!(" id=\"{}\"", esc(id))
        },
        esc(title),
        esc(&described.join(", "))
    );
    bar_rects(
        &mut out,
        segments,
        0.0,
        0.0,
        f64::from(width),
        f64::from(height),
    );
    out.push_str("</svg>");
    out
}

/// The colours and labels of `segments`, with their counts.
pub fn legend(segments: &Segments) -> String {
    legend_with(segments, true)
}

/// The colours and labels of `segments`.
pub fn legend_labels(segments: &Segments) -> String {
    legend_with(segments, false)
}

fn legend_with(segments: &Segments, counts: bool) -> String {
    let mut out = String::from("<div class=\"legend\">");
    for (label, count, color) in segments {
        let _ = write!(
            out,
            "<span><svg width=\"12\" height=\"12\" viewBox=\"0 0 12 12\" xmlns=\"http://www.w3.org/2000/svg\" aria-hidden=\"true\"><rect width=\"12\" height=\"12\" fill=\"{color}\"/></svg> {}{}</span>",
            if counts {
                format!("{count} ")
            } else {
                String::new()
            },
            esc(label)
        );
    }
    out.push_str("</div>\n");
    out
}

/// One row of a [`row_chart`].
pub struct ChartRow {
    /// Left of the bar (a control id).
    pub label: String,
    /// Shown on hover (the control's title and rules).
    pub tooltip: String,
    pub segments: Segments,
    /// Right of the bar (`4 of 8 failing`).
    pub note: String,
}

const LABEL_WIDTH: f64 = 90.0;
const BAR_WIDTH: f64 = 480.0;
const NOTE_WIDTH: f64 = 170.0;
const ROW_HEIGHT: f64 = 22.0;
const BAR_HEIGHT: f64 = 14.0;

/// A chart of one bar per row: label, bar, note.
pub fn row_chart(id: &str, title: &str, rows: &[ChartRow]) -> String {
    let width = LABEL_WIDTH + BAR_WIDTH + NOTE_WIDTH;
    let height = ROW_HEIGHT * rows.len() as f64 + 4.0;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg id=\"{}\" class=\"chart\" role=\"img\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"sans-serif\" font-size=\"12\"><title>{}</title>",
        esc(id),
        esc(title)
    );
    for (i, row) in rows.iter().enumerate() {
        let y = ROW_HEIGHT * i as f64 + 2.0;
        let _ = write!(
            out,
            "<g class=\"chart-row\"><title>{}: {}</title><text x=\"0\" y=\"{:.1}\" fill=\"#1f2328\">{}</text>",
            esc(&row.tooltip),
            esc(&row.note),
            y + BAR_HEIGHT - 2.0,
            esc(&row.label)
        );
        bar_rects(
            &mut out,
            &row.segments,
            LABEL_WIDTH,
            y,
            BAR_WIDTH,
            BAR_HEIGHT,
        );
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#57606a\">{}</text></g>",
            LABEL_WIDTH + BAR_WIDTH + 8.0,
            y + BAR_HEIGHT - 2.0,
            esc(&row.note)
        );
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_fill_the_bar_in_proportion() {
        let segments: Segments = vec![("failing", 4, FAIL), ("passing", 4, PASS)];
        let e = edges(&segments, 480.0);
        assert_eq!(e, [(0.0, 240.0), (240.0, 480.0)]);
        let svg = stacked_bar("x", "t", &segments, 480, 10);
        assert!(
            svg.contains("width=\"240.0\" height=\"10.0\" fill=\"#b71c1c\""),
            "{svg}"
        );
        // Nothing to draw: an empty bar, no division by zero.
        let none: Segments = vec![("failing", 0, FAIL)];
        assert_eq!(edges(&none, 10.0), [(0.0, 0.0)]);
        assert!(!stacked_bar("", "t", &none, 10, 10).contains("data-segment"));
    }

    #[test]
    fn labels_are_escaped() {
        let rows = [ChartRow {
            label: "<x>".into(),
            tooltip: "\"t\"".into(),
            segments: vec![("failing", 1, FAIL)],
            note: "&".into(),
        }];
        let svg = row_chart("c", "<title>", &rows);
        assert!(
            svg.contains("&lt;x&gt;") && svg.contains("&quot;t&quot;") && svg.contains("&amp;")
        );
        assert!(!svg.contains("<x>") && !svg.contains("<title><title>"));
    }
}
