//! `assessor check`'s findings about a policy that loaded: parameters and facts no rule reads ([`lint`],
//! warnings) and every presumption a rule may make ([`presumptions`]). Per-rule checks of the syntax trees run
//! when the policy loads (`policy::scan`). Called by the CLI's `check` and by the expectation runner.

use std::collections::BTreeSet;

use crate::model::facts::{catalogue, FactType};
use crate::policy::{Policy, PolicyError, Severity};

/// Facts the engine itself reads (not rules), or that are informational only.
pub const FACTS_NOT_FOR_RULES: [(&str, &str); 5] = [
    ("/schema_version", "read when the case file is validated"),
    ("/case_id", "copied into the recommendation"),
    ("/decision_date", "picks the parameters in force"),
    ("/jurisdiction/province", "picks the regional parameters"),
    (
        "/jurisdiction/city",
        "informational: parameters are set by province",
    ),
];

/// Parameters the engine reads itself (the priority combination and the wage base shown with the amount).
pub const PARAMS_READ_BY_ENGINE: [&str; 5] = [
    "priority_additional_group_bonus",
    "priority_additional_group_bonus_cap",
    "priority_tier_a_min_score",
    "priority_tier_b_min_score",
    "wage_base",
];

/// Warnings about a policy that loaded: parameters no rule reads, facts no rule reads.
pub fn lint(policy: &Policy) -> Vec<PolicyError> {
    let mut warnings = Vec::new();
    let mut read_params: BTreeSet<&str> = PARAMS_READ_BY_ENGINE.into_iter().collect();
    let mut read_facts: BTreeSet<&str> = FACTS_NOT_FOR_RULES.iter().map(|(p, _)| *p).collect();
    for rule in &policy.rules {
        read_params.extend(rule.scan.params.iter().map(String::as_str));
        read_facts.extend(rule.scan.facts.iter().map(String::as_str));
    }
    for p in policy.params.all() {
        if !read_params.contains(p.name.as_str()) {
            let mut w = PolicyError::new(
                &p.file,
                format!("parameter `{}` is not read by any rule", p.name),
            )
            .help(format!(
                "remove it, or use it in a rule as `params.{}`",
                p.name
            ));
            w.severity = Severity::Warning;
            w.line = p.line;
            w.column = p.line.map(|_| 1);
            w.source_line = Some(p.source_line.clone());
            warnings.push(w);
        }
    }
    let cat = catalogue();
    // A fact counts as read when it or any fact below it is read (reading `/household/dependants/*/age` reads the
    // list too).
    let covered = |path: &str| {
        read_facts
            .iter()
            .any(|r| *r == path || r.starts_with(&format!("{path}/")))
    };
    for node in cat.nodes() {
        let leafish = !matches!(node.ty, FactType::Object(_));
        if node.path.is_empty() || !node.readable || !leafish || covered(&node.path) {
            continue;
        }
        let mut w = PolicyError::new(
            "schemas/case.schema.json",
            format!("fact `{}` is not read by any rule", node.path),
        )
        .help("either the fact is useless or a rule forgot it");
        w.severity = Severity::Warning;
        warnings.push(w);
    }
    warnings
}

/// A fact a rule presumes when the case leaves it unknown (`facts.….presume(value)`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Presumption {
    /// The rule's id.
    pub rule: String,
    /// The rule file and the line of the presumption.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The fact, as a JSON Pointer.
    pub fact: String,
    /// The value presumed, as written in the rule.
    pub value: String,
}

/// Every presumption the policy declares, in rule order (in a rule, by line): what a handler is asked to confirm
/// when a case leaves the fact unknown. Found in each rule's syntax tree when it loaded, in either form
/// (`x.presume(value)`, `presume(x, value)`) and through a variable bound to the fact.
pub fn presumptions(policy: &crate::Policy) -> Vec<Presumption> {
    let mut out = Vec::new();
    for rule in &policy.rules {
        let mut found = rule.scan.presumptions.clone();
        found.sort_by_key(|(_, _, line)| *line);
        for (fact, value, line) in found {
            out.push(Presumption {
                rule: rule.id.clone(),
                file: rule.file.clone(),
                line,
                fact,
                value,
            });
        }
    }
    out
}
