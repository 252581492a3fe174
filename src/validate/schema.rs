//! Checking a case's JSON against the case schema, worded for a person: every error with its JSON Pointer, a
//! misspelt key or choice with a "did you mean" help, and whole numbers written as decimals. Called by
//! [`crate::validate::validate_value`].

use std::fmt::Write as _;
use std::sync::OnceLock;

use serde_json::Value;

use super::error::CaseError;
use crate::model::case::SCHEMA_VERSION;
use crate::model::suggest::did_you_mean;

/// Builds the case schema's validator now (it is built once, on first use): a caller that is about to load a policy
/// can do both at once on two cores.
pub fn warm_up() {
    let _ = validator();
}

fn validator() -> Option<&'static jsonschema::Validator> {
    static VALIDATOR: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| jsonschema::validator_for(crate::model::schema::case_schema_ref()).ok())
        .as_ref()
}

/// Every schema error of a JSON value, as pointer + message, in document order.
pub fn schema_errors(json: &Value) -> Vec<CaseError> {
    let Some(validator) = validator() else {
        return vec![CaseError::at(
            "",
            "internal error: the case schema does not compile",
        )];
    };
    let mut errors: Vec<CaseError> = validator
        .iter_errors(json)
        .map(|e| {
            let pointer = e.instance_path().to_string();
            let (message, help) = describe(&e, json, &pointer);
            CaseError::at(pointer, message).help(help)
        })
        .collect();
    if json
        .get("schema_version")
        .and_then(Value::as_u64)
        .is_some_and(|v| v != u64::from(SCHEMA_VERSION))
    {
        errors.retain(|e| e.pointer != "/schema_version");
        errors.push(CaseError::at(
            "/schema_version",
            format!("this build reads schema version {SCHEMA_VERSION}; migrate the file or use a matching build"),
        ));
    }
    errors.sort_by(|a, b| a.pointer.cmp(&b.pointer).then(a.message.cmp(&b.message)));
    errors.dedup();
    errors
}

/// What is wrong at `pointer`, and a "did you mean" help when a near name exists.
fn describe(
    e: &jsonschema::ValidationError<'_>,
    json: &Value,
    pointer: &str,
) -> (String, Option<String>) {
    use jsonschema::error::ValidationErrorKind as K;
    let here = json.pointer(pointer);
    // A value outside a fact's allowed choices, however the schema words the choice.
    let choices = crate::model::facts::catalogue()
        .lookup(pointer)
        .and_then(|id| match &crate::model::facts::catalogue().node(id)?.ty {
            crate::model::facts::FactType::String { choices } if !choices.is_empty() => {
                Some(choices.clone())
            }
            _ => None,
        });
    if let (Some(opts), Some(got)) = (&choices, here) {
        if !got.as_str().is_some_and(|s| opts.iter().any(|o| o == s)) && !got.is_null() {
            return not_allowed(got, opts);
        }
    }
    match e.kind() {
        K::AdditionalProperties { unexpected } => {
            let allowed = crate::model::facts::catalogue().object_keys(pointer);
            let names: Vec<String> = unexpected.iter().map(|k| format!("`{k}`")).collect();
            let hints: Vec<String> = unexpected
                .iter()
                .filter_map(|k| did_you_mean(k, allowed.iter().map(String::as_str)).map(|s| (k, s)))
                .map(|(k, s)| match unexpected.len() {
                    1 => format!("did you mean `{s}`?"),
                    _ => format!("for `{k}`, did you mean `{s}`?"),
                })
                .collect();
            (
                format!(
                    "unknown field {}; allowed here: {}",
                    names.join(", "),
                    allowed.join(", ")
                ),
                (!hints.is_empty()).then(|| hints.join(" ")),
            )
        }
        K::Enum { options } => {
            let opts: Vec<String> = options
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter(|v| !v.is_null())
                        .map(|v| v.as_str().unwrap_or("?").to_string())
                        .collect()
                })
                .unwrap_or_default();
            not_allowed(here.unwrap_or(&Value::Null), &opts)
        }
        _ => (plain(e, here), None),
    }
}

/// A value that is not one of a fact's choices.
fn not_allowed(got: &Value, opts: &[String]) -> (String, Option<String>) {
    (
        format!(
            "{got} is not an allowed value; expected one of: {}, or null for unknown",
            opts.join(", ")
        ),
        got.as_str()
            .and_then(|s| did_you_mean(s, opts.iter().map(String::as_str)))
            .map(|s| format!("did you mean `{s}`?")),
    )
}

/// What is wrong, for the errors that have no near name to suggest.
fn plain(e: &jsonschema::ValidationError<'_>, here: Option<&Value>) -> String {
    use jsonschema::error::ValidationErrorKind as K;
    match e.kind() {
        K::Required { property } => format!("missing required field {property}"),
        K::Type { .. } => {
            let got = here.map(json_type).unwrap_or("nothing");
            format!("{}, found {got} ({})", expected_type(e), short(here))
        }
        K::MaxLength { limit } => format!("{} is longer than {limit} characters", short(here)),
        // The reason first: the array itself can be long, and is not the point.
        K::MaxItems { limit } => format!(
            "{} items, more than the limit of {limit}",
            here.and_then(Value::as_array).map_or(0, Vec::len)
        ),
        K::MinItems { limit } => format!(
            "{} items, fewer than the minimum of {limit}",
            here.and_then(Value::as_array).map_or(0, Vec::len)
        ),
        K::MinLength { limit } => format!("{} is shorter than {limit} character(s)", short(here)),
        _ => {
            let text = lower_first(&e.to_string());
            if text.chars().count() > 200 {
                format!("{}…", text.chars().take(200).collect::<String>())
            } else {
                text
            }
        }
    }
}

fn expected_type(e: &jsonschema::ValidationError<'_>) -> String {
    let text = e.to_string();
    // jsonschema words it `X is not of type "integer"`; keep the type part.
    // jsonschema words it `X is not of type "integer"` or `X is not of types "null", "integer"`.
    let Some((_, list)) = text.split_once("is not of type") else {
        return lower_first(&text);
    };
    let list = list.strip_prefix('s').unwrap_or(list);
    let types: Vec<&str> = list
        .split(',')
        .map(|t| t.trim().trim_matches('"'))
        .filter(|t| !t.is_empty())
        .collect();
    let concrete: Vec<&str> = types.iter().copied().filter(|t| *t != "null").collect();
    let mut out = format!("expected {}", concrete.join(" or "));
    if types.contains(&"null") {
        out.push_str(" or null (unknown)");
    }
    out
}

fn short(v: Option<&Value>) -> String {
    let s = v.map(Value::to_string).unwrap_or_default();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Every number written with a fraction or exponent (`34.0`, `3e1`) where the catalogue expects a whole number.
pub(super) fn integer_valued_floats(v: &Value, pointer: &mut String, errors: &mut Vec<CaseError>) {
    let len = pointer.len();
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                pointer.push('/');
                // Escaped only when it must be (a key is rarely `~` or `/`): this walk sees every value of a case.
                if k.contains(['~', '/']) {
                    pointer.push_str(&k.replace('~', "~0").replace('/', "~1"));
                } else {
                    pointer.push_str(k);
                }
                integer_valued_floats(child, pointer, errors);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointer.push('/');
                let _ = write!(pointer, "{i}");
                integer_valued_floats(child, pointer, errors);
                pointer.truncate(len);
            }
        }
        Value::Number(n) if n.is_f64() => {
            let catalogue = crate::model::facts::catalogue();
            let integer = catalogue
                .lookup(pointer)
                .and_then(|id| catalogue.node(id))
                .is_some_and(|node| matches!(node.ty, crate::model::facts::FactType::Integer));
            if integer {
                let whole = n
                    .as_f64()
                    .map(|x| format!(" (write {x:.0})"))
                    .unwrap_or_default();
                errors.push(CaseError::at(
                    pointer.clone(),
                    format!("expected a whole number without a decimal point, found {n}{whole}"),
                ));
            }
        }
        _ => {}
    }
}
