//! Deciding over the outcomes the eligibility and exclusion rules can still reach: decline, assist (and whether
//! only the catch-all pathway is met) or needs information; and which undecided rules could change it. Called by
//! [`super::stages`] (the decision on known facts), [`super::readings`] (the decision when each undecided rule may
//! reach only some outcomes) and [`super::missing`] (which missing facts could change the decision).
//!
//! - **decline** when a condition is not met or a bar applies (on known facts), or when every pathway is known
//!   not to be met;
//! - **assist** when a pathway is met, every condition is met and no bar applies; `discretionary` when only
//!   the catch-all pathway is met;
//! - **needs information** otherwise: a rule that could change the decision depends on an unknown fact.

use crate::assess::outcomes::{is_met, recommended, Outcomes};
use crate::engine::{Conclusion, RuleRun};
use crate::model::codes::{Decision, RuleKind, Stage};
use crate::policy::Rule;

/// The decision from eligibility and exclusions; and whether it rests on the catch-all only.
pub(crate) fn decide(o: &Outcomes<'_>) -> (Decision, bool) {
    decide_with(o, &|_, run| sure(run))
}

/// The outcomes a rule's result allows: `(can be met, can be not met)`; an unknown rule, both.
pub(crate) fn sure(run: &RuleRun) -> (bool, bool) {
    match run {
        RuleRun::Concluded {
            conclusion: Conclusion::Met { .. },
            ..
        } => (true, false),
        RuleRun::Concluded {
            conclusion: Conclusion::NotMet { .. },
            ..
        } => (false, true),
        RuleRun::Unknown { .. } => (true, true),
    }
}

/// The decision, given the outcomes each eligibility and exclusion rule can still reach: decline when a condition
/// cannot be met, a bar must apply or no pathway can be met; assist when every condition must be met, no bar can
/// apply and some pathway must be met; otherwise open.
pub(crate) fn decide_with(
    o: &Outcomes<'_>,
    possible: &dyn Fn(&Rule, &RuleRun) -> (bool, bool),
) -> (Decision, bool) {
    let of = |stage, kind| -> Vec<(bool, bool)> {
        o.of(stage, kind).map(|(r, run)| possible(r, run)).collect()
    };
    let conditions = of(Stage::Eligibility, RuleKind::Condition);
    let pathways = of(Stage::Eligibility, RuleKind::Pathway);
    let discretionary = of(Stage::Eligibility, RuleKind::Discretionary);
    let bars = of(Stage::Exclusions, RuleKind::Bar);

    if conditions.iter().any(|&(met, _)| !met) || bars.iter().any(|&(_, not)| !not) {
        return (Decision::Decline, false);
    }
    if pathways
        .iter()
        .chain(discretionary.iter())
        .all(|&(met, _)| !met)
    {
        return (Decision::Decline, false);
    }
    let mandatory = pathways.iter().any(|&(_, not)| !not);
    let catch_all = discretionary.iter().any(|&(_, not)| !not);
    let settled = conditions.iter().all(|&(_, not)| !not) && bars.iter().all(|&(met, _)| !met);
    if settled && (mandatory || catch_all) {
        // A mandatory pathway still unknown could lift a discretionary case to a mandatory one, but cannot change
        // the decision; it is shown as unknown in the findings.
        return (Decision::Assist, !mandatory);
    }
    (Decision::NeedsInformation, false)
}

/// Which rules' unknown facts could change the decision.
pub(crate) fn decision_relevant<'a>(
    o: &'a Outcomes<'_>,
    decision: Decision,
) -> Vec<(&'a Rule, &'a RuleRun)> {
    if decision != Decision::NeedsInformation {
        return Vec::new();
    }
    let any_pathway_met = o
        .of(Stage::Eligibility, RuleKind::Pathway)
        .any(|(_, r)| is_met(r))
        || o.of(Stage::Eligibility, RuleKind::Discretionary)
            .any(|(_, r)| is_met(r));
    let mut out = Vec::new();
    for (rule, run) in o.policy.rules.iter().zip(o.runs.iter()) {
        let Some(run) = run.as_deref() else { continue };
        if !matches!(run, RuleRun::Unknown { .. }) {
            continue;
        }
        let relevant = match (rule.stage, rule.kind) {
            (Stage::Eligibility, RuleKind::Condition) | (Stage::Exclusions, RuleKind::Bar) => true,
            (Stage::Eligibility, RuleKind::Pathway | RuleKind::Discretionary) => !any_pathway_met,
            (Stage::Amount, _) => !recommended(o),
            _ => false,
        };
        if relevant {
            out.push((rule, run));
        }
    }
    out
}
