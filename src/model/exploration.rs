//! What would change the outcome of one case, as data: the changes of fact that would improve it and, for each
//! missing fact, what its plausible values would lead to. Computed by `explain::whatif`, carried in the
//! recommendation's `what_if`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::codes::{Decision, Tier};

/// One changed fact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Change {
    /// JSON Pointer of the fact.
    pub fact: String,
    /// Its value now (`null` when unknown).
    pub from: Value,
    /// The value that would change the outcome.
    pub to: Value,
    /// For a sum of money, whether the outcome holds `at most` or `at least` at this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound: Option<Bound>,
}

/// Which side of a sum of money the changed outcome holds on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Bound {
    /// The outcome holds at this sum or below it.
    #[serde(rename = "at most")]
    AtMost,
    /// The outcome holds at this sum or above it.
    #[serde(rename = "at least")]
    AtLeast,
}

/// The outcome of a case, briefly: its decision, tier and amount (not a rule's outcome, which is `Outcome`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CaseOutcome {
    /// The decision.
    pub decision: Decision,
    /// The tier, if any.
    pub tier: Option<Tier>,
    /// The recommended amount, if any.
    pub amount: Option<i64>,
    /// In words, in the recommendation's language.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

/// A change of fact that would improve the outcome, verified by re-assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WhatIf {
    /// The changes (one, or a pair when no single change does it).
    pub changes: Vec<Change>,
    /// The outcome with them.
    pub outcome: CaseOutcome,
    /// In words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

/// For a missing fact: what each plausible value would lead to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MissingValue {
    /// JSON Pointer of the fact.
    pub fact: String,
    /// Each plausible value (or range of values) and its outcome.
    pub cases: Vec<ValueCase>,
}

/// One plausible value (or range) of a missing fact and its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ValueCase {
    /// The value or range, in words ("yes", "below ¥1,400", "from ¥1,400").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// The value, when it is one value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<Value>,
    /// For a range of sums: its lower end (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<f64>,
    /// For a range of sums: its upper end (exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
    /// The outcome.
    pub outcome: CaseOutcome,
}

/// What would change the outcome of one case.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Exploration {
    /// Changes of actionable facts that would improve the outcome, nearest first.
    pub changes: Vec<WhatIf>,
    /// For each missing fact, what its plausible values would lead to.
    pub missing: Vec<MissingValue>,
    /// Re-assessments made.
    pub assessments: usize,
}
