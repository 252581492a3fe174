//! How rules read the case: the `facts` object ([`FactObject`]), served on demand through an indexer that checks
//! each name against the case schema's fact catalogue, records the fact read in the evaluation context, and gives
//! an [`Unknown`] for a fact the case leaves absent or `null`; any use of an `Unknown` stops the rule and names
//! the fact ([`UnknownSignal`]). Registered into the sandbox by `engine::sandbox`; `Unknown` and the raised facts
//! are read by the vocabulary, the parameters and the running of a rule.

use std::cell::RefCell;

use rhai::{Dynamic, Engine, EvalAltResult, ImmutableString, Position};
use serde_json::Value;

use crate::engine::context::{read_ctx, with_ctx, Obs, Read};
use crate::engine::failure::{refuse, refuse_with_help, FailureKind, RhaiResult};
use crate::engine::observe;
use crate::model::facts::{catalogue, FactRef, FactType};
use crate::model::suggest::did_you_mean;

/// A fact that the case file leaves unknown (absent or `null`).
#[derive(Debug, Clone)]
pub struct Unknown {
    pub(crate) fact: FactRef,
}

/// A node of the case file (the whole case, or an object or array element in it).
#[derive(Debug, Clone)]
pub struct FactObject {
    pub(crate) fact: FactRef,
}

/// The policy's parameters, as rules see them (the indexer is in `engine::params`).
#[derive(Debug, Clone)]
pub struct ParamsObject;

/// Raised to stop a rule whose conclusion depends on unknown facts; carries them.
#[derive(Debug, Clone)]
pub(crate) struct UnknownSignal(pub Vec<FactRef>);

thread_local! {
    /// Unknown facts that stopped the rule running on this thread (kept apart from the evaluation context, which
    /// may be borrowed when a rule is stopped). A rule that was stopped is unknown, even if its error was caught.
    static UNKNOWN_RAISED: RefCell<Vec<FactRef>> = const { RefCell::new(Vec::new()) };
}

/// The error that stops a rule for want of `facts` (and notes them, in case the rule catches it).
pub(crate) fn stop_unknown(facts: Vec<FactRef>) -> Box<EvalAltResult> {
    UNKNOWN_RAISED.with(|r| r.borrow_mut().extend_from_slice(&facts));
    EvalAltResult::ErrorRuntime(Dynamic::from(UnknownSignal(facts)), Position::NONE).into()
}

/// The error that stops a rule which used the unknown `u`.
pub(crate) fn unknown_used(u: &Unknown) -> Box<EvalAltResult> {
    stop_unknown(vec![u.fact])
}

/// The unknown facts that stopped the rule running on this thread, leaving none.
pub(crate) fn take_raised() -> Vec<FactRef> {
    UNKNOWN_RAISED.with(|r| std::mem::take(&mut *r.borrow_mut()))
}

/// What a value is, in words for analysts.
pub(crate) fn type_label(d: &Dynamic) -> &'static str {
    if d.is_int() {
        "a whole number"
    } else if d.is_float() {
        "a number"
    } else if d.is_bool() {
        "true/false"
    } else if d.is_string() {
        "a string"
    } else if d.is_char() {
        "a character"
    } else if d.is_unit() {
        "nothing (`()`)"
    } else if d.is_array() {
        "a list"
    } else if d.is_map() {
        "a map"
    } else if d.is::<FactObject>() {
        "a group of facts"
    } else {
        "a value"
    }
}

/// The `facts` variable every rule reads: the whole case.
pub(crate) fn root() -> FactObject {
    FactObject {
        fact: FactRef::plain(catalogue().root()),
    }
}

fn record_read(fact: FactRef, known: bool) {
    with_ctx(|c| {
        c.current.reads.push(Read { fact, known });
        observe::record(c, Obs::Fact(fact));
    });
}

fn fact_child(obj: &FactObject, name: &str) -> RhaiResult<Dynamic> {
    let cat = catalogue();
    let parent = obj.fact.node as usize;
    let Some(child) = cat
        .child(parent, name)
        .filter(|&c| cat.node(c).is_some_and(|n| n.readable))
    else {
        let names: Vec<&str> = cat
            .child_names(parent)
            .into_iter()
            .filter(|n| *n != "notes" && *n != "$schema")
            .collect();
        let at = if parent == cat.root() {
            "the case".to_string()
        } else {
            format!("`{}`", obj.fact.pointer())
        };
        let help = match did_you_mean(name, names.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("facts here are: {}", names.join(", ")),
        };
        return Err(refuse_with_help(
            FailureKind::UnknownFact,
            format!("unknown fact `{name}` in {at}"),
            Some(help),
        ));
    };
    let Some(node) = cat.node(child) else {
        return Err(refuse(
            FailureKind::Internal,
            "internal error: fact catalogue",
        ));
    };
    let fact = FactRef {
        node: child as u32,
        index: obj.fact.index,
    };
    if let FactType::Object(_) = node.ty {
        return Ok(Dynamic::from(FactObject { fact }));
    }
    // Read the value in place: no copy of the case, and a leaf converted only when read — once per case for the
    // case's own values.
    let (value, known) = read_ctx(|ctx| {
        let own = !observe::put_in_place(ctx, fact);
        if own {
            if let Some(seen) = ctx
                .fact_bytes
                .try_borrow()
                .ok()
                .and_then(|c| c.leaves.get(&fact).cloned())
            {
                return Ok(seen);
            }
        }
        let read = match (&node.ty, observe::fact_value(ctx, fact)) {
            (_, None | Some(Value::Null)) => (Dynamic::from(Unknown { fact }), false),
            (FactType::Array(item), Some(Value::Array(items))) => {
                let item_ty = cat.node(*item).map(|n| &n.ty);
                let arr: rhai::Array = items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| match item_ty {
                        Some(FactType::Object(_)) => Dynamic::from(FactObject {
                            fact: FactRef {
                                node: *item as u32,
                                index: i as u32,
                            },
                        }),
                        Some(ty) => json_leaf(v, ty),
                        None => Dynamic::UNIT,
                    })
                    .collect();
                (Dynamic::from_array(arr), true)
            }
            (ty, Some(v)) => (json_leaf(v, ty), true),
        };
        if own {
            if let Ok(mut c) = ctx.fact_bytes.try_borrow_mut() {
                c.leaves.insert(fact, read.clone());
            }
        }
        Ok(read)
    })?;
    record_read(fact, known);
    Ok(value)
}

/// A leaf value as rules see it: money (`number` in the schema) is always a float, so `60000 / 7128` divides
/// as numbers do, never as whole numbers.
pub(crate) fn json_leaf(v: &Value, ty: &FactType) -> Dynamic {
    match v {
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) if !n.is_f64() && *ty != FactType::Number => Dynamic::from_int(i),
            _ => Dynamic::from_float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Dynamic::from(s.clone()),
        _ => Dynamic::UNIT,
    }
}

/// Registers the types of facts, their indexer, and the operators that stop a rule using an unknown fact.
pub(crate) fn register_facts(e: &mut Engine) {
    e.register_type_with_name::<FactObject>("Facts");
    e.register_type_with_name::<Unknown>("Unknown");
    e.register_type_with_name::<ParamsObject>("Params");
    e.register_indexer_get(|obj: &mut FactObject, name: &str| fact_child(obj, name));
    // A getter of its own for every name a fact has in the catalogue: `facts.victim.relation` resolves each
    // property at once instead of missing a getter and falling back to the indexer (the same function, so the
    // same value, read and refusal).
    let names: std::collections::BTreeSet<&'static str> = catalogue()
        .nodes()
        .iter()
        .filter_map(|n| match &n.ty {
            FactType::Object(children) => Some(children.keys().map(String::as_str)),
            _ => None,
        })
        .flatten()
        .collect();
    for name in names {
        e.register_get(name, move |obj: &mut FactObject| fact_child(obj, name));
    }
    e.register_indexer_get(|u: &mut Unknown, _name: &str| -> RhaiResult<Dynamic> {
        Err(unknown_used(u))
    });
    e.register_indexer_get(|u: &mut Unknown, _i: rhai::INT| -> RhaiResult<Dynamic> {
        Err(unknown_used(u))
    });
    for op in ["==", "!=", "<", "<=", ">", ">="] {
        e.register_fn(op, |a: &mut Unknown, _b: Dynamic| -> RhaiResult<bool> {
            Err(unknown_used(a))
        });
        e.register_fn(op, |_a: Dynamic, b: Unknown| -> RhaiResult<bool> {
            Err(unknown_used(&b))
        });
    }
    for op in ["+", "-", "*", "/", "%", "**"] {
        e.register_fn(op, |a: &mut Unknown, _b: Dynamic| -> RhaiResult<Dynamic> {
            Err(unknown_used(a))
        });
        e.register_fn(op, |_a: Dynamic, b: Unknown| -> RhaiResult<Dynamic> {
            Err(unknown_used(&b))
        });
    }
    e.register_fn("!", |a: &mut Unknown| -> RhaiResult<bool> {
        Err(unknown_used(a))
    });
    e.register_fn("-", |a: &mut Unknown| -> RhaiResult<Dynamic> {
        Err(unknown_used(a))
    });
    e.register_fn("len", |a: &mut Unknown| -> RhaiResult<rhai::INT> {
        Err(unknown_used(a))
    });
    e.register_fn(
        "to_string",
        |a: &mut Unknown| -> RhaiResult<ImmutableString> { Err(unknown_used(a)) },
    );
    e.register_fn(
        "contains",
        |_arr: &mut rhai::Array, b: Unknown| -> RhaiResult<bool> { Err(unknown_used(&b)) },
    );
}
