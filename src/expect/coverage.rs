//! Coverage of a policy by a set of recommendations: how often each rule concluded what, which rules no case
//! met, which provisions no met finding cites and which parameters no assessment read. Called by `test
//! --coverage`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::codes::Outcome;
use crate::model::recommendation::Recommendation;
use crate::policy::Policy;

/// How often each rule concluded what, over a set of recommendations.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    /// Number of cases.
    pub cases: usize,
    /// Per rule id (in policy order): counts of met, not met, unknown, not run.
    pub rules: Vec<RuleCoverage>,
    /// Rules no case met.
    pub never_met: Vec<String>,
    /// Provisions (parts of rule bases) that no met finding cites.
    pub provisions_never_exercised: Vec<String>,
    /// Parameters no assessment read.
    pub parameters_never_read: Vec<String>,
}

/// Coverage of one rule.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RuleCoverage {
    /// The rule's id.
    pub rule: String,
    /// Cases in which it was met.
    pub met: usize,
    /// Cases in which it was not met.
    pub not_met: usize,
    /// Cases in which it was undecided for want of facts.
    pub unknown: usize,
    /// Cases in which its stage did not run.
    pub not_run: usize,
}

/// Computes coverage over recommendations made with `policy`.
pub fn coverage(policy: &Policy, recs: &[Recommendation]) -> Coverage {
    let mut counts: BTreeMap<&str, RuleCoverage> = BTreeMap::new();
    let mut read_params: BTreeSet<String> = BTreeSet::new();
    for r in recs {
        for f in &r.findings {
            let c = counts.entry(f.rule.as_str()).or_default();
            match f.outcome {
                Outcome::Met => c.met += 1,
                Outcome::NotMet => c.not_met += 1,
                Outcome::Unknown => c.unknown += 1,
            }
            read_params.extend(f.params.iter().cloned());
        }
        if r.priority.is_some() {
            read_params.extend(
                crate::check::PARAMS_READ_BY_ENGINE
                    .iter()
                    .map(|s| s.to_string()),
            );
        }
    }
    let rules: Vec<RuleCoverage> = policy
        .rules
        .iter()
        .map(|rule| {
            let c = counts.get(rule.id.as_str()).cloned().unwrap_or_default();
            let run = c.met + c.not_met + c.unknown;
            RuleCoverage {
                rule: rule.id.clone(),
                not_run: recs.len().saturating_sub(run),
                ..c
            }
        })
        .collect();
    let never_met: Vec<String> = rules
        .iter()
        .filter(|c| c.met == 0)
        .map(|c| c.rule.clone())
        .collect();
    let provisions = |basis: &str| -> Vec<String> {
        basis
            .split(';')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()
    };
    let exercised: BTreeSet<String> = policy
        .rules
        .iter()
        .filter(|r| !never_met.contains(&r.id))
        .flat_map(|r| provisions(&r.basis))
        .collect();
    let mut provisions_never_exercised: Vec<String> = policy
        .rules
        .iter()
        .flat_map(|r| provisions(&r.basis))
        .filter(|p| !exercised.contains(p))
        .collect();
    provisions_never_exercised.sort();
    provisions_never_exercised.dedup();
    let parameters_never_read = policy
        .params
        .all()
        .map(|p| p.name.clone())
        .filter(|n| !read_params.contains(n))
        .collect();
    Coverage {
        cases: recs.len(),
        rules,
        never_met,
        provisions_never_exercised,
        parameters_never_read,
    }
}
