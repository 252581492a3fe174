//! Unknown facts that do not matter, and what the ones that do could still change.
//!
//! A rule that reads a fact the case leaves unknown stops as *unknown* (see `engine`). That is only where the
//! question starts: the conclusion may be the same whatever the fact is (`disability` unknown when
//! `serious_illness` is already true; household size unknown when the household's income is nil). `settle_rule`
//! puts each plausible value of the unknown fact in its place and evaluates the rule again; where it stops on a
//! second unknown, the values of both are combined, and so on up to [`bounds::RULE_FACTS`] facts and
//! [`bounds::RULE_RUNS`] evaluations. When every combination reaches the same conclusion (outcome, values,
//! points, effects and presumptions), the rule concludes and its finding lists the unknowns that did not matter;
//! past the bounds, or at the first combination that concludes differently, it stays unknown, as before.
//!
//! The plausible values of a fact (`plausible`): both truth values; every allowed value of a choice; for a
//! number, the schema's bounds, every number written in the rule and in the parameters it read with one either
//! side of it, and a grid of round figures (amounts of money from ¥0 to ¥10 billion, counts and ages from 0 to
//! 130). A list, an object or free text has no plausible values: a rule that needs one stays unknown.
//!
//! The search costs nothing for a case whose rules all conclude: it only starts when a rule stops as unknown.
//! The same enumeration is used by `assess` for the decision (is it the same for every combination of the facts
//! the undecided eligibility and exclusion rules need?) and for the amount and tier ranges.

use rhai::{ASTNode, Expr, Scope};
use serde_json::Value;

use crate::engine::{self, Read, RuleRun};
use crate::model::facts::{catalogue, FactRef, FactType};
use crate::model::params::Lookup;
use crate::policy::Policy;

/// How far the search for unknowns that do not matter goes.
pub mod bounds {
    /// Unknown facts combined for one rule; past this the rule stays unknown.
    pub const RULE_FACTS: usize = 3;
    /// Evaluations of one rule while asking whether its unknowns matter.
    pub const RULE_RUNS: usize = 400;
    /// Unknown facts combined when asking whether the decision is settled.
    pub const DECISION_FACTS: usize = 6;
    /// Evaluations of the eligibility and exclusion stages when asking whether the decision is settled.
    pub const DECISION_SCENARIOS: usize = 96;
    /// Unknown facts combined for the range of the amount and the tiers reachable.
    pub const SPREAD_FACTS: usize = 4;
    /// Assessments of the case for the range of the amount and the tiers reachable.
    pub const SPREAD_SCENARIOS: usize = 64;
    /// Operations all rule evaluations of one case may run before the searches stop (deterministic: the same
    /// case and policy stop at the same point). A search cut short leaves its rule unknown, the decision open or
    /// the range open, as past the other bounds.
    pub const CASE_OPERATIONS: u64 = 5_000_000;
    /// Wall-clock time after which the searches of one case stop, whatever the operations: a safety net for rules
    /// whose single operations are slow. Unlike the operations budget it depends on the machine's load, and an
    /// ordinary policy never reaches it.
    pub const CASE_TIME: std::time::Duration = std::time::Duration::from_secs(2);
}

/// Whether the case's budget for searches over unknowns is spent.
pub(crate) fn exhausted() -> bool {
    engine::with_eval_ctx(|c| {
        c.ops_total > bounds::CASE_OPERATIONS || c.started.elapsed() > bounds::CASE_TIME
    })
    .unwrap_or(true)
}

/// Round figures tried for a sum of money.
const MONEY_GRID: [f64; 26] = [
    0.0,
    1.0,
    100.0,
    300.0,
    500.0,
    800.0,
    1_000.0,
    1_500.0,
    2_000.0,
    2_500.0,
    3_000.0,
    4_000.0,
    5_000.0,
    6_000.0,
    8_000.0,
    10_000.0,
    15_000.0,
    20_000.0,
    30_000.0,
    50_000.0,
    100_000.0,
    200_000.0,
    500_000.0,
    1_000_000.0,
    10_000_000.0,
    10_000_000_000.0,
];

/// Round figures tried for a count or an age.
const COUNT_GRID: [i64; 24] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 18, 20, 25, 30, 40, 50, 60, 70, 80, 100, 130,
];

/// The numbers written in a rule (constants of its syntax tree).
pub(crate) fn numbers_in(ast: &rhai::AST) -> Vec<f64> {
    let mut out = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Expr(Expr::IntegerConstant(i, _))) => out.push(*i as f64),
            Some(ASTNode::Expr(Expr::FloatConstant(f, _))) => out.push(**f),
            _ => {}
        }
        true
    });
    out
}

/// The numbers of the parameters a rule read, as in force for the case (tables: their numbers one level down).
pub(crate) fn numbers_of_params(
    policy: &Policy,
    names: &[std::sync::Arc<str>],
    date: jiff::civil::Date,
    province: Option<&str>,
) -> Vec<f64> {
    let mut out = Vec::new();
    for name in names {
        if let Lookup::Found(v) = policy.params.lookup(name, date, province) {
            match &v.value {
                Value::Number(n) => out.extend(n.as_f64()),
                Value::Object(m) => out.extend(m.values().filter_map(Value::as_f64)),
                Value::Array(a) => out.extend(a.iter().filter_map(Value::as_f64)),
                _ => {}
            }
        }
    }
    out
}

/// The values worth trying for an unknown fact, given the numbers the rules that need it can distinguish. Empty when
/// the fact cannot be enumerated.
pub(crate) fn plausible(fact: FactRef, numbers: &[f64]) -> Vec<Value> {
    let cat = catalogue();
    let Some(node) = cat.node(fact.node as usize) else {
        return Vec::new();
    };
    let (lo, hi) = node.bounds;
    let within = |x: f64| lo.is_none_or(|l| x >= l) && hi.is_none_or(|h| x <= h) && x >= 0.0;
    match &node.ty {
        FactType::Boolean => vec![Value::Bool(false), Value::Bool(true)],
        FactType::String { choices } => choices.iter().map(|c| Value::String(c.clone())).collect(),
        FactType::Integer => {
            let mut xs: Vec<i64> = COUNT_GRID.to_vec();
            xs.extend(lo.map(|l| l as i64));
            xs.extend(hi.map(|h| h as i64));
            for n in numbers.iter().filter(|n| n.is_finite() && n.abs() < 1e9) {
                let c = n.round() as i64;
                xs.extend([c - 1, c, c + 1, n.floor() as i64, n.ceil() as i64]);
            }
            xs.retain(|&x| within(x as f64));
            xs.sort_unstable();
            xs.dedup();
            xs.into_iter().map(Value::from).collect()
        }
        FactType::Number => {
            let mut xs: Vec<f64> = MONEY_GRID.to_vec();
            xs.extend(lo);
            for &n in numbers.iter().filter(|n| n.is_finite()) {
                xs.extend([n - 1.0, n, n + 1.0]);
            }
            xs.retain(|&x| within(x));
            xs.sort_by(f64::total_cmp);
            xs.dedup();
            xs.into_iter()
                .filter_map(|x| serde_json::Number::from_f64(x).map(Value::Number))
                .collect()
        }
        FactType::Object(_) | FactType::Array(_) => Vec::new(),
    }
}

/// Whether a fact is one the search can put values in place of.
pub(crate) fn enumerable(fact: FactRef) -> bool {
    catalogue().node(fact.node as usize).is_some_and(|n| {
        matches!(
            n.ty,
            FactType::Boolean | FactType::Integer | FactType::Number
        ) || matches!(&n.ty, FactType::String { choices } if !choices.is_empty())
    })
}

/// Sets the facts put in place of unknowns for the evaluations that follow.
pub(crate) fn set_overrides(overrides: Vec<(FactRef, Value)>) {
    engine::with_eval_ctx(|c| c.overrides = overrides);
}

fn current_overrides() -> Vec<(FactRef, Value)> {
    engine::with_eval_ctx(|c| c.overrides.clone()).unwrap_or_default()
}

fn take_run(index: usize) -> Option<RuleRun> {
    engine::with_eval_ctx(|c| c.runs.get_mut(index).and_then(Option::take)).flatten()
}

fn put_run(index: usize, run: RuleRun) {
    engine::with_eval_ctx(|c| {
        if let Some(slot) = c.runs.get_mut(index) {
            *slot = Some(run);
        }
    });
}

/// The search over one rule's unknown facts: every combination of their plausible values, depth first, within the
/// bounds; the unknowns enumerated so far.
struct Search<'a> {
    policy: &'a Policy,
    index: usize,
    base: Vec<(FactRef, Value)>,
    numbers: Vec<f64>,
    runs: usize,
    enumerated: Vec<FactRef>,
}

impl<'a> Search<'a> {
    /// A search of rule `index`, whose unknown result read the parameters `params`.
    fn new(
        policy: &'a Policy,
        index: usize,
        params: &[std::sync::Arc<str>],
        date: jiff::civil::Date,
        province: Option<&str>,
    ) -> Option<Self> {
        let rule = policy.rules.get(index)?;
        let mut numbers = numbers_in(&rule.ast);
        numbers.extend(numbers_of_params(policy, params, date, province));
        Some(Search {
            policy,
            index,
            base: current_overrides(),
            numbers,
            runs: 0,
            enumerated: Vec::new(),
        })
    }

    /// Whether every combination below `run` (the rule's result with `assign` in place) was tried: `leaf` sees each
    /// conclusion and says whether to go on. False past the bounds, when a value makes the rule fail, or when `leaf`
    /// stops the search.
    fn explore(
        &mut self,
        run: RuleRun,
        assign: &mut Vec<(FactRef, Value)>,
        scope: &mut Scope<'static>,
        leaf: &mut dyn FnMut(RuleRun) -> bool,
    ) -> bool {
        let RuleRun::Unknown { missing, .. } = run else {
            return leaf(run);
        };
        if assign.len() >= bounds::RULE_FACTS {
            return false;
        }
        let Some(&fact) = missing
            .iter()
            .find(|f| !assign.iter().any(|(a, _)| a == *f))
        else {
            return false;
        };
        if !enumerable(fact) {
            return false;
        }
        let values = plausible(fact, &self.numbers);
        if values.is_empty() {
            return false;
        }
        for value in values {
            if self.runs >= bounds::RULE_RUNS || exhausted() {
                return false;
            }
            self.runs += 1;
            assign.push((fact, value));
            let mut overrides = self.base.clone();
            overrides.extend(assign.iter().cloned());
            set_overrides(overrides);
            let Some(rule) = self.policy.rules.get(self.index) else {
                return false;
            };
            // A rule that fails for a value the case does not have is not settled by it.
            let ran = self.policy.sandbox.run_rule(self.index, &rule.ast, scope);
            let next = take_run(self.index);
            let ok = match (ran, next) {
                (Ok(()), Some(next)) => self.explore(next, assign, scope, leaf),
                _ => false,
            };
            assign.pop();
            if !ok {
                return false;
            }
        }
        if !self.enumerated.contains(&fact) {
            self.enumerated.push(fact);
        }
        true
    }

    /// Puts back the overrides the search started from.
    fn finish(&self) {
        set_overrides(self.base.clone());
    }
}

/// Whether two results conclude the same: outcome, values, points, effects and presumptions.
fn same_conclusion(a: &RuleRun, b: &RuleRun) -> bool {
    match (a, b) {
        (
            RuleRun::Concluded {
                conclusion: ca,
                effects: ea,
                presumed: pa,
                ..
            },
            RuleRun::Concluded {
                conclusion: cb,
                effects: eb,
                presumed: pb,
                ..
            },
        ) => ca == cb && ea == eb && pa == pb,
        _ => false,
    }
}

/// If rule `index` stopped as unknown, asks whether its conclusion depends on the unknowns it read, and if not,
/// replaces its result by that conclusion, listing the unknowns as immaterial.
pub(crate) fn settle_rule(
    policy: &Policy,
    index: usize,
    scope: &mut Scope<'static>,
    date: jiff::civil::Date,
    province: Option<&str>,
) {
    let Some(original) = take_run(index) else {
        return;
    };
    let RuleRun::Unknown { params, .. } = &original else {
        put_run(index, original);
        return;
    };
    let Some(mut search) = Search::new(policy, index, params, date, province) else {
        put_run(index, original);
        return;
    };
    let mut first: Option<RuleRun> = None;
    let settled = search.explore(
        original.clone(),
        &mut Vec::new(),
        scope,
        &mut |run| match &first {
            None => {
                first = Some(run);
                true
            }
            Some(f) => same_conclusion(f, &run),
        },
    );
    search.finish();
    let run = match (settled, first) {
        (
            true,
            Some(RuleRun::Concluded {
                conclusion,
                effects,
                mut reads,
                params,
                presumed,
                defaulted,
                ..
            }),
        ) => {
            for r in reads.iter_mut() {
                if search.enumerated.contains(&r.fact) {
                    r.known = false;
                }
            }
            for &fact in &search.enumerated {
                if !reads.iter().any(|r| r.fact == fact) {
                    reads.push(Read { fact, known: false });
                }
            }
            RuleRun::Concluded {
                conclusion,
                effects,
                reads,
                params,
                presumed,
                immaterial: search.enumerated,
                defaulted,
            }
        }
        _ => original,
    };
    put_run(index, run);
}

/// The plausible values of a fact named by its JSON Pointer (for the grid alone, without a rule's numbers): what
/// the search tries in place of it. Empty for a list, an object, free text or a pointer the schema does not have.
pub fn plausible_values(pointer: &str) -> Vec<Value> {
    let cat = catalogue();
    let mut pattern = String::new();
    let mut index = FactRef::NO_INDEX;
    for seg in pointer.split('/').skip(1) {
        pattern.push('/');
        match seg.parse::<u32>() {
            Ok(i) => {
                index = i;
                pattern.push('*');
            }
            Err(_) => pattern.push_str(seg),
        }
    }
    match cat.lookup(&pattern) {
        Some(node) => plausible(
            FactRef {
                node: node as u32,
                index,
            },
            &[],
        ),
        None => Vec::new(),
    }
}

/// Which outcomes rule `index` (stopped as unknown) can reach over the plausible values of its unknown facts:
/// `(can be met, can be not met)`. Past the bounds, or where a value makes it fail, both. The rule's result in the
/// evaluation context is left as it was.
pub(crate) fn possible_outcomes(
    policy: &Policy,
    index: usize,
    scope: &mut Scope<'static>,
    date: jiff::civil::Date,
    province: Option<&str>,
) -> (bool, bool) {
    let Some(original) = engine::with_eval_ctx(|c| c.runs.get(index).cloned().flatten()).flatten()
    else {
        return (true, true);
    };
    let RuleRun::Unknown { params, .. } = &original else {
        return match &original {
            RuleRun::Concluded {
                conclusion: engine::Conclusion::Met { .. },
                ..
            } => (true, false),
            _ => (false, true),
        };
    };
    let Some(mut search) = Search::new(policy, index, params, date, province) else {
        return (true, true);
    };
    let (mut met, mut not_met) = (false, false);
    // Stops as soon as both outcomes are seen: nothing more can be learnt.
    let complete = search.explore(original.clone(), &mut Vec::new(), scope, &mut |run| {
        match run {
            RuleRun::Concluded {
                conclusion: engine::Conclusion::Met { .. },
                ..
            } => met = true,
            _ => not_met = true,
        }
        !(met && not_met)
    });
    search.finish();
    put_run(index, original);
    if complete {
        (met, not_met)
    } else {
        (true, true)
    }
}
