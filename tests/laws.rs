//! Laws the default policy must obey, for every case, tried on generated cases (`assessor::generate`).
//! `PROPTEST_CASES=5000 cargo test laws` runs a longer search; CI runs the default (256 per law).

use proptest::prelude::*;
use serde_json::{json, Value};

use assessor::generate::{reverse_keys, Generator};
use assessor::validate::validate_value;
use assessor::{Decision, Recommendation};

use crate::support::policy;

fn case(seed: u64) -> Value {
    Generator::new(seed).case()
}

fn assess(v: &Value) -> Recommendation {
    let valid = validate_value(v.clone())
        .unwrap_or_else(|e| panic!("the generator made an invalid case: {e:?}\n{v}"));
    assessor::assess(&valid, policy())
        .unwrap_or_else(|e| panic!("the policy failed on a valid case: {e}\n{v}"))
}

fn amount(r: &Recommendation) -> i64 {
    r.amount.as_ref().map_or(0, |a| a.recommended)
}

fn set(v: &mut Value, section: &str, key: &str, value: Value) {
    if let Some(obj) = v.get_mut(section).and_then(Value::as_object_mut) {
        obj.insert(key.to_string(), value);
    }
}

proptest! {
    /// The policy runs to a recommendation on every valid case: no rule fails, loops or throws.
    #[test]
    fn the_policy_never_fails_on_a_valid_case(seed in any::<u64>()) {
        let _ = assess(&case(seed));
    }

    /// Receiving more compensation never raises the recommended amount — on the known facts, and as the middle of
    /// a range read in full. The middle of a range the search's bounds cut short is the middle of the readings it
    /// reached, and more compensation, adding the unstated share paid to others to the facts combined, changes which
    /// are reached (seed 2530751726732085461: the province unknown, ¥8,900 in a full range with ¥0 received, ¥9,300
    /// in one cut short with ¥801): such a pair is not compared.
    #[test]
    fn more_compensation_never_raises_the_amount(seed in any::<u64>(), base in 0u64..400_000, extra in 1u64..300_000) {
        let mut less = case(seed);
        set(&mut less, "incident", "compensation_received", json!(base));
        let mut more = less.clone();
        set(&mut more, "incident", "compensation_received", json!(base + extra));
        let (a, b) = (assess(&less), assess(&more));
        let cut_short = |r: &Recommendation| {
            r.amount.as_ref().and_then(|a| a.range.as_ref()).is_some_and(|range| range.open)
        };
        if !cut_short(&a) && !cut_short(&b) {
            prop_assert!(amount(&b) <= amount(&a), "¥{} with ¥{base} received, ¥{} with ¥{} received", amount(&a), amount(&b), base + extra);
        }
    }

    /// An extra dependant never lowers the priority score.
    #[test]
    fn an_extra_dependant_never_lowers_the_score(seed in any::<u64>(), age in 0u32..95, disabled in any::<bool>()) {
        let before = case(seed);
        let mut after = before.clone();
        let dependant = json!({ "relation": "child", "age": age, "disabled": disabled, "disability_certificate": true,
                                "seriously_ill": false, "in_school": false });
        match after.pointer_mut("/household/dependants").and_then(Value::as_array_mut) {
            Some(list) if list.len() < 40 => list.push(dependant),
            _ => return Ok(()),
        }
        let (a, b) = (assess(&before), assess(&after));
        if let (Some(p), Some(q)) = (&a.priority, &b.priority) {
            prop_assert!(q.score >= p.score, "score {} became {}", p.score, q.score);
        }
    }

    /// A major fault always declines (Art. 8(1)).
    #[test]
    fn a_major_fault_always_declines(seed in any::<u64>()) {
        let mut v = case(seed);
        set(&mut v, "conduct", "applicant_fault", json!("major"));
        prop_assert_eq!(assess(&v).decision, Decision::Decline);
    }

    /// An amount above 36 months of the wage base never appears without the `over_36_months` approval.
    #[test]
    fn no_amount_above_36_months_without_approval(seed in any::<u64>()) {
        let r = assess(&case(seed));
        if let Some(a) = &r.amount {
            if let Some(w) = &a.wage_base {
                let over = a.recommended as f64 > 36.0 * w.monthly;
                prop_assert!(!over || r.approvals.iter().any(|x| x.as_str() == "over_36_months"));
            }
            // Something is paid, unless an earlier payment in the same case already covers it (the step says so).
            let covered = a.steps.iter().any(|s| s.code == "prior_assistance");
            prop_assert!(a.recommended > 0 || covered, "an assisted case is paid something");
        }
    }

    /// Every finding cites a basis and reads only facts the schema has; `needs_information` always lists at least one
    /// missing fact that could change the decision, and no other decision lists any such fact.
    #[test]
    fn findings_cite_a_basis_and_real_facts_and_missing_matches_the_decision(seed in any::<u64>()) {
        let r = assess(&case(seed));
        let cat = assessor::model::facts::catalogue();
        for f in &r.findings {
            prop_assert!(!f.basis.trim().is_empty(), "{} has no basis", f.rule);
            for fact in f.facts.iter().chain(&f.missing) {
                prop_assert!(cat.lookup(fact).is_some(), "{} read {fact}", f.rule);
            }
        }
        let deciding = r.missing.iter().any(|m| m.changes.contains(&assessor::model::codes::Change::Decision));
        prop_assert_eq!(r.decision == Decision::NeedsInformation, deciding);
    }

    /// The same case gives the same bytes, whatever the order of its keys.
    #[test]
    fn assessment_is_deterministic_and_independent_of_key_order(seed in any::<u64>()) {
        let v = case(seed);
        let once = serde_json::to_string(&assess(&v)).unwrap_or_default();
        let twice = serde_json::to_string(&assess(&v)).unwrap_or_default();
        prop_assert_eq!(&once, &twice);
        let reordered = assessor::validate::parse_case(reverse_keys(&v).as_bytes()).unwrap_or_else(|e| panic!("{e:?}"));
        let again = serde_json::to_string(&assessor::assess(&reordered, policy()).unwrap_or_else(|e| panic!("{e}"))).unwrap_or_default();
        prop_assert_eq!(&once, &again);
    }

    /// A case is never declined because a fact is unknown: making any one known fact unknown never turns an assistance
    /// into a decline; and it turns a decline into an assistance only when the blanked fact is a bar's, presumed absent
    /// and listed to confirm before deciding.
    #[test]
    fn an_unknown_fact_never_causes_a_decline(seed in any::<u64>(), pick in any::<prop::sample::Index>()) {
        let v = case(seed);
        let r = assess(&v);
        // Facts the assessment read that were known.
        let known: Vec<&String> = r.findings.iter().flat_map(|f| f.facts.iter()).filter(|p| v.pointer(p).is_some_and(|x| !x.is_null())).collect();
        if known.is_empty() {
            return Ok(());
        }
        let pointer = known[pick.index(known.len())].clone();
        let mut blanked = v.clone();
        if let Some(slot) = blanked.pointer_mut(&pointer) {
            *slot = Value::Null;
        }
        let s = assess(&blanked);
        if r.decision == Decision::Assist {
            prop_assert_ne!(s.decision, Decision::Decline, "blanking {} turned assist into decline", pointer);
        }
        if r.decision == Decision::Decline && s.decision == Decision::Assist {
            prop_assert!(
                s.to_confirm.iter().any(|t| t.fact == pointer),
                "blanking {} turned a decline into an assistance without a presumption to confirm",
                pointer
            );
        }
    }
}

#[test]
fn the_generator_is_deterministic_and_varied() {
    let a: Vec<Value> = Generator::new(42).cases(200);
    let b: Vec<Value> = Generator::new(42).cases(200);
    assert_eq!(a, b);
    let decisions: std::collections::BTreeSet<&str> =
        a.iter().map(|v| assess(v).decision.as_str()).collect();
    assert_eq!(decisions.len(), 3, "{decisions:?}");
}

/// How many fillings of `facts` to try, and whether they are every combination of their values: all when there are
/// at most `all_up_to`, else `sample` (the first values, the last values, then random ones).
fn fillings(facts: &[(String, Vec<Value>)], all_up_to: usize, sample: usize) -> (usize, bool) {
    let combos = facts
        .iter()
        .map(|(_, vs)| vs.len())
        .try_fold(1usize, |a, b| a.checked_mul(b))
        .unwrap_or(usize::MAX);
    if combos <= all_up_to {
        (combos, true)
    } else {
        (sample, false)
    }
}

/// `v` with `facts` filled in, the `attempt`-th of [`fillings`].
fn filled_in(
    v: &Value,
    facts: &[(String, Vec<Value>)],
    (attempt, exhaustive): (usize, bool),
    rng: &mut fastrand::Rng,
) -> Value {
    let mut w = v.clone();
    let mut rest = attempt;
    for (fact, values) in facts {
        let i = if exhaustive {
            let i = rest % values.len();
            rest /= values.len();
            i
        } else {
            match attempt {
                0 => 0,
                1 => values.len() - 1,
                _ => rng.usize(..values.len()),
            }
        };
        let _ = assessor::explain::whatif::set(&mut w, fact, values[i].clone());
    }
    w
}

/// For a sum: the plausible values and a quarter, a half, three quarters and the whole of every sum the case states
/// (a share of the compensation received can only be part of it, so the schema's round figures may all be too big).
fn with_shares_of_the_case(v: &Value, fact: &str, mut values: Vec<Value>) -> Vec<Value> {
    let cat = assessor::model::facts::catalogue();
    let money = cat
        .lookup(fact)
        .and_then(|id| cat.node(id))
        .is_some_and(|n| n.ty == assessor::model::facts::FactType::Number);
    if !money {
        return values;
    }
    fn sums(v: &Value, out: &mut Vec<f64>) {
        match v {
            Value::Number(n) => out.extend(n.as_f64().filter(|x| *x > 0.0)),
            Value::Object(m) => m.values().for_each(|x| sums(x, out)),
            Value::Array(a) => a.iter().for_each(|x| sums(x, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    sums(v, &mut found);
    for x in found {
        for part in [0.25, 0.5, 0.75, 1.0] {
            let y = json!((x * part).round());
            if !values.contains(&y) {
                values.push(y);
            }
        }
    }
    values
}

/// The decisions reachable from `v` by filling in the facts its recommendation lists as able to change the decision,
/// again for facts a filled-in case reveals, `depth` times; stops once two different decisions are found.
fn reachable(
    v: &Value,
    depth: usize,
    rng: &mut fastrand::Rng,
    seen: &mut std::collections::BTreeSet<&'static str>,
) {
    let Ok(valid) = validate_value(v.clone()) else {
        return;
    };
    let Ok(r) = assessor::assess(&valid, policy()) else {
        return;
    };
    if r.decision != Decision::NeedsInformation || depth == 0 {
        seen.insert(r.decision.as_str());
        return;
    }
    let deciding: Vec<(String, Vec<Value>)> = r
        .missing
        .iter()
        .filter(|m| {
            m.changes
                .contains(&assessor::model::codes::Change::Decision)
        })
        .map(|m| {
            (
                m.fact.clone(),
                with_shares_of_the_case(
                    v,
                    &m.fact,
                    assessor::assess::plausible::plausible_values(&m.fact),
                ),
            )
        })
        .filter(|(_, vs)| !vs.is_empty())
        .collect();
    if deciding.is_empty() {
        seen.insert(r.decision.as_str());
        return;
    }
    let (tries, exhaustive) = fillings(&deciding, 2048, 200);
    for attempt in 0..tries {
        let w = filled_in(v, &deciding, (attempt, exhaustive), rng);
        reachable(&w, depth - 1, rng, seen);
        if seen.iter().filter(|d| **d != "needs_information").count() >= 2 {
            return;
        }
    }
}

/// Over 10,000 generated cases, a case is `needs_information` only when the facts it lists as able to change the
/// decision really can: filling them in (and those the filled-in case then names) reaches both an assist and a
/// decline. The share of `needs_information` is printed (and quoted in the README).
#[test]
fn needs_information_only_when_the_missing_facts_can_change_the_decision() {
    let mut generator = Generator::new(1);
    let mut rng = fastrand::Rng::with_seed(7);
    let mut open = 0;
    let mut cautious = 0;
    for n in 0..10_000 {
        let v = generator.case();
        let r = assess(&v);
        if r.decision != Decision::NeedsInformation {
            continue;
        }
        open += 1;
        let mut seen = std::collections::BTreeSet::new();
        reachable(&v, 3, &mut rng, &mut seen);
        if seen.contains("assist") && seen.contains("decline") || seen.contains("needs_information")
        {
            continue;
        }
        // The one known over-caution: a re-assisted case whose every filling-in comes to ¥0 after the earlier
        // payment, where the search for whether anything is still due met its bounds (the ages of dependants are
        // tried one by one). It asks for information rather than decline: never the other way round.
        let reassisted = v.pointer("/prior_assistance/same_case") == Some(&Value::Bool(true));
        assert!(
            seen.len() == 1 && seen.contains("decline") && reassisted,
            "case {n}: needs information, but filling in what it names only reaches {seen:?}\n{v}"
        );
        cautious += 1;
    }
    println!("needs_information: {open} of 10,000 generated cases ({cautious} re-assisted ones that would decline)");
    // 7 of 798 before the share paid to others was read strictly, 12 of 1,002 after (seed 1 of the generator).
    assert!(
        cautious * 100 <= open * 3 / 2,
        "{cautious} of {open}: over-cautious beyond 1.5%"
    );
}

/// A case is never declined while its unknown facts could still have it assisted: over 3,000 generated cases, every
/// decline that rests on a finding still unknown (a condition, bar or pathway, or a priority or amount rule read
/// before a ¥0 decline) is filled in with plausible values of those facts — every combination when there are few,
/// else the extremes and random ones — and none is assisted. (A review found two such declines among 100,000, where
/// ¥0 on the known facts was taken as final while a priority group was unknown.)
#[test]
fn a_decline_is_never_undone_by_filling_in_what_it_did_not_know() {
    let mut generator = Generator::new(3);
    let mut rng = fastrand::Rng::with_seed(11);
    let mut checked = 0;
    for n in 0..3_000 {
        let v = generator.case();
        let Ok(valid) = validate_value(v.clone()) else {
            continue;
        };
        let Ok(r) = assessor::assess(&valid, policy()) else {
            continue;
        };
        if r.decision != Decision::Decline {
            continue;
        }
        let mut facts: Vec<String> = r
            .findings
            .iter()
            .flat_map(|f| f.missing.iter().cloned())
            .collect();
        facts.sort();
        facts.dedup();
        let facts: Vec<(String, Vec<Value>)> = facts
            .into_iter()
            .map(|f| {
                let values = assessor::assess::plausible::plausible_values(&f);
                (f, values)
            })
            .filter(|(_, vs)| !vs.is_empty())
            .collect();
        if facts.is_empty() {
            continue;
        }
        checked += 1;
        let (tries, exhaustive) = fillings(&facts, 256, 60);
        for attempt in 0..tries {
            let w = filled_in(&v, &facts, (attempt, exhaustive), &mut rng);
            let Ok(filled) = validate_value(w.clone()) else {
                continue;
            };
            let Ok(after) = assessor::assess(&filled, policy()) else {
                continue;
            };
            assert_ne!(
                after.decision,
                Decision::Assist,
                "case {n} is declined, but filled in it is assisted:\n{v}\nfilled in:\n{w}"
            );
        }
    }
    assert!(
        checked > 50,
        "only {checked} declines rested on unknown findings"
    );
    // The two the review found (cases 6,077 and 89,332 of seed 1): re-assisted, ¥0 on the known facts, assisted
    // once the procuratorial stage and a priority group (or the kind of case) are known. Never declined.
    let mut generator = Generator::new(1);
    for n in 1..=89_332 {
        let v = generator.case();
        if n == 6_077 || n == 89_332 {
            assert_ne!(
                assess(&v).decision,
                Decision::Decline,
                "case {n} of seed 1\n{v}"
            );
        }
    }
    println!("{checked} declines resting on unknown findings, none assisted once filled in");
}

/// Whether anything is due is open while an earlier payment in this case may cover the whole amount, however many
/// facts the amount waits for. The widow's case before the checklist (no word on earlier assistance, her fault and
/// the loss unknown) is open on the default policy; with the amount also waiting for the victim's fault (a policy that reads
/// it plainly), the range of its readings was cut short before any reading with an earlier payment came to ¥0, and
/// the case was assisted with ¥4,000 (range ¥1–¥34,000) with no word on the earlier payment. The readings the range
/// left out are now searched for one that comes to ¥0, and the facts that decide it are listed.
#[test]
fn an_earlier_payment_that_may_cover_the_amount_keeps_the_decision_open() {
    let (_tmp, rules) = crate::support::policy_edited(
        "amount/amount.rhai",
        "let victim_fault = \"none\";\nif facts.applicant.relation_to_victim.if_unknown(\"\") != \"self\" {\n    victim_fault = facts.conduct.victim_fault.presume(\"none\");",
        "let victim_fault = facts.conduct.victim_fault;\nif true {",
    );
    let waits_for_two = assessor::Policy::from_dir(&rules).unwrap_or_else(|e| panic!("{e:?}"));
    // The widow's case as the interview has it after 26 answers (`fixtures/interview/widow.answers.txt`).
    let widow = json!({
        "schema_version": 1, "case_id": "HB-2023-0901", "decision_date": "2023-05-10",
        "jurisdiction": { "province": "Hubei" }, "procuratorial_stage": "prosecution_review",
        "applicant": { "kind": "natural_person", "relation_to_victim": "spouse", "relied_on_victim_income": true,
                       "rural_hukou": true, "sex": "female" },
        "household": { "dependants": [ { "age": 5, "relation": "child" }, { "age": 2, "relation": "child" } ],
                       "hardship_caused_by_case": true, "hardship_certificate": true, "monthly_income": 1200.0,
                       "poverty_relapse_monitoring": false, "receives_minimum_living_allowance": false, "size": 3 },
        "incident": { "compensation_received": 0.0, "kind": "criminal", "no_compensation_reason": "offender_insolvent",
                      "urgent_treatment_needed": false, "victim_outcome": "death", "victim_was_main_earner": true }
    });
    let valid = validate_value(widow).unwrap_or_else(|e| panic!("{e:?}"));
    for (name, p) in [
        ("default", policy()),
        ("waiting for two facts", &waits_for_two),
    ] {
        let r = assessor::assess(&valid, p).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            r.decision,
            Decision::NeedsInformation,
            "{name}: {:?}",
            r.amount
        );
        let same_case = r
            .missing
            .iter()
            .find(|m| m.fact == "/prior_assistance/same_case");
        assert!(
            same_case.is_some_and(|m| m
                .changes
                .contains(&assessor::model::codes::Change::Decision)),
            "{name}: {:?}",
            r.missing
        );
    }
}

/// An Art. 8 bar whose fact is unknown does not hold the decision back, in the search for an amount that comes to ¥0
/// either (review of 2026-12-01). T1 with the applicant's fault unknown, an earlier payment of ¥10,000 in this case
/// and the share of compensation paid to others unknown (which cuts the range short): every degree of fault short
/// of major leaves a payment, and only major fault — the bar, presumed absent and listed to confirm — declines. That
/// search took the bar's decline for "nothing due" and made the case needs-information; such a reading is not one
/// of an assisted case's and is left aside.
#[test]
fn a_presumed_bar_does_not_open_the_decision_through_the_search_for_nothing_due() {
    let mut v = crate::support::read_json(
        &crate::support::root().join("fixtures/cases/t01_hunan_incapacitated_earner.json"),
    );
    if let Some(c) = v["conduct"].as_object_mut() {
        c.remove("applicant_fault");
    }
    if let Some(c) = v["incident"].as_object_mut() {
        c.remove("compensation_paid_to_others");
    }
    v["prior_assistance"] = json!({ "same_case": true, "amount": 10000 });
    let r = assess(&v);
    assert_eq!(r.decision, Decision::Assist, "{:?}", r.missing);
    let fault = r
        .missing
        .iter()
        .find(|m| m.fact == "/conduct/applicant_fault");
    assert!(
        fault.is_none_or(|m| !m
            .changes
            .contains(&assessor::model::codes::Change::Decision)),
        "{:?}",
        r.missing
    );
}

/// Every amount of a provisional range that rests on a presumption is confirmed, not only the middle reading's
/// (review of 2026-12-01). A woman sexually assaulted by her employer, who needs urgent treatment; her relation to
/// the direct victim, the victim's outcome and the victim's own fault are not stated (generated case 1,247 of seed
/// 3). The middle reading takes her as the victim, whose own fault is the applicant's (¥36,000); the other relations
/// come to ¥32,300 with the victim's fault presumed none. The checklist listed nothing; it lists the victim's fault,
/// once, citing the provision on fault rather than the amount's whole basis.
#[test]
fn a_presumption_that_some_amount_of_the_range_rests_on_is_listed_to_confirm() {
    let v = json!({
        "schema_version": 1, "case_id": "GEN-00001247", "decision_date": "2024-02-12",
        "jurisdiction": { "province": "Jilin" }, "procuratorial_stage": "prosecution_review",
        "clue_source": "hotline_or_petition",
        "applicant": { "age": 57, "disability": "none", "disability_certificate": false,
                       "divorce_suit_for_domestic_violence": false, "employed": false, "kind": "natural_person",
                       "no_family_support": false, "petitioner": false, "relied_on_victim_income": false,
                       "rural_hukou": false, "serious_illness": false, "sex": "female",
                       "veteran_or_military_family": false },
        "conduct": { "applicant_fault": "minor", "false_statement_or_forgery": false, "refused_cooperation": false,
                     "waived_compensation": false },
        "household": { "applicant_is_sole_earner": true,
                       "dependants": [ { "age": 2, "disability_certificate": false, "disabled": false,
                                         "in_school": false, "relation": "child", "seriously_ill": false } ],
                       "hardship_caused_by_case": true, "hardship_certificate": true, "monthly_income": 4200,
                       "poverty_relapse_monitoring": false, "receives_minimum_living_allowance": null, "size": 4,
                       "social_assistance_covering_case_loss": false },
        "incident": { "assessed_loss": 659000, "compensation_received": 0, "domestic_violence": false,
                      "kind": "criminal", "no_compensation_reason": "offender_dead", "offence": "sexual_assault",
                      "perpetrator_relation": "employer", "property_loss": 0, "sexual_violence": true,
                      "trafficking": false, "unpaid_medical_costs": 111500, "urgent_treatment_needed": true,
                      "victim_outcome": null, "victim_was_main_earner": false },
        "prior_assistance": { "amount": 0, "same_case": false }
    });
    let r = assess(&v);
    assert_eq!(r.decision, Decision::Assist, "{:?}", r.missing);
    let range = r.amount.as_ref().and_then(|a| a.range.as_ref());
    assert!(
        range.is_some_and(|g| g
            .assumed
            .iter()
            .any(|a| a.fact == "/applicant/relation_to_victim" && a.value == json!("self"))),
        "the middle reading no longer takes the applicant as the victim: {range:?}"
    );
    let confirm: Vec<&str> = r
        .to_confirm
        .iter()
        .filter(|t| t.fact == "/conduct/victim_fault")
        .map(|t| t.basis.as_str())
        .collect();
    assert_eq!(confirm.len(), 1, "{:?}", r.to_confirm);
    assert!(
        confirm
            .iter()
            .all(|b| b.contains("fault") && !b.contains("36 months")),
        "{confirm:?}"
    );
}

/// A presumption the amount does not rest on is nothing to confirm (review of 2026-12-01). T1 with a loss of
/// ¥245,000 of which ¥240,000 was paid: the court-award cap (¥5,000) binds whatever the victim's fault (a major
/// fault still leaves ¥16,233.60 × 0.4 above it). The checklist asked to confirm the victim's fault, "an established
/// fault reduces it", which it would not; the amount's finding names the fact as immaterial instead. With the cap
/// out of reach (the fixture's loss), it is listed.
#[test]
fn a_presumption_that_cannot_move_the_amount_is_not_listed_to_confirm() {
    let t01 = crate::support::read_json(
        &crate::support::root().join("fixtures/cases/t01_hunan_incapacitated_earner.json"),
    );
    let listed = |r: &Recommendation| {
        r.to_confirm
            .iter()
            .any(|t| t.fact == "/conduct/victim_fault")
    };
    let as_filed = assess(&t01);
    assert!(listed(&as_filed), "{:?}", as_filed.to_confirm);
    let mut capped = t01.clone();
    set(&mut capped, "incident", "assessed_loss", json!(245000));
    let r = assess(&capped);
    assert_eq!((r.decision, amount(&r)), (Decision::Assist, 5000));
    assert!(!listed(&r), "{:?}", r.to_confirm);
    // The arithmetic is worked with the fault presumed none, and the finding says that no value moves the amount.
    let fault = "/conduct/victim_fault".to_string();
    let formula = r.findings.iter().find(|f| f.rule == "amount.formula");
    assert!(
        formula.is_some_and(|f| f.immaterial.contains(&fault)
            && f.presumed.contains(&fault)
            && f.reason
                .contains("every plausible value gives the same amount")),
        "{formula:?}"
    );
    // Review of 2026-12-02: the same capped case with the share of compensation paid to relatives outside the
    // household unstated. The middle reading (¥6,000) is capped whatever the fault, but the range's other readings
    // (up to ¥41,000 with no fault, ¥17,000 with a major one) rest on it: listed, though the middle reading does not.
    let mut open = capped.clone();
    if let Some(i) = open["incident"].as_object_mut() {
        i.remove("compensation_paid_to_others");
    }
    set(&mut open, "incident", "assessed_loss", json!(241000));
    let r = assess(&open);
    assert_eq!(r.decision, Decision::Assist);
    assert!(
        r.amount.as_ref().is_some_and(|a| a.range.is_some()),
        "{:?}",
        r.amount
    );
    assert!(listed(&r), "{:?}", r.to_confirm);
}
