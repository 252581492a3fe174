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

use rayon::prelude::*;
use serde_json::Value;

use crate::model::codes::{Decision, Tier};
use crate::model::exploration::{
    Bound, CaseOutcome, Change, Exploration, MissingValue, ValueCase, WhatIf,
};
use crate::model::recommendation::Recommendation;
use crate::model::text::{format_number, Labels, Lang};
use crate::policy::Policy;

pub use super::reassess::set;
use super::reassess::{
    candidates, is_money, money_boundary, money_ranges, Explorer, BUDGET, MONEY_MAX,
};

impl CaseOutcome {
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

/// One fact's part of the exploration: what each value of a missing fact leads to, or the changes of an actionable
/// fact that improve the outcome, within what remains of the budget.
enum Task<'a> {
    Missing(&'a str),
    Actionable(&'a str),
}

/// What a task found.
enum Found {
    Missing(MissingValue),
    Actionable {
        singles: Vec<(Vec<(String, Value)>, CaseOutcome)>,
        bound: Option<(String, Bound)>,
    },
}

impl Task<'_> {
    /// Runs the task on `ex`, within what its budget has left, for a case whose outcome is `now`.
    fn run(&self, ex: &mut Explorer<'_>, now: &CaseOutcome) -> Found {
        match *self {
            Task::Missing(fact) => {
                let cases = if is_money(fact) {
                    money_ranges(ex, fact, 0.0, MONEY_MAX)
                } else {
                    candidates(fact, &Value::Null)
                        .into_iter()
                        .filter_map(|v| {
                            ex.assess(&[(fact.to_string(), v.clone())])
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
                Found::Missing(MissingValue {
                    fact: fact.to_string(),
                    cases,
                })
            }
            Task::Actionable(fact) => {
                let current = ex.base.pointer(fact).cloned().unwrap_or(Value::Null);
                let mut bound = None;
                let tries: Vec<Value> = if is_money(fact) {
                    match money_boundary(ex, fact, &current, now) {
                        Some((v, b)) => {
                            bound = Some((fact.to_string(), b));
                            vec![v]
                        }
                        None => Vec::new(),
                    }
                } else {
                    candidates(fact, &current)
                };
                let mut singles = Vec::new();
                for v in tries {
                    let change = vec![(fact.to_string(), v)];
                    if let Some(o) = ex.assess(&change) {
                        if o.improves_on(now) {
                            singles.push((change, o));
                        }
                    }
                }
                Found::Actionable { singles, bound }
            }
        }
    }
}

/// Explores what would change the outcome of `case` (JSON) whose recommendation is `rec`: codes and values;
/// [`crate::explain::localise::localise`] writes its texts with the recommendation's (or [`Exploration::localise`]).
pub fn explore(case: &Value, rec: &Recommendation, policy: &Policy) -> Exploration {
    explore_within(case, rec, policy, BUDGET, true)
}

/// [`explore`] one re-assessment after another, on the calling thread: the same result, byte for byte, more slowly.
/// The reference the tests compare [`explore`] with.
pub fn explore_one_after_another(
    case: &Value,
    rec: &Recommendation,
    policy: &Policy,
) -> Exploration {
    explore_within(case, rec, policy, BUDGET, false)
}

/// [`explore`] with at most `budget` re-assessments; `parallel`: on every core, else one after another (the same
/// result).
fn explore_within(
    case: &Value,
    rec: &Recommendation,
    policy: &Policy,
    budget: usize,
    parallel: bool,
) -> Exploration {
    let now = CaseOutcome::of(rec);
    let mut out = Exploration::default();

    // What each plausible value of a missing fact would lead to; then the nearest improving changes of
    // actionable facts the assessment read.
    let mut tasks: Vec<Task<'_>> = rec.missing.iter().map(|m| Task::Missing(&m.fact)).collect();
    let worth = now.decision != Decision::Assist || now.tier != Some(Tier::A);
    let actionable: Vec<String> = if worth {
        let mut read: Vec<String> = rec
            .findings
            .iter()
            .flat_map(|f| f.facts.iter().cloned())
            .collect();
        read.sort();
        read.dedup();
        read.into_iter()
            .filter(|p| policy.what_if.iter().any(|a| a == p))
            .collect()
    } else {
        Vec::new()
    };
    tasks.extend(actionable.iter().map(|f| Task::Actionable(f)));
    // The tasks on every core, as one after another (`Explorer::each`).
    let mut ex = Explorer {
        policy,
        base: case,
        count: 0,
        budget,
        parallel,
    };
    let mut singles: Vec<(Vec<(String, Value)>, CaseOutcome)> = Vec::new();
    let mut bounds: Vec<(String, Bound)> = Vec::new();
    for found in ex.each(&tasks, |task, ex| task.run(ex, &now)) {
        match found {
            Found::Missing(m) => out.missing.push(m),
            Found::Actionable { singles: s, bound } => {
                singles.extend(s);
                bounds.extend(bound);
            }
        }
    }
    if worth {
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
            // Every pair in order, as many as the budget has left, assessed on every core (or one after another).
            let pairs: Vec<Vec<(String, Value)>> = flips
                .iter()
                .enumerate()
                .flat_map(|(i, a)| {
                    flips
                        .iter()
                        .skip(i + 1)
                        .filter(|b| b.0 != a.0)
                        .map(|b| vec![a.clone(), b.clone()])
                })
                .take(budget.saturating_sub(ex.count))
                .collect();
            let mut outcomes: Option<Vec<Option<CaseOutcome>>> = parallel.then(|| {
                let ex = &ex;
                pairs.par_iter().map(|change| ex.outcome(change)).collect()
            });
            // In order, each counted. A pair that cannot be assessed (the changed case is invalid: a prior payment
            // in the same case said to be in another, say) says nothing of the pairs after it, which are still tried.
            for (k, change) in pairs.into_iter().enumerate() {
                let o = match outcomes.as_mut() {
                    Some(found) => found.get_mut(k).and_then(Option::take),
                    None => ex.outcome(&change),
                };
                ex.count += 1;
                match o {
                    Some(o) if o.decision != now.decision && o.improves_on(&now) => {
                        singles.push((change, o))
                    }
                    Some(_) | None => {}
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

#[cfg(test)]
mod tests {
    use super::*;

    /// On 1, 2 and 4 threads, within every budget up to what the whole exploration needs (every seventh one for the
    /// longer explorations), the example cases explore as one re-assessment after another, byte for byte: a task or
    /// a grid or a refinement cut at any point, and pairs after it.
    #[test]
    fn within_every_budget_on_any_threads_as_one_after_another() {
        let Ok(policy) = Policy::embedded() else {
            panic!("the default policy does not load");
        };
        let pools: Vec<rayon::ThreadPool> = [1, 2, 4]
            .into_iter()
            .filter_map(|n| rayon::ThreadPoolBuilder::new().num_threads(n).build().ok())
            .collect();
        let mut compared = 0;
        for bytes in crate::explain::example_cases() {
            let Ok(case) = crate::validate::parse_case(&bytes) else {
                continue;
            };
            let Ok(rec) = crate::assess::assess(&case, &policy) else {
                continue;
            };
            let json = |e: &Exploration| serde_json::to_string(e).unwrap_or_default();
            let n = explore_within(&case.json, &rec, &policy, BUDGET, false).assessments;
            for budget in (0..=n + 1).step_by(if n <= 30 { 1 } else { 7 }) {
                let reference = json(&explore_within(&case.json, &rec, &policy, budget, false));
                for (k, pool) in pools.iter().enumerate() {
                    let found =
                        pool.install(|| explore_within(&case.json, &rec, &policy, budget, true));
                    assert_eq!(
                        json(&found),
                        reference,
                        "{} within {budget} on {} threads",
                        rec.case_id,
                        k + 1
                    );
                    compared += 1;
                }
            }
        }
        assert!(compared > 600, "only {compared} explorations compared");
    }

    /// The exploration never makes more re-assessments than its budget allows, and a budget of what it needs gives
    /// the whole result.
    #[test]
    fn the_exploration_keeps_its_budget() {
        let Ok(policy) = Policy::embedded() else {
            panic!("the default policy does not load");
        };
        for name in [
            "t11_hardship_not_caused_by_case.json",
            "c24_victim_outcome_unknown.json",
            "t05_missing_income_widow.json",
        ] {
            let path = format!("{}/fixtures/cases/{name}", env!("CARGO_MANIFEST_DIR"));
            let Ok(bytes) = std::fs::read(&path) else {
                panic!("cannot read {path}");
            };
            let Ok(case) = crate::validate::parse_case(&bytes) else {
                panic!("{path} is not a valid case");
            };
            let Ok(rec) = crate::assess::assess(&case, &policy) else {
                panic!("{path} does not assess");
            };
            let full = explore(&case.json, &rec, &policy);
            assert!(
                full.assessments > 10,
                "{name}: {} re-assessments",
                full.assessments
            );
            let whole = serde_json::to_string(&full).unwrap_or_default();
            let n = full.assessments;
            for budget in [0, 1, 7, n / 3, n / 2, n - 1, n] {
                let within = explore_within(&case.json, &rec, &policy, budget, true);
                assert!(
                    within.assessments <= budget,
                    "{name}: {} within {budget}",
                    within.assessments
                );
                if budget == n {
                    assert_eq!(
                        serde_json::to_string(&within).unwrap_or_default(),
                        whole,
                        "{name}"
                    );
                }
            }
        }
    }
}
