//! Hostile input and runaway rules: nothing panics, hangs or is silently lost.

use std::time::{Duration, Instant};

use crate::support::{root, run};

/// Each runaway or broken rule (fixtures/runaway/*) is stopped by the engine's limits within a bounded time and
/// reported with the rule's id and its file:line:col; the case's result is an error (exit 1), never a decision.
/// CI runs this test against the release binary too (`ASSESSOR_BIN`).
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
        // A fixture without its expected message would pass whatever the message: refuse it.
        let expected = std::fs::read_to_string(kind.join("expected.txt"))
            .unwrap_or_else(|e| panic!("{}: expected.txt: {e}", kind.display()));
        assert!(
            !expected.trim().is_empty(),
            "{}: expected.txt is empty",
            kind.display()
        );
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
    assert_eq!(written.lines().count(), 43);
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

/// One corpus case on one line.
fn one_line_case() -> String {
    std::fs::read_to_string(root().join("fixtures/cases/t01_hunan_incapacitated_earner.json"))
        .map(|t| {
            serde_json::from_str::<serde_json::Value>(&t)
                .unwrap()
                .to_string()
        })
        .unwrap()
}

/// An over-long line (with or without a line ending) is an error line in its place, and the lines after it are
/// still assessed.
#[test]
fn an_over_long_jsonl_line_is_an_error_in_its_place() {
    let case = one_line_case();
    let mut input = Vec::new();
    input.extend_from_slice(format!("{case}\n").as_bytes());
    input.extend(std::iter::repeat_n(b'x', 50_000_000));
    input.extend_from_slice(format!("\n{case}\n").as_bytes());
    input.extend(std::iter::repeat_n(b' ', 5_000_000));
    let (code, out, err) = run(
        &["assess", "--jsonl", "--max-size", "100000", "-"],
        Some(&input),
    );
    assert_eq!(code, 1, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(lines[0]["case_id"], "HN-2022-0137");
    assert_eq!(lines[1]["input"], "<stdin>:2");
    assert_eq!(
        lines[1]["errors"][0],
        "the line is longer than 100000 bytes; raise the limit with --max-size"
    );
    assert_eq!(lines[2]["case_id"], "HN-2022-0137");
    assert_eq!(lines[3]["input"], "<stdin>:4");
    assert!(
        err.contains("<stdin>:2: the line is longer than 100000 bytes"),
        "{err}"
    );
}

/// `(head -1 cases.jsonl; cat /dev/zero) | assessor assess --jsonl --max-size N -`: the valid line and the error
/// for the endless one are written while the endless line is still being read (in flat memory), not lost.
#[test]
fn an_endless_jsonl_line_does_not_hold_back_the_lines_before_it() {
    let case = one_line_case();
    let lines = crate::support::first_lines(
        &["assess", "--jsonl", "--max-size", "10000", "-"],
        move |stdin| {
            use std::io::Write;
            let zeros = vec![0u8; 1 << 16];
            if stdin.write_all(format!("{case}\n").as_bytes()).is_ok() {
                while stdin.write_all(&zeros).is_ok() {}
            }
        },
        2,
        Duration::from_secs(30),
    );
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].contains("\"case_id\":\"HN-2022-0137\""));
    assert!(
        lines[1].contains("the line is longer than 10000 bytes"),
        "{}",
        lines[1]
    );
}

/// A chunk of a batch is bounded in bytes, not only in lines: three 15 MB lines are assessed and written while the
/// stream is still open (the chunk is full), rather than held with up to a thousand more.
#[test]
fn a_jsonl_chunk_is_bounded_in_bytes() {
    let case = one_line_case();
    let padded = format!("{case}{}\n", " ".repeat(15_000_000));
    let lines = crate::support::first_lines(
        &["assess", "--jsonl", "-"],
        move |stdin| {
            use std::io::Write;
            for _ in 0..3 {
                if stdin.write_all(padded.as_bytes()).is_err() {
                    return;
                }
            }
            // Keep the stream open without another line.
            std::thread::sleep(Duration::from_secs(60));
        },
        3,
        Duration::from_secs(40),
    );
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines
        .iter()
        .all(|l| l.contains("\"case_id\":\"HN-2022-0137\"")));
}

/// A FIFO in a case folder is refused without being opened (opening one waits for a writer for ever), and the
/// other files of the folder are still read.
#[cfg(unix)]
#[test]
fn a_fifo_in_a_case_folder_is_refused_not_waited_on() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("fixtures/cases/t01_hunan_incapacitated_earner.json"),
        tmp.path().join("a.json"),
    )
    .unwrap();
    let fifo = tmp.path().join("b.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // Should the FIFO be opened anyway, unblock it after a while so that the test fails instead of hanging.
    let watchdog = fifo.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(20));
        let _ = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&watchdog);
    });
    let dir = tmp.path().display().to_string();
    for cmd in ["validate", "assess"] {
        let started = Instant::now();
        let args: Vec<&str> = if cmd == "validate" {
            vec![cmd, &dir]
        } else {
            vec![cmd, "--format", "json", &dir]
        };
        let (code, out, err) = run(&args, None);
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{cmd} waited on the FIFO"
        );
        assert_eq!(code, 1, "{cmd}: {err}");
        assert!(
            err.contains("b.json: is not a regular file (a FIFO); only regular files are read"),
            "{cmd}: {err}"
        );
        assert!(
            out.contains("HN-2022-0137") || out.contains("a.json: valid"),
            "{cmd}: {out}"
        );
    }
}

/// An expectation's case path comes from a file: `case = "/dev/zero"` is refused (not a regular file) instead of
/// being read without end.
#[cfg(unix)]
#[test]
fn an_expectation_case_that_is_a_device_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("zero.toml");
    std::fs::write(
        &file,
        "[[test]]\nname = \"reads a device\"\ncase = \"/dev/zero\"\ndecision = \"assist\"\n",
    )
    .unwrap();
    let started = Instant::now();
    let (code, out, err) = run(&["test", &file.display().to_string()], None);
    assert!(started.elapsed() < Duration::from_secs(15));
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("/dev/zero: is not a regular file (a character device)"),
        "{out}{err}"
    );
}

/// `--out` refuses a target that is not a regular file or absent, a file with several hard links, and one of the
/// inputs (compared by device and inode), with exit 1 and a message naming the path; the refused target is left
/// as it was, and no temporary file remains.
#[cfg(unix)]
#[test]
fn out_refuses_special_files_links_and_inputs() {
    use std::os::unix::fs::MetadataExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let case = dir.join("case.json");
    std::fs::copy(
        root().join("fixtures/cases/t01_hunan_incapacitated_earner.json"),
        &case,
    )
    .unwrap();
    let original = std::fs::read(&case).unwrap();
    let fifo = dir.join("fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let real = dir.join("real.json");
    std::fs::write(&real, "keep me").unwrap();
    let link = dir.join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let hard = dir.join("hard.json");
    std::fs::hard_link(&real, &hard).unwrap();
    let folder = dir.join("folder");
    std::fs::create_dir(&folder).unwrap();
    let same_case = dir.join(".").join("case.json");
    let cases: [(&std::path::Path, &str); 5] = [
        (&fifo, "is not a regular file (a device, FIFO or socket)"),
        (&link, "is a symbolic link"),
        (&hard, "has 2 hard links"),
        (&folder, "is a folder, not a file"),
        (&same_case, "is one of the inputs"),
    ];
    for (target, why) in cases {
        let t = target.display().to_string();
        let (code, out, err) = run(
            &[
                "assess",
                "--format",
                "json",
                "--out",
                &t,
                &case.display().to_string(),
            ],
            None,
        );
        assert_eq!(code, 1, "{t}: {err}");
        assert!(out.is_empty(), "{t}: {out}");
        assert!(err.contains(&format!("--out {t}: {why}")), "{t}: {err}");
    }
    assert_eq!(std::fs::read(&case).unwrap(), original);
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "keep me");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::metadata(&real).unwrap().nlink(), 2);
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(
        &std::fs::metadata(&fifo).unwrap().file_type()
    ));
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// `--out` refuses the files of the policy it assesses with (`--rules DIR`): they are inputs too. It replaced
/// policy.toml or a rule file with the report, exit 0.
#[cfg(unix)]
#[test]
fn out_refuses_a_file_of_the_policy() {
    let (_tmp, rules) = crate::support::policy_copy();
    let case = root().join("fixtures/cases/t01_hunan_incapacitated_earner.json");
    for file in ["policy.toml", "eligibility/hardship.rhai"] {
        let target = rules.join(file);
        let original = std::fs::read(&target).unwrap();
        let t = target.display().to_string();
        let (code, out, err) = run(
            &[
                "assess",
                "--format",
                "json",
                "--no-what-if",
                "--rules",
                &rules.display().to_string(),
                "--out",
                &t,
                &case.display().to_string(),
            ],
            None,
        );
        assert_eq!(code, 1, "{t}: {err}");
        assert!(out.is_empty(), "{t}: {out}");
        assert!(
            err.contains(&format!("--out {t}: is one of the inputs")),
            "{t}: {err}"
        );
        assert_eq!(std::fs::read(&target).unwrap(), original, "{t}");
    }
}

/// `--out` keeps the permissions of the file it replaces.
#[cfg(unix)]
#[test]
fn out_keeps_the_targets_mode() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("result.json");
    std::fs::write(&target, "old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (code, _, err) = run(
        &[
            "assess",
            "--format",
            "json",
            "--out",
            &target.display().to_string(),
            "fixtures/cases/t01_hunan_incapacitated_earner.json",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .contains("HN-2022-0137"));
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "{mode:o}");
}

/// SIGINT, SIGTERM or SIGHUP during `--out` removes the temporary file; the process ends with 128 + the signal.
#[cfg(unix)]
#[test]
fn a_signal_during_out_removes_the_temporary_file() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let case = one_line_case();
    for (signal, number) in [("TERM", 15), ("INT", 2), ("HUP", 1)] {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("result.jsonl");
        let mut child = Command::new(env!("CARGO_BIN_EXE_assessor"))
            .args([
                "assess",
                "--jsonl",
                "--out",
                &target.display().to_string(),
                "-",
            ])
            .current_dir(root())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // A batch still being written: some lines in, the stream left open.
        let mut stdin = child.stdin.take().unwrap();
        for _ in 0..10 {
            stdin.write_all(format!("{case}\n").as_bytes()).unwrap();
        }
        let temporary = || -> Vec<String> {
            std::fs::read_dir(tmp.path())
                .unwrap()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| n.starts_with(".assessor-") && n.ends_with(".tmp"))
                .collect()
        };
        let started = Instant::now();
        while temporary().is_empty() && started.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(
            temporary().len(),
            1,
            "SIG{signal}: no temporary file appeared"
        );
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = child.wait().unwrap();
        drop(stdin);
        assert_eq!(status.code(), Some(128 + number), "SIG{signal}: {status:?}");
        assert!(
            temporary().is_empty(),
            "SIG{signal}: {:?} left",
            temporary()
        );
        assert!(
            !target.exists(),
            "SIG{signal}: a partial result was renamed into place"
        );
    }
}

/// An over-long JSON Lines line is never held whole: with `--max-size 10000`, a 400 MB line leaves the process's
/// peak memory far below the line's size (it is dropped buffer by buffer), and the error names its line number.
#[cfg(target_os = "linux")]
#[test]
fn an_over_long_jsonl_line_is_read_in_bounded_memory() {
    use std::io::{BufRead, Write};
    use std::process::{Command, Stdio};
    const LINE: usize = 400 << 20;
    let case = one_line_case();
    let mut child = Command::new(env!("CARGO_BIN_EXE_assessor"))
        .args(["assess", "--jsonl", "--max-size", "10000", "-"])
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let block = vec![b'x'; 1 << 20];
    stdin.write_all(format!("{case}\n").as_bytes()).unwrap();
    for _ in 0..LINE / block.len() {
        stdin.write_all(&block).unwrap();
    }
    stdin.write_all(b"\n").unwrap();
    stdin.flush().unwrap();
    // The first case, then the error in place of line 2, are written before standard input ends.
    let mut lines = Vec::new();
    for _ in 0..2 {
        let mut l = String::new();
        stdout.read_line(&mut l).unwrap();
        lines.push(l);
    }
    // Still running (its input is open): its peak resident memory so far.
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let peak_kb: usize = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        lines[0].contains("\"case_id\":\"HN-2022-0137\""),
        "{}",
        lines[0]
    );
    let error: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
    assert_eq!(error["input"], "<stdin>:2", "{error}");
    assert_eq!(
        error["errors"][0],
        "the line is longer than 10000 bytes; raise the limit with --max-size"
    );
    assert!(
        peak_kb * 1024 < LINE / 2,
        "peak memory {peak_kb} kB while a {LINE}-byte line went by"
    );
}
