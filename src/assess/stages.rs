//! Running the policy's stages in order on the case installed in the evaluation context: each rule in turn, a
//! rule that stops on an unknown settled by [`super::unknowns::settle_rule`], the decision after the exclusions,
//! the priority after its stage, and what later rules may read of both. Called by [`super::assess`] (the case as
//! it is) and [`super::readings`] (the case with values in place of unknown facts).

use crate::assess::decision::decide;
use crate::assess::error::AssessError;
use crate::assess::outcomes::{recommended_amount, Outcomes};
use crate::assess::priority::priority_parts;
use crate::assess::unknowns::{settle_presumptions, settle_rule};
use crate::engine::{self, RuleFailure, RuleRun};
use crate::model::codes::{Decision, Stage, Tier};
use crate::model::facts::FactRef;
use crate::policy::{Policy, Rule};
use std::sync::Arc;

/// Where the stages got to: the decision, whether it rests on the catch-all only, and the priority (score, tier,
/// whether provisional) once its stage ran.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Progress {
    pub decision: Decision,
    pub discretionary: bool,
    pub priority: Option<(i64, Tier, bool)>,
}

/// Runs the policy's stages for the case installed in the evaluation context.
pub(crate) struct Stages<'p> {
    pub policy: &'p Policy,
    pub date: jiff::civil::Date,
    pub province: Option<&'p str>,
    pub scope: rhai::Scope<'static>,
    /// While the range or the middle reading is read, the decision already settled for every reading: a reading
    /// whose eligibility and exclusions leave it open takes it (instead of searching the decision again in each).
    pub settled: Option<(Decision, bool)>,
    /// While the decision is searched over unknown facts: some reading that met every condition, with no bar, came
    /// to ¥0 and so declined (see [`Self::amount_of_assisted`]).
    pub nothing_due_seen: bool,
    /// Whether an amount rule's presumption is weighed (does any value of the presumed fact move the amount?) as the
    /// rule concludes: in the passes whose results the recommendation shows (the known facts, the middle reading),
    /// not in each reading of a search, where it would cost four runs of the amount rule a reading.
    pub weigh_presumptions: bool,
    /// Presumed facts already seen to move the amount in some reading of the range: not weighed again.
    pub material_presumptions: Vec<FactRef>,
}

fn rule_error(rule: &Rule, f: RuleFailure) -> AssessError {
    AssessError::Rule {
        rule: rule.id.clone(),
        file: rule.file.clone(),
        line: f.line.and_then(|l| u32::try_from(l).ok()),
        column: f.column.and_then(|c| u32::try_from(c).ok()),
        message: f.message,
        help: f.help,
        kind: f.kind,
    }
}

/// Lends the rule results so far to `f`; `None` when no case is installed.
pub(crate) fn with_runs<R>(f: impl FnOnce(&[Option<Arc<RuleRun>>]) -> R) -> Option<R> {
    engine::with_eval_ctx(|c| f(&c.runs))
}

impl<'p> Stages<'p> {
    /// Stages of `policy` for a case decided on `date` in `province`.
    pub fn new(policy: &'p Policy, date: jiff::civil::Date, province: Option<&'p str>) -> Self {
        Stages {
            policy,
            date,
            province,
            scope: engine::base_scope(),
            settled: None,
            nothing_due_seen: false,
            weigh_presumptions: false,
            material_presumptions: Vec::new(),
        }
    }

    /// The results `runs` read for this case.
    pub fn outcomes<'a>(&self, runs: &'a [Option<Arc<RuleRun>>]) -> Outcomes<'a>
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
        let (unknown, presumed) =
            engine::inspect_runs(|runs| match runs.get(i).and_then(Option::as_deref) {
                Some(RuleRun::Unknown { .. }) => (true, false),
                // Weighed unless every fact it presumed was already seen to move some amount of the range.
                Some(RuleRun::Concluded { presumed, .. }) => (
                    false,
                    presumed
                        .iter()
                        .any(|(f, _)| !self.material_presumptions.contains(f)),
                ),
                None => (false, false),
            });
        if unknown {
            settle_rule(self.policy, i, &mut self.scope, self.date, self.province);
        } else if presumed && self.weigh_presumptions && rule.stage == Stage::Amount {
            // A bar's presumption always matters (its ground would decline); an amount's only where it moves the
            // amount.
            settle_presumptions(self.policy, i, &mut self.scope, self.date, self.province);
        }
        Ok(())
    }

    /// Runs `f` with the amount rules' presumptions weighed as they conclude (see `weigh_presumptions`).
    pub fn weighing_presumptions<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        self.weigh_presumptions = true;
        let out = f(self);
        self.weigh_presumptions = false;
        out
    }

    /// Runs every rule of one stage, in policy order.
    pub fn run_stage(&mut self, stage: Stage) -> Result<(), AssessError> {
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

    /// Runs eligibility and exclusions; the decision they give on the facts in place (needs information when
    /// they leave it open), and whether it rests on the catch-all only.
    pub fn run_decision(&mut self) -> Result<(Decision, bool), AssessError> {
        engine::set_progress(None, None, None);
        self.run_stage(Stage::Eligibility)?;
        engine::set_progress(None, None, None);
        self.run_stage(Stage::Exclusions)?;
        Ok(with_runs(|runs| decide(&self.outcomes(runs)))
            .unwrap_or((Decision::NeedsInformation, false)))
    }

    /// Runs the stages after the decision (`decision`, and whether it rests on the catch-all only): priority
    /// unless declined, the amount when assisted, referrals always.
    pub fn run_after(&mut self, decided: (Decision, bool)) -> Result<Progress, AssessError> {
        self.run_after_through(decided, Stage::Referrals)
    }

    /// For a case assisted on `discretionary` grounds: runs the priority and amount stages and gives the amount
    /// the amount rules recommend (`None` while they wait for facts).
    pub fn amount_of_assisted(&mut self, discretionary: bool) -> Result<Option<i64>, AssessError> {
        self.run_after_through((Decision::Assist, discretionary), Stage::Amount)?;
        Ok(with_runs(|runs| recommended_amount(&self.outcomes(runs))).flatten())
    }

    /// [`Self::run_after`], stopping after the stage `last`.
    fn run_after_through(
        &mut self,
        (decision, discretionary): (Decision, bool),
        last: Stage,
    ) -> Result<Progress, AssessError> {
        let mut progress = Progress {
            decision,
            discretionary,
            priority: None,
        };
        engine::set_progress(Some(decision), None, None);
        for stage in [Stage::Priority, Stage::Amount, Stage::Referrals] {
            let runs_stage = match stage {
                Stage::Priority => decision != Decision::Decline,
                Stage::Amount => decision == Decision::Assist,
                _ => true,
            };
            if runs_stage {
                self.run_stage(stage)?;
            }
            if stage == Stage::Priority && decision != Decision::Decline {
                progress.priority = with_runs(|runs| {
                    let (score, tier, provisional, _) = priority_parts(&self.outcomes(runs));
                    (score, tier, provisional)
                });
            }
            engine::set_progress(
                Some(decision),
                progress.priority.map(|p| p.1),
                progress.priority.map(|p| p.0),
            );
            if stage == last {
                break;
            }
        }
        Ok(progress)
    }

    /// Changes the decision after the amount (an assisted case to which nothing is due): a declined case has no
    /// priority; the referrals, which may read the decision, run again on the new one.
    pub fn redecide(
        &mut self,
        progress: &mut Progress,
        decision: Decision,
    ) -> Result<(), AssessError> {
        progress.decision = decision;
        if decision == Decision::Decline {
            progress.priority = None;
        }
        engine::set_progress(
            Some(decision),
            progress.priority.map(|p| p.1),
            progress.priority.map(|p| p.0),
        );
        self.run_stage(Stage::Referrals)
    }

    /// Runs every stage through `last`; when eligibility and exclusions leave the decision open, it is the one
    /// [`Self::settled`] holds, if any. A reading of the amount and tier stops after the amount: it needs no
    /// referrals (nor the searches of their unknown facts).
    pub fn run_through(&mut self, last: Stage) -> Result<Progress, AssessError> {
        let mut decided = self.run_decision()?;
        if decided.0 == Decision::NeedsInformation {
            if let Some(known) = self.settled {
                decided = known;
            }
        }
        self.run_after_through(decided, last)
    }

    /// Puts `assign` in place of unknown facts (over `base`) and clears every rule's result.
    pub fn prepare(
        &self,
        base: &[(FactRef, serde_json::Value)],
        assign: &[(FactRef, serde_json::Value)],
    ) {
        let mut overrides = base.to_vec();
        overrides.extend(assign.iter().cloned());
        engine::with_eval_ctx(|c| {
            c.overrides = overrides;
            c.runs.iter_mut().for_each(|r| *r = None);
        });
    }
}
