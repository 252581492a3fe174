//! The vocabulary: every function a rule may call beyond rhai's standard packages, as one rhai package
//! ([`VocabularyPackage`], registered once into the sandbox by `engine::sandbox`), and the stage table of which
//! stage may call which ([`vocabulary_stages`], also read by `policy::scan` to refuse a misplaced call before a
//! rule runs). Conclusions (`met`, `not_met`, `score`, `refer`, `recommend`), effects (`fast_track`,
//! `require_approval`, `payment`, `co_recipient`, `step`, `cap`, `check`, `threshold`), earlier results
//! (`fired`, `value_of`, `decision`, `tier`, `priority_score`), unknown facts (`known`, `if_unknown`, `presume`,
//! `pointer`) and arithmetic for money (`round_up_to`, `round_to`, `clamp`, `min`, `max`) all write to or read
//! from the evaluation context of the case being assessed.

use std::collections::BTreeMap;
use std::str::FromStr;

use rhai::{Dynamic, FuncRegistration, ImmutableString, Module};
use serde_json::Value;
use strum::IntoEnumIterator;

use crate::engine::context::{
    running, running_stage, try_ctx, with_ctx, Conclusion, Effect, Obs, Read, RuleRun,
};
use crate::engine::facts::{json_leaf, stop_unknown, FactObject, Unknown};
use crate::engine::failure::{refuse, refuse_with_help, FailureKind, RhaiResult};
use crate::engine::observe;
use crate::engine::values::{money, number, to_json, to_values};
use crate::model::codes::Stage;
use crate::model::facts::FactType;
use crate::model::suggest::did_you_mean;

rhai::def_package! {
    /// The functions rules conclude with, read earlier results with, handle unknown facts with and compute
    /// amounts with.
    pub VocabularyPackage(module) {
        conclusions(module);
        effects(module);
        earlier_results(module);
        unknown_facts(module);
        arithmetic(module);
    }
}

/// The stages in which a function of the vocabulary may be used; `None` for functions every stage may use.
/// Conclusions mean different things in different stages (`score` counts points in the priority stage, and would
/// count as met in an eligibility condition), so each is legal only where it means something.
pub(crate) fn vocabulary_stages(name: &str) -> Option<&'static [Stage]> {
    use Stage::*;
    Some(match name {
        "met" => &[Eligibility, Exclusions, Amount],
        "score" => &[Priority],
        "refer" => &[Referrals],
        "fast_track" | "require_approval" => &[Eligibility, Exclusions, Amount],
        "payment" | "co_recipient" | "step" | "cap" | "check" | "threshold" | "recommend" => {
            &[Amount]
        }
        "decision" => &[Priority, Amount, Referrals],
        "tier" | "priority_score" => &[Amount, Referrals],
        // Art. 8's bars are presumed absent until established, and so is a reduction of the amount that applies only
        // where established (the victim's own fault); the conditions of assistance never are.
        "presume" => &[Exclusions, Amount],
        _ => return None,
    })
}

/// What to say when `name` is used in a stage where it is not legal.
pub(crate) fn not_in_stage(name: &str, stage: Stage, allowed: &[Stage]) -> String {
    let list: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
    let names = match list.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => list.join(""),
    };
    format!(
        "`{name}` cannot be used in a rule of stage {}: it belongs to the {names} stage{}",
        stage.as_str(),
        if list.len() > 1 { "s" } else { "" }
    )
}

/// Refuses `name` when the running rule's stage may not use it. Checked at run time although `policy::scan`
/// refuses a misplaced call by name: a name built at run time (`Fn("pres" + "ume")`) escapes the scan.
fn allowed_here(name: &str) -> RhaiResult<()> {
    let Some(stage) = running_stage() else {
        return Ok(());
    };
    match vocabulary_stages(name) {
        Some(allowed) if !allowed.contains(&stage) => Err(refuse(
            FailureKind::WrongStage,
            not_in_stage(name, stage, allowed),
        )),
        _ => Ok(()),
    }
}

fn conclude(c: Conclusion) -> RhaiResult<()> {
    try_ctx(|ctx| {
        if ctx.current.conclusion.is_some() {
            return Err(refuse(
                FailureKind::ConcludedTwice,
                "the rule already reached a conclusion; call met(), not_met() or score() only once",
            ));
        }
        ctx.current.conclusion = Some(c);
        Ok(())
    })
}

fn met(points: Option<i64>, values: BTreeMap<String, Value>) -> RhaiResult<()> {
    conclude(Conclusion::Met { points, values })
}

fn effect(e: Effect) {
    with_ctx(|c| c.current.effects.push(e));
}

fn conclusions(m: &mut Module) {
    FuncRegistration::new("met").set_into_module(m, || {
        allowed_here("met")?;
        met(None, BTreeMap::new())
    });
    FuncRegistration::new("met").set_into_module(m, |v: rhai::Map| {
        allowed_here("met")?;
        met(None, to_values(&v)?)
    });
    FuncRegistration::new("not_met").set_into_module(m, || {
        conclude(Conclusion::NotMet {
            values: BTreeMap::new(),
        })
    });
    FuncRegistration::new("not_met").set_into_module(m, |v: rhai::Map| {
        conclude(Conclusion::NotMet {
            values: to_values(&v)?,
        })
    });
    FuncRegistration::new("score").set_into_module(m, |p: rhai::INT| {
        allowed_here("score")?;
        met(Some(p), BTreeMap::new())
    });
    FuncRegistration::new("score").set_into_module(m, |p: rhai::INT, v: rhai::Map| {
        allowed_here("score")?;
        met(Some(p), to_values(&v)?)
    });
    FuncRegistration::new("refer").set_into_module(m, |service: &str, agency: &str| {
        allowed_here("refer")?;
        effect(Effect::Referral {
            service: service.into(),
            agency: agency.into(),
        });
        met(None, BTreeMap::new())
    });
    FuncRegistration::new("refer").set_into_module(
        m,
        |service: &str, agency: &str, v: rhai::Map| {
            allowed_here("refer")?;
            effect(Effect::Referral {
                service: service.into(),
                agency: agency.into(),
            });
            met(None, to_values(&v)?)
        },
    );
    FuncRegistration::new("recommend").set_into_module(m, |amount: Dynamic| -> RhaiResult<()> {
        allowed_here("recommend")?;
        let a = money(&amount, "the recommended amount")?;
        if !a.is_finite() || a < 0.0 {
            return Err(refuse(
                FailureKind::InvalidArgument,
                format!("the recommended amount must be a finite number ≥ 0, not {a}"),
            ));
        }
        effect(Effect::Recommend(a));
        met(None, BTreeMap::new())
    });
}

/// `step(code, value[, values])`: records a step of the amount's arithmetic and gives the value back.
fn step_effect(code: &str, v: Dynamic, values: BTreeMap<String, Value>) -> RhaiResult<Dynamic> {
    let value = money(&v, "a step's value")?;
    effect(Effect::Step {
        code: code.into(),
        value,
        values,
    });
    Ok(v)
}

/// `cap(code, amount, limit[, values])`: records a cap and gives back the smaller of amount and limit.
fn cap_effect(
    code: &str,
    amount: Dynamic,
    limit: Dynamic,
    values: BTreeMap<String, Value>,
) -> RhaiResult<rhai::FLOAT> {
    let (amount, limit) = (money(&amount, "the amount")?, money(&limit, "the cap")?);
    let applied = amount > limit;
    effect(Effect::Cap {
        code: code.into(),
        amount,
        limit,
        applied,
        values,
    });
    Ok(amount.min(limit))
}

/// `check` (`exceeded`: the amount is over the limit) and `threshold` (`exceeded`: the amount reached it):
/// records the comparison and gives its result.
fn check_effect(code: &str, amount: f64, limit: f64, exceeded: bool) -> RhaiResult<bool> {
    effect(Effect::Check {
        code: code.into(),
        amount,
        limit,
        exceeded,
        values: BTreeMap::new(),
    });
    Ok(exceeded)
}

/// `code` read as a code of [`crate::model::codes`] (an [`Approval`](crate::model::codes::Approval) or a
/// [`Payment`](crate::model::codes::Payment)), parsed once here so that an effect carries the code, not its
/// spelling; when it is none, a failure naming it as `noun`, whose help gives the closest code or lists them all.
fn code_of<T>(code: &str, noun: &str) -> RhaiResult<T>
where
    T: FromStr + IntoEnumIterator,
    &'static str: From<T>,
{
    code.parse().map_err(|_| {
        let codes: Vec<&'static str> = T::iter().map(<&'static str>::from).collect();
        let help = match did_you_mean(code, codes.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("{noun}s are: {}", codes.join(", ")),
        };
        refuse_with_help(
            FailureKind::UnknownCode,
            format!("unknown {noun} `{code}`"),
            Some(help),
        )
    })
}

fn effects(m: &mut Module) {
    FuncRegistration::new("fast_track").set_into_module(m, || -> RhaiResult<()> {
        allowed_here("fast_track")?;
        effect(Effect::FastTrack);
        Ok(())
    });
    FuncRegistration::new("require_approval").set_into_module(m, |code: &str| -> RhaiResult<()> {
        allowed_here("require_approval")?;
        effect(Effect::Approval(code_of(code, "approval")?));
        Ok(())
    });
    FuncRegistration::new("payment").set_into_module(m, |mode: &str| -> RhaiResult<()> {
        allowed_here("payment")?;
        effect(Effect::Payment(code_of(mode, "payment")?));
        Ok(())
    });
    FuncRegistration::new("co_recipient").set_into_module(m, |d: FactObject| -> RhaiResult<()> {
        allowed_here("co_recipient")?;
        effect(Effect::CoRecipient(d.fact));
        Ok(())
    });
    FuncRegistration::new("step").set_into_module(m, |code: &str, v: Dynamic| {
        allowed_here("step")?;
        step_effect(code, v, BTreeMap::new())
    });
    FuncRegistration::new("step").set_into_module(
        m,
        |code: &str, v: Dynamic, values: rhai::Map| {
            allowed_here("step")?;
            step_effect(code, v, to_values(&values)?)
        },
    );
    FuncRegistration::new("cap").set_into_module(
        m,
        |code: &str, amount: Dynamic, limit: Dynamic| {
            allowed_here("cap")?;
            cap_effect(code, amount, limit, BTreeMap::new())
        },
    );
    FuncRegistration::new("cap").set_into_module(
        m,
        |code: &str, amount: Dynamic, limit: Dynamic, values: rhai::Map| {
            allowed_here("cap")?;
            cap_effect(code, amount, limit, to_values(&values)?)
        },
    );
    FuncRegistration::new("check").set_into_module(
        m,
        |code: &str, amount: Dynamic, limit: Dynamic| -> RhaiResult<bool> {
            allowed_here("check")?;
            let (amount, limit) = (money(&amount, "the amount")?, money(&limit, "the limit")?);
            check_effect(code, amount, limit, amount > limit)
        },
    );
    FuncRegistration::new("threshold").set_into_module(
        m,
        |code: &str, amount: Dynamic, limit: Dynamic| -> RhaiResult<bool> {
            allowed_here("threshold")?;
            let (amount, limit) = (
                money(&amount, "the amount")?,
                money(&limit, "the threshold")?,
            );
            check_effect(code, amount, limit, amount >= limit)
        },
    );
}

/// Looks at the conclusion of an earlier rule without copying it: `f` gets it (or `None` if its stage did not run).
/// The facts that rule read count as read by this one; if it was undecided, this rule is undecided too.
fn with_outcome<R>(
    id: &str,
    value_key: Option<&str>,
    f: impl FnOnce(Option<&Conclusion>) -> RhaiResult<R>,
) -> RhaiResult<R> {
    try_ctx(|c| {
        let Some(&i) = c.rule_ids.get(id) else {
            return Err(refuse_with_help(
                FailureKind::UnknownRule,
                format!("there is no rule `{id}`"),
                did_you_mean(id, c.rule_ids.keys().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?")),
            ));
        };
        if running().is_some_and(|running| i >= running) {
            return Err(refuse(
                FailureKind::RuleNotYetRun,
                format!(
                    "rule `{id}` has not run yet (it is this rule or listed after it), so its outcome is not \
                     known; a rule may only read rules listed before it"
                ),
            ));
        }
        // What this rule sees of rule `i`: its outcome and the facts it read (see `observe::write`).
        let obs = match value_key {
            Some(key) => Obs::ValueOf(i as u32, key.into()),
            None => Obs::Fired(i as u32),
        };
        observe::record(c, obs);
        match c.runs.get(i).and_then(Option::as_deref) {
            // A rule listed before this one that has no result belongs to a stage that did not run for this case
            // (amount rules for a declined case).
            None => f(None),
            Some(RuleRun::Unknown { missing, .. }) => {
                c.current
                    .reads
                    .extend(missing.iter().map(|&fact| Read { fact, known: false }));
                Err(stop_unknown(missing.clone()))
            }
            Some(RuleRun::Concluded {
                conclusion, reads, ..
            }) => {
                c.current.reads.extend_from_slice(reads);
                f(Some(conclusion))
            }
        }
    })
}

/// What `decision()`, `tier()` and `priority_score()` give: `value`, or a failure saying when it is known.
fn settled<T>(value: Option<T>, when: &str) -> RhaiResult<T> {
    value.ok_or_else(|| refuse(FailureKind::NotYetDecided, when))
}

fn earlier_results(m: &mut Module) {
    FuncRegistration::new("fired").set_into_module(m, |id: &str| -> RhaiResult<bool> {
        with_outcome(id, None, |c| Ok(matches!(c, Some(Conclusion::Met { .. }))))
    });
    FuncRegistration::new("value_of").set_into_module(
        m,
        |id: &str, key: &str| -> RhaiResult<Dynamic> {
            with_outcome(id, Some(key), |c| {
                let value = match c {
                    Some(Conclusion::Met { values, .. } | Conclusion::NotMet { values }) => {
                        values.get(key)
                    }
                    None => None,
                };
                match value {
                    Some(v) => Ok(json_leaf(v, &FactType::Integer)),
                    None => Err(refuse(
                        FailureKind::NoSuchValue,
                        format!("rule `{id}` gave no value `{key}`"),
                    )),
                }
            })
        },
    );
    FuncRegistration::new("decision").set_into_module(m, || -> RhaiResult<ImmutableString> {
        try_ctx(|c| {
            observe::record(c, Obs::Decision);
            settled(
                c.decision,
                "the decision is made after the exclusions stage",
            )
            .map(|d| ImmutableString::from(d.as_str()))
        })
    });
    FuncRegistration::new("tier").set_into_module(m, || -> RhaiResult<ImmutableString> {
        try_ctx(|c| {
            observe::record(c, Obs::Tier);
            settled(c.tier, "the tier is known after the priority stage")
                .map(|t| ImmutableString::from(t.as_str()))
        })
    });
    FuncRegistration::new("priority_score").set_into_module(m, || -> RhaiResult<rhai::INT> {
        try_ctx(|c| {
            observe::record(c, Obs::Score);
            settled(c.score, "the score is known after the priority stage")
        })
    });
}

fn unknown_facts(m: &mut Module) {
    // `known(x)` only asks: a later use of the same unknown still stops the rule and names it.
    FuncRegistration::new("known").set_into_module(m, |v: Dynamic| -> bool {
        let unknown = v.read_lock::<Unknown>().map(|u| u.fact);
        match unknown {
            Some(fact) => {
                with_ctx(|c| c.current.defaulted.push(fact));
                false
            }
            None => true,
        }
    });
    FuncRegistration::new("if_unknown").set_into_module(
        m,
        |v: Dynamic, default: Dynamic| -> Dynamic {
            let handled = v.read_lock::<Unknown>().map(|u| u.fact);
            match handled {
                Some(p) => {
                    with_ctx(|c| {
                        c.current.handled.push(p);
                        c.current.defaulted.push(p);
                    });
                    default
                }
                None => v,
            }
        },
    );
    // `presume(value)`: a fact that the procuratorate must establish (a bar's ground, a reduction of the amount) and the
    // case leaves unknown is taken as `value`, and the presumption is recorded so that the report lists it "to confirm
    // before deciding".
    FuncRegistration::new("presume").set_into_module(
        m,
        |v: Dynamic, value: Dynamic| -> RhaiResult<Dynamic> {
            allowed_here("presume")?;
            let presumed = v.read_lock::<Unknown>().map(|u| u.fact);
            match presumed {
                Some(fact) => {
                    let json = to_json(&value)?;
                    // Handled as `if_unknown` handles it: should the rule stop on another unknown, this one is not
                    // among the facts it waits for.
                    with_ctx(|c| {
                        c.current.handled.push(fact);
                        c.current.presumed.push((fact, json));
                    });
                    Ok(value)
                }
                None => Ok(v),
            }
        },
    );
    FuncRegistration::new("pointer").set_into_module(m, |f: &mut FactObject| -> ImmutableString {
        f.fact.pointer().into()
    });
}

/// A positive unit for `round_to` and `round_up_to`.
fn unit_of(name: &str, unit: rhai::INT) -> RhaiResult<f64> {
    if unit <= 0 {
        return Err(refuse(
            FailureKind::InvalidArgument,
            format!("{name} needs a positive unit"),
        ));
    }
    Ok(unit as f64)
}

fn arithmetic(m: &mut Module) {
    FuncRegistration::new("round_up_to").set_into_module(
        m,
        |x: rhai::FLOAT, unit: rhai::INT| -> RhaiResult<rhai::FLOAT> {
            let u = unit_of("round_up_to", unit)?;
            Ok(((x / u) - 1e-9).ceil() * u)
        },
    );
    FuncRegistration::new("round_to").set_into_module(
        m,
        |x: rhai::FLOAT, unit: rhai::INT| -> RhaiResult<rhai::FLOAT> {
            let u = unit_of("round_to", unit)?;
            Ok((x / u).round() * u)
        },
    );
    // A whole number rounds up exactly (no allowance for the float error of a computed amount).
    FuncRegistration::new("round_up_to").set_into_module(
        m,
        |x: rhai::INT, unit: rhai::INT| -> RhaiResult<rhai::FLOAT> {
            let u = unit_of("round_up_to", unit)?;
            Ok(((x as f64) / u).ceil() * u)
        },
    );
    FuncRegistration::new("round_to").set_into_module(
        m,
        |x: rhai::INT, unit: rhai::INT| -> RhaiResult<rhai::FLOAT> {
            let u = unit_of("round_to", unit)?;
            Ok(((x as f64) / u).round() * u)
        },
    );
    FuncRegistration::new("clamp").set_into_module(
        m,
        |x: Dynamic, lo: Dynamic, hi: Dynamic| -> RhaiResult<rhai::FLOAT> {
            Ok(number(&x, "clamp's value")?
                .max(number(&lo, "clamp's low end")?)
                .min(number(&hi, "clamp's high end")?))
        },
    );
    FuncRegistration::new("min").set_into_module(
        m,
        |a: Dynamic, b: Dynamic| -> RhaiResult<rhai::FLOAT> {
            Ok(number(&a, "min's first value")?.min(number(&b, "min's second value")?))
        },
    );
    FuncRegistration::new("max").set_into_module(
        m,
        |a: Dynamic, b: Dynamic| -> RhaiResult<rhai::FLOAT> {
            Ok(number(&a, "max's first value")?.max(number(&b, "max's second value")?))
        },
    );
}
