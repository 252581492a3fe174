//! The decision's search over a case's unknown facts, a [`Space`] of the one driver
//! ([`super::unknowns::Search`]); called by [`super::assess`]. [`settle_decision`]: when eligibility and exclusions
//! leave the decision open, is it the same for every combination of the plausible values of the facts the
//! undecided rules need? A reading runs those two stages (and, where an assisting reading may leave nothing due,
//! the amount); the search stops at the first reading that decides otherwise, or at any gap. When it stays open,
//! the further facts the readings waited for are each tried alone to see whether they change it
//! ([`Settled::Open`]). [`due_readings`]: whether the readings of an assisted case's amount that the range left
//! out come to ¥0.
//! The range and the middle reading are `readings.rs` and `likely.rs`.

use serde_json::Value;

use crate::assess::decision::{decide, decide_with, decision_relevant, sure};
use crate::assess::outcomes::{defaulted_of, missing_of, Outcomes};
use crate::assess::readings::{is_choice, numbers, restore, save, shaping_missing};
use crate::assess::stages::{with_runs, Stages};
use crate::assess::unknowns::{bounds, possible_outcomes, Assign, Reading, Search, Space};
use crate::engine;
use crate::model::codes::{Decision, Stage};
use crate::model::facts::FactRef;

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

/// The decision when each undecided eligibility and exclusion rule may reach only the outcomes its own unknown
/// facts allow (each rule searched alone: sound, though it ignores facts shared between rules).
fn decide_by_outcomes(s: &mut Stages<'_>) -> (Decision, bool) {
    let undecided: Vec<usize> = with_runs(|runs| {
        let o = s.outcomes(runs);
        decision_relevant(&o, Decision::NeedsInformation)
            .into_iter()
            .filter_map(|(r, _)| o.policy.rule_index.get(&r.id).copied())
            .collect()
    })
    .unwrap_or_default();
    let mut sets = std::collections::BTreeMap::new();
    for i in undecided {
        let set = possible_outcomes(s.policy, i, &mut s.scope, s.date, s.province);
        sets.insert(i, set);
    }
    let policy = s.policy;
    with_runs(|runs| {
        decide_with(&s.outcomes(runs), &|rule, run| {
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

/// The decision's readings: eligibility and exclusions with values in place (over `base`); a reading that
/// leaves the decision open waits for the facts of the rules still undecided.
struct DecisionSpace<'s, 'p> {
    stages: &'s mut Stages<'p>,
    base: Assign,
    /// The decision of the first concluded reading.
    seen: Option<Decision>,
    /// Whether an assisting reading rests on the catch-all only.
    discretionary: bool,
    /// Whether an assisting reading's amount is read (and how).
    amounts: Amounts,
    /// The values of the first reading that assisted, and of the first that declined.
    assisted: Option<Assign>,
    declined: Option<Assign>,
    /// The facts the readings waited for, each with the rules that waited for it, in the order first seen: those
    /// of the conditions and bars a value put in place brought up (a property loss met only if the compensation
    /// was paid to others), and those an assisting reading's amount waited for (whether anything is due after an
    /// earlier payment).
    waits: Vec<(FactRef, Vec<String>)>,
    /// Whether one fact is being tried alone ([`deciding_facts`]): what those readings wait for is not noted.
    probing: bool,
    /// Whether only the readings that assist are this search's ([`due_readings`]): one that a condition or a bar
    /// declines (a presumed bar's ground tried as established) is left aside, not taken for one where nothing is due.
    assisting_only: bool,
}

/// How the decision's readings read the amount of an assisting reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Amounts {
    /// Not at all: the reading assists.
    Ignored,
    /// A reading whose amount comes to ¥0 declines (nothing is due); one whose amount waits for facts assists.
    Concluded,
    /// As `Concluded`, and a reading whose amount waits for facts waits for them too.
    Waited,
}

impl Space for DecisionSpace<'_, '_> {
    type Conclusion = (Decision, bool);

    fn read(&mut self, assign: &[(FactRef, Value)]) -> Reading<(Decision, bool)> {
        let s = &mut *self.stages;
        s.prepare(&self.base, assign);
        // A rule that fails for a value the case does not have leaves the decision open; it does not fail the case.
        let ran = s
            .run_stage(Stage::Eligibility)
            .and_then(|()| s.run_stage(Stage::Exclusions));
        if ran.is_err() {
            return Reading::Failed;
        }
        let (d, disc, next) = with_runs(|runs| {
            let o = s.outcomes(runs);
            let (d, disc) = decide(&o);
            (d, disc, relevant_missing(&o))
        })
        .unwrap_or((Decision::NeedsInformation, false, Vec::new()));
        match if d == Decision::NeedsInformation {
            decide_by_outcomes(s)
        } else {
            (d, disc)
        } {
            (Decision::NeedsInformation, _) => {
                self.note_waits(&next);
                Reading::Waits(next)
            }
            // Assistance is a payment: a reading whose amount comes to ¥0 gives nothing, and declines (one whose
            // amount waits for facts assists: the range, read later, says whether ¥0 is among its readings).
            (Decision::Assist, disc) if self.amounts != Amounts::Ignored => {
                match s.amount_of_assisted(disc) {
                    Ok(Some(a)) if a <= 0 => {
                        // ¥0 on the known facts is the lowest reading while priority or amount facts are still
                        // unknown (an unknown group scores nothing): only with none left is nothing due.
                        let pending =
                            engine::inspect_runs(|runs| shaping_missing(&s.outcomes(runs)));
                        if pending.is_empty() {
                            s.nothing_due_seen = true;
                            Reading::Concluded((Decision::Decline, false))
                        } else if self.amounts == Amounts::Waited {
                            self.note_waits(&pending);
                            Reading::Waits(pending)
                        } else {
                            Reading::Concluded((Decision::Assist, disc))
                        }
                    }
                    Ok(None) if self.amounts == Amounts::Waited => {
                        let pending =
                            engine::inspect_runs(|runs| shaping_missing(&s.outcomes(runs)));
                        self.note_waits(&pending);
                        Reading::Waits(pending)
                    }
                    Ok(_) => Reading::Concluded((Decision::Assist, disc)),
                    Err(_) => Reading::Failed,
                }
            }
            (Decision::Decline, _) if self.assisting_only => Reading::Aside,
            decided => Reading::Concluded(decided),
        }
    }

    fn conclude(&mut self, assign: &[(FactRef, Value)], (d, disc): (Decision, bool)) -> bool {
        self.discretionary |= disc;
        if d == Decision::Assist && self.assisted.is_none() {
            self.assisted = Some(assign.to_vec());
        }
        if d == Decision::Decline && self.declined.is_none() {
            self.declined = Some(assign.to_vec());
        }
        *self.seen.get_or_insert(d) == d
    }
}

impl DecisionSpace<'_, '_> {
    /// Notes the facts a reading waits for (the first time each is seen), with the rules that wait for it in that
    /// reading: a condition or bar still undecided, a priority or amount rule, or a condition that went on
    /// without a yes/no or a choice (as [`shaping_missing`] reads them). Not while one fact is tried alone.
    fn note_waits(&mut self, pending: &[FactRef]) {
        if self.probing {
            return;
        }
        let s = &*self.stages;
        let waits = &mut self.waits;
        engine::inspect_runs(|runs| {
            let o = s.outcomes(runs);
            for &f in pending {
                if waits.iter().any(|(x, _)| *x == f) {
                    continue;
                }
                let rules = o
                    .policy
                    .rules
                    .iter()
                    .zip(o.runs.iter())
                    .filter_map(|(rule, run)| {
                        let run = run.as_deref()?;
                        let waiting = match rule.stage {
                            Stage::Eligibility | Stage::Exclusions => {
                                missing_of(run).contains(&f)
                                    || (is_choice(f) && defaulted_of(run).contains(&f))
                            }
                            Stage::Priority | Stage::Amount => missing_of(run).contains(&f),
                            Stage::Referrals => false,
                        };
                        waiting.then(|| rule.id.clone())
                    })
                    .collect();
                waits.push((f, rules));
            }
        });
    }
}

/// What the decision's search over unknown facts settled.
pub(crate) enum Settled {
    /// The same decision in every reading, and whether an assisting one rests on the catch-all only.
    Decided(Decision, bool),
    /// Open. The facts beyond those the undecided rules wait for on the known facts that were seen to change the
    /// decision, each with the rules that wait for it: a fact a condition reads only once another is established,
    /// or one the amount reads where an earlier payment may leave nothing due (the amount's rules do not run for
    /// an open decision, so nothing else lists it).
    Open(Vec<(FactRef, Vec<String>)>),
}

/// Whether the decision is the same for every combination of the plausible values of the facts the undecided
/// eligibility and exclusion rules need (within the bounds); if so, that decision, and whether any reading
/// rests on the catch-all only (else the further facts seen to change it: [`Settled::Open`]). The
/// rule results in place are put back.
pub(crate) fn settle_decision(s: &mut Stages<'_>) -> Settled {
    let Some((runs, base)) = save() else {
        return Settled::Open(Vec::new());
    };
    let by_outcomes = decide_by_outcomes(s);
    if by_outcomes.0 != Decision::NeedsInformation {
        return Settled::Decided(by_outcomes.0, by_outcomes.1);
    }
    let first = engine::inspect_runs(|runs| relevant_missing(&s.outcomes(runs)));
    let numbers = numbers(s, &[Stage::Eligibility, Stage::Exclusions]);
    let mut base = base;
    // First without the amount (most searches settle so); when an assisting reading differs from a declining one,
    // again with it: an assisting reading whose amount comes to ¥0 declines, so the readings may all decline after
    // all. When that reading's amount waits for facts (an earlier payment in the same case, with a share of the
    // compensation unstated, say), again with the amount's facts searched too: the readings of them may all come
    // to ¥0.
    let mut amounts = Amounts::Ignored;
    let mut further = Vec::new();
    loop {
        let mut search = Search::new(
            bounds::DECISION_FACTS,
            bounds::DECISION_SCENARIOS,
            numbers.clone(),
        );
        let mut space = DecisionSpace {
            stages: &mut *s,
            base,
            seen: None,
            discretionary: false,
            amounts,
            assisted: None,
            declined: None,
            waits: Vec::new(),
            probing: false,
            assisting_only: false,
        };
        let settled = search.explore(&mut space, &first, &mut Vec::new());
        let (seen, discretionary) = (space.seen, space.discretionary);
        // A pass none of whose readings concluded (each assisting one's amount waited for the dependants, say, which
        // no search fills in) has nothing to try the facts from: it keeps what the pass before saw decide.
        let probed = space.assisted.is_some() || space.declined.is_some();
        if !(settled && seen.is_some()) && probed {
            let waits: Vec<_> = std::mem::take(&mut space.waits)
                .into_iter()
                .filter(|(f, _)| !first.contains(f))
                .collect();
            further = deciding_facts(&mut space, waits, &numbers);
        }
        // Only an assisting reading that differs from a declining one, and is given ¥0 itself or waits for the
        // facts of its amount, can turn.
        let again = match space.assisted.take() {
            Some(assign) if space.declined.is_some() && amounts == Amounts::Ignored => {
                space.amounts = Amounts::Waited;
                match space.read(&assign) {
                    Reading::Concluded((Decision::Decline, _)) => Some(Amounts::Concluded),
                    Reading::Waits(_) => Some(Amounts::Waited),
                    _ => None,
                }
            }
            _ => None,
        };
        base = space.base;
        if let (true, Some(d)) = (settled, seen) {
            restore(runs, base);
            return Settled::Decided(d, d == Decision::Assist && discretionary);
        }
        match again {
            Some(next) => amounts = next,
            None => break,
        }
    }
    restore(runs, base);
    Settled::Open(further)
}

/// Of the facts readings waited for (`waits`), those seen to change the decision: each tried alone over its
/// plausible values, the other facts as in the first assisting reading, then as in the first declining one; kept
/// when one value assists and another declines. A fact the amount merely reads, or one a rule reads on a path
/// that decides nothing, is not one the case handler must establish to decide. It may miss a fact that changes
/// the decision only together with another (never one the undecided rules wait for now: those are listed anyway).
fn deciding_facts(
    space: &mut DecisionSpace<'_, '_>,
    waits: Vec<(FactRef, Vec<String>)>,
    numbers: &[f64],
) -> Vec<(FactRef, Vec<String>)> {
    let bases: Vec<Assign> = [space.assisted.clone(), space.declined.clone()]
        .into_iter()
        .flatten()
        .collect();
    space.probing = true;
    let deciding = waits
        .into_iter()
        .filter(|(fact, _)| {
            // A reading that concluded without the fact did not read it: its values change nothing there.
            let read_in = |base: &&Assign| base.iter().any(|(f, _)| f == fact);
            bases.iter().filter(read_in).any(|base| {
                let mut probe = OneFact {
                    decision: &mut *space,
                    assists: false,
                    declines: false,
                };
                // The others in place in the search's own values, so that a part of a sum is tried within the
                // whole as this reading has it.
                let mut others: Assign = base.iter().filter(|(f, _)| f != fact).cloned().collect();
                let mut search = Search::new(
                    others.len() + 1,
                    bounds::DECISION_SCENARIOS,
                    numbers.to_vec(),
                );
                search.explore(&mut probe, &[*fact], &mut others);
                probe.assists && probe.declines
            })
        })
        .collect();
    space.probing = false;
    deciding
}

/// The decision's readings with one fact varied, the others held (for [`deciding_facts`]).
struct OneFact<'a, 's, 'p> {
    decision: &'a mut DecisionSpace<'s, 'p>,
    assists: bool,
    declines: bool,
}

impl Space for OneFact<'_, '_, '_> {
    type Conclusion = Decision;

    fn read(&mut self, assign: &[(FactRef, Value)]) -> Reading<Decision> {
        match self.decision.read(assign) {
            Reading::Concluded((d, _)) => Reading::Concluded(d),
            // Another fact left open: this value shows nothing either way.
            _ => Reading::Aside,
        }
    }

    fn conclude(&mut self, _: &[(FactRef, Value)], d: Decision) -> bool {
        self.assists |= d == Decision::Assist;
        self.declines |= d == Decision::Decline;
        !(self.assists && self.declines)
    }
}

/// What a search of the facts an assisted case's priority and amount rules wait for found, where the range left
/// readings out.
pub(crate) struct DueReadings {
    /// Every reading was read (within the bounds).
    pub settled: bool,
    /// Some reading comes to ¥0 (nothing due: the reading declines).
    pub nothing: bool,
    /// Some reading gives a payment.
    pub payment: bool,
    /// Where both were seen: the facts beyond those the rules wait for on the known facts that were seen to decide
    /// between them (an earlier payment in this case, and its amount), each with the rules that wait for it.
    pub further: Vec<(FactRef, Vec<String>)>,
}

/// For an assisted case whose range left readings out: the readings of the facts its priority and amount rules wait
/// for (within the bounds), searched as the decision is, stopping once one comes to ¥0 and another does not. Asked
/// when every reading the range read came to ¥0 (is nothing due whatever they are?) and when none did (is something
/// due whatever they are? an earlier payment in the same case of an unknown amount may cover it all). The rule
/// results in place are put back.
pub(crate) fn due_readings(s: &mut Stages<'_>) -> DueReadings {
    let Some((runs, base)) = save() else {
        return DueReadings {
            settled: false,
            nothing: false,
            payment: false,
            further: Vec::new(),
        };
    };
    let first = engine::inspect_runs(|runs| shaping_missing(&s.outcomes(runs)));
    let search_numbers = numbers(s, &[Stage::Priority, Stage::Amount]);
    // Rare (the range cut short with only ¥0, or no ¥0, seen), so it may read four times as many readings as the
    // decision's.
    let mut search = Search::new(
        bounds::DECISION_FACTS,
        4 * bounds::DECISION_SCENARIOS,
        search_numbers.clone(),
    );
    let mut space = DecisionSpace {
        stages: s,
        base,
        seen: None,
        discretionary: false,
        amounts: Amounts::Waited,
        assisted: None,
        declined: None,
        waits: Vec::new(),
        probing: false,
        assisting_only: true,
    };
    let settled = search.explore(&mut space, &first, &mut Vec::new());
    let (nothing, payment) = (space.declined.is_some(), space.assisted.is_some());
    let mut further = Vec::new();
    if nothing && payment {
        let waits: Vec<_> = std::mem::take(&mut space.waits)
            .into_iter()
            .filter(|(f, _)| !first.contains(f))
            .collect();
        further = deciding_facts(&mut space, waits, &search_numbers);
    }
    restore(runs, space.base);
    DueReadings {
        settled,
        nothing,
        payment,
        further,
    }
}
