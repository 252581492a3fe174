//! Arbitrary bytes as the body of a rule of the default policy (under its header, in one rule per stage chosen by
//! the first byte): loading must never panic, and when the policy loads, assessing a few corpus cases must never
//! panic, never fail inside the engine itself (a failure of kind `Internal`: matched by kind, never by message
//! text), nor take longer than the sandbox's time budget allows (1 s per rule; the body sits in one rule).
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use assessor::engine::FailureKind;
use assessor::AssessError;
use libfuzzer_sys::fuzz_target;

#[path = "../rule_body_common.rs"]
mod rule_body_common;
use rule_body_common::{header, TARGETS};

const CASES: [&[u8]; 3] = [
    include_bytes!("../../fixtures/cases/t01_hunan_incapacitated_earner.json"),
    include_bytes!("../../fixtures/cases/c19_minor_sexual_assault.json"),
    include_bytes!("../../fixtures/cases/c24_victim_outcome_unknown.json"),
];

fn base() -> &'static (assessor::PolicySource, Vec<assessor::validate::ValidCase>) {
    static BASE: OnceLock<(assessor::PolicySource, Vec<assessor::validate::ValidCase>)> =
        OnceLock::new();
    BASE.get_or_init(|| {
        let cases = CASES
            .iter()
            .map(|c| match assessor::validate::parse_case(c) {
                Ok(c) => c,
                Err(e) => panic!("a corpus case does not parse: {e:?}"),
            })
            .collect();
        (assessor::PolicySource::embedded(), cases)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let Ok(body) = std::str::from_utf8(body) else {
        return;
    };
    let (source, cases) = base();
    let target = TARGETS[usize::from(first) % TARGETS.len()];
    let mut source = source.clone();
    let head = header(source.files.get(target).map(String::as_str).unwrap_or(""));
    source
        .files
        .insert(target.to_string(), format!("{head}{body}\n"));
    let Ok(policy) = assessor::Policy::load(source) else {
        return;
    };
    for case in cases {
        let started = Instant::now();
        match assessor::assess(case, &policy) {
            // A rule that fails is the body's fault, which random bytes are expected to have; the engine failing
            // is a bug in assessor.
            Err(
                e @ AssessError::Rule {
                    kind: FailureKind::Internal,
                    ..
                },
            )
            | Err(e @ AssessError::Internal { .. }) => panic!("the engine failed: {e}"),
            Ok(_) | Err(_) => {}
        }
        let took = started.elapsed();
        if took > Duration::from_secs(5) {
            panic!("an assessment took {took:?}");
        }
    }
});
