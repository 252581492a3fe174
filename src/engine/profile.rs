//! What each rule cost on this thread: how often it was evaluated, how often the memo answered instead, and the
//! time and rhai operations its evaluations took. Recorded by `sandbox`'s running of one rule, for every policy
//! run on the thread (keyed by [`MemoId`], as the memo is); read through [`crate::Policy::rule_costs`] by the bench,
//! which prints the rules that bound the speed of an assessment.
//!
//! Recording costs a counter on a memo hit and, on an evaluation (which takes tens of microseconds), one clock
//! reading beside the one the rule's time budget starts from, so it is always on.

use std::cell::RefCell;
use std::time::Duration;

use crate::engine::context::MemoId;

/// One rule's figures on this thread since the last [`reset`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleCost {
    /// Evaluations run by the interpreter, failed ones among them.
    pub evaluated: u64,
    /// Of those, evaluations that failed (an error in the rule, a limit reached; within a search over unknown
    /// facts the reading is left out, elsewhere the assessment fails).
    pub failed: u64,
    /// Evaluations answered from the memo instead.
    pub answered: u64,
    /// Wall time of the evaluations run (the memo's answers are not in it).
    pub time: Duration,
    /// rhai operations of the evaluations run.
    pub operations: u64,
}

/// Policies whose figures one thread keeps; past it, those of the policy run least recently are dropped.
const POLICIES: usize = 8;

#[derive(Default)]
struct Profile {
    /// The figures of each policy run on this thread, by rule index, the one run last first. A thread runs one
    /// policy in all but a few tools (`diff` runs two), so a short list searched in order is enough.
    policies: Vec<(MemoId, Vec<RuleCost>)>,
}

impl Profile {
    fn rule(&mut self, policy: MemoId, index: usize) -> Option<&mut RuleCost> {
        match self.policies.iter().position(|(id, _)| *id == policy) {
            Some(0) => {}
            Some(at) => {
                let figures = self.policies.remove(at);
                self.policies.insert(0, figures);
            }
            None => {
                self.policies.truncate(POLICIES - 1);
                self.policies.insert(0, (policy, Vec::new()));
            }
        }
        let rules = &mut self.policies.first_mut()?.1;
        if rules.len() <= index {
            rules.resize(index + 1, RuleCost::default());
        }
        rules.get_mut(index)
    }
}

thread_local! {
    static PROFILE: RefCell<Profile> = RefCell::new(Profile::default());
}

/// Updates rule `index` of `policy`'s figures on this thread.
fn with_rule(policy: MemoId, index: usize, f: impl FnOnce(&mut RuleCost)) {
    PROFILE.with(|p| {
        if let Some(r) = p.borrow_mut().rule(policy, index) {
            f(r);
        }
    });
}

/// Rule `index` of `policy` was answered from the memo.
pub(crate) fn answered(policy: MemoId, index: usize) {
    with_rule(policy, index, |r| r.answered += 1);
}

/// Rule `index` of `policy`'s last evaluation failed.
pub(crate) fn failed(policy: MemoId, index: usize) {
    with_rule(policy, index, |r| r.failed += 1);
}

/// Rule `index` of `policy` was evaluated, in `time` and `operations`.
pub(crate) fn evaluated(policy: MemoId, index: usize, time: Duration, operations: u64) {
    with_rule(policy, index, |r| {
        r.evaluated += 1;
        r.time += time;
        r.operations = r.operations.saturating_add(operations);
    });
}

/// This thread's figures for `policy`, by rule index (a rule never run has none, and the list may be shorter than
/// the policy's rules).
pub(crate) fn costs(policy: MemoId) -> Vec<RuleCost> {
    PROFILE.with(|p| {
        p.borrow()
            .policies
            .iter()
            .find(|(id, _)| *id == policy)
            .map(|(_, rules)| rules.clone())
            .unwrap_or_default()
    })
}

/// Forgets this thread's figures.
pub fn reset() {
    PROFILE.with(|p| *p.borrow_mut() = Profile::default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_keeps_the_figures_of_the_policies_it_ran_last() {
        reset();
        let ids: Vec<MemoId> = (0..POLICIES + 2)
            .map(|i| MemoId::new(&format!("{i:064x}")))
            .collect();
        for (i, id) in ids.iter().enumerate() {
            evaluated(*id, i, Duration::from_micros(3), 7);
            answered(*id, i);
        }
        // Running the oldest kept one (2) again makes it the last run: the next policy drops the one after it (3).
        let kept = ids.get(2).copied().unwrap_or(MemoId::new(""));
        answered(kept, 0);
        evaluated(MemoId::new("new"), 1, Duration::ZERO, 0);
        for (i, id) in ids.iter().enumerate() {
            let costs = costs(*id);
            if matches!(i, 0 | 1 | 3) {
                assert!(costs.is_empty(), "policy {i} was dropped");
                continue;
            }
            assert_eq!(costs.len(), i + 1, "policy {i}");
            let c = costs.get(i).copied().unwrap_or_default();
            assert_eq!(
                (c.evaluated, c.answered, c.operations),
                (1, 1, 7),
                "policy {i}"
            );
            assert_eq!(c.time, Duration::from_micros(3));
        }
        assert_eq!(costs(kept).first().map(|c| c.answered), Some(1));
        reset();
        assert!(costs(kept).is_empty());
    }
}
