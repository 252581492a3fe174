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
use std::sync::Arc;

use crate::engine::context::{EvalCtx, MemoId, Obs, RuleRun};
use crate::engine::observe;

/// Most bytes (estimated) one thread's memo holds before it is emptied. Measured 2026-11-30 on 20,000 generated
/// cases, one thread: a memo of 1 MB, 8 MB or 24 MB gives about the same speed (the paths that repeat are found
/// again soon after it is emptied), while the process's peak memory grows with it (62, 66, 87 MB).
pub const MEMO_BYTES: usize = 8 * 1024 * 1024;

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
    MEMO.with(|m| m.borrow().bytes())
}

/// Empties this thread's memo and its figures.
pub fn reset() {
    MEMO.with(|m| *m.borrow_mut() = Memo::default());
}

/// A node of a rule's tree: the next observation (its values lead on through [`Memo::edges`]), or the conclusion.
enum Node {
    Branch(Obs),
    Leaf(Arc<RuleRun>, u64),
}

#[derive(Default)]
struct Memo {
    /// The root of each (policy, rule)'s tree.
    roots: HashMap<(MemoId, u32), u32, ahash::RandomState>,
    nodes: Vec<Node>,
    /// Where a branch's observation leads for one value: keyed by the branch's node (4 bytes) and the value's
    /// bytes, one table for every tree (no table per node).
    edges: HashMap<Box<[u8]>, u32, ahash::RandomState>,
    /// Bytes held outside the tables' and the node list's own storage (keys, conclusions).
    held: usize,
    stats: Stats,
    /// Where an edge's key is written while looking up.
    scratch: Vec<u8>,
}

impl Memo {
    /// The estimated bytes held: the tables and the node list as allocated, and what they point to.
    fn bytes(&self) -> usize {
        // A hash table slot: its entry and a control byte, at the table's capacity.
        let edge = std::mem::size_of::<(Box<[u8]>, u32)>() + 1;
        let root = std::mem::size_of::<((MemoId, u32), u32)>() + 1;
        self.held
            + self.edges.capacity() * edge
            + self.roots.capacity() * root
            + self.nodes.capacity() * std::mem::size_of::<Node>()
    }

    fn empty(&mut self) {
        self.roots = HashMap::default();
        self.nodes = Vec::new();
        self.edges = HashMap::default();
        self.held = 0;
        self.stats.emptied += 1;
    }
}

/// What an allocation costs beyond what it holds (the allocator's header and rounding), for the estimate.
const ALLOCATION: usize = 16;

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// The conclusion recorded for rule `index` of policy `id` on what the case in `ctx` gives its observations, with
/// the operations it cost.
pub(crate) fn get(id: MemoId, index: usize, ctx: &EvalCtx) -> Option<(Arc<RuleRun>, u64)> {
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        let Memo {
            roots,
            nodes,
            edges,
            stats,
            scratch,
            ..
        } = &mut *m;
        let mut at = roots.get(&(id, index as u32)).copied();
        while let Some(n) = at {
            match nodes.get(n as usize) {
                Some(Node::Leaf(run, ops)) => {
                    stats.hits += 1;
                    return Some((Arc::clone(run), *ops));
                }
                Some(Node::Branch(obs)) => {
                    scratch.clear();
                    scratch.extend_from_slice(&n.to_le_bytes());
                    observe::write(ctx, obs, scratch);
                    at = edges.get(scratch.as_slice()).copied();
                }
                None => break,
            }
        }
        stats.misses += 1;
        None
    })
}

/// The key of the edge from node `n` for a value.
fn edge(n: u32, value: &[u8]) -> Box<[u8]> {
    let mut k = Vec::with_capacity(4 + value.len());
    k.extend_from_slice(&n.to_le_bytes());
    k.extend_from_slice(value);
    k.into_boxed_slice()
}

/// Records the conclusion `run` of rule `index` of policy `id`, reached after observing `trace` (each with the
/// range of `bytes` holding its value), at the cost of `ops` operations.
pub(crate) fn put(
    id: MemoId,
    index: usize,
    trace: &[(Obs, std::ops::Range<u32>)],
    bytes: &[u8],
    run: &Arc<RuleRun>,
    ops: u64,
) {
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        let value = |r: &std::ops::Range<u32>| bytes.get(r.start as usize..r.end as usize);
        if trace.iter().any(|(_, r)| value(r).is_none()) {
            m.stats.unstorable += 1;
            return;
        }
        // At most this much more: a new path's edges and nodes, and its conclusion.
        let size = estimated_size(run)
            + trace
                .iter()
                .map(|(_, r)| 2 * (4 + (r.end - r.start) as usize + ALLOCATION) + 64)
                .sum::<usize>();
        if m.bytes() + size > MEMO_BYTES {
            m.empty();
        }
        // Follow the path already recorded as far as it goes.
        let key = (id, index as u32);
        let mut at = m.roots.get(&key).copied();
        let mut attach: Option<Box<[u8]>> = None;
        let mut k = 0;
        while let Some(n) = at {
            let next = match (m.nodes.get(n as usize), trace.get(k)) {
                (Some(Node::Branch(obs)), Some((o, r))) if o == obs => value(r).map(|v| edge(n, v)),
                _ => None,
            };
            // A leaf on the way, or a different observation: not the path a deterministic rule takes (cannot
            // happen); record nothing.
            let Some(e) = next else {
                m.stats.unstorable += 1;
                return;
            };
            k += 1;
            match m.edges.get(&e) {
                Some(&c) => at = Some(c),
                None => {
                    attach = Some(e);
                    at = None;
                }
            }
        }
        // The rest of the path, built from its end.
        let mut next = m.nodes.len() as u32;
        m.nodes.push(Node::Leaf(Arc::clone(run), ops));
        m.held += estimated_size(run);
        for (obs, r) in trace.get(k..).unwrap_or_default().iter().rev() {
            let n = m.nodes.len() as u32;
            m.nodes.push(Node::Branch(obs.clone()));
            let e = edge(n, value(r).unwrap_or_default());
            m.held += e.len() + ALLOCATION + observation_size(obs);
            m.edges.insert(e, next);
            next = n;
        }
        match attach {
            Some(e) => {
                m.held += e.len() + ALLOCATION;
                m.edges.insert(e, next);
            }
            None => {
                m.roots.insert(key, next);
            }
        }
    })
}

/// What an observation holds outside its node.
fn observation_size(obs: &Obs) -> usize {
    match obs {
        Obs::ValueOf(_, key) => key.len() + ALLOCATION,
        _ => 0,
    }
}

/// A rough size of a stored conclusion, for the memo's bound: its box, and what its lists and maps allocate (a
/// `BTreeMap` allocates nodes of 11 entries; a string value counted at 48 bytes).
fn estimated_size(run: &RuleRun) -> usize {
    use crate::engine::context::{Conclusion, Effect};
    fn map(len: usize) -> usize {
        if len == 0 {
            0
        } else {
            (640 + ALLOCATION) * len.div_ceil(11) + 48 * len
        }
    }
    fn list<T>(v: &[T]) -> usize {
        if v.is_empty() {
            0
        } else {
            std::mem::size_of_val(v) + ALLOCATION
        }
    }
    let boxed = std::mem::size_of::<(RuleRun, u64)>() + ALLOCATION;
    match run {
        RuleRun::Concluded {
            conclusion,
            effects,
            reads,
            params,
            presumed,
            immaterial,
            defaulted,
        } => {
            let values = match conclusion {
                Conclusion::Met { values, .. } | Conclusion::NotMet { values } => values.len(),
            };
            let effect_maps: usize = effects
                .iter()
                .map(|e| match e {
                    Effect::Step { values, .. }
                    | Effect::Cap { values, .. }
                    | Effect::Check { values, .. } => map(values.len()),
                    Effect::Referral { service, agency } => {
                        service.len() + agency.len() + 2 * ALLOCATION
                    }
                    _ => 0,
                })
                .sum();
            boxed
                + map(values)
                + list(effects)
                + effect_maps
                + list(reads)
                + list(params)
                + list(presumed)
                + 48 * presumed.len()
                + list(immaterial)
                + list(defaulted)
        }
        RuleRun::Unknown {
            missing,
            reads,
            params,
        } => boxed + list(missing) + list(reads) + list(params),
    }
}
