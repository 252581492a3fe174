//! Issue 14 (hardening), the rule engine and policy loading: rules that try to escape the sandbox's limits or its
//! vocabulary, and policy folders that try to make the loader read what it should not.

use assessor::validate::parse_case;
use assessor::{AssessError, Policy, PolicyError};

use crate::support::{policy_dir, LIMIT_PARAMS};

const MANIFEST: &str = r#"
name = "test"
version = "0"
parameters = ["parameters/p.toml"]
[stages]
eligibility = ["eligibility/pathway.rhai", "eligibility/rule.rhai"]
exclusions = ["exclusions/bar.rhai"]
priority = []
amount = ["amount/amount.rhai"]
referrals = ["referrals/referral.rhai"]
"#;

const CASE: &str = r#"{ "schema_version": 1, "case_id": "T", "decision_date": "2022-01-01",
  "applicant": { "age": 40, "sex": "female" }, "household": { "monthly_income": null, "dependants": [] } }"#;

fn rule(id: &str, stage: &str, kind: &str, body: &str) -> String {
    format!(
        "// id: {stage}.{id}\n// title: Test rule\n// stage: {stage}\n// kind: {kind}\n// basis: test\n// met: met\n// not_met: not met\n\n{body}\n"
    )
}

/// The rules of a small policy: an eligibility pathway that is met, a condition `rule`, a bar, and the amount.
struct Bodies<'a> {
    rule: &'a str,
    bar: &'a str,
    amount: &'a str,
    referral: &'a str,
}

impl Default for Bodies<'_> {
    fn default() -> Self {
        Bodies {
            rule: "met()",
            bar: "not_met()",
            amount: "recommend(1000)",
            referral: "if fired(\"amount.amount\") { refer(\"legal_aid\", \"legal_aid_centre\") } else { not_met() }",
        }
    }
}

/// The small policy's folder, with these rule bodies.
fn policy_folder(b: &Bodies) -> tempfile::TempDir {
    policy_dir(&[
        ("policy.toml", MANIFEST),
        ("parameters/p.toml", LIMIT_PARAMS),
        (
            "eligibility/pathway.rhai",
            &rule("pathway", "eligibility", "pathway", "met()"),
        ),
        (
            "eligibility/rule.rhai",
            &rule("rule", "eligibility", "condition", b.rule),
        ),
        (
            "exclusions/bar.rhai",
            &rule("bar", "exclusions", "bar", b.bar),
        ),
        (
            "amount/amount.rhai",
            &rule("amount", "amount", "amount", b.amount),
        ),
        (
            "referrals/referral.rhai",
            &rule("referral", "referrals", "referral", b.referral),
        ),
    ])
}

fn load(b: &Bodies) -> Result<Policy, Vec<PolicyError>> {
    Policy::from_dir(policy_folder(b).path())
}

fn errors(e: &[PolicyError]) -> String {
    e.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn assess(b: &Bodies) -> Result<assessor::Recommendation, AssessError> {
    let policy = load(b).unwrap_or_else(|e| panic!("policy: {}", errors(&e)));
    let case = parse_case(CASE.as_bytes()).unwrap_or_else(|e| panic!("{e:?}"));
    assessor::assess(&case, &policy)
}

fn failure(b: &Bodies) -> String {
    match assess(b) {
        Err(e) => e.to_string(),
        Ok(r) => panic!("expected a rule to fail, got {:?}", r.decision),
    }
}

fn load_errors(b: &Bodies) -> String {
    match load(b) {
        Err(e) => errors(&e),
        Ok(_) => panic!("expected the policy not to load"),
    }
}

#[test]
fn the_small_policy_assesses() {
    let r = assess(&Bodies::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.decision, assessor::Decision::Assist, "{r:?}");
}

// Item 2: values a rule gives are bounded in depth and in size, in all.

#[test]
fn many_large_values_from_one_rule_are_refused_naming_the_rule() {
    let e = failure(&Bodies {
        amount: "let a = []; a.pad(9000, 1); for i in 0..20 { step(\"x\", 1, #{ a: a }); } recommend(1000)",
        ..Bodies::default()
    });
    assert!(e.contains("rule `amount.amount`"), "{e}");
    assert!(
        e.contains("larger than 100000 elements and bytes in all"),
        "{e}"
    );
}

#[test]
fn a_deeply_nested_value_in_a_step_is_refused() {
    let e = failure(&Bodies {
        amount:
            "let a = []; for i in 0..100 { a = [a]; } step(\"x\", 1, #{ a: a }); recommend(1000)",
        ..Bodies::default()
    });
    assert!(e.contains("rule `amount.amount`"), "{e}");
    assert!(e.contains("nested more than 16 deep"), "{e}");
}

// Item 6: try/catch could turn an unknown fact into a decision.

#[test]
fn try_catch_is_refused_at_load_with_its_place() {
    let e = load_errors(&Bodies {
        rule: "let x = 0;\ntry { x = facts.applicant.age; } catch { x = 5; }\nmet(#{ x: x })",
        ..Bodies::default()
    });
    assert!(
        e.contains("eligibility/rule.rhai:10:1: error: `try`/`catch` is not available in rules"),
        "{e}"
    );
}

// Item 7: the rule named in `fired` / `value_of`.

#[test]
fn a_computed_rule_id_is_refused_at_load() {
    let e = load_errors(&Bodies {
        amount: "if fired(\"exclusions.\" + \"bar\") { recommend(0) } else { recommend(1000) }",
        ..Bodies::default()
    });
    assert!(
        e.contains(
            "amount/amount.rhai:9:4: error: `fired` must name its rule with a string literal"
        ),
        "{e}"
    );
}

#[test]
fn reading_a_later_rule_through_a_computed_name_is_an_error_naming_it() {
    // `Fn(…).call(…)` escapes the static checks; the run time refuses a rule that has not run yet.
    let e = failure(&Bodies {
        rule: "if Fn(\"fi\" + \"red\").call(\"exclusions.bar\") { not_met() } else { met() }",
        ..Bodies::default()
    });
    assert!(e.contains("rule `eligibility.rule`"), "{e}");
    assert!(e.contains("rule `exclusions.bar` has not run yet"), "{e}");
    let e = failure(&Bodies {
        rule: "if Fn(\"fired\").call(\"eligibility.rule\") { met() } else { met() }",
        ..Bodies::default()
    });
    assert!(e.contains("rule `eligibility.rule` has not run yet"), "{e}");
    let e = failure(&Bodies {
        rule: "if Fn(\"fired\").call(\"exclusions.nothing\") { met() } else { met() }",
        ..Bodies::default()
    });
    assert!(e.contains("there is no rule `exclusions.nothing`"), "{e}");
}

#[test]
fn an_earlier_rule_of_a_stage_that_did_not_run_reads_as_not_fired() {
    // The bar declines the case, so the amount stage does not run; the referral reads the amount rule as not
    // fired (legitimately: it is listed before it), and an assisted case reads it as fired.
    let r = assess(&Bodies {
        bar: "met()",
        ..Bodies::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.decision, assessor::Decision::Decline, "{r:?}");
    assert!(r.referrals.is_empty(), "{:?}", r.referrals);
    let r = assess(&Bodies::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.referrals.len(), 1, "{:?}", r.referrals);
}

// Item 8: each conclusion function only in its stage.

#[test]
fn a_conclusion_of_another_stage_is_refused_at_load() {
    let e = load_errors(&Bodies {
        rule: "score(5)",
        ..Bodies::default()
    });
    assert!(
        e.contains("eligibility/rule.rhai:9:1: error: `score` cannot be used in a rule of stage eligibility: it belongs to the priority stage"),
        "{e}"
    );
    let e = load_errors(&Bodies {
        referral: "step(\"x\", 1); not_met()",
        ..Bodies::default()
    });
    assert!(
        e.contains(
            "`step` cannot be used in a rule of stage referrals: it belongs to the amount stage"
        ),
        "{e}"
    );
}

#[test]
fn a_conclusion_of_another_stage_is_refused_at_run_time() {
    let e = failure(&Bodies {
        rule: "Fn(\"sc\" + \"ore\").call(5)",
        ..Bodies::default()
    });
    assert!(e.contains("rule `eligibility.rule`"), "{e}");
    assert!(
        e.contains("`score` cannot be used in a rule of stage eligibility"),
        "{e}"
    );
}

#[test]
fn a_presumption_built_at_run_time_is_refused_outside_the_exclusions() {
    // `check` refuses `presume` outside the exclusions and amount stages by name; a name built at run time reached it, and an
    // eligibility condition presumed its unknown fact: the case was assisted with nothing listed to confirm.
    let e = failure(&Bodies {
        rule: "let v = call(Fn(\"pres\" + \"ume\"), facts.household.monthly_income, 0);\nif v <= 100 { met() } else { not_met() }",
        ..Bodies::default()
    });
    assert!(e.contains("rule `eligibility.rule`"), "{e}");
    assert!(
        e.contains("`presume` cannot be used in a rule of stage eligibility: it belongs to the exclusions and amount stages"),
        "{e}"
    );
}

// Item 18: amounts are finite and in range.

#[test]
fn non_finite_and_out_of_range_amounts_are_refused_naming_the_rule() {
    for (amount, words) in [
        (
            "recommend(1e300)",
            "the recommended amount must be a finite number between -1e12 and 1e12, not 1e300",
        ),
        (
            "recommend(-5)",
            "the recommended amount must be a finite number ≥ 0, not -5",
        ),
        (
            "step(\"x\", (-1.0).sqrt()); recommend(1000)",
            "a step's value must be a finite number",
        ),
        (
            "cap(\"x\", 1000, 1.0e300); recommend(1000)",
            "the cap must be a finite number",
        ),
        (
            "check(\"x\", 1000, (-1.0).sqrt()); recommend(1000)",
            "the limit must be a finite number",
        ),
        (
            "threshold(\"x\", 2e12, 1); recommend(1000)",
            "the amount must be a finite number",
        ),
    ] {
        let e = failure(&Bodies {
            amount,
            ..Bodies::default()
        });
        assert!(e.contains("rule `amount.amount`"), "{amount}: {e}");
        assert!(e.contains(words), "{amount}: {e}");
    }
}

// Items 9, 10, 20, 21, 23: loading a policy folder reads only the files the manifest names, inside the folder,
// regular, and bounded in size.

fn small_policy_dir() -> tempfile::TempDir {
    policy_folder(&Bodies::default())
}

fn load_dir_errors(dir: &std::path::Path) -> String {
    match Policy::from_dir(dir) {
        Err(e) => errors(&e),
        Ok(_) => panic!("expected the policy not to load"),
    }
}

/// Loads in a thread, so a loader that blocks (on a FIFO) fails the test instead of hanging it.
fn load_within(dir: &std::path::Path, secs: u64) -> Result<Policy, Vec<PolicyError>> {
    let dir = dir.to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(Policy::from_dir(&dir));
    });
    rx.recv_timeout(std::time::Duration::from_secs(secs))
        .unwrap_or_else(|_| panic!("loading the policy took more than {secs} s"))
}

#[test]
fn a_symlink_out_of_the_policy_folder_is_refused_and_not_shown() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.rhai");
    std::fs::write(&secret, "TOP SECRET LINE\n").unwrap();
    let dir = small_policy_dir();
    let target = dir.path().join("exclusions/bar.rhai");
    std::fs::remove_file(&target).unwrap();
    std::os::unix::fs::symlink(&secret, &target).unwrap();
    let e = load_dir_errors(dir.path());
    assert!(
        e.contains("exclusions/bar.rhai: error: the file is outside the policy folder"),
        "{e}"
    );
    assert!(!e.contains("TOP SECRET"), "{e}");
    // A link to a device is outside too.
    std::fs::remove_file(&target).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &target).unwrap();
    let e = load_dir_errors(dir.path());
    assert!(e.contains("the file is outside the policy folder"), "{e}");
    // A link inside the folder is followed.
    std::fs::remove_file(&target).unwrap();
    std::fs::write(
        dir.path().join("exclusions/real.txt"),
        rule("bar", "exclusions", "bar", "not_met()"),
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.path().join("exclusions/real.txt"), &target).unwrap();
    assert!(Policy::from_dir(dir.path()).is_ok());
}

#[test]
fn parent_and_absolute_paths_in_the_manifest_are_outside_the_policy_folder() {
    for path in ["../outside.rhai", "/etc/passwd", "exclusions/../../x.rhai"] {
        let dir = small_policy_dir();
        let manifest = MANIFEST.replace("exclusions/bar.rhai", path);
        std::fs::write(dir.path().join("policy.toml"), manifest).unwrap();
        let e = load_dir_errors(dir.path());
        assert!(e.contains("policy.toml:7:15: "), "{path}: {e}");
        assert!(
            e.contains(&format!("error: `{path}` is outside the policy folder")),
            "{path}: {e}"
        );
        assert!(!e.contains("does not exist"), "{path}: {e}");
    }
}

#[test]
fn a_fifo_is_refused_without_being_opened_and_unnamed_files_are_not_read() {
    let dir = small_policy_dir();
    let fifo = dir.path().join("exclusions/bar.rhai");
    std::fs::remove_file(&fifo).unwrap();
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available: skipped");
        return;
    }
    let e = match load_within(dir.path(), 10) {
        Err(e) => errors(&e),
        Ok(_) => panic!("a FIFO loaded"),
    };
    assert!(
        e.contains("exclusions/bar.rhai: error: not a regular file"),
        "{e}"
    );
    // A FIFO the manifest does not name is never opened, whatever its name.
    std::fs::rename(&fifo, dir.path().join("parameters/extra.toml")).unwrap();
    std::fs::write(
        dir.path().join("exclusions/bar.rhai"),
        rule("bar", "exclusions", "bar", "not_met()"),
    )
    .unwrap();
    assert!(load_within(dir.path(), 10).is_ok());
}

#[test]
fn a_rule_file_over_the_size_limit_is_refused_before_it_is_read() {
    let dir = small_policy_dir();
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(dir.path().join("exclusions/bar.rhai"))
        .unwrap();
    f.set_len(50 * 1024 * 1024).unwrap(); // sparse
    let started = std::time::Instant::now();
    let e = load_dir_errors(dir.path());
    assert!(
        e.contains("exclusions/bar.rhai: error: the file is 52428800 bytes, larger than the limit of 1048576 for a policy file"),
        "{e}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn a_line_too_long_for_exact_positions_is_refused_with_its_line() {
    let dir = small_policy_dir();
    let body = format!("let s = \"{}\";\nnot_met()", "x".repeat(70_000));
    std::fs::write(
        dir.path().join("exclusions/bar.rhai"),
        rule("bar", "exclusions", "bar", &body),
    )
    .unwrap();
    let e = load_dir_errors(dir.path());
    assert!(
        e.contains("exclusions/bar.rhai:9:1: error: line 9 is 70011 characters long, more than the limit of 10000"),
        "{e}"
    );
    assert!(e.len() < 1000, "the line is shown: {} bytes", e.len());
}

#[test]
fn a_byte_order_mark_at_the_start_of_a_rule_file_is_accepted() {
    let dir = small_policy_dir();
    let text = format!("\u{feff}{}", rule("bar", "exclusions", "bar", "not_met()"));
    std::fs::write(dir.path().join("exclusions/bar.rhai"), text).unwrap();
    let p = Policy::from_dir(dir.path()).unwrap_or_else(|e| panic!("{}", errors(&e)));
    assert!(p.rule("exclusions.bar").is_some());
}

#[test]
fn diff_base_goes_through_the_same_loader() {
    let dir = small_policy_dir();
    let manifest = MANIFEST.replace("exclusions/bar.rhai", "../outside.rhai");
    std::fs::write(dir.path().join("policy.toml"), manifest).unwrap();
    let (code, _, err) =
        crate::support::run(&["diff", "--base", &dir.path().display().to_string()], None);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("`../outside.rhai` is outside the policy folder"),
        "{err}"
    );
}

/// A slow rule that reads several unknown facts cannot make one case take minutes: the searches over unknowns stop
/// at the case's budget of operations, leaving the rule unknown, or the case fails at the time safety net. (The
/// attack took 717 s.)
#[test]
fn searches_over_unknowns_are_bounded_per_case() {
    let (_tmp, rules) = crate::support::overlay("fixtures/slow_search");
    let started = std::time::Instant::now();
    let (code, out, err) = crate::support::run(
        &[
            "assess",
            "--no-what-if",
            "--format",
            "json",
            "--rules",
            &rules.display().to_string(),
            "fixtures/slow_search/case.json",
        ],
        None,
    );
    let took = started.elapsed();
    // Within the operations budget the result is the same on every machine; past the time budget (this debug build
    // on a slow or loaded machine) the case fails, naming the limit, rather than give a result that depends on the
    // machine's speed.
    if code == 0 {
        assert!(out.contains("\"decision\""), "{out}");
    } else {
        assert_eq!(code, 1, "{err}");
        assert!(out.is_empty(), "{out}");
        assert!(
            err.contains("fixtures/slow_search/case.json: the searches over this case's unknown facts ran past their 10 s limit"),
            "{err}"
        );
    }
    assert!(
        took < std::time::Duration::from_secs(60),
        "one case took {took:?}"
    );
}
