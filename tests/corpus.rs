//! The corpus in `fixtures/cases`: one snapshot per case, explicit expectations for the key cases (so that a
//! snapshot accepted by mistake cannot hide a wrong decision), and checks that hold for every case.

use std::collections::BTreeSet;

use assessor::model::codes::Outcome;
use assessor::Decision;

use crate::support::{assess_file, case, corpus, policy};

/// One snapshot per corpus case. Review changes with `cargo insta review`. The policy digest is redacted so that
/// a rule change shows only the cases it moves.
#[test]
fn snapshots() {
    insta::glob!("../fixtures/cases", "*.json", |path| {
        insta::assert_json_snapshot!(assess_file(path), { ".policy.digest" => "[policy digest]" });
    });
}

/// The policy's own expectation tests (`rules/tests/*.toml`: the worked cases T1–T12 of `worked_cases.toml` and a case for
/// each pathway, exclusion, group, cap and missing fact) all pass. They hold the decision, tier and amount of the
/// key cases, so a snapshot accepted by mistake cannot hide a wrong decision.
#[test]
fn the_policy_expectation_tests_pass() {
    let files = assessor::expect::find_files(&[crate::support::root().join("rules/tests")]);
    let tests = assessor::expect::load(&files).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(tests.len() >= 30, "only {} expectation tests", tests.len());
    let failures: Vec<String> = tests
        .iter()
        .map(|t| assessor::expect::run(t, policy(), None).0)
        .filter(|r| !r.passed())
        .map(|r| {
            format!(
                "{} ({}):\n  {}",
                r.name,
                r.location,
                r.failures.join("\n  ")
            )
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every corpus case is named by some expectation test, so coverage over the tests is coverage over the corpus.
#[test]
fn every_corpus_case_has_an_expectation() {
    let files = assessor::expect::find_files(&[crate::support::root().join("rules/tests")]);
    let tests = assessor::expect::load(&files).unwrap_or_else(|e| panic!("{e:?}"));
    let named: BTreeSet<String> = tests
        .iter()
        .filter_map(|t| {
            assessor::expect::case_path(t)
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
        })
        .collect();
    let unnamed: Vec<String> = corpus()
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
        .filter(|n| !named.contains(n))
        .collect();
    assert!(
        unnamed.is_empty(),
        "corpus cases without an expectation in rules/tests: {unnamed:?}"
    );
}

#[test]
fn t01_hunan_shows_every_step_of_the_arithmetic_and_cites_provisions() {
    let r = case("t01_hunan_incapacitated_earner");
    let amount = r.amount.as_ref().map(|a| a.recommended);
    assert_eq!(amount, Some(41_000));
    let a = r.amount.as_ref().unwrap_or_else(|| panic!("an amount"));
    let codes: Vec<&str> = a.steps.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "wage_base",
            "base_months",
            "hardship_factor",
            "dependant_months",
            "months",
            "tier_uplift",
            "fault_factor",
            "compensation_factor",
            "raw_amount",
            "rounded"
        ]
    );
    let raw = a
        .steps
        .iter()
        .find(|s| s.code == "raw_amount")
        .map(|s| s.value);
    assert_eq!(raw, Some(40_584.0), "7,120 (Hunan 2021) × 4.75 × 1.2");
    assert_eq!(a.months, Some(5.76));
    let wage = a
        .wage_base
        .as_ref()
        .unwrap_or_else(|| panic!("a wage base"));
    assert_eq!(
        (wage.region.as_str(), wage.year, wage.monthly, wage.estimate),
        // Hunan's own 2021 figure (one source, so still marked estimate), not the Central average.
        ("Hunan", Some(2021), 7120.0, true)
    );
    let cap_codes: Vec<&str> = a.caps.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(
        cap_codes,
        [
            "cap_36_months",
            "court_award",
            "local_ceiling",
            "collective_decision"
        ]
    );
    assert_eq!(r.co_recipients.len(), 4);
    let services: Vec<&str> = r.referrals.iter().map(|x| x.service.as_str()).collect();
    for s in [
        "temporary_assistance",
        "poverty_relapse_monitoring",
        "education_aid",
        "return_visit",
    ] {
        assert!(
            services.contains(&s),
            "T1 expects referral {s} (rules/tests/worked_cases.toml), got {services:?}"
        );
    }
    let pathway = r
        .findings
        .iter()
        .find(|f| f.rule == "eligibility.dependant_of_incapacitated_earner");
    assert_eq!(pathway.map(|f| f.outcome), Some(Outcome::Met));
    assert!(pathway.is_some_and(|f| f.basis.contains("Art. 7(3)")));
}

#[test]
fn t05_missing_proof_is_never_a_decline_and_keeps_a_provisional_priority() {
    let r = case("t05_missing_income_widow");
    assert_eq!(r.decision, Decision::NeedsInformation);
    let p = r
        .priority
        .as_ref()
        .unwrap_or_else(|| panic!("a provisional priority"));
    assert!(
        p.score >= 40,
        "W3 gives at least 40 (T5 in rules/tests/worked_cases.toml), got {}",
        p.score
    );
    assert!(p
        .factors
        .iter()
        .any(|f| f.rule == "priority.w3_main_earner_lost"));
    assert_eq!(
        r.missing.first().map(|m| m.needed_by.first().cloned()),
        Some(Some("eligibility.hardship".to_string()))
    );
}

#[test]
fn every_finding_cites_a_basis_and_only_facts_the_schema_has() {
    let cat = assessor::model::facts::catalogue();
    for path in corpus() {
        let r = assess_file(&path);
        for f in &r.findings {
            assert!(
                !f.basis.trim().is_empty(),
                "{}: {} has no basis",
                path.display(),
                f.rule
            );
            assert!(
                !f.reason.contains('{'),
                "{}: {} has an unfilled template: {}",
                path.display(),
                f.rule,
                f.reason
            );
            for fact in f.facts.iter().chain(&f.missing) {
                assert!(
                    cat.lookup(fact).is_some(),
                    "{}: {} read `{fact}`, which the schema lacks",
                    path.display(),
                    f.rule
                );
            }
        }
        for s in r.amount.iter().flat_map(|a| {
            a.steps
                .iter()
                .map(|s| &s.reason)
                .chain(a.caps.iter().map(|c| &c.reason))
        }) {
            assert!(
                !s.contains('{'),
                "{}: unfilled template in the amount: {s}",
                path.display()
            );
        }
        // Only an open decision lists facts that could change it; a settled one may still list facts that move
        // the amount, the tier or a referral.
        let deciding = r
            .missing
            .iter()
            .filter(|m| {
                m.changes
                    .contains(&assessor::model::codes::Change::Decision)
            })
            .count();
        if r.decision == Decision::NeedsInformation {
            assert!(
                deciding > 0,
                "{}: needs information but lists nothing that could change the decision",
                path.display()
            );
        } else {
            assert!(
                deciding == 0,
                "{}: {:?} lists facts that could change the decision",
                path.display(),
                r.decision
            );
        }
    }
}

#[test]
fn every_rule_of_the_default_policy_is_met_by_some_case() {
    let mut met = BTreeSet::new();
    for path in corpus() {
        for f in assess_file(&path).findings {
            if f.outcome == Outcome::Met {
                met.insert(f.rule);
            }
        }
    }
    let never: Vec<&str> = policy()
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !met.contains(*id))
        .collect();
    assert!(never.is_empty(), "rules no corpus case fires: {never:?}");
}

#[test]
fn assessment_is_deterministic_and_independent_of_key_order() {
    for path in corpus() {
        let bytes = std::fs::read(&path).unwrap_or_default();
        let once = serde_json::to_string(&assess_file(&path)).unwrap_or_default();
        let twice = serde_json::to_string(&assess_file(&path)).unwrap_or_default();
        assert_eq!(once, twice, "{}: two runs differ", path.display());
        // The same case with every object's keys written in reverse order.
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        let reversed = reverse_keys(&value);
        let case =
            assessor::validate::parse_case(reversed.as_bytes()).unwrap_or_else(|e| panic!("{e:?}"));
        let again = serde_json::to_string(
            &assessor::assess(&case, policy()).unwrap_or_else(|e| panic!("{e}")),
        )
        .unwrap_or_default();
        assert_eq!(
            once,
            again,
            "{}: key order changed the result",
            path.display()
        );
    }
}

fn reverse_keys(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .rev()
                .map(|(k, v)| {
                    format!(
                        "{}:{}",
                        serde_json::Value::from(k.as_str()),
                        reverse_keys(v)
                    )
                })
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        serde_json::Value::Array(items) => format!(
            "[{}]",
            items.iter().map(reverse_keys).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

#[test]
fn the_corpus_covers_men_and_women_and_at_least_thirty_cases() {
    let files = corpus();
    assert!(files.len() >= 30, "the corpus has {} cases", files.len());
    let sexes: BTreeSet<String> = files
        .iter()
        .filter_map(|p| {
            let v: serde_json::Value = serde_json::from_slice(&std::fs::read(p).ok()?).ok()?;
            v.pointer("/applicant/sex")
                .and_then(|s| s.as_str())
                .map(str::to_string)
        })
        .collect();
    assert!(sexes.contains("female") && sexes.contains("male"));
}
