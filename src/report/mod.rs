//! Rendering a recommendation for people and systems; called by the CLI (`assess`, `interview`) and by anyone
//! embedding the library. The layer above `explain`: it reads a localised [`Recommendation`] and writes.
//!
//! - [`Report::new`] (`model.rs`) builds one report model from a recommendation: its sections in the order a
//!   reviewer reads them, every code already turned into its label, every sentence (`sentences.rs`) and word
//!   (`words.rs`) in the recommendation's language (English or Chinese).
//! - Two writers walk that model once each: [`text`] (`text.rs`, a page a procurator can paste into a case file)
//!   and [`markdown`] (`markdown.rs`, for case records). [`json`] writes the recommendation itself.
//! - `catalogue.rs`: a policy's rules and parameters as `assessor rules` prints them.
//!
//! Every writer writes to a [`std::io::Write`] and returns its error, so a full disk is reported and a closed
//! pipe ends the caller quietly. The reports' own words are here; everything else — reasons, legal bases, labels
//! of codes — comes from the policy, already in the recommendation's language (see
//! [`crate::explain::localise`]). To add a section: a field of [`Report`], filled in [`Report::new`], written by
//! both writers.

use std::io::{self, Write};

use crate::model::recommendation::Recommendation;
use crate::model::text::Labels;

mod catalogue;
mod markdown;
mod model;
mod sentences;
mod text;
mod words;

pub use catalogue::{
    catalogue_json, catalogue_markdown, catalogue_text, wage_table, WageCell, WAGE_TABLE_YEARS,
};
pub use model::{
    AmountSection, CapLine, FactorLine, FindingLine, MissingLine, PrioritySection, ReferralLine,
    Report, StageSection, StepLine,
};
pub use words::printable;

/// Output formats of a recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A short report for people.
    Text,
    /// JSON for systems (one object; JSON Lines in batches).
    Json,
    /// A report for case records.
    Markdown,
}

/// Writes the plain-text report: one page a procurator can paste into a case file. The decision first; then why,
/// in the order a reviewer reads it (eligibility, exclusions considered, priority, the amount's arithmetic,
/// referrals); then what would change the outcome, what is missing, and the policy. `labels` are those of the
/// recommendation's language (`policy.labels(rec.language)`).
pub fn text(w: &mut dyn Write, r: &Recommendation, labels: &Labels) -> io::Result<()> {
    text::write(w, &Report::new(r, labels))
}

/// Writes the Markdown report for case records, in the same order as the text report.
pub fn markdown(w: &mut dyn Write, r: &Recommendation, labels: &Labels) -> io::Result<()> {
    markdown::write(w, &Report::new(r, labels))
}

/// Writes the report in `format` (JSON pretty-printed, on one line with `pretty` false), ending with a newline.
pub fn write(
    w: &mut dyn Write,
    format: Format,
    r: &Recommendation,
    labels: &Labels,
    pretty: bool,
) -> io::Result<()> {
    match format {
        Format::Text => text(w, r, labels),
        Format::Markdown => markdown(w, r, labels),
        Format::Json => {
            json(w, r, pretty)?;
            writeln!(w)
        }
    }
}

/// Writes the recommendation as pretty JSON (for one case) or compact (for JSON Lines), without a final newline.
/// A value JSON cannot hold is an error of kind `InvalidData`.
pub fn json(w: &mut dyn Write, r: &Recommendation, pretty: bool) -> io::Result<()> {
    // Serialised into one buffer, then written at once: serde_json writes in many small pieces, each a dynamic
    // call through `dyn Write` (writing straight to it took twice as long).
    let bytes = if pretty {
        serde_json::to_vec_pretty(r)
    } else {
        serde_json::to_vec(r)
    }
    .map_err(io::Error::from)?;
    w.write_all(&bytes)
}
