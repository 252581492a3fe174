//! How one case's recommendation moved between two policies: its decision, tier, score, amount, referrals,
//! approvals, missing facts, steps and findings, and the typed causes in the policy change that bear on it.
//! Called by [`super::report`]; the types are written out by the text and Markdown writers.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use crate::model::codes::{Decision, Outcome};
use crate::model::recommendation::{Finding, Recommendation};
use crate::model::text::format_number;

use super::policies::PolicyDiff;

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
    pub decision: (Decision, Decision),
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
    pub causes: Vec<Cause>,
}

impl CaseChange {
    /// Change in the recommended amount (missing amounts count as 0).
    pub fn amount_delta(&self) -> i64 {
        self.amount.1.unwrap_or(0) - self.amount.0.unwrap_or(0)
    }
}

pub(super) fn tier_of(r: &Recommendation) -> String {
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
            (None, Some(b)) if added && b.outcome != Outcome::NotMet => {
                format!("new rule `{id}` is {}: {}", b.outcome.as_str(), b.reason)
            }
            (Some(a), None) if removed && a.outcome != Outcome::NotMet => {
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
    // Codes as rules write them (`over_36_months`; serde's name of that variant differs).
    let approvals = |r: &Recommendation| -> Vec<String> {
        r.approvals.iter().map(|a| a.as_str().to_string()).collect()
    };
    let missing =
        |r: &Recommendation| -> Vec<String> { r.missing.iter().map(|m| m.fact.clone()).collect() };
    let change = CaseChange {
        file: file.to_string(),
        case_id: new.case_id.clone(),
        decision: (old.decision, new.decision),
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

/// Why a case moved: a change in the policy that bears on it. Shown (and serialised) as a sentence, e.g.
/// ``rule `priority.w3` edited``; causes order as their sentences do, so groups list in a stable order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// A rule whose conclusion for the case changed was edited.
    RuleEdited(String),
    /// A rule added by the change concludes something for the case.
    RuleAdded(String),
    /// A rule removed by the change had concluded something for the case.
    RuleRemoved(String),
    /// A parameter the case's changed rules read (or the engine reads for its priority) changed.
    ParameterChanged {
        /// The parameter.
        name: String,
        /// What changed in it, in words.
        changes: Vec<String>,
    },
    /// No rule or parameter of the change bears on the case directly: it moved through these rules'
    /// conclusions.
    ConclusionsOf(Vec<String>),
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::RuleEdited(id) => write!(f, "rule `{id}` edited"),
            Cause::RuleAdded(id) => write!(f, "rule `{id}` added"),
            Cause::RuleRemoved(id) => write!(f, "rule `{id}` removed"),
            Cause::ParameterChanged { name, changes } => {
                write!(f, "parameter `{name}` changed ({})", changes.join("; "))
            }
            Cause::ConclusionsOf(rules) => write!(
                f,
                "conclusions of {}",
                rules
                    .iter()
                    .map(|r| format!("`{r}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

impl Ord for Cause {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.to_string().cmp(&other.to_string())
    }
}

impl PartialOrd for Cause {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for Cause {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The rules and parameters of the policy change that bear on this case.
fn causes(
    c: &CaseChange,
    old: &Recommendation,
    new: &Recommendation,
    p: &PolicyDiff,
) -> Vec<Cause> {
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
    let bears = |id: &String| changed_rules.contains(id.as_str());
    out.extend(
        p.rules_edited
            .iter()
            .filter(|id| bears(id))
            .cloned()
            .map(Cause::RuleEdited),
    );
    out.extend(
        p.rules_added
            .iter()
            .filter(|id| bears(id))
            .cloned()
            .map(Cause::RuleAdded),
    );
    out.extend(
        p.rules_removed
            .iter()
            .filter(|id| bears(id))
            .cloned()
            .map(Cause::RuleRemoved),
    );
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
            out.push(Cause::ParameterChanged {
                name: pc.name.clone(),
                changes: pc.changes.clone(),
            });
        }
    }
    if out.is_empty() {
        // Moved only through other rules' conclusions.
        out.push(Cause::ConclusionsOf(
            c.findings.iter().map(|f| f.rule.clone()).collect(),
        ));
    }
    out
}
