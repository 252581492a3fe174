//! Prints the answers an interview asks for, taken from a complete case file, one per line (for scripting
//! `assessor interview --answers`): `cargo run --example interview_script -- CASE [zh]`.

use assessor::interview::{AnswerKind, Interview, Lang, Reply};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_default();
    let lang = if args.next().as_deref() == Some("zh") {
        Lang::Zh
    } else {
        Lang::En
    };
    let Ok(bytes) = std::fs::read(&path) else {
        return eprintln!("cannot read {path}");
    };
    let Ok(case) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return eprintln!("{path} is not JSON");
    };
    let Ok(policy) = assessor::Policy::embedded() else {
        return eprintln!("the default policy does not load");
    };
    let mut iv = Interview::new(&policy, lang, None);
    while let Some(q) = iv.next_question() {
        let value = case
            .pointer(&q.fact)
            .cloned()
            .unwrap_or(serde_json::Value::Null);
        let answer = match (&q.kind, &value) {
            (_, serde_json::Value::Null) => {
                if lang == Lang::Zh {
                    "不知道".to_string()
                } else {
                    "?".to_string()
                }
            }
            (AnswerKind::Count, serde_json::Value::Array(items)) => items.len().to_string(),
            (AnswerKind::YesNo, serde_json::Value::Bool(b)) => match (lang, b) {
                (Lang::Zh, true) => "是".into(),
                (Lang::Zh, false) => "否".into(),
                (_, true) => "yes".into(),
                (_, false) => "no".into(),
            },
            (AnswerKind::Choice(c), serde_json::Value::String(s)) => c
                .iter()
                .position(|x| x == s)
                .map(|i| (i + 1).to_string())
                .unwrap_or_else(|| s.clone()),
            (_, serde_json::Value::String(s)) => s.clone(),
            (_, v) => v.to_string(),
        };
        println!("{answer}");
        if iv.answer(&q, &answer) != Reply::Recorded {
            return eprintln!("{}: `{answer}` was not accepted", q.fact);
        }
    }
}
