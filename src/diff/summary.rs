//! The whole comparison: every case under both policies, the changed ones grouped by cause, and a summary
//! (decision changes, a tier transition matrix, the total and median change in amounts, the largest moves).
//! [`report`] builds it; `text.rs` and `markdown.rs` write it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::recommendation::Recommendation;
use crate::model::text::format_number;
use crate::policy::Policy;

use super::cases::{diff_case, tier_of, CaseChange, Cause};
use super::policies::{diff_policies, PolicyDiff};

/// Cases moved by the same causes.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Group {
    /// The causes.
    pub causes: Vec<Cause>,
    /// The case ids.
    pub cases: Vec<String>,
    /// What moved, in words: e.g. `tier B→A (3); amount +¥4,100 in total`.
    pub summary: String,
}

/// The whole comparison.
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    /// Old policy: name, version, digest, origin.
    pub base: String,
    /// New policy.
    pub new: String,
    /// What changed in the policy.
    pub policy: PolicyDiff,
    /// Cases compared.
    pub cases: usize,
    /// Cases that changed, in input order.
    pub changed: Vec<CaseChange>,
    /// Changed cases grouped by cause, largest group first.
    pub groups: Vec<Group>,
    /// Decision transitions (`assist → decline`) and their counts.
    pub decisions: BTreeMap<String, usize>,
    /// Tier transitions among all cases (`B → A`), including unchanged tiers.
    pub tier_matrix: BTreeMap<String, BTreeMap<String, usize>>,
    /// Sum of the changes in recommended amounts.
    pub amount_total_change: i64,
    /// Median change among the cases whose amount changed.
    pub amount_median_change: i64,
    /// The largest changes in amount (up to 5), by absolute size.
    pub largest: Vec<(String, i64)>,
    /// Cases that could not be assessed under one of the policies.
    pub errors: Vec<(String, String)>,
}

impl DiffReport {
    /// Whether anything changed (in the policy's effect on the cases, or in the cases that could be assessed).
    pub fn has_changes(&self) -> bool {
        !self.changed.is_empty() || !self.errors.is_empty()
    }
}

/// One case assessed under both policies: its file, and the two recommendations (or why it could not be assessed).
pub type CaseResult = (String, Result<(Recommendation, Recommendation), String>);

/// Builds the report from (file, old, new) triples of recommendations.
pub fn report(base: &Policy, new: &Policy, results: Vec<CaseResult>) -> DiffReport {
    let policy = diff_policies(base, new);
    let mut changed = Vec::new();
    let mut errors = Vec::new();
    let mut tier_matrix: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let cases = results.len();
    for (file, r) in results {
        match r {
            Ok((o, n)) => {
                *tier_matrix
                    .entry(tier_of(&o))
                    .or_default()
                    .entry(tier_of(&n))
                    .or_default() += 1;
                if let Some(c) = diff_case(&file, &o, &n, &policy) {
                    changed.push(c);
                }
            }
            Err(e) => errors.push((file, e)),
        }
    }
    let mut decisions = BTreeMap::new();
    for c in &changed {
        if c.decision.0 != c.decision.1 {
            *decisions
                .entry(format!(
                    "{} → {}",
                    c.decision.0.as_str(),
                    c.decision.1.as_str()
                ))
                .or_insert(0) += 1;
        }
    }
    let mut deltas: Vec<i64> = changed
        .iter()
        .map(CaseChange::amount_delta)
        .filter(|d| *d != 0)
        .collect();
    let amount_total_change = deltas.iter().sum();
    deltas.sort_unstable();
    let amount_median_change = match deltas.len() {
        0 => 0,
        n if n % 2 == 1 => deltas.get(n / 2).copied().unwrap_or(0),
        n => {
            (deltas.get(n / 2 - 1).copied().unwrap_or(0) + deltas.get(n / 2).copied().unwrap_or(0))
                / 2
        }
    };
    let mut largest: Vec<(String, i64)> = changed
        .iter()
        .map(|c| (c.case_id.clone(), c.amount_delta()))
        .filter(|(_, d)| *d != 0)
        .collect();
    largest.sort_by(|a, b| b.1.abs().cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    largest.truncate(5);
    let mut by_cause: BTreeMap<Vec<Cause>, Vec<&CaseChange>> = BTreeMap::new();
    for c in &changed {
        by_cause.entry(c.causes.clone()).or_default().push(c);
    }
    let mut groups: Vec<Group> = by_cause
        .into_iter()
        .map(|(causes, cs)| Group {
            summary: summarise(&cs),
            cases: cs.iter().map(|c| c.case_id.clone()).collect(),
            causes,
        })
        .collect();
    groups.sort_by(|a, b| {
        b.cases
            .len()
            .cmp(&a.cases.len())
            .then(a.causes.cmp(&b.causes))
    });
    DiffReport {
        base: format!(
            "{} {} ({}, {})",
            base.name, base.version, base.origin, base.digest
        ),
        new: format!(
            "{} {} ({}, {})",
            new.name, new.version, new.origin, new.digest
        ),
        policy,
        cases,
        changed,
        groups,
        decisions,
        tier_matrix,
        amount_total_change,
        amount_median_change,
        largest,
        errors,
    }
}

fn summarise(cs: &[&CaseChange]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut transitions: BTreeMap<String, usize> = BTreeMap::new();
    for c in cs {
        if c.decision.0 != c.decision.1 {
            *transitions
                .entry(format!(
                    "decision {}→{}",
                    c.decision.0.as_str(),
                    c.decision.1.as_str()
                ))
                .or_default() += 1;
        }
        if c.tier.0 != c.tier.1 {
            *transitions
                .entry(format!("tier {}→{}", c.tier.0, c.tier.1))
                .or_default() += 1;
        }
    }
    for (t, n) in transitions {
        parts.push(format!("{t} ({n})"));
    }
    let scores: Vec<i64> = cs
        .iter()
        .filter_map(|c| Some(c.score.1? - c.score.0?))
        .filter(|d| *d != 0)
        .collect();
    if !scores.is_empty() {
        parts.push(format!(
            "score {} in {} case(s)",
            signed(scores.iter().sum::<i64>() / scores.len() as i64, ""),
            scores.len()
        ));
    }
    let amounts: Vec<i64> = cs
        .iter()
        .map(|c| c.amount_delta())
        .filter(|d| *d != 0)
        .collect();
    if !amounts.is_empty() {
        parts.push(format!(
            "amount {} in total over {} case(s)",
            signed(amounts.iter().sum(), "¥"),
            amounts.len()
        ));
    }
    let referrals: usize = cs
        .iter()
        .filter(|c| !c.referrals_added.is_empty() || !c.referrals_removed.is_empty())
        .count();
    if referrals > 0 {
        parts.push(format!("referrals changed in {referrals} case(s)"));
    }
    if parts.is_empty() {
        parts.push("explanations changed; decision, tier and amount unchanged".into());
    }
    parts.join("; ")
}

/// `+¥4,100`, `-3`.
pub fn signed(x: i64, unit: &str) -> String {
    format!(
        "{}{unit}{}",
        if x < 0 { "-" } else { "+" },
        format_number(x.unsigned_abs() as f64)
    )
}
