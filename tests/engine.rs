//! The sandbox: unknown facts are never false, mixed comparisons are errors, misspelt names are caught with
//! their place, and runaway or broken rules are stopped and reported with the rule's id and position.

use assessor::engine::{FailureKind, Limit};
use assessor::model::codes::Outcome;
use assessor::validate::parse_case;
use assessor::{AssessError, Decision, Policy, PolicyError};

use crate::support::{policy_dir, LIMIT_PARAMS, ONE_RULE_MANIFEST};

const TABLE_PARAM: &str = r#"
[table]
title = "A table"
unit = "factor"
reference = "test"
[[table.values]]
value = { a = 1.0 }
from = "2000-01-01"
"#;
fn header(body: &str) -> String {
    format!(
        "// id: eligibility.rule\n// title: Test rule\n// stage: eligibility\n// kind: pathway\n// basis: test\n// met: met\n// not_met: not met\n\n{body}\n"
    )
}

fn load(body: &str) -> Result<Policy, Vec<PolicyError>> {
    let rule = header(body);
    let dir = policy_dir(&[
        ("policy.toml", ONE_RULE_MANIFEST),
        ("parameters/p.toml", &format!("{LIMIT_PARAMS}{TABLE_PARAM}")),
        ("eligibility/rule.rhai", &rule),
    ]);
    Policy::from_dir(dir.path())
}

const CASE: &str = r#"{ "schema_version": 1, "case_id": "T", "decision_date": "2022-01-01",
  "applicant": { "age": 40, "sex": "female" }, "household": { "monthly_income": null, "dependants": [] } }"#;

fn run(body: &str) -> Result<assessor::Recommendation, AssessError> {
    run_on(body, CASE)
}

fn run_on(body: &str, case: &str) -> Result<assessor::Recommendation, AssessError> {
    let policy = load(body).unwrap_or_else(|e| {
        panic!(
            "policy: {}",
            e.iter()
                .map(|x| format!("{x}\n{}", x.render()))
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let case = parse_case(case.as_bytes()).unwrap_or_else(|e| panic!("{e:?}"));
    assessor::assess(&case, &policy)
}

fn finding(body: &str) -> assessor::model::recommendation::Finding {
    let r = run(body).unwrap_or_else(|e| panic!("{e}"));
    r.findings
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("a finding"))
}

fn failure(body: &str) -> String {
    match run(body) {
        Err(e) => e.to_string(),
        Ok(r) => panic!(
            "expected the rule to fail, got {:?}",
            r.findings.first().map(|f| (&f.outcome, &f.reason))
        ),
    }
}

fn load_errors(body: &str) -> String {
    match load(body) {
        Err(e) => render(&e),
        Ok(_) => panic!("expected the policy not to load"),
    }
}

/// Load errors as a user sees them: each message with its rendered snippet.
fn render(errors: &[PolicyError]) -> String {
    errors
        .iter()
        .map(|x| format!("{x}\n{}", x.render()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rendered errors of the policy in `dir` (empty when it loads).
fn rendered_errors(dir: &tempfile::TempDir) -> String {
    render(&Policy::from_dir(dir.path()).err().unwrap_or_default())
}

#[test]
fn an_unknown_fact_makes_the_rule_unknown_and_names_it() {
    for body in [
        "if facts.household.monthly_income < 1000 { met() } else { not_met() }",
        "if 1000 > facts.household.monthly_income { met() } else { not_met() }",
        "if facts.household.monthly_income == 0 { met() } else { not_met() }",
        "if facts.household.monthly_income != 0 { met() } else { not_met() }",
        "if facts.household.hardship_caused_by_case { met() } else { not_met() }",
        "if !facts.household.hardship_caused_by_case { met() } else { not_met() }",
        "if facts.applicant.sex == \"female\" && facts.household.hardship_caused_by_case { met() } else { not_met() }",
        "if facts.incident.offence in [\"theft\"] { met() } else { not_met() }",
        "met(#{ income: facts.household.monthly_income })",
        "if [1, 2].filter(|x| x > facts.household.monthly_income).len() > 0 { met() } else { not_met() }",
    ] {
        let f = finding(body);
        assert_eq!(f.outcome, Outcome::Unknown, "{body}");
        assert_eq!(f.missing.len(), 1, "{body}: {:?}", f.missing);
        assert!(f.missing.iter().all(|m| m.starts_with('/')), "{body}: {:?}", f.missing);
    }
}

/// An unknown whose every plausible value gives the same conclusion does not hold the rule back: the rule concludes
/// and names the unknown as immaterial.
#[test]
fn an_unknown_that_cannot_change_the_conclusion_is_immaterial() {
    for (body, outcome) in [
        ("let x = facts.household.monthly_income + 1; met()", Outcome::Met),
        ("if max(facts.household.monthly_income, 1) > 0 { met() } else { not_met() }", Outcome::Met),
        ("if facts.household.hardship_caused_by_case || true { met() } else { not_met() }", Outcome::Met),
        ("if facts.household.size > 0 { met() } else { not_met() }", Outcome::Met),
        ("if facts.household.size > 50 { met() } else { not_met() }", Outcome::NotMet),
        ("if facts.household.hardship_caused_by_case in [true, false] { met() } else { not_met() }", Outcome::Met),
    ] {
        let f = finding(body);
        assert_eq!(f.outcome, outcome, "{body}");
        assert!(f.missing.is_empty(), "{body}: {:?}", f.missing);
        assert_eq!(f.immaterial.len(), 1, "{body}: {:?}", f.immaterial);
    }
    // Two unknowns, neither of which matters; and the bound: four unknowns that each matter stay unknown.
    let f = finding(
        "if facts.household.size > 0 || facts.applicant.age > 200 { met() } else { not_met() }",
    );
    assert_eq!(f.outcome, Outcome::Met);
    let f = finding(
        "let n = 0; if facts.applicant.rural_hukou { n += 1 } if facts.applicant.petitioner { n += 1 } \
         if facts.applicant.serious_illness { n += 1 } if facts.household.hardship_certificate { n += 1 } \
         if n == 5 { met() } else { not_met() }",
    );
    assert_eq!(
        f.outcome,
        Outcome::Unknown,
        "past the bound of {} facts",
        assessor::assess::unknowns::bounds::RULE_FACTS
    );
}

#[test]
fn an_unknown_that_could_change_the_decision_is_needs_information() {
    let r = run("if facts.household.monthly_income < 1000 { met() } else { not_met() }")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.decision, Decision::NeedsInformation);
    assert_eq!(
        r.missing
            .iter()
            .map(|m| m.fact.as_str())
            .collect::<Vec<_>>(),
        ["/household/monthly_income"]
    );
}

#[test]
fn a_for_loop_over_an_unknown_list_is_unknown() {
    let case = r#"{ "schema_version": 1, "case_id": "T", "decision_date": "2022-01-01", "household": {} }"#;
    let r = run_on(
        "let n = 0; for d in facts.household.dependants { n += 1; } met()",
        case,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let f = r.findings.first().unwrap_or_else(|| panic!("a finding"));
    assert_eq!(
        (f.outcome, f.missing.clone()),
        (Outcome::Unknown, vec!["/household/dependants".to_string()])
    );
}

#[test]
fn unknown_can_be_handled_explicitly() {
    let f = finding("if known(facts.household.monthly_income) { met() } else { not_met() }");
    assert_eq!(f.outcome, Outcome::NotMet);
    assert_eq!(f.facts, ["/household/monthly_income"]);
    let f = finding(
        "if facts.household.monthly_income.if_unknown(0) < 1000 { met() } else { not_met() }",
    );
    assert_eq!(f.outcome, Outcome::Met);
}

#[test]
fn comparing_values_of_different_types_is_an_error_not_false() {
    for (body, words) in [
        (
            "if facts.applicant.age > \"30\" { met() } else { not_met() }",
            "cannot compare a whole number with a string",
        ),
        (
            "if facts.applicant.age == \"40\" { met() } else { not_met() }",
            "cannot compare a whole number with a string",
        ),
        (
            "if facts.applicant.sex == 1 { met() } else { not_met() }",
            "cannot compare a string with a whole number",
        ),
        (
            "if true == 1 { met() } else { not_met() }",
            "cannot compare true/false with a whole number",
        ),
        (
            "if () == 1 { met() } else { not_met() }",
            "cannot compare nothing",
        ),
    ] {
        let e = failure(body);
        assert!(e.contains(words), "{body}: {e}");
        assert!(
            e.contains("eligibility/rule.rhai:9:"),
            "{body}: the error names the file and line: {e}"
        );
        assert!(e.contains("rule `eligibility.rule`"), "{e}");
    }
    // Whole numbers and numbers compare as numbers.
    assert_eq!(
        finding("if facts.applicant.age > 39.5 { met() } else { not_met() }").outcome,
        Outcome::Met
    );
}

#[test]
fn membership_in_a_list_compares_as_equality_does() {
    // The engine's own `contains` (rhai's looks `==` up afresh for every element) must answer as `==` does:
    // equal values of one type found, whole numbers and numbers compared as numbers, a list holding values of
    // another type refused, an unknown value stopping the rule, in both spellings.
    for (body, outcome) in [
        (
            "if [\"x\", facts.applicant.sex].contains(facts.applicant.sex) { met() } else { not_met() }",
            Outcome::Met,
        ),
        (
            "if facts.applicant.sex in [\"x\", \"y\"] { met() } else { not_met() }",
            Outcome::NotMet,
        ),
        (
            "if [39.0, 40.0].contains(facts.applicant.age) { met() } else { not_met() }",
            Outcome::Met,
        ),
        (
            "if facts.applicant.age in [40] { met() } else { not_met() }",
            Outcome::Met,
        ),
        ("if [true].contains(false) { met() } else { not_met() }", Outcome::NotMet),
        ("if ['a', 'b'].contains('b') { met() } else { not_met() }", Outcome::Met),
        (
            "if [1000.0].contains(facts.household.monthly_income) { met() } else { not_met() }",
            Outcome::Unknown,
        ),
    ] {
        assert_eq!(finding(body).outcome, outcome, "{body}");
    }
    for (body, words) in [
        (
            "if [1, 2].contains(facts.applicant.sex) { met() } else { not_met() }",
            "cannot compare a whole number with a string",
        ),
        (
            "if facts.applicant.age in [\"40\"] { met() } else { not_met() }",
            "cannot compare a string with a whole number",
        ),
    ] {
        let e = failure(body);
        assert!(e.contains(words), "{body}: {e}");
        assert!(e.contains("eligibility/rule.rhai:9:"), "{body}: {e}");
    }
}

#[test]
fn a_misspelt_fact_is_a_load_error_with_its_place_even_in_a_branch_never_taken() {
    let e = load_errors(
        "if false { if facts.houshold.monthly_income > 0 { return met(); } }\nnot_met()",
    );
    assert!(
        e.contains("eligibility/rule.rhai:9:21: error: unknown fact `houshold` in the case"),
        "{e}"
    );
    assert!(e.contains("did you mean `household`?"), "{e}");
    assert!(
        e.contains("·                     ────────\n"),
        "an underline under the name: {e}"
    );
    let e = load_errors("if facts.household.monthly_incme > 0 { met() } else { not_met() }");
    assert!(
        e.contains(":9:20: error: unknown fact `monthly_incme` in `/household`"),
        "{e}"
    );
    assert!(e.contains("did you mean `monthly_income`?"), "{e}");
}

#[test]
fn a_misspelt_parameter_or_undefined_variable_is_a_load_error() {
    let e = load_errors("if params.limt > 0 { met() } else { not_met() }");
    assert!(
        e.contains(":9:11: error: unknown parameter `limt`") && e.contains("did you mean `limit`?"),
        "{e}"
    );
    let e = load_errors("if income > 0 { met() } else { not_met() }");
    assert!(e.contains(":9:4: error: unknown variable `income`"), "{e}");
    let e = load_errors("switch 1 { 1 => met(), _ => not_met() }");
    assert!(e.contains("`switch` is not available in rules"), "{e}");
    let e = load_errors("if fired(\"eligibility.rul\") { met() } else { not_met() }");
    assert!(
        e.contains("there is no rule `eligibility.rul`")
            && e.contains("did you mean `eligibility.rule`?"),
        "{e}"
    );
}

#[test]
fn calling_a_function_the_engine_does_not_provide_is_a_load_error() {
    let e = load_errors("if true { no_such_function(1); }\nmet()");
    assert!(
        e.contains(":9:11: error: no function `no_such_function` is available to rules"),
        "{e}"
    );
    let e = load_errors(
        "if facts.household.monthly_income.if_unknwn(0) > 1 { met() } else { not_met() }",
    );
    assert!(
        e.contains("no function `if_unknwn`") && e.contains("did you mean `if_unknown`?"),
        "{e}"
    );
    // Getters (`get$age`, one for every fact name and parameter) cannot be called by name: never suggested.
    for call in ["get_age()", "get_len([])", "get_base_months()"] {
        let e = load_errors(&format!("if true {{ {call}; }}\nmet()"));
        assert!(
            e.contains("is available to rules") && !e.contains('$'),
            "{call}: {e}"
        );
    }
    let e = load_errors(
        "let n = 0; for d in facts.household.dependants { if d.agee < 18 { n += 1; } } met()",
    );
    assert!(
        e.contains("unknown fact `agee` in `/household/dependants/*`")
            && e.contains("did you mean `age`?"),
        "{e}"
    );
    let e =
        load_errors("let h = facts.household; if h.monthly_incme > 0 { met() } else { not_met() }");
    assert!(
        e.contains("unknown fact `monthly_incme` in `/household`"),
        "{e}"
    );
}

#[test]
fn a_missing_table_entry_in_a_parameter_is_an_error() {
    let e = failure("if params.table.b > 0 { met() } else { not_met() }");
    assert!(e.contains("there is no property `b`"), "{e}");
}

#[test]
fn runaway_and_broken_rules_are_stopped_and_reported_with_rule_and_position() {
    for (body, words) in [
        ("loop { }", "more than 200000 operations"),
        (
            "let x = 0; while true { x += 1; }",
            "more than 200000 operations",
        ),
        ("fn f(n) { f(n + 1) } f(0); met()", "recursion without end"),
        ("let s = \"x\"; loop { s += s; }", "too large"),
        ("let a = [1]; loop { a += a; }", "too large"),
        ("let x = 1 / 0; met()", "division by zero"),
        ("throw \"no\";", "no"),
        ("let x = 1;", "ended without a conclusion"),
        ("met(); met()", "already reached a conclusion"),
    ] {
        let started = std::time::Instant::now();
        let e = failure(body);
        assert!(e.contains(words), "{body}: {e}");
        assert!(e.contains("rule `eligibility.rule`"), "{body}: {e}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{body} took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn rules_cannot_reach_files_clock_or_modules() {
    let e = load_errors("import \"x\" as y; met()");
    assert!(e.contains("syntax error"), "{e}");
    let e = load_errors("let t = timestamp(); met()");
    assert!(
        e.contains("no function `timestamp` is available to rules"),
        "{e}"
    );
    let e = load_errors("eval(\"met()\")");
    assert!(e.contains("'eval' is disabled"), "{e}");
}

#[test]
fn broken_rule_headers_are_load_errors() {
    let dir = policy_dir(&[
        ("policy.toml", ONE_RULE_MANIFEST),
        ("parameters/p.toml", &format!("{LIMIT_PARAMS}{TABLE_PARAM}")),
        ("eligibility/rule.rhai", "// id: eligibility.rule\n// title: t\n// stage: eligibilty\n// kind: pathway\n// met: m\nmet()\n"),
    ]);
    let e = rendered_errors(&dir);
    assert!(e.contains("the rule header has no `basis`"), "{e}");
    assert!(
        e.contains("unknown stage `eligibilty`") && e.contains("did you mean `eligibility`?"),
        "{e}"
    );
}

#[test]
fn a_policy_without_manifest_or_with_a_bad_parameter_is_a_clear_error() {
    let dir = policy_dir(&[("eligibility/rule.rhai", "met()")]);
    let e = Policy::from_dir(dir.path()).err().unwrap_or_default();
    assert!(
        e.iter().any(|x| x
            .to_string()
            .contains("policy.toml: error: the policy has no manifest")),
        "{e:?}"
    );
    let bad = format!("{LIMIT_PARAMS}{TABLE_PARAM}")
        .replace("unit = \"CNY\"", "unit = \"yuan\"")
        .replace("reference = \"test\"\n[[limit", "reference = \"\"\n[[limit");
    let rule = header("met()");
    let dir = policy_dir(&[
        ("policy.toml", ONE_RULE_MANIFEST),
        ("parameters/p.toml", &bad),
        ("eligibility/rule.rhai", &rule),
    ]);
    let e = rendered_errors(&dir);
    assert!(
        e.contains("parameters/p.toml:2:2: error: parameter `limit` has unknown unit `yuan`"),
        "{e}"
    );
    assert!(e.contains("parameter `limit` has no reference"), "{e}");
}

#[test]
fn the_engine_limits_are_set_explicitly() {
    let sandbox = assessor::engine::Sandbox::new();
    let e = sandbox.engine();
    assert_eq!(e.max_operations(), assessor::engine::limits::MAX_OPERATIONS);
    assert_eq!(
        e.max_call_levels(),
        assessor::engine::limits::MAX_CALL_LEVELS
    );
    assert_eq!(
        e.max_expr_depth(),
        assessor::engine::limits::MAX_EXPR_DEPTH.0
    );
    assert_eq!(
        e.max_string_size(),
        assessor::engine::limits::MAX_STRING_SIZE
    );
    assert_eq!(e.max_array_size(), assessor::engine::limits::MAX_ARRAY_SIZE);
    assert_eq!(e.max_map_size(), assessor::engine::limits::MAX_MAP_SIZE);
    assert_eq!(
        e.max_function_expr_depth(),
        assessor::engine::limits::MAX_EXPR_DEPTH.1
    );
    assert_eq!(e.max_variables(), assessor::engine::limits::MAX_VARIABLES);
    assert_eq!(e.max_functions(), assessor::engine::limits::MAX_FUNCTIONS);
    assert!(e.strict_variables());
    assert!(e.fail_on_invalid_map_property());
}

/// The kind of the failure of a rule with this body (the test policy's one eligibility rule).
fn failure_kind(body: &str) -> FailureKind {
    match run(body) {
        Err(AssessError::Rule { kind, .. }) => kind,
        other => panic!("{body}: expected the rule to fail, got {other:?}"),
    }
}

#[test]
fn every_failure_of_a_rule_says_its_kind() {
    for (body, kind) in [
        ("loop { }", FailureKind::Limit(Limit::Operations)),
        (
            "fn f(n) { f(n + 1) } f(0); met()",
            FailureKind::Limit(Limit::CallDepth),
        ),
        (
            "let s = \"x\"; loop { s += s; }",
            FailureKind::Limit(Limit::DataSize),
        ),
        (
            "let a = []; for i in 0..20 { a = [a]; } met(#{ a: a })",
            FailureKind::Limit(Limit::ValueDepth),
        ),
        ("let x = 1 / 0; met()", FailureKind::Arithmetic),
        ("throw \"no\";", FailureKind::Thrown),
        ("let x = 1;", FailureKind::NoConclusion),
        ("met(); met()", FailureKind::ConcludedTwice),
        (
            "if facts.applicant.age > \"30\" { met() } else { not_met() }",
            FailureKind::TypeMismatch,
        ),
        (
            "if params.table.b > 0 { met() } else { not_met() }",
            FailureKind::NoSuchProperty,
        ),
        // Names built at run time escape the static checks; the engine refuses them when they run.
        ("Fn(\"sco\" + \"re\").call(1)", FailureKind::WrongStage),
        (
            "Fn(\"deci\" + \"sion\").call(); met()",
            FailureKind::NotYetDecided,
        ),
        (
            "if Fn(\"fi\" + \"red\").call(\"eligibility.nothing\") { met() } else { not_met() }",
            FailureKind::UnknownRule,
        ),
        (
            "if Fn(\"fi\" + \"red\").call(\"eligibility.rule\") { met() } else { not_met() }",
            FailureKind::RuleNotYetRun,
        ),
        (
            "let n = \"li\" + \"mt\"; if params[n] > 0 { met() } else { not_met() }",
            FailureKind::UnknownParameter,
        ),
        (
            "let n = \"ag\" + \"ee\"; if facts.applicant[n] > 0 { met() } else { not_met() }",
            FailureKind::UnknownFact,
        ),
        (
            "require_approval(\"no\" + \"pe\"); met()",
            FailureKind::UnknownCode,
        ),
        (
            "met(#{ x: round_to(1.5, 0) })",
            FailureKind::InvalidArgument,
        ),
        (
            "Fn(\"no_such_\" + \"function\").call(); met()",
            FailureKind::NoSuchFunction,
        ),
        // Few operations, each heavy: stopped by the clock, not by the count of operations.
        (
            "let a = []; for i in 0..10000 { a.push(10000 - i); } loop { let b = a; b.sort(); }",
            FailureKind::Limit(Limit::Time),
        ),
    ] {
        assert_eq!(failure_kind(body), kind, "{body}");
    }
}

/// The message and help of the failure of a rule with this body, and how it is shown.
fn failure_parts(body: &str) -> (String, Option<String>, String) {
    match run(body) {
        Err(e @ AssessError::Rule { .. }) => {
            let shown = e.to_string();
            match e {
                AssessError::Rule { message, help, .. } => (message, help, shown),
                AssessError::Internal { .. } | AssessError::OutOfTime { .. } => unreachable!(),
            }
        }
        other => panic!("{body}: expected the rule to fail, got {other:?}"),
    }
}

#[test]
fn a_misspelt_name_at_run_time_says_did_you_mean_as_help_on_its_own_line() {
    for (body, message, help) in [
        (
            "require_approval(\"colective_decision\"); met()",
            "unknown approval `colective_decision`",
            "did you mean `collective_decision`?",
        ),
        (
            "require_approval(\"no\" + \"pe\"); met()",
            "unknown approval `nope`",
            "approvals are: collective_decision, over_36_months, reassistance, joint_assistance",
        ),
        (
            "let n = \"ag\" + \"ee\"; if facts.applicant[n] > 0 { met() } else { not_met() }",
            "unknown fact `agee` in `/applicant`",
            "did you mean `age`?",
        ),
        (
            "let n = \"li\" + \"mt\"; if params[n] > 0 { met() } else { not_met() }",
            "unknown parameter `limt`",
            "did you mean `limit`?",
        ),
        (
            "if Fn(\"fi\" + \"red\").call(\"eligibility.rul\") { met() } else { not_met() }",
            "there is no rule `eligibility.rul`",
            "did you mean `eligibility.rule`?",
        ),
    ] {
        let (m, h, shown) = failure_parts(body);
        assert_eq!(m, message, "{body}");
        assert_eq!(h.as_deref(), Some(help), "{body}");
        assert!(
            shown.contains("eligibility/rule.rhai:9:")
                && shown.contains(&format!(
                    "rule `eligibility.rule` failed: {message}\n  = help: {help}"
                )),
            "{body}: {shown}"
        );
    }
    let (_, help, shown) = failure_parts("let x = 1;");
    assert_eq!(help, None);
    assert!(!shown.contains("help"), "{shown}");
}

#[test]
fn a_value_json_cannot_hold_fails_the_rule_instead_of_becoming_null() {
    for body in [
        "let z = 0.0; met(#{ ratio: 1.0 / z })",
        "let z = 0.0; not_met(#{ ratio: [z / z] })",
    ] {
        let (message, _, _) = failure_parts(body);
        assert!(message.contains("not a finite number"), "{body}: {message}");
        assert_eq!(failure_kind(body), FailureKind::InvalidArgument, "{body}");
    }
}

/// A policy without amount rules recommends no amount whatever the facts. A case with a payment already made in the
/// same case was "needs information: 0 unknown facts could change the decision" under such a policy (whether
/// anything is still due waited for an amount nothing could give); it is assisted, with nothing missing.
#[test]
fn a_policy_without_amount_rules_assists_a_case_paid_before() {
    const RULE: &str =
        "// id: eligibility.rule\n// title: Test rule\n// stage: eligibility\n// kind: pathway\n\
        // basis: test\n// met: met\n// not_met: not met\n\n\
        if facts.household.monthly_income <= params.limit { met() } else { not_met() }\n";
    let dir = policy_dir(&[
        ("policy.toml", ONE_RULE_MANIFEST),
        ("parameters/p.toml", LIMIT_PARAMS),
        ("eligibility/rule.rhai", RULE),
    ]);
    let policy = Policy::from_dir(dir.path()).unwrap_or_else(|e| panic!("{e:?}"));
    for (paid, same_case) in [(1000, Some(true)), (1000, None), (0, None)] {
        let mut json = serde_json::json!({
            "schema_version": 1, "case_id": "NO-AMOUNT", "decision_date": "2022-01-01",
            "household": { "monthly_income": 500 },
        });
        if paid > 0 {
            json["prior_assistance"] = serde_json::json!({ "amount": paid });
            if let Some(s) = same_case {
                json["prior_assistance"]["same_case"] = serde_json::json!(s);
            }
        }
        let case = assessor::validate::validate_value(json).unwrap_or_else(|e| panic!("{e:?}"));
        let rec = assessor::assess(&case, &policy).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            rec.decision,
            Decision::Assist,
            "paid {paid}, same case {same_case:?}: {rec:?}"
        );
        assert!(rec.missing.is_empty(), "{:?}", rec.missing);
    }
}

/// The checklist line of a presumption (`presumed:`) is shown without the rule's values: a placeholder in it is a
/// load error with its place, where it was printed as written (`Nothing {tier} on file …`).
#[test]
fn a_placeholder_in_a_presumption_s_checklist_line_is_refused_at_load() {
    let rule = "// id: eligibility.rule\n// title: Test rule\n// stage: eligibility\n// kind: pathway\n// basis: test\n\
        // met: met {level}\n// not_met: not met\n// presumed: Nothing on file shows {level}.\n\n\
        if facts.household.monthly_income <= params.limit { met(#{ level: 1 }) } else { not_met() }\n";
    let dir = policy_dir(&[
        ("policy.toml", ONE_RULE_MANIFEST),
        ("parameters/p.toml", LIMIT_PARAMS),
        ("eligibility/rule.rhai", rule),
    ]);
    let e = rendered_errors(&dir);
    assert!(
        e.contains("`{level}` in the text `presumed`: the checklist line of a presumption has no values to fill in"),
        "{e}"
    );
    assert!(e.contains("rule.rhai:8:"), "{e}");
}

/// A value presumed for a fact that no case file can give it (a misspelt choice, a word for a yes/no) is a load error
/// with its place: it was found only when a case first left the fact unknown, as a failure of that case
/// (`rank["nnone"]`) or, worse, as a reading no case can have.
#[test]
fn a_presumed_value_the_fact_can_never_have_is_refused_at_load() {
    for (file, from, to, expected) in [
        (
            "amount/amount.rhai",
            "victim_fault.presume(\"none\")",
            "victim_fault.presume(\"nnone\")",
            "did you mean `\"none\"`?",
        ),
        (
            "exclusions/refused_cooperation.rhai",
            "refused_cooperation.presume(false)",
            "refused_cooperation.presume(\"no\")",
            "it is a yes/no",
        ),
    ] {
        let (_tmp, rules) = crate::support::policy_edited(file, from, to);
        let text = std::fs::read_to_string(rules.join(file)).unwrap_or_default();
        let line = text
            .lines()
            .position(|l| l.contains(to))
            .map_or(0, |i| i + 1);
        let e = render(&Policy::from_dir(&rules).err().unwrap_or_default());
        assert!(e.contains("can never be"), "{file}: {e}");
        assert!(e.contains(expected), "{file}: {e}");
        let place = format!("{}:{line}:", file.rsplit('/').next().unwrap_or(file));
        assert!(e.contains(&place), "{file}: expected {place} in {e}");
    }
}

/// The presumption's check sees every way a rule may write it (review of 2026-12-02): the function form, a variable
/// bound to the fact, a call on the presumption's result, and literals of no fact's kind.
#[test]
fn a_presumed_value_is_checked_however_the_presumption_is_written() {
    let from = "victim_fault = facts.conduct.victim_fault.presume(\"none\");";
    for (to, expected) in [
        (
            "victim_fault = presume(facts.conduct.victim_fault, \"nnone\");",
            "can never be \"nnone\"",
        ),
        (
            "let vf = facts.conduct.victim_fault;\n    victim_fault = vf.presume(\"nnone\");",
            "can never be \"nnone\"",
        ),
        (
            "victim_fault = facts.conduct.victim_fault.presume(\"nnone\").to_lower();",
            "can never be \"nnone\"",
        ),
        (
            "victim_fault = facts.conduct.victim_fault.presume('n');",
            "can never be the character 'n'",
        ),
        (
            "victim_fault = facts.conduct.victim_fault.presume(());",
            "can never be nothing",
        ),
        (
            "victim_fault = facts.conduct.victim_fault.presume([\"none\"]);",
            "can never be a list",
        ),
    ] {
        let (_tmp, rules) = crate::support::policy_edited("amount/amount.rhai", from, to);
        let e = render(&Policy::from_dir(&rules).err().unwrap_or_default());
        assert!(e.contains(expected), "{to}: {e}");
        assert!(e.contains("amount.rhai:15"), "{to}: no place in {e}");
    }
}

/// `assessor check` lists every presumption, written in either form (review of 2026-12-02: the list was found by
/// scanning the text for `.presume(`, and missed `presume(fact, value)`, which the engine accepts).
#[test]
fn every_presumption_is_listed_whichever_form_it_is_written_in() {
    let (_tmp, rules) = crate::support::policy_edited(
        "exclusions/refused_cooperation.rhai",
        "facts.conduct.refused_cooperation.presume(false)",
        "presume(facts.conduct.refused_cooperation, false)",
    );
    let policy = Policy::from_dir(&rules).unwrap_or_else(|e| panic!("{}", render(&e)));
    let facts = |p: &assessor::Policy| {
        assessor::check::presumptions(p)
            .into_iter()
            .map(|x| (x.rule, x.line, x.fact, x.value))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        facts(&policy),
        facts(crate::support::policy()),
        "the function form is listed as the method form is"
    );
    let listed = assessor::check::presumptions(&policy);
    assert!(
        listed
            .iter()
            .any(|p| p.fact == "/conduct/refused_cooperation" && p.value == "false"),
        "{listed:?}"
    );
}
