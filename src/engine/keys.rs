//! What the memo's key of one rule evaluation is made of ([`MemoPlan`], planned once per policy from the static
//! scan of each rule) and how a key is written for a case. Read by `memo` and `sandbox`; held by the evaluation
//! context. See [`crate::engine::memo`] for why the memo is exact.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::model::facts::{catalogue, FactRef};

/// What one rule's key is made of.
#[derive(Debug, Clone, Default)]
struct RulePlan {
    /// Facts outside lists, by catalogue node.
    plain: Vec<u32>,
    /// Lists (their catalogue node) whose elements' facts the rule can read: the whole list is in the key.
    lists: Vec<u32>,
    /// Every node whose read is covered by the key: `plain`, the lists, and every node inside them.
    covered: BTreeSet<u32>,
}

/// The memo's plan for a policy: its identity and, per rule, what its key is made of.
#[derive(Debug, Clone)]
pub struct MemoPlan {
    policy: [u8; 32],
    rules: Vec<RulePlan>,
}

impl MemoPlan {
    /// Plans the keys of a policy's rules from the fact paths each can read (`/household/dependants/*/age`, as the
    /// static scan lists them), in the policy's order; `digest` identifies the policy (its files' digest).
    pub fn new<'a>(
        digest: &str,
        facts_per_rule: impl Iterator<Item = &'a BTreeSet<String>>,
    ) -> Self {
        let cat = catalogue();
        let mut policy = [0u8; 32];
        for (slot, b) in policy.iter_mut().zip(digest.bytes().rev()) {
            *slot = b;
        }
        let rules = facts_per_rule
            .map(|paths| {
                let mut plan = RulePlan::default();
                for path in paths {
                    match path.split_once("/*") {
                        None => {
                            if let Some(n) = cat.lookup(path) {
                                plan.plain.push(n as u32);
                            }
                        }
                        Some((list, _)) => {
                            if let Some(n) = cat.lookup(list) {
                                plan.lists.push(n as u32);
                            }
                        }
                    }
                }
                plan.plain.sort_unstable();
                plan.plain.dedup();
                plan.lists.sort_unstable();
                plan.lists.dedup();
                // A list read as a whole (`facts.household.dependants`) is in `plain`: key it as a list.
                plan.plain.retain(|n| !plan.lists.contains(n));
                plan.covered.extend(plan.plain.iter().copied());
                for &list in &plan.lists {
                    plan.covered.insert(list);
                    if let Some(prefix) = cat.node(list as usize).map(|n| format!("{}/*", n.path)) {
                        for (id, n) in cat.nodes().iter().enumerate() {
                            if n.path.starts_with(&prefix) {
                                plan.covered.insert(id as u32);
                            }
                        }
                    }
                }
                plan
            })
            .collect();
        MemoPlan { policy, rules }
    }

    /// The key of rule `index` for a case, the values put in place of its unknown facts, its decision date and
    /// province; `None` when the plan has no such rule.
    pub(crate) fn key(
        &self,
        index: usize,
        case: &Value,
        overrides: &[(FactRef, Value)],
        date: jiff::civil::Date,
        province: Option<&str>,
    ) -> Option<Vec<u8>> {
        let plan = self.rules.get(index)?;
        let cat = catalogue();
        let mut key = Vec::with_capacity(256);
        key.extend_from_slice(&self.policy);
        key.extend_from_slice(&(index as u32).to_le_bytes());
        key.extend_from_slice(&date.year().to_le_bytes());
        key.push(date.month() as u8);
        key.push(date.day() as u8);
        key.push(0);
        // The province the parameters are looked up for, as `params` looks them up.
        match parameter_province(overrides, province) {
            Some(p) => key.extend_from_slice(p.as_bytes()),
            None => key.push(1),
        }
        key.push(0);
        for &node in &plan.plain {
            let fact = FactRef::plain(node as usize);
            key.extend_from_slice(&node.to_le_bytes());
            let value = overrides
                .iter()
                .find(|(f, _)| *f == fact)
                .map(|(_, v)| v)
                .or_else(|| cat.value(case, fact));
            write_value(&mut key, value);
        }
        for &list in &plan.lists {
            key.extend_from_slice(&list.to_le_bytes());
            write_value(&mut key, cat.value(case, FactRef::plain(list as usize)));
            // Values put in place of unknown facts inside the list (or of the list itself).
            for (f, v) in overrides {
                if f.node == list
                    || (f.index != FactRef::NO_INDEX && plan.covered.contains(&f.node))
                {
                    key.extend_from_slice(&f.node.to_le_bytes());
                    key.extend_from_slice(&f.index.to_le_bytes());
                    write_value(&mut key, Some(v));
                }
            }
        }
        Some(key)
    }

    /// Whether every fact an evaluation of rule `index` read (by catalogue node) is covered by its key.
    pub(crate) fn covers(&self, index: usize, mut nodes: impl Iterator<Item = u32>) -> bool {
        self.rules
            .get(index)
            .is_some_and(|plan| nodes.all(|n| plan.covered.contains(&n)))
    }
}

/// The `/jurisdiction/province` fact.
pub(crate) fn province_fact() -> FactRef {
    static PROVINCE: std::sync::OnceLock<FactRef> = std::sync::OnceLock::new();
    *PROVINCE
        .get_or_init(|| FactRef::plain(catalogue().lookup("/jurisdiction/province").unwrap_or(0)))
}

/// The province a rule's parameters are looked up for: one put in place of an unknown province by the searches
/// over unknowns, or the case's. Read by `params` (the lookup) and by the memo's key.
pub(crate) fn parameter_province<'a>(
    overrides: &'a [(FactRef, Value)],
    province: Option<&'a str>,
) -> Option<&'a str> {
    let pf = province_fact();
    overrides
        .iter()
        .find(|(f, _)| *f == pf)
        .and_then(|(_, v)| v.as_str())
        .or(province)
}

/// A fact's value in a key: absent and `null` alike (a rule sees both as unknown).
fn write_value(key: &mut Vec<u8>, value: Option<&Value>) {
    match value {
        None | Some(Value::Null) => key.push(b'~'),
        // Written in place (a `Value` always serialises; `Display` would allocate a string first).
        Some(v) => {
            let _ = serde_json::to_writer(&mut *key, v);
        }
    }
    key.push(0);
}
