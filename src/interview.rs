//! An interview that builds a case file by asking only the questions that matter. Driven by the CLI's
//! `interview` and the interview tests.
//!
//! After each answer the partial case is assessed. The next question is the first unknown fact that could still
//! change the decision (the recommendation's `missing`); when none is left, the first unknown fact that could still
//! change the priority or the amount (the facts of undecided priority and amount rules); then the interview is done.
//! Rules stop at the first unknown fact they read, so each round asks exactly what the policy needs next. "I don't
//! know" is always an answer: the fact stays unknown and is not asked again.
//!
//! Question texts come from the policy's question catalogue (`questions.toml`, English and Chinese), falling back to
//! the case schema's descriptions.

use serde_json::{json, Value};

use crate::explain::whatif::set;
use crate::model::codes::Stage;
use crate::model::facts::{catalogue, FactType};
use crate::model::recommendation::Recommendation;
use crate::policy::questions::question;
use crate::policy::Policy;
use crate::validate::{parse_date, validate_value};

pub use crate::model::text::Lang;

/// What kind of answer a question takes.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerKind {
    /// Yes or no.
    YesNo,
    /// One of these values (answered by number or by the value itself).
    Choice(Vec<String>),
    /// A whole number in a range.
    Whole {
        /// Smallest allowed.
        min: u64,
        /// Largest allowed.
        max: u64,
    },
    /// A sum of money in yuan.
    Money,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// Free text.
    Text,
    /// How many items a list has (then each item is asked about).
    Count,
}

/// A question.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// The fact asked for, as a JSON Pointer.
    pub fact: String,
    /// The question, worded for a person.
    pub text: String,
    /// The answer it takes.
    pub kind: AnswerKind,
    /// For a choice, how each allowed value is shown (in the interview's language).
    pub labels: Vec<String>,
    /// An item of the checklist to confirm before deciding: a bar's fact, presumed absent while unknown, that
    /// nothing else unknown depends on.
    pub to_confirm: bool,
}

/// What happened to an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Recorded; ask the next question.
    Recorded,
    /// Not understood: the reason, and the same question is asked again.
    Invalid(String),
    /// Go back to the previous question.
    Back,
    /// Show the recommendation so far.
    Show,
    /// Stop now and save what was answered.
    Quit,
}

/// The interview's state: the partial case and what has been asked.
pub struct Interview<'p> {
    policy: &'p Policy,
    lang: Lang,
    case: Value,
    /// Facts answered "I don't know": not asked again.
    unknown: Vec<String>,
    /// Answers in order, to go back: (fact, value before).
    history: Vec<(String, Option<Value>)>,
    /// Questions asked so far.
    pub asked: usize,
}

const UNKNOWN_WORDS: [&str; 9] = [
    "?",
    "unknown",
    "don't know",
    "dont know",
    "i don't know",
    "not known",
    "不知道",
    "不清楚",
    "未知",
];

impl<'p> Interview<'p> {
    /// Starts from an empty case, or from a partial one.
    pub fn new(policy: &'p Policy, lang: Lang, from: Option<Value>) -> Self {
        let case = from
            .filter(Value::is_object)
            .unwrap_or_else(|| json!({ "schema_version": 1 }));
        Interview {
            policy,
            lang,
            case,
            unknown: Vec::new(),
            history: Vec::new(),
            asked: 0,
        }
    }

    /// Resumes an interview without its state: the facts already answered "I don't know" (not asked again). Used by
    /// the stateless interview of `assessor serve`, whose client keeps the case and this list between questions.
    pub fn with_unknown(mut self, unknown: Vec<String>) -> Self {
        self.unknown = unknown;
        self
    }

    /// The facts answered "I don't know" so far.
    pub fn unknown(&self) -> &[String] {
        &self.unknown
    }

    /// The case as answered so far.
    pub fn case(&self) -> &Value {
        &self.case
    }

    /// The recommendation for the case so far (once the case id and decision date are known), in the interview's
    /// language when the policy has texts in it.
    pub fn recommendation(&self) -> Option<Recommendation> {
        let mut probe = self.case.clone();
        if let Some(o) = probe.as_object_mut() {
            o.entry("case_id").or_insert(json!("(interview)"));
            o.entry("schema_version").or_insert(json!(1));
        }
        let valid = validate_value(probe).ok()?;
        crate::explain::assess_in(&valid, self.policy, self.lang).ok()
    }

    /// The next question, or `None` when nothing unknown can change the decision, the tier or the amount.
    pub fn next_question(&mut self) -> Option<Question> {
        for fact in ["/case_id", "/decision_date", "/jurisdiction/province"] {
            if self.case.pointer(fact).is_none_or(Value::is_null)
                && !self.unknown.iter().any(|u| u == fact)
            {
                return Some(self.question(fact));
            }
        }
        let rec = self.recommendation()?;
        // Facts that could change the decision, those needed by the most undecided rules first; then facts that
        // could change the tier or the amount range; last, the presumptions to confirm, as a checklist.
        let changes = |m: &crate::model::recommendation::Missing,
                       c: crate::model::codes::Change| {
            m.changes.contains(&c)
        };
        let mut deciding: Vec<(usize, usize, String)> = rec
            .missing
            .iter()
            .enumerate()
            .filter(|(_, m)| changes(m, crate::model::codes::Change::Decision))
            .map(|(i, m)| {
                let deciding_rules = m
                    .needed_by
                    .iter()
                    .filter_map(|r| self.policy.rule(r))
                    .filter(|r| matches!(r.stage, Stage::Eligibility | Stage::Exclusions))
                    .count();
                (deciding_rules, i, m.fact.clone())
            })
            .collect();
        deciding.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let shaping = rec
            .missing
            .iter()
            .filter(|m| {
                changes(m, crate::model::codes::Change::Tier)
                    || changes(m, crate::model::codes::Change::Amount)
            })
            .map(|m| m.fact.clone());
        let confirm = rec.to_confirm.iter().map(|t| t.fact.clone());
        let fact = deciding
            .into_iter()
            .map(|(_, _, f)| f)
            .chain(shaping)
            .chain(confirm)
            .find(|f| {
                !self.unknown.iter().any(|u| u == f)
                    && self.case.pointer(f).is_none_or(Value::is_null)
            })?;
        let mut q = self.question(&fact);
        q.to_confirm = !rec.missing.iter().any(|m| m.fact == fact);
        Some(q)
    }

    fn question(&self, fact: &str) -> Question {
        let cat = catalogue();
        let node = cat.lookup(fact).and_then(|id| cat.node(id));
        let pattern = node
            .map(|n| n.path.clone())
            .unwrap_or_else(|| fact.to_string());
        let kind = match node.map(|n| &n.ty) {
            Some(FactType::Boolean) => AnswerKind::YesNo,
            Some(FactType::String { choices }) if !choices.is_empty() => {
                AnswerKind::Choice(choices.clone())
            }
            Some(FactType::Integer) if fact.ends_with("/age") => {
                AnswerKind::Whole { min: 0, max: 130 }
            }
            Some(FactType::Integer) if fact.ends_with("/size") => {
                AnswerKind::Whole { min: 1, max: 50 }
            }
            Some(FactType::Integer) => AnswerKind::Whole {
                min: 0,
                max: 1_000_000,
            },
            Some(FactType::Number) => AnswerKind::Money,
            Some(FactType::Array(_)) => AnswerKind::Count,
            _ if fact == "/decision_date" => AnswerKind::Date,
            _ => AnswerKind::Text,
        };
        let entry = self.policy.questions.get(&pattern);
        let text = question(&self.policy.questions, fact, self.lang)
            .or_else(|| question(&self.policy.questions, fact, Lang::En))
            .or_else(|| node.map(|n| format!("{}?", n.description.trim_end_matches('.'))))
            .unwrap_or_else(|| fact.to_string());
        let labels = match &kind {
            AnswerKind::Choice(choices) => choices
                .iter()
                .map(
                    |c| match (self.lang, entry.and_then(|q| q.zh_choices.get(c))) {
                        (Lang::Zh, Some(label)) => label.clone(),
                        _ => c.clone(),
                    },
                )
                .collect(),
            _ => Vec::new(),
        };
        Question {
            fact: fact.to_string(),
            text,
            kind,
            labels,
            to_confirm: false,
        }
    }

    /// Takes an answer to `q`.
    pub fn answer(&mut self, q: &Question, raw: &str) -> Reply {
        let a = raw.trim();
        let lower = a.to_lowercase();
        match lower.as_str() {
            "back" | "返回" | "上一题" => return Reply::Back,
            "show" | "显示" => return Reply::Show,
            "quit" | "退出" => return Reply::Quit,
            _ => {}
        }
        if a.is_empty() || UNKNOWN_WORDS.contains(&lower.as_str()) {
            self.record(&q.fact, Value::Null);
            self.unknown.push(q.fact.clone());
            return Reply::Recorded;
        }
        let value = match parse(q, a, self.lang) {
            Ok(v) => v,
            Err(why) => return Reply::Invalid(why),
        };
        if q.kind == AnswerKind::Count {
            let n = value.as_u64().unwrap_or(0) as usize;
            self.record(&q.fact, Value::Array(vec![json!({}); n]));
        } else {
            self.record(&q.fact, value);
        }
        Reply::Recorded
    }

    fn record(&mut self, fact: &str, value: Value) {
        self.asked += 1;
        let before = self.case.pointer(fact).cloned();
        self.history.push((fact.to_string(), before));
        // A question's fact is a path of the case's objects, so it can always be set.
        let _ = set(&mut self.case, fact, value);
    }

    /// Undoes the last answer. `false` when there is none.
    pub fn back(&mut self) -> bool {
        let Some((fact, before)) = self.history.pop() else {
            return false;
        };
        self.unknown.retain(|u| *u != fact);
        match before {
            Some(v) => {
                let _ = set(&mut self.case, &fact, v);
            }
            None => remove(&mut self.case, &fact),
        }
        true
    }
}

fn parse(q: &Question, a: &str, lang: Lang) -> Result<Value, String> {
    let zh = lang == Lang::Zh;
    let kind = &q.kind;
    match kind {
        AnswerKind::YesNo => match a.to_lowercase().as_str() {
            "y" | "yes" | "true" | "是" | "对" | "有" => Ok(json!(true)),
            "n" | "no" | "false" | "否" | "不是" | "没有" | "无" => Ok(json!(false)),
            _ => Err(if zh {
                "请回答“是”或“否”（不知道请答“不知道”）".into()
            } else {
                "answer yes or no (or \"?\" if you do not know)".into()
            }),
        },
        AnswerKind::Choice(choices) => {
            if let Ok(i) = a.parse::<usize>() {
                if let Some(c) = i.checked_sub(1).and_then(|i| choices.get(i)) {
                    return Ok(json!(c));
                }
            }
            let by_label = q
                .labels
                .iter()
                .position(|l| l == a)
                .and_then(|i| choices.get(i));
            match choices.iter().find(|c| c.as_str() == a).or(by_label) {
                Some(c) => Ok(json!(c)),
                None => Err(if zh {
                    format!("请输入 1 到 {} 之间的编号", choices.len())
                } else {
                    format!(
                        "answer with a number from 1 to {} (or the value itself)",
                        choices.len()
                    )
                }),
            }
        }
        AnswerKind::Whole { .. } | AnswerKind::Count => {
            let (min, max) = match kind {
                AnswerKind::Whole { min, max } => (*min, *max),
                _ => (0, 30),
            };
            match a.replace(',', "").parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(json!(n)),
                _ => Err(if zh {
                    format!("请输入 {min} 到 {max} 之间的整数")
                } else {
                    format!("answer with a whole number from {min} to {max}")
                }),
            }
        }
        AnswerKind::Money => match parse_money(a) {
            Some(x) => Ok(json!(x)),
            None => Err(if zh {
                "请输入金额（元），例如 1800、50,000、5万 或 5.5万".into()
            } else {
                "answer with a sum in yuan, e.g. 1800, 50,000, 5万 or 5.5万".into()
            }),
        },
        AnswerKind::Date => match parse_date(a) {
            Some(_) => Ok(json!(a)),
            None => Err(if zh {
                "请按 年-月-日 输入日期，例如 2022-09-01".into()
            } else {
                "answer with a date as YYYY-MM-DD, e.g. 2022-09-01".into()
            }),
        },
        AnswerKind::Text => Ok(json!(a)),
    }
}

/// A sum of money as a person writes it, in yuan: digits (`50000`), grouped by threes with `,` or a space
/// (`50,000`, `50 000`), a decimal part (`1234.5`, at most two places, or four before a unit), a unit `万` (ten
/// thousand) or `千` (thousand) at the end (`5万`, `5.5万`, `3千`), a leading `¥`/`￥` and a trailing `元`.
/// Anything else is refused rather than guessed at: signs (`-5`), exponents (`1e3`), ranges (`3-4`), a unit in the
/// middle (`5万5`), an empty answer, or more than the largest sum a case may hold.
pub fn parse_money(answer: &str) -> Option<f64> {
    let mut a = answer.trim();
    a = a
        .strip_prefix('¥')
        .or_else(|| a.strip_prefix('￥'))
        .unwrap_or(a)
        .trim_start();
    a = a.strip_suffix('元').unwrap_or(a).trim_end();
    // The unit as a number of decimal places to shift (`1.13万` is 11300 exactly, never 11299.999999999998).
    let (number, max_places, shift) = if let Some(n) = a.strip_suffix('万') {
        (n.trim_end(), 4, 4)
    } else if let Some(n) = a.strip_suffix('千') {
        (n.trim_end(), 3, 3)
    } else {
        (a, 2, 0)
    };
    let (whole, fraction) = match number.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (number, None),
    };
    if let Some(f) = fraction {
        if f.is_empty() || f.len() > max_places || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let digits = whole_digits(whole)?;
    let f = fraction.unwrap_or("");
    let text = if shift == 0 {
        if f.is_empty() {
            digits
        } else {
            format!("{digits}.{f}")
        }
    } else {
        // Move the decimal point by the unit's places: the fraction (at most that many digits) padded with zeros.
        format!("{digits}{f:0<shift$}")
    };
    let value = text.parse::<f64>().ok()?;
    (value.is_finite() && value <= crate::model::case::MAX_MONEY).then_some(value)
}

/// The digits of a whole number written plainly (`50000`) or grouped by threes with one separator, `,` or a space
/// (`50,000`, `1 234 567`).
fn whole_digits(whole: &str) -> Option<String> {
    if !whole.is_empty() && whole.bytes().all(|b| b.is_ascii_digit()) {
        return Some(whole.to_string());
    }
    let sep = whole.chars().find(|c| !c.is_ascii_digit())?;
    if sep != ',' && sep != ' ' {
        return None;
    }
    let groups: Vec<&str> = whole.split(sep).collect();
    let (first, rest) = groups.split_first()?;
    let ok = (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && rest
            .iter()
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    ok.then(|| groups.concat())
}

fn remove(root: &mut Value, pointer: &str) {
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return;
    };
    let target = if parent.is_empty() {
        Some(root)
    } else {
        root.pointer_mut(parent)
    };
    if let Some(Value::Object(map)) = target {
        map.remove(key);
    }
}

/// The answer a person holding a complete case file gives to `q`: a number for a choice, yes/no (是/否), a count
/// for a list, "I don't know" where the file says nothing.
pub fn answer_from(case: &Value, q: &Question, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match (&q.kind, case.pointer(&q.fact)) {
        (_, None | Some(Value::Null)) => if zh { "不知道" } else { "?" }.to_string(),
        (_, Some(Value::Array(items))) => items.len().to_string(),
        (_, Some(Value::Bool(b))) => match (zh, b) {
            (true, true) => "是".into(),
            (true, false) => "否".into(),
            (false, true) => "yes".into(),
            (false, false) => "no".into(),
        },
        (AnswerKind::Choice(c), Some(Value::String(s))) => c
            .iter()
            .position(|x| x == s)
            .map(|i| (i + 1).to_string())
            .unwrap_or_else(|| s.clone()),
        (_, Some(Value::String(s))) => s.clone(),
        (_, Some(v)) => v.to_string(),
    }
}

/// Answers every question of an interview from a complete case file (see [`answer_from`]). Returns the number of
/// questions asked (used to measure how many of the schema's facts an interview needs).
pub fn questions_needed(policy: &Policy, case: &Value) -> usize {
    let mut iv = Interview::new(policy, Lang::En, None);
    let mut guard = 0;
    while let Some(q) = iv.next_question() {
        guard += 1;
        if guard > 500 {
            break;
        }
        let answer = answer_from(case, &q, Lang::En);
        if iv.answer(&q, &answer) != Reply::Recorded {
            iv.answer(&q, "?");
        }
    }
    iv.asked
}

#[cfg(test)]
mod tests {
    use super::parse_money;

    #[test]
    fn money_is_read_as_a_person_writes_it() {
        for (text, want) in [
            ("50000", 50_000.0),
            ("50,000", 50_000.0),
            ("50 000", 50_000.0),
            ("1,234,567", 1_234_567.0),
            ("5万", 50_000.0),
            ("5.5万", 55_000.0),
            ("3千", 3_000.0),
            ("¥50,000", 50_000.0),
            ("￥ 1800", 1_800.0),
            ("50000元", 50_000.0),
            ("5万元", 50_000.0),
            ("1234.5", 1_234.5),
            ("1234.56", 1_234.56),
            ("0", 0.0),
            ("  1800  ", 1_800.0),
        ] {
            assert_eq!(parse_money(text), Some(want), "{text}");
        }
    }

    #[test]
    fn anything_else_is_refused_not_guessed() {
        for text in [
            "",
            " ",
            "1e3",
            "-5",
            "+5",
            "3-4",
            "5万5",
            "万",
            "元",
            "¥",
            "5,0000",
            "50,00",
            ",500",
            "5.",
            ".5",
            "1.234",
            "5..5",
            "5,000 000",
            "abc",
            "5 万 5",
            "NaN",
            "inf",
            "1800yuan",
            "100000000000",
            "1,2,3",
        ] {
            assert_eq!(parse_money(text), None, "{text:?}");
        }
    }
}
