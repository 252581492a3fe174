//! A case assessed again with some of its facts changed ([`Explorer`], within a budget of re-assessments), the
//! values worth trying for a fact, and the sums of money at which the outcome changes (a grid refined to ¥1 by
//! bisection). What [`super::whatif`] explores with.

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
}

impl Explorer<'_> {
    /// The outcome of the case with `changes`; nothing past the budget, or when the changed case is invalid.
    pub(super) fn assess(&mut self, changes: &[(String, Value)]) -> Option<CaseOutcome> {
        if self.count >= self.budget {
            return None;
        }
        self.count += 1;
        let mut v = self.base.clone();
        for (pointer, value) in changes {
            set(&mut v, pointer, value.clone())?;
        }
        let case = validate_value(v).ok()?;
        crate::assess::assess(&case, self.policy)
            .ok()
            .map(|r| CaseOutcome::of(&r))
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

/// The ranges of a sum of money (unknown now) over which the outcome stays the same, found on a grid between `lo`
/// and `hi` and refined to ¥1 by bisection; a range over which the amount varies names no one amount.
pub(super) fn money_ranges(ex: &mut Explorer<'_>, fact: &str, lo: f64, hi: f64) -> Vec<ValueCase> {
    const STEPS: usize = 20;
    let at = |ex: &mut Explorer<'_>, x: f64| {
        ex.assess(&[(fact.to_string(), serde_json::json!(x.round()))])
    };
    let mut points: Vec<(f64, CaseOutcome)> = Vec::new();
    for i in 0..=STEPS {
        let x = lo + (hi - lo) * i as f64 / STEPS as f64;
        if let Some(o) = at(ex, x) {
            points.push((x, o));
        }
    }
    // Boundaries between grid points whose outcomes differ (decision or tier), refined by bisection.
    // Each boundary with the outcome past it, and whether the amount varied within the range before it.
    let mut bounds: Vec<(f64, CaseOutcome, bool)> = Vec::new();
    let Some(first) = points.first().cloned() else {
        return Vec::new();
    };
    let mut prev = first.clone();
    let mut varies = false;
    for (x, o) in points.into_iter().skip(1) {
        if (o.decision, o.tier) == (prev.1.decision, prev.1.tier) && o.amount != prev.1.amount {
            varies = true;
        }
        if (o.decision, o.tier) != (prev.1.decision, prev.1.tier) {
            let (mut a, mut b) = (prev.0, x);
            while b - a > 1.0 {
                let mid = ((a + b) / 2.0).round();
                match at(ex, mid) {
                    Some(m) if (m.decision, m.tier) == (prev.1.decision, prev.1.tier) => a = mid,
                    Some(_) => b = mid,
                    None => break,
                }
            }
            bounds.push((b, o.clone(), varies));
            varies = false;
        }
        prev = (x, o);
    }
    // A range over which the amount varies (an earlier payment deducted, say) names no one amount.
    let settle = |mut o: CaseOutcome, varies: bool| {
        if varies {
            o.amount = None;
        }
        o
    };
    let mut cases = Vec::new();
    let mut start_outcome = first.1;
    let mut start: Option<f64> = None;
    for (b, o, varied) in bounds {
        cases.push(ValueCase {
            value: String::new(),
            equals: None,
            from: start,
            below: Some(b),
            outcome: settle(start_outcome, varied),
        });
        start = Some(b);
        start_outcome = o;
    }
    cases.push(ValueCase {
        value: String::new(),
        equals: None,
        from: start,
        below: None,
        outcome: settle(start_outcome, varies),
    });
    cases
}

/// The sum nearest the current one at which the outcome improves, if any, with `at most` or `at least`.
pub(super) fn money_boundary(
    ex: &mut Explorer<'_>,
    fact: &str,
    current: &Value,
    now: &CaseOutcome,
) -> Option<(Value, Bound)> {
    let cur = current.as_f64()?;
    let ranges = money_ranges(ex, fact, 0.0, (cur * 2.0).max(MONEY_MAX / 5.0));
    // The best range that improves on now; report its nearest end to the current value.
    let better = ranges
        .iter()
        .filter(|c| c.outcome.improves_on(now))
        .max_by_key(|c| c.outcome.rank())?;
    match (better.from, better.below) {
        (None, Some(b)) => Some((serde_json::json!((b - 1.0).max(0.0)), Bound::AtMost)),
        (Some(f), _) => Some((serde_json::json!(f), Bound::AtLeast)),
        (None, None) => None,
    }
}
