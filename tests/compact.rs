//! The compact form for systems (`assess --texts none`): codes and values only, from which any language's texts
//! are rebuilt later. Localising the compact form, read back from its JSON, gives the full recommendation byte for
//! byte — for every corpus case (with what would change the outcome) and generated cases, in both languages.

use assessor::model::text::Lang;
use assessor::validate::{parse_case, ValidCase};
use assessor::Recommendation;

use crate::support::{corpus, policy, run};

/// The recommendation as `assess --texts none` computes it: assessed (and explored), no text written.
fn compact(case: &ValidCase, what_if: bool) -> Recommendation {
    let mut rec = assessor::assess::assess(case, policy()).unwrap_or_else(|e| panic!("{e}"));
    if what_if {
        rec.what_if = Some(assessor::explain::whatif::explore(
            &case.json,
            &rec,
            policy(),
        ));
    }
    rec
}

fn json(rec: &Recommendation) -> String {
    let mut out = Vec::new();
    assessor::report::json(&mut out, rec, false).unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8(out).unwrap_or_else(|e| panic!("{e}"))
}

/// Texts the compact form must not carry, at any depth.
const TEXT_KEYS: [&str; 7] = [
    "reason",
    "title",
    "basis",
    "text",
    "why",
    "agency_name",
    "value",
];

fn assert_no_texts(v: &serde_json::Value, at: &str) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, x) in map {
                // A rule's `values`, a presumed value and a what-if's `from`/`to`/`equals` are values, not texts.
                if ["values", "presumed", "from", "to", "equals"].contains(&k.as_str()) {
                    continue;
                }
                // A value put in place of an unknown fact is a value; a what-if case's `value` is its words.
                if k == "value" && !at.contains("/cases/") {
                    continue;
                }
                // A wage base's or an estimate's `basis` is a code (own, macro_region, national).
                if k == "basis" && (at.ends_with("/wage_base") || at.contains("/estimates/")) {
                    continue;
                }
                assert!(
                    !TEXT_KEYS.contains(&k.as_str()) || !x.is_string(),
                    "{at}/{k}: a text in the compact form: {x}"
                );
                assert_no_texts(x, &format!("{at}/{k}"));
            }
        }
        serde_json::Value::Array(xs) => {
            for (i, x) in xs.iter().enumerate() {
                assert_no_texts(x, &format!("{at}/{i}"));
            }
        }
        _ => {}
    }
}

/// Compact → JSON → read back → localise in `lang` → JSON equals the full form's JSON.
fn round_trip(case: &ValidCase, what_if: bool, name: &str) {
    let compact = compact(case, what_if);
    let compact_json = json(&compact);
    let value: serde_json::Value =
        serde_json::from_str(&compact_json).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_no_texts(&value, name);
    for lang in [Lang::En, Lang::Zh] {
        let mut full = compact.clone();
        assessor::explain::localise::localise(&mut full, policy(), lang);
        let mut rebuilt: Recommendation = serde_json::from_str(&compact_json)
            .unwrap_or_else(|e| panic!("{name}: the compact form does not read back: {e}"));
        assessor::explain::localise::localise(&mut rebuilt, policy(), lang);
        let (a, b) = (json(&rebuilt), json(&full));
        if a != b {
            let at = a
                .bytes()
                .zip(b.bytes())
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            let around = |s: &str| {
                let bytes = s.as_bytes();
                String::from_utf8_lossy(&bytes[at.saturating_sub(200)..(at + 200).min(bytes.len())])
                    .into_owned()
            };
            panic!(
                "{name} ({}): localising the compact form does not give the full one; from byte {at}:\n rebuilt: {}\n    full: {}",
                lang.code(),
                around(&a),
                around(&b)
            );
        }
    }
}

#[test]
fn localising_the_compact_form_gives_the_full_one_for_every_corpus_case() {
    let mut n = 0;
    for path in corpus() {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
        let Ok(case) = parse_case(&bytes) else {
            continue;
        };
        if assessor::assess::assess(&case, policy()).is_err() {
            continue;
        }
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        round_trip(&case, true, &stem.unwrap_or_default());
        n += 1;
    }
    assert!(n >= 40, "only {n} corpus cases");
}

#[test]
fn localising_the_compact_form_gives_the_full_one_for_generated_cases() {
    let mut generator = assessor::generate::Generator::new(7);
    for i in 0..300 {
        let v = generator.case();
        let Ok(case) = assessor::validate::validate_value(v) else {
            continue;
        };
        round_trip(&case, false, &format!("generated case {i} (seed 7)"));
    }
}

#[test]
fn the_cli_writes_the_compact_form_and_refuses_it_as_a_text_report() {
    let case = "fixtures/cases/t01_hunan_incapacitated_earner.json";
    let (code, out, err) = run(&["assess", "--texts", "none", "--no-what-if", case], None);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_no_texts(&v, "t01");
    assert_eq!(v["decision"], "assist");
    let (_, full, _) = run(&["assess", "--format", "json", "--no-what-if", case], None);
    assert!(
        out.len() * 10 < full.len() * 6,
        "compact {} bytes, full {}",
        out.len(),
        full.len()
    );
    let (code, _, err) = run(
        &["assess", "--texts", "none", "--format", "text", case],
        None,
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--texts none writes codes and values only"),
        "{err}"
    );
}
