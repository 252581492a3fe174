//! The rhai sandbox and the evaluation of one rule: built once by `policy` (which compiles every rule in it), run
//! rule by rule by `assess`. Nothing here knows a policy file or a report.
//!
//! Rules read two objects:
//! - `facts`: the case file. A fact is served on demand through an indexer that checks its name against the
//!   case schema (a misspelt name is an error with the rule's line and column), records its JSON Pointer, and
//!   returns an [`Unknown`] value when the fact is absent or `null`. Any use of an `Unknown` (comparing it,
//!   computing with it, branching on it) stops the rule with the outcome "unknown", naming the missing fact,
//!   unless the rule handled it with `known(x)` or `x.if_unknown(default)`.
//! - `params`: the policy's parameters, as of the case's decision date and province.
//!
//! Rules conclude through a small vocabulary (`met`, `not_met`, `score`, `refer`, `step`, …) that writes to the
//! evaluation context of the case being assessed; nothing else is reachable from a rule.
//!
//! The files, each importing only those above it in this list:
//! - [`limits`]: every limit of the sandbox, one constant each.
//! - `failure`: [`RuleFailure`] and its [`FailureKind`]; the typed [`Refusal`] the engine raises inside rhai;
//!   how a rhai error becomes a failure.
//! - `context`: the evaluation context of the case being assessed (one per thread), a rule's conclusion,
//!   effects and result, what a rule observes ([`MemoId`] names a policy in the memo).
//! - `observe`: what a rule observed, written as bytes (one function for recording and for looking up).
//! - `facts`: the `facts` object, its indexer, and unknown facts.
//! - `params`: the `params` object's indexer.
//! - `values`: the values rules give, checked against the limits and turned into JSON.
//! - `vocabulary`: the functions rules may call, as one rhai package ([`VocabularyPackage`]), and the stage
//!   table of which stage may call which. Add a rule function there.
//! - [`memo`]: the memo of rule conclusions, per thread and bounded.
//! - [`profile`]: what each rule cost on this thread (evaluations, the memo's answers, time, operations).
//! - `sandbox`: [`Sandbox`], the one place an engine is built, and the running of one rule (through the memo).

mod context;
mod facts;
mod failure;
pub mod limits;
pub mod memo;
mod observe;
mod params;
pub mod profile;
mod sandbox;
mod values;
mod vocabulary;

pub use context::MemoId;
pub(crate) use context::{
    inspect_runs, set_progress, with_case, with_eval_ctx, Conclusion, Effect, EvalCtx, Read,
    RuleRun,
};
pub use facts::{FactObject, ParamsObject, Unknown};
pub(crate) use failure::help_line;
pub use failure::{describe_parse_error, FailureKind, Limit, Refusal, RuleFailure};
pub(crate) use observe::fact_value;
pub(crate) use sandbox::base_scope;
pub use sandbox::Sandbox;
pub use vocabulary::VocabularyPackage;
pub(crate) use vocabulary::{not_in_stage, vocabulary_stages};
