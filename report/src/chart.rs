//! Horizontal bar charts as plain SVG: no script, no fonts to load, crisp
//! on paper and on a projector, and embeddable inline in HTML.
//!
//! Card texts are long, so each label gets its own line above its bar
//! rather than a cramped column beside it; the full text stays available
//! as the bar's tooltip.

use std::fmt::Write as _;

use rembuk_domain::{i18n::fill, ranking::BREADTH_TOP_N, report::Report};

use crate::escape::html as esc;

/// Drawing width in user units; the SVG scales to its container.
const WIDTH: u32 = 640;
const PAD: u32 = 12;
/// Room for the title line.
const TITLE_H: u32 = 30;
/// One bar: its label line, the bar, and the gap below.
const LABEL_H: u32 = 18;
const BAR_H: u32 = 16;
const GAP: u32 = 10;
const ROW_H: u32 = LABEL_H + BAR_H + GAP;
/// Room right of the longest bar for its value.
const VALUE_W: u32 = 48;
/// Labels longer than this are cut (with an ellipsis) to stay on one line.
const LABEL_CHARS: usize = 90;
const BAR_FILL: &str = "#2f6690";
const FONT: &str = "'Noto Sans', 'Segoe UI', Arial, sans-serif";

/// Horizontal SVG bar chart of labelled values (for the compiled view, the
/// print view and the projector).
///
/// Draws the first `max_bars` bars in the order given, scaled to the
/// largest of them. Labels and title are escaped, so card texts may be
/// passed as they are.
pub fn bar_chart_svg(title: &str, bars: &[(String, u32)], max_bars: usize) -> String {
    chart(title, bars, max_bars, "")
}

/// The top problems of one dimension, overall and per stakeholder group, as
/// SVG.
///
/// Overall, the bars are the dimension's most-voted problems; for a group,
/// the problems that group gave most dots to. Either way at most five are
/// shown — the same "top five" that counts towards a problem's breadth — and
/// problems without dots are left out. An unknown dimension or group gives
/// a chart that says there are no votes.
pub fn dimension_chart_svg(report: &Report, dimension_key: &str, group: Option<&str>) -> String {
    let t = report.language.t();
    let dim = report.dimensions.get(dimension_key);
    let name = dim.map_or(dimension_key, |d| d.name.as_str());
    let problems = dim.map(|d| d.problems.as_slice()).unwrap_or_default();
    let (title, mut bars): (String, Vec<(String, u32)>) = match group {
        None => (
            fill(t.export_chart_top_problems(), &[("dimension", name)]),
            problems.iter().map(|p| (p.text.clone(), p.dots)).collect(),
        ),
        Some(g) => (
            fill(
                t.export_chart_top_problems_group(),
                &[("group", report.group_name(g)), ("dimension", name)],
            ),
            problems
                .iter()
                .map(|p| (p.text.clone(), p.dots_by_group.get(g).copied().unwrap_or(0)))
                .collect(),
        ),
    };
    bars.retain(|(_, v)| *v > 0);
    // Stable: ties keep the overall rank order.
    bars.sort_by_key(|(_, v)| std::cmp::Reverse(*v));
    chart(&title, &bars, BREADTH_TOP_N, t.export_chart_no_data())
}

/// Draws the chart; `empty` is said when there is no bar to draw.
fn chart(title: &str, bars: &[(String, u32)], max_bars: usize, empty: &str) -> String {
    let bars = &bars[..bars.len().min(max_bars)];
    let rows = bars.len().max(1) as u32;
    let height = TITLE_H + rows * ROW_H + PAD;
    let title = esc(title);
    let mut svg = String::with_capacity(512 + bars.len() * 320);
    // Writing to a String cannot fail.
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-label="{title}" font-family="{FONT}" font-size="12">"#
    );
    let _ = write!(
        svg,
        r##"<title>{title}</title><text x="{PAD}" y="{}" font-size="15" font-weight="bold" fill="#111">{title}</text>"##,
        PAD + 8
    );
    if bars.is_empty() {
        let _ = write!(
            svg,
            r##"<text x="{PAD}" y="{}" fill="#555">{}</text>"##,
            TITLE_H + LABEL_H,
            esc(empty)
        );
    }
    let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(0);
    for (i, (label, value)) in bars.iter().enumerate() {
        bar(&mut svg, i as u32, label, *value, max);
    }
    svg.push_str("</svg>");
    svg
}

/// One labelled bar in row `i`, scaled against `max`.
fn bar(svg: &mut String, i: u32, label: &str, value: u32, max: u32) {
    let top = TITLE_H + i * ROW_H;
    let track = WIDTH - 2 * PAD - VALUE_W;
    let width = if max == 0 {
        0
    } else {
        (u64::from(track) * u64::from(value) / u64::from(max)) as u32
    };
    let bar_y = top + LABEL_H;
    let _ = write!(
        svg,
        r##"<g><title>{full}: {value}</title><text x="{PAD}" y="{label_y}" fill="#111">{short}</text><rect x="{PAD}" y="{bar_y}" width="{width}" height="{BAR_H}" rx="2" fill="{BAR_FILL}"/><text x="{value_x}" y="{value_y}" fill="#111" font-weight="bold">{value}</text></g>"##,
        full = esc(label),
        short = esc(&shorten(label)),
        label_y = top + 13,
        value_x = PAD + width + 6,
        value_y = bar_y + 12,
    );
}

/// The label cut to one line, on a character boundary.
fn shorten(label: &str) -> String {
    let label = label.split_whitespace().collect::<Vec<_>>().join(" ");
    if label.chars().count() <= LABEL_CHARS {
        label
    } else {
        let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_escape_labels() {
        let svg = bar_chart_svg(
            "Top <5>",
            &[
                ("Jalan & jembatan".into(), 10),
                ("<script>alert(1)</script>".into(), 5),
            ],
            5,
        );
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert!(svg.contains("Top &lt;5&gt;"));
        assert!(svg.contains("Jalan &amp; jembatan"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!svg.contains("<script"));
        let track = WIDTH - 2 * PAD - VALUE_W;
        assert!(svg.contains(&format!(r#"width="{track}" height="{BAR_H}""#)));
        assert!(svg.contains(&format!(r#"width="{}" height="{BAR_H}""#, track / 2)));
    }

    #[test]
    fn odd_input_draws_without_panicking() {
        let empty = bar_chart_svg("", &[], 5);
        assert!(empty.contains("<svg ") && !empty.contains("<rect"));
        let zeros = bar_chart_svg("Nol", &[("a".into(), 0), ("b".into(), 0)], 5);
        assert_eq!(zeros.matches(r#"width="0""#).count(), 2);
        let none = bar_chart_svg("x", &[("a".into(), 1)], 0);
        assert!(!none.contains("<rect"));
    }

    #[test]
    fn long_labels_are_cut_on_a_character_boundary() {
        let long = "é".repeat(200);
        let short = shorten(&long);
        assert_eq!(short.chars().count(), LABEL_CHARS);
        assert!(short.ends_with('…'));
        assert_eq!(shorten("  dua\n baris "), "dua baris");
    }
}
