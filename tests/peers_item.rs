//! The assessor's item in the peers' bench (`bench/peers/assessor_item.rs`, compiled here as it is, though the
//! crate never builds it): its pipeline writes exactly what `assessor assess --jsonl --jobs 1` writes, byte for
//! byte, full texts and compact (`--texts none`), on the corpus and on generated cases.

#[path = "../bench/peers/assessor_item.rs"]
mod assessor_item;

use assessor_item::AssessorItem;

use crate::support::{corpus, read_json, run};

/// The corpus and 300 generated cases, one JSON line each.
fn lines() -> Vec<String> {
    let mut lines: Vec<String> = corpus().iter().map(|p| read_json(p).to_string()).collect();
    let mut generator = assessor::generate::Generator::new(16);
    lines.extend(generator.cases(300).iter().map(ToString::to_string));
    lines
}

fn same_as_cli(full_texts: bool, flags: &[&str]) {
    let lines = lines();
    let item = AssessorItem::new(full_texts).unwrap();
    let ours: String = lines.iter().map(|l| item.pipeline(l).unwrap()).collect();
    let input = lines.join("\n") + "\n";
    let mut args = vec!["assess", "--jsonl", "--jobs", "1"];
    args.extend_from_slice(flags);
    args.push("-");
    let (code, cli, stderr) = run(&args, Some(input.as_bytes()));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(ours.lines().count(), lines.len());
    assert!(
        ours == cli,
        "the item's pipeline and `assess --jsonl` differ"
    );
}

#[test]
fn item_pipeline_is_assess_jsonl() {
    same_as_cli(true, &[]);
}

#[test]
fn compact_item_pipeline_is_assess_jsonl_texts_none() {
    same_as_cli(false, &["--texts", "none"]);
}

#[test]
fn item_reports_an_invalid_case() {
    let item = AssessorItem::new(true).unwrap();
    let err = item.pipeline("{\"schema_version\": 1}").unwrap_err();
    assert!(err.contains("case_id"), "{err}");
    assert!(item.pipeline("not json").is_err());
}
