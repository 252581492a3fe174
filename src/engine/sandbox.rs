//! The one sandboxed rhai engine and the running of one rule in it. [`Sandbox::new`] is the only place an
//! [`Engine`] is made: every limit of `engine::limits` set explicitly (rhai's defaults differ between debug and
//! release builds), strict variables, no modules, no clock, no printing, `switch` and `eval` disabled,
//! comparisons between values of different types made errors instead of a silent `false`, then the facts, the
//! parameters and the vocabulary registered. Built once by `policy` (which compiles every rule in it) and shared
//! read-only; `assess` runs rules through [`Sandbox::run_rule`].

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use rhai::{Dynamic, Engine, EvalAltResult, ImmutableString, Scope, AST};

use crate::engine::context::{set_running, with_ctx, with_eval_ctx, Current, RuleRun};
use crate::engine::facts::{
    self, take_raised, type_label, FactObject, ParamsObject, UnknownSignal,
};
use crate::engine::failure::{
    innermost, refuse, FailureKind, RhaiResult, RuleFailure, TimeBudgetSignal,
};
use crate::engine::limits;
use crate::engine::memo;
use crate::engine::params::register_params;
use crate::engine::profile;
use crate::engine::vocabulary::VocabularyPackage;
use crate::model::facts::FactRef;

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

thread_local! {
    /// When the rule running on this thread started.
    static RULE_STARTED: Cell<Option<std::time::Instant>> = const { Cell::new(None) };
    /// rhai's runtime state and caches, kept per thread and sandbox across rules and cases: function resolution is
    /// cached once instead of for every rule.
    static RUNTIME: RefCell<Option<(u64, rhai::GlobalRuntimeState, rhai::Caches)>> = const { RefCell::new(None) };
}

/// Called by rhai's progress callback: whether the rule running on this thread has used up its time.
fn time_budget_exceeded(ops: u64) -> bool {
    ops % limits::TIME_CHECK_EVERY == 0
        && RULE_STARTED.with(|s| s.get().is_some_and(|t| t.elapsed() > limits::MAX_RULE_TIME))
}

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

/// Makes every comparison between two different types of the list an error ("cannot compare a string with a
/// list"), except between the two kinds of number.
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
                    Err(refuse(
                        FailureKind::TypeMismatch,
                        format!("cannot compare {} with {}", type_label(&a), type_label(&b)),
                    ))
                });
            }
        }
    };
}

/// `array.contains(value)` (and `value in array`) as rhai's own: each element compared with `==`, a missing `==`
/// between two different types read as false, so that comparing different types is refused as everywhere else.
/// rhai's own looks `==` up afresh for every element (a fresh cache each time: about a fiftieth of all the
/// assessment's work); an element of `value`'s own plain type (string, whole number, number, true/false,
/// character) is compared here as `==` compares it.
fn register_contains(e: &mut Engine) {
    e.register_fn(
        "contains",
        |ctx: rhai::NativeCallContext,
         array: &mut rhai::Array,
         value: Dynamic|
         -> RhaiResult<bool> {
            for item in array.iter_mut() {
                let equal = match plain_equal(item, &value) {
                    Some(eq) => eq,
                    None => ctx
                        .call_native_fn_raw("==", true, &mut [item, &mut value.clone()])
                        .or_else(|err| match *err {
                            EvalAltResult::ErrorFunctionNotFound(ref sig, ..)
                                if sig.starts_with("==") =>
                            {
                                if item.type_id() == value.type_id() {
                                    Err(err)
                                } else {
                                    Ok(Dynamic::FALSE)
                                }
                            }
                            _ => Err(err),
                        })?
                        .as_bool()
                        .unwrap_or(false),
                };
                if equal {
                    return Ok(true);
                }
            }
            Ok(false)
        },
    );
}

/// `a == b` for two values of the same plain type, as rhai's built-in `==` gives it; nothing for any other pair.
fn plain_equal(a: &Dynamic, b: &Dynamic) -> Option<bool> {
    if a.is_shared() || b.is_shared() {
        return None;
    }
    if a.is_string() && b.is_string() {
        let (x, y) = (
            a.as_immutable_string_ref().ok()?,
            b.as_immutable_string_ref().ok()?,
        );
        return Some(*x == *y);
    }
    if let (Ok(x), Ok(y)) = (a.as_int(), b.as_int()) {
        return Some(x == y);
    }
    if let (Ok(x), Ok(y)) = (a.as_float(), b.as_float()) {
        return Some(x == y);
    }
    if let (Ok(x), Ok(y)) = (a.as_bool(), b.as_bool()) {
        return Some(x == y);
    }
    if let (Ok(x), Ok(y)) = (a.as_char(), b.as_char()) {
        return Some(x == y);
    }
    None
}

fn is_number<T: 'static>() -> bool {
    std::any::TypeId::of::<T>() == std::any::TypeId::of::<rhai::INT>()
        || std::any::TypeId::of::<T>() == std::any::TypeId::of::<rhai::FLOAT>()
}

impl Sandbox {
    /// Builds the sandboxed engine. This is the only place an [`Engine`] is made.
    pub fn new() -> Self {
        use rhai::packages::Package;
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

        register_contains(&mut e);
        facts::register_facts(&mut e);
        register_params(&mut e);
        VocabularyPackage::new().register_into_engine(&mut e);
        Sandbox {
            engine: e,
            id: NEXT_SANDBOX.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Gives each of the policy's parameter `names` a getter of its own on `params`, before any rule runs (the
    /// engine's function resolution is then at its fastest; the indexer alone gives the same values).
    pub fn name_parameters<'a>(&mut self, names: impl Iterator<Item = &'a str>) {
        crate::engine::params::register_parameter_getters(&mut self.engine, names);
    }

    /// Compiles a rule's text, unoptimised (for the static checks). `facts` and `params` are the only variables
    /// in scope.
    ///
    /// ```
    /// let sandbox = assessor::engine::Sandbox::new();
    /// assert!(sandbox.compile("if facts.applicant.age >= 18 { met() } else { not_met() }").is_ok());
    /// // Variables are strict: a name the rule did not define is an error before anything runs.
    /// assert!(sandbox.compile("if income > 0 { met() } else { not_met() }").is_err());
    /// ```
    pub fn compile(&self, text: &str) -> Result<AST, rhai::ParseError> {
        let scope = base_scope();
        self.engine.compile_with_scope(&scope, text)
    }

    /// The optimised form of a checked AST, which is what runs.
    pub fn optimize(&self, ast: AST) -> AST {
        self.engine
            .optimize_ast(&Scope::new(), ast, rhai::OptimizationLevel::Simple)
    }

    /// The engine itself, read-only: the static checks list the functions it provides, and tests read its limits.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Evaluates a rule's statements with this thread's runtime state; the operation limit counts per rule. Also
    /// gives the time it took, from the instant the time budget counts from.
    fn eval(
        &self,
        ast: &AST,
        scope: &mut Scope<'static>,
    ) -> (Result<Dynamic, Box<EvalAltResult>>, std::time::Duration) {
        let started = std::time::Instant::now();
        RULE_STARTED.with(|s| s.set(Some(started)));
        let r = self.eval_timed(ast, scope);
        RULE_STARTED.with(|s| s.set(None));
        (r, started.elapsed())
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
                return Err(refuse(
                    FailureKind::Internal,
                    "internal error: runtime state",
                ));
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

    /// Runs one rule (index `index` of the policy) against the installed case context, and stores its
    /// [`RuleRun`] there; `Err` when it failed for a reason other than unknown facts.
    pub(crate) fn run_rule(
        &self,
        index: usize,
        ast: &AST,
        scope: &mut Scope<'static>,
    ) -> Result<(), RuleFailure> {
        // The memo: a rule that observes what it observed before concludes as before (see `memo`).
        let policy = with_ctx(|c| c.memo);
        let memo_id = policy.filter(|_| memo::enabled());
        if let Some(id) = memo_id {
            if let Some(Some((run, ops))) = with_eval_ctx(|c| memo::get(id, index, c)) {
                profile::answered(id, index);
                with_ctx(|c| {
                    c.ops_total = c.ops_total.saturating_add(ops);
                    if let Some(slot) = c.runs.get_mut(index) {
                        *slot = Some(run);
                    }
                });
                return Ok(());
            }
        }
        let ops_before = with_ctx(|c| c.ops_total);
        with_ctx(|c| {
            c.current = Current::default();
            c.current.recording = memo_id.is_some();
        });
        take_raised();
        let len = scope.len();
        let stage = with_ctx(|c| c.stages.get(index).copied());
        set_running(Some(index), stage);
        let (result, took) = self.eval(ast, scope);
        set_running(None, None);
        let ops = with_ctx(|c| c.ops_total).saturating_sub(ops_before);
        if let Some(id) = policy {
            profile::evaluated(id, index, took, ops);
        }
        let failed = |failure: RuleFailure| {
            if let Some(id) = policy {
                profile::failed(id, index);
            }
            Err(failure)
        };
        scope.rewind(len);
        let current = with_ctx(|c| std::mem::take(&mut c.current));
        let raised = take_raised();
        let run = Arc::new(match result {
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
                    return failed(RuleFailure::whole_rule(
                        FailureKind::NoConclusion,
                        "the rule ended without a conclusion: call met(), not_met(), score(…) or refer(…)",
                    ))
                }
            },
            Err(err) => match classify(&err, &current) {
                Some(missing) => RuleRun::Unknown {
                    missing: dedup(missing),
                    reads: dedup(current.reads),
                    params: dedup(current.params),
                },
                None => return failed(RuleFailure::from_rhai(&err)),
            },
        });
        if let Some(id) = memo_id {
            memo::put(id, index, &current.trace, &current.trace_bytes, &run, ops);
        }
        with_ctx(|c| {
            if let Some(slot) = c.runs.get_mut(index) {
                *slot = Some(run);
            }
        });
        Ok(())
    }
}

/// The scope every rule starts with: `facts` (the case) and `params` (the policy's parameters), both constant.
pub(crate) fn base_scope() -> Scope<'static> {
    let mut scope = Scope::new();
    scope.push_constant("facts", facts::root());
    scope.push_constant("params", ParamsObject);
    scope
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
    // rhai's own errors for a use of an `Unknown` no registered function covers: their text names its type.
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::*;
    use crate::engine::context::{with_case, EvalCtx};
    use crate::model::codes::Stage;
    use crate::model::params::Parameters;

    /// Runs a rule's text (without the static checks, which refuse `try`) on a case with no facts.
    fn run_unchecked(text: &str) -> Option<RuleRun> {
        let (result, ctx) = run_as(text, Stage::Eligibility)?;
        result.ok()?;
        ctx.runs
            .into_iter()
            .next()
            .flatten()
            .map(Arc::unwrap_or_clone)
    }

    /// Runs a rule's text as the one rule of `stage`, on a case with no facts: how it ended, and the context.
    fn run_as(text: &str, stage: Stage) -> Option<(Result<(), RuleFailure>, EvalCtx)> {
        let sandbox = Sandbox::new();
        let ast = sandbox.compile(text).ok()?;
        let ast = sandbox.optimize(ast);
        let ctx = EvalCtx::new(
            Arc::new(serde_json::json!({})),
            Arc::new(Parameters::new(BTreeMap::new())),
            jiff::civil::date(2022, 1, 1),
            None,
            Arc::new(BTreeMap::from([("eligibility.rule".to_string(), 0)])),
            Arc::from(vec![stage]),
            None,
        );
        let mut scope = base_scope();
        with_case(ctx, || sandbox.run_rule(0, &ast, &mut scope))
    }

    #[test]
    fn an_effect_carries_its_code_and_an_unknown_code_fails_with_the_codes_as_help() {
        use crate::engine::context::{Conclusion, Effect};
        use crate::model::codes::{Approval, Payment};
        let run = run_as(
            "payment(\"supervised_instalments\"); require_approval(\"over_36_months\"); met()",
            Stage::Amount,
        )
        .and_then(|(_, ctx)| {
            ctx.runs
                .into_iter()
                .next()
                .flatten()
                .map(Arc::unwrap_or_clone)
        });
        assert!(
            matches!(&run, Some(RuleRun::Concluded { conclusion: Conclusion::Met { .. }, effects, .. })
                if effects[..] == [Effect::Payment(Payment::SupervisedInstalments),
                                   Effect::Approval(Approval::Over36Months)]),
            "{run:?}"
        );
        for (text, message, help) in [
            (
                "payment(\"one_of\"); met()",
                "unknown payment `one_of`",
                "did you mean `one_off`?",
            ),
            (
                "payment(\"monthly\"); met()",
                "unknown payment `monthly`",
                "payments are: one_off, supervised_instalments",
            ),
        ] {
            let failure = run_as(text, Stage::Amount).and_then(|(r, _)| r.err());
            assert_eq!(
                failure.map(|f| (f.kind, f.message, f.help)),
                Some((
                    FailureKind::UnknownCode,
                    message.to_string(),
                    Some(help.to_string())
                )),
                "{text}"
            );
        }
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
