//! How a policy change moves each case, grouped by cause.
//!
//! [`diff_policies`] compares two loaded policies (rules added, removed, renamed or edited; parameters whose
//! values changed). [`diff_case`] compares one case's recommendations under both. [`report`] puts it together:
//! every changed case with what changed and why, the cases grouped by the rule or parameter that moved them, and a
//! summary (decision changes, a tier transition matrix, the total and median change in amounts, the largest moves).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::recommendation::{Finding, Recommendation};
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

fn show(v: &serde_json::Value) -> String {
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

/// How one finding changed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FindingChange {
    /// The rule (its new id when renamed).
    pub rule: String,
    /// Outcome before (`absent` when the rule did not run or did not exist).
    pub before: String,
    /// Outcome after.
    pub after: String,
    /// In words: what the rule concludes now, and before.
    pub explanation: String,
}

/// How one case's recommendation changed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaseChange {
    /// The case file.
    pub file: String,
    /// The case id.
    pub case_id: String,
    /// Decision before → after.
    pub decision: (String, String),
    /// Tier before → after (`-` for none).
    pub tier: (String, String),
    /// Score before → after.
    pub score: (Option<i64>, Option<i64>),
    /// Recommended amount before → after.
    pub amount: (Option<i64>, Option<i64>),
    /// Referrals added.
    pub referrals_added: Vec<String>,
    /// Referrals removed.
    pub referrals_removed: Vec<String>,
    /// Approvals before → after, when they changed.
    pub approvals: Option<(Vec<String>, Vec<String>)>,
    /// Missing facts before → after, when they changed.
    pub missing: Option<(Vec<String>, Vec<String>)>,
    /// Steps of the amount's arithmetic whose value changed, in words.
    pub steps: Vec<String>,
    /// Findings that appeared, disappeared or changed.
    pub findings: Vec<FindingChange>,
    /// What moved it: rules edited, added, removed, and parameters changed, that bear on this case.
    pub causes: Vec<String>,
}

impl CaseChange {
    /// Change in the recommended amount (missing amounts count as 0).
    pub fn amount_delta(&self) -> i64 {
        self.amount.1.unwrap_or(0) - self.amount.0.unwrap_or(0)
    }
}

fn tier_of(r: &Recommendation) -> String {
    r.priority
        .as_ref()
        .map(|p| p.tier.as_str().to_string())
        .unwrap_or_else(|| "-".into())
}

fn describe(f: Option<&Finding>) -> String {
    match f {
        None => "absent".into(),
        Some(f) => match f.points {
            Some(p) => format!("{} ({p} points)", f.outcome.as_str()),
            None => f.outcome.as_str().to_string(),
        },
    }
}

/// Compares one case's recommendations under the old and the new policy. `None` when nothing changed.
pub fn diff_case(
    file: &str,
    old: &Recommendation,
    new: &Recommendation,
    policies: &PolicyDiff,
) -> Option<CaseChange> {
    let renamed: BTreeMap<&str, &str> = policies
        .rules_renamed
        .iter()
        .map(|(o, n)| (o.as_str(), n.as_str()))
        .collect();
    let old_f: BTreeMap<&str, &Finding> = old
        .findings
        .iter()
        .map(|f| {
            (
                renamed
                    .get(f.rule.as_str())
                    .copied()
                    .unwrap_or(f.rule.as_str()),
                f,
            )
        })
        .collect();
    let new_f: BTreeMap<&str, &Finding> =
        new.findings.iter().map(|f| (f.rule.as_str(), f)).collect();
    let ids: BTreeSet<&str> = old_f.keys().chain(new_f.keys()).copied().collect();
    let mut findings = Vec::new();
    for id in ids {
        let (a, b) = (old_f.get(id).copied(), new_f.get(id).copied());
        let same = match (a, b) {
            (Some(a), Some(b)) => {
                a.outcome == b.outcome
                    && a.points == b.points
                    && a.reason == b.reason
                    && a.values == b.values
                    && a.missing == b.missing
            }
            _ => false,
        };
        if same {
            continue;
        }
        let added = policies.rules_added.iter().any(|r| r == id);
        let removed = policies.rules_removed.iter().any(|r| r == id);
        let explanation = match (a, b) {
            (Some(a), Some(b)) if a.points != b.points && a.outcome == b.outcome => {
                format!(
                    "`{id}` now scores {} (was {})",
                    b.points.unwrap_or(0),
                    a.points.unwrap_or(0)
                )
            }
            (Some(a), Some(b)) if a.outcome == b.outcome => {
                format!("`{id}`: {} (was: {})", b.reason, a.reason)
            }
            (Some(a), Some(b)) => format!(
                "`{id}` is now {}: {} (was {}: {})",
                b.outcome.as_str(),
                b.reason,
                a.outcome.as_str(),
                a.reason
            ),
            // A new rule that is not met, or a removed one that was not met, moves nothing.
            (None, Some(b)) if added && b.outcome != crate::model::codes::Outcome::NotMet => {
                format!("new rule `{id}` is {}: {}", b.outcome.as_str(), b.reason)
            }
            (Some(a), None) if removed && a.outcome != crate::model::codes::Outcome::NotMet => {
                format!(
                    "removed rule `{id}` was {}: {}",
                    a.outcome.as_str(),
                    a.reason
                )
            }
            // Otherwise one side is absent only because its stage did not run (e.g. no amount for a decline):
            // a consequence of the decision, shown there.
            _ => continue,
        };
        findings.push(FindingChange {
            rule: id.to_string(),
            before: describe(a),
            after: describe(b),
            explanation,
        });
    }
    let services = |r: &Recommendation| -> BTreeSet<String> {
        r.referrals.iter().map(|x| x.service.clone()).collect()
    };
    let (os, ns) = (services(old), services(new));
    let approvals = |r: &Recommendation| -> Vec<String> {
        r.approvals.iter().map(|a| a.as_str().to_string()).collect()
    };
    let missing =
        |r: &Recommendation| -> Vec<String> { r.missing.iter().map(|m| m.fact.clone()).collect() };
    let change = CaseChange {
        file: file.to_string(),
        case_id: new.case_id.clone(),
        decision: (
            old.decision.as_str().to_string(),
            new.decision.as_str().to_string(),
        ),
        tier: (tier_of(old), tier_of(new)),
        score: (
            old.priority.as_ref().map(|p| p.score),
            new.priority.as_ref().map(|p| p.score),
        ),
        amount: (
            old.amount.as_ref().map(|a| a.recommended),
            new.amount.as_ref().map(|a| a.recommended),
        ),
        referrals_added: ns.difference(&os).cloned().collect(),
        referrals_removed: os.difference(&ns).cloned().collect(),
        approvals: (approvals(old) != approvals(new)).then(|| (approvals(old), approvals(new))),
        missing: (missing(old) != missing(new)).then(|| (missing(old), missing(new))),
        steps: step_changes(old, new),
        findings,
        causes: Vec::new(),
    };
    let moved = change.decision.0 != change.decision.1
        || change.tier.0 != change.tier.1
        || change.score.0 != change.score.1
        || change.amount.0 != change.amount.1
        || !change.referrals_added.is_empty()
        || !change.referrals_removed.is_empty()
        || change.approvals.is_some()
        || change.missing.is_some()
        || !change.findings.is_empty()
        || old.discretionary != new.discretionary
        || old.fast_track != new.fast_track
        || old.co_recipients != new.co_recipients
        || old.payment != new.payment
        || old.amount.as_ref().map(|a| (&a.steps, &a.caps))
            != new.amount.as_ref().map(|a| (&a.steps, &a.caps));
    moved.then(|| {
        let mut c = change;
        c.causes = causes(&c, old, new, policies);
        c
    })
}

fn step_changes(old: &Recommendation, new: &Recommendation) -> Vec<String> {
    let steps = |r: &Recommendation| -> Vec<(String, f64)> {
        r.amount
            .as_ref()
            .map(|a| a.steps.iter().map(|s| (s.code.clone(), s.value)).collect())
            .unwrap_or_default()
    };
    let (o, n) = (steps(old), steps(new));
    if o.is_empty() || n.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (code, v) in &n {
        match o.iter().find(|(c, _)| c == code) {
            Some((_, was)) if was != v => out.push(format!(
                "step `{code}` {} → {}",
                format_number(*was),
                format_number(*v)
            )),
            None => out.push(format!("step `{code}` added ({})", format_number(*v))),
            _ => {}
        }
    }
    for (code, was) in &o {
        if !n.iter().any(|(c, _)| c == code) {
            out.push(format!(
                "step `{code}` removed (was {})",
                format_number(*was)
            ));
        }
    }
    out
}

/// The rules and parameters of the policy change that bear on this case.
fn causes(
    c: &CaseChange,
    old: &Recommendation,
    new: &Recommendation,
    p: &PolicyDiff,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut changed_rules: BTreeSet<&str> = c.findings.iter().map(|f| f.rule.as_str()).collect();
    // The rules whose steps or caps changed count as changed.
    if !c.steps.is_empty()
        || old.amount.as_ref().map(|a| &a.caps) != new.amount.as_ref().map(|a| &a.caps)
    {
        for a in [old, new].into_iter().filter_map(|r| r.amount.as_ref()) {
            changed_rules.extend(a.steps.iter().map(|s| s.rule.as_str()));
            changed_rules.extend(a.caps.iter().map(|c| c.rule.as_str()));
        }
    }
    for id in &p.rules_edited {
        if changed_rules.contains(id.as_str()) {
            out.push(format!("rule `{id}` edited"));
        }
    }
    for id in &p.rules_added {
        if changed_rules.contains(id.as_str()) {
            out.push(format!("rule `{id}` added"));
        }
    }
    for id in &p.rules_removed {
        if changed_rules.contains(id.as_str()) {
            out.push(format!("rule `{id}` removed"));
        }
    }
    // Parameters read by the findings that changed (under either policy).
    let read: BTreeSet<&str> = old
        .findings
        .iter()
        .chain(new.findings.iter())
        .filter(|f| changed_rules.contains(f.rule.as_str()))
        .flat_map(|f| f.params.iter().map(String::as_str))
        .collect();
    for pc in &p.params_changed {
        let by_engine = crate::check::PARAMS_READ_BY_ENGINE.contains(&pc.name.as_str())
            && (old.priority.is_some() || new.priority.is_some());
        if read.contains(pc.name.as_str()) || by_engine {
            out.push(format!(
                "parameter `{}` changed ({})",
                pc.name,
                pc.changes.join("; ")
            ));
        }
    }
    if out.is_empty() {
        // Moved only through other rules' conclusions.
        out.push(format!(
            "conclusions of {}",
            c.findings
                .iter()
                .map(|f| format!("`{}`", f.rule))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out
}

/// Cases moved by the same causes.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Group {
    /// The causes, in words.
    pub causes: Vec<String>,
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
                .entry(format!("{} → {}", c.decision.0, c.decision.1))
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
    let mut by_cause: BTreeMap<Vec<String>, Vec<&CaseChange>> = BTreeMap::new();
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
                .entry(format!("decision {}→{}", c.decision.0, c.decision.1))
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

fn money(a: Option<i64>) -> String {
    a.map(|x| format!("¥{}", format_number(x as f64)))
        .unwrap_or_else(|| "none".into())
}

fn case_lines(c: &CaseChange) -> Vec<String> {
    let mut out = Vec::new();
    let mut head = Vec::new();
    if c.decision.0 != c.decision.1 {
        head.push(format!("decision {} → {}", c.decision.0, c.decision.1));
    }
    if c.tier.0 != c.tier.1 {
        head.push(format!("tier {} → {}", c.tier.0, c.tier.1));
    }
    if c.score.0 != c.score.1 {
        let f = |s: Option<i64>| s.map(|x| x.to_string()).unwrap_or_else(|| "-".into());
        head.push(format!("score {} → {}", f(c.score.0), f(c.score.1)));
    }
    if c.amount.0 != c.amount.1 {
        head.push(format!(
            "amount {} → {} ({})",
            money(c.amount.0),
            money(c.amount.1),
            signed(c.amount_delta(), "¥")
        ));
    }
    if !head.is_empty() {
        out.push(head.join(", "));
    }
    if !c.referrals_added.is_empty() {
        out.push(format!("referrals added: {}", c.referrals_added.join(", ")));
    }
    if !c.referrals_removed.is_empty() {
        out.push(format!(
            "referrals removed: {}",
            c.referrals_removed.join(", ")
        ));
    }
    if let Some((a, b)) = &c.approvals {
        out.push(format!("approvals [{}] → [{}]", a.join(", "), b.join(", ")));
    }
    if let Some((a, b)) = &c.missing {
        out.push(format!(
            "missing facts [{}] → [{}]",
            a.join(", "),
            b.join(", ")
        ));
    }
    out.extend(c.steps.iter().cloned());
    for f in &c.findings {
        out.push(f.explanation.clone());
    }
    out
}

fn policy_lines(p: &PolicyDiff) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(p.rules_edited.iter().map(|r| format!("rule `{r}` edited")));
    out.extend(p.rules_added.iter().map(|r| format!("rule `{r}` added")));
    out.extend(
        p.rules_removed
            .iter()
            .map(|r| format!("rule `{r}` removed")),
    );
    out.extend(
        p.rules_renamed
            .iter()
            .map(|(a, b)| format!("rule `{a}` renamed to `{b}`")),
    );
    out.extend(
        p.params_changed
            .iter()
            .map(|c| format!("parameter `{}` changed: {}", c.name, c.changes.join("; "))),
    );
    if out.is_empty() {
        out.push("no rule or parameter changed".into());
    }
    out
}

fn tiers(r: &DiffReport) -> Vec<String> {
    let cols: BTreeSet<&String> = r.tier_matrix.values().flat_map(|m| m.keys()).collect();
    let mut out = vec![format!(
        "{:<8}{}",
        "old\\new",
        cols.iter().map(|c| format!("{c:>5}")).collect::<String>()
    )];
    for (from, row) in &r.tier_matrix {
        let cells: String = cols
            .iter()
            .map(|c| format!("{:>5}", row.get(*c).copied().unwrap_or(0)))
            .collect();
        out.push(format!("{from:<8}{cells}"));
    }
    out
}

/// The report as plain text.
pub fn render_text(r: &DiffReport) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "Base: {}\nNew:  {}\n", r.base, r.new);
    let _ = writeln!(s, "Policy change:");
    for l in policy_lines(&r.policy) {
        let _ = writeln!(s, "  {l}");
    }
    let _ = writeln!(
        s,
        "\n{} case(s) compared: {} changed, {} unchanged{}.",
        r.cases,
        r.changed.len(),
        r.cases - r.changed.len() - r.errors.len(),
        if r.errors.is_empty() {
            String::new()
        } else {
            format!(", {} could not be assessed", r.errors.len())
        }
    );
    if r.changed.is_empty() {
        for (f, e) in &r.errors {
            let _ = writeln!(s, "  error: {f}: {e}");
        }
        return s;
    }
    let _ = writeln!(s, "\nDecisions changed:");
    if r.decisions.is_empty() {
        let _ = writeln!(s, "  none");
    }
    for (t, n) in &r.decisions {
        let _ = writeln!(s, "  {t}: {n}");
    }
    let _ = writeln!(s, "\nTiers (rows: old, columns: new; - = no priority):");
    for l in tiers(r) {
        let _ = writeln!(s, "  {l}");
    }
    if r.changed.iter().all(|c| c.amount_delta() == 0) {
        let _ = writeln!(s, "\nAmounts: unchanged.");
    } else {
        let moved = r.changed.iter().filter(|c| c.amount_delta() != 0).count();
        let _ = writeln!(
            s,
            "\nAmounts: {} in total over {moved} case(s); median change {}.",
            signed(r.amount_total_change, "¥"),
            signed(r.amount_median_change, "¥")
        );
    }
    if !r.largest.is_empty() {
        let _ = writeln!(
            s,
            "Largest changes: {}",
            r.largest
                .iter()
                .map(|(c, d)| format!("{c} {}", signed(*d, "¥")))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(s, "\nBy cause:");
    for g in &r.groups {
        let _ = writeln!(s, "  {} case(s): {}", g.cases.len(), g.summary);
        for c in &g.causes {
            let _ = writeln!(s, "    because {c}");
        }
        let _ = writeln!(s, "    {}", g.cases.join(", "));
    }
    let _ = writeln!(s, "\nCases:");
    for c in &r.changed {
        let _ = writeln!(s, "  {} ({})", c.case_id, c.file);
        for l in case_lines(c) {
            let _ = writeln!(s, "    {l}");
        }
    }
    for (f, e) in &r.errors {
        let _ = writeln!(s, "  error: {f}: {e}");
    }
    s
}

/// The report as Markdown, for a pull request description.
pub fn render_markdown(r: &DiffReport) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "## Policy change review\n\n- Base: {}\n- New: {}\n",
        r.base, r.new
    );
    for l in policy_lines(&r.policy) {
        let _ = writeln!(s, "- {l}");
    }
    let _ = writeln!(s, "\n**{} of {} cases changed.**", r.changed.len(), r.cases);
    if !r.changed.is_empty() {
        let _ = writeln!(s, "\n| Decision change | Cases |\n|---|---:|");
        if r.decisions.is_empty() {
            let _ = writeln!(s, "| none | 0 |");
        }
        for (t, n) in &r.decisions {
            let _ = writeln!(s, "| {t} | {n} |");
        }
        let cols: BTreeSet<&String> = r.tier_matrix.values().flat_map(|m| m.keys()).collect();
        let _ = writeln!(
            s,
            "\n| Tier old \\ new | {} |\n|---|{}",
            cols.iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(" | "),
            "---:|".repeat(cols.len())
        );
        for (from, row) in &r.tier_matrix {
            let _ = writeln!(
                s,
                "| {from} | {} |",
                cols.iter()
                    .map(|c| row.get(*c).copied().unwrap_or(0).to_string())
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
        }
        let _ = writeln!(
            s,
            "\nAmounts: {} in total, median change {}.",
            signed(r.amount_total_change, "¥"),
            signed(r.amount_median_change, "¥")
        );
        let _ = writeln!(s, "\n### By cause\n");
        for g in &r.groups {
            let _ = writeln!(
                s,
                "- **{} case(s)**: {} — because {}  \n  {}",
                g.cases.len(),
                g.summary,
                g.causes.join("; "),
                g.cases.join(", ")
            );
        }
        let _ = writeln!(s, "\n### Cases\n\n| Case | Decision | Tier | Amount | What changed |\n|---|---|---|---:|---|");
        for c in &r.changed {
            // The table's columns show decision, tier and amount: drop the line that repeats them, and only that one
            // (a case whose first change is a referral keeps it).
            let repeats_columns = c.decision.0 != c.decision.1
                || c.tier.0 != c.tier.1
                || c.score.0 != c.score.1
                || c.amount.0 != c.amount.1;
            let what = case_lines(c)
                .into_iter()
                .skip(usize::from(repeats_columns))
                .collect::<Vec<_>>()
                .join("<br>")
                .replace('|', "\\|");
            let _ = writeln!(
                s,
                "| {} | {} → {} | {} → {} | {} → {} | {} |",
                c.case_id,
                c.decision.0,
                c.decision.1,
                c.tier.0,
                c.tier.1,
                money(c.amount.0),
                money(c.amount.1),
                what
            );
        }
    }
    for (f, e) in &r.errors {
        let _ = writeln!(s, "- error: {f}: {e}");
    }
    s
}
