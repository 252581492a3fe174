//! Parsing a case file's bytes as one JSON document: a byte-order mark, an empty file, bad UTF-8, a duplicate key
//! and malformed JSON each get a clear message with line and column. Called by [`crate::validate::parse_case`].

use serde_json::Value;

use super::error::CaseError;

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
