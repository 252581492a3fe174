//! How a policy change moves each case, grouped by cause: a tool above `report`, called by the CLI's `diff`.
//!
//! Computing is apart from writing:
//! - `policies.rs`: [`diff_policies`] compares two loaded policies (rules added, removed, renamed or edited;
//!   parameters whose values changed).
//! - `cases.rs`: [`diff_case`] compares one case's recommendations under both, and names the [`Cause`]s in the
//!   policy change that bear on it.
//! - `summary.rs`: [`report`] puts it together into a [`DiffReport`]: every changed case, the cases grouped by
//!   cause, and a summary (decision changes, a tier transition matrix, the total and median change in amounts,
//!   the largest moves).
//! - Two writers of a [`DiffReport`]: [`render_text`] (`text.rs`) and [`render_markdown`] (`markdown.rs`), which
//!   share their sentences (`lines.rs`); JSON is `serde_json` of the report; [`render_html`] (`html.rs`) is the
//!   Markdown review on a page with the amounts' distributions before and after, drawn with `summary`'s charts.

mod cases;
mod html;
mod lines;
mod markdown;
mod policies;
mod summary;
mod text;

pub use cases::{diff_case, CaseChange, Cause, FindingChange};
pub use html::render_html;
pub use markdown::render_markdown;
pub use policies::{diff_policies, ParamChange, PolicyDiff};
pub use summary::{report, signed, CaseResult, DiffReport, Group};
pub use text::render_text;
