//! The values rules give to the vocabulary, checked and converted: numbers and amounts of money, and maps of
//! values turned into JSON once their depth and size are within the sandbox's limits. Called by
//! `engine::vocabulary`.

use std::collections::BTreeMap;

use rhai::{Dynamic, EvalAltResult, ImmutableString};
use serde_json::Value;

use crate::engine::context::with_ctx;
use crate::engine::facts::{type_label, unknown_used, FactObject, Unknown};
use crate::engine::failure::{refuse, FailureKind, Limit, RhaiResult};
use crate::engine::limits;

/// Checks, without recursion, that a value a rule gives (in `met`, `step`, …) is nested at most
/// [`limits::MAX_VALUE_DEPTH`] deep, and counts its size (elements and string bytes) against what the rule may still
/// give in all ([`limits::MAX_VALUE_SIZE`]). rhai's own limits bound the length of one list or string, not the
/// depth of lists in lists, so a rule could otherwise build a value whose conversion overflows the stack or
/// writes hundreds of megabytes of JSON.
fn check_value_bounds(v: &Dynamic) -> RhaiResult<()> {
    let mut size = 0usize;
    measure(v, 1, &mut size)?;
    let total = with_ctx(|c| {
        c.current.value_size += size;
        c.current.value_size
    });
    if total > limits::MAX_VALUE_SIZE {
        return Err(too_large());
    }
    Ok(())
}

fn too_large() -> Box<EvalAltResult> {
    refuse(
        FailureKind::Limit(Limit::ValueSize),
        format!(
            "the rule gave values larger than {} elements and bytes in all",
            limits::MAX_VALUE_SIZE
        ),
    )
}

/// Adds the size of `v` (at `depth`) to `size`; the recursion stops at [`limits::MAX_VALUE_DEPTH`].
fn measure(v: &Dynamic, depth: usize, size: &mut usize) -> RhaiResult<()> {
    if depth > limits::MAX_VALUE_DEPTH {
        return Err(refuse(
            FailureKind::Limit(Limit::ValueDepth),
            format!(
                "the rule gave a value nested more than {} deep (lists or maps inside each other)",
                limits::MAX_VALUE_DEPTH
            ),
        ));
    }
    *size += 1;
    if let Some(s) = v.read_lock::<ImmutableString>() {
        *size += s.len();
    } else if let Some(arr) = v.read_lock::<rhai::Array>() {
        for x in arr.iter() {
            measure(x, depth + 1, size)?;
        }
    } else if let Some(map) = v.read_lock::<rhai::Map>() {
        for (k, x) in map.iter() {
            *size += k.len();
            measure(x, depth + 1, size)?;
        }
    }
    if *size > limits::MAX_VALUE_SIZE {
        return Err(too_large());
    }
    Ok(())
}

/// A value a rule gives, as JSON, once its depth and size are checked.
pub(crate) fn to_json(v: &Dynamic) -> RhaiResult<Value> {
    check_value_bounds(v)?;
    to_json_bounded(v)
}

/// A value of bounded depth as JSON (the recursion is as deep as the value: at most [`limits::MAX_VALUE_DEPTH`]).
fn to_json_bounded(v: &Dynamic) -> RhaiResult<Value> {
    if let Some(u) = v.read_lock::<Unknown>() {
        return Err(unknown_used(&u));
    }
    Ok(if v.is_unit() {
        Value::Null
    } else if let Ok(b) = v.as_bool() {
        Value::Bool(b)
    } else if let Ok(i) = v.as_int() {
        Value::from(i)
    } else if let Ok(f) = v.as_float() {
        // JSON has no infinity or NaN: such a value is the rule's error, not a `null` nobody asked for.
        Value::Number(serde_json::Number::from_f64(f).ok_or_else(|| {
            refuse(
                FailureKind::InvalidArgument,
                format!("the rule gave a value that is not a finite number ({f}); a value must be one JSON can hold"),
            )
        })?)
    } else if let Some(s) = v.read_lock::<ImmutableString>() {
        Value::String(s.to_string())
    } else if let Some(arr) = v.read_lock::<rhai::Array>() {
        Value::Array(arr.iter().map(to_json_bounded).collect::<RhaiResult<_>>()?)
    } else if let Some(f) = v.read_lock::<FactObject>() {
        Value::String(f.fact.pointer())
    } else {
        Value::String(v.to_string())
    })
}

/// The values of a map a rule gives (`met(#{ … })`), as JSON.
pub(crate) fn to_values(map: &rhai::Map) -> RhaiResult<BTreeMap<String, Value>> {
    map.iter()
        .map(|(k, v)| Ok((k.to_string(), to_json(v)?)))
        .collect()
}

/// A number (whole or not) a function of the vocabulary takes; `what` names it in the failure.
pub(crate) fn number(v: &Dynamic, what: &str) -> RhaiResult<f64> {
    if let Some(u) = v.read_lock::<Unknown>() {
        return Err(unknown_used(&u));
    }
    if let Ok(i) = v.as_int() {
        return Ok(i as f64);
    }
    v.as_float().map_err(|_| {
        refuse(
            FailureKind::InvalidArgument,
            format!("{what} must be a number, not {}", type_label(v)),
        )
    })
}

/// A number of the amount's arithmetic (`step`, `cap`, `check`, `threshold`, `recommend`): finite and at most
/// [`limits::MAX_AMOUNT`] in size, or the rule fails naming it (NaN would be written as `null`, and 1e300 cannot be
/// shown as a whole number of yuan).
pub(crate) fn money(v: &Dynamic, what: &str) -> RhaiResult<f64> {
    let x = number(v, what)?;
    if !x.is_finite() || x.abs() > limits::MAX_AMOUNT {
        let shown = if x.is_finite() {
            format!("{x:e}")
        } else {
            x.to_string()
        };
        return Err(refuse(
            FailureKind::InvalidArgument,
            format!(
                "{what} must be a finite number between -{max:e} and {max:e}, not {shown}",
                max = limits::MAX_AMOUNT
            ),
        ));
    }
    Ok(x)
}
