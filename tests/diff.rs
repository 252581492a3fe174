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

/// The rows of `fixtures/diffs/README.md`'s table: each overlay's folder and the lines `assessor diff` must list
/// under "Policy change" (the third column, lines separated by `<br>`).
fn readme_changes() -> Vec<(String, Vec<String>)> {
    let readme = std::fs::read_to_string(root().join("fixtures/diffs/README.md"))
        .unwrap_or_else(|e| panic!("fixtures/diffs/README.md: {e}"));
    readme
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            let folder = cells.first().map_or("", |c| c.trim_start_matches("| "));
            let listed = cells.get(2).copied().unwrap_or_default();
            (
                folder.trim_matches('`').to_string(),
                listed.split("<br>").map(|x| x.trim().to_string()).collect(),
            )
        })
        .collect()
}

/// Every file under a folder, as paths relative to it, sorted.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.push(rel.to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// The lines of `new` that differ from `old` in the one place they differ: what is left of each once their common
/// first and last lines are taken away.
fn changed_lines<'a>(old: &'a str, new: &'a str) -> (Vec<&'a str>, Vec<&'a str>) {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    (
        a[head..a.len() - tail].to_vec(),
        b[head..b.len() - tail].to_vec(),
    )
}

/// An overlay is today's file of `rules/` with its one change: a stale copy of an older file would move cases and
/// list changes the overlay is not about. Each file that replaces one of `rules/` differs from it in one place, by
/// at most one line, and the diff lists exactly the change README's table names for the overlay.
#[test]
fn each_overlay_is_todays_policy_with_only_the_change_readme_names() {
    let rows = readme_changes();
    let mut named: Vec<String> = rows.iter().map(|(f, _)| f.clone()).collect();
    named.sort();
    let folders: Vec<String> = crate::support::subdirs(&root().join("fixtures/diffs"))
        .iter()
        .filter_map(|d| d.file_name().map(|n| n.to_string_lossy().to_string()))
        .collect();
    assert_eq!(
        named, folders,
        "fixtures/diffs/README.md names each overlay once"
    );
    for (name, listed) in rows {
        let overlay_dir = root().join("fixtures/diffs").join(&name);
        for rel in files_under(&overlay_dir) {
            let Ok(base) = std::fs::read_to_string(root().join("rules").join(&rel)) else {
                continue; // a file the overlay adds
            };
            let new = std::fs::read_to_string(overlay_dir.join(&rel)).unwrap_or_default();
            let (old_lines, new_lines) = changed_lines(&base, &new);
            assert!(
                old_lines.len() <= 1 && new_lines.len() <= 1,
                "fixtures/diffs/{name}/{} is not rules/{} with one change: {} line(s) of rules/ replaced by {} \
                 (first: {:?} → {:?}); make it again from rules/ (see fixtures/diffs/README.md)",
                rel.display(),
                rel.display(),
                old_lines.len(),
                new_lines.len(),
                old_lines.first(),
                new_lines.first()
            );
        }
        let (_tmp, dir) = overlay(&name);
        let (code, out, err) = run(&["diff", "--base", "rules", "--rules", &dir], None);
        assert_eq!(code, 0, "{name}: {err}");
        let changes: Vec<String> = out
            .lines()
            .skip_while(|l| *l != "Policy change:")
            .skip(1)
            .take_while(|l| !l.is_empty())
            .map(|l| l.trim().to_string())
            .collect();
        assert_eq!(
            changes, listed,
            "{name}: the policy change `assessor diff` lists is not the one fixtures/diffs/README.md names"
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
