//! What the two fuzzers of rule bodies share — the libFuzzer target `fuzz/fuzz_targets/rule_body.rs` and the
//! example `examples/fuzz_rules.rs`, which both include this file as a module: the rules whose body they replace
//! and the header a new body is put under.

/// The rules whose body a snippet replaces (one per stage).
pub const TARGETS: [&str; 5] = [
    "eligibility/procuratorial_stage.rhai",
    "exclusions/major_fault.rhai",
    "priority/dependants.rhai",
    "amount/amount.rhai",
    "referrals/r09_legal_aid.rhai",
];

/// The rule's header with plain texts (no placeholders, which the static checks match against the body).
pub fn header(text: &str) -> String {
    let keep = [
        "id:",
        "title:",
        "stage:",
        "kind:",
        "basis:",
        "zh.title:",
        "zh.basis:",
    ];
    let mut out: String = text
        .lines()
        .take_while(|l| l.starts_with("//") || l.trim().is_empty())
        .filter(|l| {
            keep.iter()
                .any(|k| l.trim_start_matches("// ").starts_with(k))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    out.push_str(
        "// met: Met.\n// not_met: Not met.\n// zh.met: 符合。\n// zh.not_met: 不符合。\n\n",
    );
    out
}
