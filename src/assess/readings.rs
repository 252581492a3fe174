//! Readings of a case's unknown facts once the decision is settled, a [`Space`] of the one driver
//! ([`super::unknowns::Search`]), and what the searches over the whole case share (saving the rule results in
//! place, the numbers rules distinguish, the facts the priority and amount rules wait for). Called by
//! [`super::assess`]; the decision's own search is `decision_search.rs`.
//!
//! - [`spread`], for an assisted case whose priority or amount rules wait for facts: first a *probe* of each fact a
//!   rule merely went on without, alone (does any of its values move the amount or the tier? if not, it is left
//!   out); then the *combination* of the facts kept, a reading running every stage, which records the amount and
//!   tier of each reading and goes on past gaps, marking the range open.
//! - `likely.rs` takes the middle reading of the range, when the amount cannot be computed on the known facts.

use serde_json::Value;
use std::sync::Arc;

use crate::assess::outcomes::{defaulted_of, missing_of, recommended_amount, Outcomes};
use crate::assess::plausible::{enumerable, numbers_of_params};
use crate::assess::priority::top_tier;
use crate::assess::stages::{Progress, Stages};
use crate::assess::unknowns::{bounds, Assign, Reading, Search, Space};
use crate::engine::{self, RuleRun};
use crate::model::codes::{Decision, Stage, Tier};
use crate::model::facts::{catalogue, FactRef, FactType};

/// One reading of the unknowns for the range: the values put in place, the amount recommended, the tier and the
/// score.
pub(crate) type Leaf = (Assign, Option<i64>, Tier, i64);

/// What unknowns could still move once the decision is settled: the amount's range and the tiers reachable,
/// over the plausible values of the facts that the undecided priority and amount rules need.
#[derive(Debug, Default)]
pub(crate) struct Spread {
    /// Each reading: the facts put in place, the amount recommended, the tier and the score.
    pub leaves: Vec<Leaf>,
    /// Some reading was left out (the bounds reached, a fact that cannot be enumerated, a reading that failed): the
    /// range is open.
    pub open: bool,
    /// Facts whose values were seen to move the amount.
    pub moves_amount: Vec<FactRef>,
    /// Facts whose values were seen to move the tier.
    pub moves_tier: Vec<FactRef>,
    /// What the amount rules presumed in some reading (the rule's id, the fact, the value presumed), each fact
    /// once: an amount of the range may rest on it even where the middle reading's does not.
    pub presumed: Vec<(String, FactRef, Value)>,
}

/// What unknowns leave open once the decision is settled.
pub(crate) struct Unsettled<'a> {
    pub spread: Option<&'a Spread>,
    /// The middle reading's facts and rule results, when the amount needs it.
    pub likely: Option<&'a (Assign, Vec<Option<Arc<RuleRun>>>)>,
}

/// The rule results and overrides in place, to put back after a search.
pub(super) fn save() -> Option<(Vec<Option<Arc<RuleRun>>>, Assign)> {
    engine::with_eval_ctx(|c| (c.runs.clone(), c.overrides.clone()))
}

pub(super) fn restore(runs: Vec<Option<Arc<RuleRun>>>, overrides: Assign) {
    engine::with_eval_ctx(|c| {
        c.runs = runs;
        c.overrides = overrides;
    });
}

/// The numbers the rules of `stages` can distinguish (for the plausible values of an unknown sum or count).
pub(super) fn numbers(s: &Stages<'_>, stages: &[Stage]) -> Vec<f64> {
    let mut out = Vec::new();
    let params = engine::inspect_runs(|runs| {
        runs.iter()
            .flatten()
            .flat_map(|r| match &**r {
                RuleRun::Concluded { params, .. } | RuleRun::Unknown { params, .. } => {
                    params.clone()
                }
            })
            .collect::<Vec<_>>()
    });
    for rule in s.policy.rules.iter().filter(|r| stages.contains(&r.stage)) {
        out.extend_from_slice(&rule.numbers);
    }
    out.extend(numbers_of_params(s.policy, &params, s.date, s.province));
    out
}

// ---- The amount's range and the tiers ----

/// Whether a fact is a yes/no or a choice. A condition's default for one of those (an unknown household registration
/// read as urban, which picks the minimum living line and so the hardship grade) is a reading the amount range must
/// include. Defaults an amount or priority rule declares (the court-award cap applied only to a known loss, a
/// presumption such as `victim_fault.presume("none")`, which is listed to confirm instead) are the policy's
/// deliberate choices and are not searched; nor are defaults for
/// sums, where trying every sum would only say that a ¥1 loss caps the award at ¥1.
pub(super) fn is_choice(fact: FactRef) -> bool {
    catalogue()
        .node(fact.node as usize)
        .is_some_and(|n| matches!(n.ty, FactType::Boolean | FactType::String { .. }))
}

/// The facts the range combines: those the undecided priority and amount rules wait for, and the yes/no or choice
/// facts the eligibility and exclusion rules went on without. An undecided priority rule can only add points
/// (points are never negative), so once the known facts reach the top tier, no priority fact can change the tier,
/// nor the amount, which reads the tier. What a priority or amount rule went on without is not searched (see
/// [`is_choice`]).
pub(super) fn shaping_missing(o: &Outcomes<'_>) -> Vec<FactRef> {
    let top = top_tier(o);
    let mut out: Vec<FactRef> = Vec::new();
    for (rule, run) in o.policy.rules.iter().zip(o.runs.iter()) {
        // A condition that went on without a fact (the hardship grade with an unknown household registration) may
        // still move the amount: its defaulted facts are searched, while its unknowns belong to the decision.
        if matches!(rule.stage, Stage::Eligibility | Stage::Exclusions) {
            if let Some(run) = run {
                for &f in defaulted_of(run).iter().filter(|f| is_choice(**f)) {
                    if !out.contains(&f) {
                        out.push(f);
                    }
                }
            }
            continue;
        }
        if !matches!(rule.stage, Stage::Priority | Stage::Amount)
            || (top && rule.stage == Stage::Priority)
        {
            continue;
        }
        if let Some(run) = run {
            for &f in missing_of(run) {
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
    }
    out
}

/// The range's readings: every stage with values in place (over `base`), the decision settled beforehand. A
/// reading in which the case is not assisted is not one of this decision's readings. With `probe`, every reading
/// concludes (one fact is tried at a time) and the search stops once two readings differ in amount or tier;
/// otherwise a reading waits for the facts its priority and amount rules still need (but those in `dropped`).
struct RangeSpace<'s, 'p> {
    stages: &'s mut Stages<'p>,
    base: Assign,
    probe: bool,
    dropped: Vec<FactRef>,
    spread: Spread,
    /// The amounts and tiers a probe saw.
    seen: Vec<(Option<i64>, Tier)>,
}

impl Space for RangeSpace<'_, '_> {
    type Conclusion = (Option<i64>, Tier, i64);

    fn read(&mut self, assign: &[(FactRef, Value)]) -> Reading<Self::Conclusion> {
        let s = &mut *self.stages;
        s.prepare(&self.base, assign);
        let p: Progress = match s.run_through(Stage::Amount) {
            Ok(p) if p.decision == Decision::Assist => p,
            Ok(_) => return Reading::Aside,
            // The probe only asks what the readings it can make reach.
            Err(_) if self.probe => return Reading::Aside,
            Err(_) => return Reading::Failed,
        };
        let (mut next, amount) = engine::inspect_runs(|runs| {
            let o = s.outcomes(runs);
            (shaping_missing(&o), recommended_amount(&o))
        });
        next.retain(|f| !self.dropped.contains(f));
        let (score, tier) = p.priority.map(|p| (p.0, p.1)).unwrap_or((0, Tier::C));
        if self.probe || next.is_empty() {
            if !self.probe {
                let policy = s.policy;
                let presumed = &mut self.spread.presumed;
                let material = &mut s.material_presumptions;
                engine::inspect_runs(|runs| {
                    for (rule, run) in policy.rules.iter().zip(runs.iter()) {
                        if rule.stage != Stage::Amount {
                            continue;
                        }
                        if let Some(RuleRun::Concluded {
                            presumed: p,
                            immaterial,
                            ..
                        }) = run.as_deref()
                        {
                            // A presumption no value of which moves this reading's amount is not one it rests on.
                            for (fact, value) in p.iter().filter(|(f, _)| !immaterial.contains(f)) {
                                if !presumed.iter().any(|(_, f, _)| f == fact) {
                                    material.push(*fact);
                                    presumed.push((rule.id.clone(), *fact, value.clone()));
                                }
                            }
                        }
                    }
                });
            }
            Reading::Concluded((amount, tier, score))
        } else {
            Reading::Waits(next)
        }
    }

    fn conclude(
        &mut self,
        assign: &[(FactRef, Value)],
        (amount, tier, score): Self::Conclusion,
    ) -> bool {
        if self.probe {
            if !self.seen.contains(&(amount, tier)) {
                self.seen.push((amount, tier));
            }
            return self.seen.len() <= 1;
        }
        self.spread
            .leaves
            .push((assign.to_vec(), amount, tier, score));
        true
    }

    fn stops_at_gap(&self) -> bool {
        self.probe
    }
}

/// For an assisted case whose priority or amount rules wait for facts: the amount and tier of every reading of
/// those facts (within the bounds). `discretionary`: whether the assistance rests on the catch-all only.
pub(crate) fn spread(s: &mut Stages<'_>, discretionary: bool) -> Option<Spread> {
    let first: Vec<FactRef> = engine::inspect_runs(|runs| shaping_missing(&s.outcomes(runs)));
    if first.is_empty() {
        return None;
    }
    let (runs, base) = save()?;
    let progress = engine::with_eval_ctx(|c| (c.decision, c.tier, c.score));
    s.settled = Some((Decision::Assist, discretionary));
    // A fact a rule merely went on without (`known`, `if_unknown`) is combined with the others only if, varied
    // alone, it moves the amount or the tier: most such defaults (a missing certificate) do not.
    let undecided: Vec<FactRef> = engine::inspect_runs(|runs| {
        runs.iter()
            .flatten()
            .flat_map(|r| missing_of(r).to_vec())
            .collect()
    });
    // The grid of round figures alone: a range needs its ends, not every threshold.
    let mut probes = Search::new(1, bounds::SPREAD_SCENARIOS, Vec::new());
    let mut space = RangeSpace {
        stages: s,
        base,
        probe: true,
        dropped: Vec::new(),
        spread: Spread::default(),
        seen: Vec::new(),
    };
    let mut kept = Vec::new();
    for &fact in &first {
        space.seen.clear();
        // Kept unless every value was read and all gave one amount and tier (past the bounds: kept).
        if undecided.contains(&fact)
            || !enumerable(fact)
            || !probes.explore(&mut space, &[fact], &mut Vec::new())
        {
            kept.push(fact);
        } else {
            space.dropped.push(fact);
        }
    }
    space.probe = false;
    let mut combine = Search::new(bounds::SPREAD_FACTS, bounds::SPREAD_SCENARIOS, Vec::new());
    if !kept.is_empty() {
        // Each reading's presumptions are weighed, so that the range lists those its amounts rest on.
        space.stages.weigh_presumptions = true;
        combine.explore(&mut space, &kept, &mut Vec::new());
        space.stages.weigh_presumptions = false;
        space.stages.material_presumptions.clear();
    }
    let mut spread = std::mem::take(&mut space.spread);
    spread.open = combine.gaps;
    (spread.moves_amount, spread.moves_tier) = moves(&spread.leaves);
    space.stages.settled = None;
    restore(runs, space.base);
    if let Some(progress) = progress {
        engine::with_eval_ctx(|c| (c.decision, c.tier, c.score) = progress);
    }
    Some(spread)
}

/// The facts seen to move the amount, and the tier: a fact moves one where, below some reading, its values lead to
/// readings whose sets of amounts (of tiers) differ.
fn moves(leaves: &[Leaf]) -> (Vec<FactRef>, Vec<FactRef>) {
    // Each branching: the values in place above it, its fact, and for each value of it the amounts and tiers below.
    type Branches<'a> = Vec<(
        &'a [(FactRef, Value)],
        FactRef,
        Vec<(&'a Value, Vec<Option<i64>>, Vec<Tier>)>,
    )>;
    let mut branches: Branches<'_> = Vec::new();
    for (assign, amount, tier, _) in leaves {
        for (depth, (fact, value)) in assign.iter().enumerate() {
            let above = assign.get(..depth).unwrap_or_default();
            let i = match branches.iter().position(|(a, _, _)| *a == above) {
                Some(i) => i,
                None => {
                    branches.push((above, *fact, Vec::new()));
                    branches.len() - 1
                }
            };
            let Some((_, _, children)) = branches.get_mut(i) else {
                continue;
            };
            let j = match children.iter().position(|(v, _, _)| *v == value) {
                Some(j) => j,
                None => {
                    children.push((value, Vec::new(), Vec::new()));
                    children.len() - 1
                }
            };
            if let Some((_, amounts, tiers)) = children.get_mut(j) {
                if !amounts.contains(amount) {
                    amounts.push(*amount);
                }
                if !tiers.contains(tier) {
                    tiers.push(*tier);
                }
            }
        }
    }
    let (mut moves_amount, mut moves_tier) = (Vec::new(), Vec::new());
    for (_, fact, mut children) in branches {
        for (_, amounts, tiers) in children.iter_mut() {
            amounts.sort_unstable();
            tiers.sort_unstable();
        }
        if children
            .windows(2)
            .any(|w| matches!(w, [x, y] if x.1 != y.1))
            && !moves_amount.contains(&fact)
        {
            moves_amount.push(fact);
        }
        if children
            .windows(2)
            .any(|w| matches!(w, [x, y] if x.2 != y.2))
            && !moves_tier.contains(&fact)
        {
            moves_tier.push(fact);
        }
    }
    (moves_amount, moves_tier)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn leaf(assign: &[(usize, Value)], amount: i64, tier: Tier) -> Leaf {
        let assign = assign
            .iter()
            .map(|(f, v)| (FactRef::plain(*f), v.clone()))
            .collect();
        (assign, Some(amount), tier, 0)
    }

    /// A fact moves the amount where, below some reading, its values lead to different sets of amounts; a fact
    /// whose values all lead to the same amounts and tiers moves nothing.
    #[test]
    fn moves_compares_the_readings_below_each_value() {
        let (f, t) = (json!(false), json!(true));
        let leaves = [
            leaf(&[(1, f.clone()), (2, f.clone())], 100, Tier::C),
            leaf(&[(1, f.clone()), (2, t.clone())], 100, Tier::C),
            leaf(&[(1, t.clone()), (2, f)], 100, Tier::C),
            leaf(&[(1, t.clone()), (2, t)], 200, Tier::C),
        ];
        let (amount, tier) = moves(&leaves);
        assert_eq!(amount, vec![FactRef::plain(1), FactRef::plain(2)]);
        assert!(tier.is_empty());

        let leaves = [
            leaf(&[(3, json!(0))], 50, Tier::A),
            leaf(&[(3, json!(1))], 50, Tier::B),
        ];
        assert_eq!(moves(&leaves), (vec![], vec![FactRef::plain(3)]));
    }
}
