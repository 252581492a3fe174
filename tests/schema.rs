//! The checked-in schemas are exactly what the types generate. Regenerate with
//! `UPDATE_SCHEMAS=1 cargo test schema` (or `assessor schema case > schemas/case.schema.json`).

use assessor::model::schema::{case_schema, recommendation_schema, to_file_text};

use crate::support::root;

fn check(file: &str, generated: String) {
    let path = root().join("schemas").join(file);
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::write(&path, &generated).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "schemas/{file} is out of date with the Rust types; run `UPDATE_SCHEMAS=1 cargo test schema` and commit it"
    );
}

#[test]
fn case_schema_is_in_sync() {
    check("case.schema.json", to_file_text(&case_schema()));
}

#[test]
fn recommendation_schema_is_in_sync() {
    check(
        "recommendation.schema.json",
        to_file_text(&recommendation_schema()),
    );
}

#[test]
fn every_corpus_recommendation_validates_against_the_recommendation_schema() {
    let schema = recommendation_schema();
    let validator = jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("schema does not compile: {e}"));
    for path in crate::support::corpus() {
        let rec = serde_json::to_value(crate::support::assess_file(&path)).unwrap_or_default();
        let errors: Vec<String> = validator
            .iter_errors(&rec)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
}

#[test]
fn every_corpus_case_validates_against_the_published_case_schema() {
    let text = std::fs::read_to_string(root().join("schemas/case.schema.json")).unwrap_or_default();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let validator = jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("schema does not compile: {e}"));
    for path in crate::support::corpus() {
        let case: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap_or_default()).unwrap_or_default();
        assert!(
            validator.is_valid(&case),
            "{} does not validate",
            path.display()
        );
    }
}
