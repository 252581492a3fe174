//! Broken policies (`fixtures/policies/*`, overlays on the default policy): `assessor check` reports each problem
//! with its file:line:col, a snippet, a caret and help. The whole rendered output is snapshot-tested.

use crate::support::{overlay, root, run};

/// Warnings do not fail `check`; errors do.
const WARNING_ONLY: [&str; 2] = ["unread_fact", "unused_parameter"];

#[test]
fn every_broken_policy_is_diagnosed_with_file_line_column_snippet_and_help() {
    let dir = root().join("fixtures/policies");
    let kinds = crate::support::subdirs(&dir);
    assert!(kinds.len() >= 15, "only {} broken policies", kinds.len());
    for kind in kinds {
        let name = kind
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let (_tmp, rules) = overlay(&format!("fixtures/policies/{name}"));
        let shown = rules.display().to_string();
        let (code, out, err) = run(&["check", "--rules", &shown], None);
        let want = if WARNING_ONLY.contains(&name.as_str()) {
            0
        } else {
            1
        };
        assert_eq!(code, want, "{name}: exit {code}\n{err}");
        assert!(!err.trim().is_empty(), "{name}: no diagnostic");
        let rendered = format!("{err}{out}").replace(&shown, "rules");
        insta::assert_snapshot!(format!("check_{name}"), rendered);
    }
}

#[test]
fn the_default_policy_checks_clean_in_json_too() {
    let (code, out, _) = run(&["check", "--format", "json"], None);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    assert_eq!(
        (v["errors"].as_u64(), v["warnings"].as_u64()),
        (Some(0), Some(0)),
        "{out}"
    );
}

#[test]
fn check_json_lists_each_diagnostic_with_its_place() {
    let (_tmp, rules) = overlay("fixtures/policies/unknown_fact_in_unreached_branch");
    let (code, out, _) = run(
        &[
            "check",
            "--format",
            "json",
            "--rules",
            &rules.display().to_string(),
        ],
        None,
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    let d = &v["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert!(d["file"]
        .as_str()
        .unwrap_or_default()
        .ends_with("eligibility/hardship.rhai"));
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(61), Some(27))
    );
    assert_eq!(d["message"], "unknown fact `houshold` in the case");
    assert_eq!(d["help"], "did you mean `household`?");
}

#[test]
fn an_expectation_file_with_a_misspelt_key_fails_naming_the_key() {
    let (code, _, err) = run(&["test", "fixtures/expectations/misspelt_key.toml"], None);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("× unknown key `decison` in an expectation"),
        "{err}"
    );
    assert!(
        err.contains("[fixtures/expectations/misspelt_key.toml:6:1]"),
        "{err}"
    );
    assert!(err.contains("did you mean `decision`?"), "{err}");
}

#[test]
fn a_failing_expectation_shows_expected_and_actual_and_how_to_reproduce() {
    let (code, out, _) = run(&["test", "fixtures/expectations/wrong_amount.toml"], None);
    assert_eq!(code, 1);
    insta::assert_snapshot!("test_wrong_amount", out);
}

#[test]
fn test_with_coverage_reports_rules_provisions_and_parameters() {
    let (code, out, err) = run(&["test", "--coverage"], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Rule coverage over 107 case(s):"), "{out}");
    assert!(out.contains("Rules never met: none"), "{out}");
    assert!(out.contains("Provisions never exercised: none"), "{out}");
    assert!(out.contains("Parameters never read: none"), "{out}");
    assert!(out.trim_end().ends_with("107 passed, 0 failed"), "{out}");
    let (code, out, _) = run(&["test", "--coverage", "--format", "json"], None);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    assert_eq!(v["coverage"]["rules"].as_array().map(Vec::len), Some(51));
}

#[test]
fn rules_prints_the_catalogue() {
    let (code, out, _) = run(&["rules"], None);
    assert_eq!(code, 0);
    assert!(out.contains("eligibility.dependant_of_incapacitated_earner"));
    assert!(out.contains("basis: SPP Detailed Rules (2021) Art. 7(3)"));
    assert!(out.contains("wage_base (CNY/month)"));
    assert!(
        out.lines().any(|l| l.contains("Central")
            && l.contains("2022-01-01 to 2022-12-31")
            && l.contains(" 7,128 — ")),
        "{out}"
    );
    let (code, out, _) = run(&["rules", "--format", "markdown"], None);
    assert_eq!(code, 0);
    assert!(out.contains("| `eligibility.catch_all` | discretionary |"));
}

/// A place in a TOML file is where TOML read the value: the loader used to search the text for the value's first
/// occurrence, so a comment that quoted it took the error.
#[test]
fn a_manifest_error_points_at_the_value_not_at_a_comment_that_quotes_it() {
    let mut source = assessor::PolicySource::embedded();
    let Some(manifest) = source.files.get_mut("policy.toml") else {
        panic!("the embedded policy has no manifest");
    };
    *manifest = format!(
        "# \"/household/monthly_incme\" is a typo below\n{}",
        manifest.replacen(
            "    \"/household/monthly_income\",",
            "    \"/household/monthly_incme\",",
            1
        )
    );
    let want_line = manifest
        .lines()
        .position(|l| l == "    \"/household/monthly_incme\",")
        .map(|i| i + 1);
    let errors = assessor::Policy::load(source).err().unwrap_or_default();
    let e = errors
        .iter()
        .find(|e| e.message.contains("monthly_incme"))
        .unwrap_or_else(|| panic!("no error for the typo: {errors:?}"));
    assert_eq!((e.line, e.column), (want_line, Some(5)), "{}", e.render());
    // The whole quoted value is underlined.
    assert!(
        e.render().contains(&format!("·     {}\n", "─".repeat(26))),
        "{}",
        e.render()
    );
}
