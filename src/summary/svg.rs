//! Hand-written SVG charts for the HTML pages (the summary's and `diff`'s): horizontal bars with labels, a
//! histogram of one or more series over the same bins, a stacked bar with its legend. Plain SVG 1.1 text, every
//! coordinate rounded to a tenth, so the same figures give the same bytes; labels are measured in terminal
//! columns (a CJK character takes two) so that long Chinese labels get the room they need and never overlap.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use super::words::group;

/// Pixels per terminal column of a label at the charts' 12px font (a CJK character is two columns, 12px).
const PX_PER_COL: f64 = 6.6;
/// The width of every chart.
pub const WIDTH: f64 = 760.0;
/// Bar colour of a single series.
pub const BLUE: &str = "#3b6ea5";
/// Second series (e.g. "after").
pub const ORANGE: &str = "#d9822b";

/// Text made safe inside SVG or HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn f(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

fn open(out: &mut String, class: &str, title: &str, width: f64, height: f64) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart {class}\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{t}\" font-family=\"sans-serif\" font-size=\"12\">\
         <title>{t}</title>",
        w = f(width),
        h = f(height),
        t = esc(title)
    );
}

/// Horizontal bars, one per row: its label on the left (as wide as the longest needs), the bar, its count.
pub fn hbars(class: &str, title: &str, rows: &[(String, u64)]) -> String {
    let label_w = rows
        .iter()
        .map(|(l, _)| l.width())
        .max()
        .unwrap_or(0)
        .min(60) as f64
        * PX_PER_COL
        + 12.0;
    let value_w = 70.0;
    // Bars get 360px whatever the labels take, so that the chart fits beside its table.
    let bar_room = 360.0;
    let width = label_w + bar_room + value_w;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    let row_h = 22.0;
    let height = rows.len() as f64 * row_h + 10.0;
    let mut out = String::new();
    open(&mut out, class, title, width, height);
    for (i, (label, n)) in rows.iter().enumerate() {
        let y = 5.0 + i as f64 * row_h;
        let len = (*n as f64 / max * bar_room).max(if *n > 0 { 1.0 } else { 0.0 });
        let shown = truncate(label, 60);
        let _ = write!(
            out,
            "<g class=\"bar\"><text class=\"label\" x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{l}</text>\
             <rect x=\"{bx}\" y=\"{y}\" width=\"{bw}\" height=\"16\" fill=\"{BLUE}\"><title>{full}: {v}</title></rect>\
             <text class=\"value\" x=\"{vx}\" y=\"{ty}\">{v}</text></g>",
            lx = f(label_w - 6.0),
            ty = f(y + 12.5),
            l = esc(&shown),
            bx = f(label_w),
            y = f(y),
            bw = f(len),
            full = esc(label),
            v = group((*n).into()),
            vx = f(label_w + len + 5.0),
        );
    }
    out.push_str("</svg>");
    out
}

/// A label cut to `cols` terminal columns, with an ellipsis.
fn truncate(s: &str, cols: usize) -> String {
    if s.width() <= cols {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > cols.saturating_sub(1) {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Bins over whole-yuan values: `edges[i]..edges[i + 1]` (the last bin includes its top edge).
#[derive(Debug, Clone, PartialEq)]
pub struct Bins {
    /// The bin width.
    pub width: i64,
    /// The first bin's lower edge.
    pub start: i64,
    /// How many bins.
    pub count: usize,
}

impl Bins {
    /// About `target` bins of a round width (1, 2, 2.5 or 5 × a power of ten) covering `lo..=hi`.
    pub fn cover(lo: i64, hi: i64, target: i64) -> Bins {
        let span = (hi.saturating_sub(lo)).max(1);
        let raw = (span + target - 1) / target.max(1);
        let mut unit = 1i64;
        let width = loop {
            if let Some(w) = [1, 2, 5, 10].iter().map(|m| m * unit).find(|w| *w >= raw) {
                break w;
            }
            unit = unit.saturating_mul(10);
        };
        let start = lo.div_euclid(width) * width;
        let count = usize::try_from((hi - start) / width + 1)
            .unwrap_or(1)
            .max(1);
        Bins {
            width,
            start,
            count,
        }
    }
    /// The bin of a value.
    pub fn of(&self, v: i64) -> usize {
        let i = usize::try_from((v - self.start).div_euclid(self.width)).unwrap_or(0);
        i.min(self.count - 1)
    }
    /// Counts `(value, how many)` pairs into the bins.
    pub fn count_in(&self, values: impl Iterator<Item = (i64, u64)>) -> Vec<u64> {
        let mut counts = vec![0u64; self.count];
        for (v, c) in values {
            if let Some(slot) = counts.get_mut(self.of(v)) {
                *slot += c;
            }
        }
        counts
    }
    /// A bin's lower edge.
    pub fn edge(&self, i: usize) -> i64 {
        self.start + self.width * i as i64
    }
}

/// The whole-yuan values a bin holds: `lo – hi` (both included), or the one value of a bin one yuan wide.
fn bin_span(bins: &Bins, i: usize, money: &dyn Fn(i64) -> String) -> String {
    let (lo, hi) = (bins.edge(i), bins.edge(i + 1) - 1);
    if hi <= lo {
        money(lo)
    } else {
        format!("{} – {}", money(lo), money(hi))
    }
}

/// A histogram of one or more series (name, colour, count per bin) over the same bins; bars of a bin side by
/// side; the axis labelled at round edges with `money`; a legend when there are several series.
pub fn histogram(
    class: &str,
    title: &str,
    bins: &Bins,
    series: &[(&str, &str, Vec<u64>)],
    money: &dyn Fn(i64) -> String,
) -> String {
    let left = 56.0;
    let right = 40.0;
    let top = if series.len() > 1 { 28.0 } else { 12.0 };
    let plot_h = 200.0;
    let axis_h = 40.0;
    let height = top + plot_h + axis_h;
    let plot_w = WIDTH - left - right;
    let max = series
        .iter()
        .flat_map(|s| s.2.iter())
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let mut out = String::new();
    open(&mut out, class, title, WIDTH, height);
    // Legend.
    if series.len() > 1 {
        let mut x = left;
        for (name, colour, _) in series {
            let _ = write!(
                out,
                "<g class=\"legend\"><rect x=\"{x}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{colour}\"/>\
                 <text x=\"{tx}\" y=\"16\">{n}</text></g>",
                x = f(x),
                tx = f(x + 16.0),
                n = esc(name)
            );
            x += 16.0 + name.width() as f64 * PX_PER_COL + 24.0;
        }
    }
    // Grid: about five lines with their counts.
    let step = nice_step(max, 5);
    let mut g = 0;
    while g <= max {
        let y = top + plot_h - g as f64 / max as f64 * plot_h;
        let _ = write!(
            out,
            "<line x1=\"{l}\" x2=\"{r}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#ddd\"/>\
             <text x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\" fill=\"#555\">{v}</text>",
            l = f(left),
            r = f(WIDTH - right),
            y = f(y),
            tx = f(left - 4.0),
            ty = f(y + 4.0),
            v = group(g.into())
        );
        g += step;
    }
    let bin_w = plot_w / bins.count as f64;
    let bar_w = (bin_w - 2.0).max(1.0) / series.len().max(1) as f64;
    for i in 0..bins.count {
        for (k, (name, colour, counts)) in series.iter().enumerate() {
            let n = counts.get(i).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let h = (n as f64 / max as f64 * plot_h).max(1.0);
            let _ = write!(
                out,
                "<rect class=\"bin\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"{colour}\">\
                 <title>{n}{span}: {c}</title></rect>",
                x = f(left + i as f64 * bin_w + 1.0 + k as f64 * bar_w),
                y = f(top + plot_h - h),
                w = f(bar_w),
                h = f(h),
                n = if series.len() > 1 { format!("{}: ", esc(name)) } else { String::new() },
                span = esc(&bin_span(bins, i, money)),
                c = group(n.into())
            );
        }
    }
    // Axis: a label at every k-th edge, so that labels (about 70px each) never touch.
    let every = ((80.0 / bin_w).ceil() as usize).max(1);
    let _ = write!(
        out,
        "<line x1=\"{l}\" x2=\"{r}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#333\"/>",
        l = f(left),
        r = f(WIDTH - right),
        y = f(top + plot_h)
    );
    for i in (0..=bins.count).step_by(every) {
        let x = left + i as f64 * bin_w;
        let _ = write!(
            out,
            "<text class=\"tick\" x=\"{x}\" y=\"{y}\" text-anchor=\"middle\" fill=\"#333\">{v}</text>",
            x = f(x),
            y = f(top + plot_h + 16.0),
            v = esc(&money(bins.edge(i)))
        );
    }
    out.push_str("</svg>");
    out
}

/// A round step (1, 2 or 5 × a power of ten) giving about `parts` steps up to `max`.
fn nice_step(max: u64, parts: u64) -> u64 {
    let raw = max.div_ceil(parts.max(1)).max(1);
    let mut unit = 1u64;
    loop {
        if let Some(s) = [1, 2, 5, 10].iter().map(|m| m * unit).find(|s| *s >= raw) {
            return s;
        }
        unit = unit.saturating_mul(10);
    }
}

/// One bar divided among parts (label, count, colour), with a legend of each part's count and share.
pub fn stacked(class: &str, title: &str, parts: &[(String, u64, &str)]) -> String {
    let total: u64 = parts.iter().map(|p| p.1).sum();
    let height = 40.0 + parts.len() as f64 * 20.0 + 8.0;
    let mut out = String::new();
    open(&mut out, class, title, WIDTH, height);
    let mut x = 0.0;
    for (label, n, colour) in parts {
        if *n == 0 || total == 0 {
            continue;
        }
        let w = *n as f64 / total as f64 * WIDTH;
        let _ = write!(
            out,
            "<rect class=\"part\" x=\"{x}\" y=\"4\" width=\"{w}\" height=\"28\" fill=\"{colour}\">\
             <title>{l}: {v}</title></rect>",
            x = f(x),
            w = f(w),
            l = esc(label),
            v = group((*n).into())
        );
        x += w;
    }
    for (i, (label, n, colour)) in parts.iter().enumerate() {
        let y = 44.0 + i as f64 * 20.0;
        let _ = write!(
            out,
            "<g class=\"legend\"><rect x=\"0\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{colour}\"/>\
             <text x=\"18\" y=\"{ty}\">{l}: {v} ({s})</text></g>",
            y = f(y),
            ty = f(y + 10.5),
            l = esc(label),
            v = group((*n).into()),
            s = super::words::share(*n, total)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_round_and_cover_every_value() {
        let b = Bins::cover(1_000, 187_300, 20);
        assert_eq!(b.width, 10_000);
        assert_eq!(b.start, 0);
        assert_eq!(b.of(187_300), b.count - 1);
        assert_eq!(b.of(1_000), 0);
        let neg = Bins::cover(-4_100, 2_000, 12);
        assert_eq!((neg.width, neg.start), (1_000, -5_000));
        assert_eq!(
            neg.count_in([(-4_100, 2), (2_000, 1)].into_iter())
                .iter()
                .sum::<u64>(),
            3
        );
    }

    #[test]
    fn text_is_escaped_and_long_labels_cut() {
        assert_eq!(esc("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
        let long = "长".repeat(40);
        assert!(truncate(&long, 10).width() <= 10);
        assert!(truncate(&long, 10).ends_with('…'));
    }
}
