//! What would change the outcome: the nearest changes of fact that a person could prove or act on.
//!
//! For a case that is declined, needs information, or is assisted below the first tier, [`explore`] tries each
//! *actionable* fact (the policy's manifest lists them under `[what_if]`) at its other plausible values — the other
//! truth value, every other allowed value, and for sums of money the points where the outcome changes, found on a
//! grid and refined by bisection — and re-assesses the changed case. Only changes that verifiably improve the outcome
//! (decline → needs information or assist, needs information → assist, a higher tier) are kept; single changes
//! first, a pair only when no single change does it.
//!
//! For every fact listed as missing, it also says what each plausible value would lead to, so a case handler knows
//! which proof matters ("if the income is below ¥1,400 the case is assisted at tier A; from ¥1,400, declined").

use serde_json::Value;

use crate::model::codes::{Decision, Tier};
use crate::model::exploration::{
    Bound, CaseOutcome, Change, Exploration, MissingValue, ValueCase, WhatIf,
};
use crate::model::facts::{catalogue, FactType};
use crate::model::recommendation::Recommendation;
use crate::model::text::{format_number, Labels, Lang};
use crate::policy::Policy;
use crate::validate::validate_value;

impl CaseOutcome {
    fn of(r: &Recommendation) -> Self {
        CaseOutcome {
            decision: r.decision,
            tier: r.priority.as_ref().map(|p| p.tier),
            amount: r.amount.as_ref().map(|a| a.recommended),
            text: String::new(),
        }
    }

    /// Whether this outcome is better than `now`: a better decision, or, when both assist, a higher tier.
    fn improves_on(&self, now: &CaseOutcome) -> bool {
        let (d, t) = self.rank();
        let (nd, nt) = now.rank();
        d > nd || (d == nd && self.decision == Decision::Assist && t > nt)
    }

    /// A rank: higher is better for the applicant (assist > needs information > decline; then tier).
    fn rank(&self) -> (u8, u8) {
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

    /// In words: "assisted at tier A with ¥41,000" (在中文中："获得救助，A 级，¥41,000").
    pub fn describe(&self, lang: Lang) -> String {
        if lang == Lang::Zh {
            return match self.decision {
                Decision::Assist => format!(
                    "予以救助{}{}",
                    self.tier
                        .map(|t| format!("，优先等级 {}", t.as_str()))
                        .unwrap_or_default(),
                    self.amount
                        .map(|a| format!("，金额 ¥{}", format_number(a as f64)))
                        .unwrap_or_default()
                ),
                Decision::Decline => "不予救助".into(),
                Decision::NeedsInformation => "需补充信息".into(),
            };
        }
        match self.decision {
            Decision::Assist => format!(
                "assisted{}{}",
                self.tier
                    .map(|t| format!(" at tier {}", t.as_str()))
                    .unwrap_or_default(),
                self.amount
                    .map(|a| format!(" with ¥{}", format_number(a as f64)))
                    .unwrap_or_default()
            ),
            Decision::Decline => "declined".into(),
            Decision::NeedsInformation => "short of information".into(),
        }
    }
}

/// Upper bound for the money grid when a fact is unknown (yuan).
const MONEY_MAX: f64 = 50_000.0;
/// Most re-assessments for one case.
const BUDGET: usize = 400;

struct Explorer<'a> {
    policy: &'a Policy,
    base: &'a Value,
    count: usize,
}

impl Explorer<'_> {
    fn assess(&mut self, changes: &[(String, Value)]) -> Option<CaseOutcome> {
        if self.count >= BUDGET {
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
fn candidates(pointer: &str, current: &Value) -> Vec<Value> {
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

fn is_money(pointer: &str) -> bool {
    let cat = catalogue();
    cat.lookup(pointer)
        .and_then(|id| cat.node(id))
        .is_some_and(|n| n.ty == FactType::Number)
}

/// Explores what would change the outcome of `case` (JSON) whose recommendation is `rec`: codes and values;
/// [`crate::explain::localise::localise`] writes its texts with the recommendation's (or [`Exploration::localise`]).
pub fn explore(case: &Value, rec: &Recommendation, policy: &Policy) -> Exploration {
    let mut ex = Explorer {
        policy,
        base: case,
        count: 0,
    };
    let now = CaseOutcome::of(rec);
    let mut out = Exploration::default();

    // What each plausible value of a missing fact would lead to.
    for m in &rec.missing {
        let cases = if is_money(&m.fact) {
            money_ranges(&mut ex, &m.fact, 0.0, MONEY_MAX)
        } else {
            candidates(&m.fact, &Value::Null)
                .into_iter()
                .filter_map(|v| {
                    ex.assess(&[(m.fact.clone(), v.clone())])
                        .map(|o| ValueCase {
                            value: String::new(),
                            equals: Some(v.clone()),
                            from: None,
                            below: None,
                            outcome: o,
                        })
                })
                .collect()
        };
        out.missing.push(MissingValue {
            fact: m.fact.clone(),
            cases,
        });
    }

    // Nearest improving changes of actionable facts the assessment read.
    let worth = now.decision != Decision::Assist || now.tier != Some(Tier::A);
    if worth {
        let read: Vec<String> = {
            let mut r: Vec<String> = rec
                .findings
                .iter()
                .flat_map(|f| f.facts.iter().cloned())
                .collect();
            r.sort();
            r.dedup();
            r
        };
        let actionable: Vec<String> = read
            .into_iter()
            .filter(|p| policy.what_if.iter().any(|a| a == p))
            .collect();
        let mut singles: Vec<(Vec<(String, Value)>, CaseOutcome)> = Vec::new();
        let mut bounds: Vec<(String, Bound)> = Vec::new();
        for fact in &actionable {
            let current = case.pointer(fact).cloned().unwrap_or(Value::Null);
            let tries: Vec<Value> = if is_money(fact) {
                match money_boundary(&mut ex, fact, &current, &now) {
                    Some((v, bound)) => {
                        bounds.push((fact.clone(), bound));
                        vec![v]
                    }
                    None => Vec::new(),
                }
            } else {
                candidates(fact, &current)
            };
            for v in tries {
                let change = vec![(fact.clone(), v)];
                if let Some(o) = ex.assess(&change) {
                    if o.improves_on(&now) {
                        singles.push((change, o));
                    }
                }
            }
        }
        // Pairs only when no single change improves the decision.
        if !singles.iter().any(|(_, o)| o.decision != now.decision)
            && now.decision != Decision::Assist
        {
            let flips: Vec<(String, Value)> = actionable
                .iter()
                .filter(|f| !is_money(f))
                .flat_map(|f| {
                    let current = case.pointer(f).cloned().unwrap_or(Value::Null);
                    candidates(f, &current)
                        .into_iter()
                        .map(move |v| (f.clone(), v))
                })
                .collect();
            'pairs: for (i, a) in flips.iter().enumerate() {
                for b in flips.iter().skip(i + 1).filter(|b| b.0 != a.0) {
                    let change = vec![a.clone(), b.clone()];
                    match ex.assess(&change) {
                        Some(o) if o.decision != now.decision && o.improves_on(&now) => {
                            singles.push((change, o))
                        }
                        Some(_) => {}
                        None => break 'pairs,
                    }
                }
            }
        }
        singles.sort_by(|a, b| {
            a.0.len()
                .cmp(&b.0.len())
                .then(b.1.rank().cmp(&a.1.rank()))
                .then(a.0.iter().map(|c| &c.0).cmp(b.0.iter().map(|c| &c.0)))
        });
        out.changes = singles
            .into_iter()
            .take(8)
            .map(|(changes, outcome)| {
                let changes: Vec<Change> = changes
                    .into_iter()
                    .map(|(fact, to)| Change {
                        from: case.pointer(&fact).cloned().unwrap_or(Value::Null),
                        bound: bounds.iter().find(|(f, _)| *f == fact).map(|(_, b)| *b),
                        fact,
                        to,
                    })
                    .collect();
                WhatIf {
                    changes,
                    outcome,
                    text: String::new(),
                }
            })
            .collect();
    }
    out.assessments = ex.count;
    out
}

impl Exploration {
    /// Writes every text in the language of `labels`.
    pub fn localise(&mut self, labels: &Labels) {
        let lang = labels.lang;
        for w in &mut self.changes {
            w.outcome.text = w.outcome.describe(lang);
            let what: Vec<String> = w
                .changes
                .iter()
                .map(|c| match lang {
                    Lang::Zh => format!(
                        "`{}` 为{}{}",
                        c.fact,
                        match c.bound {
                            Some(Bound::AtMost) => "不超过 ",
                            Some(Bound::AtLeast) => "不低于 ",
                            None => "",
                        },
                        show(&c.to, labels)
                    ),
                    Lang::En => format!(
                        "`{}` were {}{}",
                        c.fact,
                        match c.bound {
                            Some(Bound::AtMost) => "at most ",
                            Some(Bound::AtLeast) => "at least ",
                            None => "",
                        },
                        show(&c.to, labels)
                    ),
                })
                .collect();
            w.text = match lang {
                Lang::Zh => format!("如果 {}，将{}。", what.join("，且 "), w.outcome.text),
                Lang::En => format!("Would be {} if {}.", w.outcome.text, what.join(" and ")),
            };
        }
        for m in &mut self.missing {
            for c in &mut m.cases {
                c.outcome.text = c.outcome.describe(lang);
                let y = |x: f64| format!("¥{}", format_number(x));
                c.value = match (&c.equals, c.from, c.below, lang) {
                    (Some(v), _, _, _) => show(v, labels),
                    (None, None, Some(b), Lang::En) => format!("below {}", y(b)),
                    (None, Some(f), Some(b), Lang::En) => {
                        format!("from {} to below {}", y(f), y(b))
                    }
                    (None, Some(f), None, Lang::En) => format!("from {}", y(f)),
                    (None, None, None, Lang::En) => "any amount".into(),
                    (None, None, Some(b), Lang::Zh) => format!("低于 {}", y(b)),
                    (None, Some(f), Some(b), Lang::Zh) => format!("不低于 {}、低于 {}", y(f), y(b)),
                    (None, Some(f), None, Lang::Zh) => format!("不低于 {}", y(f)),
                    (None, None, None, Lang::Zh) => "任何金额".into(),
                };
            }
        }
    }
}

/// A value a fact could take: a sum in yuan, a code by its label; in English a truth value as the fact's own
/// `true` or `false` ("if `/x` were true").
fn show(v: &Value, labels: &Labels) -> String {
    match v {
        Value::Number(n) => format!("¥{}", format_number(n.as_f64().unwrap_or(0.0))),
        Value::Bool(b) if labels.lang == Lang::En => b.to_string(),
        other => labels.value(other),
    }
}

/// The ranges of a sum of money (unknown now) over which the outcome stays the same, found on a grid between `lo`
/// and `hi` and refined to ¥1 by bisection; a range over which the amount varies names no one amount.
fn money_ranges(ex: &mut Explorer<'_>, fact: &str, lo: f64, hi: f64) -> Vec<ValueCase> {
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
fn money_boundary(
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
