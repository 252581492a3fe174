//! The summary as one self-contained HTML page: the view's tables, each with its chart beside it (inline SVG:
//! the tier mix, categories, provinces, a histogram of amounts). No script, no link to anything outside the
//! file, the same bytes for the same tally. [`page`] is shared with `diff`'s HTML form.

use std::io::{self, Write};

use crate::model::text::Lang;
use crate::policy::Policy;

use super::svg::{esc, hbars, histogram, stacked, Bins};
use super::tally::Tally;
use super::view::{groups, view, Section, View};
use super::words::{Names, Words};

/// The page's style: plain, printable, wide tables scroll.
const STYLE: &str =
    "body{font-family:sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#222;line-height:1.45}\
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:28px 0 6px;border-bottom:1px solid #ccc}\
.warn{background:#fff4e5;border-left:4px solid #d9822b;padding:6px 10px;margin:8px 0}\
.note{color:#555;font-size:13px;margin:2px 0 6px}\
table{border-collapse:collapse;font-size:13px;margin:6px 0}\
th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
.row{display:flex;flex-wrap:wrap;gap:8px 32px;align-items:flex-start}\
.wide{overflow-x:auto;max-width:100%}svg.chart{display:block;margin:6px 0}";

/// Opens a page: the document head with the style and `title`, in `lang` (the caller writes the first heading).
/// Its content security policy forbids scripts and every load from outside the file, whatever the page holds.
pub fn page_start(w: &mut dyn Write, lang: Lang, title: &str) -> io::Result<()> {
    let code = if lang == Lang::Zh { "zh-CN" } else { "en" };
    writeln!(
        w,
        "<!DOCTYPE html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{t}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        t = esc(title)
    )
}

/// Closes a page.
pub fn page_end(w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "</body>\n</html>")
}

/// Writes a section: its heading, its note, its table and, beside it where the page is wide enough, its chart.
pub fn table(w: &mut dyn Write, s: &Section, chart: Option<&str>) -> io::Result<()> {
    writeln!(w, "<section id=\"{}\">\n<h2>{}</h2>", s.key, esc(&s.title))?;
    if let Some(n) = &s.note {
        writeln!(w, "<p class=\"note\">{}</p>", esc(n))?;
    }
    write!(w, "<div class=\"row\"><div class=\"wide\"><table>\n<tr>")?;
    for (i, h) in s.headers.iter().enumerate() {
        let class = if s.numeric.get(i) == Some(&true) {
            " class=\"n\""
        } else {
            ""
        };
        write!(w, "<th{class}>{}</th>", esc(h))?;
    }
    writeln!(w, "</tr>")?;
    for row in &s.rows {
        write!(w, "<tr>")?;
        for (i, c) in row.iter().enumerate() {
            let class = if s.numeric.get(i) == Some(&true) {
                " class=\"n\""
            } else {
                ""
            };
            write!(w, "<td{class}>{}</td>", esc(c))?;
        }
        writeln!(w, "</tr>")?;
    }
    writeln!(w, "</table></div>")?;
    if let Some(svg) = chart {
        writeln!(w, "{svg}")?;
    }
    writeln!(w, "</div>\n</section>")
}

/// Tier colours: A darkest.
const TIERS: [&str; 4] = ["#1b4f72", "#2e86c1", "#85c1e9", "#d5d8dc"];

/// The chart that goes under a section, if it has one.
fn chart(key: &str, t: &Tally, names: &Names, w: &Words) -> Option<String> {
    match key {
        "tiers" => {
            let tiered: u64 = t.tiers.values().sum();
            let mut parts: Vec<(String, u64, &str)> = ["A", "B", "C"]
                .iter()
                .zip(TIERS)
                .map(|(x, c)| (w.tier(x), t.tiers.get(x).copied().unwrap_or(0), c))
                .collect();
            parts.push((
                w.w("no tier", "无等级").to_string(),
                t.recommendations.saturating_sub(tiered),
                TIERS[3],
            ));
            Some(stacked("tiers", w.w("Tier mix", "优先等级构成"), &parts))
        }
        "categories" | "groups" => {
            let (campaign, other) = groups(t, names);
            let rows = if key == "categories" { campaign } else { other };
            let title = if key == "categories" {
                w.w("Cases by campaign category", "各重点对象类别的案件数")
            } else {
                w.w("Cases by other priority group", "其他优先救助对象的案件数")
            };
            Some(hbars(key, title, &rows))
        }
        "provinces" => {
            let mut rows: Vec<(String, u64)> = super::view::by_count(&t.provinces)
                .into_iter()
                .filter_map(|(k, c)| k.as_deref().map(|p| (names.label(p), c)))
                .collect();
            if let Some(c) = t.provinces.get(&None) {
                rows.push((w.not_recorded().to_string(), *c));
            }
            Some(hbars(
                "provinces",
                w.w("Cases by province", "各省份的案件数"),
                &rows,
            ))
        }
        "amounts" => {
            let (lo, hi) = (t.amounts.min()?, t.amounts.max()?);
            let bins = Bins::cover(lo, hi, 24);
            let counts = bins.count_in(t.amounts.counts());
            let money = |v: i64| w.money(v.into());
            Some(histogram(
                "amounts",
                w.w("Assisted cases by amount", "救助金额分布（件数）"),
                &bins,
                &[(w.w("cases", "件数"), super::svg::BLUE, counts)],
                &money,
            ))
        }
        _ => None,
    }
}

/// Writes the summary as one HTML page with its charts.
pub fn render_html(w: &mut dyn Write, t: &Tally, policy: &Policy, lang: Lang) -> io::Result<()> {
    let v: View = view(t, policy, lang);
    let names = Names::new(policy, lang);
    let words = Words(lang);
    page_start(w, lang, &v.title)?;
    writeln!(w, "<h1>{}</h1>", esc(&v.title))?;
    for warning in &v.warnings {
        writeln!(w, "<p class=\"warn\">{}</p>", esc(warning))?;
    }
    writeln!(w, "<p>{}</p>\n<ul>", esc(&v.read))?;
    for p in &v.policies {
        writeln!(w, "<li>{}</li>", esc(p))?;
    }
    writeln!(w, "</ul>")?;
    for s in &v.sections {
        table(w, s, chart(s.key, t, &names, &words).as_deref())?;
    }
    page_end(w)
}
