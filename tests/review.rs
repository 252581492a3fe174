//! Hostile inputs to the surfaces issue 15 renewed (expectation files, miette-rendered policy errors, parameter
//! dates, JSON Lines at the size limit, full disks): one test per defect found in review. A test marked
//! `#[ignore = "defect: …"]` fails today and names the file to fix.

use std::path::Path;
use std::process::Stdio;

use crate::support::{assessor, policy_copy, root, run};

const T01: &str = "fixtures/cases/t01_hunan_incapacitated_earner.json";

/// The corpus case T01 as one compact JSON line, without its line ending.
fn t01_line() -> Vec<u8> {
    let value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root().join(T01)).unwrap()).unwrap();
    serde_json::to_vec(&value).unwrap()
}

/// `LineReader` read `max + 1` bytes, so a CRLF line of exactly `--max-size` bytes (the limit counts the line
/// without its ending) was refused as too long, while the same line with LF passed.
#[test]
fn a_crlf_jsonl_line_of_exactly_the_limit_is_read() {
    let line = t01_line();
    let max = line.len().to_string();
    // Two lines ending in CRLF, in LF; one line ending at the end of the input (with CR, without).
    for (eol, lines) in [(&b"\r\n"[..], 2), (b"\n", 2), (b"\r", 1), (b"", 1)] {
        let mut input = Vec::new();
        for _ in 0..lines {
            input.extend_from_slice(&line);
            input.extend_from_slice(eol);
        }
        let (code, out, err) = run(
            &["assess", "--jsonl", "--max-size", &max, "-"],
            Some(&input),
        );
        assert_eq!(code, 0, "line ending {eol:?}: {err}");
        assert_eq!(out.lines().count(), lines, "{out}");
        assert!(!out.contains("longer than"), "{out}");
    }
    // One byte over the limit is still refused, whatever the line ending, and the next line is read.
    let over = (line.len() - 1).to_string();
    for eol in [&b"\r\n"[..], b"\n"] {
        let mut input = line.clone();
        input.extend_from_slice(eol);
        input.extend_from_slice(b"{}");
        input.extend_from_slice(eol);
        let (_, out, _) = run(
            &["assess", "--jsonl", "--max-size", &over, "-"],
            Some(&input),
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(lines[0].contains("longer than"), "{out}");
        assert!(!lines[1].contains("longer than"), "{out}");
    }
}

/// miette counted the `\r` of a CRLF line as a line break of its own: the snippet of an error on line 4 was
/// numbered 3 under a header saying 4.
#[test]
fn a_crlf_expectation_file_error_is_numbered_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("crlf.toml");
    let case = root().join(T01);
    let text = format!(
        "[[test]]\r\nname = \"a\"\r\ncase = \"{}\"\r\ndecison = \"assist\"\r\n",
        case.display()
    );
    std::fs::write(&file, text).unwrap();
    let (code, _, err) = run(&["test", file.to_str().unwrap()], None);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("crlf.toml:4:1]"), "{err}");
    assert!(err.contains(" 4 │ decison"), "{err}");
    assert!(!err.contains(" 3 │"), "{err}");
}

/// Two values of a parameter from the same day (and region) loaded without a word; which one a rule read
/// depended on their order in the file.
#[test]
fn two_values_of_a_parameter_from_the_same_day_are_a_load_error() {
    let (_tmp, rules) = policy_copy();
    let path = rules.join("parameters/amount.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let one = "[[urgent_months_min.values]]\nvalue = 1.0\nfrom = \"2021-01-01\"\n";
    assert!(text.contains(one), "the fixture moved");
    let two = format!("{one}\n[[urgent_months_min.values]]\nvalue = 2.0\nfrom = \"2021-01-01\"\n");
    std::fs::write(&path, text.replace(one, &two)).unwrap();
    let (code, _, err) = run(&["check", "--rules", rules.to_str().unwrap()], None);
    assert_ne!(code, 0, "{err}");
    assert!(
        err.contains("parameter `urgent_months_min` has two values from 2021-01-01"),
        "{err}"
    );
    assert!(err.contains("amount.toml:"), "{err}");
}

/// A test whose `[[test]]` header carries a comment (or spaces, `[[ test ]]`) was located at the header of the
/// test before it: `line_of` in src/expect/file.rs looks for a line equal to `[[test]]`.
#[test]
fn a_test_with_a_commented_header_is_located_at_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    let case = root().join(T01);
    for header in ["[[test]]  # the second", "[[ test ]]"] {
        let file = dir.path().join("h.toml");
        let text = format!(
            "[[test]]\nname = \"a\"\ncase = \"{c}\"\ndecision = \"assist\"\n\n{header}\nname = \"b\"\ncase = \"{c}\"\ndecision = \"decline\"\n",
            c = case.display()
        );
        std::fs::write(&file, text).unwrap();
        let (code, out, _) = run(&["test", file.to_str().unwrap()], None);
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("FAIL  b  ("), "{out}");
        assert!(out.contains("h.toml:6)"), "header {header:?}: {out}");
    }
}

/// `line_of` scans the text from the start for every test: loading N tests costs O(N × file size). 10,000
/// tests took 90 s in a debug build (1,000: under 3 s), 100,000 never finished.
#[test]
fn loading_many_tests_is_linear() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("many.toml");
    let case = root().join(T01);
    let text: String = (0..20_000)
        .map(|i| format!("[[test]]\nname = \"t{i}\"\ncase = \"{}\"\n", case.display()))
        .collect();
    std::fs::write(&file, text).unwrap();
    let started = std::time::Instant::now();
    let tests = assessor::expect::load(&[file]).unwrap();
    assert_eq!(tests.len(), 20_000);
    assert_eq!(tests[19_999].location().rsplit(':').next(), Some("59998"));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "loading took {:?}",
        started.elapsed()
    );
}

/// An expectation file is read whole with `read_to_string`, with no size limit (case files have one):
/// `assessor test /dev/zero` eats memory until it runs out. Run under a 1 GB address-space limit here.
#[test]
fn an_endless_expectation_file_is_refused_by_size() {
    let bin = env!("CARGO_BIN_EXE_assessor");
    let out = std::process::Command::new("sh")
        .args([
            "-c",
            &format!("ulimit -v 1000000; exec {bin} test /dev/zero"),
        ])
        .current_dir(root())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("larger than"), "{err}");
    assert!(!err.contains("out of memory"), "{err}");
}

/// Every subcommand writes its errors with `eprintln!`, which panics when standard error cannot be written:
/// with `2>/dev/full` (or a closed pipe) a command that reports a problem exits 101 instead of its exit code.
#[test]
fn a_full_standard_error_ends_with_the_commands_own_exit_code() {
    let invalid = "fixtures/invalid/bad_date.json";
    assert!(Path::new(&root().join(invalid)).exists());
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    for args in [
        &["validate", invalid][..],
        &["assess", invalid],
        &["test", "/nonexistent.toml"],
    ] {
        let status = assessor(args)
            .stdout(Stdio::null())
            .stderr(full())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(1), "{args:?}");
    }
}

/// The snippet of an error whose underlined word ends in a wide character (`Unexpected '甲'`) ran to the end of
/// the file: the end of its line was searched from inside that character, which `str::get` refuses.
#[test]
fn the_snippet_of_an_error_at_a_chinese_word_is_its_line_alone() {
    let (_tmp, rules) = policy_copy();
    let path = rules.join("eligibility/catch_all.rhai");
    let text = std::fs::read_to_string(&path).unwrap();
    let (body, last) = text.trim_end().rsplit_once('\n').unwrap();
    std::fs::write(
        &path,
        format!("{body}\n\tlet 甲 = \"申请人\";\n{last}\n// the end\n"),
    )
    .unwrap();
    let (code, _, err) = run(&["check", "--rules", rules.to_str().unwrap()], None);
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("let 甲"), "{err}");
    assert!(
        !err.contains(last),
        "the snippet shows the lines after the error:\n{err}"
    );
    assert!(!err.contains("the end"), "{err}");
}

/// Writes one expectation of T01 with `extra` lines and runs `assessor test` on it: (exit code, stdout, stderr).
fn one_expectation(extra: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.toml");
    let text = format!(
        "[[test]]\nname = \"a\"\ncase = \"{}\"\n{extra}\n",
        root().join(T01).display()
    );
    std::fs::write(&file, text).unwrap();
    run(&["test", file.to_str().unwrap()], None)
}

/// A misspelt pointer in `unknown_facts` takes nothing out of the case, and the test passes as if it had.
#[test]
fn a_misspelt_unknown_fact_is_an_error() {
    let (code, out, err) = one_expectation("unknown_facts = [\"/aplicant/age\"]");
    assert_ne!(code, 0, "{out}{err}");
    assert!(
        format!("{out}{err}").contains("/aplicant/age"),
        "{out}{err}"
    );
    assert!(err.contains("x.toml:4:"), "{err}");
    assert!(err.contains("did you mean `/applicant/age`?"), "{err}");
}

/// A `set` of a fact the case schema does not have fails the test blaming the case file ("the case file … is
/// invalid: (document): unknown field `victim`"), which is valid; the problem is the expectation's `set` key,
/// now a load error at its line.
#[test]
fn a_set_of_no_fact_names_the_set_key() {
    let (code, out, err) = one_expectation("set = { \"/victim/age\" = 40 }");
    assert_ne!(code, 0, "{out}{err}");
    assert!(
        err.contains("`set`: `/victim/age` is not a fact of the case schema"),
        "{out}{err}"
    );
    assert!(err.contains("x.toml:4:"), "{err}");
    assert!(!format!("{out}{err}").contains("is invalid"), "{out}{err}");
}

/// A TOML date as a `set` value reaches the case as toml's private datetime object, and its name leaks into the
/// message (`found an object ({"$__toml_private_datetime":"2022-09-01"…)`); it should be the string
/// "2022-09-01" (case dates are strings), or an error saying to quote it.
#[test]
fn a_toml_date_in_set_is_a_date() {
    let (_, out, err) = one_expectation("set = { \"/decision_date\" = 2022-09-01 }");
    assert!(!out.contains("$__toml_private_datetime"), "{out}{err}");
    assert!(!out.contains("is invalid"), "{out}{err}");
}
