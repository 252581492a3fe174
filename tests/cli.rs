//! The `assessor` binary, black-box: the README's main command, every bad-input file, batches, exit codes.

use crate::support::{root, run};

#[test]
fn assess_t01_as_text_leads_with_the_decision_and_amount() {
    let (code, out, err) = run(
        &[
            "assess",
            "fixtures/cases/t01_hunan_incapacitated_earner.json",
            "--format",
            "text",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let first = out.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        "Case HN-2022-0137 (Hunan, decision date 2022-09-01): ASSIST — ¥41,000, priority A (score 90)"
    );
    for part in [
        "Amount: ¥41,000",
        "raw amount",
        "40,584",
        "Why:",
        "basis: SPP Detailed Rules (2021) Art. 7(3)",
        "Policy: ",
    ] {
        assert!(out.contains(part), "missing `{part}` in:\n{out}");
    }
}

#[test]
fn assess_json_and_markdown() {
    let (code, out, _) = run(
        &[
            "assess",
            "fixtures/cases/t05_missing_income_widow.json",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    assert_eq!(v["decision"], "needs_information");
    assert_eq!(v["missing"][0]["fact"], "/household/monthly_income");
    let (code, out, _) = run(
        &[
            "assess",
            "fixtures/cases/t12_jiangxi_urgent_dv_husband.json",
            "--format",
            "markdown",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert!(
        out.starts_with("# Case JX-2023-1201 (Jiangxi, decision date 2023-09-09) — ASSIST — ¥55,000, priority A (score 100)"),
        "{out}"
    );
    assert!(out.contains("| # | Step | Value | Reason |"), "{out}");
}

#[test]
fn output_is_byte_identical_across_runs() {
    let args = ["assess", "fixtures/cases", "--format", "json"];
    let (_, a, _) = run(&args, None);
    let (_, b, _) = run(&args, None);
    assert_eq!(a, b);
}

#[test]
fn stdin_is_read_with_a_dash() {
    let bytes = std::fs::read(root().join("fixtures/cases/t03_jiangsu_minor_fault.json"))
        .unwrap_or_default();
    let (code, out, err) = run(&["assess", "-", "--format", "json"], Some(&bytes));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"recommended\": 20300"), "{out}");
}

/// Every file in `fixtures/invalid` is rejected by `validate` and `assess` with exit status 1 and every message
/// listed in its `.expected` file, naming the file.
#[test]
fn every_bad_input_file_is_rejected_with_a_clear_message() {
    let dir = root().join("fixtures/invalid");
    let files = crate::support::files_with_extension(&dir, "json");
    assert!(files.len() >= 15, "bad-input corpus too small");
    for file in files {
        let expected = std::fs::read_to_string(file.with_extension("expected"))
            .unwrap_or_else(|_| panic!("{} has no .expected file", file.display()));
        let rel = file
            .strip_prefix(root())
            .unwrap_or(&file)
            .display()
            .to_string();
        for command in ["validate", "assess"] {
            let (code, out, err) = run(&[command, &rel], None);
            assert_eq!(code, 1, "{command} {rel}: exit {code}\n{err}");
            assert!(
                out.trim().is_empty() || command == "validate",
                "{command} {rel} printed a result: {out}"
            );
            for line in expected.lines().filter(|l| !l.trim().is_empty()) {
                assert!(
                    err.contains(line),
                    "{command} {rel}: stderr lacks `{line}`:\n{err}"
                );
            }
            assert!(
                err.contains(&rel),
                "{command} {rel}: the message does not name the file:\n{err}"
            );
        }
    }
}

#[test]
fn deeply_nested_and_oversized_input_fail_cleanly() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let deep = tmp.path().join("deep.json");
    std::fs::write(&deep, "[".repeat(100_000)).unwrap_or_default();
    let (code, _, err) = run(&["validate", &deep.display().to_string()], None);
    assert_eq!(code, 1);
    assert!(err.contains("recursion limit exceeded"), "{err}");
    let big = tmp.path().join("big.json");
    std::fs::write(&big, vec![b' '; 2_000_000]).unwrap_or_default();
    let (code, _, err) = run(
        &[
            "assess",
            "--max-size",
            "1000000",
            &big.display().to_string(),
        ],
        None,
    );
    assert_eq!(code, 1);
    assert!(err.contains("larger than the limit of 1000000"), "{err}");
}

#[test]
fn missing_files_and_folders_are_named() {
    let (code, _, err) = run(&["assess", "fixtures/cases/nope.json"], None);
    assert_eq!(code, 1);
    assert!(
        err.contains("fixtures/cases/nope.json: no such file"),
        "{err}"
    );
    let (code, _, err) = run(&["validate", "src"], None);
    assert_eq!(code, 1);
    assert!(
        err.contains("src: the folder holds no .json case files"),
        "{err}"
    );
}

#[test]
fn in_a_batch_one_bad_case_is_reported_and_the_others_are_assessed() {
    let (code, out, err) = run(
        &[
            "assess",
            "--format",
            "json",
            "fixtures/cases/t03_jiangsu_minor_fault.json",
            "fixtures/invalid/bad_enum.json",
            "fixtures/cases/t06_sichuan_man_robbery.json",
        ],
        None,
    );
    assert_eq!(code, 1);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_default())
        .collect();
    assert_eq!(lines.len(), 3, "one line per input:\n{out}");
    assert_eq!(lines[0]["case_id"], "JS-2022-0309");
    assert_eq!(lines[1]["position"], 2);
    assert!(lines[1]["errors"][0]
        .as_str()
        .unwrap_or_default()
        .contains("/applicant/sex"));
    assert_eq!(lines[2]["case_id"], "SC-2022-0601");
    assert!(err.contains("fixtures/invalid/bad_enum.json"), "{err}");
}

#[test]
fn validate_reports_valid_files() {
    let (code, out, _) = run(&["validate", "fixtures/cases"], None);
    assert_eq!(code, 0);
    assert!(out.lines().all(|l| l.ends_with(": valid")), "{out}");
}

#[test]
fn schema_prints_the_checked_in_schemas() {
    for (which, file) in [
        ("case", "case.schema.json"),
        ("recommendation", "recommendation.schema.json"),
    ] {
        let (code, out, _) = run(&["schema", which], None);
        assert_eq!(code, 0);
        assert_eq!(
            out,
            std::fs::read_to_string(root().join("schemas").join(file)).unwrap_or_default()
        );
    }
}

#[test]
fn check_passes_on_the_default_policy() {
    let (code, out, err) = run(&["check"], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("no problems found"), "{out}");
    let (code, _, _) = run(&["check", "--rules", "rules"], None);
    assert_eq!(code, 0);
}

#[test]
fn a_policy_with_a_misspelt_fact_does_not_load_and_says_where() {
    let (_tmp, copy) = crate::support::policy_copy();
    let rule = copy.join("eligibility/hardship.rhai");
    let text = std::fs::read_to_string(&rule).unwrap_or_default().replace(
        "facts.household.monthly_income",
        "facts.household.monthly_incme",
    );
    std::fs::write(&rule, text).unwrap_or_default();
    let dir = copy.display().to_string();
    let (code, _, err) = run(
        &[
            "assess",
            "--rules",
            &dir,
            "fixtures/cases/t01_hunan_incapacitated_earner.json",
        ],
        None,
    );
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("eligibility/hardship.rhai:")
            && err.contains("unknown fact `monthly_incme` in `/household`"),
        "{err}"
    );
    assert!(err.contains("did you mean `monthly_income`?"), "{err}");
    let (code, _, _) = run(&["check", "--rules", &dir], None);
    assert_eq!(code, 1);
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, err) = run(&["assess"], None);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = run(&["assess", "--format", "yaml", "x.json"], None);
    assert_eq!(code, 2);
}

/// `--jobs` is bounded (a usage error past 256 or at 0), and a pool that cannot be built (too little memory for its
/// threads) is a clear error, not a panic or a deadlock.
#[test]
fn jobs_is_bounded_and_a_pool_that_cannot_start_is_an_error() {
    for n in ["0", "10000"] {
        let (code, out, err) = run(&["assess", "--jobs", n, "fixtures/cases"], None);
        assert_eq!(code, 2, "{err}");
        assert!(out.is_empty());
        assert!(
            err.contains(&format!(
                "invalid value '{n}' for '--jobs <N>': {n} is not in 1..=256"
            )),
            "{err}"
        );
    }
    let (code, out, _) = run(
        &[
            "assess",
            "--jobs",
            "2",
            "--format",
            "json",
            "fixtures/cases",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 43);
    // 256 threads' stacks do not fit in 400 MB of address space.
    let limited = std::process::Command::new("sh")
        .args([
            "-c",
            &format!(
                "ulimit -v 400000 && exec {} assess --jobs 256 --format json fixtures/cases",
                env!("CARGO_BIN_EXE_assessor")
            ),
        ])
        .current_dir(root())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&limited.stderr);
    assert!(!err.contains("panicked"), "{err}");
    match limited.status.code() {
        Some(0) => assert_eq!(String::from_utf8_lossy(&limited.stdout).lines().count(), 43),
        Some(1) => assert!(
            err.contains("error: cannot start the worker threads"),
            "{err}"
        ),
        other => panic!("exit {other:?}: {err}"),
    }
}

/// Every command that prints, in every format, reports a full standard output (`> /dev/full`) with exit 1
/// instead of panicking, and ends quietly when the reader goes away (`| head -1`).
#[cfg(unix)]
#[test]
fn a_full_or_closed_stdout_is_reported_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let answers = tmp.path().join("answers.txt");
    std::fs::write(&answers, "?\n?\n").unwrap();
    let (answers, saved) = (
        answers.display().to_string(),
        tmp.path().join("case.json").display().to_string(),
    );
    let t01 = "fixtures/cases/t01_hunan_incapacitated_earner.json";
    let jsonl = tmp.path().join("cases.jsonl");
    let line = serde_json::to_string(
        &serde_json::from_str::<serde_json::Value>(
            &std::fs::read_to_string(root().join(t01)).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    std::fs::write(&jsonl, format!("{line}\n{line}\n")).unwrap();
    let jsonl = jsonl.display().to_string();
    let commands: Vec<Vec<&str>> = vec![
        vec!["schema"],
        vec!["schema", "recommendation"],
        vec!["rules"],
        vec!["rules", "--format", "markdown"],
        vec!["rules", "--format", "json"],
        vec!["check"],
        vec!["check", "--format", "json"],
        vec!["validate", "fixtures/cases"],
        vec!["validate", "--json", "fixtures/cases"],
        vec!["test"],
        vec!["test", "--format", "json", "--coverage"],
        vec!["diff", "--base", "rules", t01],
        vec!["diff", "--base", "rules", "--format", "markdown", t01],
        vec!["diff", "--base", "rules", "--format", "json", t01],
        vec!["assess", "--format", "text", "fixtures/cases"],
        vec!["assess", "--format", "markdown", t01],
        vec!["assess", "--format", "json", t01],
        vec!["assess", "--jsonl", &jsonl],
        vec!["interview", "--answers", &answers, "--out", &saved],
    ];
    for args in &commands {
        full_or_closed_stdout(args);
    }
    // The interview saved the answers it had, although nobody read its questions.
    assert!(std::path::Path::new(&saved).exists());
}

#[cfg(unix)]
fn full_or_closed_stdout(args: &[&str]) {
    use std::process::{Command, Stdio};
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_assessor"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(full)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
    assert!(
        err.contains("error: cannot write the output: No space left on device"),
        "{args:?}: {err}"
    );
    // A reader that stops at once: no panic, no error message, exit 0 (or the command's own status).
    let mut child = spawn_piped(args);
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert!(!err.contains("cannot write"), "{args:?}: {err}");
    assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{args:?}: {err}");
}

/// The command with its standard output and error on pipes.
#[cfg(unix)]
fn spawn_piped(args: &[&str]) -> std::process::Child {
    use std::process::{Command, Stdio};
    Command::new(env!("CARGO_BIN_EXE_assessor"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// A reader that takes the first line and goes away (`assessor … | head -1`): every subcommand that prints more
/// than a line ends quietly with its own status, never with a "Broken pipe" message.
#[cfg(unix)]
#[test]
fn a_reader_that_stops_after_one_line_ends_every_subcommand_quietly() {
    use std::io::BufRead;
    let t01 = "fixtures/cases/t01_hunan_incapacitated_earner.json";
    let commands: [&[&str]; 9] = [
        &["schema"],
        &["rules"],
        &["rules", "--format", "markdown"],
        &["check", "--format", "json"],
        &["validate", "fixtures/cases"],
        &["test"],
        &["diff", "--base", "rules", "--format", "json", t01],
        &["assess", "--format", "markdown", t01],
        &["assess", "--format", "json", "fixtures/cases"],
    ];
    for args in commands {
        let mut child = spawn_piped(args);
        let mut first = String::new();
        {
            let stdout = child.stdout.take().unwrap();
            std::io::BufReader::new(stdout)
                .read_line(&mut first)
                .unwrap();
        }
        assert!(!first.is_empty(), "{args:?}");
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
        assert!(!err.contains("cannot write"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}

/// `--jsonl` with `--format text` or `markdown` is a usage error (it wrote JSON without saying so).
#[test]
fn jsonl_with_a_text_format_is_a_usage_error() {
    for format in ["text", "markdown"] {
        let (code, out, err) = run(
            &["assess", "--jsonl", "--format", format, "-"],
            Some(b"{}\n"),
        );
        assert_eq!(code, 2, "{err}");
        assert!(out.is_empty(), "{out}");
        assert!(
            err.contains("--format text or markdown cannot be used with it"),
            "{err}"
        );
    }
}

/// A case id with control characters (ESC, newline) is escaped in text and Markdown reports.
#[test]
fn control_characters_in_a_case_id_are_escaped_in_reports() {
    let text =
        std::fs::read_to_string(root().join("fixtures/cases/t01_hunan_incapacitated_earner.json"))
            .unwrap()
            .replace("\"HN-2022-0137\"", "\"HN\\u001b[31mRED\\nforged line\"");
    for format in ["text", "markdown"] {
        let (code, out, err) = run(
            &["assess", "--format", format, "--no-what-if", "-"],
            Some(text.as_bytes()),
        );
        assert_eq!(code, 0, "{err}");
        assert!(!out.contains('\u{1b}'), "{format}: raw ESC in {out}");
        assert!(!out.contains("\nforged line"), "{format}: {out}");
        assert!(
            out.contains("HN\\u{1b}[31mRED\\nforged line"),
            "{format}: {out}"
        );
    }
}
