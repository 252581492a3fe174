//! The memo of rule conclusions is exact: every corpus case (with what would change the outcome) and 10,000
//! generated cases give the same bytes with and without it, in English and in Chinese, in JSON and as a text
//! report.

use rayon::prelude::*;

use assessor::engine::memo;
use assessor::model::text::Lang;
use assessor::validate::{parse_case, validate_value, ValidCase};

use crate::support::{corpus, policy};

/// Every output of one case: JSON and text report in both languages (with what-if when asked: on every core, or
/// for the reference one re-assessment after another on this thread, where [`memo::without`] turns the memo off —
/// rayon's threads keep theirs).
fn outputs(case: &ValidCase, what_if: bool, reports: bool, reference: bool) -> Vec<String> {
    let p = policy();
    let Ok(codes) = assessor::assess::assess(case, p) else {
        return vec!["cannot be assessed".into()];
    };
    let mut codes = codes;
    if what_if {
        codes.what_if = Some(if reference {
            assessor::explain::whatif::explore_one_after_another(&case.json, &codes, p)
        } else {
            assessor::explain::whatif::explore(&case.json, &codes, p)
        });
    }
    let mut out = Vec::new();
    for lang in [Lang::En, Lang::Zh] {
        let mut rec = codes.clone();
        assessor::explain::localise::localise(&mut rec, p, lang);
        type Writer = fn(
            &mut dyn std::io::Write,
            &assessor::Recommendation,
            &assessor::model::text::Labels,
        ) -> std::io::Result<()>;
        let writers: &[Writer] = if reports {
            &[assessor::report::text, assessor::report::markdown]
        } else {
            &[]
        };
        for write in writers {
            let mut w = Vec::new();
            write(&mut w, &rec, p.labels(lang)).unwrap_or_else(|e| panic!("{e}"));
            out.push(String::from_utf8_lossy(&w).into_owned());
        }
        let mut w = Vec::new();
        assessor::report::json(&mut w, &rec, false).unwrap_or_else(|e| panic!("{e}"));
        out.push(String::from_utf8_lossy(&w).into_owned());
    }
    out
}

fn same_with_and_without(case: &ValidCase, what_if: bool, name: &str) {
    // Text and Markdown reports are written from the recommendation: for the corpus (with what-if) only.
    let reports = what_if;
    let reference = memo::without(|| outputs(case, what_if, reports, true));
    // Twice with the memo: the first run fills it (and uses what earlier cases left), the second reads it.
    for round in 0..2 {
        let memoised = outputs(case, what_if, reports, false);
        assert!(
            memoised == reference,
            "{name}: with the memo (round {round}) the output differs from without it"
        );
    }
}

/// The reference is made without the memo on every thread: what-if's re-assessments, which run on rayon's threads
/// in `explore`, make no lookup there either (`memo::without` is for the calling thread only).
#[test]
fn the_reference_makes_no_memo_lookup_on_any_thread() {
    let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(2).build() else {
        panic!("no pool of two threads");
    };
    let path = crate::support::root().join("fixtures/cases/t05_missing_income_widow.json");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let Ok(case) = parse_case(&bytes) else {
        panic!("{} is not a valid case", path.display());
    };
    let lookups = pool.install(|| {
        pool.broadcast(|_| memo::reset());
        let _ = memo::without(|| outputs(&case, true, false, true));
        pool.broadcast(|_| {
            let s = memo::stats();
            s.hits + s.misses
        })
    });
    assert_eq!(
        lookups,
        vec![0, 0],
        "memo lookups per thread while it was off"
    );
}

#[test]
fn the_memo_changes_no_byte_of_any_corpus_case() {
    memo::reset();
    let mut n = 0;
    for path in corpus() {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
        if let Ok(case) = parse_case(&bytes) {
            same_with_and_without(&case, true, &path.display().to_string());
            n += 1;
        }
    }
    assert!(n >= 40, "{n}");
    let s = memo::stats();
    assert!(s.hits > 0, "the memo was never used: {s:?}");
}

#[test]
fn the_memo_changes_no_byte_of_10000_generated_cases() {
    let mut generator = assessor::generate::Generator::new(11);
    let cases: Vec<(usize, serde_json::Value)> =
        (0..10_000).map(|i| (i, generator.case())).collect();
    let hits: u64 = cases
        .par_chunks(250)
        .map(|chunk| {
            memo::reset();
            for (i, v) in chunk {
                if let Ok(case) = validate_value(v.clone()) {
                    same_with_and_without(
                        &case,
                        i % 500 == 0,
                        &format!("generated case {i} (seed 11)"),
                    );
                }
            }
            memo::stats().hits
        })
        .sum();
    assert!(hits > 0);
}

/// The rules' profile (`Policy::rule_costs`) counts each rule's evaluations and the memo's answers, on this thread:
/// a case assessed on an empty memo and then again asks every rule the same number of times, and the second time
/// the memo answers them all; with the memo off every one of those is evaluated. Generated cases with unknown facts
/// are among them, so the searches' readings are counted too.
#[test]
fn the_rules_profile_counts_evaluations_and_the_memos_answers() {
    use assessor::engine::profile;
    let p = policy();
    let mut generator = assessor::generate::Generator::new(1);
    let generated: Vec<serde_json::Value> = (0..200).map(|_| generator.case()).collect();
    let mut cases: Vec<ValidCase> = corpus()
        .iter()
        .filter_map(|path| parse_case(&std::fs::read(path).unwrap_or_default()).ok())
        .collect();
    cases.extend(generated.into_iter().filter_map(|v| validate_value(v).ok()));
    assert!(cases.len() > 200, "{}", cases.len());
    let lookups = |costs: &[(&assessor::policy::Rule, profile::RuleCost)]| -> Vec<u64> {
        costs
            .iter()
            .map(|(_, c)| c.evaluated + c.answered)
            .collect()
    };
    let (mut evaluated, mut answered) = (0, 0);
    for (i, case) in cases.iter().enumerate() {
        memo::reset();
        profile::reset();
        let first = assessor::assess::assess(case, p).map(|r| r.findings.len());
        let once = p.rule_costs();
        let stats = memo::stats();
        assert!(
            stats.unstorable == 0 && stats.emptied == 0,
            "case {i}: {stats:?}"
        );
        assert!(once.iter().all(|(_, c)| c.failed == 0), "case {i}");
        for (rule, c) in &once {
            assert!(
                c.evaluated == 0 || (c.operations > 0 && !c.time.is_zero()),
                "case {i}: {} {c:?}",
                rule.id
            );
        }
        assert_eq!(
            assessor::assess::assess(case, p).map(|r| r.findings.len()),
            first
        );
        let twice = p.rule_costs();
        for ((rule, a), (_, b)) in once.iter().zip(&twice) {
            assert_eq!(
                b.evaluated, a.evaluated,
                "case {i}, {}: the memo did not answer",
                rule.id
            );
            assert_eq!(
                b.answered,
                2 * a.answered + a.evaluated,
                "case {i}, {}",
                rule.id
            );
        }
        evaluated += once.iter().map(|(_, c)| c.evaluated).sum::<u64>();
        answered += once.iter().map(|(_, c)| c.answered).sum::<u64>();

        profile::reset();
        let _ = memo::without(|| assessor::assess::assess(case, p));
        let off = p.rule_costs();
        assert_eq!(lookups(&off), lookups(&once), "case {i}: memo off");
        assert!(
            off.iter().all(|(_, c)| c.answered == 0),
            "case {i}: memo off"
        );
    }
    // The memo answered within single cases too (a search reads a rule again where nothing it reads changed).
    assert!(evaluated > 0 && answered > 0, "{evaluated} {answered}");
}

#[test]
fn a_full_memo_is_emptied_not_grown() {
    // The bound holds whatever the cases: after many distinct cases, this thread's memo was emptied or is below it.
    memo::reset();
    let mut generator = assessor::generate::Generator::new(12);
    for _ in 0..300 {
        if let Ok(case) = validate_value(generator.case()) {
            let _ = assessor::assess::assess(&case, policy());
        }
    }
    let s = memo::stats();
    assert!(s.misses > 0 && s.hits > 0, "{s:?}");
    assert!(
        memo::held_bytes() <= memo::MEMO_BYTES,
        "{}",
        memo::held_bytes()
    );
}

/// A rule's search over its unknowns reads the earlier rules it names again in each reading, then puts their results
/// back (`assess::unknowns`). Where a named rule fails for one of the values tried (here the bar "hardship not caused
/// by the case", made to fail for a household of more than 5), the rule that names it stays unknown, the named rule
/// keeps its own result, and the bytes are the same with the memo on and off. On the default policy the same case's
/// social-assistance referral is given (the bar does not read the size there).
#[test]
fn a_named_rule_failing_for_a_searched_value_leaves_no_trace() {
    let (_tmp, rules) = crate::support::policy_copy();
    let bar = rules.join("exclusions/hardship_not_caused_by_case.rhai");
    let text = std::fs::read_to_string(&bar).unwrap_or_else(|e| panic!("{e}"));
    let from = "if facts.household.hardship_caused_by_case {\n    not_met()";
    assert!(
        text.contains(from),
        "the bar's text moved: update this test"
    );
    let failing = text.replace(
        from,
        "if facts.household.hardship_caused_by_case {\n    if facts.household.size > 5 { throw \"fails for a large household\"; }\n    not_met()",
    );
    std::fs::write(&bar, failing).unwrap_or_else(|e| panic!("{e}"));
    let failing = assessor::Policy::from_dir(&rules).unwrap_or_else(|e| panic!("{e:?}"));
    // Seed 2, case 51: declined, the hardship caused by the case, the household's size unknown.
    let v = assessor::generate::Generator::new(2)
        .cases(51)
        .pop()
        .unwrap_or_default();
    let case = validate_value(v).unwrap_or_else(|e| panic!("{e:?}"));
    let finding = |r: &assessor::Recommendation, rule: &str| {
        r.findings
            .iter()
            .find(|f| f.rule == rule)
            .map(|f| (f.outcome, f.missing.clone(), f.immaterial.clone()))
    };
    let size = || vec!["/household/size".to_string()];
    let default = assessor::assess::assess(&case, policy()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(default.decision, assessor::Decision::Decline);
    assert_eq!(
        finding(&default, "referrals.social_assistance"),
        Some((assessor::model::codes::Outcome::Met, vec![], vec![]))
    );
    let bytes = |r: &assessor::Recommendation| serde_json::to_string(r).unwrap_or_default();
    assessor::engine::profile::reset();
    let off = memo::without(|| assessor::assess::assess(&case, &failing))
        .unwrap_or_else(|e| panic!("{e}"));
    // The profile counts the bar's failed evaluations (a reading left out), among its evaluations.
    let bar_costs = failing
        .rule_costs()
        .into_iter()
        .find(|(r, _)| r.id == "exclusions.hardship_not_caused_by_case")
        .map(|(_, c)| c)
        .unwrap_or_default();
    assert!(
        bar_costs.failed > 0 && bar_costs.failed < bar_costs.evaluated,
        "{bar_costs:?}"
    );
    for round in 0..2 {
        let on = assessor::assess::assess(&case, &failing).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            bytes(&on),
            bytes(&off),
            "memo on (round {round}) and off differ"
        );
    }
    assert_eq!(off.decision, assessor::Decision::Decline);
    assert_eq!(
        finding(&off, "referrals.social_assistance"),
        Some((assessor::model::codes::Outcome::Unknown, size(), vec![]))
    );
    assert_eq!(
        finding(&off, "exclusions.hardship_not_caused_by_case"),
        Some((assessor::model::codes::Outcome::Unknown, size(), vec![]))
    );
}
