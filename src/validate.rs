//! Reading and validating case files: JSON syntax (with line and column), then the JSON Schema (every error,
//! each with its JSON Pointer), then what a schema cannot say (calendar dates, consistency).

use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

use crate::model::case::{Case, SCHEMA_VERSION};
use crate::model::suggest::did_you_mean;

/// Largest case file read, in bytes, unless the caller says otherwise (`--max-size`).
pub const DEFAULT_MAX_SIZE: u64 = 16 * 1024 * 1024;

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The path does not exist.
    #[error("no such file")]
    NotFound,
    /// A folder where a file was expected.
    #[error("is a folder, not a case file")]
    Folder,
    /// A device, FIFO or socket where a regular file was expected.
    #[error("is not a regular file (a {0}); only regular files are read")]
    NotRegular(&'static str),
    /// Larger than the limit.
    #[error("the file is {size} bytes, larger than the limit of {max}")]
    TooBig {
        /// The file's size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// Grew past the limit while being read (a pipe has no size to check first).
    #[error("the input is larger than {max} bytes")]
    Overflow {
        /// The limit.
        max: u64,
    },
    /// Any other I/O error.
    #[error("cannot read: {0}")]
    Io(String),
}

/// What kind of file the metadata describes, in words (for [`ReadError::NotRegular`]).
fn kind_of(m: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = m.file_type();
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_char_device() {
            return "character device";
        }
        if t.is_block_device() {
            return "block device";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    let _ = m;
    "special file"
}

/// Whether the metadata is a pipe (as `<(command)` gives).
fn is_pipe(m: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        m.file_type().is_fifo()
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        false
    }
}

/// Reads a file of at most `max` bytes, never holding more than `max + 1`. Only a regular file is read, or, when
/// `pipes` is set (a path the user named, which may be `<(command)`), a pipe; a device, socket or FIFO met in a
/// folder or named by another file is refused without being opened, so it can neither hang nor flood the reader.
pub fn read_case_file(path: &Path, max: u64, pipes: bool) -> Result<Vec<u8>, ReadError> {
    let meta = match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ReadError::NotFound),
        Err(e) => return Err(ReadError::Io(e.to_string())),
        Ok(m) => m,
    };
    if meta.is_dir() {
        return Err(ReadError::Folder);
    }
    let readable = meta.is_file() || (pipes && is_pipe(&meta));
    if !readable {
        return Err(ReadError::NotRegular(kind_of(&meta)));
    }
    if meta.len() > max {
        return Err(ReadError::TooBig {
            size: meta.len(),
            max,
        });
    }
    let file = std::fs::File::open(path).map_err(|e| ReadError::Io(e.to_string()))?;
    let mut buf = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| ReadError::Io(e.to_string()))?;
    if buf.len() as u64 > max {
        return Err(ReadError::Overflow { max });
    }
    Ok(buf)
}

/// One problem with a case file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CaseError {
    /// JSON Pointer of the offending value (`""` for the whole document).
    pub pointer: String,
    /// What is wrong, in one lowercase sentence.
    pub message: String,
    /// Line and column (1-based) for a syntax error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// See `line`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl CaseError {
    fn at(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            message: message.into(),
            line: None,
            column: None,
        }
    }
}

impl std::fmt::Display for CaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{l}:{c}: {}", self.message),
            _ if self.pointer.is_empty() => write!(f, "(document): {}", self.message),
            _ => write!(f, "{}: {}", self.pointer, self.message),
        }
    }
}

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

/// Parses bytes as one JSON document, with a clear message for the common ways this fails.
pub fn parse_json(bytes: &[u8]) -> Result<Value, CaseError> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(CaseError {
            line: Some(1),
            column: Some(1),
            ..CaseError::at(
                "",
                "the file starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM",
            )
        });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(CaseError::at(
            "",
            "the file is empty; a case file is one JSON object",
        ));
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        let (line, column) = line_col(bytes, e.valid_up_to());
        return Err(CaseError {
            line: Some(line),
            column: Some(column),
            ..CaseError::at(
                "",
                format!(
                    "the file is not valid UTF-8 (bad byte at offset {})",
                    e.valid_up_to()
                ),
            )
        });
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = serde::de::DeserializeSeed::deserialize(StrictValue, &mut de)
        .and_then(|v| de.end().map(|()| v));
    parsed.map_err(|e| {
        // serde_json's message ends with "at line L column C"; the numbers are kept separately.
        let text = e.to_string();
        let what = text.split(" at line ").next().unwrap_or(&text).to_string();
        let message = match e.classify() {
            serde_json::error::Category::Eof => {
                format!("the JSON ends too early ({what}); is the file complete?")
            }
            _ if what.starts_with("duplicate key") => what,
            _ => format!("malformed JSON: {what}"),
        };
        CaseError {
            line: Some(e.line().max(1)),
            column: Some(e.column().max(1)),
            ..CaseError::at("", message)
        }
    })
}

/// Builds a JSON value like `serde_json::Value`, but rejects an object with the same key twice (serde_json would
/// silently keep the last), so a case file can never say two things about one fact.
struct StrictValue;

impl<'de> serde::de::DeserializeSeed<'de> for StrictValue {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v)
            .map(Value::Number)
            .unwrap_or(Value::Null))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(StrictValue)? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "duplicate key `{key}`: a fact may be given only once"
                )));
            }
            let v = map.next_value_seed(StrictValue)?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = bytes.get(..offset).unwrap_or(bytes);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
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

fn validator() -> Option<&'static jsonschema::Validator> {
    static VALIDATOR: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| jsonschema::validator_for(&crate::model::schema::case_schema()).ok())
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
            let message = describe(&e, json, &pointer);
            CaseError::at(pointer, message)
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

fn describe(e: &jsonschema::ValidationError<'_>, json: &Value, pointer: &str) -> String {
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
            let hint = got
                .as_str()
                .and_then(|s| did_you_mean(s, opts.iter().map(String::as_str)))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return format!(
                "{got} is not an allowed value{hint}; expected one of: {}, or null for unknown",
                opts.join(", ")
            );
        }
    }
    match e.kind() {
        K::AdditionalProperties { unexpected } => {
            let allowed = crate::model::facts::catalogue().object_keys(pointer);
            let names: Vec<String> = unexpected
                .iter()
                .map(
                    |k| match did_you_mean(k, allowed.iter().map(String::as_str)) {
                        Some(s) => format!("`{k}` (did you mean `{s}`?)"),
                        None => format!("`{k}`"),
                    },
                )
                .collect();
            format!(
                "unknown field {}; allowed here: {}",
                names.join(", "),
                allowed.join(", ")
            )
        }
        K::Enum { options } => {
            let got = here.map(Value::to_string).unwrap_or_default();
            let opts: Vec<String> = options
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter(|v| !v.is_null())
                        .map(|v| v.as_str().unwrap_or("?").to_string())
                        .collect()
                })
                .unwrap_or_default();
            let hint = here
                .and_then(Value::as_str)
                .and_then(|s| did_you_mean(s, opts.iter().map(String::as_str)))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            format!(
                "{got} is not an allowed value{hint}; expected one of: {}, or null for unknown",
                opts.join(", ")
            )
        }
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
fn integer_valued_floats(v: &Value, pointer: &mut String, errors: &mut Vec<CaseError>) {
    let len = pointer.len();
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                pointer.push('/');
                pointer.push_str(&k.replace('~', "~0").replace('/', "~1"));
                integer_valued_floats(child, pointer, errors);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointer.push('/');
                pointer.push_str(&i.to_string());
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
