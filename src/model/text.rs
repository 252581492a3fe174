//! The languages of reports, the labels of codes, and filling a rule's text templates: `{name}` is replaced by
//! the value `name` the rule gave, a code shown by its label in the report's language. Read by `explain`
//! (localisation), the reports and the interview.

use std::collections::BTreeMap;

use serde_json::Value;

/// A language a report (or an interview) can be written in.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Lang {
    /// English.
    En,
    /// Chinese (简体中文).
    Zh,
}

impl Lang {
    /// Every language the reports can be written in.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The code, as in a policy's `languages` and a rule header's `zh.met` keys.
    pub fn code(self) -> &'static str {
        self.into()
    }

    /// The language with this code.
    pub fn parse(code: &str) -> Option<Lang> {
        code.parse().ok()
    }

    /// The language's name, in English.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "Chinese",
        }
    }
}

/// How a language shows codes: the labels of codes (values rules give, step and cap codes, services, agencies,
/// regions), and its words for yes, no and unknown.
#[derive(Debug, Clone)]
pub struct Labels {
    /// The language.
    pub lang: Lang,
    /// Label by code.
    pub map: BTreeMap<String, String>,
}

impl Labels {
    /// No labels: codes are shown with `_` read as a space.
    pub fn none(lang: Lang) -> Self {
        Labels {
            lang,
            map: BTreeMap::new(),
        }
    }

    /// A code as people read it: its label, else (in English) the code with `_` read as a space, else the code.
    pub fn label(&self, code: &str) -> String {
        match self.map.get(code) {
            Some(l) => l.clone(),
            None if self.lang == Lang::En => code.replace('_', " "),
            None => code.to_string(),
        }
    }

    /// Whether the code has a label of its own.
    pub fn has(&self, code: &str) -> bool {
        self.map.contains_key(code)
    }

    /// A value as text: numbers with thousands separators, codes by their labels, lists joined.
    pub fn value(&self, v: &Value) -> String {
        let zh = self.lang == Lang::Zh;
        match v {
            Value::Number(n) => format_number(n.as_f64().unwrap_or(0.0)),
            Value::String(s) => self.label(s),
            Value::Bool(true) => (if zh { "是" } else { "yes" }).into(),
            Value::Bool(false) => (if zh { "否" } else { "no" }).into(),
            Value::Array(items) => items
                .iter()
                .map(|i| self.value(i))
                .collect::<Vec<_>>()
                .join(if zh { "、" } else { ", " }),
            Value::Null => (if zh { "未知" } else { "unknown" }).into(),
            Value::Object(_) => v.to_string(),
        }
    }
}

/// Replaces each `{name}` in `template` by the value `name`, formatted for people. An unmatched `{name}` stays.
pub fn fill(template: &str, values: &BTreeMap<String, Value>) -> String {
    fill_in(template, values, &Labels::none(Lang::En))
}

/// [`fill`] with the labels of a language.
pub fn fill_in(template: &str, values: &BTreeMap<String, Value>, labels: &Labels) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(rest.get(..start).unwrap_or(""));
        let after = rest.get(start + 1..).unwrap_or("");
        match after.find('}') {
            Some(end) => {
                let name = after.get(..end).unwrap_or("");
                match values.get(name) {
                    Some(v) => out.push_str(&labels.value(v)),
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

    #[test]
    fn labels_show_codes_in_each_language() {
        let mut zh = Labels::none(Lang::Zh);
        zh.map.insert("spouse".into(), "配偶".into());
        let mut v = BTreeMap::new();
        v.insert("relation".to_string(), Value::from("spouse"));
        v.insert("proof".to_string(), Value::Bool(true));
        v.insert("age".to_string(), Value::Null);
        assert_eq!(
            fill_in("被害人的{relation}，证明：{proof}，年龄：{age}", &v, &zh),
            "被害人的配偶，证明：是，年龄：未知"
        );
        // English reads a code with `_` as a space; Chinese shows a code it has no label for as it is.
        assert_eq!(
            Labels::none(Lang::En).label("lost_labour_capacity"),
            "lost labour capacity"
        );
        assert_eq!(zh.label("lost_labour_capacity"), "lost_labour_capacity");
        assert_eq!(zh.value(&serde_json::json!(["spouse", 2])), "配偶、2");
        assert_eq!(Lang::parse("zh"), Some(Lang::Zh));
        assert_eq!(Lang::parse("fr"), None);
    }
}
