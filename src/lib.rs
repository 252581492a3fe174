//! `assessor` recommends **national judicial assistance** (国家司法救助) for crime victims and their dependants,
//! from a policy written in rhai rule files and parameter files, and explains every conclusion.
//!
//! How data flows:
//!
//! 1. [`validate::parse_case`] reads a case file's bytes: JSON syntax, then the JSON Schema generated from the
//!    types in [`case`] (every error with its JSON Pointer), then checks a schema cannot express. The result is a
//!    [`validate::ValidCase`].
//! 2. [`policy::Policy`] is loaded once, from a folder or from the default policy embedded in the binary: its
//!    manifest, its parameter files ([`params`]) and its rule files, each compiled once in the sandbox built by
//!    [`engine::Sandbox`] and checked against the fact catalogue ([`facts`]).
//! 3. [`assess()`] runs the stages (eligibility → exclusions → priority → amount → referrals) and returns a
//!    [`recommendation::Recommendation`]: the decision, priority, amount with its arithmetic, referrals, and a
//!    finding per rule naming its legal basis and the facts it read. Unknown facts that could change the
//!    decision make it `needs_information` and are listed as JSON Pointers.
//! 4. [`render`] turns a recommendation into a text or Markdown report.
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
pub mod validate;

pub use assess::AssessError;
pub use explain::assess;
pub use model::codes::{Decision, Tier};
pub use model::recommendation::Recommendation;
pub use policy::{Policy, PolicyError, PolicySource};
