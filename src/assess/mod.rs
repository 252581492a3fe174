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

pub mod unknowns;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::engine::{self, Conclusion, Effect, EvalCtx, RuleRun};
use crate::model::codes::*;
use crate::model::codes::{RuleKind, Stage};
use crate::model::facts::{catalogue, FactRef};
use crate::model::params::Lookup;
use crate::model::recommendation::*;
use crate::policy::{hex, Policy, Rule};
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
    date: jiff::civil::Date,
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
/// Whether a fact is a yes/no or a choice. A condition's default for one of those (an unknown household registration
/// read as urban, which picks the minimum living line and so the hardship grade) is a reading the amount range must
/// include. Defaults an amount or priority rule declares (`victim_fault.if_unknown("none")`, the court-award cap
/// applied only to a known loss) are the policy's deliberate choices and are not searched; nor are defaults for
/// sums, where trying every sum would only say that a ¥1 loss caps the award at ¥1.
fn is_choice(fact: FactRef) -> bool {
    crate::model::facts::catalogue()
        .node(fact.node as usize)
        .is_some_and(|n| {
            matches!(
                n.ty,
                crate::model::facts::FactType::Boolean
                    | crate::model::facts::FactType::String { .. }
            )
        })
}

/// Unknown facts a concluded rule went on without (`known`, `if_unknown`).
fn defaulted_of(run: &RuleRun) -> &[FactRef] {
    match run {
        RuleRun::Concluded { defaulted, .. } => defaulted,
        RuleRun::Unknown { .. } => &[],
    }
}

fn missing_of(run: &RuleRun) -> &[FactRef] {
    match run {
        RuleRun::Unknown { missing, .. } => missing,
        RuleRun::Concluded { .. } => &[],
    }
}

/// Assesses a validated case on a policy: the decision and every conclusion as codes and values. Its texts are
/// empty until `explain::localise` writes them in a language ([`crate::explain::assess`] does both).
pub fn assess(case: &ValidCase, policy: &Policy) -> Result<Recommendation, AssessError> {
    let province = case
        .case
        .jurisdiction
        .as_ref()
        .and_then(|j| j.province)
        .map(|p| p.as_str().to_string());
    let ctx = EvalCtx {
        case: Arc::clone(&case.json),
        params: Arc::clone(&policy.params),
        date: case.case.decision_date,
        province: province.clone(),
        rule_ids: Arc::new(policy.rule_index.clone()),
        stages: policy.rules.iter().map(|r| r.stage).collect(),
        runs: vec![None; policy.rules.len()],
        decision: None,
        tier: None,
        score: None,
        overrides: Vec::new(),
        ops_total: 0,
        started: std::time::Instant::now(),
        current: Default::default(),
    };
    let date = case.case.decision_date;
    let Some((result, ctx)) = engine::with_case(ctx, || {
        let mut stages = Stages::new(policy, date, province.as_deref());
        let progress = stages.run(true)?;
        let spread = if progress.decision == Decision::Assist {
            stages.spread(progress.discretionary)?
        } else {
            None
        };
        // When the amount cannot be computed on the known facts: the middle reading's amount rules.
        let amount_known =
            engine::inspect_runs(|runs| recommended_amount(&stages.outcomes(runs)).is_some());
        let likely = match &spread {
            Some(sp) if !amount_known => match middle_reading(sp) {
                Some(assign) => {
                    let actual = engine::with_eval_ctx(|c| c.runs.clone()).unwrap_or_default();
                    stages.prepare(&[], &assign);
                    stages.settled = Some((progress.decision, progress.discretionary));
                    let ran = stages.run(true);
                    stages.settled = None;
                    let runs = engine::with_eval_ctx(|c| {
                        c.overrides.clear();
                        std::mem::replace(&mut c.runs, actual)
                    })
                    .unwrap_or_default();
                    engine::set_progress(
                        Some(progress.decision.as_str()),
                        progress.priority.map(|p| p.1.as_str()),
                        progress.priority.map(|p| p.0),
                    );
                    ran.ok().map(|_| (assign, runs))
                }
                None => None,
            },
            _ => None,
        };
        Ok::<_, AssessError>((progress, spread, likely))
    }) else {
        return Err(AssessError::Internal {
            message: "the evaluation context was lost".into(),
        });
    };
    let (progress, spread, likely) = result?;
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
        Unsettled {
            spread: spread.as_ref(),
            likely: likely.as_ref(),
        },
        province.as_deref(),
    ))
}

/// What unknowns leave open once the decision is settled.
struct Unsettled<'a> {
    spread: Option<&'a Spread>,
    /// The middle reading's facts and rule results, when the amount needs it.
    likely: Option<&'a (Assign, Vec<Option<RuleRun>>)>,
}

/// The facts of the middle reading by amount (the lower middle of an even number of readings).
fn middle_reading(spread: &Spread) -> Option<Vec<(FactRef, Value)>> {
    let mut with_amount: Vec<&Reading> = spread.leaves.iter().filter(|l| l.1.is_some()).collect();
    with_amount.sort_by_key(|l| l.1);
    let n = with_amount.len();
    if n == 0 {
        return None;
    }
    with_amount.get((n - 1) / 2).map(|l| l.0.clone())
}

#[derive(Debug, Clone, Copy)]
struct Progress {
    decision: Decision,
    discretionary: bool,
    priority: Option<(i64, Tier, bool)>,
}

/// Values put in place of unknown facts.
type Assign = Vec<(FactRef, Value)>;

/// One reading of the unknowns: the values put in place, the amount recommended, the tier and the score.
type Reading = (Assign, Option<i64>, Tier, i64);

/// What unknowns could still move once the decision is settled: the amount's range and the tiers reachable,
/// over the plausible values of the facts that the undecided priority and amount rules need.
#[derive(Debug, Default)]
struct Spread {
    /// Each reading: the facts put in place, the amount recommended, the tier and the score.
    leaves: Vec<Reading>,
    /// The bounds were reached before every reading was tried: the range is open.
    open: bool,
    /// Facts whose values were seen to move the amount.
    moves_amount: Vec<FactRef>,
    /// Facts whose values were seen to move the tier.
    moves_tier: Vec<FactRef>,
}

/// Runs the policy's stages for the case installed in the evaluation context.
struct Stages<'p> {
    policy: &'p Policy,
    date: jiff::civil::Date,
    province: Option<&'p str>,
    scope: rhai::Scope<'static>,
    scenarios: usize,
    /// Defaulted facts that, varied alone, moved nothing: the amount and tier search leaves them out.
    spread_dropped: Vec<FactRef>,
    /// While the amount and tier search runs, the decision already settled for every reading: a reading whose
    /// eligibility and exclusions leave it open takes it (instead of searching the decision again in each reading).
    settled: Option<(Decision, bool)>,
}

fn rule_error(rule: &Rule, f: engine::RuleFailure) -> AssessError {
    AssessError::Rule {
        rule: rule.id.clone(),
        file: rule.file.clone(),
        line: f.line,
        column: f.column,
        message: f.message,
    }
}

impl<'p> Stages<'p> {
    fn new(policy: &'p Policy, date: jiff::civil::Date, province: Option<&'p str>) -> Self {
        Stages {
            policy,
            date,
            province,
            scope: engine::base_scope(),
            scenarios: 0,
            spread_dropped: Vec::new(),
            settled: None,
        }
    }

    fn outcomes<'a>(&self, runs: &'a [Option<RuleRun>]) -> Outcomes<'a>
    where
        'p: 'a,
    {
        Outcomes {
            policy: self.policy,
            runs,
            date: self.date,
            province: self.province,
        }
    }

    /// Runs one rule; if it stops on an unknown, asks whether the unknown matters to its conclusion.
    fn run_rule(&mut self, i: usize, rule: &Rule) -> Result<(), AssessError> {
        self.policy
            .sandbox
            .run_rule(i, &rule.ast, &mut self.scope)
            .map_err(|f| rule_error(rule, f))?;
        let unknown =
            engine::inspect_runs(|runs| matches!(runs.get(i), Some(Some(RuleRun::Unknown { .. }))));
        if unknown {
            crate::assess::unknowns::settle_rule(
                self.policy,
                i,
                &mut self.scope,
                self.date,
                self.province,
            );
        }
        Ok(())
    }

    fn run_stage(&mut self, stage: Stage) -> Result<(), AssessError> {
        let policy = self.policy;
        for (i, rule) in policy
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.stage == stage)
        {
            self.run_rule(i, rule)?;
        }
        Ok(())
    }

    /// Runs every stage. `settle` asks, when eligibility and exclusions leave the decision open, whether it is
    /// the same for every combination of the unknowns they need.
    fn run(&mut self, settle: bool) -> Result<Progress, AssessError> {
        let mut progress = Progress {
            decision: Decision::NeedsInformation,
            discretionary: false,
            priority: None,
        };
        engine::set_progress(None, None, None);
        for stage in Stage::ALL {
            let runs_stage = match stage {
                Stage::Eligibility | Stage::Exclusions | Stage::Referrals => true,
                Stage::Priority => progress.decision != Decision::Decline,
                Stage::Amount => progress.decision == Decision::Assist,
            };
            if runs_stage {
                self.run_stage(stage)?;
            }
            match stage {
                Stage::Exclusions => {
                    let (mut d, mut disc) = with_runs(|runs| decide(&self.outcomes(runs)))
                        .unwrap_or((Decision::NeedsInformation, false));
                    if d == Decision::NeedsInformation {
                        if let Some(known) = self.settled {
                            (d, disc) = known;
                        } else if settle {
                            if let Some((sd, sdisc)) = self.settle_decision()? {
                                (d, disc) = (sd, sdisc);
                            }
                        }
                    }
                    progress.decision = d;
                    progress.discretionary = disc;
                }
                Stage::Priority if progress.decision != Decision::Decline => {
                    progress.priority = with_runs(|runs| {
                        let (score, tier, provisional, _) = priority_parts(&self.outcomes(runs));
                        (score, tier, provisional)
                    });
                }
                _ => {}
            }
            engine::set_progress(
                (stage >= Stage::Exclusions).then_some(progress.decision.as_str()),
                progress.priority.map(|p| p.1.as_str()),
                progress.priority.map(|p| p.0),
            );
        }
        Ok(progress)
    }

    /// Puts `assign` in place of unknown facts (over `base`) and clears every rule's result.
    fn prepare(&self, base: &[(FactRef, Value)], assign: &[(FactRef, Value)]) {
        let mut overrides = base.to_vec();
        overrides.extend(assign.iter().cloned());
        engine::with_eval_ctx(|c| {
            c.overrides = overrides;
            c.runs.iter_mut().for_each(|r| *r = None);
        });
    }

    /// The numbers the rules of `stages` can distinguish (for the plausible values of an unknown sum or count).
    fn numbers(&self, stages: &[Stage]) -> Vec<f64> {
        let mut out = Vec::new();
        let params = engine::inspect_runs(|runs| {
            runs.iter()
                .flatten()
                .flat_map(|r| match r {
                    RuleRun::Concluded { params, .. } | RuleRun::Unknown { params, .. } => {
                        params.clone()
                    }
                })
                .collect::<Vec<_>>()
        });
        for rule in self
            .policy
            .rules
            .iter()
            .filter(|r| stages.contains(&r.stage))
        {
            out.extend(crate::assess::unknowns::numbers_in(&rule.ast));
        }
        out.extend(crate::assess::unknowns::numbers_of_params(
            self.policy,
            &params,
            self.date,
            self.province,
        ));
        out
    }

    /// The decision when each undecided eligibility and exclusion rule may reach only the outcomes its own unknown
    /// facts allow (each rule searched alone: sound, though it ignores facts shared between rules).
    fn decide_by_outcomes(&mut self) -> (Decision, bool) {
        let undecided: Vec<usize> = with_runs(|runs| {
            let o = self.outcomes(runs);
            decision_relevant(&o, Decision::NeedsInformation)
                .into_iter()
                .filter_map(|(r, _)| o.policy.rule_index.get(&r.id).copied())
                .collect()
        })
        .unwrap_or_default();
        let mut sets: BTreeMap<usize, (bool, bool)> = BTreeMap::new();
        for i in undecided {
            let set = crate::assess::unknowns::possible_outcomes(
                self.policy,
                i,
                &mut self.scope,
                self.date,
                self.province,
            );
            sets.insert(i, set);
        }
        let policy = self.policy;
        with_runs(|runs| {
            decide_with(&self.outcomes(runs), &|rule, run| {
                policy
                    .rule_index
                    .get(&rule.id)
                    .and_then(|i| sets.get(i))
                    .copied()
                    .unwrap_or_else(|| sure(run))
            })
        })
        .unwrap_or((Decision::NeedsInformation, false))
    }

    /// Whether the decision is the same for every combination of the plausible values of the facts the undecided
    /// eligibility and exclusion rules need (within the bounds); if so, that decision, and whether any reading
    /// rests on the catch-all only.
    fn settle_decision(&mut self) -> Result<Option<(Decision, bool)>, AssessError> {
        let saved = engine::with_eval_ctx(|c| (c.runs.clone(), c.overrides.clone()));
        let Some((runs, base)) = saved else {
            return Ok(None);
        };
        let by_outcomes = self.decide_by_outcomes();
        if by_outcomes.0 != Decision::NeedsInformation {
            return Ok(Some(by_outcomes));
        }
        let first = engine::inspect_runs(|runs| relevant_missing(&self.outcomes(runs)));
        let numbers = self.numbers(&[Stage::Eligibility, Stage::Exclusions]);
        let mut seen: Option<Decision> = None;
        let mut discretionary = false;
        let mut count = 0;
        let settled = self.explore_decision(
            &first,
            &mut Vec::new(),
            &base,
            &numbers,
            &mut count,
            &mut seen,
            &mut discretionary,
        )?;
        engine::with_eval_ctx(|c| {
            c.runs = runs;
            c.overrides = base;
        });
        Ok(match (settled, seen) {
            (true, Some(d)) => Some((d, d == Decision::Assist && discretionary)),
            _ => None,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn explore_decision(
        &mut self,
        missing: &[FactRef],
        assign: &mut Vec<(FactRef, Value)>,
        base: &[(FactRef, Value)],
        numbers: &[f64],
        count: &mut usize,
        seen: &mut Option<Decision>,
        discretionary: &mut bool,
    ) -> Result<bool, AssessError> {
        if assign.len() >= crate::assess::unknowns::bounds::DECISION_FACTS {
            return Ok(false);
        }
        let Some(&fact) = missing
            .iter()
            .find(|f| !assign.iter().any(|(a, _)| a == *f))
        else {
            return Ok(false);
        };
        if !crate::assess::unknowns::enumerable(fact) {
            return Ok(false);
        }
        for value in crate::assess::unknowns::plausible(fact, numbers) {
            *count += 1;
            if *count > crate::assess::unknowns::bounds::DECISION_SCENARIOS
                || crate::assess::unknowns::exhausted()
            {
                return Ok(false);
            }
            assign.push((fact, value));
            self.prepare(base, assign);
            // A rule that fails for a value the case does not have leaves the decision open; it does not fail the case.
            let ran = self
                .run_stage(Stage::Eligibility)
                .and_then(|()| self.run_stage(Stage::Exclusions));
            let ok = match ran {
                Err(_) => false,
                Ok(()) => {
                    let (d, disc, next) = with_runs(|runs| {
                        let o = self.outcomes(runs);
                        let (d, disc) = decide(&o);
                        (d, disc, relevant_missing(&o))
                    })
                    .unwrap_or((
                        Decision::NeedsInformation,
                        false,
                        Vec::new(),
                    ));
                    let (d, disc) = if d == Decision::NeedsInformation {
                        self.decide_by_outcomes()
                    } else {
                        (d, disc)
                    };
                    match d {
                        Decision::NeedsInformation => self.explore_decision(
                            &next,
                            assign,
                            base,
                            numbers,
                            count,
                            seen,
                            discretionary,
                        )?,
                        d => {
                            *discretionary |= disc;
                            match seen {
                                None => {
                                    *seen = Some(d);
                                    true
                                }
                                Some(s) => *s == d,
                            }
                        }
                    }
                }
            };
            assign.pop();
            if !ok {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// For an assisted case whose priority or amount rules wait for facts: the amount and tier of every reading of
    /// those facts (within the bounds).
    fn spread(&mut self, discretionary: bool) -> Result<Option<Spread>, AssessError> {
        let first: Vec<FactRef> =
            engine::inspect_runs(|runs| shaping_missing(&self.outcomes(runs)));
        if first.is_empty() {
            return Ok(None);
        }
        self.settled = Some((Decision::Assist, discretionary));
        let spread = self.spread_readings(first);
        self.settled = None;
        spread
    }

    fn spread_readings(&mut self, first: Vec<FactRef>) -> Result<Option<Spread>, AssessError> {
        let saved = engine::with_eval_ctx(|c| {
            (
                c.runs.clone(),
                c.overrides.clone(),
                (c.decision, c.tier, c.score),
            )
        });
        let Some((runs, base, progress)) = saved else {
            return Ok(None);
        };
        // The grid of round figures alone: a range needs its ends, not every threshold.
        let numbers: Vec<f64> = Vec::new();
        // A fact a rule merely went on without (`known`, `if_unknown`) is combined with the others only if, varied
        // alone, it moves the amount or the tier: most such defaults (a missing certificate) do not.
        let undecided: Vec<FactRef> = engine::inspect_runs(|runs| {
            runs.iter()
                .flatten()
                .flat_map(|r| missing_of(r).to_vec())
                .collect()
        });
        let mut kept = Vec::new();
        let mut dropped = Vec::new();
        let mut probes = 0;
        for &fact in &first {
            if undecided.contains(&fact) || !crate::assess::unknowns::enumerable(fact) {
                kept.push(fact);
                continue;
            }
            let mut seen: Vec<(Option<i64>, Tier)> = Vec::new();
            for value in crate::assess::unknowns::plausible(fact, &numbers) {
                probes += 1;
                if probes > crate::assess::unknowns::bounds::SPREAD_SCENARIOS
                    || crate::assess::unknowns::exhausted()
                {
                    seen.push((None, Tier::C));
                    seen.push((Some(-1), Tier::A));
                    break;
                }
                self.prepare(&base, &[(fact, value)]);
                if let Ok(p) = self.run(true) {
                    if p.decision == Decision::Assist {
                        let amount =
                            engine::inspect_runs(|runs| recommended_amount(&self.outcomes(runs)));
                        let tier = p.priority.map(|p| p.1).unwrap_or(Tier::C);
                        if !seen.contains(&(amount, tier)) {
                            seen.push((amount, tier));
                        }
                    }
                }
                if seen.len() > 1 {
                    break;
                }
            }
            if seen.len() > 1 {
                kept.push(fact);
            } else {
                dropped.push(fact);
            }
        }
        self.spread_dropped = dropped;
        let mut spread = Spread::default();
        self.scenarios = 0;
        if !kept.is_empty() {
            self.explore_spread(&kept, &mut Vec::new(), &base, &numbers, &mut spread)?;
        }
        self.spread_dropped.clear();
        engine::with_eval_ctx(|c| {
            c.runs = runs;
            c.overrides = base;
            (c.decision, c.tier, c.score) = progress;
        });
        Ok(Some(spread))
    }

    /// Explores the readings below `assign`; returns the amounts and tiers reached (for telling which fact moves
    /// which).
    fn explore_spread(
        &mut self,
        missing: &[FactRef],
        assign: &mut Vec<(FactRef, Value)>,
        base: &[(FactRef, Value)],
        numbers: &[f64],
        spread: &mut Spread,
    ) -> Result<(Vec<Option<i64>>, Vec<Tier>), AssessError> {
        let mut amounts = Vec::new();
        let mut tiers = Vec::new();
        let fact = missing
            .iter()
            .find(|f| !assign.iter().any(|(a, _)| a == *f))
            .copied();
        let Some(fact) = fact.filter(|&f| {
            crate::assess::unknowns::enumerable(f)
                && assign.len() < crate::assess::unknowns::bounds::SPREAD_FACTS
        }) else {
            spread.open = true;
            return Ok((amounts, tiers));
        };
        let mut children: Vec<(Vec<Option<i64>>, Vec<Tier>)> = Vec::new();
        for value in crate::assess::unknowns::plausible(fact, numbers) {
            if self.scenarios >= crate::assess::unknowns::bounds::SPREAD_SCENARIOS
                || crate::assess::unknowns::exhausted()
            {
                spread.open = true;
                break;
            }
            self.scenarios += 1;
            assign.push((fact, value));
            self.prepare(base, assign);
            let child = match self.run(true) {
                // A reading in which the case is not assisted is not one of this decision's readings.
                Ok(p) if p.decision == Decision::Assist => {
                    let (mut next, amount) = engine::inspect_runs(|runs| {
                        let o = self.outcomes(runs);
                        (shaping_missing(&o), recommended_amount(&o))
                    });
                    next.retain(|f| !self.spread_dropped.contains(f));
                    if next.is_empty() {
                        let (score, tier) = p.priority.map(|p| (p.0, p.1)).unwrap_or((0, Tier::C));
                        spread.leaves.push((assign.clone(), amount, tier, score));
                        (vec![amount], vec![tier])
                    } else {
                        self.explore_spread(&next, assign, base, numbers, spread)?
                    }
                }
                Ok(_) => (Vec::new(), Vec::new()),
                Err(_) => {
                    spread.open = true;
                    (Vec::new(), Vec::new())
                }
            };
            assign.pop();
            children.push(child);
        }
        let mut sets: Vec<(Vec<Option<i64>>, Vec<Tier>)> = children
            .into_iter()
            .filter(|(a, _)| !a.is_empty())
            .map(|(mut a, mut t)| {
                a.sort_unstable();
                a.dedup();
                t.sort_unstable();
                t.dedup();
                (a, t)
            })
            .collect();
        if sets
            .windows(2)
            .any(|w| w.first().map(|x| &x.0) != w.get(1).map(|x| &x.0))
            && !spread.moves_amount.contains(&fact)
        {
            spread.moves_amount.push(fact);
        }
        if sets
            .windows(2)
            .any(|w| w.first().map(|x| &x.1) != w.get(1).map(|x| &x.1))
            && !spread.moves_tier.contains(&fact)
        {
            spread.moves_tier.push(fact);
        }
        for (a, t) in sets.drain(..) {
            amounts.extend(a);
            tiers.extend(t);
        }
        Ok((amounts, tiers))
    }
}

/// Lends the rule results so far to `f`; `None` when no case is installed.
fn with_runs<R>(f: impl FnOnce(&[Option<RuleRun>]) -> R) -> Option<R> {
    engine::with_eval_ctx(|c| f(&c.runs))
}

/// The facts of the undecided rules that could change the decision.
fn relevant_missing(o: &Outcomes<'_>) -> Vec<FactRef> {
    let mut out: Vec<(FactRef, usize)> = Vec::new();
    for (_, run) in decision_relevant(o, Decision::NeedsInformation) {
        for &f in missing_of(run) {
            match out.iter_mut().find(|(x, _)| *x == f) {
                Some((_, n)) => *n += 1,
                None => out.push((f, 1)),
            }
        }
    }
    // The fact most undecided rules wait for first: the search then settles most with fewest readings.
    out.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    out.into_iter().map(|(f, _)| f).collect()
}

/// The facts of the undecided priority and amount rules. An undecided priority rule can only add points (points
/// are never negative), so once the known facts reach the top tier, no priority fact can change the tier, nor the
/// amount, which reads the tier.
fn shaping_missing(o: &Outcomes<'_>) -> Vec<FactRef> {
    let top = top_tier(o);
    let mut out: Vec<FactRef> = Vec::new();
    for (rule, run) in o.policy.rules.iter().zip(o.runs.iter()) {
        // A condition that went on without a fact (the hardship grade with an unknown household registration) may
        // still move the amount: its defaulted facts are searched, while its unknowns belong to the decision.
        if matches!(rule.stage, Stage::Eligibility | Stage::Exclusions) {
            if let Some(run) = run {
                for &f in defaulted_of(run).iter().filter(|f| is_choice(**f)) {
                    if !out.contains(&f) {
                        out.push(f);
                    }
                }
            }
            continue;
        }
        if !matches!(rule.stage, Stage::Priority | Stage::Amount)
            || (top && rule.stage == Stage::Priority)
        {
            continue;
        }
        // A fact the rule went on without may still move the amount or the tier (the court-award cap applied only
        // when the loss is known): it is searched too.
        if let Some(run) = run {
            for &f in missing_of(run) {
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
    }
    out
}

/// Whether the known facts already reach tier A with no negative points.
fn top_tier(o: &Outcomes<'_>) -> bool {
    let no_negative = o
        .of(Stage::Priority, RuleKind::Group)
        .chain(o.of(Stage::Priority, RuleKind::Factor))
        .all(|(_, r)| points_of(r).is_none_or(|p| p >= 0));
    no_negative && priority_parts(o).1 == Tier::A
}

/// The amount the amount rules recommend, rounded to the yuan.
fn recommended_amount(o: &Outcomes<'_>) -> Option<i64> {
    o.of(Stage::Amount, RuleKind::Amount)
        .find_map(|(_, r)| match r {
            RuleRun::Concluded { effects, .. } => effects.iter().find_map(|e| match e {
                Effect::Recommend(a) => Some(a.round() as i64),
                _ => None,
            }),
            RuleRun::Unknown { .. } => None,
        })
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
    decide_with(o, &|_, run| sure(run))
}

/// The outcomes a rule's result allows: `(can be met, can be not met)`; an unknown rule, both.
fn sure(run: &RuleRun) -> (bool, bool) {
    match run {
        RuleRun::Concluded {
            conclusion: Conclusion::Met { .. },
            ..
        } => (true, false),
        RuleRun::Concluded {
            conclusion: Conclusion::NotMet { .. },
            ..
        } => (false, true),
        RuleRun::Unknown { .. } => (true, true),
    }
}

/// The decision, given the outcomes each eligibility and exclusion rule can still reach: decline when a condition
/// cannot be met, a bar must apply or no pathway can be met; assist when every condition must be met, no bar can
/// apply and some pathway must be met; otherwise open.
fn decide_with(
    o: &Outcomes<'_>,
    possible: &dyn Fn(&Rule, &RuleRun) -> (bool, bool),
) -> (Decision, bool) {
    let of = |stage, kind| -> Vec<(bool, bool)> {
        o.of(stage, kind).map(|(r, run)| possible(r, run)).collect()
    };
    let conditions = of(Stage::Eligibility, RuleKind::Condition);
    let pathways = of(Stage::Eligibility, RuleKind::Pathway);
    let discretionary = of(Stage::Eligibility, RuleKind::Discretionary);
    let bars = of(Stage::Exclusions, RuleKind::Bar);

    if conditions.iter().any(|&(met, _)| !met) || bars.iter().any(|&(_, not)| !not) {
        return (Decision::Decline, false);
    }
    if pathways
        .iter()
        .chain(discretionary.iter())
        .all(|&(met, _)| !met)
    {
        return (Decision::Decline, false);
    }
    let mandatory = pathways.iter().any(|&(_, not)| !not);
    let catch_all = discretionary.iter().any(|&(_, not)| !not);
    let settled = conditions.iter().all(|&(_, not)| !not) && bars.iter().all(|&(met, _)| !met);
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

fn param_i64(
    policy: &Policy,
    name: &str,
    date: jiff::civil::Date,
    province: Option<&str>,
    default: i64,
) -> i64 {
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
    unsettled: Unsettled<'_>,
    province: Option<&str>,
) -> Recommendation {
    let mut findings = Vec::new();
    let mut to_confirm = Vec::new();
    let mut fast_track = false;
    let mut approvals = Vec::new();
    let mut payment = None;
    let mut co_recipients = Vec::new();
    let mut referrals = Vec::new();
    let mut steps = Vec::new();
    let mut caps = Vec::new();
    let mut recommended = None;
    let mut wage_param_used = false;

    for (index, (rule, run)) in policy.rules.iter().zip(o.runs.iter()).enumerate() {
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
        let (immaterial, presumed) = match run {
            RuleRun::Concluded {
                immaterial,
                presumed,
                ..
            } => (immaterial.as_slice(), presumed.as_slice()),
            RuleRun::Unknown { .. } => (&[][..], &[][..]),
        };
        if progress.decision != Decision::Decline && rule.kind == RuleKind::Bar {
            for (fact, value) in presumed {
                to_confirm.push(ToConfirm {
                    fact: fact.pointer(),
                    presumed: value.clone(),
                    rule: rule.id.clone(),
                    basis: rule.basis.clone(),
                    text: String::new(),
                });
            }
        }
        // A provisional amount that needs the middle reading takes the amount rules' effects from it.
        let effects_of = match unsettled.likely {
            Some((_, runs)) if rule.stage == Stage::Amount => {
                runs.get(index).and_then(Option::as_ref)
            }
            _ => Some(run),
        };
        if let Some(RuleRun::Concluded {
            effects,
            conclusion: Conclusion::Met { .. } | Conclusion::NotMet { .. },
            ..
        }) = effects_of
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
            immaterial: immaterial.iter().map(|m| m.pointer()).collect(),
            presumed: presumed.iter().map(|(m, _)| m.pointer()).collect(),
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
    });

    let amount = if decision == Decision::Assist {
        recommended.map(|a| {
            let wage_base = if wage_param_used {
                // A middle reading that assumed the province uses that province's figure.
                let assumed_province = unsettled.likely.and_then(|(assign, _)| {
                    assign
                        .iter()
                        .find(|(f, _)| f.pointer() == "/jurisdiction/province")
                        .and_then(|(_, v)| v.as_str())
                });
                policy
                    .params
                    .resolve(
                        "wage_base",
                        case.case.decision_date,
                        assumed_province.or(province),
                    )
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
            let range = unsettled.spread.and_then(|sp| {
                let amounts = sp
                    .leaves
                    .iter()
                    .filter_map(|l| l.1)
                    .chain(unsettled.likely.is_none().then_some(recommended));
                let low = amounts.clone().min()?;
                let high = amounts.max()?;
                (low != high || sp.open).then(|| AmountRange {
                    low,
                    high,
                    open: sp.open,
                    assumed: unsettled
                        .likely
                        .map(|(assign, _)| {
                            assign
                                .iter()
                                .map(|(f, v)| Assumed {
                                    fact: f.pointer(),
                                    value: v.clone(),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
            });
            Amount {
                recommended,
                wage_base,
                months,
                steps,
                caps,
                range,
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

    // Missing facts: each once, with the rules that need it and what it could change.
    let missing = missing_facts(o, decision, unsettled.spread);
    if decision == Decision::Decline {
        to_confirm.clear();
    }

    let estimates = estimates(policy, &findings, case.case.decision_date, province);
    Recommendation {
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
        to_confirm,
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

/// Every unknown fact that could still change something, once, in the order of the rules that need it.
fn missing_facts(o: &Outcomes<'_>, decision: Decision, spread: Option<&Spread>) -> Vec<Missing> {
    let deciding: Vec<&str> = decision_relevant(o, decision)
        .into_iter()
        .map(|(r, _)| r.id.as_str())
        .collect();
    let mut out: Vec<Missing> = Vec::new();
    for (rule, run) in o.policy.rules.iter().zip(o.runs.iter()) {
        let Some(run) = run else { continue };
        let defaulted = defaulted_of(run).iter().filter(|f| {
            rule.stage != Stage::Referrals
                && spread.is_some_and(|sp| sp.moves_amount.contains(f) || sp.moves_tier.contains(f))
        });
        for &fact in missing_of(run).iter().chain(defaulted) {
            let mut changes = Vec::new();
            match rule.stage {
                Stage::Eligibility | Stage::Exclusions if deciding.contains(&rule.id.as_str()) => {
                    changes.push(Change::Decision);
                }
                Stage::Priority if decision != Decision::Decline && top_tier(o) => {}
                Stage::Priority | Stage::Amount if decision != Decision::Decline => match spread {
                    Some(sp) if !sp.open => {
                        if sp.moves_tier.contains(&fact) {
                            changes.push(Change::Tier);
                        }
                        if sp.moves_amount.contains(&fact) {
                            changes.push(Change::Amount);
                        }
                    }
                    _ => changes.push(if rule.stage == Stage::Priority {
                        Change::Tier
                    } else {
                        Change::Amount
                    }),
                },
                Stage::Referrals => changes.push(Change::Referral),
                _ => {}
            }
            // A fact a condition went on without, seen to move the tier or the amount.
            if let Some(sp) = spread.filter(|_| {
                matches!(rule.stage, Stage::Eligibility | Stage::Exclusions)
                    && decision != Decision::Decline
            }) {
                if sp.moves_tier.contains(&fact) && !changes.contains(&Change::Tier) {
                    changes.push(Change::Tier);
                }
                if sp.moves_amount.contains(&fact) && !changes.contains(&Change::Amount) {
                    changes.push(Change::Amount);
                }
            }
            if changes.is_empty() {
                continue;
            }
            let pointer = fact.pointer();
            match out.iter_mut().find(|m| m.fact == pointer) {
                Some(m) => {
                    if !m.needed_by.contains(&rule.id) {
                        m.needed_by.push(rule.id.clone());
                    }
                    m.changes.extend(changes);
                    m.changes.sort_unstable();
                    m.changes.dedup();
                }
                None => out.push(Missing {
                    fact: pointer,
                    needed_by: vec![rule.id.clone()],
                    changes,
                    why: String::new(),
                }),
            }
        }
    }
    out
}

/// The estimated values among the parameters the findings read (the wage base aside: the amount describes it).
fn estimates(
    policy: &Policy,
    findings: &[Finding],
    date: jiff::civil::Date,
    province: Option<&str>,
) -> Vec<crate::model::recommendation::Estimate> {
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
            let stands_in = r.source != crate::model::params::Source::Own && r.value.year.is_some();
            if !(r.value.estimate || r.carried_forward || stands_in) {
                return None;
            }
            let par = policy.parameter(name)?;
            Some(crate::model::recommendation::Estimate {
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
