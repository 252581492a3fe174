//! The diff as one self-contained HTML page: the Markdown review (rendered, with any HTML in it shown as text),
//! the amounts before and after (figures and a histogram of both), the change per case (a histogram of all
//! changes, then one per group of cases moved by the same causes), and last the review's table of changed cases.
//! Called by the CLI's `diff --format html`; the page and charts are `summary`'s.

use std::io::{self, Write};

use pulldown_cmark::{html, Event, Options, Parser};

use crate::model::text::Lang;
use crate::summary::svg::{esc, histogram, Bins, BLUE, ORANGE};
use crate::summary::{group, page_end, page_start, table, Amounts, Section};

use super::markdown::render_markdown;
use super::summary::DiffReport;

fn money(v: i64) -> String {
    if v < 0 {
        format!("-¥{}", group(-i128::from(v)))
    } else {
        format!("¥{}", group(v.into()))
    }
}

/// Text escaped for HTML, with Markdown's `code` spans (names of rules and parameters) as `<code>`.
fn code_spans(s: &str) -> String {
    let parts: Vec<String> = s.split('`').map(esc).collect();
    if parts.len() % 2 == 0 {
        // An unpaired backtick: shown as it is.
        return esc(s);
    }
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i % 2 == 1 {
            out.push_str(&format!("<code>{p}</code>"));
        } else {
            out.push_str(p);
        }
    }
    out
}

fn signed_money(v: i64) -> String {
    if v > 0 {
        format!("+{}", money(v))
    } else {
        money(v)
    }
}

/// The Markdown review as HTML. Raw HTML in it (the `<br>` the case table joins lines with, or anything a case
/// id or file name carries) is never passed through: `<br>` becomes a line break, the rest is shown as text.
fn review_html(r: &DiffReport) -> io::Result<(String, String)> {
    let mut md = Vec::new();
    render_markdown(&mut md, r)?;
    let md = String::from_utf8_lossy(&md);
    // The summary and groups first, the table of every changed case after the charts.
    let (head, cases) = match md.find("\n### Cases\n") {
        Some(i) => md.split_at(i),
        None => (md.as_ref(), ""),
    };
    Ok((to_html(head), to_html(cases)))
}

fn to_html(md: &str) -> String {
    let events = Parser::new_ext(md, Options::ENABLE_TABLES).map(|e| match e {
        Event::InlineHtml(h) | Event::Html(h) if h.trim() == "<br>" => Event::HardBreak,
        Event::InlineHtml(h) | Event::Html(h) => Event::Text(h),
        e => e,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

fn figures(key: &'static str, before: &Amounts, after: &Amounts) -> Section {
    let show = |v: Option<i64>| v.map_or_else(|| "–".to_string(), money);
    let rows: Vec<(&str, String, String)> = vec![
        (
            "cases with an amount",
            group(before.len().into()),
            group(after.len().into()),
        ),
        (
            "total",
            money(i64::try_from(before.total()).unwrap_or(i64::MAX)),
            money(i64::try_from(after.total()).unwrap_or(i64::MAX)),
        ),
        ("mean", show(before.mean()), show(after.mean())),
        (
            "lower quartile",
            show(before.quantile(1, 4)),
            show(after.quantile(1, 4)),
        ),
        (
            "median",
            show(before.quantile(1, 2)),
            show(after.quantile(1, 2)),
        ),
        (
            "upper quartile",
            show(before.quantile(3, 4)),
            show(after.quantile(3, 4)),
        ),
        ("largest", show(before.max()), show(after.max())),
    ];
    Section {
        key,
        title: "Amounts before and after".into(),
        note: Some(
            "Recommended amounts of every case compared that has one under each policy.".into(),
        ),
        headers: vec!["figure".into(), "base".into(), "new".into()],
        numeric: vec![false, true, true],
        rows: rows
            .into_iter()
            .map(|(l, a, b)| vec![l.to_string(), a, b])
            .collect(),
    }
}

fn deltas_histogram(class: &str, title: &str, deltas: &[i64]) -> Option<String> {
    let mut d = Amounts::default();
    for &x in deltas.iter().filter(|x| **x != 0) {
        d.add(x);
    }
    let bins = Bins::cover(d.min()?, d.max()?, 20);
    let counts = bins.count_in(d.counts());
    Some(histogram(
        class,
        title,
        &bins,
        &[("cases", BLUE, counts)],
        &signed_money,
    ))
}

/// Writes the report as an HTML page. `amounts` holds each compared case's recommended amount under the base
/// and the new policy (`None`: no amount), in any order.
pub fn render_html(
    w: &mut dyn Write,
    r: &DiffReport,
    amounts: &[(Option<i64>, Option<i64>)],
) -> io::Result<()> {
    page_start(w, Lang::En, "Policy change review")?;
    let (review, cases) = review_html(r)?;
    writeln!(w, "<section id=\"review\">\n{review}</section>")?;
    let mut before = Amounts::default();
    let mut after = Amounts::default();
    for (b, a) in amounts {
        if let Some(b) = b {
            before.add(*b);
        }
        if let Some(a) = a {
            after.add(*a);
        }
    }
    let chart = match (
        before.min().into_iter().chain(after.min()).min(),
        before.max().into_iter().chain(after.max()).max(),
    ) {
        (Some(lo), Some(hi)) => {
            let bins = Bins::cover(lo, hi, 24);
            let series = [
                ("base", BLUE, bins.count_in(before.counts())),
                ("new", ORANGE, bins.count_in(after.counts())),
            ];
            let title = "Cases by amount, base and new";
            Some(histogram("amounts", title, &bins, &series, &money))
        }
        _ => None,
    };
    table(w, &figures("amounts", &before, &after), chart.as_deref())?;
    writeln!(
        w,
        "<section id=\"changes\">\n<h2>Change in amount per case</h2>"
    )?;
    let all: Vec<i64> = r.changed.iter().map(|c| c.amount_delta()).collect();
    match deltas_histogram(
        "changes",
        "Cases by change in amount (unchanged amounts left out)",
        &all,
    ) {
        Some(svg) => writeln!(w, "{svg}")?,
        None => writeln!(w, "<p class=\"note\">No amount changed.</p>")?,
    }
    for (i, g) in r.groups.iter().enumerate() {
        let deltas: Vec<i64> = r
            .changed
            .iter()
            .filter(|c| g.cases.contains(&c.case_id))
            .map(|c| c.amount_delta())
            .collect();
        let causes: Vec<String> = g.causes.iter().map(ToString::to_string).collect();
        writeln!(
            w,
            "<h3>{} case(s): {}</h3>\n<p class=\"note\">because {}</p>",
            g.cases.len(),
            esc(&g.summary),
            code_spans(&causes.join("; "))
        )?;
        if let Some(svg) =
            deltas_histogram(&format!("changes group-{}", i + 1), &g.summary, &deltas)
        {
            writeln!(w, "{svg}")?;
        }
    }
    writeln!(w, "</section>")?;
    if !cases.is_empty() {
        writeln!(w, "<section id=\"cases\">\n{cases}</section>")?;
    }
    page_end(w)
}
