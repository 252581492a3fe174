//! Hostile input and runaway rules: nothing panics, hangs or is silently lost.

use std::time::{Duration, Instant};

use crate::support::{root, run};

/// Each runaway or broken rule (fixtures/runaway/*) is stopped by the engine's limits within a bounded time and
/// reported with the rule's id and its file:line:col; the case's result is an error (exit 1), never a decision.
/// CI runs this test in a release build too.
#[test]
fn runaway_rules_are_stopped_and_reported_with_rule_id_and_position() {
    let kinds = crate::support::subdirs(&root().join("fixtures/runaway"));
    assert!(kinds.len() >= 8);
    for kind in kinds {
        let name = kind
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let (_tmp, rules) = crate::support::overlay(&format!("fixtures/runaway/{name}"));
        let expected = std::fs::read_to_string(kind.join("expected.txt")).unwrap_or_default();
        let started = Instant::now();
        let (code, out, err) = run(
            &[
                "assess",
                "--rules",
                &rules.display().to_string(),
                "--format",
                "json",
                "fixtures/cases/t01_hunan_incapacitated_earner.json",
            ],
            None,
        );
        let took = started.elapsed();
        let name = kind.display();
        assert_eq!(code, 1, "{name}: exit {code}\n{err}");
        assert!(out.trim().is_empty(), "{name}: a result was printed: {out}");
        assert!(
            err.contains("rule `eligibility.procuratorial_stage` failed"),
            "{name}: {err}"
        );
        assert!(
            err.contains("eligibility/procuratorial_stage.rhai:"),
            "{name}: no position: {err}"
        );
        assert!(
            err.contains(expected.trim()),
            "{name}: expected `{}` in {err}",
            expected.trim()
        );
        assert!(took < Duration::from_secs(30), "{name} took {took:?}");
    }
}

#[test]
fn a_100_mb_file_is_refused_by_size_before_it_is_read() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let big = tmp.path().join("big.json");
    let f = std::fs::File::create(&big).unwrap_or_else(|e| panic!("{e}"));
    f.set_len(100 * 1024 * 1024)
        .unwrap_or_else(|e| panic!("{e}")); // sparse: no 100 MB written
    let path = big.display().to_string();
    for cmd in ["validate", "assess"] {
        let started = Instant::now();
        let (code, _, err) = run(&[cmd, &path], None);
        assert_eq!(code, 1);
        assert!(err.contains("the file is 104857600 bytes, larger than the limit of 16777216; raise it with --max-size"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}

#[test]
fn deep_nesting_fails_cleanly_in_every_mode() {
    let deep = "[".repeat(100_000);
    let (code, _, err) = run(&["assess", "-"], Some(deep.as_bytes()));
    assert_eq!(code, 1);
    assert!(err.contains("recursion limit exceeded"), "{err}");
    let (code, out, err) = run(
        &["assess", "--jsonl", "-"],
        Some(format!("{deep}\n").as_bytes()),
    );
    assert_eq!(code, 1);
    assert!(err.contains("recursion limit exceeded"), "{err}");
    assert_eq!(out.lines().count(), 1);
}

fn jsonl_of_corpus() -> Vec<String> {
    crate::support::corpus()
        .iter()
        .map(|p| {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(p).unwrap_or_default()).unwrap_or_default();
            v.to_string()
        })
        .collect()
}

/// The count of output lines equals the count of input lines, bad lines included, in input order.
#[test]
fn a_batch_never_drops_a_case_and_keeps_input_order() {
    let good = jsonl_of_corpus();
    let bad = [
        "{\"schema_version\": 1, \"case_id\": \"TRUNCATED\"".to_string(),
        "not json at all".to_string(),
        "{\"schema_version\": 1, \"case_id\": \"B\", \"decision_date\": \"2022-01-01\", \"applicant\": {\"sex\": \"femal\"}}".to_string(),
        "\u{feff}{}".to_string(),
        "[1,2,3]".to_string(),
        "{\"schema_version\": 1, \"case_id\": \"D\", \"decision_date\": \"2022-01-01\", \"a\": 1, \"a\": 2}".to_string(),
    ];
    // Interleave: a bad line after every sixth good one.
    let mut lines = Vec::new();
    let mut expect_error = Vec::new();
    let mut bad_iter = bad.iter();
    for (i, g) in good.iter().enumerate() {
        lines.push(g.clone());
        expect_error.push(false);
        if i % 6 == 5 {
            if let Some(b) = bad_iter.next() {
                lines.push(b.clone());
                expect_error.push(true);
            }
        }
    }
    let input = lines.join("\n") + "\n";
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = tmp.path().join("in.jsonl");
    std::fs::write(&file, &input).unwrap_or_default();
    let (code, out, _) = run(&["assess", "--jsonl", &file.display().to_string()], None);
    assert_eq!(code, 1);
    let outputs: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_default())
        .collect();
    assert_eq!(outputs.len(), lines.len(), "one output line per input line");
    for (i, (o, is_err)) in outputs.iter().zip(&expect_error).enumerate() {
        assert_eq!(o.get("errors").is_some(), *is_err, "line {}: {o}", i + 1);
        assert_eq!(o["position"].as_u64().is_some(), *is_err);
        if !is_err {
            let want: serde_json::Value = serde_json::from_str(&lines[i]).unwrap_or_default();
            assert_eq!(o["case_id"], want["case_id"], "line {} out of order", i + 1);
        }
    }
    // The same from standard input gives the same lines (error lines name `<stdin>` instead of the file).
    let (_, again, _) = run(&["assess", "--jsonl", "-"], Some(input.as_bytes()));
    let strip = |text: &str| -> Vec<serde_json::Value> {
        text.lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap_or_default();
                if let Some(o) = v.as_object_mut() {
                    o.remove("input");
                }
                v
            })
            .collect()
    };
    assert!(
        strip(&again) == strip(&out),
        "stdin and file results differ"
    );
}

#[test]
fn out_is_written_atomically_and_not_at_all_on_failure() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let target = tmp.path().join("result.jsonl");
    let t = target.display().to_string();
    let (code, out, _) = run(
        &["assess", "--out", &t, "--format", "json", "fixtures/cases"],
        None,
    );
    assert_eq!(code, 0);
    assert!(out.is_empty());
    let written = std::fs::read_to_string(&target).unwrap_or_default();
    assert_eq!(written.lines().count(), 40);
    // A policy that does not load: the earlier result is left exactly as it was, and no temporary file remains.
    let (code, _, _) = run(
        &[
            "assess",
            "--out",
            &t,
            "--rules",
            "fixtures/no-such-policy",
            "fixtures/cases",
        ],
        None,
    );
    assert_eq!(code, 3);
    assert_eq!(
        std::fs::read_to_string(&target).unwrap_or_default(),
        written
    );
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name() != "result.jsonl")
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn every_bad_input_file_is_also_rejected_in_a_batch() {
    let dir = root().join("fixtures/invalid");
    let files: Vec<String> = crate::support::files_with_extension(&dir, "json")
        .iter()
        .map(|p| p.strip_prefix(root()).unwrap_or(p).display().to_string())
        .collect();
    let mut args = vec![
        "assess",
        "--format",
        "json",
        "fixtures/cases/t01_hunan_incapacitated_earner.json",
    ];
    args.extend(files.iter().map(String::as_str));
    let (code, out, _) = run(&args, None);
    assert_eq!(code, 1);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_default())
        .collect();
    assert_eq!(lines.len(), files.len() + 1);
    assert_eq!(lines[0]["case_id"], "HN-2022-0137");
    assert!(lines[1..].iter().all(|l| l.get("errors").is_some()));
}

/// A valid case dated before the policy's figures start (found by fuzzing) gets a clear error that names the
/// parameter file to extend, not a silent or wrong decision.
#[test]
fn a_decision_date_the_policy_does_not_cover_is_a_clear_error() {
    let text =
        std::fs::read_to_string(root().join("fixtures/cases/t07_beijing_mother_of_deceased.json"))
            .unwrap_or_default()
            .replace("\"2022-11-02\"", "\"2021-11-02\"");
    let (code, out, err) = run(&["assess", "--format", "json", "-"], Some(text.as_bytes()));
    assert_eq!(code, 1);
    assert!(out.trim().is_empty());
    assert!(
        err.contains("parameter `minimum_living_allowance_line` has no value in force on 2021-11-02 for Beijing: the policy does not cover this decision date; add a value to rules/parameters/hardship.toml"),
        "{err}"
    );
}
