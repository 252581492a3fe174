//! Assessing one case: run the policy's stages in order and turn the rules' conclusions into a recommendation.
//!
//! The decision:
//! - **decline** when a condition is not met or a bar applies (on known facts), or when every pathway is known
//!   not to be met;
//! - **assist** when a pathway is met, every condition is met and no bar applies; `discretionary` when only
//!   the catch-all pathway is met;
//! - **needs information** otherwise: a rule that could change the decision depends on an unknown fact. The
//!   facts listed as missing are exactly those of such rules, so a fact that cannot change the decision is not
//!   listed, and a case is never declined because something is unknown.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::engine::{self, Conclusion, Effect, EvalCtx, RuleRun};
use crate::facts::{catalogue, FactRef};
use crate::params::Lookup;
use crate::policy::{hex, Policy, Rule, RuleKind, Stage};
use crate::recommendation::*;
use crate::validate::ValidCase;

/// A case that could not be assessed at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessError {
    /// A rule failed at run time (not for want of facts): the policy has a bug.
    #[error("{file}{}: rule `{rule}` failed: {message}", position(*.line, *.column))]
    Rule {
        /// The rule's id.
        rule: String,
        /// The rule file.
        file: String,
        /// 1-based line.
        line: Option<usize>,
        /// 1-based column.
        column: Option<usize>,
        /// What went wrong.
        message: String,
    },
    /// The engine itself failed (a bug in `assessor`, not in the case or the policy).
    #[error("internal error: {message}")]
    Internal {
        /// What went wrong.
        message: String,
    },
}

fn position(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

/// `sha256:` digest of a case's canonical JSON (object keys sorted, no whitespace).
pub fn case_digest(json: &Value) -> String {
    let bytes = serde_json::to_vec(json).unwrap_or_default();
    format!("sha256:{}", hex(&Sha256::digest(&bytes)))
}

struct Outcomes<'p> {
    policy: &'p Policy,
    runs: &'p [Option<RuleRun>],
    date: &'p str,
    province: Option<&'p str>,
}

impl Outcomes<'_> {
    fn of(&self, stage: Stage, kind: RuleKind) -> impl Iterator<Item = (&Rule, &RuleRun)> {
        self.policy
            .rules
            .iter()
            .zip(self.runs.iter())
            .filter(move |(r, _)| r.stage == stage && r.kind == kind)
            .filter_map(|(r, run)| run.as_ref().map(|run| (r, run)))
    }
}

fn is_met(run: &RuleRun) -> bool {
    matches!(
        run,
        RuleRun::Concluded {
            conclusion: Conclusion::Met { .. },
            ..
        }
    )
}
fn is_not_met(run: &RuleRun) -> bool {
    matches!(
        run,
        RuleRun::Concluded {
            conclusion: Conclusion::NotMet { .. },
            ..
        }
    )
}
fn missing_of(run: &RuleRun) -> &[FactRef] {
    match run {
        RuleRun::Unknown { missing, .. } => missing,
        RuleRun::Concluded { .. } => &[],
    }
}

/// Assesses a validated case on a policy.
pub fn assess(case: &ValidCase, policy: &Policy) -> Result<Recommendation, AssessError> {
    assess_in(case, policy, policy.primary_language())
}

/// Assesses a validated case on a policy, with every text in `lang` (the policy's first language when it does not
/// declare `lang`).
pub fn assess_in(
    case: &ValidCase,
    policy: &Policy,
    lang: crate::text::Lang,
) -> Result<Recommendation, AssessError> {
    let province = case
        .case
        .jurisdiction
        .as_ref()
        .and_then(|j| j.province)
        .map(|p| p.as_str().to_string());
    let ctx = EvalCtx {
        case: Arc::clone(&case.json),
        params: Arc::clone(&policy.params),
        date: case.case.decision_date.clone(),
        province: province.clone(),
        rule_ids: Arc::new(policy.rule_index.clone()),
        runs: vec![None; policy.rules.len()],
        decision: None,
        tier: None,
        score: None,
        current: Default::default(),
    };
    let date = case.case.decision_date.as_str();
    let Some((result, ctx)) =
        engine::with_case(ctx, || run_stages(policy, date, province.as_deref()))
    else {
        return Err(AssessError::Internal {
            message: "the evaluation context was lost".into(),
        });
    };
    let progress = result?;
    let outcomes = Outcomes {
        policy,
        runs: &ctx.runs,
        date,
        province: province.as_deref(),
    };
    Ok(build(
        case,
        policy,
        &outcomes,
        progress,
        province.as_deref(),
        lang,
    ))
}

#[derive(Debug, Clone, Copy)]
struct Progress {
    decision: Decision,
    discretionary: bool,
    priority: Option<(i64, Tier, bool)>,
}

fn run_stages(
    policy: &Policy,
    date: &str,
    province: Option<&str>,
) -> Result<Progress, AssessError> {
    let mut scope = engine::base_scope();
    let mut progress = Progress {
        decision: Decision::NeedsInformation,
        discretionary: false,
        priority: None,
    };
    for stage in Stage::ALL {
        let runs_stage = match stage {
            Stage::Eligibility | Stage::Exclusions | Stage::Referrals => true,
            Stage::Priority => progress.decision != Decision::Decline,
            Stage::Amount => progress.decision == Decision::Assist,
        };
        if runs_stage {
            for (i, rule) in policy
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.stage == stage)
            {
                policy
                    .sandbox
                    .run_rule(i, &rule.ast, &mut scope)
                    .map_err(|f| AssessError::Rule {
                        rule: rule.id.clone(),
                        file: rule.file.clone(),
                        line: f.line,
                        column: f.column,
                        message: f.message,
                    })?;
            }
        }
        engine::inspect_runs(|runs| {
            let outcomes = Outcomes {
                policy,
                runs,
                date,
                province,
            };
            match stage {
                Stage::Exclusions => {
                    let (d, disc) = decide(&outcomes);
                    progress.decision = d;
                    progress.discretionary = disc;
                }
                Stage::Priority if progress.decision != Decision::Decline => {
                    let (score, tier, provisional, _) = priority_parts(&outcomes);
                    progress.priority = Some((score, tier, provisional));
                }
                // An amount that cannot be computed for want of facts leaves the decision open.
                Stage::Amount
                    if progress.decision == Decision::Assist && !recommended(&outcomes) =>
                {
                    progress.decision = Decision::NeedsInformation;
                }
                _ => {}
            }
        });
        engine::set_progress(
            (stage >= Stage::Exclusions).then_some(progress.decision.as_str()),
            progress.priority.map(|p| p.1.as_str()),
            progress.priority.map(|p| p.0),
        );
    }
    Ok(progress)
}

fn recommended(o: &Outcomes<'_>) -> bool {
    o.of(Stage::Amount, RuleKind::Amount).any(|(_, r)| match r {
        RuleRun::Concluded { effects, .. } => {
            effects.iter().any(|e| matches!(e, Effect::Recommend(_)))
        }
        RuleRun::Unknown { .. } => false,
    })
}

/// The decision from eligibility and exclusions; and whether it rests on the catch-all only.
fn decide(o: &Outcomes<'_>) -> (Decision, bool) {
    let conditions: Vec<&RuleRun> = o
        .of(Stage::Eligibility, RuleKind::Condition)
        .map(|(_, r)| r)
        .collect();
    let pathways: Vec<&RuleRun> = o
        .of(Stage::Eligibility, RuleKind::Pathway)
        .map(|(_, r)| r)
        .collect();
    let discretionary: Vec<&RuleRun> = o
        .of(Stage::Eligibility, RuleKind::Discretionary)
        .map(|(_, r)| r)
        .collect();
    let bars: Vec<&RuleRun> = o
        .of(Stage::Exclusions, RuleKind::Bar)
        .map(|(_, r)| r)
        .collect();

    if conditions.iter().any(|r| is_not_met(r)) || bars.iter().any(|r| is_met(r)) {
        return (Decision::Decline, false);
    }
    let mandatory = pathways.iter().any(|r| is_met(r));
    let catch_all = discretionary.iter().any(|r| is_met(r));
    let all_pathways_not_met = pathways
        .iter()
        .chain(discretionary.iter())
        .all(|r| is_not_met(r));
    if all_pathways_not_met {
        return (Decision::Decline, false);
    }
    let settled = conditions.iter().all(|r| is_met(r)) && bars.iter().all(|r| is_not_met(r));
    if settled && (mandatory || catch_all) {
        // A mandatory pathway still unknown could lift a discretionary case to a mandatory one, but cannot change
        // the decision; it is shown as unknown in the findings.
        return (Decision::Assist, !mandatory);
    }
    (Decision::NeedsInformation, false)
}

/// Which rules' unknown facts could change the decision.
fn decision_relevant<'a>(o: &'a Outcomes<'_>, decision: Decision) -> Vec<(&'a Rule, &'a RuleRun)> {
    if decision != Decision::NeedsInformation {
        return Vec::new();
    }
    let any_pathway_met = o
        .of(Stage::Eligibility, RuleKind::Pathway)
        .any(|(_, r)| is_met(r))
        || o.of(Stage::Eligibility, RuleKind::Discretionary)
            .any(|(_, r)| is_met(r));
    let mut out = Vec::new();
    for (rule, run) in o.policy.rules.iter().zip(o.runs.iter()) {
        let Some(run) = run else { continue };
        if !matches!(run, RuleRun::Unknown { .. }) {
            continue;
        }
        let relevant = match (rule.stage, rule.kind) {
            (Stage::Eligibility, RuleKind::Condition) | (Stage::Exclusions, RuleKind::Bar) => true,
            (Stage::Eligibility, RuleKind::Pathway | RuleKind::Discretionary) => !any_pathway_met,
            (Stage::Amount, _) => !recommended(o),
            _ => false,
        };
        if relevant {
            out.push((rule, run));
        }
    }
    out
}

fn points_of(run: &RuleRun) -> Option<i64> {
    match run {
        RuleRun::Concluded {
            conclusion: Conclusion::Met { points, .. },
            ..
        } => Some(points.unwrap_or(0)),
        _ => None,
    }
}

fn param_i64(policy: &Policy, name: &str, date: &str, province: Option<&str>, default: i64) -> i64 {
    match policy.params.lookup(name, date, province) {
        Lookup::Found(v) => v
            .value
            .as_i64()
            .or_else(|| v.value.as_f64().map(|f| f as i64))
            .unwrap_or(default),
        _ => default,
    }
}

/// Score, tier, whether provisional, and the points each scoring rule counted for.
fn priority_parts(o: &Outcomes<'_>) -> (i64, Tier, bool, BTreeMap<String, i64>) {
    let p = |name: &str, d: i64| param_i64(o.policy, name, o.date, o.province, d);
    let mut counted = BTreeMap::new();
    let mut groups: Vec<(&Rule, i64)> = o
        .of(Stage::Priority, RuleKind::Group)
        .filter_map(|(r, run)| points_of(run).map(|pts| (r, pts)))
        .collect();
    // Highest group first; ties by rule order (stable sort).
    groups.sort_by_key(|g| std::cmp::Reverse(g.1));
    let bonus = p("priority_additional_group_bonus", 10);
    let bonus_cap = p("priority_additional_group_bonus_cap", 20);
    let mut group_total = 0;
    let mut bonus_left = bonus_cap;
    for (i, (rule, pts)) in groups.iter().enumerate() {
        let c = if i == 0 {
            *pts
        } else {
            let b = bonus.min(bonus_left).max(0);
            bonus_left -= b;
            b
        };
        group_total += c;
        counted.insert(rule.id.clone(), c);
    }
    let mut factor_total = 0;
    for (rule, run) in o.of(Stage::Priority, RuleKind::Factor) {
        if let Some(pts) = points_of(run) {
            factor_total += pts;
            counted.insert(rule.id.clone(), pts);
        }
    }
    let score = group_total + factor_total;
    let tier = if score >= p("priority_tier_a_min_score", 70) {
        Tier::A
    } else if score >= p("priority_tier_b_min_score", 40) {
        Tier::B
    } else {
        Tier::C
    };
    let provisional =
        o.policy.rules.iter().zip(o.runs.iter()).any(|(r, run)| {
            r.stage == Stage::Priority && matches!(run, Some(RuleRun::Unknown { .. }))
        });
    (score, tier, provisional, counted)
}

fn build(
    case: &ValidCase,
    policy: &Policy,
    o: &Outcomes<'_>,
    progress: Progress,
    province: Option<&str>,
    lang: crate::text::Lang,
) -> Recommendation {
    let mut findings = Vec::new();
    let mut fast_track = false;
    let mut approvals = Vec::new();
    let mut payment = None;
    let mut co_recipients = Vec::new();
    let mut referrals = Vec::new();
    let mut steps = Vec::new();
    let mut caps = Vec::new();
    let mut recommended = None;
    let mut wage_param_used = false;

    for (rule, run) in policy.rules.iter().zip(o.runs.iter()) {
        let Some(run) = run else { continue };
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
        if let RuleRun::Concluded {
            effects,
            conclusion: Conclusion::Met { .. } | Conclusion::NotMet { .. },
            ..
        } = run
        {
            for e in effects {
                match e {
                    Effect::FastTrack => fast_track = true,
                    Effect::Approval(code) => {
                        if let Some(a) = Approval::parse(code) {
                            approvals.push(a);
                        }
                    }
                    Effect::Referral { service, agency } => referrals.push(Referral {
                        service: service.clone(),
                        agency: agency.clone(),
                        agency_name: String::new(),
                        reason: reason.clone(),
                        rule: rule.id.clone(),
                    }),
                    Effect::Payment(m) => {
                        payment = Some(if m == "one_off" {
                            Payment::OneOff
                        } else {
                            Payment::SupervisedInstalments
                        })
                    }
                    Effect::CoRecipient(pointer) => {
                        let d = catalogue().value(&case.json, *pointer);
                        co_recipients.push(CoRecipient {
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
                        steps.push(Step {
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
                        caps.push(Cap {
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
                    Effect::Recommend(a) => recommended = Some(*a),
                }
            }
        }
        if rule.stage == Stage::Amount && params.iter().any(|p| &**p == "wage_base") {
            wage_param_used = true;
        }
        findings.push(Finding {
            rule: rule.id.clone(),
            title: rule.title.clone(),
            stage: rule.stage.as_str().to_string(),
            kind: rule.kind.as_str().to_string(),
            outcome,
            reason,
            basis: rule.basis.clone(),
            facts: reads.iter().map(|r| r.fact.pointer()).collect(),
            missing: missing.iter().map(|m| m.pointer()).collect(),
            params: params.iter().map(|p| p.to_string()).collect(),
            points,
            values,
        });
    }

    let decision = progress.decision;
    let priority = progress.priority.map(|(score, tier, provisional)| {
        let (_, _, _, counted) = priority_parts(o);
        let factors = findings
            .iter()
            .filter(|f| f.stage == "priority" && f.outcome == Outcome::Met)
            .filter_map(|f| {
                f.points.map(|points| ScoredFactor {
                    rule: f.rule.clone(),
                    kind: f.kind.clone(),
                    points,
                    counted: counted.get(&f.rule).copied().unwrap_or(0),
                    reason: f.reason.clone(),
                })
            })
            .collect();
        Priority {
            tier,
            score,
            provisional,
            factors,
        }
    });

    let amount = if decision == Decision::Assist {
        recommended.map(|a| {
            let wage_base = if wage_param_used {
                policy
                    .params
                    .resolve("wage_base", &case.case.decision_date, province)
                    .ok()
                    .map(|r| WageBase {
                        region: r.value.region.clone().unwrap_or_else(|| "national".into()),
                        year: r.value.year,
                        monthly: r.value.value.as_f64().unwrap_or(0.0),
                        estimate: r.estimate(),
                        basis: r.source,
                        carried_forward: r.carried_forward,
                        source: r.value.source.clone().unwrap_or_else(|| {
                            policy
                                .parameter("wage_base")
                                .map(|p| p.reference.clone())
                                .unwrap_or_default()
                        }),
                    })
            } else {
                None
            };
            let recommended = a.round() as i64;
            let months = wage_base
                .as_ref()
                .filter(|w| w.monthly > 0.0)
                .map(|w| round2(recommended as f64 / w.monthly));
            Amount {
                recommended,
                wage_base,
                months,
                steps,
                caps,
            }
        })
    } else {
        None
    };
    approvals.sort();
    approvals.dedup();
    if decision != Decision::Assist {
        approvals.clear();
        co_recipients.clear();
    }

    // Missing facts: each once, with the rules that need it.
    let mut missing: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (rule, run) in decision_relevant(o, decision) {
        for m in missing_of(run).iter().map(|m| m.pointer()) {
            if !missing.contains_key(&m) {
                order.push(m.clone());
            }
            let e = missing.entry(m).or_default();
            if !e.contains(&rule.id) {
                e.push(rule.id.clone());
            }
        }
    }
    let missing = order
        .into_iter()
        .map(|fact| {
            let needed_by = missing.remove(&fact).unwrap_or_default();
            Missing {
                fact,
                needed_by,
                why: String::new(),
            }
        })
        .collect();

    let estimates = estimates(policy, &findings, &case.case.decision_date, province);
    let mut rec = Recommendation {
        case_id: case.case.case_id.clone(),
        language: policy.primary_language(),
        decision,
        discretionary: decision == Decision::Assist && progress.discretionary,
        fast_track: decision != Decision::Decline && fast_track,
        priority,
        amount,
        approvals,
        payment: if decision == Decision::Assist {
            payment.or(Some(Payment::OneOff))
        } else {
            None
        },
        co_recipients,
        referrals,
        findings,
        missing,
        estimates,
        policy: PolicyId {
            name: policy.name.clone(),
            version: policy.version.clone(),
            digest: policy.digest.clone(),
        },
        case_digest: case_digest(&case.json),
        what_if: None,
    };
    crate::localise::localise(&mut rec, policy, lang);
    rec
}

/// The estimated values among the parameters the findings read (the wage base aside: the amount describes it).
fn estimates(
    policy: &Policy,
    findings: &[Finding],
    date: &str,
    province: Option<&str>,
) -> Vec<crate::recommendation::Estimate> {
    let mut names: Vec<&str> = findings
        .iter()
        .flat_map(|f| f.params.iter().map(String::as_str))
        .filter(|n| *n != "wage_base")
        .collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| {
            let r = policy.params.resolve(name, date, province).ok()?;
            // A statistical figure (one with a year) standing in for the province's own is an estimate; a
            // policy default given for the nation (no year) is not.
            let stands_in = r.source != crate::params::Source::Own && r.value.year.is_some();
            if !(r.value.estimate || r.carried_forward || stands_in) {
                return None;
            }
            let par = policy.parameter(name)?;
            Some(crate::recommendation::Estimate {
                parameter: name.to_string(),
                title: par.title.clone(),
                region: r.value.region.clone().unwrap_or_else(|| "national".into()),
                year: r.value.year,
                value: r.value.value.clone(),
                basis: r.source,
                carried_forward: r.carried_forward,
                scope: r
                    .value
                    .note
                    .as_deref()
                    .filter(|n| matches!(*n, "capital" | "tier1"))
                    .map(str::to_string),
                source: r
                    .value
                    .source
                    .clone()
                    .unwrap_or_else(|| par.reference.clone()),
            })
        })
        .collect()
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
