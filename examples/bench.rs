#![allow(clippy::panic)] // a benchmark that cannot load its policy has nothing to measure
//! Benchmarks that print figures:
//! `cargo run --release --example bench [-- CASES [ROUNDS]] [--json FILE] [--baseline FILE]`.
//!
//! Every figure is the median of ROUNDS runs (default 5) over CASES generated cases (default 20,000, seed 1):
//! parsing + validation alone; assessment alone; rendering alone; the whole pipeline (bytes → recommendation →
//! JSON line) on one thread and on every core; the start-up of the `assessor` binary on one case; and a native Rust
//! baseline — the eligibility and exclusion stages hand-written over the typed case — against the rhai engine
//! running exactly those stages, timed in pairs of rounds one right after the other (the ratio is the median of the
//! pairs' ratios, the native round repeated to 100 ms), so the ratio to the limit is measured under one load. No
//! figure is asserted.
//!
//! Absolute figures do not travel between machines; ratios measured in one process do, better. The bench prints
//! the machine (CPU model, cores) and the date beside the figures, and the ratios `engine ÷ native` (same stages)
//! and `what-if ÷ assess` (the extra of what would change the outcome, per case, over one assessment).
//! `--json FILE` writes every figure and ratio as JSON; `--baseline FILE` compares the ratios with those of an
//! earlier run (`.ci/bench-baseline.json`) and exits with 1 when one has grown by more than half: the guard CI
//! runs.

use std::io::Write;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use assessor::model::case::{
    Case, Fault, IncidentKind, NoCompensationReason, ProcuratorialStage, Relation, VictimOutcome,
};
use assessor::validate::{parse_case, ValidCase};
use assessor::{Policy, PolicySource};

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs.get(xs.len() / 2).copied().unwrap_or_default()
}

/// Empties the memo on every thread of the pool and on this one.
fn empty_memos() {
    rayon::broadcast(|_| assessor::engine::memo::reset());
    assessor::engine::memo::reset();
}

/// The median time of `rounds` runs of `f`, each starting with an empty memo on every thread (so a round sees
/// each case once, as a batch of distinct cases would, and never the previous round's conclusions).
fn time<F: FnMut()>(rounds: usize, mut f: F) -> Duration {
    median(
        (0..rounds)
            .map(|_| {
                empty_memos();
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

/// Native and engine timed in `pairs` pairs of rounds, each pair's two halves one right after the other (each engine
/// round starting with an empty memo, as [`time`] does; each native round repeating its pass until it has run
/// 100 ms). Returns the median native pass, the median engine pass and the median of the pairs' ratios (engine ÷
/// native, per pass) with the lowest and highest of them.
fn paired_rounds<N: FnMut(), E: FnMut()>(
    pairs: usize,
    mut native: N,
    mut engine: E,
) -> (Duration, Duration, [f64; 3]) {
    native(); // warm-up
    let mut natives = Vec::with_capacity(pairs);
    let mut engines = Vec::with_capacity(pairs);
    let mut ratios = Vec::with_capacity(pairs);
    for _ in 0..pairs {
        empty_memos();
        let t = Instant::now();
        engine();
        let e = t.elapsed();
        let (t, mut passes) = (Instant::now(), 0u32);
        while passes == 0 || t.elapsed() < Duration::from_millis(100) {
            native();
            passes += 1;
        }
        let n = t.elapsed() / passes;
        ratios.push(e.as_secs_f64() / n.as_secs_f64().max(1e-12));
        natives.push(n);
        engines.push(e);
    }
    ratios.sort_by(f64::total_cmp);
    let at = |i: usize| ratios.get(i).copied().unwrap_or_default();
    let spread = [
        at(ratios.len() / 2),
        at(0),
        at(ratios.len().saturating_sub(1)),
    ];
    (median(natives), median(engines), spread)
}

/// The wall time of `exe ARGS CASE`, start-up included: the median of 21 runs, in milliseconds.
fn command_ms(exe: &std::path::Path, args: &[&str], case: &std::path::Path) -> f64 {
    let runs: Vec<Duration> = (0..21)
        .map(|_| {
            let t = Instant::now();
            let _ = std::process::Command::new(exe)
                .args(args)
                .arg(case)
                .output();
            t.elapsed()
        })
        .collect();
    median(runs).as_secs_f64() * 1e3
}

fn report(label: &str, d: Duration, n: usize) {
    let per = d.as_secs_f64() / n as f64;
    println!(
        "{label:<52} {:>10.0} cases/s {:>9.1} µs/case",
        1.0 / per,
        per * 1e6
    );
}

/// A finding of the native baseline: like the engine's, with its reason in words and the facts read as pointers.
struct NativeFinding {
    rule: &'static str,
    outcome: Option<bool>,
    reason: String,
    facts: Vec<String>,
}

/// The eligibility and exclusion stages of the default policy, hand-written in Rust: the same decisions, with an
/// explained finding per rule (rule id, outcome, reason, facts read) like the engine's. `None` is unknown.
fn native_decide(c: &Case) -> (u8, Vec<NativeFinding>) {
    use Option::*;
    let a = c.applicant.as_ref();
    let i = c.incident.as_ref();
    let h = c.household.as_ref();
    let k = c.conduct.as_ref();
    let kind = i.and_then(|i| i.kind);
    let outcome = i.and_then(|i| i.victim_outcome);
    let relation = a.and_then(|a| a.relation_to_victim);
    let relied = a.and_then(|a| a.relied_on_victim_income);
    let criminal = kind.map(|k| k == IncidentKind::Criminal);
    let and = |x: Option<bool>, y: Option<bool>| match (x, y) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    };
    let dependant = relation.map(|r| {
        matches!(
            r,
            Relation::Spouse
                | Relation::Parent
                | Relation::Child
                | Relation::Sibling
                | Relation::OtherDependant
        )
    });
    let serious = and(
        criminal,
        and(
            relation.map(|r| r == Relation::SelfVictim),
            outcome.map(|o| {
                matches!(
                    o,
                    VictimOutcome::SeriousInjury
                        | VictimOutcome::SevereDisability
                        | VictimOutcome::LostLabourCapacity
                )
            }),
        ),
    );
    let urgent = and(
        criminal,
        and(
            i.and_then(|i| i.urgent_treatment_needed),
            i.and_then(|i| i.unpaid_medical_costs).map(|x| x > 0.0),
        ),
    );
    let ck = kind.map(|k| matches!(k, IncidentKind::Criminal | IncidentKind::CivilTort));
    let death = and(
        ck,
        and(
            outcome.map(|o| o == VictimOutcome::Death),
            and(dependant, relied),
        ),
    );
    let incap = and(
        ck,
        and(
            outcome.map(|o| o == VictimOutcome::LostLabourCapacity),
            and(dependant, relied),
        ),
    );
    let per_person = match (h.and_then(|h| h.monthly_income), h.and_then(|h| h.size)) {
        (Some(m), Some(s)) if s > 0 => Some(m / f64::from(s)),
        _ => None,
    };
    let line = 700.0;
    let allowance = h.and_then(|h| h.receives_minimum_living_allowance);
    let hardship = match (allowance, per_person) {
        (Some(true), _) => Some(true),
        (_, Some(p)) if p <= 2.0 * line => Some(true),
        (Some(false), Some(_)) => Some(urgent == Some(true)),
        _ => None,
    };
    let reason = i.and_then(|i| i.no_compensation_reason);
    let comp = match reason {
        Some(r)
            if !matches!(
                r,
                NoCompensationReason::LitigationPending | NoCompensationReason::None
            ) =>
        {
            Some(true)
        }
        Some(_) => Some(urgent == Some(true)),
        None => None,
    };
    let stage = c.procuratorial_stage.map(|s| s != ProcuratorialStage::None);
    let major = k.and_then(|k| k.applicant_fault).map(|f| f == Fault::Major);
    let bars = [
        major,
        k.and_then(|k| k.refused_cooperation),
        k.and_then(|k| k.false_statement_or_forgery),
        k.and_then(|k| k.waived_compensation),
        h.and_then(|h| h.hardship_caused_by_case).map(|b| !b),
        h.and_then(|h| h.social_assistance_covering_case_loss),
    ];
    let table: [(&'static str, Option<bool>, &[&str]); 8] = [
        (
            "eligibility.serious_injury",
            serious,
            &[
                "/incident/kind",
                "/applicant/relation_to_victim",
                "/incident/victim_outcome",
            ],
        ),
        (
            "eligibility.urgent_treatment",
            urgent,
            &["/incident/kind", "/incident/urgent_treatment_needed"],
        ),
        (
            "eligibility.dependant_of_deceased_victim",
            death,
            &["/incident/kind", "/incident/victim_outcome"],
        ),
        (
            "eligibility.dependant_of_incapacitated_earner",
            incap,
            &["/incident/kind", "/incident/victim_outcome"],
        ),
        (
            "eligibility.procuratorial_stage",
            stage,
            &["/procuratorial_stage"],
        ),
        (
            "eligibility.hardship",
            hardship,
            &["/household/monthly_income", "/household/size"],
        ),
        (
            "eligibility.no_effective_compensation",
            comp,
            &["/incident/no_compensation_reason"],
        ),
        (
            "exclusions.major_fault",
            major,
            &["/conduct/applicant_fault"],
        ),
    ];
    let findings = table
        .iter()
        .map(|(rule, outcome, facts)| NativeFinding {
            rule,
            outcome: *outcome,
            reason: match outcome {
                Some(true) => {
                    format!("{rule} is met: income per person {per_person:?}, reason {reason:?}")
                }
                Some(false) => format!("{rule} is not met"),
                None => format!(
                    "{rule} cannot be decided until {} is known",
                    facts.join(" and ")
                ),
            },
            facts: facts.iter().map(|f| f.to_string()).collect(),
        })
        .collect();
    let pathway = [serious, urgent, death, incap];
    let decision = if [stage, hardship, comp].contains(&Some(false)) || bars.contains(&Some(true)) {
        1
    } else if pathway.contains(&Some(true))
        && [stage, hardship, comp].iter().all(|x| *x == Some(true))
        && bars.iter().all(|b| *b == Some(false))
    {
        0
    } else if pathway.iter().all(|p| *p == Some(false)) {
        1
    } else {
        2
    };
    (decision, findings)
}

/// The default policy cut down to its eligibility and exclusion stages (the same rules the native baseline encodes
/// in spirit, run by the engine).
fn two_stage_policy() -> Policy {
    let mut src = PolicySource::embedded();
    if let Some(m) = src.files.get_mut("policy.toml") {
        let mut out = String::new();
        let mut skip = false;
        for line in m.lines() {
            if line.starts_with("priority = [")
                || line.starts_with("amount = [")
                || line.starts_with("referrals = [")
            {
                out.push_str(&line.replace('[', "[]"));
                out.push('\n');
                skip = true;
                continue;
            }
            if skip {
                if line.trim() == "]" {
                    skip = false;
                }
                continue;
            }
            out.push_str(line);
            out.push('\n');
        }
        *m = out;
    }
    // Rule files of the dropped stages are no longer listed; drop them too.
    src.files.retain(|p, _| {
        !(p.starts_with("priority/") || p.starts_with("amount/") || p.starts_with("referrals/"))
    });
    match Policy::load(src) {
        Ok(p) => p,
        Err(e) => panic!("{e:?}"),
    }
}

/// The CPU model and the cores this process may use, as the machine's name beside absolute figures.
fn machine() -> (String, usize) {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cpu, cores)
}

/// Most a ratio may grow over the baseline's before the guard fails (1.5 = by half), on the baseline's machine.
const RATIO_GROWTH_ALLOWED: f64 = 1.5;
/// The same on another CPU: ratios move there too (engine ÷ native has been seen to double between two
/// machines of one kind), so only a gross change fails.
const RATIO_GROWTH_ALLOWED_ELSEWHERE: f64 = 3.0;

/// Compares the ratios of this run with a baseline's; the problems, one per ratio that grew too much.
fn against_baseline(
    ratios: &serde_json::Value,
    baseline: &serde_json::Value,
    cpu: &str,
) -> Vec<String> {
    let mut problems = Vec::new();
    let same_machine = baseline.pointer("/machine/cpu").and_then(|c| c.as_str()) == Some(cpu);
    let allowed = if same_machine {
        RATIO_GROWTH_ALLOWED
    } else {
        println!(
            "baseline measured on another CPU ({}): a ratio may grow up to {RATIO_GROWTH_ALLOWED_ELSEWHERE}× here",
            baseline.pointer("/machine/cpu").and_then(|c| c.as_str()).unwrap_or("unknown")
        );
        RATIO_GROWTH_ALLOWED_ELSEWHERE
    };
    let Some(base) = baseline.get("ratios").and_then(|r| r.as_object()) else {
        return vec!["the baseline has no `ratios` object".into()];
    };
    for (name, was) in base {
        let (Some(was), Some(now)) = (was.as_f64(), ratios.get(name).and_then(|v| v.as_f64()))
        else {
            problems.push(format!(
                "ratio `{name}`: missing in this run or not a number"
            ));
            continue;
        };
        let verdict = if now > was * allowed { "GREW" } else { "ok" };
        println!(
            "{name:<52} {now:>10.2} (baseline {was:.2}, allowed up to {:.2}) {verdict}",
            was * allowed
        );
        if now > was * allowed {
            problems.push(format!(
                "ratio `{name}` is {now:.2}, more than {allowed}× the baseline's {was:.2}"
            ));
        }
    }
    problems
}

fn main() {
    let mut positional = Vec::new();
    let mut json_out: Option<String> = None;
    let mut baseline: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--json" => json_out = args.next(),
            "--baseline" => baseline = args.next(),
            _ => positional.push(a),
        }
    }
    let n: usize = positional
        .first()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let rounds: usize = positional.get(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    let (cpu, cores) = machine();
    let date = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
    println!("{date}, {cpu}, {cores} cores");
    let mut figures = serde_json::Map::new();
    let mut note = |name: &str, d: Duration, count: usize| {
        figures.insert(
            name.to_string(),
            serde_json::json!(d.as_secs_f64() / count.max(1) as f64 * 1e6),
        );
    };
    let policy = match Policy::embedded() {
        Ok(p) => p,
        Err(e) => panic!("{e:?}"),
    };
    let mut generator = assessor::generate::Generator::new(1);
    let lines: Vec<Vec<u8>> = (0..n)
        .map(|_| generator.case().to_string().into_bytes())
        .collect();
    let cases: Vec<ValidCase> = lines.iter().filter_map(|l| parse_case(l).ok()).collect();
    let recs: Vec<assessor::Recommendation> = cases
        .iter()
        .filter_map(|c| assessor::assess(c, &policy).ok())
        .collect();
    let out_bytes: usize = recs.iter().map(|r| json(r).len() + 1).sum();
    println!(
        "{n} generated cases (seed 1), {} valid; {} rules; output {:.1} KB/case; median of {rounds} rounds; {} threads",
        cases.len(),
        policy.rules.len(),
        out_bytes as f64 / recs.len().max(1) as f64 / 1024.0,
        rayon::current_num_threads()
    );

    let d = time(rounds, || {
        for l in &lines {
            std::hint::black_box(parse_case(l).is_ok());
        }
    });
    report("parse + validate (1 thread)", d, n);
    note("parse_validate_us", d, n);
    let d = time(rounds, || {
        for c in &cases {
            std::hint::black_box(assessor::assess(c, &policy).is_ok());
        }
    });
    report("assess, full explanations (1 thread)", d, cases.len());
    note("assess_us", d, cases.len());
    let memo_stats = assessor::engine::memo::stats();
    println!(
        "{:<52} {:>10.1} % of {} rule evaluations in a round ({} could not be kept)",
        "  memo hits",
        memo_stats.hit_rate() * 100.0,
        memo_stats.hits + memo_stats.misses,
        memo_stats.unstorable
    );
    let bounds = what_bounds_an_assessment(&cases, &policy);
    assessor::engine::memo::set_enabled(false);
    let off = time(rounds, || {
        for c in &cases {
            std::hint::black_box(assessor::assess(c, &policy).is_ok());
        }
    });
    assessor::engine::memo::set_enabled(true);
    report("assess, memo off (1 thread)", off, cases.len());
    note("assess_memo_off_us", off, cases.len());
    let assess_per_case = d.as_secs_f64() / cases.len().max(1) as f64;
    let d = time(rounds, || {
        for r in &recs {
            std::hint::black_box(json(r).len());
        }
    });
    report("render JSON (1 thread)", d, recs.len());
    note("render_json_us", d, recs.len());
    let pipeline = |l: &Vec<u8>| -> String {
        match parse_case(l) {
            Ok(c) => match assessor::assess(&c, &policy) {
                Ok(r) => json(&r),
                Err(e) => e.to_string(),
            },
            Err(e) => format!("{e:?}"),
        }
    };
    let single = time(rounds, || {
        let mut sink = std::io::sink();
        for l in &lines {
            let _ = writeln!(sink, "{}", pipeline(l));
        }
    });
    report("whole pipeline: bytes → JSON line (1 thread)", single, n);
    note("pipeline_1_thread_us", single, n);
    let all = time(rounds, || {
        let out: Vec<String> = lines.par_iter().map(pipeline).collect();
        let mut sink = std::io::sink();
        for o in out {
            let _ = writeln!(sink, "{o}");
        }
    });
    report(
        &format!("whole pipeline ({} threads)", rayon::current_num_threads()),
        all,
        n,
    );
    note("pipeline_all_threads_us", all, n);

    // What would change the outcome: the extra cost for one case (on by default for single cases).
    let sample = cases.len().min(2000);
    let extra = time(rounds, || {
        for (c, r) in cases.iter().zip(&recs).take(sample) {
            std::hint::black_box(
                assessor::explain::whatif::explore(&c.json, r, &policy).assessments,
            );
        }
    });
    let per_case: usize = cases
        .iter()
        .zip(&recs)
        .take(sample)
        .map(|(c, r)| assessor::explain::whatif::explore(&c.json, r, &policy).assessments)
        .sum();
    report(
        &format!(
            "what would change the outcome (extra; {:.0} re-assessments/case)",
            per_case as f64 / sample as f64
        ),
        extra,
        sample,
    );
    note("what_if_extra_us", extra, sample);
    // Its parts run on every core (a single case's answer comes sooner); the same on one thread is its work, which
    // the ratio below compares with one thread's assessment.
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().ok();
    let extra_one = time(rounds, || {
        let run = || {
            for (c, r) in cases.iter().zip(&recs).take(sample) {
                std::hint::black_box(
                    assessor::explain::whatif::explore(&c.json, r, &policy).assessments,
                );
            }
        };
        match &one_thread {
            Some(pool) => pool.install(run),
            None => run(),
        }
    });
    report("  the same on one thread", extra_one, sample);
    note("what_if_extra_one_thread_us", extra_one, sample);
    let what_if_per_case = extra_one.as_secs_f64() / sample.max(1) as f64;

    // The interview: from one answer to the next question, over the widow's scripted interview (each answer
    // re-assesses the case). The median and the slowest question of each round, medians over the rounds.
    let interview = interview_question_times(&policy, rounds);
    if let Some((questions, median_q, slowest)) = interview {
        println!(
            "{:<52} {:>10.2} ms median, {:.2} ms slowest ({questions} questions)",
            "interview: an answer to the next question (widow)",
            median_q.as_secs_f64() * 1e3,
            slowest.as_secs_f64() * 1e3
        );
    }

    // Every text again in Chinese (`assess --lang zh`): the extra cost over the English the assessment writes.
    let chinese = time(rounds, || {
        for r in &recs {
            let mut r = r.clone();
            assessor::explain::localise::localise(&mut r, &policy, assessor::model::text::Lang::Zh);
            std::hint::black_box(r.findings.len());
        }
    });
    let cloning = time(rounds, || {
        for r in &recs {
            std::hint::black_box(r.clone().findings.len());
        }
    });
    report(
        "texts in Chinese (extra, with a clone)",
        chinese,
        recs.len(),
    );
    report("  of which the clone", cloning, recs.len());

    // Native baseline against the engine on the same two stages.
    let two = two_stage_policy();
    let typed: Vec<&Case> = cases.iter().map(|c| &c.case).collect();
    // Engine and native are timed in pairs of rounds, one right after the other, and the ratio is the median of the
    // pairs' ratios: a load from outside that slows one round slows its pair's other half too, where two medians
    // taken minutes apart each saw another load. A native pass over the cases takes a few milliseconds, which one
    // preemption can double: its round repeats the pass until it has run for at least 100 ms.
    let pairs = rounds.max(9);
    let (native, engine, [engine_over_native, lowest_pair, highest_pair]) = paired_rounds(
        pairs,
        || {
            for c in &typed {
                let (d, f) = native_decide(c);
                std::hint::black_box((
                    d,
                    f.iter()
                        .map(|x| {
                            x.rule.len()
                                + x.reason.len()
                                + x.facts.len()
                                + usize::from(x.outcome == Some(true))
                        })
                        .sum::<usize>(),
                ));
            }
        },
        || {
            for c in &cases {
                std::hint::black_box(assessor::assess(c, &two).is_ok());
            }
        },
    );
    report("native Rust: eligibility + exclusions", native, typed.len());
    note("native_two_stages_us", native, typed.len());
    report(
        &format!(
            "rhai engine: the same two stages ({} rules)",
            two.rules.len()
        ),
        engine,
        cases.len(),
    );
    note("engine_two_stages_us", engine, cases.len());
    assessor::engine::memo::set_enabled(false);
    let engine_off = time(rounds, || {
        for c in &cases {
            std::hint::black_box(assessor::assess(c, &two).is_ok());
        }
    });
    assessor::engine::memo::set_enabled(true);
    report(
        "rhai engine: the same two stages, memo off",
        engine_off,
        cases.len(),
    );
    note("engine_two_stages_memo_off_us", engine_off, cases.len());
    let per_native = (native.as_secs_f64() / typed.len().max(1) as f64).max(1e-12);
    let engine_off_over_native =
        (engine_off.as_secs_f64() / cases.len().max(1) as f64) / per_native;
    let what_if_over_assess = what_if_per_case / assess_per_case.max(1e-12);
    println!(
        "{:<52} {:>10.1}× (pairs from {lowest_pair:.1}× to {highest_pair:.1}×)",
        format!("engine ÷ native (same stages, median of {pairs} pairs)"),
        engine_over_native
    );
    println!(
        "{:<52} {:>10.1}×",
        "engine ÷ native, memo off", engine_off_over_native
    );
    println!(
        "{:<52} {:>10.1}×",
        "what-if ÷ assess (one thread each, same run)", what_if_over_assess
    );
    let ratios = serde_json::json!({
        "engine_over_native": engine_over_native,
        "what_if_over_assess": what_if_over_assess,
    });

    // Start-up: the release binary on one case, wall time.
    let exe = std::env::current_exe().ok().and_then(|p| {
        p.parent()
            .and_then(|d| d.parent())
            .map(|d| d.join("assessor"))
    });
    let mut startup_ms: Option<f64> = None;
    let mut one_case_ms: Option<f64> = None;
    match exe.filter(|p| p.exists()) {
        Some(exe) => {
            let case = std::env::temp_dir().join("assessor-bench-case.json");
            let _ = std::fs::write(&case, lines.first().cloned().unwrap_or_default());
            let ms = command_ms(&exe, &["assess", "--no-what-if", "--format", "json"], &case);
            startup_ms = Some(ms);
            println!(
                "{:<52} {:>10.1} ms (median of 21)",
                "start-up: `assessor assess --no-what-if` on one case", ms
            );
            // A case handler's one case with what would change it (the default): the first generated case that is
            // not assisted, so that the search has work to do.
            let open = cases
                .iter()
                .zip(&recs)
                .find(|(_, r)| r.decision != assessor::model::codes::Decision::Assist);
            if let Some((c, r)) = open {
                let _ = std::fs::write(&case, c.json.to_string());
                let ms = command_ms(&exe, &["assess", "--format", "json"], &case);
                one_case_ms = Some(ms);
                let tried = assessor::explain::whatif::explore(&c.json, r, &policy).assessments;
                println!(
                    "{:<52} {:>10.1} ms (median of 21; {} {}, {tried} re-assessments)",
                    "one case from the CLI, with what-if",
                    ms,
                    r.case_id,
                    r.decision.as_str()
                );
            }
        }
        None => println!("start-up: build the binary first (cargo build --release)"),
    }

    if let Some(path) = json_out {
        let out = serde_json::json!({
            "date": date,
            "machine": { "cpu": cpu, "cores": cores },
            "cases": n,
            "rounds": rounds,
            "seed": 1,
            "figures_us_per_case": figures,
            "startup_ms": startup_ms,
            "one_case_what_if_ms": one_case_ms,
            "ratios": ratios,
            "engine_over_native_memo_off": engine_off_over_native,
            "memo_hit_rate": memo_stats.hit_rate(),
            "what_bounds_an_assessment": bounds,
            "interview_ms": interview.map(|(questions, median_q, slowest)| serde_json::json!({
                "questions": questions,
                "median": median_q.as_secs_f64() * 1e3,
                "slowest": slowest.as_secs_f64() * 1e3,
            })),
        });
        if let Err(e) = std::fs::write(&path, format!("{out:#}\n")) {
            eprintln!("{path}: cannot write the figures: {e}");
            std::process::exit(2);
        }
        println!("figures written to {path}");
    }
    if let Some(path) = baseline {
        let base = match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).map_err(|e| e.to_string()))
        {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: cannot read the baseline: {e}");
                std::process::exit(2);
            }
        };
        let problems = against_baseline(&ratios, &base, &cpu);
        if !problems.is_empty() {
            for p in &problems {
                eprintln!("{path}: {p}");
            }
            std::process::exit(1);
        }
    }
}

/// What bounds an assessment, from one more pass over the cases on one thread (the memo emptied first, as for each
/// timed round): how the time divides between the cases (the share of the slowest), the share of it spent in rules
/// the interpreter evaluated (the rest is the memo's answers, the searches over unknown facts and the building of
/// the recommendation), and the rules that took most of that, each with its evaluations and the memo's answers
/// per case and its time and rhai operations per evaluation. Printed, and given back for `--json`.
fn what_bounds_an_assessment(cases: &[ValidCase], policy: &Policy) -> serde_json::Value {
    assessor::engine::memo::reset();
    assessor::engine::profile::reset();
    let mut times: Vec<Duration> = cases
        .iter()
        .map(|c| {
            let t = Instant::now();
            std::hint::black_box(assessor::assess(c, policy).is_ok());
            t.elapsed()
        })
        .collect();
    let costs = policy.rule_costs();
    let n = cases.len().max(1) as f64;
    let total: Duration = times.iter().sum();
    let total_s = total.as_secs_f64().max(1e-12);
    println!(
        "{:<52} {:>10.1} µs/case in one more pass, memo on:",
        "  where the time goes",
        total_s / n * 1e6
    );
    times.sort_unstable_by(|a, b| b.cmp(a));
    let share_of_slowest = |fraction: f64| {
        let k = ((times.len() as f64 * fraction).ceil() as usize).clamp(1, times.len().max(1));
        times.iter().take(k).sum::<Duration>().as_secs_f64() / total_s
    };
    let slowest: Vec<(f64, f64)> = [0.01, 0.05, 0.20]
        .iter()
        .map(|&f| (f, share_of_slowest(f)))
        .collect();
    println!(
        "{:<52} {:>10} of the time",
        "    the slowest 1% / 5% / 20% of cases take",
        slowest
            .iter()
            .map(|(_, s)| format!("{:.0}%", s * 100.0))
            .collect::<Vec<_>>()
            .join(" / ")
    );
    let evaluating: Duration = costs.iter().map(|(_, c)| c.time).sum();
    let evaluations: u64 = costs.iter().map(|(_, c)| c.evaluated).sum();
    let answered: u64 = costs.iter().map(|(_, c)| c.answered).sum();
    println!(
        "{:<52} {:>10.0} % of the time ({:.1} evaluations a case, +{:.1} answered by the memo)",
        "    rules run by the interpreter",
        evaluating.as_secs_f64() / total_s * 100.0,
        evaluations as f64 / n,
        answered as f64 / n
    );
    let mut by_time: Vec<_> = costs.iter().filter(|(_, c)| c.evaluated > 0).collect();
    by_time.sort_by_key(|c| std::cmp::Reverse(c.1.time));
    let evaluating_s = evaluating.as_secs_f64().max(1e-12);
    let mut rules = Vec::new();
    for (rule, c) in by_time.iter().take(6) {
        let per_eval_us = c.time.as_secs_f64() / c.evaluated as f64 * 1e6;
        let ops = c.operations as f64 / c.evaluated as f64;
        let share = c.time.as_secs_f64() / evaluating_s;
        println!(
            "      {:<46} {:>10.0} % of that: {:.2} evaluations a case (+{:.2} answered), {:.1} µs and {:.0} operations each",
            rule.id,
            share * 100.0,
            c.evaluated as f64 / n,
            c.answered as f64 / n,
            per_eval_us,
            ops
        );
        rules.push(serde_json::json!({
            "rule": rule.id,
            "share_of_evaluation_time": share,
            "evaluations_per_case": c.evaluated as f64 / n,
            "answered_per_case": c.answered as f64 / n,
            "us_per_evaluation": per_eval_us,
            "operations_per_evaluation": ops,
        }));
    }
    serde_json::json!({
        "share_of_time_in_slowest_cases": slowest
            .iter()
            .map(|(f, s)| serde_json::json!({ "fraction_of_cases": f, "share": s }))
            .collect::<Vec<_>>(),
        "us_per_case": total_s / n * 1e6,
        "share_of_time_in_rule_evaluations": evaluating.as_secs_f64() / total_s,
        "evaluations_per_case": evaluations as f64 / n,
        "answered_per_case": answered as f64 / n,
        "rules": rules,
    })
}

/// The widow's interview (`fixtures/interview/widow.json`, answered from the case as `examples/interview_script.rs`
/// does), `rounds` times: how many questions, and the medians over the rounds of each round's median and slowest
/// time from an answer to the next question. `None` when the fixture cannot be read or an answer is refused.
fn interview_question_times(policy: &Policy, rounds: usize) -> Option<(usize, Duration, Duration)> {
    use assessor::interview::{answer_from, Interview, Lang, Reply};
    let bytes = std::fs::read("fixtures/interview/widow.json").ok()?;
    let case: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let (mut medians, mut slowest, mut questions) = (Vec::new(), Vec::new(), 0);
    for _ in 0..rounds.max(1) {
        let mut iv = Interview::new(policy, Lang::En, None);
        let mut times = Vec::new();
        let mut pending: Option<(assessor::interview::Question, String)> = None;
        loop {
            let t = Instant::now();
            if let Some((q, answer)) = pending.take() {
                if iv.answer(&q, answer.as_str()) != Reply::Recorded {
                    return None;
                }
            }
            let Some(q) = iv.next_question() else { break };
            times.push(t.elapsed());
            let answer = answer_from(&case, &q, Lang::En);
            pending = Some((q, answer));
        }
        questions = times.len();
        slowest.push(times.iter().copied().max().unwrap_or_default());
        medians.push(median(times));
    }
    Some((questions, median(medians), median(slowest)))
}

/// A recommendation as one line of JSON, as `assess --jsonl` writes it.
fn json(r: &assessor::Recommendation) -> String {
    let mut line = Vec::new();
    match assessor::report::json(&mut line, r, false) {
        Ok(()) => String::from_utf8_lossy(&line).into_owned(),
        Err(e) => e.to_string(),
    }
}
