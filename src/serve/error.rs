//! The API's errors: JSON `{code, message, place}` with a 4xx status for anything the client sent, and `errors`
//! (each with its own code, message and place) when a case has several problems. `message` is the text the CLI
//! prints for the same problem.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::validate::CaseError;

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable code (`invalid_case`, `too_large`, `bad_request`, …).
    pub code: &'static str,
    /// The message, as the CLI prints it.
    pub message: String,
    /// Where: a JSON Pointer, `line:column`, or a query parameter; `""` for the whole request.
    pub place: String,
    /// Every problem, when there are several (a case file's).
    pub errors: Vec<Value>,
    /// The case id, for the log line.
    pub case_id: Option<String>,
}

impl ApiError {
    /// An error with one problem.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
        place: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            place: place.into(),
            errors: Vec::new(),
            case_id: None,
        }
    }

    /// 400: a query parameter or a field of the request that makes no sense.
    pub fn bad_request(message: impl Into<String>, place: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message, place)
    }

    /// 422: a case file with problems (every one listed, the first one as the error's message).
    pub fn invalid_case(errors: &[CaseError]) -> ApiError {
        let first = errors.first();
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_case",
            first.map(ToString::to_string).unwrap_or_default(),
            first.map(place_of).unwrap_or_default(),
        );
        e.errors = errors.iter().map(case_error_json).collect();
        e
    }
}

/// Where a case error is: `line:column` for a syntax error, else its JSON Pointer.
pub fn place_of(e: &CaseError) -> String {
    match (e.line, e.column) {
        (Some(l), Some(c)) => format!("{l}:{c}"),
        _ => e.pointer.clone(),
    }
}

/// One problem of a case file: the CLI's text as `message`, its place, and the fields of `validate --json`.
pub fn case_error_json(e: &CaseError) -> Value {
    let mut v = serde_json::to_value(e).unwrap_or_else(|_| json!({}));
    if let Some(o) = v.as_object_mut() {
        o.insert("code".into(), json!("invalid_case"));
        o.insert("text".into(), json!(e.message));
        o.insert("message".into(), json!(e.to_string()));
        o.insert("place".into(), json!(place_of(e)));
    }
    v
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "code": self.code, "message": self.message, "place": self.place });
        if let (false, Some(o)) = (self.errors.is_empty(), body.as_object_mut()) {
            o.insert("errors".into(), Value::Array(self.errors));
        }
        let mut r = (self.status, axum::Json(body)).into_response();
        if let Some(id) = self.case_id {
            r.extensions_mut().insert(super::CaseId(id));
        }
        r
    }
}
