//! `assessor diff`: each policy change in `fixtures/diffs/*` (an overlay on `rules/`) moves exactly the cases it
//! should, grouped under its cause; a git revision works as the base; a policy against itself reports nothing.

use std::path::Path;

use crate::support::{copy_dir, redact_digests, root, run};

fn overlay(name: &str) -> (tempfile::TempDir, String) {
    let (tmp, rules) = crate::support::overlay(&format!("fixtures/diffs/{name}"));
    (tmp, rules.display().to_string())
}

#[test]
fn each_policy_change_moves_exactly_its_cases_grouped_by_cause() {
    for name in [
        "weight_change",
        "parameter_change",
        "new_exclusion",
        "renamed_rule",
    ] {
        let (_tmp, dir) = overlay(name);
        let (code, out, err) = run(&["diff", "--base", "rules", "--rules", &dir], None);
        assert_eq!(code, 0, "{name}: {err}");
        insta::assert_snapshot!(
            format!("diff_{name}"),
            redact_digests(&out.replace(&dir, "NEW"))
        );
    }
}

#[test]
fn the_weight_change_lists_exactly_the_w3_cases_with_the_transition_matrix() {
    let (_tmp, dir) = overlay("weight_change");
    let (_, out, _) = run(
        &[
            "diff", "--base", "rules", "--rules", &dir, "--format", "json",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    let changed: Vec<&str> = v["changed"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["case_id"].as_str())
        .collect();
    assert_eq!(
        changed,
        [
            "JS-2023-1801",
            "HN-2022-0137",
            "HN-2023-0501",
            "GZ-2022-0801"
        ]
    );
    assert_eq!(v["groups"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        v["groups"][0]["causes"][0],
        "parameter `priority_points` changed (w3_main_earner_lost 40 → 50)"
    );
    assert_eq!(v["tier_matrix"]["A"]["A"], 7);
}

#[test]
fn a_policy_against_itself_reports_nothing_and_fail_on_change_gates() {
    let (code, out, _) = run(
        &[
            "diff",
            "--base",
            "rules",
            "--rules",
            "rules",
            "--fail-on-change",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert!(out.contains("0 changed, 43 unchanged"), "{out}");
    let (_tmp, dir) = overlay("weight_change");
    let (code, _, _) = run(
        &[
            "diff",
            "--base",
            "rules",
            "--rules",
            &dir,
            "--fail-on-change",
        ],
        None,
    );
    assert_eq!(code, 1);
}

#[test]
fn markdown_is_a_pull_request_description() {
    let (_tmp, dir) = overlay("new_exclusion");
    let (code, out, _) = run(
        &[
            "diff", "--base", "rules", "--rules", &dir, "--format", "markdown",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert!(out.starts_with("## Policy change review"), "{out}");
    assert!(out.contains("| assist → decline | 1 |"), "{out}");
    assert!(
        out.contains("rule `exclusions.large_prior_assistance` added"),
        "{out}"
    );
}

fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .args([
            "-c",
            "user.email=test@example.org",
            "-c",
            "user.name=test",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(ok, "git {args:?} failed in {}", dir.display());
}

#[test]
fn a_git_revision_is_a_base_and_the_working_tree_is_untouched() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let repo = tmp.path();
    copy_dir(&root().join("rules"), &repo.join("rules"));
    git(repo, &["init", "-q"]);
    git(repo, &["add", "rules"]);
    git(repo, &["commit", "-q", "-m", "policy"]);
    let cases = root().join("fixtures/cases").display().to_string();
    let exe = env!("CARGO_BIN_EXE_assessor");
    let run_in = |args: &[&str]| {
        let out = std::process::Command::new(exe)
            .args(args)
            .current_dir(repo)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, out, err) = run_in(&["diff", "--base", "HEAD", "--rules", "rules", &cases]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("no rule or parameter changed") && out.contains("0 changed, 43 unchanged"),
        "{out}"
    );
    // Edit the working tree; the base is read from git.
    copy_dir(
        &root().join("fixtures/diffs/weight_change"),
        &repo.join("rules"),
    );
    let (code, out, err) = run_in(&[
        "diff", "--base", "HEAD", "--rules", "rules", &cases, "--format", "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    assert_eq!(v["changed"].as_array().map(Vec::len), Some(4), "{out}");
    let text =
        std::fs::read_to_string(repo.join("rules/parameters/priority.toml")).unwrap_or_default();
    assert!(
        text.contains("w3_main_earner_lost = 50"),
        "the working tree was changed"
    );
    let (code, _, err) = run_in(&["diff", "--base", "no-such-rev", "--rules", "rules", &cases]);
    assert_eq!(code, 3);
    assert!(
        err.contains("`no-such-rev` is neither a policy folder nor a git revision"),
        "{err}"
    );
}
