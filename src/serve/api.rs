//! The JSON API's handlers: assess, validate, the interview step, the schemas, the policy catalogue and the OpenAPI
//! document. Each reads its body in bounded memory, runs the library on the blocking pool and answers errors as
//! [`ApiError`]s with the CLI's messages.

use std::collections::BTreeMap;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::{ApiError, AppState, CaseId, Shared};
use crate::model::text::Lang;
use crate::report::Format;
use crate::validate::{parse_json, validate_value};

/// The query string as names and values; a malformed one is a 400.
type RawQuery = Result<Query<BTreeMap<String, String>>, axum::extract::rejection::QueryRejection>;

/// Reads the query, refusing names not in `allowed`.
fn query(q: RawQuery, allowed: &[&str]) -> Result<BTreeMap<String, String>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text(), "query"))?;
    if let Some(name) = q.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::bad_request(
            format!(
                "unknown query parameter `{}`; this endpoint takes {}",
                crate::report::printable(name),
                allowed.join(", ")
            ),
            format!("query/{}", crate::report::printable(name)),
        ));
    }
    Ok(q)
}

/// Reads a JSON body: `Content-Type: application/json`, at most the server's `max_size` bytes.
async fn json_body(st: &Shared, headers: &HeaderMap, body: Body) -> Result<Bytes, ApiError> {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = kind.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "the body must be a JSON case file sent as `Content-Type: application/json`, not `{}`",
                crate::report::printable(kind)
            ),
            "header/content-type",
        ));
    }
    let max = st.config.max_size;
    let too_big = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "the input is larger than {max} bytes; raise the limit with the server's --max-size if it is \
                 really a case file"
            ),
            "body",
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_big());
    }
    let limit = usize::try_from(max).unwrap_or(usize::MAX);
    match http_body_util::BodyExt::collect(http_body_util::Limited::new(body, limit)).await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_big()),
        Err(e) => Err(ApiError::bad_request(
            format!("cannot read the request body: {e}"),
            "body",
        )),
    }
}

/// `lang`: one the policy has texts in, else the CLI's message.
fn lang_of(st: &Shared, asked: Option<&str>, place: &str) -> Result<Lang, ApiError> {
    let lang = match asked {
        None => st.config.lang,
        Some(code) => Lang::parse(code).ok_or_else(|| {
            ApiError::bad_request(
                format!(
                    "unknown language `{}`; the languages are zh and en",
                    crate::report::printable(code)
                ),
                place,
            )
        })?,
    };
    let policy = &st.policy;
    if let Some(missing) = policy.missing_language(lang) {
        return Err(ApiError::bad_request(
            format!("{missing}; its languages are {}", policy.language_codes()),
            place,
        ));
    }
    Ok(lang)
}

/// Runs `work` on the blocking pool, at most `workers` at once; the permit is held until the work ends, even when
/// the request has timed out and gone.
async fn blocking<T: Send + 'static>(
    st: &AppState,
    work: impl FnOnce(&Shared) -> T + Send + 'static,
) -> Result<T, ApiError> {
    let internal = |what: &str| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("internal error: {what}"),
            "",
        )
    };
    let permit = st
        .workers
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| internal("the workers are closed"))?;
    let shared = st.clone();
    tokio::task::spawn_blocking(move || {
        let out = work(&shared);
        drop(permit);
        out
    })
    .await
    .map_err(|_| internal("the assessment stopped unexpectedly"))
}

/// Options of `assess`, from the query or from an envelope `{"case": …, "lang": …}`.
#[derive(Default)]
struct AssessOptions {
    lang: Option<String>,
    format: Option<String>,
    what_if: Option<String>,
}

fn flag(v: Option<&str>, name: &str) -> Result<bool, ApiError> {
    match v {
        None | Some("true" | "1" | "yes") => Ok(true),
        Some("false" | "0" | "no") => Ok(false),
        Some(other) => Err(ApiError::bad_request(
            format!(
                "`{name}` is true or false, not `{}`",
                crate::report::printable(other)
            ),
            format!("query/{name}"),
        )),
    }
}

fn format_of(v: Option<&str>) -> Result<Format, ApiError> {
    match v {
        None | Some("json") => Ok(Format::Json),
        Some("text") => Ok(Format::Text),
        Some("markdown") => Ok(Format::Markdown),
        Some(other) => Err(ApiError::bad_request(
            format!(
                "unknown format `{}`; the formats are json, text and markdown",
                crate::report::printable(other)
            ),
            "query/format",
        )),
    }
}

/// Splits an envelope `{"case": {...}, "lang", "format", "what_if"}` from a bare case file.
fn envelope(json: Value, opts: &mut AssessOptions) -> Result<Value, ApiError> {
    let Value::Object(mut map) = json else {
        return Ok(json);
    };
    let Some(case) = map.remove("case") else {
        return Ok(Value::Object(map));
    };
    for (key, v) in map {
        let text = match &v {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            _ => String::new(),
        };
        match key.as_str() {
            "lang" if v.is_string() => opts.lang = Some(text),
            "format" if v.is_string() => opts.format = Some(text),
            "what_if" if v.is_boolean() => opts.what_if = Some(text),
            "lang" | "format" | "what_if" => {
                return Err(ApiError::bad_request(
                    format!("`{key}` of the request has the wrong type"),
                    format!("/{key}"),
                ))
            }
            other => {
                return Err(ApiError::bad_request(
                    format!(
                        "unknown field `{}` beside `case`; the request takes case, lang, format and what_if",
                        crate::report::printable(other)
                    ),
                    format!("/{}", crate::report::printable(other)),
                ))
            }
        }
    }
    Ok(case)
}

/// `POST /api/assess`: the recommendation for a case file, as JSON, text or Markdown (what `assessor assess CASE
/// --format F --lang L` prints).
pub async fn assess(
    State(st): State<AppState>,
    q: RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let q = query(q, &["lang", "format", "what_if"])?;
    let bytes = json_body(&st, &headers, body).await?;
    let mut opts = AssessOptions {
        lang: q.get("lang").cloned(),
        format: q.get("format").cloned(),
        what_if: q.get("what_if").cloned(),
    };
    let out = blocking(
        &st,
        move |st| -> Result<(Format, Vec<u8>, String), ApiError> {
            let json = parse_json(&bytes).map_err(|e| ApiError::invalid_case(&[e]))?;
            let case = envelope(json, &mut opts)?;
            let lang = lang_of(st, opts.lang.as_deref(), "lang")?;
            let format = format_of(opts.format.as_deref())?;
            let what_if = flag(opts.what_if.as_deref(), "what_if")?;
            let valid = validate_value(case).map_err(|e| ApiError::invalid_case(&e))?;
            let id = valid.case.case_id.clone();
            let fail = |e: String| {
                let mut e =
                    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "assessment_failed", e, "");
                e.case_id = Some(id.clone());
                e
            };
            let rec =
                assess_case(&valid, &st.policy, lang, what_if).map_err(|e| fail(e.to_string()))?;
            let mut text = Vec::new();
            crate::report::write(
                &mut text,
                format,
                &rec,
                st.policy.labels(rec.language),
                true,
            )
            .map_err(|e| fail(format!("cannot write the report: {e}")))?;
            Ok((format, text, id))
        },
    )
    .await??;
    let (format, text, id) = out;
    let kind = match format {
        Format::Json => "application/json",
        Format::Text => "text/plain; charset=utf-8",
        Format::Markdown => "text/markdown; charset=utf-8",
    };
    let mut r = (
        [(header::CONTENT_TYPE, HeaderValue::from_static(kind))],
        text,
    )
        .into_response();
    r.extensions_mut().insert(CaseId(id));
    Ok(r)
}

/// What `assessor assess` does for one case: assess, what would change the outcome (unless asked not to), the
/// texts in `lang`.
pub fn assess_case(
    case: &crate::validate::ValidCase,
    policy: &crate::Policy,
    lang: Lang,
    what_if: bool,
) -> Result<crate::Recommendation, crate::AssessError> {
    let mut rec = crate::assess::assess(case, policy)?;
    if what_if {
        rec.what_if = Some(crate::explain::whatif::explore(&case.json, &rec, policy));
    }
    crate::explain::localise::localise(&mut rec, policy, lang);
    Ok(rec)
}

/// `POST /api/validate`: `{"valid": true}`, or 422 with every error and its JSON Pointer (what `assessor validate`
/// prints).
pub async fn validate(
    State(st): State<AppState>,
    q: RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    query(q, &[])?;
    let bytes = json_body(&st, &headers, body).await?;
    let id = blocking(&st, move |_| {
        crate::validate::parse_case(&bytes)
            .map(|c| c.case.case_id)
            .map_err(|e| ApiError::invalid_case(&e))
    })
    .await??;
    let mut r = axum::Json(json!({ "valid": true, "errors": [] })).into_response();
    r.extensions_mut().insert(CaseId(id));
    Ok(r)
}

/// `POST /api/interview`: one step of the stateless interview (see [`super::step`]).
pub async fn interview(
    State(st): State<AppState>,
    q: RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    query(q, &[])?;
    let bytes = json_body(&st, &headers, body).await?;
    let out = blocking(&st, move |st| {
        let bad = |e: serde_json::Error, place: String| {
            ApiError::bad_request(format!("the interview request is not valid: {e}"), place)
        };
        let json: Value = serde_json::from_slice(&bytes).map_err(|e| {
            let place = format!("{}:{}", e.line(), e.column());
            bad(e, place)
        })?;
        if !json.is_object() {
            return Err(ApiError::bad_request(
                "the interview request must be a JSON object: {case, unknown, answer, lang}",
                "",
            ));
        }
        let req: super::step::StepRequest =
            serde_json::from_value(json).map_err(|e| bad(e, String::new()))?;
        let lang = lang_of(st, req.lang.as_deref(), "/lang")?;
        super::step::step(&st.policy, lang, req)
    })
    .await??;
    Ok(axum::Json(out).into_response())
}

fn json_text(text: String) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        text,
    )
        .into_response()
}

/// `GET /api/schema/case`: the case file's JSON Schema (`assessor schema case`).
pub async fn schema_case(q: RawQuery) -> Result<Response, ApiError> {
    query(q, &[])?;
    let s = crate::model::schema::case_schema();
    Ok(json_text(crate::model::schema::to_file_text(&s)))
}

/// `GET /api/schema/recommendation`: the recommendation's JSON Schema (`assessor schema recommendation`).
pub async fn schema_recommendation(q: RawQuery) -> Result<Response, ApiError> {
    query(q, &[])?;
    let s = crate::model::schema::recommendation_schema();
    Ok(json_text(crate::model::schema::to_file_text(&s)))
}

/// `GET /api/policy[?province=P&date=YYYY-MM-DD]`: the catalogue (`assessor rules --format json`), and with a date
/// the value of each parameter in force then (in the province, for those that vary by region).
pub async fn policy(State(st): State<AppState>, q: RawQuery) -> Result<Response, ApiError> {
    let q = query(q, &["province", "date"])?;
    let policy = &st.policy;
    let mut out = crate::report::catalogue_json(policy);
    let province = q.get("province").map(String::as_str);
    if let Some(p) = province {
        if !policy.params.provinces().any(|(_, name)| name == p) {
            let names: Vec<&str> = policy.params.provinces().map(|(_, n)| n).collect();
            return Err(ApiError::bad_request(
                format!(
                    "unknown province `{}`; the provinces are {}",
                    crate::report::printable(p),
                    names.join(", ")
                ),
                "query/province",
            ));
        }
    }
    if let Some(d) = q.get("date") {
        let date = crate::validate::parse_date(d).ok_or_else(|| {
            ApiError::bad_request(
                format!(
                    "`{}` is not a date; write it as YYYY-MM-DD, e.g. 2022-09-01",
                    crate::report::printable(d)
                ),
                "query/date",
            )
        })?;
        let params: Vec<Value> = policy
            .params
            .all()
            .map(|p| {
                let found = policy.params.resolve(&p.name, date, province);
                let found = match found {
                    Ok(r) => json!({
                        "value": r.value.value,
                        "from": r.value.from.to_string(),
                        "until": r.value.until.map(|u| u.to_string()),
                        "region": r.value.region,
                        "source": r.source,
                        "carried_forward": r.carried_forward,
                        "estimate": r.estimate(),
                    }),
                    Err(crate::model::params::Lookup::NeedsProvince) => {
                        json!({ "value": null, "needs": "province" })
                    }
                    Err(_) => json!({ "value": null }),
                };
                let mut v = json!({ "name": p.name, "title": p.title, "unit": p.unit, "reference": p.reference });
                if let (Some(o), Value::Object(f)) = (v.as_object_mut(), found) {
                    o.extend(f);
                }
                v
            })
            .collect();
        if let Some(o) = out.as_object_mut() {
            o.insert(
                "in_force".into(),
                json!({ "date": d, "province": province, "parameters": params }),
            );
        }
    } else if province.is_some() {
        return Err(ApiError::bad_request(
            "a province needs a date: the parameters in force depend on both (add &date=YYYY-MM-DD)",
            "query/date",
        ));
    }
    Ok(axum::Json(out).into_response())
}

/// The OpenAPI 3.1 document of this API.
pub const OPENAPI: &str = include_str!("assets/openapi.json");

/// `GET /api/openapi.json`.
pub async fn openapi() -> Response {
    json_text(OPENAPI.to_string())
}
