//! Filling a rule's text templates: `{name}` is replaced by the value `name` the rule gave.

use std::collections::BTreeMap;

use serde_json::Value;

/// Replaces each `{name}` in `template` by the value `name`, formatted for people. An unmatched `{name}` stays.
pub fn fill(template: &str, values: &BTreeMap<String, Value>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(rest.get(..start).unwrap_or(""));
        let after = rest.get(start + 1..).unwrap_or("");
        match after.find('}') {
            Some(end) => {
                let name = after.get(..end).unwrap_or("");
                match values.get(name) {
                    Some(v) => out.push_str(&format_value(v)),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = after.get(end + 1..).unwrap_or("");
            }
            None => {
                out.push_str(rest.get(start..).unwrap_or(""));
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A value as text: numbers with thousands separators, strings with `_` read as spaces, lists joined.
pub fn format_value(v: &Value) -> String {
    match v {
        Value::Number(n) => format_number(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => s.replace('_', " "),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::Array(items) => items
            .iter()
            .map(format_value)
            .collect::<Vec<_>>()
            .join(", "),
        Value::Null => "unknown".into(),
        Value::Object(_) => v.to_string(),
    }
}

/// `40629.6` → `40,629.6`; `41000` → `41,000`; `1.75` → `1.75`; at most two decimals.
pub fn format_number(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let rounded = (x * 100.0).round() / 100.0;
    let neg = rounded < 0.0;
    let abs = rounded.abs();
    let int = abs.trunc() as u64;
    let frac = ((abs - abs.trunc()) * 100.0).round() as u64;
    let digits = int.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let frac = match frac {
        0 => String::new(),
        f if f % 10 == 0 => format!(".{}", f / 10),
        f => format!(".{f:02}"),
    };
    format!("{}{grouped}{frac}", if neg { "-" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_and_formats() {
        let mut v = BTreeMap::new();
        v.insert("a".to_string(), Value::from(40629.6));
        v.insert("b".to_string(), Value::from("lost_labour_capacity"));
        assert_eq!(
            fill("x {a} y {b} {c}", &v),
            "x 40,629.6 y lost labour capacity {c}"
        );
        assert_eq!(format_number(41000.0), "41,000");
        assert_eq!(format_number(1.75), "1.75");
        assert_eq!(format_number(0.8), "0.8");
        assert_eq!(format_number(-1234.5), "-1,234.5");
        assert_eq!(format_number(7128.0), "7,128");
    }
}
