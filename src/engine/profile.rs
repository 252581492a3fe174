//! What each rule cost on this thread: how often it was evaluated, how often the memo answered instead, and the
//! time and rhai operations its evaluations took. Recorded by `sandbox`'s running of one rule, for every policy
//! run on the thread (keyed by [`MemoId`], as the memo is); read through [`crate::Policy::rule_costs`] by the bench,
//! which prints the rules that bound the speed of an assessment.
//!
//! Recording costs a counter on a memo hit and one clock reading on an evaluation (which takes tens of
//! microseconds), so it is always on.

use std::cell::RefCell;
use std::time::Duration;

use crate::engine::context::MemoId;

/// One rule's figures on this thread since the last [`reset`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleCost {
    /// Evaluations run by the interpreter.
    pub evaluated: u64,
    /// Evaluations answered from the memo instead.
    pub answered: u64,
    /// Wall time of the evaluations run (the memo's answers are not in it).
    pub time: Duration,
    /// rhai operations of the evaluations run.
    pub operations: u64,
}

#[derive(Default)]
struct Profile {
    /// The figures of each policy run on this thread, by rule index. A thread runs one policy in all but a few
    /// tools (`diff` runs two), so a list searched in order is enough.
    policies: Vec<(MemoId, Vec<RuleCost>)>,
}

impl Profile {
    fn rule(&mut self, policy: MemoId, index: usize) -> Option<&mut RuleCost> {
        let at = match self.policies.iter().position(|(id, _)| *id == policy) {
            Some(at) => at,
            None => {
                self.policies.push((policy, Vec::new()));
                self.policies.len() - 1
            }
        };
        let rules = &mut self.policies.get_mut(at)?.1;
        if rules.len() <= index {
            rules.resize(index + 1, RuleCost::default());
        }
        rules.get_mut(index)
    }
}

thread_local! {
    static PROFILE: RefCell<Profile> = RefCell::new(Profile::default());
}

/// Rule `index` of `policy` was answered from the memo.
pub(crate) fn answered(policy: MemoId, index: usize) {
    PROFILE.with(|p| {
        if let Some(r) = p.borrow_mut().rule(policy, index) {
            r.answered += 1;
        }
    });
}

/// Rule `index` of `policy` was evaluated, in `time` and `operations`.
pub(crate) fn evaluated(policy: MemoId, index: usize, time: Duration, operations: u64) {
    PROFILE.with(|p| {
        if let Some(r) = p.borrow_mut().rule(policy, index) {
            r.evaluated += 1;
            r.time += time;
            r.operations = r.operations.saturating_add(operations);
        }
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
