//! The recommendation's findings: one per rule that ran, with its outcome, the facts it read, waited for, found
//! immaterial or presumed, and its points and values; and the effects the rules' conclusions gather in rule order
//! (fast track, approvals, payment, co-recipients, referrals, the amount's steps and caps). Called by
//! [`super::assess`] when it builds the recommendation. Texts stay empty until `explain` localises them.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::assess::outcomes::Outcomes;
use crate::engine::{Conclusion, Effect, RuleRun};
use crate::model::codes::{Approval, Decision, Outcome, Payment, RuleKind, Stage};
use crate::model::facts::{catalogue, FactRef};
use crate::model::recommendation::{Cap, CoRecipient, Finding, Referral, Step, ToConfirm};
use crate::validate::ValidCase;

/// The parameter the amount is measured in (every policy must define it: see `check`).
pub(crate) const WAGE_BASE: &str = "wage_base";

/// The findings and what the rules' conclusions gathered.
#[derive(Default)]
pub(crate) struct Gathered {
    pub findings: Vec<Finding>,
    /// Presumptions of the bars, to confirm before deciding (when the case is not declined).
    pub to_confirm: Vec<ToConfirm>,
    pub fast_track: bool,
    pub approvals: Vec<Approval>,
    pub payment: Option<Payment>,
    pub co_recipients: Vec<CoRecipient>,
    pub referrals: Vec<Referral>,
    pub steps: Vec<Step>,
    pub caps: Vec<Cap>,
    /// The amount an amount rule recommended, unrounded.
    pub recommended: Option<f64>,
    /// Whether an amount rule read the wage base.
    pub wage_param_used: bool,
}

impl Gathered {
    /// Lists the presumption of `fact` as `value` by rule `rule` to confirm before deciding; a fact two rules
    /// presume, once.
    pub fn confirm(&mut self, fact: FactRef, value: &Value, rule: &str) {
        let pointer = fact.pointer();
        if !self.to_confirm.iter().any(|t| t.fact == pointer) {
            self.to_confirm.push(ToConfirm {
                fact: pointer,
                presumed: value.clone(),
                rule: rule.to_string(),
                basis: String::new(),
                text: String::new(),
            });
        }
    }
}

/// The effects the concluded rule `index` of `stage` (its result `run`) gathers: a provisional amount that needs the
/// middle reading (`likely`, its rule results) takes the amount rules' effects from it.
fn effects_of<'a>(
    index: usize,
    stage: Stage,
    run: &'a RuleRun,
    likely: Option<&'a [Option<Arc<RuleRun>>]>,
) -> Option<&'a [Effect]> {
    match concluded_run(index, stage, run, likely) {
        Some(RuleRun::Concluded { effects, .. }) => Some(effects),
        _ => None,
    }
}

/// The result of rule `index` of `stage` (its result `run`) whose effects and presumptions the recommendation
/// takes: that of the middle reading (`likely`) for an amount rule of a provisional amount that needs it.
fn concluded_run<'a>(
    index: usize,
    stage: Stage,
    run: &'a RuleRun,
    likely: Option<&'a [Option<Arc<RuleRun>>]>,
) -> Option<&'a RuleRun> {
    match likely {
        Some(runs) if stage == Stage::Amount => runs.get(index).and_then(Option::as_deref),
        _ => Some(run),
    }
}

/// The amount the rules' effects recommend, unrounded, as [`gather`] finds it (`Gathered::recommended`) without
/// gathering anything else.
pub(crate) fn recommended(
    o: &Outcomes<'_>,
    likely: Option<&[Option<Arc<RuleRun>>]>,
) -> Option<f64> {
    let mut recommended = None;
    for (index, (rule, run)) in o.policy.rules.iter().zip(o.runs.iter()).enumerate() {
        let Some(run) = run.as_deref() else { continue };
        for e in effects_of(index, rule.stage, run, likely).unwrap_or_default() {
            if let Effect::Recommend(a) = e {
                recommended = Some(*a);
            }
        }
    }
    recommended
}

/// The findings of the results `o` (the case `case`, decided `decision`), and what their conclusions gathered. With
/// `likely` (the middle reading's rule results, when the amount needs it), the amount rules' effects are taken
/// from it.
pub(crate) fn gather(
    case: &ValidCase,
    o: &Outcomes<'_>,
    decision: Decision,
    likely: Option<&[Option<Arc<RuleRun>>]>,
) -> Gathered {
    let policy = o.policy;
    let mut g = Gathered::default();
    for (index, (rule, run)) in policy.rules.iter().zip(o.runs.iter()).enumerate() {
        let Some(run) = run.as_deref() else { continue };
        let (outcome, reads, params, missing, points, values) = match run {
            RuleRun::Concluded {
                conclusion,
                reads,
                params,
                ..
            } => match conclusion {
                Conclusion::Met { points, values } => (
                    Outcome::Met,
                    reads,
                    params,
                    Vec::new(),
                    *points,
                    values.clone(),
                ),
                Conclusion::NotMet { values } => (
                    Outcome::NotMet,
                    reads,
                    params,
                    Vec::new(),
                    None,
                    values.clone(),
                ),
            },
            RuleRun::Unknown {
                missing,
                reads,
                params,
            } => (
                Outcome::Unknown,
                reads,
                params,
                missing.clone(),
                None,
                BTreeMap::new(),
            ),
        };
        // Texts are written by `localise` once everything is known.
        let reason = String::new();
        let (immaterial, presumed) = match run {
            RuleRun::Concluded {
                immaterial,
                presumed,
                ..
            } => (immaterial.as_slice(), presumed.as_slice()),
            RuleRun::Unknown { .. } => (&[][..], &[][..]),
        };
        // An amount taken from the middle reading rests on that reading's presumptions.
        let (confirm, weighed) = match concluded_run(index, rule.stage, run, likely) {
            Some(RuleRun::Concluded {
                presumed,
                immaterial,
                ..
            }) => (presumed.as_slice(), immaterial.as_slice()),
            _ => (&[][..], &[][..]),
        };
        // A bar's ground presumed absent, or a reduction of the amount presumed not to apply: to confirm.
        if decision != Decision::Decline
            && (rule.kind == RuleKind::Bar || rule.stage == Stage::Amount)
        {
            // One the amount was found not to rest on is not to confirm.
            for (fact, value) in confirm.iter().filter(|(f, _)| !weighed.contains(f)) {
                g.confirm(*fact, value, &rule.id);
            }
        }
        if let Some(effects) = effects_of(index, rule.stage, run, likely) {
            for e in effects {
                match e {
                    Effect::FastTrack => g.fast_track = true,
                    Effect::Approval(a) => g.approvals.push(*a),
                    Effect::Referral { service, agency } => g.referrals.push(Referral {
                        service: service.clone(),
                        agency: agency.clone(),
                        agency_name: String::new(),
                        reason: reason.clone(),
                        rule: rule.id.clone(),
                    }),
                    Effect::Payment(p) => g.payment = Some(*p),
                    Effect::CoRecipient(pointer) => {
                        let d = catalogue().value(&case.json, *pointer);
                        g.co_recipients.push(CoRecipient {
                            dependant: pointer.pointer(),
                            relation: d
                                .and_then(|d| d.get("relation"))
                                .and_then(Value::as_str)
                                .map(str::to_string),
                            age: d.and_then(|d| d.get("age")).and_then(Value::as_u64),
                            rule: rule.id.clone(),
                        })
                    }
                    Effect::Step {
                        code,
                        value,
                        values,
                    } => {
                        g.steps.push(Step {
                            code: code.clone(),
                            value: round2(*value),
                            reason: String::new(),
                            rule: rule.id.clone(),
                            values: values.clone(),
                        });
                    }
                    Effect::Cap {
                        code,
                        amount,
                        limit,
                        applied,
                        values,
                    }
                    | Effect::Check {
                        code,
                        amount,
                        limit,
                        exceeded: applied,
                        values,
                    } => {
                        let is_cap = matches!(e, Effect::Cap { .. });
                        g.caps.push(Cap {
                            code: code.clone(),
                            limit: round2(*limit),
                            amount: round2(*amount),
                            exceeded: amount > limit,
                            applied: is_cap && *applied,
                            reason: String::new(),
                            rule: rule.id.clone(),
                            values: values.clone(),
                            check_only: !is_cap,
                        });
                    }
                    Effect::Recommend(a) => g.recommended = Some(*a),
                }
            }
        }
        if rule.stage == Stage::Amount && params.iter().any(|p| &**p == WAGE_BASE) {
            g.wage_param_used = true;
        }
        g.findings.push(Finding {
            rule: rule.id.clone(),
            title: String::new(),
            stage: rule.stage,
            kind: rule.kind,
            outcome,
            reason,
            basis: String::new(),
            facts: reads.iter().map(|r| r.fact.pointer()).collect(),
            missing: missing.iter().map(|m| m.pointer()).collect(),
            immaterial: immaterial.iter().map(|m| m.pointer()).collect(),
            presumed: presumed.iter().map(|(m, _)| m.pointer()).collect(),
            params: params.iter().map(|p| p.to_string()).collect(),
            points,
            values,
        });
    }

    g
}

/// Rounded to the fen (two decimals).
pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
