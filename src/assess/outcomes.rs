//! What the rules' results say, read off the list of results by rule index: the results of one stage and kind,
//! the facts a result waits for or went on without, a rule's points and the amount recommended. Called by every
//! other file of `assess/`; holds no logic of its own beyond reading.

use crate::engine::{Conclusion, Effect, RuleRun};
use crate::model::codes::{RuleKind, Stage};
use crate::model::facts::FactRef;
use crate::policy::{Policy, Rule};
use std::sync::Arc;

/// The rules' results so far (`runs`, by rule index; `None` for a rule not run), with what they were read for.
pub(crate) struct Outcomes<'p> {
    pub policy: &'p Policy,
    pub runs: &'p [Option<Arc<RuleRun>>],
    pub date: jiff::civil::Date,
    pub province: Option<&'p str>,
}

impl Outcomes<'_> {
    /// The rules of one stage and kind that ran, with their results, in policy order.
    pub fn of(&self, stage: Stage, kind: RuleKind) -> impl Iterator<Item = (&Rule, &RuleRun)> {
        self.policy
            .rules
            .iter()
            .zip(self.runs.iter())
            .filter(move |(r, _)| r.stage == stage && r.kind == kind)
            .filter_map(|(r, run)| run.as_deref().map(|run| (r, run)))
    }
}

/// Whether a rule concluded that its condition holds.
pub(crate) fn is_met(run: &RuleRun) -> bool {
    matches!(
        run,
        RuleRun::Concluded {
            conclusion: Conclusion::Met { .. },
            ..
        }
    )
}

/// Unknown facts a concluded rule went on without (`known`, `if_unknown`).
pub(crate) fn defaulted_of(run: &RuleRun) -> &[FactRef] {
    match run {
        RuleRun::Concluded { defaulted, .. } => defaulted,
        RuleRun::Unknown { .. } => &[],
    }
}

/// Unknown facts an undecided rule waits for.
pub(crate) fn missing_of(run: &RuleRun) -> &[FactRef] {
    match run {
        RuleRun::Unknown { missing, .. } => missing,
        RuleRun::Concluded { .. } => &[],
    }
}

/// The points of a met rule (0 when it gives none); `None` when it is not met.
pub(crate) fn points_of(run: &RuleRun) -> Option<i64> {
    match run {
        RuleRun::Concluded {
            conclusion: Conclusion::Met { points, .. },
            ..
        } => Some(points.unwrap_or(0)),
        _ => None,
    }
}

/// The amount the amount rules recommend, rounded to the yuan.
pub(crate) fn recommended_amount(o: &Outcomes<'_>) -> Option<i64> {
    o.of(Stage::Amount, RuleKind::Amount)
        .find_map(|(_, r)| match r {
            RuleRun::Concluded { effects, .. } => effects.iter().find_map(|e| match e {
                Effect::Recommend(a) => Some(a.round() as i64),
                _ => None,
            }),
            RuleRun::Unknown { .. } => None,
        })
}

/// Whether an amount rule recommended an amount.
pub(crate) fn recommended(o: &Outcomes<'_>) -> bool {
    o.of(Stage::Amount, RuleKind::Amount).any(|(_, r)| match r {
        RuleRun::Concluded { effects, .. } => {
            effects.iter().any(|e| matches!(e, Effect::Recommend(_)))
        }
        RuleRun::Unknown { .. } => false,
    })
}
