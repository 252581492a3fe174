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
    // A province that is a number, one no case file may name, an enormous one; a date that is not a date, one
    // not in the calendar, one in another form: each an unreadable line, named with its place and a short reason.
    let line = corpus_results()
        .lines()
        .find(|l| l.contains("\"case_id\":\"HN-2022-0137\""))
        .unwrap();
    assert!(
        line.contains("\"province\":\"Hunan\"")
            && line.contains("\"decision_date\":\"2022-09-01\"")
    );
    let huge = format!("\"{}\"", "湖".repeat(1_000_000));
    let mut bad = String::new();
    for (from, to) in [
        ("\"province\":\"Hunan\"", "\"province\":5"),
        ("\"province\":\"Hunan\"", "\"province\":\"Atlantis\""),
        (
            "\"province\":\"Hunan\"",
            &format!("\"province\":{huge}")[..],
        ),
        (
            "\"decision_date\":\"2022-09-01\"",
            "\"decision_date\":\"yesterday\"",
        ),
        (
            "\"decision_date\":\"2022-09-01\"",
            "\"decision_date\":\"2022-02-30\"",
        ),
        (
            "\"decision_date\":\"2022-09-01\"",
            "\"decision_date\":\"2022-09-01T10:00\"",
        ),
        (
            "\"decision_date\":\"2022-09-01\"",
            "\"decision_date\":[2022]",
        ),
        (
            "\"decision_date\":\"2022-09-01\"",
            &format!("\"decision_date\":{huge}")[..],
        ),
    ] {
        bad.push_str(&line.replacen(from, to, 1));
        bad.push('\n');
    }
    bad.push_str(line);
    bad.push('\n');
    let (code, out, err) = run(&["summary", "-", "--format", "json"], Some(bad.as_bytes()));
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (
            v["lines"].as_u64(),
            v["unreadable"].as_u64(),
            v["recommendations"].as_u64()
        ),
        (Some(9), Some(8), Some(1))
    );
    let problems = v["problems"].as_array().unwrap();
    let reasons: Vec<&str> = problems
        .iter()
        .map(|p| p["reason"].as_str().unwrap())
        .collect();
    for (i, p) in problems.iter().enumerate() {
        assert_eq!(p["place"], format!("<stdin>:{}", i + 1));
        assert!(reasons[i].chars().count() < 300, "{}", reasons[i]);
    }
    assert!(
        reasons[0].contains("invalid type: integer `5`"),
        "{}",
        reasons[0]
    );
    assert!(
        reasons[1].contains("province \"Atlantis\" is not a province-level division"),
        "{}",
        reasons[1]
    );
    assert!(
        reasons[2].contains(&format!("province \"{}\"…", "湖".repeat(40))),
        "{}",
        reasons[2]
    );
    assert!(
        reasons[3].contains("decision_date \"yesterday\" is not a date (YYYY-MM-DD)"),
        "{}",
        reasons[3]
    );
    assert!(
        reasons[4].contains("decision_date \"2022-02-30\" is not a date"),
        "{}",
        reasons[4]
    );
    assert!(
        reasons[5].contains("decision_date \"2022-09-01T10:00\" is not a date"),
        "{}",
        reasons[5]
    );
    assert!(
        reasons[6].contains("invalid type: sequence"),
        "{}",
        reasons[6]
    );
    assert!(reasons[7].contains("\"… is not a date"), "{}", reasons[7]);
    // An enormous value of any other field is quoted short too.
    let other = line.replacen(
        "\"decision\":\"assist\"",
        &format!("\"decision\":{huge}"),
        1,
    );
    assert_ne!(other, line);
    let (code, out, _) = run(
        &["summary", "-", "--format", "json"],
        Some(format!("{other}\n").as_bytes()),
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let reason = v["problems"][0]["reason"].as_str().unwrap();
    assert!(
        reason.chars().count() < 600,
        "{} characters",
        reason.chars().count()
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

/// The corpus's results as versions of assessor wrote them before recommendations recorded their province and
/// date of decision.
fn older_results() -> String {
    corpus_results()
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            let o = v.as_object_mut().unwrap();
            assert!(o.remove("decision_date").is_some(), "{l}");
            assert!(o.remove("province").is_some(), "{l}");
            format!("{v}\n")
        })
        .collect()
}

/// Cases in the province and year tables with no key (not recorded).
fn unrecorded(v: &serde_json::Value, k: &str) -> u64 {
    v[k].as_array()
        .unwrap()
        .iter()
        .filter(|x| x["key"].is_null())
        .map(|x| x["cases"].as_u64().unwrap())
        .sum::<u64>()
}

#[test]
fn the_recommendations_record_their_province_and_year() {
    let (code, json, err) = summary(&["--format", "json"], corpus_results());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        unrecorded(&v, "provinces"),
        1,
        "only the case whose province is unknown (c26)"
    );
    assert_eq!(unrecorded(&v, "years"), 0);
    // The older lines, read alone, record neither for most cases.
    let (_, old, _) = summary(&["--format", "json"], &older_results());
    let o: serde_json::Value = serde_json::from_str(&old).unwrap();
    assert!(unrecorded(&o, "provinces") > 1 && unrecorded(&o, "years") > 0);
    // The province of the recommendation is the case file's, in every line.
    for (line, case) in corpus_results().lines().zip(corpus_jsonl().lines()) {
        let (r, c): (serde_json::Value, serde_json::Value) = (
            serde_json::from_str(line).unwrap(),
            serde_json::from_str(case).unwrap(),
        );
        assert_eq!(
            r["province"], c["jurisdiction"]["province"],
            "{}",
            r["case_id"]
        );
        assert_eq!(r["decision_date"], c["decision_date"]);
    }
}

#[test]
fn older_results_with_their_case_files_give_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.jsonl");
    std::fs::write(&cases, corpus_jsonl()).unwrap();
    let c = cases.display().to_string();
    let older = older_results();
    let (code, out, err) = summary(
        &["--cases", &c, "--format", "markdown", "--by", "year"],
        &older,
    );
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("summary_markdown_with_cases_by_year", redact_digests(&out));
    // The same figures (JSON has no notes) as the recommendations that record them, with or without --cases.
    let (_, recorded, _) = summary(&["--format", "json", "--by", "year"], corpus_results());
    for (input, args) in [
        (
            &older,
            &["--cases", &c, "--format", "json", "--by", "year"][..],
        ),
        (
            &corpus_results().to_string(),
            &["--cases", &c, "--format", "json", "--by", "year"][..],
        ),
    ] {
        let (code, json, err) = summary(args, input);
        assert_eq!(code, 0, "{err}");
        assert_eq!(json, recorded);
    }
    // Half the lines older, half recording their fields: the same figures again, and the note says which is which.
    let half = corpus().len() / 2;
    let mixed: String = older
        .lines()
        .take(half)
        .chain(corpus_results().lines().skip(half))
        .map(|l| format!("{l}\n"))
        .collect();
    let (_, json, _) = summary(&["--cases", &c, "--format", "json", "--by", "year"], &mixed);
    assert_eq!(json, recorded);
    let (_, text, _) = summary(&["--cases", &c], &mixed);
    let rest = corpus().len() - half;
    assert!(
        text.contains(&format!("{rest} recommendations: the province they record"))
            && text.contains(&format!(
                "{half} results written before recommendations recorded the province: the province of their case files (--cases)."
            )),
        "{text}"
    );
    let (_, text, _) = summary(&["--lang", "zh"], &mixed);
    assert!(
        text.contains(&format!(
            "{half} 件旧版评估结果未记载省份，依救助金计算基数"
        )),
        "{text}"
    );
    // Case files in another order: named, exit 1, and the rest counted as the recommendations record it.
    let mut reversed: Vec<&str> = corpus_jsonl().leak().lines().collect();
    reversed.reverse();
    std::fs::write(&cases, reversed.join("\n")).unwrap();
    let (code, json, err) = summary(&["--cases", &c, "--format", "json"], &older);
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
    // A case file whose province is a megabyte: not a case file, named, no panic, the rest counted.
    let huge: String = corpus_jsonl()
        .lines()
        .map(|l| {
            let l = l.replacen("\"Hunan\"", &format!("\"{}\"", "湖".repeat(1_000_000)), 1);
            format!("{l}\n")
        })
        .collect();
    std::fs::write(&cases, huge).unwrap();
    let (code, json, err) = summary(&["--cases", &c, "--format", "json"], &older);
    assert_eq!(code, 1);
    assert!(
        err.contains("is not a case file"),
        "{}",
        &err[..err.len().min(500)]
    );
    assert!(err.len() < 2000, "the message does not quote the province");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["recommendations"].as_u64(), Some(corpus().len() as u64));
    // A device or a folder as --cases is refused before anything is read.
    let (code, _, err) = summary(&["--cases", "/dev/zero"], corpus_results());
    assert_eq!(code, 1);
    assert!(
        err.contains("/dev/zero: is not a regular file or a pipe"),
        "{err}"
    );
}

#[test]
fn a_case_file_that_disagrees_with_its_recommendation_is_reported_and_the_recommendation_wins() {
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.jsonl");
    let t01 = corpus_jsonl()
        .lines()
        .position(|l| l.contains("\"HN-2022-0137\""))
        .unwrap();
    let moved: String = corpus_jsonl()
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let l = if i == t01 {
                l.replacen("\"Hunan\"", "\"Hebei\"", 1)
            } else {
                l.to_string()
            };
            format!("{l}\n")
        })
        .collect();
    std::fs::write(&cases, moved).unwrap();
    let c = cases.display().to_string();
    let (code, json, err) = summary(&["--cases", &c, "--format", "json"], corpus_results());
    assert_eq!(code, 1, "a mismatch is a problem");
    let n = t01 + 1;
    assert!(
        err.contains(&format!(
            "error: <stdin>:{n} is the recommendation for case HN-2022-0137 in Hunan, decided 2022-09-01 but {c}:{n} says Hebei, decided 2022-09-01"
        )),
        "{err}"
    );
    let (_, recorded, _) = summary(&["--format", "json"], corpus_results());
    assert_eq!(
        json, recorded,
        "the recommendations' own fields are counted"
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
