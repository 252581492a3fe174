//! Reading and validating case files: JSON syntax (with line and column), then the JSON Schema (every error,
//! each with its JSON Pointer), then what a schema cannot say (calendar dates, consistency). Called by the CLI,
//! the expectations, what-if and the interview before a case is assessed.

use serde_json::Value;

use crate::model::case::Case;

mod error;
mod json;
mod read;
mod schema;

pub use crate::model::case::parse_date;
pub use error::CaseError;
pub use json::parse_json;
pub use read::{read_case_file, ReadError, DEFAULT_MAX_SIZE};
use schema::integer_valued_floats;
pub use schema::{schema_errors, warm_up};

/// A case file that passed validation: the typed case and the JSON it came from (which the rules read).
#[derive(Debug, Clone)]
pub struct ValidCase {
    /// The typed case.
    pub case: Case,
    /// The same case as JSON; object keys sorted, so it is the canonical form. Shared, never copied, by the
    /// assessments that read it.
    pub json: std::sync::Arc<Value>,
}

/// Parses and validates a case file's bytes. Returns every error found, in document order.
pub fn parse_case(bytes: &[u8]) -> Result<ValidCase, Vec<CaseError>> {
    let json = parse_json(bytes).map_err(|e| vec![e])?;
    validate_value(json)
}

/// Validates a parsed JSON value as a case file.
pub fn validate_value(json: Value) -> Result<ValidCase, Vec<CaseError>> {
    let mut errors = schema_errors(&json);
    if !errors.is_empty() {
        return Err(errors);
    }
    // JSON Schema counts `34.0` as an integer; the case types do not. Name each such number by its pointer.
    integer_valued_floats(&json, &mut String::new(), &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    // A date that is not a real calendar date is reported with the other checks below; the typed case reads a
    // stand-in so that those checks still run.
    let date = json.get("decision_date").and_then(Value::as_str);
    let bad_date = date.filter(|d| parse_date(d).is_none()).map(str::to_string);
    let typed = match &bad_date {
        Some(_) => {
            let mut copy = json.clone();
            if let Some(d) = copy.get_mut("decision_date") {
                *d = Value::from("2000-01-01");
            }
            serde::Deserialize::deserialize(&copy)
        }
        None => serde::Deserialize::deserialize(&json),
    };
    let case: Case = match typed {
        Ok(c) => c,
        Err(e) => {
            return Err(vec![CaseError::at(
                "",
                format!("the case does not match the case types: {e}"),
            )])
        }
    };
    if let Some(d) = bad_date {
        errors.push(CaseError::at(
            "/decision_date",
            format!("`{d}` is not a calendar date between 2000-01-01 and 2099-12-31 (YYYY-MM-DD)"),
        ));
    }
    semantic_errors(&case, &mut errors);
    if errors.is_empty() {
        Ok(ValidCase {
            case,
            json: std::sync::Arc::new(json),
        })
    } else {
        Err(errors)
    }
}

/// Checks that need more than the schema: consistent figures (the date is checked before the case is typed).
fn semantic_errors(case: &Case, errors: &mut Vec<CaseError>) {
    if let Some(i) = &case.incident {
        for (name, v) in [
            ("unpaid_medical_costs", i.unpaid_medical_costs),
            ("property_loss", i.property_loss),
            ("assessed_loss", i.assessed_loss),
            ("compensation_received", i.compensation_received),
            ("compensation_paid_to_others", i.compensation_paid_to_others),
        ] {
            if let Some(v) = v {
                if !v.is_finite() {
                    errors.push(CaseError::at(
                        format!("/incident/{name}"),
                        "must be a finite number of yuan",
                    ));
                }
            }
        }
    }
    if let Some(i) = &case.incident {
        if let (Some(others), Some(received)) =
            (i.compensation_paid_to_others, i.compensation_received)
        {
            if others > received {
                errors.push(CaseError::at(
                    "/incident/compensation_paid_to_others",
                    format!(
                        "{others} yuan paid to others is more than the {received} yuan of `compensation_received` it \
                         is a part of; give the whole compensation in `compensation_received`"
                    ),
                ));
            }
        }
    }
    if let Some(p) = &case.prior_assistance {
        if p.same_case == Some(false) && p.amount.is_some_and(|a| a > 0.0) {
            errors.push(CaseError::at(
                "/prior_assistance/amount",
                "an amount was already paid but `same_case` is false; set `same_case` to true or the amount to 0",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "Did you mean" is help, never part of the message (it was part of the message before).
    #[test]
    fn a_near_miss_is_suggested_in_help_not_in_the_message() {
        let bytes = br#"{"schema_version": 1, "case_id": "X", "decision_date": "2022-09-01",
            "housheold": {}, "applicant": {"sex": "femal"}}"#;
        let errors = parse_case(bytes).err().unwrap_or_default();
        let helps: Vec<(&str, Option<&str>)> = errors
            .iter()
            .map(|e| (e.pointer.as_str(), e.help.as_deref()))
            .collect();
        assert_eq!(
            helps,
            [
                ("", Some("did you mean `household`?")),
                ("/applicant/sex", Some("did you mean `female`?"))
            ]
        );
        assert!(errors.iter().all(|e| !e.message.contains("did you mean")));
        let shown = errors.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert!(
            shown
                .iter()
                .any(|s| s.ends_with("\n  = help: did you mean `female`?")),
            "{shown:?}"
        );
        let _: &dyn std::error::Error = &errors[0];
    }
}
