//! Caseload figures from a batch of recommendations (what `assess --jsonl` writes): a tool above `report`, called
//! by the CLI's `summary`, whose charts `diff`'s HTML form also draws.
//!
//! - `read.rs`: [`parse_line`] reads one line into what is counted ([`Line`]: a recommendation, an error record,
//!   or neither).
//! - `tally.rs`: [`Tally`] counts lines in flat memory (maps keyed by codes and by whole-yuan amounts, never by
//!   case); [`Amounts`] gives exact medians and quartiles from a count per amount.
//! - `view.rs`: [`view`] turns a tally into labelled tables in a language ([`View`]), in the words of
//!   `words.rs` and the policy's labels ([`Names`]).
//! - Writers: [`render_text`] and [`render_markdown`] (`tables.rs`), [`render_json`] (`json.rs`, codes only),
//!   [`render_html`] (`html.rs`, with the SVG charts of `svg.rs`).

mod html;
mod json;
mod read;
pub mod svg;
mod tables;
mod tally;
mod view;
mod words;

pub use html::{page_end, page_start, render_html, table};
pub use json::render_json;
pub use read::{parse_case_head, parse_line, Line, Origin, Rec};
pub use tables::{render_markdown, render_text};
pub use tally::{Amounts, By, Problem, Row, Tally, KEPT_PROBLEMS};
pub use view::{view, Section, View};
pub use words::{campaign_code, group, share, Names};

use std::io::{self, Write};

use crate::model::text::Lang;
use crate::policy::Policy;

/// The forms a summary is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned tables for a terminal.
    Text,
    /// Markdown tables.
    Markdown,
    /// JSON for systems (codes only).
    Json,
    /// One self-contained HTML page with charts.
    Html,
}

/// Writes a tally in a format and language (JSON has no language: codes only).
pub fn render(
    w: &mut dyn Write,
    t: &Tally,
    policy: &Policy,
    lang: Lang,
    format: Format,
) -> io::Result<()> {
    match format {
        Format::Text => render_text(w, &view(t, policy, lang)),
        Format::Markdown => render_markdown(w, &view(t, policy, lang)),
        Format::Json => render_json(w, t, policy),
        Format::Html => render_html(w, t, policy, lang),
    }
}
