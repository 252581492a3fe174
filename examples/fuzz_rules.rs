#![allow(clippy::panic, clippy::indexing_slicing)] // a fuzzing loop reports a finding by stopping
//! Random rhai snippets as rule bodies, without libFuzzer: `cargo run --release --example fuzz_rules [-- SECONDS [SEED]]`.
//!
//! Each round takes a rule of the default policy (of a random stage), keeps its header, replaces its body with a
//! random snippet (built from a small grammar of statements and expressions, including the sandbox's limits and
//! forbidden things: loops, recursion, deep values, `sleep`, computed names, try/catch, conclusions of other
//! stages, huge and non-finite numbers), loads the policy and, when it loads, assesses a few corpus cases with it.
//! It stops with the snippet on any panic, on any failure of the engine itself (a failure of kind `Internal`:
//! failures are told apart by kind, never by message text) and on any assessment slower than the time budget
//! allows; at the end it counts the rules' failures by kind. The same check over arbitrary bytes is the libFuzzer
//! target `fuzz/fuzz_targets/rule_body.rs`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use assessor::engine::FailureKind;
use assessor::validate::{parse_case, ValidCase};
use assessor::{AssessError, Policy, PolicySource};

#[path = "../fuzz/rule_body_common.rs"]
mod rule_body_common;
use rule_body_common::{header, TARGETS};

/// Corpus cases assessed with each policy that loads.
const CASES: [&str; 4] = [
    "fixtures/cases/t01_hunan_incapacitated_earner.json",
    "fixtures/cases/c19_minor_sexual_assault.json",
    "fixtures/cases/c24_victim_outcome_unknown.json",
    "fixtures/cases/c26_province_unknown.json",
];

/// One assessment may take at most this long: a snippet sits in one rule, bounded by the 1 s budget per rule.
const MAX_ASSESSMENT: Duration = Duration::from_secs(5);

struct Gen {
    rng: fastrand::Rng,
    depth: usize,
    /// This round may use what the static checks refuse (`sleep`, `try`, computed rule ids).
    hostile: bool,
}

impl Gen {
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.rng.usize(..xs.len())]
    }

    fn expr(&mut self) -> String {
        self.depth += 1;
        let leaf = self.depth > 4 || self.rng.u8(..3) == 0;
        let e = if leaf {
            self.pick(&[
                "1",
                "0",
                "-1",
                "2.5",
                "1e300",
                "(-1.0).sqrt()",
                "9223372036854775807",
                "\"x\"",
                "\"\"",
                "true",
                "false",
                "()",
                "x",
                "facts.applicant.age",
                "facts.household.monthly_income",
                "facts.household.dependants",
                "facts.procuratorial_stage",
                "facts.incident",
                "params.wage_base",
                "params.base_months",
                "[]",
                "#{}",
                "fired(\"eligibility.serious_injury\")",
                "fired(\"referrals.r13_social_assistance\")",
                "decision()",
                "tier()",
                "priority_score()",
            ])
            .to_string()
        } else {
            match self.rng.u8(..14) {
                0 => format!(
                    "{} {} {}",
                    self.expr(),
                    self.pick(&["+", "-", "*", "/", "%", "**"]),
                    self.expr()
                ),
                1 => format!(
                    "{} {} {}",
                    self.expr(),
                    self.pick(&["==", "!=", "<", ">=", "&&", "||"]),
                    self.expr()
                ),
                2 => format!("[{}, {}]", self.expr(), self.expr()),
                3 => format!("#{{ a: {}, text: {} }}", self.expr(), self.expr()),
                4 => format!("{}.if_unknown({})", self.expr(), self.expr()),
                5 => format!("known({})", self.expr()),
                6 => format!(
                    "if {} {{ {} }} else {{ {} }}",
                    self.expr(),
                    self.expr(),
                    self.expr()
                ),
                7 => format!(
                    "Fn({}).call({})",
                    self.pick(&[
                        "\"sle\" + \"ep\"",
                        "\"fired\"",
                        "\"score\"",
                        "\"met\"",
                        "\"exit\""
                    ]),
                    self.expr()
                ),
                8 if self.hostile => format!("fired(\"eligibility.\" + {})", self.expr()),
                9 => format!("{}.len()", self.expr()),
                10 => format!("step(\"s\", {})", self.expr()),
                11 => format!("cap(\"c\", {}, {})", self.expr(), self.expr()),
                12 => format!("round_to({}, {})", self.expr(), self.expr()),
                _ => format!(
                    "value_of(\"eligibility.procuratorial_stage\", {})",
                    self.expr()
                ),
            }
        };
        self.depth -= 1;
        e
    }

    fn stmt(&mut self) -> String {
        match self.rng.u8(..16) {
            0 => format!("let x = {};", self.expr()),
            1 => format!("x = {};", self.expr()),
            2 => format!("if {} {{ {} }}", self.expr(), self.stmt()),
            3 => format!(
                "for i in 0..{} {{ {} }}",
                self.pick(&["3", "100", "4000", "100000"]),
                self.stmt()
            ),
            4 => "let a = []; for i in 0..3000 { a = [a]; }".into(),
            5 if self.hostile => {
                "let s = \"\"; s.pad(9000, \"x\"); while true { let p = s.split(\"\"); }".into()
            }
            6 => "loop { }".into(),
            7 => "fn f(n) { f(n + 1) } f(0);".into(),
            8 if self.hostile => format!("try {{ {} }} catch {{ x = 1; }}", self.stmt()),
            9 if self.hostile => "sleep(1);".into(),
            10 => format!("throw {};", self.expr()),
            11 => format!(
                "require_approval({});",
                self.pick(&["\"over_36_months\"", "\"nope\""])
            ),
            12 => "fast_track();".into(),
            13 => format!(
                "for d in facts.household.dependants {{ x = d.age + {}; }}",
                self.expr()
            ),
            14 => format!("return {};", self.conclusion()),
            _ => format!("{};", self.expr()),
        }
    }

    fn conclusion(&mut self) -> String {
        match self.rng.u8(..8) {
            0 => "met()".into(),
            1 => format!("met(#{{ v: {} }})", self.expr()),
            2 => format!("not_met(#{{ v: {} }})", self.expr()),
            3 => format!("score({})", self.pick(&["1", "-5", "x"])),
            4 => format!("recommend({})", self.expr()),
            5 => "refer(\"legal_aid\", \"legal_aid_centre\")".into(),
            6 => "not_met()".into(),
            _ => format!("met(#{{ deep: {} }})", self.expr()),
        }
    }

    fn snippet(&mut self) -> String {
        let mut s = String::from("let x = 0;\n");
        for _ in 0..self.rng.usize(0..5) {
            s.push_str(&self.stmt());
            s.push('\n');
        }
        if self.rng.u8(..8) != 0 {
            s.push_str(&self.conclusion());
        }
        s
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(600);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let base = PolicySource::embedded();
    let cases: Vec<ValidCase> = CASES
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).unwrap_or_else(|e| panic!("{p}: {e}"));
            parse_case(&bytes).unwrap_or_else(|e| panic!("{p}: {e:?}"))
        })
        .collect();
    // A finding is a panic: keep its message short, the snippet is printed below.
    std::panic::set_hook(Box::new(|info| eprintln!("panic: {info}")));
    let mut gen = Gen {
        rng: fastrand::Rng::with_seed(seed),
        depth: 0,
        hostile: false,
    };
    let started = Instant::now();
    let (mut rounds, mut loaded, mut assessed, mut slowest) = (0u64, 0u64, 0u64, Duration::ZERO);
    // Rule failures by kind.
    let mut failed: BTreeMap<String, u64> = BTreeMap::new();
    while started.elapsed() < Duration::from_secs(seconds) {
        rounds += 1;
        let target = TARGETS[gen.rng.usize(..TARGETS.len())];
        gen.hostile = gen.rng.u8(..4) == 0;
        let snippet = gen.snippet();
        let mut source = base.clone();
        let head = header(source.files.get(target).map(String::as_str).unwrap_or(""));
        source
            .files
            .insert(target.to_string(), format!("{head}{snippet}\n"));
        let outcome = std::panic::catch_unwind(|| {
            let policy = match Policy::load(source) {
                Ok(p) => p,
                Err(e) => {
                    if std::env::var_os("FUZZ_RULES_VERBOSE").is_some() {
                        eprintln!("{}", e.first().map(|e| e.to_string()).unwrap_or_default());
                    }
                    return (false, 0u64, Vec::new(), Duration::ZERO);
                }
            };
            let (mut ok, mut kinds, mut slow) = (0, Vec::new(), Duration::ZERO);
            for case in &cases {
                let t = Instant::now();
                match assessor::assess(case, &policy) {
                    Ok(_) => ok += 1,
                    Err(AssessError::Rule { kind, .. }) => kinds.push(kind),
                    Err(AssessError::Internal { .. }) => kinds.push(FailureKind::Internal),
                    // The searches' safety net: a slow rule, reported as the time limit it is.
                    Err(AssessError::OutOfTime { .. }) => {
                        kinds.push(FailureKind::Limit(assessor::engine::Limit::Time))
                    }
                }
                slow = slow.max(t.elapsed());
            }
            (true, ok, kinds, slow)
        });
        match outcome {
            Ok((l, ok, kinds, slow)) => {
                loaded += u64::from(l);
                assessed += ok;
                if kinds.contains(&FailureKind::Internal) {
                    eprintln!("the engine failed in {target} with:\n{snippet}");
                    std::process::exit(1);
                }
                for kind in kinds {
                    *failed.entry(format!("{kind:?}")).or_insert(0u64) += 1;
                }
                slowest = slowest.max(slow);
                if slow > MAX_ASSESSMENT {
                    eprintln!("an assessment took {slow:?} in {target} with:\n{snippet}");
                    std::process::exit(1);
                }
            }
            Err(_) => {
                eprintln!("a panic in {target} with:\n{snippet}");
                std::process::exit(1);
            }
        }
    }
    let failures: Vec<String> = failed.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!(
        "{rounds} snippets in {:.0} s (seed {seed}): {loaded} policies loaded, {assessed} assessments, {} rule failures ({}); slowest assessment {slowest:?}; no panic, no hang, no failure of the engine",
        started.elapsed().as_secs_f64(),
        failed.values().sum::<u64>(),
        failures.join(", ")
    );
}
