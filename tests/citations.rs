//! What a parameter shows a procurator (its `reference`, each value's `source`) is a citation of the law, a
//! document or this policy's calibration; the research behind a figure (`provenance`: reposts, mirrors, what was
//! checked) is kept for analysts and no report, JSON or `assessor rules` output shows it.

use crate::support::{corpus, policy, run};

/// Marks of research provenance rather than a citation.
const NOT_A_CITATION: [&str; 12] = [
    "via ",
    "verified",
    "repost",
    "mirror",
    "NOT FOUND",
    "not found",
    "shared/",
    "domain-notes",
    "§",
    "Proposal",
    "http",
    "may be outdated",
];

/// The web addresses a text names (a word with a dot before a slash).
fn addresses(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || ",，;；()（）".contains(c))
        .filter(|w| w.split('/').next().is_some_and(|host| host.contains('.')) && w.contains('/'))
        .collect()
}

#[test]
fn every_reference_and_source_shown_is_a_citation() {
    let mut problems = Vec::new();
    for par in policy().params.all() {
        let mut shown = vec![("reference".to_string(), par.reference.as_str())];
        for v in &par.values {
            if let Some(s) = &v.source {
                let at = format!(
                    "source of {} {}",
                    v.region.as_deref().unwrap_or("all"),
                    v.from
                );
                shown.push((at, s.as_str()));
            }
        }
        for (what, text) in shown {
            for mark in NOT_A_CITATION.iter().filter(|m| text.contains(**m)) {
                problems.push(format!(
                    "{} ({}), {what}: `{mark}` in {text:?}",
                    par.name, par.file
                ));
            }
            // Only an official address is cited; a news site or a mirror belongs in `provenance`.
            for a in addresses(text)
                .into_iter()
                .filter(|a| !a.contains(".gov.cn/"))
            {
                problems.push(format!(
                    "{} ({}), {what}: address {a} is not official",
                    par.name, par.file
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_gathered_figure_has_its_citation_and_keeps_its_provenance() {
    for name in [
        "wage_base",
        "minimum_living_allowance_line",
        "minimum_living_allowance_line_rural",
    ] {
        let par = policy().parameter(name).unwrap_or_else(|| panic!("{name}"));
        assert!(par.values.len() > 20, "{name}");
        for v in &par.values {
            let at = format!("{name} {:?} {}", v.region, v.from);
            assert!(
                v.source.as_deref().is_some_and(|s| !s.trim().is_empty()),
                "{at}: no source"
            );
            assert!(
                v.provenance
                    .as_deref()
                    .is_some_and(|s| !s.trim().is_empty()),
                "{at}: no provenance"
            );
        }
    }
}

#[test]
fn provenance_is_never_shown() {
    let provenance: Vec<String> = policy()
        .params
        .all()
        .flat_map(|p| p.values.iter().filter_map(|v| v.provenance.clone()))
        .collect();
    assert!(provenance.len() > 100, "{}", provenance.len());
    let mut outputs: Vec<(String, String)> = ["text", "markdown", "json"]
        .iter()
        .map(|f| {
            let (code, out, err) = run(&["rules", "--format", f], None);
            assert_eq!(code, 0, "{err}");
            (format!("assessor rules --format {f}"), out)
        })
        .collect();
    let policy = policy();
    for path in corpus() {
        let bytes = std::fs::read(&path).unwrap_or_default();
        let Ok(case) = assessor::validate::parse_case(&bytes) else {
            continue;
        };
        let Ok(mut rec) = assessor::assess(&case, policy) else {
            continue;
        };
        for lang in [
            assessor::model::text::Lang::En,
            assessor::model::text::Lang::Zh,
        ] {
            assessor::explain::localise::localise(&mut rec, policy, lang);
            let labels = policy.labels(lang);
            let at = format!("{} ({lang:?})", path.display());
            outputs.push((at.clone(), serde_json::to_string(&rec).unwrap_or_default()));
            outputs.push((
                at,
                crate::reports::written(assessor::report::text, &rec, labels),
            ));
        }
    }
    let shown: Vec<String> = outputs
        .iter()
        .flat_map(|(what, out)| {
            provenance
                .iter()
                .filter(|p| out.contains(p.as_str()))
                .map(move |p| format!("{what} shows a value's provenance: {p}"))
        })
        .collect();
    assert!(shown.is_empty(), "{}", shown.join("\n"));
}

#[test]
fn a_web_address_is_found_in_a_citation() {
    assert_eq!(
        addresses("川民发〔2023〕100号（低限），mzt.sc.gov.cn/a/b.shtml"),
        ["mzt.sc.gov.cn/a/b.shtml"]
    );
    assert_eq!(
        addresses("国家统计局《中国统计年鉴2022》（2021年）"),
        Vec::<&str>::new()
    );
    assert_eq!(
        addresses("x (m.cnbzol.com/a/1.html)"),
        ["m.cnbzol.com/a/1.html"]
    );
}

#[test]
fn a_provenance_that_is_not_text_is_reported_with_its_file_and_line() {
    let (_tmp, rules) = crate::support::policy_copy();
    let file = rules.join("parameters/amount.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("provenance = "))
        .map(|i| i + 1)
        .unwrap();
    let hostile: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with("provenance = ") {
                "provenance = { nested = [1, 2] }".to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(&file, hostile.join("\n")).unwrap();
    let dir = rules.display().to_string();
    let (code, out, err) = run(&["check", "--rules", &dir], None);
    let all = format!("{out}{err}");
    assert_ne!(code, 0, "{all}");
    assert!(all.contains("expected a string"), "{all}");
    assert!(
        all.contains(&format!("parameters/amount.toml:{line}:")),
        "{all}"
    );
}

/// A name written in backticks in a rule's text (a parameter, a fact) reads whole in every language: a header line
/// broken inside it joins with a space in English, and did so in Chinese where the line before ended in a letter
/// (`` `h ardship_factor` `` in the amount's basis, `` `prio rity_points` `` in the urgency's).
#[test]
fn a_name_in_backticks_is_never_split_by_a_line_break() {
    let p = policy();
    let mut broken = Vec::new();
    for rule in &p.rules {
        let texts = std::iter::once(("basis", &rule.basis))
            .chain(rule.texts.iter().map(|(k, v)| (k.as_str(), v)))
            .map(|(k, v)| (String::new(), k.to_string(), v))
            .chain(rule.translations.iter().flat_map(|(lang, t)| {
                t.iter()
                    .map(move |(k, v)| (format!("{lang:?}."), k.clone(), v))
            }));
        for (lang, key, text) in texts {
            for (i, span) in text.split('`').enumerate() {
                if i % 2 == 1 && span.chars().any(char::is_whitespace) {
                    broken.push(format!("{} {lang}{key}: `{span}`", rule.file));
                }
            }
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
}
