//! What would change the outcome: suggestions are verified, and missing facts say what each value leads to.

use serde_json::Value;

use assessor::validate::validate_value;
use assessor::Decision;

use crate::support::{policy, root, run};

fn explore(stem: &str) -> (Value, assessor::Recommendation) {
    let path = root().join("fixtures/cases").join(format!("{stem}.json"));
    let json: Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap_or_default()).unwrap_or_default();
    let case = validate_value(json.clone()).unwrap_or_else(|e| panic!("{e:?}"));
    let mut rec = assessor::assess(&case, policy()).unwrap_or_else(|e| panic!("{e}"));
    rec.what_if = Some(assessor::explain::whatif::explore(
        &case.json,
        &rec,
        policy(),
    ));
    let lang = rec.language;
    assessor::explain::localise::localise(&mut rec, policy(), lang);
    (json, rec)
}

/// Every suggested change, applied to the case and re-assessed, gives the outcome it promises.
#[test]
fn every_suggestion_is_verified_by_reassessment() {
    let mut seen = 0;
    for path in crate::support::corpus() {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let (json, rec) = explore(&stem);
        for w in &rec
            .what_if
            .as_ref()
            .map(|w| w.changes.clone())
            .unwrap_or_default()
        {
            seen += 1;
            let mut changed = json.clone();
            for c in &w.changes {
                let mut parts = c.fact.rsplitn(2, '/');
                let (key, parent) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                let slot = if parent.is_empty() {
                    Some(&mut changed)
                } else {
                    changed.pointer_mut(parent)
                };
                if let Some(Value::Object(map)) = slot {
                    map.insert(key.to_string(), c.to.clone());
                }
            }
            let again = assessor::assess(
                &validate_value(changed).unwrap_or_else(|e| panic!("{e:?}")),
                policy(),
            )
            .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(again.decision, w.outcome.decision, "{stem}: {}", w.text);
            assert_eq!(
                again.amount.as_ref().map(|a| a.recommended),
                w.outcome.amount,
                "{stem}: {}",
                w.text
            );
            assert_ne!(
                (again.decision, again.priority.as_ref().map(|p| p.tier)),
                (rec.decision, rec.priority.as_ref().map(|p| p.tier)),
                "{stem}: the suggestion changes nothing: {}",
                w.text
            );
        }
    }
    assert!(seen >= 5, "only {seen} suggestions over the corpus");
}

/// A decline that rests on one actionable fact shows that fact and the verified new outcome.
#[test]
fn a_decline_resting_on_one_fact_names_it() {
    let (_, rec) = explore("c16_refused_cooperation");
    assert_eq!(rec.decision, Decision::Decline);
    let w = rec.what_if.unwrap_or_default();
    let first = w.changes.first().unwrap_or_else(|| panic!("no suggestion"));
    assert_eq!(first.changes.len(), 1);
    assert_eq!(first.changes[0].fact, "/conduct/refused_cooperation");
    assert_eq!(first.outcome.decision, Decision::Assist);
    assert!(
        first.text.starts_with("Would be assisted at tier"),
        "{}",
        first.text
    );

    let (_, rec) = explore("c29_no_hardship");
    let w = rec.what_if.unwrap_or_default();
    assert!(w
        .changes
        .iter()
        .any(|c| c.changes[0].fact == "/household/monthly_income"
            && c.changes[0].bound == Some(assessor::model::exploration::Bound::AtMost)));
}

/// For the T5-like case (income undocumented), each plausible income says where it leads.
#[test]
fn a_missing_fact_says_what_each_value_leads_to() {
    let (_, rec) = explore("t05_missing_income_widow");
    assert_eq!(rec.decision, Decision::NeedsInformation);
    let w = rec.what_if.unwrap_or_default();
    let income = w
        .missing
        .iter()
        .find(|m| m.fact == "/household/monthly_income")
        .unwrap_or_else(|| panic!("{w:?}"));
    assert!(income.cases.len() >= 2, "{income:?}");
    assert!(income.cases[0].value.starts_with("below ¥"), "{income:?}");
    // Low incomes are hardship; a high one is not, even after the loss of the main earner.
    assert_eq!(
        income.cases.first().map(|c| c.outcome.decision),
        Some(Decision::Assist),
        "{income:?}"
    );
    assert_eq!(
        income.cases.last().map(|c| c.outcome.decision),
        Some(Decision::Decline),
        "{income:?}"
    );

    let (_, rec) = explore("c25_hardship_cause_unknown");
    let w = rec.what_if.unwrap_or_default();
    let cause = w
        .missing
        .iter()
        .find(|m| m.fact == "/household/hardship_caused_by_case")
        .unwrap_or_else(|| panic!("{w:?}"));
    let by_value: Vec<(&str, Option<&serde_json::Value>, Decision)> = cause
        .cases
        .iter()
        .map(|c| (c.value.as_str(), c.equals.as_ref(), c.outcome.decision))
        .collect();
    assert_eq!(
        by_value,
        [
            ("true", Some(&serde_json::json!(true)), Decision::Assist),
            ("false", Some(&serde_json::json!(false)), Decision::Decline)
        ]
    );
}

#[test]
fn on_by_default_for_one_case_off_for_batches_and_on_request() {
    let (_, out, _) = run(
        &[
            "assess",
            "--format",
            "json",
            "fixtures/cases/c16_refused_cooperation.json",
        ],
        None,
    );
    assert!(out.contains("\"what_if\""), "{out}");
    let (_, out, _) = run(
        &[
            "assess",
            "--format",
            "json",
            "--no-what-if",
            "fixtures/cases/c16_refused_cooperation.json",
        ],
        None,
    );
    assert!(!out.contains("\"what_if\""));
    let (_, out, _) = run(
        &[
            "assess",
            "--format",
            "json",
            "fixtures/cases/c16_refused_cooperation.json",
            "fixtures/cases/c29_no_hardship.json",
        ],
        None,
    );
    assert!(!out.contains("\"what_if\""));
    let (_, out, _) = run(
        &[
            "assess",
            "--format",
            "text",
            "fixtures/cases/c16_refused_cooperation.json",
        ],
        None,
    );
    assert!(
        out.contains("What would change the outcome:\n  - Would be assisted at tier"),
        "{out}"
    );
}

/// The exploration runs its parts on every core; on generated cases (four threads) it finds what it finds one
/// re-assessment after another, byte for byte (the unit tests do the same for every example case, also cut short by
/// budgets).
#[test]
fn on_every_core_it_finds_what_it_finds_one_after_another() {
    let policy = policy();
    let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(4).build() else {
        panic!("no pool of four threads");
    };
    let mut generator = assessor::generate::Generator::new(7);
    let mut explored = 0;
    for _ in 0..30 {
        let Ok(case) = validate_value(generator.case()) else {
            continue;
        };
        let Ok(rec) = assessor::assess(&case, policy) else {
            continue;
        };
        let json = |e: &assessor::model::exploration::Exploration| {
            serde_json::to_string(e).unwrap_or_default()
        };
        let reference =
            assessor::explain::whatif::explore_one_after_another(&case.json, &rec, policy);
        let parallel =
            pool.install(|| assessor::explain::whatif::explore(&case.json, &rec, policy));
        assert_eq!(json(&parallel), json(&reference), "{}", rec.case_id);
        explored += usize::from(reference.assessments > 20);
    }
    assert!(
        explored >= 10,
        "only {explored} of 30 cases explored at length"
    );
}

/// What-if compares outcomes without building a recommendation (`assess::outcome`): the decision, tier and amount
/// are those of the whole assessment — for the example cases, generated cases, and the same with each actionable
/// or missing fact changed as what-if changes it.
#[test]
fn an_outcome_alone_is_the_whole_assessment_s() {
    let policy = policy();
    let dir = root().join("fixtures/cases");
    let mut cases: Vec<Value> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| serde_json::from_slice(&std::fs::read(e.ok()?.path()).ok()?).ok())
        .collect();
    let mut generator = assessor::generate::Generator::new(11);
    cases.extend((0..150).map(|_| generator.case()));
    let mut compared = 0;
    let mut assisted = 0;
    let mut nothing_due = 0;
    let mut check = |json: Value| {
        let Ok(case) = validate_value(json) else {
            return;
        };
        let Ok(rec) = assessor::assess::assess(&case, policy) else {
            return;
        };
        let whole = (
            rec.decision,
            rec.priority.as_ref().map(|p| p.tier),
            rec.amount.as_ref().map(|a| a.recommended),
        );
        match assessor::assess::outcome(&case, policy) {
            Ok(alone) => assert_eq!(alone, whole, "{}", rec.case_id),
            Err(e) => panic!("{}: {e}", rec.case_id),
        }
        compared += 1;
        assisted += usize::from(whole.2.is_some());
        nothing_due += usize::from(rec.nothing_due && whole.2.is_some());
    };
    for json in cases {
        // The case, then the case with each fact changed as what-if would change it (the other truth value, or a
        // sum halved and doubled).
        check(json.clone());
        // An earlier payment in this case, which may leave nothing due (declined with the amount's arithmetic).
        for paid in [2_000, 60_000, 400_000] {
            let mut c = json.clone();
            let prior = serde_json::json!({ "same_case": true, "amount": paid });
            if assessor::explain::whatif::set(&mut c, "/prior_assistance", prior).is_some() {
                check(c);
            }
        }
        for pointer in &policy.what_if {
            let changed = match json.pointer(pointer) {
                Some(Value::Bool(b)) => vec![Value::Bool(!b)],
                Some(Value::Number(n)) => {
                    let x = n.as_f64().unwrap_or(0.0);
                    vec![
                        serde_json::json!((x / 2.0).round()),
                        serde_json::json!(x * 2.0 + 1000.0),
                    ]
                }
                _ => Vec::new(),
            };
            for v in changed {
                let mut c = json.clone();
                if assessor::explain::whatif::set(&mut c, pointer, v).is_some() {
                    check(c);
                }
            }
        }
    }
    assert!(
        compared > 1000 && assisted > 200,
        "{compared} compared, {assisted} with an amount"
    );
}

/// The outcome alone (`assess::outcome`) is the whole assessment's for generated cases with many unknown facts (open
/// decisions, middle readings, ranges) and earlier payments of every kind: an amount, in this case or not, unknown,
/// or whether in this case unknown.
#[test]
fn an_outcome_alone_is_the_whole_assessment_s_with_unknowns_and_payments() {
    let policy = policy();
    let (mut compared, mut open, mut middle, mut nothing_due) = (0, 0, 0, 0);
    for seed in 0..3_u64 {
        let mut generator = assessor::generate::Generator::new(500 + seed);
        generator.unknown_rate = [0.03, 0.15, 0.3][seed as usize];
        for _ in 0..40 {
            let json = generator.case();
            let priors = [
                None,
                Some(serde_json::json!({ "same_case": true, "amount": 3_000 })),
                Some(serde_json::json!({ "same_case": true, "amount": 80_000 })),
                Some(serde_json::json!({ "same_case": true, "amount": null })),
                Some(serde_json::json!({ "same_case": null, "amount": 20_000 })),
                Some(serde_json::json!({ "same_case": false, "amount": 500_000 })),
            ];
            for prior in priors {
                let mut c = json.clone();
                if let Some(p) = prior {
                    if assessor::explain::whatif::set(&mut c, "/prior_assistance", p).is_none() {
                        continue;
                    }
                }
                let Ok(case) = validate_value(c) else {
                    continue;
                };
                let whole = assessor::assess::assess(&case, policy);
                let alone = assessor::assess::outcome(&case, policy);
                let (Ok(rec), Ok(alone)) = (&whole, &alone) else {
                    assert_eq!(whole.is_ok(), alone.is_ok(), "one fails, the other not");
                    continue;
                };
                let amount = rec.amount.as_ref();
                let expected = (
                    rec.decision,
                    rec.priority.as_ref().map(|p| p.tier),
                    amount.map(|a| a.recommended),
                );
                assert_eq!(*alone, expected, "{}", rec.case_id);
                compared += 1;
                open +=
                    usize::from(rec.decision == assessor::model::codes::Decision::NeedsInformation);
                middle += usize::from(amount.is_some_and(|a| {
                    !a.worked_with.is_empty()
                        || a.range.as_ref().is_some_and(|r| !r.assumed.is_empty())
                }));
                nothing_due += usize::from(rec.nothing_due && amount.is_some());
            }
        }
    }
    assert!(
        compared > 300 && open > 20 && middle > 0 && nothing_due > 0,
        "{compared} compared: {open} open, {middle} middle readings, {nothing_due} nothing due"
    );
}

/// A pair of changes that makes the case invalid (here a prior payment in the same case said to be in another) is
/// passed over: the pairs after it are still tried, and the one that assists is found.
#[test]
fn an_invalid_pair_does_not_end_the_pairs() {
    let manifest = format!(
        "{}[what_if]\nfacts = [\"/household/hardship_caused_by_case\", \"/prior_assistance/same_case\", \
         \"/procuratorial_stage\"]\n",
        crate::support::ONE_RULE_MANIFEST
    );
    const RULE: &str =
        "// id: eligibility.rule\n// title: Test rule\n// stage: eligibility\n// kind: pathway\n\
        // basis: test\n// met: met\n// not_met: not met\n\n\
        let repeat = facts.prior_assistance.same_case;\n\
        let caused = facts.household.hardship_caused_by_case;\n\
        let stage = facts.procuratorial_stage;\n\
        if caused && stage == \"complaint_appeal\" { met() } else { not_met() }\n";
    let dir = crate::support::policy_dir(&[
        ("policy.toml", &manifest),
        ("parameters/p.toml", crate::support::LIMIT_PARAMS),
        ("eligibility/rule.rhai", RULE),
    ]);
    let policy = assessor::Policy::from_dir(dir.path()).unwrap_or_else(|e| panic!("{e:?}"));
    let json: Value = serde_json::json!({
        "schema_version": 1, "case_id": "PAIRS", "decision_date": "2022-01-01",
        "procuratorial_stage": "arrest_review",
        "household": { "hardship_caused_by_case": false },
        "prior_assistance": { "same_case": true, "amount": 1000 }
    });
    let case = validate_value(json).unwrap_or_else(|e| panic!("{e:?}"));
    let rec = assessor::assess(&case, &policy).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rec.decision, Decision::Decline);
    // In order, the pairs begin with the hardship and `same_case` set to false, which the validator refuses with
    // an amount already paid; the pair of the hardship and the stage comes after it.
    let w = assessor::explain::whatif::explore(&case.json, &rec, &policy);
    let pair = w.changes.iter().find(|c| c.changes.len() == 2);
    let facts: Vec<&str> = pair
        .map(|c| c.changes.iter().map(|x| x.fact.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        facts,
        ["/household/hardship_caused_by_case", "/procuratorial_stage"],
        "{:?}",
        w.changes
    );
    // Better than the decline (this policy has no amount rules, so what it comes to is not the point here).
    assert!(
        pair.is_some_and(|c| c.outcome.decision != Decision::Decline),
        "{pair:?}"
    );
    // The same one after another.
    let w1 = assessor::explain::whatif::explore_one_after_another(&case.json, &rec, &policy);
    assert_eq!(
        serde_json::to_string(&w1).unwrap_or_default(),
        serde_json::to_string(&w).unwrap_or_default()
    );
}
