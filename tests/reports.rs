//! The reports a person reads (text and Markdown, as `assessor assess` prints them for one case, with what would
//! change the outcome), snapshot-tested for cases of each kind.

use crate::support::run;

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
    ] {
        let path = format!("fixtures/cases/{stem}.json");
        for format in ["text", "markdown"] {
            let (code, out, err) = run(&["assess", "--format", format, &path], None);
            assert_eq!(code, 0, "{err}");
            insta::assert_snapshot!(format!("report_{format}_{stem}"), redact(&out));
        }
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
    assert!(out.starts_with("Case HN-2023-0501: NEEDS INFORMATION"));
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
