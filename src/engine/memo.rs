//! The memo of rule conclusions: a rule evaluated again with the same inputs gives the same conclusion, so it is
//! looked up instead of run. Read and written by `sandbox`'s running of one rule; its keys are planned once per
//! policy by the policy loader ([`MemoPlan::new`]).
//!
//! **The key** of one evaluation is what the rule can observe: the policy (its digest), the rule, the decision
//! date and the province the parameters are looked up for (the case's, or one put in place of an unknown one),
//! and the value of every fact its syntax tree can reach — as the rule would read it, that is with the values put
//! in place of unknown facts by the searches over unknowns; for a fact inside a list, the whole list.
//!
//! **Exact, whatever the static scan missed.** A conclusion is stored only when the evaluation read no fact
//! outside its key and called none of the functions that read other rules' conclusions or the assessment's
//! progress (`fired`, `value_of`, `decision`, `tier`, `priority_score`), and only when it concluded or stopped on
//! unknown facts (never a failure, which may come from a time limit). Rules are deterministic: an evaluation
//! with the same key observes the same values in the same order, so it takes the same path and reaches the same
//! conclusion — and the stored one is that conclusion. The operations it cost are added to the case's budget on
//! a hit as if it had run.
//!
//! **Bounded and per thread.** Each thread keeps its own memo (no lock, nothing shared between threads), emptied
//! when its estimated size passes [`MEMO_BYTES`]. [`set_enabled`] turns it off for the whole process (to
//! measure, or to compare: `tests/memo.rs` assesses every case with and without it and compares the bytes).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::engine::context::RuleRun;
use crate::engine::keys::MemoPlan;

/// Most bytes (estimated) one thread's memo holds before it is emptied.
pub const MEMO_BYTES: usize = 24 * 1024 * 1024;

static ENABLED: AtomicBool = AtomicBool::new(true);

thread_local! {
    static OFF_HERE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Turns the memo on or off for every thread (on by default). Results are the same either way; only the time
/// differs.
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// Whether the memo is on (for this thread).
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed) && !OFF_HERE.with(std::cell::Cell::get)
}

/// Runs `f` with the memo off on this thread only (other threads keep theirs), as the reference a memoised run
/// is compared with.
pub fn without<R>(f: impl FnOnce() -> R) -> R {
    let was = OFF_HERE.with(|o| o.replace(true));
    let r = f();
    OFF_HERE.with(|o| o.set(was));
    r
}

/// What this thread's memo did since the last [`reset`]: evaluations answered from it, evaluations run, and
/// evaluations that could not be stored (they read outside their key, or read other rules' conclusions).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Answered from the memo.
    pub hits: u64,
    /// Run (not in the memo).
    pub misses: u64,
    /// Run and not stored.
    pub unstorable: u64,
    /// Times the memo was emptied for its size.
    pub emptied: u64,
}

impl Stats {
    /// Hits over all lookups (0 when there were none).
    pub fn hit_rate(&self) -> f64 {
        let all = self.hits + self.misses;
        if all == 0 {
            0.0
        } else {
            self.hits as f64 / all as f64
        }
    }
}

/// This thread's figures.
pub fn stats() -> Stats {
    MEMO.with(|m| m.borrow().stats)
}

/// The estimated bytes this thread's memo holds now (at most [`MEMO_BYTES`]).
pub fn held_bytes() -> usize {
    MEMO.with(|m| m.borrow().bytes)
}

/// Empties this thread's memo and its figures.
pub fn reset() {
    MEMO.with(|m| *m.borrow_mut() = Memo::default());
}

struct Entry {
    run: RuleRun,
    ops: u64,
}

#[derive(Default)]
struct Memo {
    entries: HashMap<Vec<u8>, Entry, ahash::RandomState>,
    bytes: usize,
    stats: Stats,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// The stored conclusion for `key`, with the operations it cost.
pub(crate) fn get(key: &[u8]) -> Option<(RuleRun, u64)> {
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        match m.entries.get(key).map(|e| (e.run.clone(), e.ops)) {
            Some(hit) => {
                m.stats.hits += 1;
                Some(hit)
            }
            None => {
                m.stats.misses += 1;
                None
            }
        }
    })
}

/// Stores the conclusion of an evaluation of rule `index` under `key`, if it may be stored (see the module's
/// documentation): it read only facts its key covers and nothing of other rules or of the assessment's progress.
pub(crate) fn put(
    plan: &MemoPlan,
    index: usize,
    key: Vec<u8>,
    run: &RuleRun,
    ops: u64,
    observed_progress: bool,
) {
    let reads = match run {
        RuleRun::Concluded { reads, .. } | RuleRun::Unknown { reads, .. } => reads,
    };
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if observed_progress || !plan.covers(index, reads.iter().map(|r| r.fact.node)) {
            m.stats.unstorable += 1;
            return;
        }
        let size = key.len() + estimated_size(run);
        if m.bytes + size > MEMO_BYTES {
            m.entries.clear();
            m.bytes = 0;
            m.stats.emptied += 1;
        }
        m.bytes += size;
        m.entries.insert(
            key,
            Entry {
                run: run.clone(),
                ops,
            },
        );
    });
}

/// A rough size of a stored conclusion, for the memo's bound.
fn estimated_size(run: &RuleRun) -> usize {
    const BASE: usize = 256;
    match run {
        RuleRun::Concluded {
            conclusion,
            effects,
            reads,
            params,
            presumed,
            ..
        } => {
            let values = match conclusion {
                crate::engine::context::Conclusion::Met { values, .. }
                | crate::engine::context::Conclusion::NotMet { values } => values.len(),
            };
            BASE + 96 * (values + effects.len() + presumed.len())
                + 16 * (reads.len() + params.len())
        }
        RuleRun::Unknown {
            missing,
            reads,
            params,
        } => BASE + 16 * (missing.len() + reads.len() + params.len()),
    }
}
