//! The evaluation context of the case being assessed: what rules read and concluded so far ([`EvalCtx`], one per
//! thread, installed by [`with_case`]), what one rule concludes ([`Conclusion`], [`Effect`]) and its result
//! ([`RuleRun`]). Written by the facts, parameters and vocabulary of the engine while a rule runs; read and
//! steered by `assess` between rules.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::engine::failure::{refuse, FailureKind, RhaiResult};
use crate::model::codes::{Approval, Decision, Payment, Stage, Tier};
use crate::model::facts::FactRef;
use crate::model::params::Parameters;

/// A fact a rule read, and whether it was known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Read {
    pub fact: FactRef,
    pub known: bool,
}

/// What a rule concluded.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Conclusion {
    /// `met`, `score` (with its points), `refer` or `recommend`.
    Met {
        points: Option<i64>,
        values: BTreeMap<String, Value>,
    },
    /// `not_met`.
    NotMet { values: BTreeMap<String, Value> },
}

/// Effects a rule asks for; kept only when the rule finishes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Effect {
    FastTrack,
    Approval(Approval),
    Referral {
        service: String,
        agency: String,
    },
    Payment(Payment),
    CoRecipient(FactRef),
    Step {
        code: String,
        value: f64,
        values: BTreeMap<String, Value>,
    },
    Cap {
        code: String,
        amount: f64,
        limit: f64,
        applied: bool,
        values: BTreeMap<String, Value>,
    },
    /// `check` (exceeded: the amount is over the limit) and `threshold` (exceeded: the amount reached it).
    Check {
        code: String,
        amount: f64,
        limit: f64,
        exceeded: bool,
        values: BTreeMap<String, Value>,
    },
    Recommend(f64),
}

/// What the rule running now has read, handled and concluded so far.
#[derive(Debug, Default)]
pub(crate) struct Current {
    pub reads: Vec<Read>,
    /// Parameters it read.
    pub params: Vec<Arc<str>>,
    /// Unknown facts it replaced with `x.if_unknown(default)`.
    pub handled: Vec<FactRef>,
    /// Unknown facts the rule went on without, through `known(x)` or `x.if_unknown(d)`: its conclusion may still
    /// depend on them (the amount range searches them).
    pub defaulted: Vec<FactRef>,
    /// Facts this rule presumed with `presume(value)` because the case leaves them unknown.
    pub presumed: Vec<(FactRef, Value)>,
    pub conclusion: Option<Conclusion>,
    pub effects: Vec<Effect>,
    /// Size of the values the rule gave so far (bounded by [`crate::engine::limits::MAX_VALUE_SIZE`]).
    pub value_size: usize,
    /// Whether the memo records this run: then every observation is kept in `trace`, in order.
    pub recording: bool,
    /// What the rule observed, in order, each with the range of `trace_bytes` its value was written to.
    pub trace: Vec<(Obs, std::ops::Range<u32>)>,
    pub trace_bytes: Vec<u8>,
}

/// One thing a running rule observes of the case or of the assessment (its value is written by
/// `crate::engine::observe::write`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Obs {
    /// A fact (a leaf, or a list) through the `facts` indexer.
    Fact(FactRef),
    /// A parameter through the `params` indexer.
    Param(Arc<str>),
    /// `fired(id)` of the rule with this index.
    Fired(u32),
    /// `value_of(id, key)`.
    ValueOf(u32, Box<str>),
    /// `decision()`.
    Decision,
    /// `tier()`.
    Tier,
    /// `priority_score()`.
    Score,
}

/// Which policy the memo keeps conclusions for: its files' digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemoId([u8; 32]);

impl MemoId {
    /// The identity of the policy whose files have digest `digest` (a hex SHA-256).
    pub fn new(digest: &str) -> Self {
        let mut id = [0u8; 32];
        for (slot, b) in id.iter_mut().zip(digest.bytes().rev()) {
            *slot = b;
        }
        MemoId(id)
    }
}

/// The result of one rule for one case.
#[derive(Debug, Clone)]
pub(crate) enum RuleRun {
    Concluded {
        conclusion: Conclusion,
        effects: Vec<Effect>,
        reads: Vec<Read>,
        params: Vec<Arc<str>>,
        /// Unknown facts the rule presumed (bars only), with the value presumed.
        presumed: Vec<(FactRef, Value)>,
        /// Unknown facts the rule read whose every plausible value gives this same conclusion.
        immaterial: Vec<FactRef>,
        /// Unknown facts the rule went on without (`known`, `if_unknown`).
        defaulted: Vec<FactRef>,
    },
    /// Stopped by unknown facts: the facts it waits for.
    Unknown {
        missing: Vec<FactRef>,
        reads: Vec<Read>,
        params: Vec<Arc<str>>,
    },
}

/// The case being assessed, the policy's parameters and rules as the vocabulary sees them, and every rule's
/// result so far.
pub(crate) struct EvalCtx {
    pub case: Arc<Value>,
    pub params: Arc<Parameters>,
    /// The case's decision date (`YYYY-MM-DD`): parameters are read as in force on it.
    pub date: jiff::civil::Date,
    pub province: Option<String>,
    /// Each rule's index in the policy, by id (for `fired` and `value_of`).
    pub rule_ids: Arc<BTreeMap<String, usize>>,
    /// The stage of each rule, by index (what its vocabulary may use).
    pub stages: Arc<[Stage]>,
    /// Each rule's result, by index; `None` until it runs.
    pub runs: Vec<Option<Arc<RuleRun>>>,
    /// What `decision()`, `tier()` and `priority_score()` give, once `assess` settled them.
    pub decision: Option<Decision>,
    pub tier: Option<Tier>,
    pub score: Option<i64>,
    /// Plausible values put in place of unknown facts while the assessment asks whether they matter (see
    /// `crate::assess::unknowns`); empty when assessing the case as it is.
    pub overrides: Vec<(FactRef, Value)>,
    /// Operations run by every rule evaluation of this case so far (searches over unknowns stop past a budget).
    pub ops_total: u64,
    /// When the assessment of this case started (searches over unknowns also stop past a time budget).
    pub started: std::time::Instant,
    /// The time budget stopped a search: the result would depend on the machine's speed, so the case fails.
    pub out_of_time: bool,
    /// The rule running now.
    pub current: Current,
    /// The policy's identity in the memo (see [`crate::engine::memo`]); `None` runs every rule.
    pub memo: Option<MemoId>,
    /// The written value (`crate::engine::observe::write`) of each fact of the case observed so far, without the
    /// values put in place of unknown ones, and of each parameter: many rules observe the same ones.
    pub fact_bytes: RefCell<FactBytes>,
}

/// Facts' and parameters' written values, by fact and by parameter: ranges of one buffer.
#[derive(Default)]
pub(crate) struct FactBytes {
    pub at: std::collections::HashMap<FactRef, std::ops::Range<u32>, ahash::RandomState>,
    /// Parameters as looked up for the case's own province (not one put in place of an unknown province).
    pub params: std::collections::HashMap<Arc<str>, std::ops::Range<u32>, ahash::RandomState>,
    pub bytes: Vec<u8>,
    /// What rules are given for a fact of the case (not a value put in place of an unknown one): the value as
    /// rules see it, and whether it is known. Read again by every rule and every reading that reads the fact.
    pub leaves: std::collections::HashMap<FactRef, (rhai::Dynamic, bool), ahash::RandomState>,
    /// The value in force of a parameter for the case's own province, once looked up.
    pub in_force: std::collections::HashMap<Arc<str>, rhai::Dynamic, ahash::RandomState>,
}

impl EvalCtx {
    /// The context of a case before any rule ran: `stages` gives each rule's stage by index (so the number of
    /// rules), `rule_ids` each rule's index by id.
    pub fn new(
        case: Arc<Value>,
        params: Arc<Parameters>,
        date: jiff::civil::Date,
        province: Option<String>,
        rule_ids: Arc<BTreeMap<String, usize>>,
        stages: Arc<[Stage]>,
        memo: Option<MemoId>,
    ) -> Self {
        EvalCtx {
            case,
            params,
            date,
            province,
            rule_ids,
            runs: vec![None; stages.len()],
            stages,
            decision: None,
            tier: None,
            score: None,
            overrides: Vec::new(),
            ops_total: 0,
            started: std::time::Instant::now(),
            out_of_time: false,
            current: Current::default(),
            memo,
            fact_bytes: RefCell::default(),
        }
    }
}

thread_local! {
    static CTX: RefCell<Option<EvalCtx>> = const { RefCell::new(None) };
    /// The index (in the policy) of the rule running on this thread: `fired` and `value_of` may only read rules
    /// before it.
    static RUNNING: Cell<Option<usize>> = const { Cell::new(None) };
    /// The stage of that rule: the vocabulary is legal only in some stages.
    static RUNNING_STAGE: Cell<Option<Stage>> = const { Cell::new(None) };
}

/// Lends the installed context to `f`; the default of `R` when no case is installed.
pub(crate) fn with_ctx<R: Default>(f: impl FnOnce(&mut EvalCtx) -> R) -> R {
    CTX.with(|c| c.borrow_mut().as_mut().map(f).unwrap_or_default())
}

/// Lends the installed context to `f`; an internal failure when no case is installed.
pub(crate) fn try_ctx<R>(f: impl FnOnce(&mut EvalCtx) -> RhaiResult<R>) -> RhaiResult<R> {
    CTX.with(|c| match c.borrow_mut().as_mut() {
        Some(ctx) => f(ctx),
        None => Err(no_case()),
    })
}

/// Lends the installed context to `f` for reading only (a fact is read in place, without copying the case).
pub(crate) fn read_ctx<R>(f: impl FnOnce(&EvalCtx) -> RhaiResult<R>) -> RhaiResult<R> {
    CTX.with(|c| match c.borrow().as_ref() {
        Some(ctx) => f(ctx),
        None => Err(no_case()),
    })
}

fn no_case() -> Box<rhai::EvalAltResult> {
    refuse(
        FailureKind::Internal,
        "rules can only run while a case is assessed",
    )
}

/// Installs the context for a case, runs `f`, and removes it again.
/// (The context is installed here and only taken back here, so `None` does not happen; it is still not a panic.)
pub(crate) fn with_case<R>(ctx: EvalCtx, f: impl FnOnce() -> R) -> Option<(R, EvalCtx)> {
    CTX.with(|c| *c.borrow_mut() = Some(ctx));
    let r = f();
    CTX.with(|c| c.borrow_mut().take()).map(|ctx| (r, ctx))
}

/// Lends the installed evaluation context to `f` (which must not run rules); `None` when no case is installed.
pub(crate) fn with_eval_ctx<R>(f: impl FnOnce(&mut EvalCtx) -> R) -> Option<R> {
    CTX.with(|c| c.borrow_mut().as_mut().map(f))
}

/// Lends the rule results so far to `f` (which must not run rules).
pub(crate) fn inspect_runs<R: Default>(f: impl FnOnce(&[Option<Arc<RuleRun>>]) -> R) -> R {
    with_ctx(|c| f(&c.runs))
}

/// Sets what `decision()`, `tier()` and `priority_score()` give to the rules that run next.
pub(crate) fn set_progress(decision: Option<Decision>, tier: Option<Tier>, score: Option<i64>) {
    with_ctx(|c| {
        c.decision = decision;
        c.tier = tier;
        c.score = score;
    });
}

/// Marks rule `index` of stage `stage` as running on this thread (`None`, `None` when it ended).
pub(crate) fn set_running(index: Option<usize>, stage: Option<Stage>) {
    RUNNING.with(|r| r.set(index));
    RUNNING_STAGE.with(|s| s.set(stage));
}

/// The index of the rule running on this thread.
pub(crate) fn running() -> Option<usize> {
    RUNNING.with(|r| r.get())
}

/// The stage of the rule running on this thread.
pub(crate) fn running_stage() -> Option<Stage> {
    RUNNING_STAGE.with(|s| s.get())
}
