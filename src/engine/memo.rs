//! The memo of rule conclusions: a rule evaluated again on what it observed before concludes as before, so its
//! conclusion is looked up instead of run. Read and written by `sandbox`'s running of one rule.
//!
//! **What is kept.** For each policy (its files' digest, [`MemoId`]) and rule, a tree of what the rule observed
//! in order (observations: facts through the `facts` indexer, parameters, earlier rules' outcomes, the assessment's
//! progress), branching on each observation's value as `observe::write` writes it, down to the conclusion the
//! rule reached. A rule that reads a case's income only when its applicant is a victim has the income in its path
//! only then; facts it could read but did not are not part of it. To look a case up, walk the tree: at each
//! branch write the value the case gives that observation, follow it; a conclusion reached is the answer.
//!
//! **Exact.** Rules are deterministic, and every value a rule sees through the vocabulary is a function of an
//! observation's written value (each call site records it with the same `observe::write` used to look up).
//! So a rule run on a case whose observations write the same bytes as a recorded path, in the same order, takes
//! the same path and reaches the recorded conclusion — with the same facts read, parameters, effects, values and
//! cost in operations (added to the case's budget on a hit as if it had run). Only conclusions and stops on
//! unknown facts are kept, never a failure (which may come from a time limit). `tests/memo.rs` assesses the
//! corpus and 10,000 generated cases with and without the memo, in both languages, and compares the bytes.
//!
//! **Bounded and per thread.** Each thread keeps its own memo (no lock, nothing shared between threads), emptied
//! when its estimated size passes [`MEMO_BYTES`]. [`set_enabled`] turns it off for the whole process (to
//! measure, or to compare).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::engine::context::{EvalCtx, MemoId, Obs, RuleRun};
use crate::engine::observe;

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

/// A node of a rule's tree: the next observation and where each of its values leads, or the conclusion.
enum Node {
    Branch {
        obs: Obs,
        children: HashMap<Box<[u8]>, u32, ahash::RandomState>,
    },
    Leaf {
        run: RuleRun,
        ops: u64,
    },
}

#[derive(Default)]
struct Memo {
    /// The root of each (policy, rule)'s tree.
    roots: HashMap<(MemoId, u32), u32, ahash::RandomState>,
    nodes: Vec<Node>,
    bytes: usize,
    stats: Stats,
    /// Where an observation's value is written while looking up.
    scratch: Vec<u8>,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// The conclusion recorded for rule `index` of policy `id` on what the case in `ctx` gives its observations, with
/// the operations it cost.
pub(crate) fn get(id: MemoId, index: usize, ctx: &EvalCtx) -> Option<(RuleRun, u64)> {
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        let Memo {
            roots,
            nodes,
            stats,
            scratch,
            ..
        } = &mut *m;
        let mut at = roots.get(&(id, index as u32)).copied();
        while let Some(n) = at {
            match nodes.get(n as usize) {
                Some(Node::Leaf { run, ops }) => {
                    stats.hits += 1;
                    return Some((run.clone(), *ops));
                }
                Some(Node::Branch { obs, children }) => {
                    scratch.clear();
                    observe::write(ctx, obs, scratch);
                    at = children.get(scratch.as_slice()).copied();
                }
                None => break,
            }
        }
        stats.misses += 1;
        None
    })
}

/// Records the conclusion `run` of rule `index` of policy `id`, reached after observing `trace` (each with the
/// range of `bytes` holding its value), at the cost of `ops` operations.
pub(crate) fn put(
    id: MemoId,
    index: usize,
    trace: &[(Obs, std::ops::Range<u32>)],
    bytes: &[u8],
    run: &RuleRun,
    ops: u64,
) {
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        let size = estimated_size(run)
            + trace
                .iter()
                .map(|(_, r)| 96 + (r.end - r.start) as usize)
                .sum::<usize>();
        if m.bytes + size > MEMO_BYTES {
            m.roots.clear();
            m.nodes.clear();
            m.bytes = 0;
            m.stats.emptied += 1;
        }
        let value = |r: &std::ops::Range<u32>| bytes.get(r.start as usize..r.end as usize);
        if trace.iter().any(|(_, r)| value(r).is_none()) {
            m.stats.unstorable += 1;
            return;
        }
        // Follow the path already recorded as far as it goes.
        let key = (id, index as u32);
        let mut at = m.roots.get(&key).copied();
        let mut attach: Option<(u32, Box<[u8]>)> = None;
        let mut k = 0;
        while let Some(n) = at {
            let next = match m.nodes.get(n as usize) {
                Some(Node::Branch { obs, children }) => match trace.get(k) {
                    Some((o, r)) if o == obs => value(r).map(|v| (children.get(v).copied(), v)),
                    _ => None,
                },
                _ => None,
            };
            // A leaf on the way, or a different observation: not the path a deterministic rule takes (cannot
            // happen); record nothing.
            let Some((child, v)) = next else {
                m.stats.unstorable += 1;
                return;
            };
            k += 1;
            match child {
                Some(c) => at = Some(c),
                None => {
                    attach = Some((n, v.into()));
                    at = None;
                }
            }
        }
        // The rest of the path, built from its end.
        let mut next = m.nodes.len() as u32;
        m.nodes.push(Node::Leaf {
            run: run.clone(),
            ops,
        });
        for (obs, r) in trace.get(k..).unwrap_or_default().iter().rev() {
            let v = value(r).unwrap_or_default();
            let mut children = HashMap::with_capacity_and_hasher(1, ahash::RandomState::new());
            children.insert(Box::<[u8]>::from(v), next);
            next = m.nodes.len() as u32;
            m.nodes.push(Node::Branch {
                obs: obs.clone(),
                children,
            });
        }
        match attach {
            Some((n, v)) => {
                if let Some(Node::Branch { children, .. }) = m.nodes.get_mut(n as usize) {
                    children.insert(v, next);
                }
            }
            None => {
                m.roots.insert(key, next);
            }
        }
        m.bytes += size;
    })
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
