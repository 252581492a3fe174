//! Prints the answers an interview asks for, taken from a complete case file, one per line (for scripting
//! `assessor interview --answers`): `cargo run --example interview_script -- CASE [zh]`.

use assessor::interview::{answer_from, Interview, Lang, Reply};

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
        let answer = answer_from(&case, &q, lang);
        println!("{answer}");
        if iv.answer(&q, &answer) != Reply::Recorded {
            return eprintln!("{}: `{answer}` was not accepted", q.fact);
        }
    }
}
