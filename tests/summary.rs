//! `assessor summary`: the figures of the corpus's results (assessed here, by `assess --jsonl`, with the
//! embedded policy, so the snapshots follow the policy) in text, Markdown, JSON and both languages; the HTML's
//! structure (charts' bars and labels); every line counted once, errors apart; hostile inputs.

use std::io::Write;

use crate::support::{corpus, redact_digests, root, run};

/// The corpus's case files as JSON Lines.
fn corpus_jsonl() -> String {
    let mut out = String::new();
    for f in corpus() {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        out.push_str(&v.to_string());
        out.push('\n');
    }
    out
}

/// What `assess --jsonl` writes for the corpus.
fn corpus_results() -> &'static str {
    static RESULTS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    RESULTS.get_or_init(|| {
        let (code, out, err) = run(&["assess", "--jsonl", "-"], Some(corpus_jsonl().as_bytes()));
        assert_eq!(code, 0, "{err}");
        assert_eq!(out.lines().count(), corpus().len());
        out
    })
}

fn summary(args: &[&str], input: &str) -> (i32, String, String) {
    let mut all = vec!["summary", "-"];
    all.extend_from_slice(args);
    run(&all, Some(input.as_bytes()))
}

#[test]
fn the_corpus_summary_in_text_markdown_and_json() {
    for (name, args) in [
        ("summary_text_en", &["--format", "text"][..]),
        ("summary_text_zh", &["--format", "text", "--lang", "zh"][..]),
        (
            "summary_markdown_by_category",
            &["--format", "markdown", "--by", "category"][..],
        ),
        (
            "summary_markdown_zh_by_province",
            &["--format", "markdown", "--lang", "zh", "--by", "province"][..],
        ),
        (
            "summary_json_by_year",
            &["--format", "json", "--by", "year"][..],
        ),
    ] {
        let (code, out, err) = summary(args, corpus_results());
        assert_eq!(code, 0, "{name}: {err}");
        insta::assert_snapshot!(name, redact_digests(&out));
    }
}

/// The charts of an HTML page as lines: each chart's class and title, then each bar's label and value (or each
/// histogram bin's tooltip), in order. Structure, not pixels.
fn chart_structure(html: &str) -> String {
    let mut out = Vec::new();
    for svg in html.split("<svg ").skip(1) {
        let svg = &svg[..svg.find("</svg>").unwrap()];
        let attr = |name: &str| {
            let start = svg.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            svg[start..start + svg[start..].find('"').unwrap()].to_string()
        };
        out.push(format!("chart {} — {}", attr("class"), attr("aria-label")));
        for piece in svg.split("<title>").skip(2) {
            out.push(format!("  {}", &piece[..piece.find("</title>").unwrap()]));
        }
    }
    out.join("\n")
}

#[test]
fn the_html_page_is_self_contained_with_its_charts() {
    for lang in ["en", "zh"] {
        let (code, html, err) = summary(&["--format", "html", "--lang", lang], corpus_results());
        assert_eq!(code, 0, "{err}");
        assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
        let lower = html.to_lowercase();
        for forbidden in ["<script", "src=", "href=", "@import", "url("] {
            assert!(
                !lower.contains(forbidden),
                "{lang}: the page holds {forbidden}"
            );
        }
        // The only URL is the SVG namespace.
        assert_eq!(
            lower.matches("http://").count() + lower.matches("https://").count(),
            lower.matches("http://www.w3.org/2000/svg").count()
        );
        insta::assert_snapshot!(
            format!("summary_html_charts_{lang}"),
            chart_structure(&html)
        );
        let (_, again, _) = summary(&["--format", "html", "--lang", lang], corpus_results());
        assert_eq!(html, again, "the same results give the same bytes");
    }
}

#[test]
fn every_line_is_counted_once_and_errors_apart() {
    let results = corpus_results();
    let n = results.lines().count() as u64;
    let (_, errors, _) = run(
        &["assess", "--jsonl", "-"],
        Some(b"{\"case_id\":1}\nnot json\n"),
    );
    let mut input = String::new();
    input.push_str(results);
    input.push_str(&errors); // two error records
    input.push_str("not json at all\n"); // unreadable
    input.push_str("{\"decision\":\"assist\"}\r\n"); // JSON, but not a recommendation (CRLF)
    input.push_str("\n   \n"); // blank lines are not lines
    input.push_str(&"x".repeat(5000)); // over the limit below
    input.push('\n');
    let (code, out, err) = summary(&["--format", "json", "--max-size", "4000000"], &input);
    assert_eq!(code, 1, "unreadable lines make the exit code 1");
    assert!(err.contains("3 lines are not recommendations"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let get = |k: &str| v[k].as_u64().unwrap();
    assert_eq!(get("recommendations"), n);
    assert_eq!(get("error_records"), 2);
    assert_eq!(get("unreadable"), 3);
    assert_eq!(get("lines"), n + 5);
    assert_eq!(
        get("lines"),
        get("recommendations") + get("error_records") + get("unreadable")
    );
    let sum = |k: &str| {
        v[k].as_object()
            .unwrap()
            .values()
            .map(|x| x.as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(sum("decisions"), n, "every recommendation has one decision");
    let keyed = |k: &str| {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|x| x["cases"].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(
        keyed("provinces"),
        n,
        "every recommendation in one province row (or not recorded)"
    );
    assert_eq!(keyed("years"), n);
    let assisted = v["decisions"]["assist"].as_u64().unwrap();
    assert!(v["amounts"]["cases"].as_u64().unwrap() <= assisted);
    assert!(sum("tiers") <= n);
    // Each problem line is kept with its place.
    let places: Vec<&str> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["place"].as_str().unwrap())
        .collect();
    assert_eq!(places.len(), 5);
    assert!(places.iter().all(|p| p.starts_with("<stdin>:")));
    // The over-long line is named as such, and the line limit is the flag's.
    let (_, out, _) = summary(&["--format", "json", "--max-size", "4000"], &input);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["unreadable"].as_u64().unwrap() > 3,
        "recommendation lines over 4000 bytes are unreadable too"
    );
    assert!(out.contains("longer than 4000 bytes"));
}

#[test]
fn two_policies_in_one_batch_are_flagged_at_the_top() {
    let results = corpus_results();
    let first = results.lines().next().unwrap();
    let other = first.replacen("\"digest\":\"sha256:", "\"digest\":\"sha256:0", 1);
    let input = format!("{results}{other}\n");
    let (code, out, _) = summary(&["--format", "text"], &input);
    assert_eq!(code, 0);
    let warning = out.lines().nth(2).unwrap();
    assert!(
        warning.starts_with("! Warning: this batch was assessed under 2 different policies"),
        "{out}"
    );
    let (_, zh, _) = summary(&["--lang", "zh"], &input);
    assert!(zh.contains("出自 2 个不同的政策版本"));
}

#[test]
fn hostile_inputs_are_refused_or_counted_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    // A folder, a device, a missing file: named, exit 1, the other inputs still read.
    let results = dir.path().join("r.jsonl");
    std::fs::File::create(&results)
        .unwrap()
        .write_all(corpus_results().as_bytes())
        .unwrap();
    let r = results.display().to_string();
    let d = dir.path().display().to_string();
    let (code, out, err) = run(
        &[
            "summary",
            &d,
            "/dev/null",
            "/dev/zero",
            "no/such.jsonl",
            &r,
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code, 1);
    assert!(err.contains(&format!("{d}: is a folder")), "{err}");
    assert!(
        err.contains("/dev/zero: is not a regular file or a pipe"),
        "{err}"
    );
    assert!(err.contains("no/such.jsonl: cannot read"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["recommendations"].as_u64().unwrap(),
        corpus().len() as u64
    );
    // Deep nesting, bad UTF-8, a huge number, an empty object: each one unreadable line.
    let mut bad = Vec::new();
    bad.extend_from_slice(&b"[".repeat(100_000));
    bad.push(b'\n');
    bad.extend_from_slice(b"{\"case_id\":\"\xff\xfe\"}\n");
    bad.extend_from_slice(b"{\"amount\":1e999999}\n{}\n");
    let (code, out, _) = run(&["summary", "-", "--format", "json"], Some(&bad));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["lines"].as_u64(), v["unreadable"].as_u64()),
        (Some(4), Some(4))
    );
    // An endless line on a pipe is read in flat memory and counted once.
    let (code, out, _) = crate::support::run(
        &["summary", "-", "--format", "json", "--max-size", "1000"],
        Some(&vec![b'x'; 20 * 1024 * 1024]),
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["unreadable"].as_u64(), Some(1));
    // Nothing at all: a summary of nothing, not an error.
    let (code, out, _) = run(&["summary", "-"], Some(b""));
    assert_eq!(code, 0);
    assert!(out.contains("0 lines read"));
    let _ = root();
}

#[test]
fn diff_as_html_shows_the_review_and_the_amounts_before_and_after() {
    let (_tmp, rules) = crate::support::overlay("fixtures/diffs/parameter_change");
    let dir = rules.display().to_string();
    // A case whose id is markup: shown as text, never as markup.
    let cases = tempfile::tempdir().unwrap();
    for f in corpus() {
        std::fs::copy(&f, cases.path().join(f.file_name().unwrap())).unwrap();
    }
    let t01 =
        std::fs::read_to_string(root().join("fixtures/cases/t01_hunan_incapacitated_earner.json"))
            .unwrap();
    let marked = t01.replacen("\"HN-2022-0137\"", "\"<script>x</script>|<br>\"", 1);
    assert_ne!(marked, t01);
    std::fs::write(cases.path().join("zz_markup.json"), marked).unwrap();
    let c = cases.path().display().to_string();
    let args = [
        "diff", "--base", "rules", "--rules", &dir, "--format", "html", &c,
    ];
    let (code, html, err) = run(&args, None);
    assert_eq!(code, 0, "{err}");
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "markup in a case id is escaped");
    assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
    assert!(
        html.contains("<h2>Policy change review</h2>"),
        "the Markdown review, rendered"
    );
    assert!(html.contains("<table>"));
    let structure = chart_structure(&html);
    insta::assert_snapshot!("diff_html_charts", structure);
    // Two series in the distribution, base and new; a histogram of the changes; one per group.
    assert!(structure.contains("chart chart amounts — Cases by amount, base and new"));
    assert!(structure.contains("chart chart changes — Cases by change in amount"));
    assert!(structure.contains("chart chart changes group-1"));
    let (_, again, _) = run(&args, None);
    assert_eq!(html, again, "the same bytes every time");
}

#[test]
fn with_the_case_files_every_case_has_its_province_and_year() {
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.jsonl");
    std::fs::write(&cases, corpus_jsonl()).unwrap();
    let c = cases.display().to_string();
    let (code, out, err) = summary(
        &["--cases", &c, "--format", "markdown", "--by", "year"],
        corpus_results(),
    );
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("summary_markdown_with_cases_by_year", redact_digests(&out));
    let (_, json, _) = summary(&["--cases", &c, "--format", "json"], corpus_results());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let unrecorded = |k: &str| {
        v[k].as_array()
            .unwrap()
            .iter()
            .filter(|x| x["key"].is_null())
            .map(|x| x["cases"].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(
        unrecorded("provinces"),
        1,
        "only the case whose province is unknown (c26)"
    );
    assert_eq!(unrecorded("years"), 0);
    // Case files in another order: named, exit 1, and the rest counted as the recommendations record it.
    let mut reversed: Vec<&str> = corpus_jsonl().leak().lines().collect();
    reversed.reverse();
    std::fs::write(&cases, reversed.join("\n")).unwrap();
    let (code, json, err) = summary(&["--cases", &c, "--format", "json"], corpus_results());
    assert_eq!(code, 1);
    assert!(
        err.contains("<stdin>:1 is the recommendation for case"),
        "{err}"
    );
    assert!(err.contains(&format!("{c}:1 is case")), "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["recommendations"].as_u64().unwrap(),
        corpus().len() as u64
    );
    // A device or a folder as --cases is refused before anything is read.
    let (code, _, err) = summary(&["--cases", "/dev/zero"], corpus_results());
    assert_eq!(code, 1);
    assert!(
        err.contains("/dev/zero: is not a regular file or a pipe"),
        "{err}"
    );
}

#[test]
fn the_compact_and_the_chinese_results_give_the_same_summary() {
    let (_, full, _) = summary(
        &["--format", "markdown", "--by", "category"],
        corpus_results(),
    );
    for extra in [&["--texts", "none"][..], &["--lang", "zh"][..]] {
        let mut args = vec!["assess", "--jsonl", "-"];
        args.extend_from_slice(extra);
        let (code, results, err) = run(&args, Some(corpus_jsonl().as_bytes()));
        assert_eq!(code, 0, "{err}");
        let (_, other, _) = summary(&["--format", "markdown", "--by", "category"], &results);
        assert_eq!(full, other, "{extra:?}");
    }
}
