//! One step of the interview without a session: the client sends the partial case, the facts answered "I don't
//! know" and, optionally, its answer to the question it was shown; the server answers with the new case, the next
//! question (text, kind, allowed answers in the chosen language) and the recommendation so far. Going back is the
//! client's: it keeps the states it was sent. Built on [`crate::interview::Interview`], so it asks what the CLI's
//! interview asks, in the same order, and reads answers the same way.

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

use super::ApiError;
use crate::interview::{AnswerKind, Interview, Question, Reply};
use crate::model::text::Lang;
use crate::policy::Policy;

/// Most facts a request may list as unknown (a case has far fewer facts).
pub const MAX_UNKNOWN: usize = 2_000;

/// A step's request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepRequest {
    /// The partial case (default: an empty one).
    #[serde(default)]
    pub case: Option<Value>,
    /// Facts (JSON Pointers) answered "I don't know".
    #[serde(default)]
    pub unknown: Vec<String>,
    /// The answer to the question the client was shown.
    #[serde(default)]
    pub answer: Option<Answer>,
    /// The language of the question and the recommendation (default: the server's).
    #[serde(default)]
    pub lang: Option<String>,
}

/// An answer: the fact asked for and the answer as typed or chosen (`?` or `不知道` for "I don't know").
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// The question's fact (its JSON Pointer).
    pub fact: String,
    /// The answer.
    pub text: String,
}

/// A question as JSON: its fact, text, kind, and the answers it allows.
pub fn question_json(q: &Question, lang: Lang) -> Value {
    let zh = lang == Lang::Zh;
    let (kind, choices, min, max) = match &q.kind {
        AnswerKind::YesNo => (
            "yes_no",
            vec![
                json!({ "value": "yes", "label": if zh { "是" } else { "yes" } }),
                json!({ "value": "no", "label": if zh { "否" } else { "no" } }),
            ],
            None,
            None,
        ),
        AnswerKind::Choice(values) => (
            "choice",
            values
                .iter()
                .zip(q.labels.iter().chain(std::iter::repeat(&String::new())))
                .map(|(v, l)| json!({ "value": v, "label": if l.is_empty() { v } else { l } }))
                .collect(),
            None,
            None,
        ),
        AnswerKind::Whole { min, max } => ("whole", Vec::new(), Some(*min), Some(*max)),
        AnswerKind::Count => ("count", Vec::new(), Some(0), Some(30)),
        AnswerKind::Money => ("money", Vec::new(), None, None),
        AnswerKind::Date => ("date", Vec::new(), None, None),
        AnswerKind::Text => ("text", Vec::new(), None, None),
    };
    json!({
        "fact": q.fact,
        "text": q.text,
        "kind": kind,
        "choices": choices,
        "min": min,
        "max": max,
        "to_confirm": q.to_confirm,
        "unknown": { "value": "?", "label": if zh { "不知道" } else { "I don't know" } },
    })
}

/// One step: applies the answer (when there is one) to the question the case is at, then gives the next question
/// and the recommendation so far. An answer to another question than the one waiting is a 409; an answer the
/// question does not take is not an error: `invalid` says why and the same question comes back.
pub fn step(policy: &Policy, lang: Lang, req: StepRequest) -> Result<Value, ApiError> {
    let case = match req.case {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => Some(v),
        Some(_) => {
            return Err(ApiError::bad_request(
                "`case` must be a JSON object (a case file, complete or not)",
                "/case",
            ))
        }
    };
    if req.unknown.len() > MAX_UNKNOWN {
        return Err(ApiError::bad_request(
            format!("`unknown` lists more than {MAX_UNKNOWN} facts"),
            "/unknown",
        ));
    }
    if let Some((i, bad)) = req
        .unknown
        .iter()
        .enumerate()
        .find(|(_, u)| !u.starts_with('/'))
    {
        return Err(ApiError::bad_request(
            format!(
                "`{}` is not a JSON Pointer (a fact is written as `/applicant/age`)",
                crate::report::printable(bad)
            ),
            format!("/unknown/{i}"),
        ));
    }
    let mut iv = Interview::new(policy, lang, case).with_unknown(req.unknown);
    let mut invalid = None;
    let mut command = None;
    if let Some(a) = req.answer {
        let conflict = |msg: String| {
            ApiError::new(
                StatusCode::CONFLICT,
                "not_this_question",
                msg,
                "/answer/fact",
            )
        };
        match iv.next_question() {
            Some(q) if q.fact == a.fact => match iv.answer(&q, &a.text) {
                Reply::Recorded => {}
                Reply::Invalid(why) => invalid = Some(why),
                Reply::Back => command = Some("back"),
                Reply::Show => command = Some("show"),
                Reply::Quit => command = Some("quit"),
            },
            Some(q) => {
                return Err(conflict(format!(
                    "the answer is for `{}`, but the question this case is at is `{}`",
                    crate::report::printable(&a.fact),
                    q.fact
                )))
            }
            None => {
                return Err(conflict(
                    "the interview of this case is complete: no question is waiting for an answer"
                        .into(),
                ))
            }
        }
    }
    let question = iv.next_question();
    let rec = iv.recommendation();
    if rec.is_none() {
        problems(iv.case())?;
    }
    let recommendation = match &rec {
        Some(r) => serde_json::to_value(r).map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                format!("internal error: cannot write the recommendation: {e}"),
                "",
            )
        })?,
        None => Value::Null,
    };
    Ok(json!({
        "case": iv.case(),
        "unknown": iv.unknown(),
        "question": question.as_ref().map(|q| question_json(q, lang)),
        "done": question.is_none(),
        "invalid": invalid,
        "command": command,
        "recommendation": recommendation,
    }))
}

/// A partial case that cannot be assessed although its case id, date and province are answered has problems a
/// client put there (the interview itself only writes what the schema allows): 422 with each of them.
fn problems(case: &Value) -> Result<(), ApiError> {
    let known = |f: &str| case.pointer(f).is_some_and(|v| !v.is_null());
    if !(known("/decision_date") && known("/jurisdiction/province")) {
        return Ok(());
    }
    let mut probe = case.clone();
    if let Some(o) = probe.as_object_mut() {
        o.entry("case_id").or_insert(json!("(interview)"));
        o.entry("schema_version").or_insert(json!(1));
    }
    match crate::validate::validate_value(probe) {
        Err(errors) => Err(ApiError::invalid_case(&errors)),
        Ok(_) => Ok(()),
    }
}
