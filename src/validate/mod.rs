//! Reading and validating case files: JSON syntax (with line and column), then the JSON Schema (every error,
//! each with its JSON Pointer), then what a schema cannot say (calendar dates, consistency). Called by the CLI,
//! the expectations, what-if and the interview before a case is assessed.

use serde_json::Value;

use crate::model::case::Case;

mod error;
mod json;
mod read;
mod schema;

pub use error::CaseError;
pub use json::parse_json;
pub use read::{read_case_file, ReadError, DEFAULT_MAX_SIZE};
pub use schema::schema_errors;
use schema::integer_valued_floats;

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
    let case: Case = match serde::Deserialize::deserialize(&json) {
        Ok(c) => c,
        Err(e) => {
            return Err(vec![CaseError::at(
                "",
                format!("the case does not match the case types: {e}"),
            )])
        }
    };
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

/// Checks that need more than the schema: real calendar dates and consistent figures.
fn semantic_errors(case: &Case, errors: &mut Vec<CaseError>) {
    if parse_date(&case.decision_date).is_none() {
        errors.push(CaseError::at(
            "/decision_date",
            format!(
                "`{}` is not a calendar date between 2000-01-01 and 2099-12-31 (YYYY-MM-DD)",
                case.decision_date
            ),
        ));
    }
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

/// Parses `YYYY-MM-DD` into (year, month, day) if it is a real date in 2000–2099.
pub fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    let mut parts = s.split('-');
    let y: u32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(2000..=2099).contains(&y) || !(1..=12).contains(&m) {
        return None;
    }
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (1..=days).contains(&d).then_some((y, m, d))
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
        assert!(shown.iter().any(|s| s.ends_with("\n  = help: did you mean `female`?")), "{shown:?}");
        let _: &dyn std::error::Error = &errors[0];
    }
}
