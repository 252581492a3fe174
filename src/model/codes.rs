//! Codes, each defined once: a policy's stages and kinds of rule; a recommendation's decision, tier, approvals
//! and payment; a rule's outcome; what an unknown fact could still change. Each serialises as its snake_case
//! code and is shown by its label in a report's language. Read by every layer above: the engine (which
//! functions a stage may call), the policy loader (headers and manifest), the assessment and the reports.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The stages of a policy, in the order they run.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Stage {
    /// Art. 7: who may be assisted, and the conditions every case must meet.
    Eligibility,
    /// Art. 8: who is generally not assisted.
    Exclusions,
    /// The order in which cases are handled, and the uplift of the amount.
    Priority,
    /// How much, with every factor and cap.
    Amount,
    /// Help from other agencies.
    Referrals,
}

impl Stage {
    /// All stages in order.
    pub const ALL: [Stage; 5] = [
        Stage::Eligibility,
        Stage::Exclusions,
        Stage::Priority,
        Stage::Amount,
        Stage::Referrals,
    ];

    /// The stage's name as written in headers and the manifest.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The stage named `s` (its [`Stage::as_str`] name), if there is one.
    pub fn parse(s: &str) -> Option<Stage> {
        s.parse().ok()
    }

    /// The kinds of rule a stage may hold; the first is the default when a header names none.
    pub fn kinds(self) -> &'static [RuleKind] {
        match self {
            Stage::Eligibility => &[
                RuleKind::Pathway,
                RuleKind::Condition,
                RuleKind::Discretionary,
            ],
            Stage::Exclusions => &[RuleKind::Bar, RuleKind::Approval],
            Stage::Priority => &[RuleKind::Factor, RuleKind::Group],
            Stage::Amount => &[RuleKind::Amount],
            Stage::Referrals => &[RuleKind::Referral],
        }
    }
}

/// What a rule's conclusion means for the decision.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RuleKind {
    /// Eligibility: one way into assistance (Art. 7 items); at least one must be met.
    Pathway,
    /// Eligibility: the catch-all (Art. 7(7)); assistance is discretionary and needs written reasons.
    Discretionary,
    /// Eligibility: a condition every assisted case must meet.
    Condition,
    /// Exclusions: when met, the case is generally not assisted.
    Bar,
    /// Exclusions: when met, assistance needs a further approval but is not barred.
    Approval,
    /// Priority: a priority group; groups combine as the highest plus a bonus per further group.
    Group,
    /// Priority: a factor whose points add to the score.
    Factor,
    /// Amount: computes the amount, payment and co-recipients.
    Amount,
    /// Referrals: refers the applicant to another agency.
    Referral,
}

impl RuleKind {
    /// The kind's name as written in headers.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// What the policy recommends.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Decision {
    /// Assist the applicant.
    Assist,
    /// Do not assist (referrals may still apply).
    Decline,
    /// A fact that could change the decision is unknown; see `missing`.
    NeedsInformation,
}

impl Decision {
    /// The code as written in JSON.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Priority tier.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
pub enum Tier {
    /// Highest priority.
    A,
    /// Middle priority.
    B,
    /// Ordinary priority.
    C,
}

impl Tier {
    /// The tier's letter.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// What an unknown fact could still change.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Change {
    /// Whether the case is assisted.
    Decision,
    /// The priority tier.
    Tier,
    /// The amount.
    Amount,
    /// A referral to another agency.
    Referral,
}

impl Change {
    /// The code.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// An approval the decision needs.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Approval {
    /// Decided collectively (chief-prosecutor office meeting or Party group).
    CollectiveDecision,
    /// Above 36 months of the wage base: strict review and approval.
    #[serde(rename = "over_36_months")]
    #[strum(serialize = "over_36_months")]
    Over36Months,
    /// The applicant was already assisted in this case.
    Reassistance,
    /// Above the local ceiling: joint assistance with a higher procuratorate (上下级联合救助).
    JointAssistance,
}

impl Approval {
    /// The approval coded `s` (its [`Approval::as_str`] code), if there is one.
    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }

    /// The code as written in JSON.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// How the money is paid.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Payment {
    /// One payment (一次性).
    OneOff,
    /// Paid in instalments under supervision (e.g. for minors).
    SupervisedInstalments,
}

impl Payment {
    /// The code as written in JSON.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The outcome of a rule.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Outcome {
    /// The rule's condition holds.
    Met,
    /// It does not.
    NotMet,
    /// It depends on facts the case leaves unknown.
    Unknown,
}

impl Outcome {
    /// The code as written in JSON.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    /// Each code has one name: the one serde writes in JSON is the one `as_str` gives and `FromStr` reads.
    fn one_name<T>()
    where
        T: IntoEnumIterator + Serialize + Copy + PartialEq + std::fmt::Debug + std::str::FromStr,
        &'static str: From<T>,
    {
        for code in T::iter() {
            let name: &'static str = code.into();
            assert_eq!(
                serde_json::to_value(code).ok(),
                Some(serde_json::Value::from(name))
            );
            assert_eq!(name.parse::<T>().ok(), Some(code));
        }
    }

    #[test]
    fn every_code_has_one_name() {
        one_name::<Stage>();
        one_name::<RuleKind>();
        one_name::<Decision>();
        one_name::<Tier>();
        one_name::<Change>();
        one_name::<Approval>();
        one_name::<Payment>();
        one_name::<Outcome>();
    }
}
