//! The values a search puts in place of an unknown fact: both truth values; every allowed value of a choice; for a
//! number, the schema's bounds, the numbers written in the rules and in the parameters they read with one either
//! side of each, and a grid of round figures (amounts of money from ¥0 to ¥10 billion, counts and ages from 0 to
//! 130). A list, an object or free text has none. Called by the search driver (`unknowns::Search`),
//! by `readings` for the numbers its rules distinguish and, through [`plausible_values`], by the
//! property tests that fill in a missing fact.

use serde_json::Value;

use crate::model::facts::{catalogue, FactRef, FactType};
use crate::model::params::Lookup;
use crate::policy::Policy;

/// Round figures tried for a sum of money.
const MONEY_GRID: [f64; 26] = [
    0.0,
    1.0,
    100.0,
    300.0,
    500.0,
    800.0,
    1_000.0,
    1_500.0,
    2_000.0,
    2_500.0,
    3_000.0,
    4_000.0,
    5_000.0,
    6_000.0,
    8_000.0,
    10_000.0,
    15_000.0,
    20_000.0,
    30_000.0,
    50_000.0,
    100_000.0,
    200_000.0,
    500_000.0,
    1_000_000.0,
    10_000_000.0,
    10_000_000_000.0,
];

/// Round figures tried for a count or an age.
const COUNT_GRID: [i64; 24] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 18, 20, 25, 30, 40, 50, 60, 70, 80, 100, 130,
];

/// The numbers of the parameters a rule read, as in force for the case (tables: their numbers one level down).
pub(crate) fn numbers_of_params(
    policy: &Policy,
    names: &[std::sync::Arc<str>],
    date: jiff::civil::Date,
    province: Option<&str>,
) -> Vec<f64> {
    let mut out = Vec::new();
    for name in names {
        if let Lookup::Found(v) = policy.params.lookup(name, date, province) {
            match &v.value {
                Value::Number(n) => out.extend(n.as_f64()),
                Value::Object(m) => out.extend(m.values().filter_map(Value::as_f64)),
                Value::Array(a) => out.extend(a.iter().filter_map(Value::as_f64)),
                _ => {}
            }
        }
    }
    out
}

/// The values worth trying for an unknown fact, given the numbers the rules that need it can distinguish. Empty when
/// the fact cannot be enumerated.
pub(crate) fn plausible(fact: FactRef, numbers: &[f64]) -> Vec<Value> {
    let cat = catalogue();
    let Some(node) = cat.node(fact.node as usize) else {
        return Vec::new();
    };
    let (lo, hi) = node.bounds;
    let within = |x: f64| lo.is_none_or(|l| x >= l) && hi.is_none_or(|h| x <= h) && x >= 0.0;
    match &node.ty {
        FactType::Boolean => vec![Value::Bool(false), Value::Bool(true)],
        FactType::String { choices } => choices.iter().map(|c| Value::String(c.clone())).collect(),
        FactType::Integer => {
            let mut xs: Vec<i64> = COUNT_GRID.to_vec();
            xs.extend(lo.map(|l| l as i64));
            xs.extend(hi.map(|h| h as i64));
            for n in numbers.iter().filter(|n| n.is_finite() && n.abs() < 1e9) {
                let c = n.round() as i64;
                xs.extend([c - 1, c, c + 1, n.floor() as i64, n.ceil() as i64]);
            }
            xs.retain(|&x| within(x as f64));
            xs.sort_unstable();
            xs.dedup();
            xs.into_iter().map(Value::from).collect()
        }
        FactType::Number => {
            let mut xs: Vec<f64> = MONEY_GRID.to_vec();
            xs.extend(lo);
            for &n in numbers.iter().filter(|n| n.is_finite()) {
                xs.extend([n - 1.0, n, n + 1.0]);
            }
            xs.retain(|&x| within(x));
            xs.sort_by(f64::total_cmp);
            xs.dedup();
            xs.into_iter()
                .filter_map(|x| serde_json::Number::from_f64(x).map(Value::Number))
                .collect()
        }
        FactType::Object(_) | FactType::Array(_) => Vec::new(),
    }
}

/// Sums that are a part of another sum of the case, which the validator refuses to exceed
/// (`compensation_paid_to_others` is a part of `compensation_received`).
const PARTS: [(&str, &str); 1] = [(
    "/incident/compensation_paid_to_others",
    "/incident/compensation_received",
)];

/// The whole that `fact` is a part of, if it is one.
pub(crate) fn whole_of(fact: FactRef) -> Option<FactRef> {
    static PAIRS: std::sync::OnceLock<Vec<(u32, u32)>> = std::sync::OnceLock::new();
    let pairs = PAIRS.get_or_init(|| {
        let cat = catalogue();
        PARTS
            .iter()
            .filter_map(|(part, whole)| Some((cat.lookup(part)? as u32, cat.lookup(whole)? as u32)))
            .collect()
    });
    pairs
        .iter()
        .find(|(part, _)| *part == fact.node)
        .map(|&(_, whole)| FactRef {
            node: whole,
            index: fact.index,
        })
}

/// The plausible values of a part whose whole is `whole`: those not above it, with the whole itself and its
/// quarters (a share of it), in order. No case can have more.
pub(crate) fn within_whole(values: Vec<Value>, whole: f64) -> Vec<Value> {
    if !whole.is_finite() || whole < 0.0 {
        return values;
    }
    let mut xs: Vec<f64> = values
        .iter()
        .filter_map(Value::as_f64)
        .filter(|&x| x <= whole)
        .collect();
    xs.extend([whole / 4.0, whole / 2.0, whole * 3.0 / 4.0, whole]);
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    xs.into_iter()
        .filter_map(|x| serde_json::Number::from_f64(x).map(Value::Number))
        .collect()
}

/// Whether a fact is one the search can put values in place of.
pub(crate) fn enumerable(fact: FactRef) -> bool {
    catalogue().node(fact.node as usize).is_some_and(|n| {
        matches!(
            n.ty,
            FactType::Boolean | FactType::Integer | FactType::Number
        ) || matches!(&n.ty, FactType::String { choices } if !choices.is_empty())
    })
}

/// The plausible values of a fact named by its JSON Pointer (for the grid alone, without a rule's numbers): what
/// the search tries in place of it. Empty for a list, an object, free text or a pointer the schema does not have.
pub fn plausible_values(pointer: &str) -> Vec<Value> {
    let cat = catalogue();
    let mut pattern = String::new();
    let mut index = FactRef::NO_INDEX;
    for seg in pointer.split('/').skip(1) {
        pattern.push('/');
        match seg.parse::<u32>() {
            Ok(i) => {
                index = i;
                pattern.push('*');
            }
            Err(_) => pattern.push_str(seg),
        }
    }
    match cat.lookup(&pattern) {
        Some(node) => plausible(
            FactRef {
                node: node as u32,
                index,
            },
            &[],
        ),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The search treats a fact without plausible values as one it cannot enumerate: every fact [`enumerable`]
    /// calls enumerable must have some, whatever numbers the rules add.
    #[test]
    fn every_enumerable_fact_has_plausible_values() {
        for (node, n) in catalogue().nodes().iter().enumerate() {
            let fact = FactRef::plain(node);
            if enumerable(fact) {
                assert!(
                    !plausible(fact, &[]).is_empty(),
                    "{} has no plausible values",
                    n.path
                );
            }
        }
    }
}
