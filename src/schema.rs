//! The published JSON Schemas, generated from the Rust types.

use serde_json::Value;

use crate::case::Case;
use crate::recommendation::Recommendation;

/// `$id` of the case schema.
pub const CASE_SCHEMA_ID: &str = "https://assessor.example/schemas/case.schema.json";
/// `$id` of the recommendation schema.
pub const RECOMMENDATION_SCHEMA_ID: &str = "https://assessor.example/schemas/recommendation.schema.json";

/// The JSON Schema of a case file (schema version 1).
pub fn case_schema() -> Value {
    with_id(serde_json::to_value(schemars::schema_for!(Case)).unwrap_or(Value::Null), CASE_SCHEMA_ID)
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
    let mut s = serde_json::to_string_pretty(schema).unwrap_or_default();
    s.push('\n');
    s
}
