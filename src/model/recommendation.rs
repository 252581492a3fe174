//! The explained recommendation: what the policy concludes for one case, and why. Built by `assess`, localised
//! by `explain`, rendered by `report`, compared by `diff` and the expectations.
//!
//! Every conclusion is a [`Finding`] naming its rule, its legal basis and the facts (JSON Pointers) and
//! parameters it read. The JSON form is stable for systems; `render` turns it into a report for people.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::case::Province;
use crate::model::codes::{Approval, Change, Decision, Outcome, Payment, RuleKind, Stage, Tier};

/// The recommendation for one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "Recommendation for judicial assistance")]
pub struct Recommendation {
    /// The case's identifier, from the case file.
    pub case_id: String,
    /// The date of the decision (`YYYY-MM-DD`), the case file's `decision_date`: the parameters in force on it,
    /// and the wage statistics of the year before, were applied. Result lines written by versions of assessor
    /// before it recorded the date have no such field (nor `province`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub decision_date: Option<jiff::civil::Date>,
    /// The province of the handling procuratorate, as the case file's `jurisdiction.province` spells it; `null`
    /// when the case file does not say. Absent (with `decision_date`) in result lines written by versions of
    /// assessor before it recorded them.
    #[serde(default)]
    pub province: Option<Province>,
    /// The language of every text in it (reasons, bases, labels); codes beside the texts are the same in every
    /// language.
    pub language: crate::model::text::Lang,
    /// What the policy recommends.
    pub decision: Decision,
    /// Assisted only under the catch-all provision (Art. 7(7)): approval needs written reasons.
    pub discretionary: bool,
    /// Pay first, complete the formalities afterwards (先行救助).
    pub fast_track: bool,
    /// Declined because nothing is due: where every condition is met and no bar applies, the amount comes to ¥0
    /// (an earlier payment in the same case covers it, or a cap). Absent when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nothing_due: bool,
    /// Priority of the case (absent when the case is declined).
    pub priority: Option<Priority>,
    /// The recommended amount and its arithmetic (only when the decision is `assist`).
    pub amount: Option<Amount>,
    /// Approvals the decision needs.
    pub approvals: Vec<Approval>,
    /// How the money is paid (only when the decision is `assist`).
    pub payment: Option<Payment>,
    /// Minor children assisted together with the applicant.
    pub co_recipients: Vec<CoRecipient>,
    /// Help from other agencies.
    pub referrals: Vec<Referral>,
    /// Every rule's conclusion, in the order the rules ran.
    pub findings: Vec<Finding>,
    /// Unknown facts that could change the decision, each once.
    pub missing: Vec<Missing>,
    /// Facts a bar presumed because the case leaves them unknown (Art. 8's grounds are established by the
    /// procuratorate, none applies by default): a checklist for the handler to confirm before deciding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_confirm: Vec<ToConfirm>,
    /// Regional figures the rules read that are not the province's own for the decision's date (a figure
    /// carried forward from an earlier year, a macro-region's or the nation's, a provincial capital's line) or
    /// that the policy's data mark as estimates. The wage base is described in `amount.wage_base` instead.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub estimates: Vec<Estimate>,
    /// The policy that produced this recommendation.
    pub policy: PolicyId,
    /// `sha256:` digest of the case file's canonical JSON (keys sorted).
    pub case_digest: String,
    /// What would change the outcome (computed by `assessor assess` for a single case; absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what_if: Option<crate::model::exploration::Exploration>,
}

/// Priority of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Priority {
    /// A (first), B or C.
    pub tier: Tier,
    /// The total score.
    pub score: i64,
    /// Some priority rules could not be decided for want of facts: the score may rise when they are known.
    pub provisional: bool,
    /// When provisional: every tier some reading of the unknown facts reaches (on the settled decision).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<Tier>,
    /// The findings that scored, and how many points each counted for.
    pub factors: Vec<ScoredFactor>,
}

/// A finding that scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScoredFactor {
    /// The rule.
    pub rule: String,
    /// `group` (a priority group) or `factor`.
    pub kind: RuleKind,
    /// The points the rule gave.
    pub points: i64,
    /// The points that counted towards the score (groups count as the highest plus a bonus for each further one).
    pub counted: i64,
    /// Why, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// The amount and its arithmetic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Amount {
    /// The recommended amount, in yuan.
    pub recommended: i64,
    /// The wage base the amount is measured in.
    pub wage_base: Option<WageBase>,
    /// The recommended amount in months of the wage base.
    pub months: Option<f64>,
    /// Each factor applied, in order.
    pub steps: Vec<Step>,
    /// Every cap or ceiling checked, applied or not.
    pub caps: Vec<Cap>,
    /// Provisional: unknown facts still move the amount. `recommended` is then the amount on the known facts, or,
    /// when the amount cannot be computed without them, the middle reading (whose facts `assumed` lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<AmountRange>,
    /// Not provisional, though the amount could not be computed without some unknown facts: every plausible value
    /// of them gives `recommended`. These are the values its steps and caps were worked with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub worked_with: Vec<Assumed>,
}

/// The range of a provisional amount over the plausible values of the unknown facts that move it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AmountRange {
    /// The lowest amount of any reading.
    pub low: i64,
    /// The highest amount of any reading.
    pub high: i64,
    /// The bounds of the search were reached before every reading was tried: amounts outside the range are
    /// possible.
    pub open: bool,
    /// The facts assumed for `recommended` (empty when it rests on the known facts alone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumed: Vec<Assumed>,
}

/// A value taken for an unknown fact in a provisional reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Assumed {
    /// JSON Pointer of the fact.
    pub fact: String,
    /// The value taken.
    pub value: Value,
}

/// A fact presumed by a bar: to confirm before deciding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ToConfirm {
    /// JSON Pointer of the fact.
    pub fact: String,
    /// The value presumed.
    pub presumed: Value,
    /// The rule that presumed it.
    pub rule: String,
    /// The rule's legal basis.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub basis: String,
    /// What to confirm, in the recommendation's language.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

/// The wage base used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WageBase {
    /// The region the figure is for (a province, a macro-region, or `national`).
    pub region: String,
    /// The statistical year.
    pub year: Option<u32>,
    /// Yuan per month.
    pub monthly: f64,
    /// The figure is an estimate: not the province's own figure for the year before the decision (carried
    /// forward from an earlier year, or a macro-region's or the nation's figure), or a figure with one source.
    pub estimate: bool,
    /// Whose figure it is: the province's own, its macro-region's, or the nation's.
    pub basis: crate::model::params::Source,
    /// The figure is the latest earlier one, carried forward because the year's figure is missing.
    pub carried_forward: bool,
    /// Where the figure comes from.
    pub source: String,
}

/// A parameter value that is an estimate for this case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Estimate {
    /// The parameter.
    pub parameter: String,
    /// Its title.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// The region the value is for (a province, a macro-region, or `national`).
    pub region: String,
    /// The year the value describes, if the data say.
    pub year: Option<u32>,
    /// The value.
    pub value: Value,
    /// Whose value it is.
    pub basis: crate::model::params::Source,
    /// The value is the latest earlier one, carried forward.
    pub carried_forward: bool,
    /// What the figure stands for when it is not the whole province's: `capital` (the provincial capital's
    /// line) or `tier1` (the top tier's line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Where the value comes from.
    pub source: String,
}

/// One step of the amount's arithmetic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Step {
    /// Stable code of the step.
    pub code: String,
    /// Its value.
    pub value: f64,
    /// Why, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// The rule that applied it.
    pub rule: String,
    /// Values the reason is made from (stable, for systems).
    pub values: BTreeMap<String, Value>,
}

/// A cap or ceiling that was checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Cap {
    /// Stable code of the cap.
    pub code: String,
    /// The limit, in yuan.
    pub limit: f64,
    /// The amount it was checked against.
    pub amount: f64,
    /// The amount was above the limit.
    pub exceeded: bool,
    /// The amount was cut to the limit (a ceiling that only calls for an approval is never applied).
    pub applied: bool,
    /// Why, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// The rule that checked it.
    pub rule: String,
    /// Values the reason is made from (stable, for systems).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, Value>,
    /// Given by `check` (a ceiling that only calls for an approval, never applied), not `cap`: its text is the
    /// rule's `check.<code>`. Absent when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub check_only: bool,
}

/// A minor child assisted together with the applicant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CoRecipient {
    /// JSON Pointer of the dependant in the case file.
    pub dependant: String,
    /// Relation to the applicant.
    pub relation: Option<String>,
    /// Age.
    pub age: Option<u64>,
    /// The rule that named the co-recipient.
    pub rule: String,
}

/// A referral to another agency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Referral {
    /// Stable code of the service.
    pub service: String,
    /// Stable code of the agency that provides it.
    pub agency: String,
    /// The agency's name, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub agency_name: String,
    /// Why, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// The rule that made the referral.
    pub rule: String,
}

/// One rule's conclusion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// The rule's id.
    pub rule: String,
    /// The rule's title, in the recommendation's language.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// The rule's stage.
    pub stage: Stage,
    /// The rule's kind (pathway, condition, bar, group, …).
    pub kind: RuleKind,
    /// `met`, `not_met`, or `unknown` (it depends on facts the case leaves unknown).
    pub outcome: Outcome,
    /// Why, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// The legal provision (or proposal) it rests on.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub basis: String,
    /// The facts it read, as JSON Pointers.
    pub facts: Vec<String>,
    /// For `unknown`: the facts whose absence stopped it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// Unknown facts the rule read whose every plausible value gives this same conclusion.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub immaterial: Vec<String>,
    /// Unknown facts the rule presumed (bars only): to confirm before deciding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub presumed: Vec<String>,
    /// The parameters it read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<String>,
    /// Points, for priority rules that scored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// Values the reason is made from (stable, for systems).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, Value>,
}

/// An unknown fact that could change the recommendation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Missing {
    /// JSON Pointer of the fact.
    pub fact: String,
    /// The rules that need it.
    pub needed_by: Vec<String>,
    /// What it could change.
    pub changes: Vec<Change>,
    /// What the fact is, and why it matters.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub why: String,
}

/// The policy that produced a recommendation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PolicyId {
    /// The policy's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// `sha256:` digest of all its files.
    pub digest: String,
}
