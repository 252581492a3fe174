//! `assessor` recommends **national judicial assistance** (国家司法救助) for crime victims and their dependants,
//! from a policy written in rhai rule files and parameter files, and explains every conclusion.
//!
//! This page is the map of the crate: its layers, the path of one case through them, and where to add things.
//!
//! # Layers
//!
//! Each layer is a folder or file named for what it holds, and imports only from the layers below it (checked by
//! `tests/layers.rs`, which also keeps every file under 600 lines and starting with a line that says what it
//! holds). From the bottom:
//!
//! | layer | holds | called by |
//! |---|---|---|
//! | [`model`] | the data and nothing else: the case file, the recommendation, the codes (decision, tier, stage, …) defined once, parameters as data, the fact catalogue derived from the case schema, languages and labels | everything |
//! | [`validate`] | reading a case file's bytes into a [`validate::ValidCase`]: JSON syntax, the JSON Schema, the checks a schema cannot express | the CLI, the tools, `explain::whatif` |
//! | [`engine`] | the one sandboxed rhai engine and its limits, the `facts` and `params` a rule reads, the vocabulary rules conclude with, the evaluation context of one case | `policy` (compiles rules in it), `assess` (runs them) |
//! | [`policy`] | a policy's files: manifest, rule headers, parameter files, texts, questions; loading them compiles every rule once and checks it statically ([`policy::scan`]) | `assess` and above |
//! | [`assess`](mod@assess) | running the stages for one case and deciding, with the searches over unknown facts; returns codes and values only | `explain` |
//! | [`explain`] | texts in a language ([`explain::localise`]) and what would change the outcome ([`explain::whatif`]); [`explain::assess_in`] = assess, then localise | the CLI, the tools |
//! | [`report`] | one report model built from a recommendation, and its text, Markdown and JSON writers (to any `io::Write`) | the CLI, the tools |
//! | [`check`], `generate` (with the `testing` feature); then [`summary`]; then [`diff`], [`expect`], [`interview`]; then `serve` (with the `serve` feature, on by default) | the tools: a policy's warnings and presumptions; generated cases; caseload figures and charts from a batch of recommendations; how a policy change moves cases; expectation tests; the interview; the HTTP API and the browser workbench | the CLI (`diff` draws with `summary`'s charts) |
//!
//! The command line (`src/cli.rs`, `src/cli/`) belongs to the binary, not the library: it parses arguments
//! (clap lives only there), calls the library, and writes through a writer that ends quietly on a closed pipe.
//!
//! # One case, start to end
//!
//! 1. [`validate::parse_case`] reads the bytes. The result is a [`validate::ValidCase`].
//! 2. [`Policy::embedded`] (or [`Policy::from_dir`]) loads the policy once: the manifest, the parameter files
//!    (`params/*.toml`), the rule files (`rules/*/*.rhai`), each compiled once in [`engine::Sandbox`] and
//!    scanned against the fact catalogue ([`model::facts`]): a misspelt fact is a load error with file:line:col.
//! 3. [`assess::assess`] installs the case in an evaluation context and runs the stages in order (eligibility →
//!    exclusions → priority → amount → referrals). A rule that stops on an unknown fact is tried at the fact's
//!    plausible values ([`assess::unknowns`]): it concludes if every value gives the same conclusion. The
//!    result is a [`Recommendation`] of codes and values: decision, priority, amount with its arithmetic,
//!    referrals, a finding per rule (its legal basis, the facts and parameters it read), and what each missing
//!    fact could still change.
//! 4. [`explain::localise`] writes its texts in a language; [`explain::whatif::explore`] adds what would change
//!    the outcome. [`assess()`] (the crate's front door) is steps 3 and 4 in the policy's first language.
//! 5. [`report`] writes it as text, Markdown or JSON.
//!
//! # Where to add
//!
//! - **A rule function** (a word rules may call): register it in the vocabulary package
//!   (`src/engine/vocabulary.rs`), give it its stages in the stage table there, and document it in both lists of
//!   rule functions (README.md, "A rule file"; `rules/README.md`, the analysts' guide); `policy::scan` then
//!   accepts it by name and `assessor check` refuses it in other stages.
//! - **A report section**: add it to the report model (`src/report/model.rs`), then to both walks of it
//!   (`src/report/text.rs`, `src/report/markdown.rs`); labels come from the policy's texts, so it reads in every
//!   language the policy has.
//! - **A subcommand**: a file in `src/cli/` with its `Args` (clap) and `run`, a variant of `Command` in
//!   `src/cli.rs`; the work itself goes into the library layer it belongs to, and the output through the
//!   writer `cli::with_stdout` gives it.
//!
//! ```
//! let policy = assessor::Policy::embedded().expect("the default policy loads");
//! let case = assessor::validate::parse_case(br#"{
//!     "schema_version": 1, "case_id": "DOC-1", "decision_date": "2022-09-01",
//!     "jurisdiction": { "province": "Hunan" }, "procuratorial_stage": "none"
//! }"#).expect("a valid case file");
//! let rec = assessor::assess(&case, &policy).expect("the policy runs");
//! assert_eq!(rec.decision, assessor::Decision::Decline); // never entered a procuratorial stage
//! ```

#![warn(missing_docs)]

pub mod assess;
pub mod check;
pub mod diff;
pub mod engine;
pub mod expect;
pub mod explain;
#[cfg(feature = "testing")]
pub mod generate;
pub mod interview;
pub mod model;
pub mod policy;
pub mod report;
#[cfg(feature = "serve")]
pub mod serve;
pub mod summary;
pub mod validate;

pub use assess::AssessError;
pub use explain::assess;
pub use model::codes::{Decision, Tier};
pub use model::recommendation::Recommendation;
pub use policy::{Policy, PolicyError, PolicySource};
