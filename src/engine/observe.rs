//! What a rule observes while it runs ([`Obs`]: a fact, a parameter, an earlier rule's outcome, the assessment's
//! progress) and the one function that writes an observation's value as bytes ([`write`]), used both to record
//! what a running rule saw and, later, to compare a case with what the memo recorded. Also which province a
//! rule's parameters are looked up for. Written by `facts`, `params` and `vocabulary`; read by `memo`.
//!
//! Each call site that records an observation gives the rule a value that is a function of that observation's
//! bytes alone — that is what makes [`crate::engine::memo`] exact.

use std::collections::HashMap;
use std::ops::Range;

use serde_json::Value;

use crate::engine::context::{Conclusion, EvalCtx, FactBytes, Obs, RuleRun};
use crate::model::facts::{catalogue, FactRef, FactType};
use crate::model::params::Lookup;

/// The value of `fact` as rules read it: a value put in place of an unknown fact by the searches over unknowns,
/// or the case's.
pub(crate) fn fact_value(ctx: &EvalCtx, fact: FactRef) -> Option<&Value> {
    ctx.overrides
        .iter()
        .find(|(f, _)| *f == fact)
        .map(|(_, v)| v)
        .or_else(|| catalogue().value(&ctx.case, fact))
}

/// Whether the searches over unknowns put a value in place of `fact` (else rules read the case's own).
pub(crate) fn put_in_place(ctx: &EvalCtx, fact: FactRef) -> bool {
    ctx.overrides.iter().any(|(f, _)| *f == fact)
}

/// Records that the running rule observed `obs`, with its value now — when the memo records this run.
pub(crate) fn record(ctx: &mut EvalCtx, obs: Obs) {
    if !ctx.current.recording {
        return;
    }
    let mut bytes = std::mem::take(&mut ctx.current.trace_bytes);
    let start = bytes.len() as u32;
    write(ctx, &obs, &mut bytes);
    let end = bytes.len() as u32;
    ctx.current.trace_bytes = bytes;
    ctx.current.trace.push((obs, start..end));
}

/// Writes what a rule sees of `obs` in the case now, as bytes: equal bytes, equal values for the rule.
pub(crate) fn write(ctx: &EvalCtx, obs: &Obs, out: &mut Vec<u8>) {
    match obs {
        Obs::Fact(fact) if put_in_place(ctx, *fact) => write_fact(ctx, *fact, out),
        // The case's own value: written once per case, then copied.
        Obs::Fact(fact) => match ctx.fact_bytes.try_borrow_mut() {
            Ok(mut cache) => {
                let FactBytes { at, bytes, .. } = &mut *cache;
                copy_cached(at, bytes, fact, out, |b| write_fact(ctx, *fact, b));
            }
            Err(_) => write_fact(ctx, *fact, out),
        },
        Obs::Param(name) => {
            let province_put = put_in_place(ctx, province_fact());
            match ctx.fact_bytes.try_borrow_mut() {
                // The case's own province: looked up once per case, then copied.
                Ok(mut cache) if !province_put => {
                    let FactBytes { params, bytes, .. } = &mut *cache;
                    copy_cached(params, bytes, name, out, |b| write_param(ctx, name, b));
                }
                _ => write_param(ctx, name, out),
            }
        }
        Obs::Fired(i) | Obs::ValueOf(i, _) => {
            match ctx.runs.get(*i as usize).and_then(Option::as_deref) {
                None => out.push(b'n'),
                Some(RuleRun::Unknown { missing, .. }) => {
                    out.push(b'u');
                    for f in missing {
                        fact_ref(out, *f);
                    }
                }
                Some(RuleRun::Concluded {
                    conclusion, reads, ..
                }) => {
                    out.push(b'c');
                    for r in reads {
                        fact_ref(out, r.fact);
                        out.push(u8::from(r.known));
                    }
                    out.push(b'|');
                    let (met, values) = match conclusion {
                        Conclusion::Met { values, .. } => (true, values),
                        Conclusion::NotMet { values } => (false, values),
                    };
                    match obs {
                        Obs::ValueOf(_, key) => match values.get(&**key) {
                            Some(v) => json(out, v),
                            None => out.push(b'~'),
                        },
                        _ => out.push(u8::from(met)),
                    }
                }
            }
        }
        Obs::Decision => str_or_none(out, ctx.decision.map(|d| d.as_str())),
        Obs::Tier => str_or_none(out, ctx.tier.map(|t| t.as_str())),
        Obs::Score => match ctx.score {
            Some(s) => out.extend_from_slice(&s.to_le_bytes()),
            None => out.push(b'~'),
        },
    }
}

/// Copies to `out` the bytes `at` holds for `key` in `bytes`, written there first by `write` if it holds none.
fn copy_cached<K: std::hash::Hash + Eq + Clone>(
    at: &mut HashMap<K, Range<u32>, ahash::RandomState>,
    bytes: &mut Vec<u8>,
    key: &K,
    out: &mut Vec<u8>,
    write: impl FnOnce(&mut Vec<u8>),
) {
    let range = match at.get(key) {
        Some(r) => r.clone(),
        None => {
            let start = bytes.len() as u32;
            write(bytes);
            let r = start..bytes.len() as u32;
            at.insert(key.clone(), r.clone());
            r
        }
    };
    out.extend_from_slice(
        bytes
            .get(range.start as usize..range.end as usize)
            .unwrap_or_default(),
    );
}

/// A parameter as the `params` indexer gives it: its value in force, or why there is none.
fn write_param(ctx: &EvalCtx, name: &str, out: &mut Vec<u8>) {
    let province = parameter_province(&ctx.overrides, ctx.province.as_deref());
    match ctx.params.lookup(name, ctx.date, province) {
        Lookup::Found(v) => {
            out.push(b'=');
            json(out, &v.value);
        }
        Lookup::NeedsProvince => out.push(b'P'),
        Lookup::NoneInForce => out.push(b'N'),
        Lookup::NoSuchParameter => out.push(b'X'),
    }
}

/// A fact as the `facts` indexer gives it: unknown; a list of objects, of which a rule sees only how many there
/// are (their facts are read, and observed, one by one); or the value itself.
fn write_fact(ctx: &EvalCtx, fact: FactRef, out: &mut Vec<u8>) {
    let cat = catalogue();
    let node = cat.node(fact.node as usize);
    match fact_value(ctx, fact) {
        None | Some(Value::Null) => out.push(b'~'),
        Some(Value::Array(items))
            if node.is_some_and(|n| match &n.ty {
                FactType::Array(item) => {
                    matches!(cat.node(*item).map(|i| &i.ty), Some(FactType::Object(_)))
                }
                _ => false,
            }) =>
        {
            out.push(b'#');
            out.extend_from_slice(&(items.len() as u64).to_le_bytes());
        }
        Some(v) => {
            out.push(b'=');
            json(out, v);
        }
    }
}

fn json(out: &mut Vec<u8>, v: &Value) {
    // Written in place (a `Value` always serialises).
    let _ = serde_json::to_writer(&mut *out, v);
}

fn fact_ref(out: &mut Vec<u8>, f: FactRef) {
    out.extend_from_slice(&f.node.to_le_bytes());
    out.extend_from_slice(&f.index.to_le_bytes());
}

fn str_or_none(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => {
            out.push(b'=');
            out.extend_from_slice(s.as_bytes());
        }
        None => out.push(b'~'),
    }
}

/// The `/jurisdiction/province` fact.
pub(crate) fn province_fact() -> FactRef {
    static PROVINCE: std::sync::OnceLock<FactRef> = std::sync::OnceLock::new();
    *PROVINCE
        .get_or_init(|| FactRef::plain(catalogue().lookup("/jurisdiction/province").unwrap_or(0)))
}

/// The province a rule's parameters are looked up for: one put in place of an unknown province by the searches
/// over unknowns, or the case's.
pub(crate) fn parameter_province<'a>(
    overrides: &'a [(FactRef, Value)],
    province: Option<&'a str>,
) -> Option<&'a str> {
    let pf = province_fact();
    overrides
        .iter()
        .find(|(f, _)| *f == pf)
        .and_then(|(_, v)| v.as_str())
        .or(province)
}
