//! What the case still leaves unknown: each missing fact once, with the rules that need it and what it could
//! change (the decision, the tier, the amount, a referral); and the estimated parameter values the findings rest
//! on. Called by [`super::assess`] when it builds the recommendation.

use crate::assess::decision::decision_relevant;
use crate::assess::findings::WAGE_BASE;
use crate::assess::outcomes::{defaulted_of, missing_of, Outcomes};
use crate::assess::priority::top_tier;
use crate::assess::readings::Spread;
use crate::model::codes::{Change, Decision, Stage};
use crate::model::facts::FactRef;
use crate::model::params::Source;
use crate::model::recommendation::{Estimate, Finding, Missing};
use crate::policy::Policy;

/// Every unknown fact that could still change something, once, in the order of the rules that need it.
pub(crate) fn missing_facts(
    o: &Outcomes<'_>,
    decision: Decision,
    spread: Option<&Spread>,
) -> Vec<Missing> {
    let deciding: Vec<&str> = decision_relevant(o, decision)
        .into_iter()
        .map(|(r, _)| r.id.as_str())
        .collect();
    let mut out: Vec<Missing> = Vec::new();
    for (rule, run) in o.policy.rules.iter().zip(o.runs.iter()) {
        let Some(run) = run else { continue };
        let defaulted = defaulted_of(run).iter().filter(|f| {
            rule.stage != Stage::Referrals
                && spread.is_some_and(|sp| sp.moves_amount.contains(f) || sp.moves_tier.contains(f))
        });
        for &fact in missing_of(run).iter().chain(defaulted) {
            let mut changes = Vec::new();
            match rule.stage {
                Stage::Eligibility | Stage::Exclusions if deciding.contains(&rule.id.as_str()) => {
                    changes.push(Change::Decision);
                }
                Stage::Priority if decision != Decision::Decline && top_tier(o) => {}
                Stage::Priority | Stage::Amount if decision != Decision::Decline => match spread {
                    Some(sp) if !sp.open => {
                        if sp.moves_tier.contains(&fact) {
                            changes.push(Change::Tier);
                        }
                        if sp.moves_amount.contains(&fact) {
                            changes.push(Change::Amount);
                        }
                    }
                    _ => changes.push(if rule.stage == Stage::Priority {
                        Change::Tier
                    } else {
                        Change::Amount
                    }),
                },
                Stage::Referrals => changes.push(Change::Referral),
                _ => {}
            }
            // A fact a condition went on without, seen to move the tier or the amount.
            if let Some(sp) = spread.filter(|_| {
                matches!(rule.stage, Stage::Eligibility | Stage::Exclusions)
                    && decision != Decision::Decline
            }) {
                if sp.moves_tier.contains(&fact) && !changes.contains(&Change::Tier) {
                    changes.push(Change::Tier);
                }
                if sp.moves_amount.contains(&fact) && !changes.contains(&Change::Amount) {
                    changes.push(Change::Amount);
                }
            }
            if changes.is_empty() {
                continue;
            }
            add(&mut out, fact, std::slice::from_ref(&rule.id), changes);
        }
    }
    out
}

/// Adds `change` to what each of `facts` (with the rules that need it) could change, listing a fact not yet
/// listed after the others.
pub(crate) fn add_changes(
    out: &mut Vec<Missing>,
    facts: &[(FactRef, Vec<String>)],
    change: Change,
) {
    for (fact, rules) in facts {
        add(out, *fact, rules, vec![change]);
    }
}

/// Lists `fact` once: needed by `rules`, able to change `changes`, merged with what it is already listed for.
fn add(out: &mut Vec<Missing>, fact: FactRef, rules: &[String], changes: Vec<Change>) {
    let pointer = fact.pointer();
    match out.iter_mut().find(|m| m.fact == pointer) {
        Some(m) => {
            for r in rules {
                if !m.needed_by.contains(r) {
                    m.needed_by.push(r.clone());
                }
            }
            m.changes.extend(changes);
            m.changes.sort_unstable();
            m.changes.dedup();
        }
        None => out.push(Missing {
            fact: pointer,
            needed_by: rules.to_vec(),
            changes,
            why: String::new(),
        }),
    }
}

/// The estimated values among the parameters the findings read (the wage base aside: the amount describes it).
pub(crate) fn estimates(
    policy: &Policy,
    findings: &[Finding],
    date: jiff::civil::Date,
    province: Option<&str>,
) -> Vec<Estimate> {
    let mut names: Vec<&str> = findings
        .iter()
        .flat_map(|f| f.params.iter().map(String::as_str))
        .filter(|n| *n != WAGE_BASE)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| {
            let r = policy.params.resolve(name, date, province).ok()?;
            // A statistical figure (one with a year) standing in for the province's own is an estimate; a
            // policy default given for the nation (no year) is not.
            let stands_in = r.source != Source::Own && r.value.year.is_some();
            if !(r.value.estimate || r.carried_forward || stands_in) {
                return None;
            }
            let par = policy.parameter(name)?;
            Some(Estimate {
                parameter: name.to_string(),
                title: String::new(),
                region: r.value.region.clone().unwrap_or_else(|| "national".into()),
                year: r.value.year,
                value: r.value.value.clone(),
                basis: r.source,
                carried_forward: r.carried_forward,
                scope: r
                    .value
                    .note
                    .as_deref()
                    .filter(|n| matches!(*n, "capital" | "tier1"))
                    .map(str::to_string),
                source: r
                    .value
                    .source
                    .clone()
                    .unwrap_or_else(|| par.reference.clone()),
            })
        })
        .collect()
}
