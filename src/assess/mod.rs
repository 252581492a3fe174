//! Assessing one case: run the policy's stages in order and turn the rules' conclusions into a recommendation of
//! codes and values. Called by `explain` (which then writes its texts in a language), the what-if exploration and
//! the tools; [`assess`] is the way in.
//!
//! The path of one case through this folder:
//!
//! 1. [`assess`] (here) installs the case in the engine's evaluation context and runs `stages.rs`: eligibility
//!    and exclusions, then `decision.rs` decides on the known facts. Each rule that stops on an unknown fact is
//!    first settled by `unknowns.rs`: if its conclusion is the same for every plausible value (`plausible.rs`)
//!    of the fact, it concludes, and the fact is listed as immaterial.
//! 2. When the decision is still open, `decision_search.rs` asks whether it is the same for every combination of
//!    the facts the undecided rules need; if so, that is the decision. Otherwise it is `needs_information`, and
//!    the facts listed as missing are those that could change it — those the undecided rules wait for, and those
//!    they read once another is established, or that the amount reads where an earlier payment may leave nothing
//!    due, each seen to change it (one that changes it only together with another may be named only once that
//!    other is answered): a case is never declined because something is unknown.
//! 3. The stages after the decision run: priority unless declined (`priority.rs`: score and tier), the amount
//!    when assisted, referrals always.
//! 4. For an assisted case whose priority or amount rules wait for facts, `readings.rs` reads the amount and tier
//!    of each combination of those facts (the range) and, when the amount needs it, the middle reading.
//! 5. Assistance is a payment: an assisted case whose amount comes to ¥0 (an earlier payment in the same case
//!    covers it) is declined, and one whose amount is ¥0 in only some readings of its unknown facts needs
//!    information, the facts that move the amount now able to change the decision (`amount.rs`, `Due`); the
//!    referrals run again on the new decision.
//! 6. The recommendation is built (here): `findings.rs` (one finding per rule, and the effects their conclusions
//!    gather), `amount.rs` (the amount, its wage base and range), the priority, `missing.rs` (each missing fact
//!    with what it could change; the estimates), the facts to confirm. Its texts stay empty until `explain`
//!    localises them.
//!
//! Every search over unknown facts (one rule's, the decision's, the range's) runs on one driver,
//! `unknowns::Search`, within [`unknowns::bounds`]. `outcomes.rs` reads the rules' results for all of them;
//! `error.rs` holds [`AssessError`].

mod amount;
mod decision;
mod decision_search;
mod error;
mod findings;
mod likely;
mod missing;
mod outcomes;
pub mod plausible;
mod priority;
mod readings;
mod stages;
pub mod unknowns;

use std::sync::Arc;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::assess::amount::Due;
pub use crate::assess::error::AssessError;
use crate::assess::findings::Gathered;
use crate::assess::outcomes::{recommended_amount, Outcomes};
use crate::assess::readings::Unsettled;
use crate::assess::stages::{Progress, Stages};
use crate::engine::{self, EvalCtx};
use crate::model::codes::{Change, Decision, Outcome, Payment, Stage, Tier};
use crate::model::facts::FactRef;
use crate::model::recommendation::{PolicyId, Priority, Recommendation, ScoredFactor};
use crate::policy::{hex, Policy};
use crate::validate::ValidCase;

/// `sha256:` digest of a case's canonical JSON (object keys sorted, no whitespace).
pub fn case_digest(json: &Value) -> String {
    // The compact JSON `serde_json::to_vec` writes (a `Value` always serialises), hashed as it is written.
    let mut h = Sha256::new();
    let _ = serde_json::to_writer(HashWriter(&mut h), json);
    format!("sha256:{}", hex(&h.finalize()))
}

/// Assesses a validated case on a policy: the decision and every conclusion as codes and values. Its texts are
/// empty until `explain::localise` writes them in a language ([`crate::explain::assess`] does both).
pub fn assess(case: &ValidCase, policy: &Policy) -> Result<Recommendation, AssessError> {
    let ran = run(case, policy)?;
    let unsettled = ran.unsettled();
    // 5: the recommendation.
    Ok(build(
        case,
        &ran.outcomes(policy),
        ran.progress,
        (ran.due, ran.nothing_due),
        unsettled,
        &ran.further,
    ))
}

/// The outcome of [`assess`] alone — the decision, the tier and the amount recommended — without building the
/// recommendation: what a search over changed cases compares (`explain::whatif`). The same as [`assess`]'s, which
/// `tests/whatif.rs` checks over the example and generated cases.
pub fn outcome(
    case: &ValidCase,
    policy: &Policy,
) -> Result<(Decision, Option<Tier>, Option<i64>), AssessError> {
    let ran = run(case, policy)?;
    let decision = ran.progress.decision;
    let amount = if decision == Decision::Assist || ran.due == Due::Nothing {
        let likely = ran.likely.as_ref().map(|(_, runs)| runs.as_slice());
        findings::recommended(&ran.outcomes(policy), likely).map(|a| a.round() as i64)
    } else {
        None
    };
    Ok((decision, ran.progress.priority.map(|p| p.1), amount))
}

/// What running the stages and the searches left: the rule results, where the stages got to, what the unknowns
/// leave open, whether anything is due, and the further facts an open decision names.
struct Ran {
    ctx: EvalCtx,
    date: jiff::civil::Date,
    province: Option<String>,
    progress: Progress,
    spread: Option<readings::Spread>,
    likely: Option<(unknowns::Assign, Vec<Option<Arc<engine::RuleRun>>>)>,
    due: Due,
    nothing_due: bool,
    further: Vec<(FactRef, Vec<String>)>,
}

impl Ran {
    fn unsettled(&self) -> Unsettled<'_> {
        Unsettled {
            spread: self.spread.as_ref(),
            likely: self.likely.as_ref(),
        }
    }

    fn outcomes<'a>(&'a self, policy: &'a Policy) -> Outcomes<'a> {
        Outcomes {
            policy,
            runs: &self.ctx.runs,
            date: self.date,
            province: self.province.as_deref(),
        }
    }
}

/// Steps 1-4 of [`assess`]: the stages and the searches over unknown facts.
fn run(case: &ValidCase, policy: &Policy) -> Result<Ran, AssessError> {
    let province = case
        .case
        .jurisdiction
        .as_ref()
        .and_then(|j| j.province)
        .map(|p| p.as_str().to_string());
    let ctx = EvalCtx::new(
        Arc::clone(&case.json),
        Arc::clone(&policy.params),
        case.case.decision_date,
        province.clone(),
        Arc::clone(&policy.rule_index),
        Arc::clone(&policy.stages),
        Some(policy.memo),
    );
    let date = case.case.decision_date;
    let Some((result, ctx)) = engine::with_case(ctx, || {
        let mut stages = Stages::new(policy, date, province.as_deref());
        // 1-2: the decision, on the known facts, else over the plausible values of the unknown ones.
        let mut decided = stages.run_decision()?;
        // When the decision stays open: the further facts seen to change it.
        let mut further = Vec::new();
        if decided.0 == Decision::NeedsInformation {
            match decision_search::settle_decision(&mut stages) {
                decision_search::Settled::Decided(d, discretionary) => decided = (d, discretionary),
                decision_search::Settled::Open(facts) => further = facts,
            }
        }
        // Declined over the unknowns, some readings because nothing would be due in them.
        let searched_nothing_due = decided.0 == Decision::Decline && stages.nothing_due_seen;
        // 3: priority, amount, referrals.
        let progress = stages.weighing_presumptions(|s| s.run_after(decided))?;
        // 4: what the unknowns leave open: the range, and the middle reading when the amount needs it.
        let spread = if progress.decision == Decision::Assist {
            readings::spread(&mut stages, progress.discretionary)
        } else {
            None
        };
        let known = engine::inspect_runs(|runs| recommended_amount(&stages.outcomes(runs)));
        let likely = match &spread {
            Some(sp) if known.is_none() => {
                stages.weighing_presumptions(|s| likely::likely(s, &progress, sp))
            }
            _ => None,
        };
        // An assisted case whose amount comes to ¥0 is given nothing: declined, or open when only some readings
        // of its unknown facts come to ¥0. The referrals, which may read the decision, are run again on it.
        let mut progress = progress;
        let mut due = if progress.decision == Decision::Assist {
            amount::due(
                known,
                &Unsettled {
                    spread: spread.as_ref(),
                    likely: likely.as_ref(),
                },
                // A policy without amount rules recommends no amount whatever the facts: an earlier payment
                // leaves nothing open then (the decision waited for facts none of which could settle it).
                earlier_payment(case) == Some(true)
                    && policy.rules.iter().any(|r| r.stage == Stage::Amount),
                // Only an earlier payment in this case can bring a payment to ¥0 (a deduction that a reading may
                // make as large as the whole amount): where the case rules one out, no reading left out can.
                earlier_payment(case) != Some(false),
            )
        } else {
            Due::Payment
        };
        // Only ¥0 seen, or no ¥0 seen, but the range left readings out: search those facts as the decision is
        // searched. Nothing is due only if every reading comes to ¥0; a payment is open once one reading comes to
        // ¥0 (an earlier payment of an unknown amount in this case may cover it all) and left as it is otherwise.
        if matches!(due, Due::ZeroSoFar | Due::PaymentSoFar) {
            let found = decision_search::due_readings(&mut stages);
            due = match due {
                Due::ZeroSoFar if found.settled && found.nothing && !found.payment => Due::Nothing,
                Due::ZeroSoFar => Due::Open,
                _ if found.nothing => {
                    further.extend(found.further);
                    Due::Open
                }
                _ => Due::Payment,
            };
        }
        match due {
            Due::Nothing => stages.redecide(&mut progress, Decision::Decline)?,
            Due::Open => stages.redecide(&mut progress, Decision::NeedsInformation)?,
            Due::Payment | Due::ZeroSoFar | Due::PaymentSoFar => {}
        }
        let nothing_due = due == Due::Nothing || searched_nothing_due;
        Ok::<_, AssessError>((progress, spread, likely, due, nothing_due, further))
    }) else {
        return Err(AssessError::Internal {
            message: "the evaluation context was lost".into(),
        });
    };
    let (progress, spread, likely, due, nothing_due, further) = result?;
    if ctx.out_of_time {
        return Err(AssessError::OutOfTime {
            seconds: unknowns::bounds::CASE_TIME.as_secs(),
        });
    }
    Ok(Ran {
        ctx,
        date,
        province,
        progress,
        spread,
        likely,
        due,
        nothing_due,
        further,
    })
}

/// The recommendation from the rules' results `o`, where the stages got to, and what unknowns leave open.
fn build(
    case: &ValidCase,
    o: &Outcomes<'_>,
    progress: Progress,
    (due, nothing_due): (Due, bool),
    unsettled: Unsettled<'_>,
    further: &[(FactRef, Vec<String>)],
) -> Recommendation {
    let policy = o.policy;
    let decision = progress.decision;
    let mut g = findings::gather(
        case,
        o,
        decision,
        unsettled.likely.map(|(_, runs)| runs.as_slice()),
    );
    // An amount of the range may rest on a presumption that the middle reading's does not make (the victim's own
    // fault, presumed none, where the range reads the victim as another person): it is confirmed all the same.
    if let Some(spread) = unsettled.spread {
        // Each reading of the range weighed its presumptions: those listed here move some amount of the range.
        for (rule, fact, value) in &spread.presumed {
            g.confirm(*fact, value, rule);
        }
    }
    let priority = progress.priority.map(|p| priority_of(o, p, &g, &unsettled));
    // A case declined because nothing is due keeps its amount's arithmetic: it is the reason.
    let amount = if decision == Decision::Assist || due == Due::Nothing {
        amount::amount(
            policy,
            case.case.decision_date,
            o.province,
            &mut g,
            &unsettled,
        )
    } else {
        None
    };
    g.approvals.sort();
    g.approvals.dedup();
    if decision != Decision::Assist {
        g.approvals.clear();
        g.co_recipients.clear();
    }

    // Missing facts: each once, with the rules that need it and what it could change.
    let mut missing = missing::missing_facts(o, decision, unsettled.spread);
    if due == Due::Open {
        // Whatever moves the amount decides whether anything is due.
        for m in missing
            .iter_mut()
            .filter(|m| m.changes.contains(&Change::Amount))
        {
            m.changes.push(Change::Decision);
            m.changes.sort_unstable();
            m.changes.dedup();
        }
    }
    if decision == Decision::NeedsInformation {
        // Facts the undecided rules will read once others are established, or that decide whether anything is due
        // after an earlier payment, seen to change the decision: the rules that list the others do not list them.
        missing::add_changes(&mut missing, further, Change::Decision);
    }
    if decision == Decision::Decline {
        g.to_confirm.clear();
        // A declined case has no priority; of the amount stage, only the rule whose arithmetic shows that nothing
        // is due (as for any declined case, the other rules of these stages did not run or do not apply).
        let amount_rules: Vec<&str> = amount
            .iter()
            .flat_map(|a| a.steps.iter().map(|s| s.rule.as_str()))
            .collect();
        g.findings.retain(|f| match f.stage {
            Stage::Priority => false,
            Stage::Amount => amount_rules.contains(&f.rule.as_str()),
            _ => true,
        });
    }

    let estimates = missing::estimates(policy, &g.findings, case.case.decision_date, o.province);
    Recommendation {
        case_id: case.case.case_id.clone(),
        decision_date: Some(case.case.decision_date),
        province: case.case.jurisdiction.as_ref().and_then(|j| j.province),
        language: policy.primary_language(),
        decision,
        discretionary: decision == Decision::Assist && progress.discretionary,
        fast_track: decision != Decision::Decline && g.fast_track,
        nothing_due: decision == Decision::Decline && nothing_due,
        priority,
        amount,
        approvals: g.approvals,
        payment: if decision == Decision::Assist {
            g.payment.or(Some(Payment::OneOff))
        } else {
            None
        },
        co_recipients: g.co_recipients,
        referrals: g.referrals,
        findings: g.findings,
        missing,
        to_confirm: g.to_confirm,
        estimates,
        policy: PolicyId {
            name: policy.name.clone(),
            version: policy.version.clone(),
            digest: policy.digest.clone(),
        },
        case_digest: case_digest(&case.json),
        what_if: None,
    }
}

/// The priority: score, tier, whether provisional, the tiers some reading of the unknowns reaches, and the points
/// each met priority rule gave and counted for.
fn priority_of(
    o: &Outcomes<'_>,
    (score, tier, provisional): (i64, Tier, bool),
    g: &Gathered,
    unsettled: &Unsettled<'_>,
) -> Priority {
    let (_, _, _, counted) = priority::priority_parts(o);
    let factors = g
        .findings
        .iter()
        .filter(|f| f.stage == Stage::Priority && f.outcome == Outcome::Met)
        .filter_map(|f| {
            f.points.map(|points| ScoredFactor {
                rule: f.rule.clone(),
                kind: f.kind,
                points,
                counted: counted.get(&f.rule).copied().unwrap_or(0),
                reason: f.reason.clone(),
            })
        })
        .collect();
    // The tiers some reading of the unknowns reaches.
    let mut tiers: Vec<Tier> = match unsettled.spread {
        Some(sp) if provisional => {
            let mut t: Vec<Tier> = sp.leaves.iter().map(|l| l.2).collect();
            if sp.open || t.is_empty() {
                t.push(tier);
            }
            t
        }
        _ => Vec::new(),
    };
    tiers.sort_unstable();
    tiers.dedup();
    Priority {
        tier,
        score,
        provisional,
        tiers,
        factors,
    }
}

/// Feeds what is written to a hash.
struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What the case's record of earlier assistance says of a payment already made in this case: `None` without such
/// a record; `Some(true)` when it records one (or may: whether it was the same case, or how much, is unknown);
/// `Some(false)` when it rules one out (another case, or ¥0).
fn earlier_payment(case: &ValidCase) -> Option<bool> {
    case.case
        .prior_assistance
        .as_ref()
        .map(|p| p.same_case != Some(false) && p.amount.is_none_or(|a| a > 0.0))
}
