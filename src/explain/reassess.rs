//! A case assessed again with some of its facts changed ([`Explorer`], within a budget of re-assessments), the
//! values worth trying for a fact, and the sums of money at which the outcome changes (a grid refined to ¥1 by
//! bisection). What [`super::whatif`] explores with.

use rayon::prelude::*;
use serde_json::Value;

use crate::model::codes::{Decision, Tier};
use crate::model::exploration::{Bound, CaseOutcome, ValueCase};
use crate::model::facts::{catalogue, FactType};
use crate::model::recommendation::Recommendation;
use crate::policy::Policy;
use crate::validate::validate_value;

impl CaseOutcome {
    pub(super) fn of(r: &Recommendation) -> Self {
        CaseOutcome {
            decision: r.decision,
            tier: r.priority.as_ref().map(|p| p.tier),
            amount: r.amount.as_ref().map(|a| a.recommended),
            text: String::new(),
        }
    }

    /// Whether this outcome is better than `now`: a better decision, or, when both assist, a higher tier.
    pub(super) fn improves_on(&self, now: &CaseOutcome) -> bool {
        let (d, t) = self.rank();
        let (nd, nt) = now.rank();
        d > nd || (d == nd && self.decision == Decision::Assist && t > nt)
    }

    /// A rank: higher is better for the applicant (assist > needs information > decline; then tier).
    pub(super) fn rank(&self) -> (u8, u8) {
        let d = match self.decision {
            Decision::Decline => 0,
            Decision::NeedsInformation => 1,
            Decision::Assist => 2,
        };
        let t = match self.tier {
            Some(Tier::A) => 3,
            Some(Tier::B) => 2,
            Some(Tier::C) => 1,
            None => 0,
        };
        (d, t)
    }
}

/// Upper bound for the money grid when a fact is unknown (yuan).
pub(super) const MONEY_MAX: f64 = 50_000.0;
/// Most re-assessments for one case.
pub(super) const BUDGET: usize = 400;

/// Assesses the case again with some facts changed, counting the re-assessments against a budget.
pub(super) struct Explorer<'a> {
    pub(super) policy: &'a Policy,
    pub(super) base: &'a Value,
    pub(super) count: usize,
    /// Re-assessments this explorer may make; past them `assess` gives nothing.
    pub(super) budget: usize,
    /// Whether independent re-assessments run on every core (the default), or one after another (the reference
    /// the tests compare with: the same result, byte for byte).
    pub(super) parallel: bool,
}

impl Explorer<'_> {
    /// The outcome of the case with `changes`; nothing past the budget, or when the changed case is invalid.
    pub(super) fn assess(&mut self, changes: &[(String, Value)]) -> Option<CaseOutcome> {
        if self.count >= self.budget {
            return None;
        }
        self.count += 1;
        self.outcome(changes)
    }

    /// Re-assessments still within the budget, of `wanted`: charged now, for [`Self::outcome`] to make (on any
    /// thread, in any order) as [`Self::assess`] would have made them one after another.
    pub(super) fn charge(&mut self, wanted: usize) -> usize {
        let n = self.budget.saturating_sub(self.count).min(wanted);
        self.count += n;
        n
    }

    /// `run` on each of `parts`, in order: on this explorer one after another, or, when parallel, on every core —
    /// each part on an explorer of its own within what this one has left, then charged here in order; a part that
    /// used more than the parts before it left is run again here, within what is left. A part that did not reach its
    /// budget finds the same under any budget of at least what it used, so the results and the count are those of
    /// one after another, whatever the threads.
    pub(super) fn each<P: Sync, T: Send>(
        &mut self,
        parts: &[P],
        run: impl Fn(&P, &mut Explorer<'_>) -> T + Sync,
    ) -> Vec<T> {
        if !self.parallel {
            return parts.iter().map(|p| run(p, self)).collect();
        }
        let left = self.budget.saturating_sub(self.count);
        let runs: Vec<(T, usize)> = {
            let this = &*self;
            parts
                .par_iter()
                .map(|p| {
                    let mut alone = Explorer {
                        count: 0,
                        budget: left,
                        ..*this
                    };
                    let t = run(p, &mut alone);
                    (t, alone.count)
                })
                .collect()
        };
        runs.into_iter()
            .zip(parts)
            .map(|((t, used), p)| {
                if used <= self.budget.saturating_sub(self.count) {
                    self.count += used;
                    t
                } else {
                    run(p, self)
                }
            })
            .collect()
    }

    /// The outcome of the case with `changes`, not counted (see [`Self::charge`]); nothing when the changed case is
    /// invalid.
    pub(super) fn outcome(&self, changes: &[(String, Value)]) -> Option<CaseOutcome> {
        let mut v = self.base.clone();
        for (pointer, value) in changes {
            set(&mut v, pointer, value.clone())?;
        }
        let case = validate_value(v).ok()?;
        let (decision, tier, amount) = crate::assess::outcome(&case, self.policy).ok()?;
        Some(CaseOutcome {
            decision,
            tier,
            amount,
            text: String::new(),
        })
    }
}

/// Sets a value at a JSON Pointer, creating the enclosing objects of a fact that was absent.
/// (Also how an expectation's `set` puts a fact in a case; an array element is replaced in place.)
pub fn set(root: &mut Value, pointer: &str, value: Value) -> Option<()> {
    let mut cur = root;
    let segs: Vec<&str> = pointer.split('/').skip(1).collect();
    let (last, parents) = segs.split_last()?;
    for seg in parents {
        cur = match cur {
            Value::Object(map) => map
                .entry(seg.to_string())
                .or_insert_with(|| Value::Object(Default::default())),
            Value::Array(items) => items.get_mut(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
        if cur.is_null() {
            *cur = Value::Object(Default::default());
        }
    }
    match cur {
        Value::Object(map) => {
            map.insert(last.to_string(), value);
            Some(())
        }
        Value::Array(items) => {
            *items.get_mut(last.parse::<usize>().ok()?)? = value;
            Some(())
        }
        _ => None,
    }
}

/// The values worth trying for a fact, other than its current one.
pub(super) fn candidates(pointer: &str, current: &Value) -> Vec<Value> {
    let cat = catalogue();
    let Some(node) = cat.lookup(pointer).and_then(|id| cat.node(id)) else {
        return Vec::new();
    };
    match &node.ty {
        FactType::Boolean => [true, false]
            .into_iter()
            .map(Value::Bool)
            .filter(|v| v != current)
            .collect(),
        FactType::String { choices } => choices
            .iter()
            .map(|c| Value::String(c.clone()))
            .filter(|v| v != current)
            .collect(),
        _ => Vec::new(),
    }
}

pub(super) fn is_money(pointer: &str) -> bool {
    let cat = catalogue();
    cat.lookup(pointer)
        .and_then(|id| cat.node(id))
        .is_some_and(|n| n.ty == FactType::Number)
}

/// The outcomes of a sum of money on a grid of points between `lo` and `hi` (those the budget allows, assessed on
/// every core), and where (decision, tier) changes between two neighbours.
struct Grid {
    points: Vec<(f64, CaseOutcome)>,
    /// Each `i` whose point's decision or tier differs from point `i - 1`'s, with whether the amount varied
    /// between the points since the change before (a range over which it varies names no one amount).
    changes: Vec<(usize, bool)>,
    /// Whether the amount varied after the last change.
    varies_after: bool,
}

impl Grid {
    fn new(ex: &mut Explorer<'_>, fact: &str, lo: f64, hi: f64) -> Self {
        const STEPS: usize = 20;
        let grid: Vec<f64> = (0..=STEPS)
            .map(|i| lo + (hi - lo) * i as f64 / STEPS as f64)
            .collect();
        let points: Vec<(f64, CaseOutcome)> = if ex.parallel {
            let afford = ex.charge(grid.len());
            let ex = &*ex;
            grid.get(..afford)
                .unwrap_or_default()
                .par_iter()
                .filter_map(|&x| ex.outcome(&at(fact, x)).map(|o| (x, o)))
                .collect()
        } else {
            grid.iter()
                .filter_map(|&x| ex.assess(&at(fact, x)).map(|o| (x, o)))
                .collect()
        };
        let mut changes = Vec::new();
        let mut varies = false;
        for (i, pair) in points.windows(2).enumerate() {
            let [(_, prev), (_, o)] = pair else { continue };
            if (o.decision, o.tier) == (prev.decision, prev.tier) {
                varies |= o.amount != prev.amount;
            } else {
                changes.push((i + 1, varies));
                varies = false;
            }
        }
        Grid {
            points,
            changes,
            varies_after: varies,
        }
    }

    /// The sum at which change `c` happens, to ¥1, by bisection between its two points (within the budget; where
    /// the budget runs out or a sum cannot be assessed, the nearest point found above it).
    fn refine(&self, ex: &mut Explorer<'_>, fact: &str, c: usize) -> f64 {
        let Some((before, after)) = self
            .changes
            .get(c)
            .and_then(|&(i, _)| Some((self.points.get(i.checked_sub(1)?)?, self.points.get(i)?)))
        else {
            return 0.0;
        };
        let (mut a, mut b) = (before.0, after.0);
        while b - a > 1.0 {
            let mid = ((a + b) / 2.0).round();
            match ex.assess(&at(fact, mid)) {
                Some(m) if (m.decision, m.tier) == (before.1.decision, before.1.tier) => a = mid,
                Some(_) => b = mid,
                None => break,
            }
        }
        b
    }

    /// Every change refined, on every core, as one after another (`Explorer::each`).
    fn refine_all(&self, ex: &mut Explorer<'_>, fact: &str) -> Vec<f64> {
        let changes: Vec<usize> = (0..self.changes.len()).collect();
        ex.each(&changes, |&c, ex| self.refine(ex, fact, c))
    }

    /// The ranges between the changes at `sums` (one per change): where each starts and ends, and its outcome (no
    /// amount where the amount varies within it).
    fn ranges(&self, sums: &[Option<f64>]) -> Vec<ValueCase> {
        let Some(first) = self.points.first() else {
            return Vec::new();
        };
        let settle = |o: &CaseOutcome, varies: bool| {
            let mut o = o.clone();
            if varies {
                o.amount = None;
            }
            o
        };
        let mut cases = Vec::new();
        let mut start_outcome = &first.1;
        let mut start: Option<f64> = None;
        for (&(i, varied), &b) in self.changes.iter().zip(sums) {
            cases.push(ValueCase {
                value: String::new(),
                equals: None,
                from: start,
                below: b,
                outcome: settle(start_outcome, varied),
            });
            start = b;
            if let Some((_, o)) = self.points.get(i) {
                start_outcome = o;
            }
        }
        cases.push(ValueCase {
            value: String::new(),
            equals: None,
            from: start,
            below: None,
            outcome: settle(start_outcome, self.varies_after),
        });
        cases
    }
}

/// The change of one fact to the sum `x` (rounded to ¥1).
fn at(fact: &str, x: f64) -> [(String, Value); 1] {
    [(fact.to_string(), serde_json::json!(x.round()))]
}

/// The ranges of a sum of money (unknown now) over which the outcome stays the same, found on a grid between `lo`
/// and `hi` and refined to ¥1 by bisection; a range over which the amount varies names no one amount.
pub(super) fn money_ranges(ex: &mut Explorer<'_>, fact: &str, lo: f64, hi: f64) -> Vec<ValueCase> {
    let grid = Grid::new(ex, fact, lo, hi);
    let sums: Vec<Option<f64>> = grid.refine_all(ex, fact).into_iter().map(Some).collect();
    grid.ranges(&sums)
}

/// The sum nearest the current one at which the outcome improves, if any, with `at most` or `at least`.
pub(super) fn money_boundary(
    ex: &mut Explorer<'_>,
    fact: &str,
    current: &Value,
    now: &CaseOutcome,
) -> Option<(Value, Bound)> {
    let cur = current.as_f64()?;
    let grid = Grid::new(ex, fact, 0.0, (cur * 2.0).max(MONEY_MAX / 5.0));
    // The best range that improves on now (the grid alone says which ranges there are and their outcomes); only the
    // change at its near end is refined, and reported.
    let unrefined = grid.ranges(&vec![None; grid.changes.len()]);
    let best = unrefined
        .iter()
        .enumerate()
        .filter(|(_, c)| c.outcome.improves_on(now))
        .max_by_key(|(_, c)| c.outcome.rank())
        .map(|(k, _)| k)?;
    match (best, grid.changes.len()) {
        (0, 0) => None,
        (0, _) => {
            let b = grid.refine(ex, fact, 0);
            Some((serde_json::json!((b - 1.0).max(0.0)), Bound::AtMost))
        }
        (k, _) => Some((
            serde_json::json!(grid.refine(ex, fact, k - 1)),
            Bound::AtLeast,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Refining only the change the nearest improving sum needs finds, budget aside, the sum that refining every
    /// change found (the code before the change, kept here as the reference): every actionable sum of every example
    /// case, also halved and doubled.
    #[test]
    fn the_nearest_improving_sum_is_the_one_every_refinement_found() {
        let Ok(policy) = Policy::embedded() else {
            panic!("the default policy does not load");
        };
        let mut compared = 0;
        let cases = crate::explain::example_cases();
        for json in cases
            .iter()
            .filter_map(|b| serde_json::from_slice::<Value>(b).ok())
        {
            for fact in policy.what_if.iter().filter(|f| is_money(f)) {
                let Some(x) = json.pointer(fact).and_then(Value::as_f64) else {
                    continue;
                };
                for scaled in [x, (x / 2.0).round(), x * 2.0] {
                    let mut c = json.clone();
                    if set(&mut c, fact, serde_json::json!(scaled)).is_none() {
                        continue;
                    }
                    let Ok(case) = validate_value(c) else {
                        continue;
                    };
                    let Ok(rec) = crate::assess::assess(&case, &policy) else {
                        continue;
                    };
                    let now = CaseOutcome::of(&rec);
                    let current = serde_json::json!(scaled);
                    let fresh = || Explorer {
                        policy: &policy,
                        base: &case.json,
                        count: 0,
                        budget: usize::MAX,
                        parallel: true,
                    };
                    let new = money_boundary(&mut fresh(), fact, &current, &now);
                    let hi = (scaled * 2.0).max(MONEY_MAX / 5.0);
                    let ranges = money_ranges(&mut fresh(), fact, 0.0, hi);
                    let old = ranges
                        .iter()
                        .filter(|c| c.outcome.improves_on(&now))
                        .max_by_key(|c| c.outcome.rank())
                        .and_then(|better| match (better.from, better.below) {
                            (None, Some(b)) => {
                                Some((serde_json::json!((b - 1.0).max(0.0)), Bound::AtMost))
                            }
                            (Some(f), _) => Some((serde_json::json!(f), Bound::AtLeast)),
                            (None, None) => None,
                        });
                    assert_eq!(
                        format!("{new:?}"),
                        format!("{old:?}"),
                        "{} {fact} = {scaled}",
                        rec.case_id
                    );
                    compared += usize::from(new.is_some());
                }
            }
        }
        assert!(compared > 5, "only {compared} nearest sums compared");
    }
}
