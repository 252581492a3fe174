//! The rhai sandbox and the evaluation of one rule.
//!
//! [`Sandbox::new`] is the one place that builds the rhai [`Engine`]: every limit set explicitly (rhai's defaults
//! differ between debug and release builds), strict variables, no modules, no clock, no printing, `switch`
//! disabled, and comparisons between values of different types made errors instead of a silent `false`.
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

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use rhai::{Dynamic, Engine, EvalAltResult, ImmutableString, Position, Scope, AST};
use serde_json::Value;

use crate::model::codes::Stage;
use crate::model::facts::{catalogue, FactRef, FactType};
use crate::model::params::{Lookup, Parameters};
use crate::model::suggest::did_you_mean;

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

/// Limits of the sandbox. Every one is set, so debug and release builds behave alike.
pub mod limits {
    /// Operations one rule may run for one case.
    pub const MAX_OPERATIONS: u64 = 200_000;
    /// Depth of function calls.
    pub const MAX_CALL_LEVELS: usize = 32;
    /// Depth of nested expressions (top level, inside functions).
    pub const MAX_EXPR_DEPTH: (usize, usize) = (64, 32);
    /// Length of a string, in bytes.
    pub const MAX_STRING_SIZE: usize = 10_000;
    /// Elements of an array.
    pub const MAX_ARRAY_SIZE: usize = 10_000;
    /// Entries of a map.
    pub const MAX_MAP_SIZE: usize = 1_000;
    /// Variables alive at once.
    pub const MAX_VARIABLES: usize = 256;
    /// Functions defined in one rule file.
    pub const MAX_FUNCTIONS: usize = 64;
    /// Wall-clock time one rule may take for one case (the operations limit does not bound the time of operations
    /// that are each heavy, such as sorting long lists).
    pub const MAX_RULE_TIME: std::time::Duration = std::time::Duration::from_secs(1);
    /// Depth of a value a rule gives (lists and maps inside each other).
    pub const MAX_VALUE_DEPTH: usize = 16;
    /// Size of all values one rule gives for one case (in `met`, `step`, `cap`, …): elements plus string bytes.
    pub const MAX_VALUE_SIZE: usize = 100_000;
    /// The largest amount (in yuan, either sign) a step, cap, check, threshold or recommendation may have.
    pub const MAX_AMOUNT: f64 = 1e12;
    /// The clock is read every this many operations.
    pub const TIME_CHECK_EVERY: u64 = 16;
}

/// The standard packages a rule may use: arithmetic, logic, strings, lists, maps, function pointers.
/// rhai's `LanguageCorePackage` is left out on purpose: it offers `sleep` (waits, and panics on a huge number)
/// — even with `no_time` — and `exit`, `take`, `tag`, `parse_json` and `get_fn_metadata_list`, none of which a
/// rule needs. A function that is not registered cannot be reached by any name, not even `Fn("sle" + "ep")`.
fn register_packages(e: &mut Engine) {
    use rhai::packages::{
        ArithmeticPackage, BasicArrayPackage, BasicBlobPackage, BasicFnPackage,
        BasicIteratorPackage, BasicMapPackage, BasicMathPackage, BasicStringPackage,
        BitFieldPackage, LogicPackage, MoreStringPackage, Package,
    };
    ArithmeticPackage::new().register_into_engine(e);
    BasicStringPackage::new().register_into_engine(e);
    BasicIteratorPackage::new().register_into_engine(e);
    BasicFnPackage::new().register_into_engine(e);
    BitFieldPackage::new().register_into_engine(e);
    LogicPackage::new().register_into_engine(e);
    BasicMathPackage::new().register_into_engine(e);
    BasicArrayPackage::new().register_into_engine(e);
    BasicBlobPackage::new().register_into_engine(e);
    BasicMapPackage::new().register_into_engine(e);
    MoreStringPackage::new().register_into_engine(e);
}

/// The token of rhai's "terminated" error when a rule runs out of time.
#[derive(Debug, Clone)]
struct TimeBudgetSignal;

thread_local! {
    /// When the rule running on this thread started.
    static RULE_STARTED: std::cell::Cell<Option<std::time::Instant>> = const { std::cell::Cell::new(None) };
}

/// Called by rhai's progress callback: whether the rule running on this thread has used up its time.
fn time_budget_exceeded(ops: u64) -> bool {
    ops % limits::TIME_CHECK_EVERY == 0
        && RULE_STARTED.with(|s| s.get().is_some_and(|t| t.elapsed() > limits::MAX_RULE_TIME))
}

/// A fact that the case file leaves unknown (absent or `null`).
#[derive(Debug, Clone)]
pub struct Unknown {
    fact: FactRef,
}

/// A node of the case file (the whole case, or an object or array element in it).
#[derive(Debug, Clone)]
pub struct FactObject {
    fact: FactRef,
}

/// The policy's parameters, as rules see them.
#[derive(Debug, Clone)]
pub struct ParamsObject;

/// Raised to stop a rule whose conclusion depends on unknown facts; carries them.
#[derive(Debug, Clone)]
pub(crate) struct UnknownSignal(pub Vec<FactRef>);

/// The sandboxed engine, shared read-only by every assessment.
#[derive(Debug)]
pub struct Sandbox {
    engine: Engine,
    /// Distinguishes sandboxes, so that per-thread runtime state made for one is never used with another.
    id: u64,
}

static NEXT_SANDBOX: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

thread_local! {
    /// Unknown facts that stopped the rule running on this thread (kept apart from the evaluation context, which
    /// may be borrowed when a rule is stopped). A rule that was stopped is unknown, even if its error was caught.
    static UNKNOWN_RAISED: RefCell<Vec<FactRef>> = const { RefCell::new(Vec::new()) };
}

thread_local! {
    /// The index (in the policy) of the rule running on this thread: `fired` and `value_of` may only read rules
    /// before it.
    static RUNNING: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
    /// The stage of that rule (its id starts with it): the vocabulary is legal only in some stages.
    static RUNNING_STAGE: std::cell::Cell<Option<Stage>> = const { std::cell::Cell::new(None) };
}

fn stop_unknown(facts: Vec<FactRef>) -> Box<EvalAltResult> {
    UNKNOWN_RAISED.with(|r| r.borrow_mut().extend_from_slice(&facts));
    EvalAltResult::ErrorRuntime(Dynamic::from(UnknownSignal(facts)), Position::NONE).into()
}

fn unknown_used(u: &Unknown) -> Box<EvalAltResult> {
    stop_unknown(vec![u.fact])
}

fn error(msg: impl Into<String>) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(Dynamic::from(msg.into()), Position::NONE).into()
}

fn type_label(d: &Dynamic) -> &'static str {
    if d.is_int() {
        "a whole number"
    } else if d.is_float() {
        "a number"
    } else if d.is_bool() {
        "true/false"
    } else if d.is_string() {
        "a string"
    } else if d.is_char() {
        "a character"
    } else if d.is_unit() {
        "nothing (`()`)"
    } else if d.is_array() {
        "a list"
    } else if d.is_map() {
        "a map"
    } else if d.is::<FactObject>() {
        "a group of facts"
    } else {
        "a value"
    }
}

macro_rules! forbid_mixed {
    ($engine:ident; $($a:ty),+) => {
        forbid_mixed!(@outer $engine; [$($a),+]; $($a),+);
    };
    (@outer $engine:ident; $all:tt; $($a:ty),+) => {
        $( forbid_mixed!(@inner $engine; $a; $all); )+
    };
    (@inner $engine:ident; $a:ty; [$($b:ty),+]) => {
        $( forbid_mixed!(@pair $engine; $a; $b); )+
    };
    (@pair $engine:ident; $a:ty; $b:ty) => {
        if std::any::TypeId::of::<$a>() != std::any::TypeId::of::<$b>()
            && !(is_number::<$a>() && is_number::<$b>())
        {
            for op in ["==", "!=", "<", "<=", ">", ">="] {
                $engine.register_fn(op, |a: $a, b: $b| -> RhaiResult<bool> {
                    let (a, b) = (Dynamic::from(a), Dynamic::from(b));
                    Err(error(format!("cannot compare {} with {}", type_label(&a), type_label(&b))))
                });
            }
        }
    };
}

fn is_number<T: 'static>() -> bool {
    std::any::TypeId::of::<T>() == std::any::TypeId::of::<rhai::INT>()
        || std::any::TypeId::of::<T>() == std::any::TypeId::of::<rhai::FLOAT>()
}

impl Sandbox {
    /// Builds the sandboxed engine. This is the only place an [`Engine`] is made.
    pub fn new() -> Self {
        let mut e = Engine::new_raw();
        register_packages(&mut e);
        e.set_max_operations(limits::MAX_OPERATIONS);
        e.set_max_call_levels(limits::MAX_CALL_LEVELS);
        e.set_max_expr_depths(limits::MAX_EXPR_DEPTH.0, limits::MAX_EXPR_DEPTH.1);
        e.set_max_string_size(limits::MAX_STRING_SIZE);
        e.set_max_array_size(limits::MAX_ARRAY_SIZE);
        e.set_max_map_size(limits::MAX_MAP_SIZE);
        e.set_max_variables(limits::MAX_VARIABLES);
        e.set_max_functions(limits::MAX_FUNCTIONS);
        e.set_strict_variables(true);
        // Rules are compiled unoptimised so the static checks see every branch (even `if false { … }`); the
        // AST that runs is optimised afterwards by `Sandbox::optimize`.
        e.set_optimization_level(rhai::OptimizationLevel::None);
        e.set_fail_on_invalid_map_property(true);
        e.set_allow_looping(true);
        e.set_allow_shadowing(true);
        // Registered operators must be consulted for built-in types too, so that mixed comparisons fail.
        e.set_fast_operators(false);
        e.on_progress(|ops| time_budget_exceeded(ops).then(|| Dynamic::from(TimeBudgetSignal)));
        e.on_print(|_| {});
        e.on_debug(|_, _, _| {});
        // `switch` silently takes its default branch for values it cannot match (such as an unknown fact).
        e.disable_symbol("switch");
        e.disable_symbol("eval");

        forbid_mixed!(e; rhai::INT, rhai::FLOAT, bool, ImmutableString, char, (), rhai::Array, rhai::Map, FactObject);

        register_facts(&mut e);
        register_params(&mut e);
        register_vocabulary(&mut e);
        Sandbox {
            engine: e,
            id: NEXT_SANDBOX.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Compiles a rule's text, unoptimised (for the static checks). `facts` and `params` are the only variables
    /// in scope.
    pub fn compile(&self, text: &str) -> Result<AST, rhai::ParseError> {
        let scope = base_scope();
        self.engine.compile_with_scope(&scope, text)
    }

    /// The optimised form of a checked AST, which is what runs.
    pub fn optimize(&self, ast: AST) -> AST {
        self.engine
            .optimize_ast(&Scope::new(), ast, rhai::OptimizationLevel::Simple)
    }

    /// The engine, for tools that need to run small scripts in the same sandbox.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

pub(crate) fn base_scope() -> Scope<'static> {
    let mut scope = Scope::new();
    scope.push_constant(
        "facts",
        FactObject {
            fact: FactRef::plain(catalogue().root()),
        },
    );
    scope.push_constant("params", ParamsObject);
    scope
}

// ---------------------------------------------------------------------------------------------------------------
// The evaluation context of the case being assessed (one per thread; rules run one at a time).

/// A fact a rule read, and whether it was known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Read {
    pub fact: FactRef,
    pub known: bool,
}

/// What a rule concluded.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Conclusion {
    Met {
        points: Option<i64>,
        values: BTreeMap<String, Value>,
    },
    NotMet {
        values: BTreeMap<String, Value>,
    },
}

/// Effects a rule asks for; kept only when the rule finishes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Effect {
    FastTrack,
    Approval(String),
    Referral {
        service: String,
        agency: String,
    },
    Payment(String),
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
    Check {
        code: String,
        amount: f64,
        limit: f64,
        exceeded: bool,
        values: BTreeMap<String, Value>,
    },
    Recommend(f64),
}

#[derive(Debug, Default)]
pub(crate) struct Current {
    pub reads: Vec<Read>,
    pub params: Vec<Arc<str>>,
    pub handled: Vec<FactRef>,
    /// Unknown facts the rule went on without, through `known(x)` or `x.if_unknown(d)`: its conclusion may still
    /// depend on them (the amount range searches them).
    pub defaulted: Vec<FactRef>,
    /// Facts this rule presumed with `presume(value)` because the case leaves them unknown.
    pub presumed: Vec<(FactRef, Value)>,
    pub conclusion: Option<Conclusion>,
    pub effects: Vec<Effect>,
    /// Size of the values the rule gave so far (bounded by [`limits::MAX_VALUE_SIZE`]).
    pub value_size: usize,
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
    Unknown {
        missing: Vec<FactRef>,
        reads: Vec<Read>,
        params: Vec<Arc<str>>,
    },
}

pub(crate) struct EvalCtx {
    pub case: Arc<Value>,
    pub params: Arc<Parameters>,
    pub date: jiff::civil::Date,
    pub province: Option<String>,
    pub rule_ids: Arc<BTreeMap<String, usize>>,
    /// The stage of each rule, by index (what its vocabulary may use).
    pub stages: Arc<[Stage]>,
    pub runs: Vec<Option<RuleRun>>,
    pub decision: Option<&'static str>,
    pub tier: Option<&'static str>,
    pub score: Option<i64>,
    /// Plausible values put in place of unknown facts while the assessment asks whether they matter (see
    /// `crate::assess::unknowns`); empty when assessing the case as it is.
    pub overrides: Vec<(FactRef, Value)>,
    /// Operations run by every rule evaluation of this case so far (searches over unknowns stop past a budget).
    pub ops_total: u64,
    /// When the assessment of this case started (searches over unknowns also stop past a time budget).
    pub started: std::time::Instant,
    pub current: Current,
}

thread_local! {
    static CTX: RefCell<Option<EvalCtx>> = const { RefCell::new(None) };
    /// rhai's runtime state and caches, kept per thread and sandbox across rules and cases: function resolution is
    /// cached once instead of for every rule.
    static RUNTIME: RefCell<Option<(u64, rhai::GlobalRuntimeState, rhai::Caches)>> = const { RefCell::new(None) };
}

fn with_ctx<R: Default>(f: impl FnOnce(&mut EvalCtx) -> R) -> R {
    CTX.with(|c| c.borrow_mut().as_mut().map(f).unwrap_or_default())
}

fn try_ctx<R>(f: impl FnOnce(&mut EvalCtx) -> RhaiResult<R>) -> RhaiResult<R> {
    CTX.with(|c| match c.borrow_mut().as_mut() {
        Some(ctx) => f(ctx),
        None => Err(error("rules can only run while a case is assessed")),
    })
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
pub(crate) fn inspect_runs<R: Default>(f: impl FnOnce(&[Option<RuleRun>]) -> R) -> R {
    with_ctx(|c| f(&c.runs))
}

pub(crate) fn set_progress(
    decision: Option<&'static str>,
    tier: Option<&'static str>,
    score: Option<i64>,
) {
    with_ctx(|c| {
        c.decision = decision;
        c.tier = tier;
        c.score = score;
    });
}

/// A rule that could not run to its end for a reason other than unknown facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFailure {
    /// What went wrong.
    pub message: String,
    /// 1-based line in the rule file.
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
}

impl Sandbox {
    /// Evaluates a rule's statements with this thread's runtime state; the operation limit counts per rule.
    fn eval(&self, ast: &AST, scope: &mut Scope<'static>) -> Result<Dynamic, Box<EvalAltResult>> {
        RULE_STARTED.with(|s| s.set(Some(std::time::Instant::now())));
        let r = self.eval_timed(ast, scope);
        RULE_STARTED.with(|s| s.set(None));
        r
    }

    fn eval_timed(
        &self,
        ast: &AST,
        scope: &mut Scope<'static>,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        RUNTIME.with(|rt| {
            let mut rt = rt.borrow_mut();
            if rt.as_ref().is_none_or(|(id, _, _)| *id != self.id) {
                *rt = Some((
                    self.id,
                    self.engine.new_global_runtime_state(),
                    rhai::Caches::new(),
                ));
            }
            let Some((_, global, caches)) = rt.as_mut() else {
                return Err(error("internal error: runtime state"));
            };
            global.num_operations = 0;
            global.level = 0;
            global.lib.clear();
            let r = if ast.has_functions() {
                // A rule's own functions: resolved in a cache of their own, so no rule sees another's.
                global.lib.push(ast.shared_lib().clone());
                let mut own = rhai::Caches::new();
                #[allow(deprecated)]
                let r = self
                    .engine
                    .eval_statements_raw(global, &mut own, scope, ast.statements());
                global.lib.clear();
                r
            } else {
                #[allow(deprecated)]
                self.engine
                    .eval_statements_raw(global, caches, scope, ast.statements())
            };
            // What the rule cost, for the case's budget of searches over unknowns.
            let ops = global.num_operations;
            with_ctx(|c| c.ops_total = c.ops_total.saturating_add(ops));
            r
        })
    }

    /// Runs one rule (index `index` of the policy) against the installed case context.
    pub(crate) fn run_rule(
        &self,
        index: usize,
        ast: &AST,
        scope: &mut Scope<'static>,
    ) -> Result<(), RuleFailure> {
        with_ctx(|c| c.current = Current::default());
        UNKNOWN_RAISED.with(|r| r.borrow_mut().clear());
        let len = scope.len();
        RUNNING.with(|r| r.set(Some(index)));
        let stage = with_ctx(|c| c.stages.get(index).copied());
        RUNNING_STAGE.with(|s| s.set(stage));
        let result = self.eval(ast, scope);
        RUNNING.with(|r| r.set(None));
        RUNNING_STAGE.with(|s| s.set(None));
        scope.rewind(len);
        let current = with_ctx(|c| std::mem::take(&mut c.current));
        let raised = UNKNOWN_RAISED.with(|r| std::mem::take(&mut *r.borrow_mut()));
        let run = match result {
            // Stopped by an unknown fact whose error was caught: still unknown.
            Ok(_) if !raised.is_empty() => RuleRun::Unknown {
                missing: dedup(raised),
                reads: dedup(current.reads),
                params: dedup(current.params),
            },
            Ok(_) => match current.conclusion {
                Some(conclusion) => RuleRun::Concluded {
                    conclusion,
                    effects: current.effects,
                    reads: dedup(current.reads),
                    params: dedup(current.params),
                    presumed: dedup(current.presumed),
                    immaterial: Vec::new(),
                    defaulted: dedup(current.defaulted),
                },
                None => {
                    return Err(RuleFailure {
                        message: "the rule ended without a conclusion: call met(), not_met(), score(…) or refer(…)".into(),
                        line: None,
                        column: None,
                    })
                }
            },
            Err(err) => match classify(&err, &current) {
                Some(missing) => RuleRun::Unknown { missing: dedup(missing), reads: dedup(current.reads), params: dedup(current.params) },
                None => return Err(failure(&err)),
            },
        };
        with_ctx(|c| {
            if let Some(slot) = c.runs.get_mut(index) {
                *slot = Some(run);
            }
        });
        Ok(())
    }
}

fn dedup<T: PartialEq + Clone>(v: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(v.len());
    for x in v {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

/// If the error means "this depends on an unknown fact", the facts it depends on.
fn classify(err: &EvalAltResult, current: &Current) -> Option<Vec<FactRef>> {
    let inner = innermost(err);
    if let EvalAltResult::ErrorRuntime(v, _) = inner {
        if let Some(sig) = v.read_lock::<UnknownSignal>() {
            return Some(sig.0.clone());
        }
    }
    let mentions_unknown = match inner {
        EvalAltResult::ErrorMismatchDataType(_, actual, _) => actual.contains("Unknown"),
        EvalAltResult::ErrorFunctionNotFound(sig, _) => sig.contains("Unknown"),
        EvalAltResult::ErrorIndexingType(t, _) => t.contains("Unknown"),
        // `for d in facts.household.dependants` when the list is unknown.
        EvalAltResult::ErrorFor(_) => true,
        _ => false,
    };
    if mentions_unknown {
        // The error does not say which value was unknown: name the unknown facts the rule read and did not replace
        // with `if_unknown`, or failing that every unknown fact it read.
        let unknown: Vec<FactRef> = current
            .reads
            .iter()
            .filter(|r| !r.known)
            .map(|r| r.fact)
            .collect();
        let unhandled: Vec<FactRef> = unknown
            .iter()
            .copied()
            .filter(|f| !current.handled.contains(f))
            .collect();
        if !unhandled.is_empty() {
            return Some(unhandled);
        }
        if !unknown.is_empty() {
            return Some(unknown);
        }
    }
    None
}

fn innermost(err: &EvalAltResult) -> &EvalAltResult {
    match err {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _) => innermost(inner),
        other => other,
    }
}

fn failure(err: &EvalAltResult) -> RuleFailure {
    let pos = innermost_position(err);
    let inner = innermost(err);
    let message = match inner {
        EvalAltResult::ErrorRuntime(v, _) => {
            if let Some(s) = v.read_lock::<String>() {
                s.clone()
            } else if let Some(s) = v.read_lock::<ImmutableString>() {
                s.to_string()
            } else {
                format!("the rule threw {v}")
            }
        }
        EvalAltResult::ErrorTooManyOperations(_) => format!(
            "the rule ran more than {} operations and was stopped (a loop that does not end?)",
            limits::MAX_OPERATIONS
        ),
        EvalAltResult::ErrorTerminated(token, _) if token.is::<TimeBudgetSignal>() => format!(
            "the rule took longer than {} s and was stopped (a loop over heavy operations?)",
            limits::MAX_RULE_TIME.as_secs_f64()
        ),
        EvalAltResult::ErrorStackOverflow(_) => {
            format!("the rule called functions more than {} deep and was stopped (recursion without end?)", limits::MAX_CALL_LEVELS)
        }
        EvalAltResult::ErrorDataTooLarge(what, _) => {
            format!("the rule built a value too large for the sandbox ({what})")
        }
        EvalAltResult::ErrorArithmetic(msg, _) => {
            format!("arithmetic error: {}", msg.to_lowercase())
        }
        EvalAltResult::ErrorFunctionNotFound(sig, _) => {
            format!("no function `{sig}` is available to rules")
        }
        EvalAltResult::ErrorMismatchDataType(expected, actual, _) => {
            format!(
                "expected {expected} but found {}",
                actual.rsplit("::").next().unwrap_or(actual)
            )
        }
        EvalAltResult::ErrorPropertyNotFound(name, _) => format!("there is no property `{name}`"),
        other => {
            let s = other.to_string();
            s.split(" (line ").next().unwrap_or(&s).to_string()
        }
    };
    RuleFailure {
        message,
        line: pos.line(),
        column: pos.position(),
    }
}

fn innermost_position(err: &EvalAltResult) -> Position {
    match err {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, pos) => {
            let p = innermost_position(inner);
            if p.is_none() {
                *pos
            } else {
                p
            }
        }
        other => other.position(),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Facts.

fn record_read(fact: FactRef, known: bool) {
    with_ctx(|c| c.current.reads.push(Read { fact, known }));
}

fn fact_child(obj: &FactObject, name: &str) -> RhaiResult<Dynamic> {
    let cat = catalogue();
    let parent = obj.fact.node as usize;
    let Some(child) = cat
        .child(parent, name)
        .filter(|&c| cat.node(c).is_some_and(|n| n.readable))
    else {
        let names: Vec<&str> = cat
            .child_names(parent)
            .into_iter()
            .filter(|n| *n != "notes" && *n != "$schema")
            .collect();
        let at = if parent == cat.root() {
            "the case".to_string()
        } else {
            format!("`{}`", obj.fact.pointer())
        };
        let hint = match did_you_mean(name, names.iter().copied()) {
            Some(s) => format!("; did you mean `{s}`?"),
            None => format!("; facts here are: {}", names.join(", ")),
        };
        return Err(error(format!("unknown fact `{name}` in {at}{hint}")));
    };
    let Some(node) = cat.node(child) else {
        return Err(error("internal error: fact catalogue"));
    };
    let fact = FactRef {
        node: child as u32,
        index: obj.fact.index,
    };
    if let FactType::Object(_) = node.ty {
        return Ok(Dynamic::from(FactObject { fact }));
    }
    // Read the value in place: no copy of the case, and a leaf converted only when read.
    let result = CTX.with(|c| {
        let c = c.borrow();
        let Some(ctx) = c.as_ref() else {
            return Err(error("rules can only run while a case is assessed"));
        };
        let overridden = ctx
            .overrides
            .iter()
            .find(|(f, _)| *f == fact)
            .map(|(_, v)| v);
        Ok(
            match (&node.ty, overridden.or_else(|| cat.value(&ctx.case, fact))) {
                (_, None | Some(Value::Null)) => (Dynamic::from(Unknown { fact }), false),
                (FactType::Array(item), Some(Value::Array(items))) => {
                    let item_ty = cat.node(*item).map(|n| &n.ty);
                    let arr: rhai::Array = items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| match item_ty {
                            Some(FactType::Object(_)) => Dynamic::from(FactObject {
                                fact: FactRef {
                                    node: *item as u32,
                                    index: i as u32,
                                },
                            }),
                            Some(ty) => json_leaf(v, ty),
                            None => Dynamic::UNIT,
                        })
                        .collect();
                    (Dynamic::from_array(arr), true)
                }
                (ty, Some(v)) => (json_leaf(v, ty), true),
            },
        )
    })?;
    record_read(fact, result.1);
    Ok(result.0)
}

/// A leaf value as rules see it: money (`number` in the schema) is always a float, so `60000 / 7128` divides
/// as numbers do, never as whole numbers.
fn json_leaf(v: &Value, ty: &FactType) -> Dynamic {
    match v {
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) if !n.is_f64() && *ty != FactType::Number => Dynamic::from_int(i),
            _ => Dynamic::from_float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Dynamic::from(s.clone()),
        _ => Dynamic::UNIT,
    }
}

fn register_facts(e: &mut Engine) {
    e.register_type_with_name::<FactObject>("Facts");
    e.register_type_with_name::<Unknown>("Unknown");
    e.register_type_with_name::<ParamsObject>("Params");
    e.register_indexer_get(|obj: &mut FactObject, name: &str| fact_child(obj, name));
    e.register_indexer_get(|u: &mut Unknown, _name: &str| -> RhaiResult<Dynamic> {
        Err(unknown_used(u))
    });
    e.register_indexer_get(|u: &mut Unknown, _i: rhai::INT| -> RhaiResult<Dynamic> {
        Err(unknown_used(u))
    });
    for op in ["==", "!=", "<", "<=", ">", ">="] {
        e.register_fn(op, |a: &mut Unknown, _b: Dynamic| -> RhaiResult<bool> {
            Err(unknown_used(a))
        });
        e.register_fn(op, |_a: Dynamic, b: Unknown| -> RhaiResult<bool> {
            Err(unknown_used(&b))
        });
    }
    for op in ["+", "-", "*", "/", "%", "**"] {
        e.register_fn(op, |a: &mut Unknown, _b: Dynamic| -> RhaiResult<Dynamic> {
            Err(unknown_used(a))
        });
        e.register_fn(op, |_a: Dynamic, b: Unknown| -> RhaiResult<Dynamic> {
            Err(unknown_used(&b))
        });
    }
    e.register_fn("!", |a: &mut Unknown| -> RhaiResult<bool> {
        Err(unknown_used(a))
    });
    e.register_fn("-", |a: &mut Unknown| -> RhaiResult<Dynamic> {
        Err(unknown_used(a))
    });
    e.register_fn("len", |a: &mut Unknown| -> RhaiResult<rhai::INT> {
        Err(unknown_used(a))
    });
    e.register_fn(
        "to_string",
        |a: &mut Unknown| -> RhaiResult<ImmutableString> { Err(unknown_used(a)) },
    );
    e.register_fn(
        "contains",
        |_arr: &mut rhai::Array, b: Unknown| -> RhaiResult<bool> { Err(unknown_used(&b)) },
    );
    // Explicit handling of unknown facts.
    // `known(x)` only asks: a later use of the same unknown still stops the rule and names it.
    e.register_fn("known", |v: Dynamic| -> bool {
        let unknown = v.read_lock::<Unknown>().map(|u| u.fact);
        match unknown {
            Some(fact) => {
                with_ctx(|c| c.current.defaulted.push(fact));
                false
            }
            None => true,
        }
    });
    e.register_fn("if_unknown", |v: Dynamic, default: Dynamic| -> Dynamic {
        let handled = v.read_lock::<Unknown>().map(|u| u.fact);
        match handled {
            Some(p) => {
                with_ctx(|c| {
                    c.current.handled.push(p);
                    c.current.defaulted.push(p);
                });
                default
            }
            None => v,
        }
    });
    // `presume(value)`: a bar's fact that the procuratorate must establish and the case leaves unknown is taken as
    // `value`, and the presumption is recorded so that the report lists it "to confirm before deciding".
    e.register_fn(
        "presume",
        |v: Dynamic, value: Dynamic| -> RhaiResult<Dynamic> {
            // Checked at run time too: a name built at run time (`Fn("pres" + "ume")`) escapes `check`.
            allowed_here("presume")?;
            let presumed = v.read_lock::<Unknown>().map(|u| u.fact);
            match presumed {
                Some(fact) => {
                    let json = to_json(&value)?;
                    with_ctx(|c| c.current.presumed.push((fact, json)));
                    Ok(value)
                }
                None => Ok(v),
            }
        },
    );
    e.register_fn("pointer", |f: &mut FactObject| -> ImmutableString {
        f.fact.pointer().into()
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Parameters.

fn province_fact() -> FactRef {
    static PROVINCE: std::sync::OnceLock<FactRef> = std::sync::OnceLock::new();
    *PROVINCE
        .get_or_init(|| FactRef::plain(catalogue().lookup("/jurisdiction/province").unwrap_or(0)))
}

fn param_value(name: &str) -> RhaiResult<Dynamic> {
    try_ctx(|c| {
        let params = Arc::clone(&c.params);
        if let Some(p) = params.get(name) {
            c.current.params.push(Arc::clone(&p.key));
        }
        // A province put in place of an unknown one (see `crate::assess::unknowns`) picks that province's values.
        let pf = province_fact();
        let province = c
            .overrides
            .iter()
            .find(|(f, _)| *f == pf)
            .and_then(|(_, v)| v.as_str())
            .or(c.province.as_deref());
        match params.lookup(name, c.date, province) {
            Lookup::Found(v) => Ok(v.dynamic.clone()),
            Lookup::NeedsProvince => {
                let p = province_fact();
                c.current.reads.push(Read {
                    fact: p,
                    known: false,
                });
                Err(stop_unknown(vec![p]))
            }
            Lookup::NoneInForce => {
                let file = params.get(name).map(|p| p.file.clone()).unwrap_or_default();
                Err(error(format!(
                    "parameter `{name}` has no value in force on {}{}: the policy does not cover this decision date; \
                     add a value to {file} (the case itself is valid)",
                    c.date,
                    c.province.as_deref().map(|p| format!(" for {p}")).unwrap_or_default()
                )))
            }
            Lookup::NoSuchParameter => {
                let hint = did_you_mean(name, params.names())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                Err(error(format!("unknown parameter `{name}`{hint}")))
            }
        }
    })
}

fn register_params(e: &mut Engine) {
    e.register_indexer_get(|_p: &mut ParamsObject, name: &str| param_value(name));
}

// ---------------------------------------------------------------------------------------------------------------
// The vocabulary rules conclude with.

/// Checks, without recursion, that a value a rule gives (in `met`, `step`, …) is nested at most
/// [`limits::MAX_VALUE_DEPTH`] deep, and counts its size (elements and string bytes) against what the rule may still
/// give in all ([`limits::MAX_VALUE_SIZE`]). rhai's own limits bound the length of one list or string, not the
/// depth of lists in lists, so a rule could otherwise build a value whose conversion overflows the stack or
/// writes hundreds of megabytes of JSON.
fn check_value_bounds(v: &Dynamic) -> RhaiResult<()> {
    let mut size = 0usize;
    measure(v, 1, &mut size)?;
    let total = with_ctx(|c| {
        c.current.value_size += size;
        c.current.value_size
    });
    if total > limits::MAX_VALUE_SIZE {
        return Err(too_large());
    }
    Ok(())
}

fn too_large() -> Box<EvalAltResult> {
    error(format!(
        "the rule gave values larger than {} elements and bytes in all",
        limits::MAX_VALUE_SIZE
    ))
}

/// Adds the size of `v` (at `depth`) to `size`; the recursion stops at [`limits::MAX_VALUE_DEPTH`].
fn measure(v: &Dynamic, depth: usize, size: &mut usize) -> RhaiResult<()> {
    if depth > limits::MAX_VALUE_DEPTH {
        return Err(error(format!(
            "the rule gave a value nested more than {} deep (lists or maps inside each other)",
            limits::MAX_VALUE_DEPTH
        )));
    }
    *size += 1;
    if let Some(s) = v.read_lock::<ImmutableString>() {
        *size += s.len();
    } else if let Some(arr) = v.read_lock::<rhai::Array>() {
        for x in arr.iter() {
            measure(x, depth + 1, size)?;
        }
    } else if let Some(map) = v.read_lock::<rhai::Map>() {
        for (k, x) in map.iter() {
            *size += k.len();
            measure(x, depth + 1, size)?;
        }
    }
    if *size > limits::MAX_VALUE_SIZE {
        return Err(too_large());
    }
    Ok(())
}

/// A value a rule gives, as JSON, once its depth and size are checked.
fn to_json(v: &Dynamic) -> RhaiResult<Value> {
    check_value_bounds(v)?;
    to_json_bounded(v)
}

/// A value of bounded depth as JSON (the recursion is as deep as the value: at most [`limits::MAX_VALUE_DEPTH`]).
fn to_json_bounded(v: &Dynamic) -> RhaiResult<Value> {
    if let Some(u) = v.read_lock::<Unknown>() {
        return Err(unknown_used(&u));
    }
    Ok(if v.is_unit() {
        Value::Null
    } else if let Ok(b) = v.as_bool() {
        Value::Bool(b)
    } else if let Ok(i) = v.as_int() {
        Value::from(i)
    } else if let Ok(f) = v.as_float() {
        serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    } else if let Some(s) = v.read_lock::<ImmutableString>() {
        Value::String(s.to_string())
    } else if let Some(arr) = v.read_lock::<rhai::Array>() {
        Value::Array(arr.iter().map(to_json_bounded).collect::<RhaiResult<_>>()?)
    } else if let Some(f) = v.read_lock::<FactObject>() {
        Value::String(f.fact.pointer())
    } else {
        Value::String(v.to_string())
    })
}

fn to_values(map: &rhai::Map) -> RhaiResult<BTreeMap<String, Value>> {
    map.iter()
        .map(|(k, v)| Ok((k.to_string(), to_json(v)?)))
        .collect()
}

fn conclude(c: Conclusion) -> RhaiResult<()> {
    try_ctx(|ctx| {
        if ctx.current.conclusion.is_some() {
            return Err(error(
                "the rule already reached a conclusion; call met(), not_met() or score() only once",
            ));
        }
        ctx.current.conclusion = Some(c);
        Ok(())
    })
}

fn effect(e: Effect) {
    with_ctx(|c| c.current.effects.push(e));
}

fn number(v: &Dynamic, what: &str) -> RhaiResult<f64> {
    if let Some(u) = v.read_lock::<Unknown>() {
        return Err(unknown_used(&u));
    }
    if let Ok(i) = v.as_int() {
        return Ok(i as f64);
    }
    v.as_float()
        .map_err(|_| error(format!("{what} must be a number, not {}", type_label(v))))
}

/// A number of the amount's arithmetic (`step`, `cap`, `check`, `threshold`, `recommend`): finite and at most
/// [`limits::MAX_AMOUNT`] in size, or the rule fails naming it (NaN would be written as `null`, and 1e300 cannot be
/// shown as a whole number of yuan).
fn money(v: &Dynamic, what: &str) -> RhaiResult<f64> {
    let x = number(v, what)?;
    if !x.is_finite() || x.abs() > limits::MAX_AMOUNT {
        let shown = if x.is_finite() {
            format!("{x:e}")
        } else {
            x.to_string()
        };
        return Err(error(format!(
            "{what} must be a finite number between -{max:e} and {max:e}, not {shown}",
            max = limits::MAX_AMOUNT
        )));
    }
    Ok(x)
}

/// Looks at the conclusion of an earlier rule without copying it: `f` gets it (or `None` if its stage did not run).
/// The facts that rule read count as read by this one; if it was undecided, this rule is undecided too.
fn with_outcome<R>(
    id: &str,
    f: impl FnOnce(Option<&Conclusion>) -> RhaiResult<R>,
) -> RhaiResult<R> {
    try_ctx(|c| {
        let Some(&i) = c.rule_ids.get(id) else {
            let hint = did_you_mean(id, c.rule_ids.keys().map(String::as_str))
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(error(format!("there is no rule `{id}`{hint}")));
        };
        if RUNNING
            .with(|r| r.get())
            .is_some_and(|running| i >= running)
        {
            return Err(error(format!(
                "rule `{id}` has not run yet (it is this rule or listed after it), so its outcome is not known; \
                 a rule may only read rules listed before it"
            )));
        }
        match c.runs.get(i).and_then(Option::as_ref) {
            // A rule listed before this one that has no result belongs to a stage that did not run for this case
            // (amount rules for a declined case).
            None => f(None),
            Some(RuleRun::Unknown { missing, .. }) => {
                c.current
                    .reads
                    .extend(missing.iter().map(|&fact| Read { fact, known: false }));
                Err(stop_unknown(missing.clone()))
            }
            Some(RuleRun::Concluded {
                conclusion, reads, ..
            }) => {
                c.current.reads.extend_from_slice(reads);
                f(Some(conclusion))
            }
        }
    })
}

/// `step(code, value[, values])`: records a step of the amount's arithmetic and gives the value back.
fn step_effect(code: &str, v: Dynamic, values: BTreeMap<String, Value>) -> RhaiResult<Dynamic> {
    let value = money(&v, "a step's value")?;
    effect(Effect::Step {
        code: code.into(),
        value,
        values,
    });
    Ok(v)
}

/// `cap(code, amount, limit[, values])`: records a cap and gives back the smaller of amount and limit.
fn cap_effect(
    code: &str,
    amount: Dynamic,
    limit: Dynamic,
    values: BTreeMap<String, Value>,
) -> RhaiResult<rhai::FLOAT> {
    let (amount, limit) = (money(&amount, "the amount")?, money(&limit, "the cap")?);
    let applied = amount > limit;
    effect(Effect::Cap {
        code: code.into(),
        amount,
        limit,
        applied,
        values,
    });
    Ok(amount.min(limit))
}

/// The stages in which a function of the vocabulary may be used; `None` for functions every stage may use.
/// Conclusions mean different things in different stages (`score` counts points in the priority stage, and would
/// count as met in an eligibility condition), so each is legal only where it means something.
pub(crate) fn vocabulary_stages(name: &str) -> Option<&'static [Stage]> {
    use Stage::*;
    Some(match name {
        "met" => &[Eligibility, Exclusions, Amount],
        "score" => &[Priority],
        "refer" => &[Referrals],
        "fast_track" | "require_approval" => &[Eligibility, Exclusions, Amount],
        "payment" | "co_recipient" | "step" | "cap" | "check" | "threshold" | "recommend" => {
            &[Amount]
        }
        "decision" => &[Priority, Amount, Referrals],
        "tier" | "priority_score" => &[Amount, Referrals],
        // Art. 8's bars are presumed absent until established; the conditions of assistance never are.
        "presume" => &[Exclusions],
        _ => return None,
    })
}

/// What to say when `name` is used in a stage where it is not legal.
pub(crate) fn not_in_stage(name: &str, stage: Stage, allowed: &[Stage]) -> String {
    let list: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
    format!(
        "`{name}` cannot be used in a rule of stage {}: it belongs to the {} stage{}",
        stage.as_str(),
        list.join(", "),
        if list.len() > 1 { "s" } else { "" }
    )
}

/// Refuses `name` when the running rule's stage may not use it.
fn allowed_here(name: &str) -> RhaiResult<()> {
    let Some(stage) = RUNNING_STAGE.with(|s| s.get()) else {
        return Ok(());
    };
    match vocabulary_stages(name) {
        Some(allowed) if !allowed.contains(&stage) => {
            Err(error(not_in_stage(name, stage, allowed)))
        }
        _ => Ok(()),
    }
}

fn register_vocabulary(e: &mut Engine) {
    e.register_fn("met", || {
        allowed_here("met")?;
        conclude(Conclusion::Met {
            points: None,
            values: BTreeMap::new(),
        })
    });
    e.register_fn("met", |m: rhai::Map| {
        allowed_here("met")?;
        conclude(Conclusion::Met {
            points: None,
            values: to_values(&m)?,
        })
    });
    e.register_fn("not_met", || {
        conclude(Conclusion::NotMet {
            values: BTreeMap::new(),
        })
    });
    e.register_fn("not_met", |m: rhai::Map| {
        conclude(Conclusion::NotMet {
            values: to_values(&m)?,
        })
    });
    e.register_fn("score", |p: rhai::INT| {
        allowed_here("score")?;
        conclude(Conclusion::Met {
            points: Some(p),
            values: BTreeMap::new(),
        })
    });
    e.register_fn("score", |p: rhai::INT, m: rhai::Map| {
        allowed_here("score")?;
        conclude(Conclusion::Met {
            points: Some(p),
            values: to_values(&m)?,
        })
    });
    e.register_fn("refer", |service: &str, agency: &str| {
        allowed_here("refer")?;
        effect(Effect::Referral {
            service: service.into(),
            agency: agency.into(),
        });
        conclude(Conclusion::Met {
            points: None,
            values: BTreeMap::new(),
        })
    });
    e.register_fn("refer", |service: &str, agency: &str, m: rhai::Map| {
        allowed_here("refer")?;
        effect(Effect::Referral {
            service: service.into(),
            agency: agency.into(),
        });
        conclude(Conclusion::Met {
            points: None,
            values: to_values(&m)?,
        })
    });
    e.register_fn("fast_track", || -> RhaiResult<()> {
        allowed_here("fast_track")?;
        effect(Effect::FastTrack);
        Ok(())
    });
    e.register_fn("require_approval", |code: &str| -> RhaiResult<()> {
        allowed_here("require_approval")?;
        const CODES: [&str; 4] = [
            "collective_decision",
            "over_36_months",
            "reassistance",
            "joint_assistance",
        ];
        if !CODES.contains(&code) {
            return Err(error(format!(
                "unknown approval `{code}`; approvals are {}",
                CODES.join(", ")
            )));
        }
        effect(Effect::Approval(code.into()));
        Ok(())
    });
    e.register_fn("payment", |mode: &str| -> RhaiResult<()> {
        allowed_here("payment")?;
        if mode != "one_off" && mode != "supervised_instalments" {
            return Err(error(format!(
                "unknown payment `{mode}`; use \"one_off\" or \"supervised_instalments\""
            )));
        }
        effect(Effect::Payment(mode.into()));
        Ok(())
    });
    e.register_fn("co_recipient", |d: FactObject| -> RhaiResult<()> {
        allowed_here("co_recipient")?;
        effect(Effect::CoRecipient(d.fact));
        Ok(())
    });
    e.register_fn("step", |code: &str, v: Dynamic| {
        allowed_here("step")?;
        step_effect(code, v, BTreeMap::new())
    });
    e.register_fn("step", |code: &str, v: Dynamic, m: rhai::Map| {
        allowed_here("step")?;
        step_effect(code, v, to_values(&m)?)
    });
    e.register_fn("cap", |code: &str, amount: Dynamic, limit: Dynamic| {
        allowed_here("cap")?;
        cap_effect(code, amount, limit, BTreeMap::new())
    });
    e.register_fn(
        "cap",
        |code: &str, amount: Dynamic, limit: Dynamic, m: rhai::Map| {
            allowed_here("cap")?;
            cap_effect(code, amount, limit, to_values(&m)?)
        },
    );
    e.register_fn(
        "check",
        |code: &str, amount: Dynamic, limit: Dynamic| -> RhaiResult<bool> {
            allowed_here("check")?;
            let (amount, limit) = (money(&amount, "the amount")?, money(&limit, "the limit")?);
            let exceeded = amount > limit;
            effect(Effect::Check {
                code: code.into(),
                amount,
                limit,
                exceeded,
                values: BTreeMap::new(),
            });
            Ok(exceeded)
        },
    );
    e.register_fn(
        "threshold",
        |code: &str, amount: Dynamic, limit: Dynamic| -> RhaiResult<bool> {
            allowed_here("threshold")?;
            let (amount, limit) = (
                money(&amount, "the amount")?,
                money(&limit, "the threshold")?,
            );
            let reached = amount >= limit;
            effect(Effect::Check {
                code: code.into(),
                amount,
                limit,
                exceeded: reached,
                values: BTreeMap::new(),
            });
            Ok(reached)
        },
    );
    e.register_fn("recommend", |amount: Dynamic| -> RhaiResult<()> {
        allowed_here("recommend")?;
        let a = money(&amount, "the recommended amount")?;
        if !a.is_finite() || a < 0.0 {
            return Err(error(format!(
                "the recommended amount must be a finite number ≥ 0, not {a}"
            )));
        }
        effect(Effect::Recommend(a));
        conclude(Conclusion::Met {
            points: None,
            values: BTreeMap::new(),
        })
    });
    // Reading earlier conclusions.
    e.register_fn("fired", |id: &str| -> RhaiResult<bool> {
        with_outcome(id, |c| Ok(matches!(c, Some(Conclusion::Met { .. }))))
    });
    e.register_fn("value_of", |id: &str, key: &str| -> RhaiResult<Dynamic> {
        with_outcome(id, |c| {
            let value = match c {
                Some(Conclusion::Met { values, .. } | Conclusion::NotMet { values }) => {
                    values.get(key)
                }
                None => None,
            };
            match value {
                Some(v) => Ok(json_leaf(v, &FactType::Integer)),
                None => Err(error(format!("rule `{id}` gave no value `{key}`"))),
            }
        })
    });
    e.register_fn("decision", || -> RhaiResult<ImmutableString> {
        try_ctx(|c| {
            c.decision
                .map(ImmutableString::from)
                .ok_or_else(|| error("the decision is made after the exclusions stage"))
        })
    });
    e.register_fn("tier", || -> RhaiResult<ImmutableString> {
        try_ctx(|c| {
            c.tier
                .map(ImmutableString::from)
                .ok_or_else(|| error("the tier is known after the priority stage"))
        })
    });
    e.register_fn("priority_score", || -> RhaiResult<rhai::INT> {
        try_ctx(|c| {
            c.score
                .ok_or_else(|| error("the score is known after the priority stage"))
        })
    });
    // Arithmetic helpers for money.
    e.register_fn(
        "round_up_to",
        |x: rhai::FLOAT, unit: rhai::INT| -> RhaiResult<rhai::FLOAT> {
            if unit <= 0 {
                return Err(error("round_up_to needs a positive unit"));
            }
            let u = unit as f64;
            Ok(((x / u) - 1e-9).ceil() * u)
        },
    );
    e.register_fn(
        "round_to",
        |x: rhai::FLOAT, unit: rhai::INT| -> RhaiResult<rhai::FLOAT> {
            if unit <= 0 {
                return Err(error("round_to needs a positive unit"));
            }
            let u = unit as f64;
            Ok((x / u).round() * u)
        },
    );
    e.register_fn(
        "clamp",
        |x: Dynamic, lo: Dynamic, hi: Dynamic| -> RhaiResult<rhai::FLOAT> {
            Ok(number(&x, "clamp's value")?
                .max(number(&lo, "clamp's low end")?)
                .min(number(&hi, "clamp's high end")?))
        },
    );
    e.register_fn("min", |a: Dynamic, b: Dynamic| -> RhaiResult<rhai::FLOAT> {
        Ok(number(&a, "min's first value")?.min(number(&b, "min's second value")?))
    });
    e.register_fn("max", |a: Dynamic, b: Dynamic| -> RhaiResult<rhai::FLOAT> {
        Ok(number(&a, "max's first value")?.max(number(&b, "max's second value")?))
    });
    e.register_fn(
        "round_up_to",
        |x: rhai::INT, unit: rhai::INT| -> RhaiResult<rhai::FLOAT> {
            if unit <= 0 {
                return Err(error("round_up_to needs a positive unit"));
            }
            Ok(((x as f64) / unit as f64).ceil() * unit as f64)
        },
    );
    e.register_fn(
        "round_to",
        |x: rhai::INT, unit: rhai::INT| -> RhaiResult<rhai::FLOAT> {
            if unit <= 0 {
                return Err(error("round_to needs a positive unit"));
            }
            Ok(((x as f64) / unit as f64).round() * unit as f64)
        },
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Static checks of a compiled rule.

/// Describes a parse error in words for analysts.
pub fn describe_parse_error(e: &rhai::ParseError) -> String {
    let s = e.0.to_string();
    if let rhai::ParseErrorType::VariableUndefined(name) = e.0.as_ref() {
        return format!("unknown variable `{name}`; rules read `facts` and `params`, and variables they define with `let`");
    }
    if s.contains("'switch' is a reserved keyword") {
        return "`switch` is not available in rules; use if / else if".into();
    }
    format!("syntax error: {s}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a rule's text (without the static checks, which refuse `try`) on a case with no facts.
    fn run_unchecked(text: &str) -> Option<RuleRun> {
        let sandbox = Sandbox::new();
        let ast = sandbox.compile(text).ok()?;
        let ast = sandbox.optimize(ast);
        let ctx = EvalCtx {
            case: Arc::new(serde_json::json!({})),
            params: Arc::new(Parameters::new(BTreeMap::new())),
            date: jiff::civil::date(2022, 1, 1),
            province: None,
            rule_ids: Arc::new(BTreeMap::from([("eligibility.rule".to_string(), 0)])),
            stages: Arc::from(vec![Stage::Eligibility]),
            runs: vec![None],
            decision: None,
            tier: None,
            score: None,
            overrides: Vec::new(),
            ops_total: 0,
            started: std::time::Instant::now(),
            current: Current::default(),
        };
        let mut scope = base_scope();
        let (result, ctx) = with_case(ctx, || sandbox.run_rule(0, &ast, &mut scope))?;
        result.ok()?;
        ctx.runs.into_iter().next().flatten()
    }

    #[test]
    fn an_unknown_fact_caught_by_try_still_makes_the_rule_unknown() {
        let run = run_unchecked(
            "let x = 0; try { x = facts.applicant.age + 1; } catch { x = 5; } met(#{ x: x })",
        );
        assert!(
            matches!(&run, Some(RuleRun::Unknown { missing, .. }) if missing.len() == 1),
            "{run:?}"
        );
    }
}
