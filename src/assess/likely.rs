//! The middle reading of a provisional amount: when the amount cannot be computed on the known facts, the reading
//! of its unknown facts in the middle by amount, and the rule results of every stage run with it, from which the
//! recommendation takes its amount's steps and caps. Called by [`super::assess`] after [`super::readings::spread`].

use crate::assess::readings::{Leaf, Spread};
use crate::assess::stages::{Progress, Stages};
use crate::assess::unknowns::Assign;
use crate::engine::{self, RuleRun};
use crate::model::codes::Stage;
use std::sync::Arc;

/// The facts of the middle reading by amount (the lower middle of an even number of readings). When every reading
/// gives the same amount, the first tried: a money fact's first value is nil, so an amount that no value of it moves
/// is shown worked with none, not with an arbitrary sum.
fn middle_reading(spread: &Spread) -> Option<Assign> {
    let mut with_amount: Vec<&Leaf> = spread.leaves.iter().filter(|l| l.1.is_some()).collect();
    let first = *with_amount.first()?;
    if with_amount.iter().all(|l| l.1 == first.1) {
        return Some(first.0.clone());
    }
    with_amount.sort_by_key(|l| l.1);
    let n = with_amount.len();
    with_amount.get((n - 1) / 2).map(|l| l.0.clone())
}

/// When the amount cannot be computed on the known facts: the middle reading's facts and the rule results of
/// every stage run with them (the decision `progress` settled). The rule results in place are put back.
pub(crate) fn likely(
    s: &mut Stages<'_>,
    progress: &Progress,
    spread: &Spread,
) -> Option<(Assign, Vec<Option<Arc<RuleRun>>>)> {
    let assign = middle_reading(spread)?;
    let actual = engine::with_eval_ctx(|c| c.runs.clone()).unwrap_or_default();
    s.prepare(&[], &assign);
    s.settled = Some((progress.decision, progress.discretionary));
    // The amount's steps and caps are what is taken from this reading: referrals are not run.
    let ran = s.run_through(Stage::Amount);
    s.settled = None;
    let runs = engine::with_eval_ctx(|c| {
        c.overrides.clear();
        std::mem::replace(&mut c.runs, actual)
    })
    .unwrap_or_default();
    engine::set_progress(
        Some(progress.decision),
        progress.priority.map(|p| p.1),
        progress.priority.map(|p| p.0),
    );
    ran.ok().map(|_| (assign, runs))
}
