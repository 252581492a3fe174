//! Reading parameter files: each top-level TOML table is one parameter (see [`crate::model::params`] for the
//! data and how a value in force is looked up). Called by [`load`](super::load) for each parameter file the
//! manifest names.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use crate::model::params::{ParamValue, Parameter, UNITS};
use crate::policy::PolicyError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameter {
    title: String,
    unit: String,
    reference: String,
    #[serde(default)]
    by_region: bool,
    values: Vec<ParamValue<String>>,
}

/// Parses one parameter file: the parameters it defines, and every problem found. Parameters with problems are
/// returned too, so that rules naming them are not reported as naming unknown parameters.
pub fn parse_file(text: &str, file: &str) -> (Vec<Parameter>, Vec<PolicyError>) {
    let raw: BTreeMap<Spanned<String>, RawParameter> = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => return (Vec::new(), vec![super::error::toml_error(file, text, &e)]),
    };
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (spanned, mut p) in raw {
        // The parameter's name in its table header, `[name]`.
        let span = spanned.span();
        let at = text
            .get(..span.start)
            .map_or(0, |t| t.matches('\n').count())
            + 1;
        let name = spanned.into_inner();
        let err = |msg: String| PolicyError::new(file, msg).span(span.clone(), text);
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            errors.push(err(format!(
                "parameter name `{name}` must be lowercase letters, digits and `_`"
            )));
        }
        if !UNITS.contains(&p.unit.as_str()) {
            let mut e = err(format!("parameter `{name}` has unknown unit `{}`", p.unit));
            e = match crate::model::suggest::did_you_mean(&p.unit, UNITS) {
                Some(s) => e.help(format!("did you mean `{s}`?")),
                None => e.help(format!("units are: {}", UNITS.join(", "))),
            };
            errors.push(e);
        }
        if p.reference.trim().is_empty() {
            errors.push(
                err(format!("parameter `{name}` has no reference"))
                    .help("say where the value comes from"),
            );
        }
        if p.values.is_empty() {
            errors.push(err(format!("parameter `{name}` has no values")));
        }
        // Two values of one region from the same day: which is in force would depend on their order in the file.
        let mut starts = std::collections::BTreeSet::new();
        for v in &p.values {
            if !starts.insert((v.region.as_deref(), v.from.as_str())) {
                errors.push(
                    err(format!(
                        "parameter `{name}` has two values from {}{}; only one can be in force",
                        v.from,
                        v.region
                            .as_deref()
                            .map_or(String::new(), |r| format!(" for {r}"))
                    ))
                    .help("remove one of them, or give them different dates"),
                );
            }
        }
        for v in &mut p.values {
            if crate::validate::parse_date(&v.from).is_none() {
                errors.push(err(format!(
                    "parameter `{name}`: `from = \"{}\"` is not a date (YYYY-MM-DD)",
                    v.from
                )));
            }
            if let Some(u) = &v.until {
                let from = crate::validate::parse_date(&v.from);
                if crate::validate::parse_date(u).is_none_or(|u| from.is_some_and(|f| u < f)) {
                    errors.push(err(format!(
                        "parameter `{name}`: `until = \"{u}\"` is not a date on or after `from`"
                    )));
                }
            }
            if p.by_region != v.region.is_some() {
                errors.push(err(if p.by_region {
                    format!("parameter `{name}` varies by region, so every value needs `region`")
                } else {
                    format!("parameter `{name}` does not vary by region; set `by_region = true` or remove `region`")
                }));
            }
            // Every unit is numeric: a value is a number, or a table of numbers keyed by a fact's values.
            if !matches!(&v.value, Value::Number(_) | Value::Object(_)) {
                errors.push(err(format!(
                    "parameter `{name}` is in `{}`, so its value must be a number (or a table of numbers), not {}",
                    p.unit,
                    match &v.value {
                        Value::String(s) => format!("the string \"{s}\""),
                        other => other.to_string(),
                    }
                )));
                continue;
            }
            match to_dynamic(&v.value) {
                Some(d) => v.dynamic = d,
                None => errors.push(err(format!(
                    "parameter `{name}`: a value must be a number, a string, or a table of numbers"
                ))),
            }
        }
        out.push(Parameter {
            key: std::sync::Arc::from(name.as_str()),
            name,
            title: p.title,
            unit: p.unit,
            reference: p.reference,
            by_region: p.by_region,
            values: p
                .values
                .into_iter()
                .filter_map(|v| {
                    let from = crate::validate::parse_date(&v.from)?;
                    let until = match &v.until {
                        Some(u) => Some(crate::validate::parse_date(u)?),
                        None => None,
                    };
                    Some(v.dated(from, until))
                })
                .collect(),
            file: file.to_string(),
            line: Some(at),
            source_line: text
                .lines()
                .nth(at.saturating_sub(1))
                .unwrap_or("")
                .to_string(),
        });
    }
    (out, errors)
}

fn to_dynamic(v: &Value) -> Option<rhai::Dynamic> {
    Some(match v {
        Value::Number(n) if n.is_i64() => rhai::Dynamic::from_int(n.as_i64()?),
        Value::Number(n) => rhai::Dynamic::from_float(n.as_f64()?),
        Value::String(s) => rhai::Dynamic::from(s.clone()),
        Value::Bool(b) => rhai::Dynamic::from_bool(*b),
        Value::Object(map) => {
            let mut m = rhai::Map::new();
            for (k, v) in map {
                if !matches!(v, Value::Number(_)) {
                    return None;
                }
                m.insert(k.as_str().into(), to_dynamic(v)?);
            }
            rhai::Dynamic::from_map(m)
        }
        _ => return None,
    })
}
