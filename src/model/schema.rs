//! The published JSON Schemas, generated from the Rust types. Read by validation (the case schema), the fact
//! catalogue and the CLI's `schema`.

use serde_json::Value;

use crate::model::case::Case;
use crate::model::recommendation::Recommendation;

/// `$id` of the case schema.
pub const CASE_SCHEMA_ID: &str = "https://assessor.example/schemas/case.schema.json";
/// `$id` of the recommendation schema.
pub const RECOMMENDATION_SCHEMA_ID: &str =
    "https://assessor.example/schemas/recommendation.schema.json";

/// The JSON Schema of a case file (schema version 1).
pub fn case_schema() -> Value {
    case_schema_ref().clone()
}

/// The same schema, generated once per process and shared: the fact catalogue and the validator both start from it
/// (at once, on two cores, when a command loads a policy).
pub fn case_schema_ref() -> &'static Value {
    static SCHEMA: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(generate_case_schema)
}

fn generate_case_schema() -> Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(Case)).unwrap_or(Value::Null);
    nullable_refs(&mut schema);
    with_id(schema, CASE_SCHEMA_ID)
}

/// schemars writes an optional struct or enum as `anyOf: [{$ref}, {type: null}]`; a validator then reports any
/// error inside it as "not valid under any of the schemas" at the parent. Rewrites each such place to a plain
/// `$ref` and makes the referenced definition accept `null` itself, so that errors name the exact field.
fn nullable_refs(schema: &mut Value) {
    let mut targets = Vec::new();
    collapse(schema, &mut targets);
    let Some(defs) = schema.get_mut("$defs").and_then(Value::as_object_mut) else {
        return;
    };
    for name in targets {
        let Some(def) = defs.get_mut(&name).and_then(Value::as_object_mut) else {
            continue;
        };
        if let Some(values) = def.get_mut("enum").and_then(Value::as_array_mut) {
            if !values.contains(&Value::Null) {
                values.push(Value::Null);
            }
        }
        if let Some(alts) = def.get_mut("oneOf").and_then(Value::as_array_mut) {
            let null = serde_json::json!({ "type": "null", "description": "Unknown." });
            if !alts.contains(&null) {
                alts.push(null);
            }
        }
        if let Some(Value::String(t)) = def.get("type").cloned() {
            def.insert("type".into(), serde_json::json!([t, "null"]));
        }
    }
}

fn collapse(v: &mut Value, targets: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            let replacement = map.get("anyOf").and_then(Value::as_array).and_then(|alts| {
                let [a, b] = alts.as_slice() else { return None };
                let is_null = |x: &Value| x.get("type").and_then(Value::as_str) == Some("null");
                let r = if is_null(b) {
                    a
                } else if is_null(a) {
                    b
                } else {
                    return None;
                };
                r.get("$ref").and_then(Value::as_str).map(str::to_string)
            });
            if let Some(r) = replacement {
                map.remove("anyOf");
                if let Some(name) = r.strip_prefix("#/$defs/") {
                    if !targets.iter().any(|t| t == name) {
                        targets.push(name.to_string());
                    }
                }
                map.insert("$ref".into(), Value::String(r));
            }
            for child in map.values_mut() {
                collapse(child, targets);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|c| collapse(c, targets)),
        _ => {}
    }
}

/// The JSON Schema of a recommendation.
pub fn recommendation_schema() -> Value {
    with_id(
        serde_json::to_value(schemars::schema_for!(Recommendation)).unwrap_or(Value::Null),
        RECOMMENDATION_SCHEMA_ID,
    )
}

fn with_id(mut schema: Value, id: &str) -> Value {
    if let Some(obj) = schema.as_object_mut() {
        obj.insert("$id".into(), Value::String(id.into()));
    }
    schema
}

/// A schema as the text checked in under `schemas/`: pretty JSON with a final newline.
pub fn to_file_text(schema: &Value) -> String {
    // `{:#}` is serde_json's pretty printer for a `Value`, which cannot fail.
    let mut s = format!("{schema:#}");
    s.push('\n');
    s
}
