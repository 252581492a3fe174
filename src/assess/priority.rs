//! The priority score and tier from the priority rules' points: the highest group's points, a bonus for each
//! further group (up to a cap), and every factor's points, against the policy's tier thresholds. Called by
//! [`super::stages`] (the priority after its stage), [`super::readings`] (whether the tier can still rise) and the
//! recommendation's assembly (the points each rule counted for).

use std::collections::BTreeMap;

use crate::assess::outcomes::{points_of, Outcomes};
use crate::engine::RuleRun;
use crate::model::codes::{RuleKind, Stage, Tier};
use crate::model::params::Lookup;
use crate::policy::{Policy, Rule};

/// A whole-number parameter as in force for the case; `default` when the policy has no value for it.
fn param_i64(
    policy: &Policy,
    name: &str,
    date: jiff::civil::Date,
    province: Option<&str>,
    default: i64,
) -> i64 {
    match policy.params.lookup(name, date, province) {
        Lookup::Found(v) => v
            .value
            .as_i64()
            .or_else(|| v.value.as_f64().map(|f| f as i64))
            .unwrap_or(default),
        _ => default,
    }
}

/// Score, tier, whether provisional, and the points each scoring rule counted for.
pub(crate) fn priority_parts(o: &Outcomes<'_>) -> (i64, Tier, bool, BTreeMap<String, i64>) {
    let p = |name: &str, d: i64| param_i64(o.policy, name, o.date, o.province, d);
    let mut counted = BTreeMap::new();
    let mut groups: Vec<(&Rule, i64)> = o
        .of(Stage::Priority, RuleKind::Group)
        .filter_map(|(r, run)| points_of(run).map(|pts| (r, pts)))
        .collect();
    // Highest group first; ties by rule order (stable sort).
    groups.sort_by_key(|g| std::cmp::Reverse(g.1));
    let bonus = p("priority_additional_group_bonus", 10);
    let bonus_cap = p("priority_additional_group_bonus_cap", 20);
    let mut group_total = 0;
    let mut bonus_left = bonus_cap;
    for (i, (rule, pts)) in groups.iter().enumerate() {
        let c = if i == 0 {
            *pts
        } else {
            let b = bonus.min(bonus_left).max(0);
            bonus_left -= b;
            b
        };
        group_total += c;
        counted.insert(rule.id.clone(), c);
    }
    let mut factor_total = 0;
    for (rule, run) in o.of(Stage::Priority, RuleKind::Factor) {
        if let Some(pts) = points_of(run) {
            factor_total += pts;
            counted.insert(rule.id.clone(), pts);
        }
    }
    let score = group_total + factor_total;
    let tier = if score >= p("priority_tier_a_min_score", 70) {
        Tier::A
    } else if score >= p("priority_tier_b_min_score", 40) {
        Tier::B
    } else {
        Tier::C
    };
    let provisional = o.policy.rules.iter().zip(o.runs.iter()).any(|(r, run)| {
        r.stage == Stage::Priority && matches!(run.as_deref(), Some(RuleRun::Unknown { .. }))
    });
    (score, tier, provisional, counted)
}

/// Whether the known facts already reach tier A with no negative points.
pub(crate) fn top_tier(o: &Outcomes<'_>) -> bool {
    let no_negative = o
        .of(Stage::Priority, RuleKind::Group)
        .chain(o.of(Stage::Priority, RuleKind::Factor))
        .all(|(_, r)| points_of(r).is_none_or(|p| p >= 0));
    no_negative && priority_parts(o).1 == Tier::A
}
