//! What changed between two policies: rules added, removed, renamed or edited, and parameters whose values
//! changed, in words. Called by [`super::report`].

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::text::format_number;
use crate::policy::Policy;

/// What changed between two policies.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct PolicyDiff {
    /// Rules only in the new policy.
    pub rules_added: Vec<String>,
    /// Rules only in the old policy.
    pub rules_removed: Vec<String>,
    /// Rules whose id changed but whose text is otherwise the same: (old, new).
    pub rules_renamed: Vec<(String, String)>,
    /// Rules whose file text changed.
    pub rules_edited: Vec<String>,
    /// Parameters whose values changed (or that were added or removed).
    pub params_changed: Vec<ParamChange>,
}

impl PolicyDiff {
    /// Whether the two policies are the same in every rule and parameter.
    pub fn is_empty(&self) -> bool {
        self.rules_added.is_empty()
            && self.rules_removed.is_empty()
            && self.rules_renamed.is_empty()
            && self.rules_edited.is_empty()
            && self.params_changed.is_empty()
    }
}

/// A parameter whose values changed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ParamChange {
    /// The parameter.
    pub name: String,
    /// What changed, in words (e.g. `w3_main_earner_lost 40 → 50`, `Hunan 2022-01-01: added 6,500`).
    pub changes: Vec<String>,
}

fn without_id_line(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("// id:"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Compares two policies.
pub fn diff_policies(old: &Policy, new: &Policy) -> PolicyDiff {
    let mut d = PolicyDiff::default();
    let old_rules: BTreeMap<&str, &str> = old
        .rules
        .iter()
        .map(|r| (r.id.as_str(), r.source.as_str()))
        .collect();
    let new_rules: BTreeMap<&str, &str> = new
        .rules
        .iter()
        .map(|r| (r.id.as_str(), r.source.as_str()))
        .collect();
    let mut added: Vec<&str> = new_rules
        .keys()
        .filter(|id| !old_rules.contains_key(*id))
        .copied()
        .collect();
    let mut removed: Vec<&str> = old_rules
        .keys()
        .filter(|id| !new_rules.contains_key(*id))
        .copied()
        .collect();
    // A removed and an added rule with the same text but the id are a rename.
    for r in removed.clone() {
        let body = without_id_line(old_rules.get(r).copied().unwrap_or(""));
        if let Some(pos) = added
            .iter()
            .position(|a| without_id_line(new_rules.get(a).copied().unwrap_or("")) == body)
        {
            let a = added.remove(pos);
            removed.retain(|x| *x != r);
            d.rules_renamed.push((r.to_string(), a.to_string()));
        }
    }
    d.rules_added = added.into_iter().map(str::to_string).collect();
    d.rules_removed = removed.into_iter().map(str::to_string).collect();
    d.rules_edited = new_rules
        .iter()
        .filter(|(id, text)| old_rules.get(*id).is_some_and(|o| o != *text))
        .map(|(id, _)| id.to_string())
        .collect();
    let names: BTreeSet<&str> = old.params.names().chain(new.params.names()).collect();
    for name in names {
        let entries = |p: &Policy| -> BTreeMap<String, serde_json::Value> {
            p.parameter(name)
                .map(|par| {
                    par.values
                        .iter()
                        .map(|v| {
                            (
                                format!(
                                    "{} {}",
                                    v.region.as_deref().unwrap_or("all regions"),
                                    v.from
                                ),
                                v.value.clone(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let (o, n) = (entries(old), entries(new));
        if o == n {
            continue;
        }
        let mut changes = Vec::new();
        let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
        for k in keys {
            match (o.get(k), n.get(k)) {
                (Some(a), Some(b)) if a != b => changes.extend(value_changes(k, a, b)),
                (None, Some(b)) => changes.push(format!("{k}: added {}", show(b))),
                (Some(a), None) => changes.push(format!("{k}: removed (was {})", show(a))),
                _ => {}
            }
        }
        d.params_changed.push(ParamChange {
            name: name.to_string(),
            changes,
        });
    }
    d
}

pub(super) fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Number(n) => format_number(n.as_f64().unwrap_or(0.0)),
        other => other.to_string(),
    }
}

fn value_changes(key: &str, a: &serde_json::Value, b: &serde_json::Value) -> Vec<String> {
    match (a, b) {
        (serde_json::Value::Object(x), serde_json::Value::Object(y)) => {
            let ks: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            ks.into_iter()
                .filter(|k| x.get(*k) != y.get(*k))
                .map(|k| {
                    let f = |v: Option<&serde_json::Value>| {
                        v.map(show).unwrap_or_else(|| "none".into())
                    };
                    format!("{k} {} → {}", f(x.get(k)), f(y.get(k)))
                })
                .collect()
        }
        _ => vec![format!("{key}: {} → {}", show(a), show(b))],
    }
}
