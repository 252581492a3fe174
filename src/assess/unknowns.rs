//! The search over unknown facts, and its use for one rule: which unknowns do not matter to its conclusion, and
//! which outcomes the ones that do can reach. Called by `stages` (a rule that stops as unknown),
//! `readings` (the searches over the whole case, on the same driver) and the tests, for [`bounds`].
//!
//! **The driver.** `Search::explore` tries every combination of the plausible values
//! (`plausible`) of the facts a reading waits for, depth first: it puts the first such value in place,
//! asks its `Space` for a reading, and goes on below that reading with the facts it still waits for. A
//! `Space` says what a reading yields (a conclusion, more facts to wait for, nothing this search is about, or a
//! failure) and when to stop (a conclusion that answers the question already, or a gap: the bounds reached, a
//! fact it cannot enumerate, a reading that failed). Every search of an assessment runs on it: the two below, and
//! the decision's and the amount range's in `readings`.
//!
//! **One rule.** A rule that reads a fact the case leaves unknown stops as *unknown* (see `engine`). That is only
//! where the question starts: the conclusion may be the same whatever the fact is (`disability` unknown when
//! `serious_illness` is already true; household size unknown when the household's income is nil).
//! `settle_rule` evaluates the rule again for each plausible value of the unknown fact; where it stops on a
//! second unknown, the values of both are combined, and so on up to [`bounds::RULE_FACTS`] facts and
//! [`bounds::RULE_RUNS`] evaluations. When every combination reaches the same conclusion (outcome, values,
//! points, effects and presumptions), the rule concludes and its finding lists the unknowns that did not matter;
//! past the bounds, or at the first combination that concludes differently, it stays unknown.
//! `possible_outcomes` asks instead which outcomes the rule can reach.
//!
//! The search costs nothing for a case whose rules all conclude: it only starts when a rule stops as unknown.

use std::sync::Arc;

use rhai::Scope;
use serde_json::Value;

use crate::assess::plausible::{enumerable, numbers_of_params, plausible, whole_of, within_whole};
use crate::engine::{self, Read, RuleRun};
use crate::model::facts::FactRef;
use crate::policy::Policy;

/// How far the searches over unknown facts go.
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
    /// Assessments of the case for the range of the amount and the tiers reachable (and, separately, for
    /// asking which facts a rule went on without move them).
    pub const SPREAD_SCENARIOS: usize = 64;
    /// Operations all rule evaluations of one case may run before the searches stop (deterministic: the same
    /// case and policy stop at the same point). A search cut short leaves its rule unknown, the decision open or
    /// the range open, as past the other bounds.
    pub const CASE_OPERATIONS: u64 = 5_000_000;
    /// Wall-clock time after which the searches of one case stop, whatever the operations: a safety net for rules
    /// whose single operations are slow (a scan of a long list counts as one operation). Unlike the operations
    /// budget it depends on the machine's speed and load, so a case that reaches it is not given a result that
    /// would: its assessment fails, naming the limit ([`crate::AssessError::OutOfTime`]). An ordinary policy
    /// never comes near it (a release build searches a case in milliseconds).
    pub const CASE_TIME: std::time::Duration = std::time::Duration::from_secs(10);
}

/// Whether the case's budget for searches over unknowns is spent (past the time budget, the case is marked).
fn exhausted() -> bool {
    engine::with_eval_ctx(|c| {
        if c.started.elapsed() > bounds::CASE_TIME {
            c.out_of_time = true;
        }
        c.ops_total > bounds::CASE_OPERATIONS || c.out_of_time
    })
    .unwrap_or(true)
}

/// Values put in place of unknown facts, in the order the search chose them.
pub(crate) type Assign = Vec<(FactRef, Value)>;

/// What one reading (an evaluation with values in place of unknown facts) yields.
pub(crate) enum Reading<C> {
    /// A conclusion, handed to [`Space::conclude`].
    Concluded(C),
    /// The reading still waits for these facts: the search combines their values with those in place.
    Waits(Vec<FactRef>),
    /// A reading this search is not about (the range's search meets a reading in which the case is not
    /// assisted): nothing to learn, and no gap.
    Aside,
    /// The reading failed (a rule failed for a value the case does not have): a gap.
    Failed,
}

/// What a search reads and when it stops.
pub(crate) trait Space {
    /// What a concluded reading hands back.
    type Conclusion;
    /// Evaluates with `assign` in place of unknown facts (over whatever the search started from).
    fn read(&mut self, assign: &[(FactRef, Value)]) -> Reading<Self::Conclusion>;
    /// Sees a concluded reading and the values it was read with; `false` stops the search.
    fn conclude(&mut self, assign: &[(FactRef, Value)], conclusion: Self::Conclusion) -> bool;
    /// Whether a gap stops the search: yes (the default) for a question a gap already answers (is the conclusion
    /// the same everywhere?); no for a range, which reports what it reached and that it is open. Reaching the
    /// bounds on readings always stops it.
    fn stops_at_gap(&self) -> bool {
        true
    }
}

/// The driver of a search: its bounds, the numbers the rules it reads can distinguish, and what it has done.
pub(crate) struct Search {
    /// Facts combined at most.
    max_facts: usize,
    /// Readings at most (all calls of [`Search::explore`] on this search together).
    max_readings: usize,
    numbers: Vec<f64>,
    readings: usize,
    /// Facts each of whose plausible values was read below some reading, in the order their readings finished.
    pub enumerated: Vec<FactRef>,
    /// Some reading was left out: the bounds were reached, a fact could not be enumerated or a reading failed.
    pub gaps: bool,
}

impl Search {
    /// A search combining at most `max_facts` facts in at most `max_readings` readings; `numbers` are those the
    /// rules it reads can distinguish (for the plausible values of a sum or a count).
    pub(crate) fn new(max_facts: usize, max_readings: usize, numbers: Vec<f64>) -> Self {
        Search {
            max_facts,
            max_readings,
            numbers,
            readings: 0,
            enumerated: Vec::new(),
            gaps: false,
        }
    }

    /// Reads every combination of plausible values below `assign` for the facts `waits` names (the first not yet
    /// in place, then those its readings wait for), depth first. False when the search stopped: a conclusion or
    /// a gap stopped it, or the bounds were reached.
    pub(crate) fn explore<S: Space>(
        &mut self,
        space: &mut S,
        waits: &[FactRef],
        assign: &mut Assign,
    ) -> bool {
        let fact = waits
            .iter()
            .find(|f| !assign.iter().any(|(a, _)| a == *f))
            .copied();
        let values = match fact {
            Some(f) if assign.len() < self.max_facts && enumerable(f) => {
                let values = plausible(f, &self.numbers);
                // A part of another sum is never tried above the whole (the validator refuses such a case).
                match whole_of(f).and_then(|w| value_in_place(w, assign)) {
                    Some(whole) => within_whole(values, whole),
                    None => values,
                }
            }
            _ => Vec::new(),
        };
        let Some(fact) = fact.filter(|_| !values.is_empty()) else {
            return self.gap(space);
        };
        for value in values {
            if self.readings >= self.max_readings || exhausted() {
                self.gaps = true;
                return false;
            }
            self.readings += 1;
            assign.push((fact, value));
            let go_on = match space.read(assign) {
                Reading::Concluded(c) => space.conclude(assign, c),
                Reading::Waits(next) => self.explore(space, &next, assign),
                Reading::Aside => true,
                Reading::Failed => self.gap(space),
            };
            assign.pop();
            if !go_on {
                return false;
            }
        }
        if !self.enumerated.contains(&fact) {
            self.enumerated.push(fact);
        }
        true
    }

    /// Notes a gap; whether the search goes on.
    fn gap<S: Space>(&mut self, space: &S) -> bool {
        self.gaps = true;
        !space.stops_at_gap()
    }
}

/// The number `fact` has in a reading of `assign`: the value put in place of it, or as rules read it now (a value
/// the search put in place, or the case's).
fn value_in_place(fact: FactRef, assign: &Assign) -> Option<f64> {
    if let Some((_, v)) = assign.iter().find(|(f, _)| *f == fact) {
        return v.as_f64();
    }
    engine::with_eval_ctx(|c| engine::fact_value(c, fact).and_then(Value::as_f64)).flatten()
}

/// Sets the facts put in place of unknowns for the evaluations that follow.
fn set_overrides(overrides: Assign) {
    engine::with_eval_ctx(|c| c.overrides = overrides);
}

fn current_overrides() -> Assign {
    engine::with_eval_ctx(|c| c.overrides.clone()).unwrap_or_default()
}

fn take_run(index: usize) -> Option<Arc<RuleRun>> {
    engine::with_eval_ctx(|c| c.runs.get_mut(index).and_then(Option::take)).flatten()
}

fn put_run(index: usize, run: Arc<RuleRun>) {
    engine::with_eval_ctx(|c| {
        if let Some(slot) = c.runs.get_mut(index) {
            *slot = Some(run);
        }
    });
}

/// The readings of one rule: the rule evaluated again with values in place of its unknown facts (over the
/// overrides in place when the search started), handing each conclusion to `conclude`.
struct OneRule<'a, F> {
    policy: &'a Policy,
    index: usize,
    /// The earlier rules it names (directly or through them) whose own result is unknown, in order: each is
    /// evaluated again in every reading before it, so that `fired()` and `value_of()` see what they conclude with
    /// the values in place (a bar that waits for the same fact as the rule that names it).
    dependencies: Vec<usize>,
    scope: &'a mut Scope<'static>,
    base: Assign,
    conclude: F,
}

impl<F: FnMut(Arc<RuleRun>) -> bool> Space for OneRule<'_, F> {
    type Conclusion = Arc<RuleRun>;

    fn read(&mut self, assign: &[(FactRef, Value)]) -> Reading<Arc<RuleRun>> {
        let mut overrides = self.base.clone();
        overrides.extend(assign.iter().cloned());
        set_overrides(overrides);
        let Some(rule) = self.policy.rules.get(self.index) else {
            return Reading::Failed;
        };
        // The unknown results of the rules it names (each has one: see `unknown_dependencies`), read again with
        // these values, then put back as they were.
        let saved: Vec<(usize, Arc<RuleRun>)> = self
            .dependencies
            .iter()
            .filter_map(|&d| take_run(d).map(|run| (d, run)))
            .collect();
        let mut ran = Ok(());
        for &(d, _) in &saved {
            if let (Ok(()), Some(dependency)) = (&ran, self.policy.rules.get(d)) {
                ran = self.policy.sandbox.run_rule(d, &dependency.ast, self.scope);
            }
        }
        // A rule that fails for a value the case does not have is not settled by it.
        if ran.is_ok() {
            ran = self
                .policy
                .sandbox
                .run_rule(self.index, &rule.ast, self.scope);
        }
        let reading = match (ran, take_run(self.index)) {
            (Ok(()), Some(run)) => match &*run {
                RuleRun::Unknown { missing, .. } => Reading::Waits(missing.clone()),
                RuleRun::Concluded { .. } => Reading::Concluded(run),
            },
            _ => Reading::Failed,
        };
        for (d, run) in saved {
            put_run(d, run);
        }
        reading
    }

    fn conclude(&mut self, _: &[(FactRef, Value)], run: Arc<RuleRun>) -> bool {
        (self.conclude)(run)
    }
}

/// Searches rule `index`, whose unknown result `original` waits for `missing` and read `params`, handing each
/// conclusion to `conclude`; puts back the overrides in place before. The search, and whether it was complete.
#[allow(clippy::too_many_arguments)]
fn search_rule(
    policy: &Policy,
    index: usize,
    missing: &[FactRef],
    params: &[std::sync::Arc<str>],
    scope: &mut Scope<'static>,
    date: jiff::civil::Date,
    province: Option<&str>,
    conclude: impl FnMut(Arc<RuleRun>) -> bool,
) -> Option<(Search, bool)> {
    let rule = policy.rules.get(index)?;
    let dependencies = unknown_dependencies(policy, index);
    let mut numbers = rule.numbers.clone();
    numbers.extend(numbers_of_params(policy, params, date, province));
    for &d in &dependencies {
        if let Some(dependency) = policy.rules.get(d) {
            numbers.extend_from_slice(&dependency.numbers);
        }
        if let Some(RuleRun::Unknown { params, .. }) =
            engine::with_eval_ctx(|c| c.runs.get(d).cloned().flatten())
                .flatten()
                .as_deref()
        {
            numbers.extend(numbers_of_params(policy, params, date, province));
        }
    }
    let mut search = Search::new(bounds::RULE_FACTS, bounds::RULE_RUNS, numbers);
    let mut space = OneRule {
        policy,
        index,
        dependencies,
        scope,
        base: current_overrides(),
        conclude,
    };
    let complete = search.explore(&mut space, missing, &mut Vec::new());
    set_overrides(space.base);
    Some((search, complete))
}

/// The earlier rules rule `index` names with `fired()` or `value_of()`, directly or through the rules they name,
/// whose result in this evaluation is unknown: in the order they run.
fn unknown_dependencies(policy: &Policy, index: usize) -> Vec<usize> {
    let mut named = Vec::new();
    let mut todo = vec![index];
    while let Some(i) = todo.pop() {
        let Some(rule) = policy.rules.get(i) else {
            continue;
        };
        for (id, _, _) in &rule.scan.rules {
            if let Some(&j) = policy.rule_index.get(id) {
                if j < i && !named.contains(&j) {
                    named.push(j);
                    todo.push(j);
                }
            }
        }
    }
    named.sort_unstable();
    let unknown = |j: &usize| {
        engine::with_eval_ctx(|c| {
            matches!(
                c.runs.get(*j).and_then(Option::as_deref),
                Some(RuleRun::Unknown { .. })
            )
        })
        .unwrap_or(false)
    };
    named.retain(unknown);
    named
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
    let RuleRun::Unknown {
        missing, params, ..
    } = &*original
    else {
        put_run(index, original);
        return;
    };
    let mut first: Option<Arc<RuleRun>> = None;
    let searched = search_rule(
        policy,
        index,
        missing,
        params,
        scope,
        date,
        province,
        |run| match &first {
            None => {
                first = Some(run);
                true
            }
            Some(f) => same_conclusion(f, &run),
        },
    );
    let run = match (searched, first.map(Arc::unwrap_or_clone)) {
        (Some((search, true)), Some(run)) => with_immaterial(run, &search.enumerated)
            .map(Arc::new)
            .unwrap_or(original),
        _ => original,
    };
    put_run(index, run);
}

/// A concluded result that every plausible value of `facts` gives: those facts read as unknown, and listed as
/// immaterial. `None` for a result that did not conclude.
fn with_immaterial(run: RuleRun, facts: &[FactRef]) -> Option<RuleRun> {
    let RuleRun::Concluded {
        conclusion,
        effects,
        mut reads,
        params,
        presumed,
        mut immaterial,
        defaulted,
    } = run
    else {
        return None;
    };
    for r in reads.iter_mut().filter(|r| facts.contains(&r.fact)) {
        r.known = false;
    }
    for &fact in facts {
        if !reads.iter().any(|r| r.fact == fact) {
            reads.push(Read { fact, known: false });
        }
        if !immaterial.contains(&fact) {
            immaterial.push(fact);
        }
    }
    Some(RuleRun::Concluded {
        conclusion,
        effects,
        reads,
        params,
        presumed,
        immaterial,
        defaulted,
    })
}

/// The amount a rule's result recommends (`recommend`), if any.
fn recommended(run: &RuleRun) -> Option<f64> {
    match run {
        RuleRun::Concluded { effects, .. } => effects.iter().rev().find_map(|e| match e {
            engine::Effect::Recommend(a) => Some(*a),
            _ => None,
        }),
        RuleRun::Unknown { .. } => None,
    }
}

/// If amount rule `index` concluded on a presumption (the victim's fault presumed none), asks whether any value of
/// the presumed facts would recommend another amount; if none would (a cap binds whatever the fault), the
/// presumption is nothing to confirm: the facts stay presumed (the rule's arithmetic is worked with the presumed
/// value) and are listed as immaterial too, which says that the amount does not rest on them.
pub(crate) fn settle_presumptions(
    policy: &Policy,
    index: usize,
    scope: &mut Scope<'static>,
    date: jiff::civil::Date,
    province: Option<&str>,
) {
    let Some(original) = take_run(index) else {
        return;
    };
    let RuleRun::Concluded {
        presumed, params, ..
    } = &*original
    else {
        put_run(index, original);
        return;
    };
    let facts: Vec<FactRef> = presumed.iter().map(|(f, _)| *f).collect();
    let amount = recommended(&original);
    let searched = if facts.is_empty() || amount.is_none() {
        None
    } else {
        search_rule(
            policy,
            index,
            &facts,
            params,
            scope,
            date,
            province,
            |run| recommended(&run) == amount,
        )
    };
    let run = match searched {
        Some((mut search, true)) => {
            for &fact in &facts {
                if !search.enumerated.contains(&fact) {
                    search.enumerated.push(fact);
                }
            }
            with_immaterial((*original).clone(), &search.enumerated)
                .map(Arc::new)
                .unwrap_or(original)
        }
        _ => original,
    };
    put_run(index, run);
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
    let RuleRun::Unknown {
        missing, params, ..
    } = &*original
    else {
        return match &*original {
            RuleRun::Concluded {
                conclusion: engine::Conclusion::Met { .. },
                ..
            } => (true, false),
            _ => (false, true),
        };
    };
    let (mut met, mut not_met) = (false, false);
    // Stops as soon as both outcomes are seen: nothing more can be learnt.
    let searched = search_rule(
        policy,
        index,
        missing,
        params,
        scope,
        date,
        province,
        |run| {
            match &*run {
                RuleRun::Concluded {
                    conclusion: engine::Conclusion::Met { .. },
                    ..
                } => met = true,
                _ => not_met = true,
            }
            !(met && not_met)
        },
    );
    put_run(index, original);
    match searched {
        Some((_, true)) => (met, not_met),
        _ => (true, true),
    }
}
