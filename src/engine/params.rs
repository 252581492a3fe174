//! How rules read the policy's parameters: the `params` object's indexer gives a parameter's value in force on
//! the case's decision date (and in its province), records the parameter read, and stops the rule for want of the
//! province when a value depends on it. Registered into the sandbox by `engine::sandbox`.

use std::sync::Arc;

use rhai::{Dynamic, Engine};

use crate::engine::context::{try_ctx, Obs, Read};
use crate::engine::facts::{stop_unknown, ParamsObject};
use crate::engine::failure::{refuse, refuse_with_help, FailureKind, RhaiResult};
use crate::engine::observe::{self, parameter_province, province_fact};
use crate::model::params::Lookup;
use crate::model::suggest::did_you_mean;

fn param_value(name: &str) -> RhaiResult<Dynamic> {
    try_ctx(|c| {
        let params = Arc::clone(&c.params);
        let key = params.get(name).map(|p| Arc::clone(&p.key));
        if let Some(key) = &key {
            c.current.params.push(Arc::clone(key));
            // What the rule sees is the lookup's result below, a function of what this observation writes.
            observe::record(c, Obs::Param(Arc::clone(key)));
        }
        // A province put in place of an unknown one (see `crate::assess::unknowns`) picks that province's values;
        // the case's own province's value is looked up once per case.
        let own = !observe::put_in_place(c, province_fact());
        if own {
            if let Some(v) = c
                .fact_bytes
                .try_borrow()
                .ok()
                .and_then(|b| b.in_force.get(name).cloned())
            {
                return Ok(v);
            }
        }
        let province = parameter_province(&c.overrides, c.province.as_deref());
        match params.lookup(name, c.date, province) {
            Lookup::Found(v) => {
                if let (true, Some(key), Ok(mut b)) = (own, key, c.fact_bytes.try_borrow_mut()) {
                    b.in_force.insert(key, v.dynamic.clone());
                }
                Ok(v.dynamic.clone())
            }
            Lookup::NeedsProvince => {
                let p = province_fact();
                c.current.reads.push(Read {
                    fact: p,
                    known: false,
                });
                Err(stop_unknown(vec![p]))
            }
            Lookup::NoneInForce => {
                let file = params.get(name).map(|p| p.file.clone()).unwrap_or_default();
                Err(refuse(
                    FailureKind::ParameterNotInForce,
                    format!(
                        "parameter `{name}` has no value in force on {}{}: the policy does not cover this decision \
                         date; add a value to {file} (the case itself is valid)",
                        c.date,
                        c.province.as_deref().map(|p| format!(" for {p}")).unwrap_or_default()
                    ),
                ))
            }
            Lookup::NoSuchParameter => Err(refuse_with_help(
                FailureKind::UnknownParameter,
                format!("unknown parameter `{name}`"),
                did_you_mean(name, params.names()).map(|s| format!("did you mean `{s}`?")),
            )),
        }
    })
}

/// Registers the indexer of `params`.
pub(crate) fn register_params(e: &mut Engine) {
    e.register_indexer_get(|_p: &mut ParamsObject, name: &str| param_value(name));
}

/// Gives each of a policy's parameter `names` a getter of its own on `params`: `params.earner_wage_months`
/// resolves at once instead of missing a getter and falling back to the indexer (the same function, so the same
/// value, read and refusal; a name the policy does not define still goes to the indexer, which refuses it).
pub(crate) fn register_parameter_getters<'a>(e: &mut Engine, names: impl Iterator<Item = &'a str>) {
    for name in names {
        let key: Arc<str> = Arc::from(name);
        e.register_get(name, move |_p: &mut ParamsObject| param_value(&key));
    }
}
