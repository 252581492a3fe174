//! The reports a person reads (text and Markdown, as `assessor assess` prints them for one case, with what would
//! change the outcome), snapshot-tested for cases of each kind.

use assessor::explain::localise::localise;
use assessor::model::text::Lang;
use assessor::report;

use crate::support::{corpus, policy, run};

fn redact(s: &str) -> String {
    let mut out = String::new();
    for line in s.lines() {
        let line = match line.find("sha256:") {
            Some(i) => {
                let rest = &line[i + 7..];
                let hex = rest.chars().take_while(|c| c.is_ascii_hexdigit()).count();
                format!("{}sha256:…{}", &line[..i], &rest[hex..])
            }
            None => line.to_string(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[test]
fn reports_read_in_the_order_a_reviewer_reads_them() {
    for stem in [
        "t01_hunan_incapacitated_earner",
        "t05_missing_income_widow",
        "t10_jiangsu_workplace_harassment",
        "c16_refused_cooperation",
        "c29_no_hardship",
        // Settled with a presumption to confirm and a provisional amount range.
        "c30_fault_unknown",
    ] {
        let path = format!("fixtures/cases/{stem}.json");
        for format in ["text", "markdown"] {
            let (code, out, err) = run(&["assess", "--format", format, &path], None);
            assert_eq!(code, 0, "{err}");
            insta::assert_snapshot!(format!("report_{format}_{stem}"), redact(&out));
            let (code, out, err) =
                run(&["assess", "--lang", "zh", "--format", format, &path], None);
            assert_eq!(code, 0, "{err}");
            insta::assert_snapshot!(format!("report_zh_{format}_{stem}"), redact(&out));
        }
    }
}

/// An amount every plausible value of its unknown facts gives, worked with values the case does not state: the
/// report names them as one possibility, never as facts (a handler once read "worked with
/// `/incident/victim_outcome` = death" of a case that does not say the victim died).
#[test]
fn an_amount_worked_with_unstated_values_says_they_are_not_established() {
    let text = std::fs::read_to_string("fixtures/cases/t01_hunan_incapacitated_earner.json")
        .unwrap_or_default();
    let mut case: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let removed = case
        .pointer_mut("/incident")
        .and_then(serde_json::Value::as_object_mut)
        .and_then(|o| o.remove("compensation_paid_to_others"));
    assert!(removed.is_some(), "T1 states the share paid to others");
    let bytes = case.to_string();
    for (lang, words) in [
        (
            "en",
            "Every plausible value of the unknown facts gives this amount; the steps below show one of them, \
             taking `/incident/compensation_paid_to_others` = 0 (not established).",
        ),
        (
            "zh",
            "尚待查明的事实无论如何认定，救助金额均不变；以下计算步骤仅以其中一种可能情形为例（假定 \
             `/incident/compensation_paid_to_others` 为 0，尚未查明）。",
        ),
    ] {
        let (code, out, err) = run(
            &["assess", "--format", "text", "--lang", lang, "--no-what-if", "-"],
            Some(bytes.as_bytes()),
        );
        assert_eq!(code, 0, "{err}");
        assert!(out.contains(words), "{lang}: {out}");
    }
}

#[test]
fn the_text_report_puts_the_decision_first_and_the_policy_last() {
    let (_, out, _) = run(
        &[
            "assess",
            "--format",
            "text",
            "fixtures/cases/t05_missing_income_widow.json",
        ],
        None,
    );
    let at = |needle: &str| {
        out.find(needle)
            .unwrap_or_else(|| panic!("`{needle}` missing:\n{out}"))
    };
    assert!(
        out.starts_with("Case HN-2023-0501 (Hunan, decision date 2023-04-20): NEEDS INFORMATION")
    );
    assert!(at("Why:") < at("  Eligibility:"));
    assert!(at("  Eligibility:") < at("  Exclusions considered:"));
    assert!(at("  Exclusions considered:") < at("  Priority:"));
    assert!(at("  Referrals:") < at("Missing information:"));
    assert!(at("Missing information:") < at("Policy: "));
    assert!(
        out.contains("      if below ¥"),
        "each plausible income says where it leads:\n{out}"
    );
}

/// Words of a Chinese report written in Latin letters that are not codes: a rule id (`eligibility.hardship`), a
/// JSON Pointer, a digest, a case number, a tier letter, a category (`W3`, `W+1`, `R12`) or anything in backticks
/// is a code; any other run of letters — an English word, or a bare `snake_case` code no label covers — is not.
fn english_in(report: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in report.lines() {
        // Text between backticks is code.
        let plain: String = line
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 0)
            .map(|(_, s)| s)
            .collect::<Vec<_>>()
            .join(" ");
        let is_token = |c: char| c.is_ascii_alphanumeric() || "_./:*+-#".contains(c);
        for token in plain.split(|c: char| !is_token(c)) {
            let letters = token.chars().filter(char::is_ascii_alphabetic).count();
            let code = letters <= 1
                || token.contains(['.', '/', ':'])
                || token.chars().any(|c| c.is_ascii_digit());
            // `**` is Markdown emphasis, `---` a rule, `-` a list item.
            if !code {
                found.push(format!("`{token}` in: {line}"));
            }
        }
    }
    found
}

#[test]
fn a_chinese_report_has_no_english_in_it_but_codes() {
    let mut problems = Vec::new();
    for (path, reports) in chinese_reports(true) {
        for report in reports {
            for e in english_in(&report) {
                problems.push(format!("{}: {e}", path.display()));
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_english_word_finder_finds_english_and_bare_codes() {
    assert!(english_in("案件 HN-2022-0137：予以救助，优先等级 A（W+1、R12），见 `wage_base`、eligibility.hardship、/household/size")
        .is_empty());
    assert_eq!(english_in("困难等级为 very_difficult").len(), 1);
    assert_eq!(english_in("理由：Not met").len(), 2);
}

#[test]
fn json_in_chinese_keeps_the_codes_and_changes_only_the_words() {
    let path = "fixtures/cases/t01_hunan_incapacitated_earner.json";
    let json = |lang: &str| -> serde_json::Value {
        let (code, out, err) = run(&["assess", "--format", "json", "--lang", lang, path], None);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).unwrap_or_default()
    };
    let (en, zh) = (json("en"), json("zh"));
    assert_eq!(en["language"], "en");
    assert_eq!(zh["language"], "zh");
    for key in [
        "decision",
        "priority",
        "approvals",
        "payment",
        "case_digest",
    ] {
        if key == "priority" {
            assert_eq!(en[key]["tier"], zh[key]["tier"]);
            assert_eq!(en[key]["score"], zh[key]["score"]);
        } else {
            assert_eq!(en[key], zh[key], "{key}");
        }
    }
    assert_eq!(en["amount"]["recommended"], zh["amount"]["recommended"]);
    let codes = |v: &serde_json::Value, list: &str, fields: &[&str]| -> Vec<String> {
        v[list]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| {
                        fields
                            .iter()
                            .map(|f| x[*f].to_string())
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        codes(&en, "findings", &["rule", "outcome", "values", "facts"]),
        codes(&zh, "findings", &["rule", "outcome", "values", "facts"])
    );
    assert_eq!(
        codes(&en, "referrals", &["service", "agency", "rule"]),
        codes(&zh, "referrals", &["service", "agency", "rule"])
    );
    let f = &zh["findings"][3];
    assert_eq!(f["rule"], "eligibility.dependant_of_incapacitated_earner");
    assert!(f["basis"]
        .as_str()
        .unwrap_or_default()
        .starts_with("《人民检察院开展国家司法救助工作细则》（2021年）第七条"));
    assert!(f["reason"].as_str().unwrap_or_default().contains("配偶"));
    assert_eq!(zh["referrals"][0]["agency"], "civil_affairs_bureau");
    assert_eq!(zh["referrals"][0]["agency_name"], "民政部门");
}

#[test]
fn a_language_the_policy_does_not_declare_is_refused_with_the_languages_it_has() {
    let (_dir, rules) = crate::support::policy_copy();
    let manifest = rules.join("policy.toml");
    let text = std::fs::read_to_string(&manifest).unwrap_or_default();
    let text = text
        .replace("languages = [\"en\", \"zh\"]", "languages = [\"en\"]")
        .replace("zh = \"text/zh.toml\"\n", "");
    std::fs::write(&manifest, text).unwrap_or_default();
    // Without Chinese declared, a rule's zh.* texts are an error; remove them as an English-only policy would.
    for file in crate::support::subdirs(&rules)
        .iter()
        .flat_map(|d| crate::support::files_with_extension(d, "rhai"))
    {
        let t = std::fs::read_to_string(&file).unwrap_or_default();
        let mut kept = Vec::new();
        let mut in_zh = false;
        for line in t.lines() {
            if line.starts_with("// zh.") {
                in_zh = true;
                continue;
            }
            if in_zh && line.starts_with("//   ") {
                continue;
            }
            in_zh = false;
            kept.push(line);
        }
        std::fs::write(&file, kept.join("\n") + "\n").unwrap_or_default();
    }
    let rules_arg = rules.display().to_string();
    let case = "fixtures/cases/t01_hunan_incapacitated_earner.json";
    let (code, out, err) = run(
        &["assess", "--rules", &rules_arg, "--format", "text", case],
        None,
    );
    assert_eq!(code, 0, "an English-only policy still assesses: {err}");
    assert!(out.starts_with("Case HN-2022-0137 (Hunan, decision date 2022-09-01): ASSIST"));
    let (code, _, err) = run(
        &["assess", "--rules", &rules_arg, "--lang", "zh", case],
        None,
    );
    assert_eq!(code, 1);
    assert!(err.contains("has no texts in Chinese (`zh`)"), "{err}");
    assert!(err.contains("its languages are en"), "{err}");
}

/// Words that cite this project's working notes instead of the law or the policy's own parameters.
const WORKING_NOTES: [&str; 3] = ["domain-notes", "领域研究笔记", "§"];

#[test]
fn no_report_cites_the_working_notes() {
    let policy = policy();
    let mut problems = Vec::new();
    for (path, _, mut rec) in assessed_corpus() {
        for lang in [Lang::En, Lang::Zh] {
            localise(&mut rec, policy, lang);
            let labels = policy.labels(lang);
            let json = serde_json::to_string(&rec).unwrap_or_default();
            for report in [
                written(report::text, &rec, labels),
                written(report::markdown, &rec, labels),
                json,
            ] {
                for w in WORKING_NOTES.iter().filter(|w| report.contains(**w)) {
                    problems.push(format!("{} ({lang:?}): `{w}`", path.display()));
                }
            }
        }
    }
    for (_, out, _) in [
        run(&["rules"], None),
        run(&["rules", "--format", "markdown"], None),
    ] {
        for w in WORKING_NOTES.iter().filter(|w| out.contains(**w)) {
            problems.push(format!("assessor rules: `{w}`"));
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_rule_header_or_text_file_cites_the_working_notes() {
    let root = crate::support::root().join("rules");
    let mut files: Vec<_> = [
        "eligibility",
        "exclusions",
        "priority",
        "amount",
        "referrals",
    ]
    .iter()
    .flat_map(|stage| crate::support::files_with_extension(&root.join(stage), "rhai"))
    .collect();
    assert!(files.len() > 40, "{files:?}");
    files.extend([
        root.join("text/en.toml"),
        root.join("text/zh.toml"),
        root.join("questions.toml"),
    ]);
    let mut problems = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        // A rule's header is its leading block of comment lines; a text file is read whole.
        let read: Vec<&str> = if f.extension().is_some_and(|e| e == "rhai") {
            text.lines().take_while(|l| l.starts_with("//")).collect()
        } else {
            text.lines().collect()
        };
        for (i, line) in read.iter().enumerate() {
            for w in WORKING_NOTES.iter().filter(|w| line.contains(**w)) {
                problems.push(format!("{}:{}: `{w}`", f.display(), i + 1));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Where `text` breaks the punctuation a Chinese document uses: a Latin dash, a space before full-width
/// punctuation, or half-width punctuation next to a Chinese character.
fn punctuation_faults(text: &str) -> Vec<String> {
    let mut faults = Vec::new();
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        let bad = line.contains(" — ")
            || line.contains('–')
            || chars.windows(2).any(|w| {
                (w[0] == ' ' && "，。：；、）”".contains(w[1]))
                    || (han(w[0]) && ",;:?!(".contains(w[1]))
                    || (",;:?!)".contains(w[0]) && han(w[1]))
            });
        if bad {
            faults.push(line.to_string());
        }
    }
    faults
}

/// The Chinese reports read as a procuratorate writes: the campaign under its official name, full-width
/// punctuation, no Latin dashes; and the interview's Chinese questions write 或者, as legal texts do, not 或.
#[test]
fn chinese_texts_read_as_a_procuratorate_writes_them() {
    let mut problems = Vec::new();
    for (path, reports) in chinese_reports(false) {
        for report in reports {
            if !report.contains("“关注困难妇女群体，加强专项司法救助”活动") {
                problems.push(format!(
                    "{}: the campaign's official name is missing",
                    path.display()
                ));
            }
            for w in ["关爱困难妇女", "最高人民检察院细则", "（沿用）"] {
                if report.contains(w) {
                    problems.push(format!("{}: `{w}`", path.display()));
                }
            }
            for l in punctuation_faults(&report) {
                problems.push(format!("{}: {l}", path.display()));
            }
        }
    }
    let questions = std::fs::read_to_string("rules/questions.toml").unwrap_or_default();
    assert!(questions.contains("zh = "), "rules/questions.toml not read");
    for line in questions.lines().filter(|l| l.starts_with("zh")) {
        let chars: Vec<char> = line.chars().collect();
        if chars.windows(2).any(|w| w[0] == '或' && w[1] != '者') {
            problems.push(format!("rules/questions.toml: 或 for 或者: {line}"));
        }
        for l in punctuation_faults(line) {
            problems.push(format!("rules/questions.toml: {l}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The Chinese text and Markdown reports of every corpus case that can be assessed (with what would change the
/// outcome when `what_if`), by case file.
fn chinese_reports(what_if: bool) -> Vec<(std::path::PathBuf, [String; 2])> {
    let policy = policy();
    let labels = policy.labels(Lang::Zh);
    let mut out = Vec::new();
    for (path, case, mut rec) in assessed_corpus() {
        if what_if {
            rec.what_if = Some(assessor::explain::whatif::explore(&case.json, &rec, policy));
        }
        localise(&mut rec, policy, Lang::Zh);
        assert_eq!(rec.language, Lang::Zh);
        let reports = [
            written(report::text, &rec, labels),
            written(report::markdown, &rec, labels),
        ];
        out.push((path, reports));
    }
    out
}

/// Every corpus case that is valid and can be assessed under the default policy: its file, the case and its
/// recommendation.
fn assessed_corpus() -> Vec<(
    std::path::PathBuf,
    assessor::validate::ValidCase,
    assessor::Recommendation,
)> {
    corpus()
        .into_iter()
        .filter_map(|path| {
            let bytes = std::fs::read(&path).unwrap_or_default();
            let case = assessor::validate::parse_case(&bytes).ok()?;
            let rec = assessor::assess(&case, policy()).ok()?;
            Some((path, case, rec))
        })
        .collect()
}

/// A report as a string, as a writer of `report` writes it.
pub(crate) fn written(
    write: fn(
        &mut dyn std::io::Write,
        &assessor::Recommendation,
        &assessor::model::text::Labels,
    ) -> std::io::Result<()>,
    rec: &assessor::Recommendation,
    labels: &assessor::model::text::Labels,
) -> String {
    let mut out = Vec::new();
    write(&mut out, rec, labels).unwrap();
    String::from_utf8(out).unwrap()
}

/// The text report lists the amount stage's further conclusions (payment, co-recipients) but not the rule that
/// computed the amount, whose steps already explain it — whatever that rule's id: the report names no rule id of
/// the policy (it named `amount.formula`, so a renamed formula rule appeared twice).
#[test]
fn the_amount_section_knows_the_formula_rule_by_its_steps_not_its_id() {
    let (_tmp, rules) = crate::support::policy_copy();
    let file = rules.join("amount/amount.rhai");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("// id: amount.formula\n"));
    std::fs::write(
        &file,
        text.replacen("amount.formula", "amount.reckoning", 1),
    )
    .unwrap();
    let dir = rules.display().to_string();
    let case = "fixtures/cases/t01_hunan_incapacitated_earner.json";
    let args = ["assess", "--format", "text", "--no-what-if", case];
    let (code, renamed, err) = run(&[&args[..], &["--rules", &dir]].concat(), None);
    assert_eq!(code, 0, "{err}");
    let (code, default, err) = run(&args, None);
    assert_eq!(code, 0, "{err}");
    assert!(!renamed.contains("(amount.reckoning):"), "{renamed}");
    assert!(renamed.contains("(amount.payment):"), "{renamed}");
    assert_eq!(
        redact(&renamed).replace("amount.reckoning", "amount.formula"),
        redact(&default)
    );
}

/// A step's text names whose fault it was: the victim's own fault, larger than the applicant's, reduces the amount
/// and was explained as "The applicant's fault: minor." — the variant a step names (`step.fault_factor.victim`) was
/// chosen only for findings, not for steps and caps.
#[test]
fn a_step_reads_the_variant_it_names() {
    let mut case = crate::support::read_json(
        &crate::support::root().join("fixtures/cases/t01_hunan_incapacitated_earner.json"),
    );
    case["conduct"]["victim_fault"] = serde_json::json!("minor");
    let valid = assessor::validate::validate_value(case).unwrap_or_else(|e| panic!("{e:?}"));
    for (lang, says) in [
        (
            Lang::En,
            "The victim's own fault (the applicant's is none): minor.",
        ),
        (
            Lang::Zh,
            "被害人本人的过错（申请人的过错为：无）：轻微过错。",
        ),
    ] {
        let mut rec = assessor::assess(&valid, policy()).unwrap_or_else(|e| panic!("{e}"));
        localise(&mut rec, policy(), lang);
        let step = rec
            .amount
            .as_ref()
            .and_then(|a| a.steps.iter().find(|s| s.code == "fault_factor"));
        assert_eq!(step.map(|s| s.reason.as_str()), Some(says), "{lang:?}");
    }
}
