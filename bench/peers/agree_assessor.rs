//! `agree_assessor`: the assessor (its default policy) beside the peers' native reference (the proposal policy of
//! domain-notes §7) on the same generated cases. Copied into the peers' crate as `src/bin/agree_assessor.rs` by
//! the assessor's `bench/peers/run.sh`; not part of either crate.
//!
//!     cargo run --release --bin agree_assessor -- --n 10000 --seed 42
//!     cargo run --release --bin agree_assessor -- --input data/cases.jsonl
//!
//! The two policies differ (51 rules against §7's), so disagreement is expected: this counts how often the
//! decision, the tier and the amount agree, and for each kind of disagreement the reasons each side gives —
//! the assessor's conditions not met, bars met, no pathway met or the facts it misses; the native side's rules
//! not met, applying or unknown. It also counts the peers' cases the assessor's schema rejects (none expected).

use peers::assessor_item::AssessorItem;
use peers::case::Case;
use peers::gen::generate_json;
use peers::native;
use std::collections::BTreeMap;

use assessor::model::codes::{Outcome, RuleKind, Stage};

type Counts = BTreeMap<String, u64>;

fn bump(m: &mut Counts, k: impl Into<String>) {
    *m.entry(k.into()).or_default() += 1;
}

fn top(m: &Counts, n: usize) -> String {
    let mut v: Vec<_> = m.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    v.iter()
        .take(n)
        .map(|(k, c)| format!("{k} ({c})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why the assessor decided as it did: its conditions not met and bars met (decline), the facts it misses
/// (needs information), the pathways met (assist).
fn assessor_causes(rec: &assessor::Recommendation) -> Vec<String> {
    let d = rec.decision.as_str();
    let mut out = Vec::new();
    for f in &rec.findings {
        let key = match (d, f.stage, f.kind, f.outcome) {
            ("decline", Stage::Eligibility, RuleKind::Condition, Outcome::NotMet) => {
                format!("{} not met", f.rule)
            }
            ("decline", Stage::Exclusions, RuleKind::Bar, Outcome::Met) => {
                format!("{} applies", f.rule)
            }
            (
                "assist",
                Stage::Eligibility,
                RuleKind::Pathway | RuleKind::Discretionary,
                Outcome::Met,
            ) => format!("{} met", f.rule),
            _ => continue,
        };
        out.push(key);
    }
    if d == "decline" && out.is_empty() {
        out.push("no pathway met".into());
    }
    if d == "needs_information" {
        out.extend(rec.missing.iter().map(|m| format!("missing {}", m.fact)));
    }
    out
}

/// Why the native reference decided as it did: rules not met or applying (decline), unknown (needs information),
/// the harm pathway E2 names (assist).
fn native_causes(a: &peers::outcome::Assessment<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for f in &a.findings {
        match (a.decision, f.outcome) {
            ("decline", "not_met" | "applies") if f.rule != "X" => {
                out.push(format!("{} {}", f.rule, f.outcome))
            }
            ("needs_information", "unknown") => out.push(format!("{} unknown", f.rule)),
            ("assist", _) if f.rule == "E2" => {
                let p = f
                    .reason
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                    .find(|w| w.starts_with("H-"));
                out.push(p.unwrap_or("E2 met").to_string());
            }
            _ => {}
        }
    }
    out
}

fn main() {
    let mut n: u64 = 10_000;
    let mut seed: u64 = 42;
    let mut input: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--n" => n = args.next().and_then(|v| v.parse().ok()).expect("--n N"),
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).expect("--seed S"),
            "--input" => input = Some(args.next().expect("--input FILE")),
            other => {
                eprintln!("agree_assessor: unknown argument {other:?} (--n N, --seed S, --input FILE.jsonl)");
                std::process::exit(2);
            }
        }
    }
    let cases: Vec<String> = match &input {
        Some(p) => std::fs::read_to_string(p)
            .expect("read input")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect(),
        None => (0..n).map(|i| generate_json(seed, i)).collect(),
    };
    // Decisions do not depend on the texts: the compact form is enough.
    let item = AssessorItem::new(false).expect("the assessor's default policy loads");

    let mut invalid: Counts = BTreeMap::new();
    let mut decisions: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut causes: BTreeMap<(String, String), (Counts, Counts)> = BTreeMap::new();
    let mut tiers: BTreeMap<(String, String), u64> = BTreeMap::new();
    let (mut both_assist, mut amount_equal, mut amount_10pct) = (0u64, 0u64, 0u64);
    let (mut sum_native, mut sum_assessor) = (0f64, 0f64);
    let mut ratios: Vec<f64> = Vec::new();
    let mut pathways: BTreeMap<(String, String), u64> = BTreeMap::new();

    for c in &cases {
        let case: Case = serde_json::from_str(c).expect("the peers' own parse");
        let nat = native::assess(&case);
        let valid = match item.parse(c) {
            Ok(v) => v,
            Err(e) => {
                bump(&mut invalid, e.chars().take(160).collect::<String>());
                continue;
            }
        };
        let rec = item.assess(&valid).expect("assessed");
        let (nd, ad) = (nat.decision.to_string(), rec.decision.as_str().to_string());
        *decisions.entry((nd.clone(), ad.clone())).or_default() += 1;
        if nd != ad {
            let e = causes.entry((nd.clone(), ad.clone())).or_default();
            for k in native_causes(&nat) {
                bump(&mut e.0, k);
            }
            for k in assessor_causes(&rec) {
                bump(&mut e.1, k);
            }
        }
        if let Some(p) = &rec.priority {
            let at: &'static str = p.tier.into();
            *tiers
                .entry((nat.tier.to_string(), at.to_string()))
                .or_default() += 1;
        }
        if nd == "assist" && ad == "assist" {
            both_assist += 1;
            let na = native_causes(&nat).join("+");
            let aa = assessor_causes(&rec).join("+");
            *pathways.entry((na, aa)).or_default() += 1;
            if let Some(am) = &rec.amount {
                let (x, y) = (nat.amount as f64, am.recommended as f64);
                sum_native += x;
                sum_assessor += y;
                if x == y {
                    amount_equal += 1;
                }
                if (y - x).abs() <= 0.1 * x.abs() {
                    amount_10pct += 1;
                }
                if x > 0.0 {
                    ratios.push(y / x);
                }
            }
        }
    }

    let total = cases.len() as u64;
    let valid = total - invalid.values().sum::<u64>();
    println!("# the assessor (default policy) beside the native reference (§7 proposal): {total} cases ({})\n",
        input.as_deref().map_or(format!("generated, seed {seed}"), str::to_string));
    println!(
        "Rejected by the assessor's case schema: {} of {total}",
        total - valid
    );
    for (e, k) in &invalid {
        println!("  {k} × {e}");
    }
    let same: u64 = decisions
        .iter()
        .filter(|((a, b), _)| a == b)
        .map(|(_, k)| k)
        .sum();
    println!(
        "\nDecision: the same in {same} of {valid} ({:.1}%). Rows native, columns assessor:\n",
        100.0 * same as f64 / valid.max(1) as f64
    );
    let ds = ["assist", "decline", "needs_information"];
    println!("| native \\ assessor | {} | total |", ds.join(" | "));
    println!("|---|---:|---:|---:|---:|");
    for a in ds {
        let row: Vec<u64> = ds
            .iter()
            .map(|b| *decisions.get(&(a.to_string(), b.to_string())).unwrap_or(&0))
            .collect();
        println!(
            "| {a} | {} | {} |",
            row.iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(" | "),
            row.iter().sum::<u64>()
        );
    }
    println!("\nWhere they differ, the reasons each gives (most frequent first; a case counts once per reason):\n");
    let mut cells: Vec<_> = causes.iter().collect();
    cells.sort_by(|a, b| {
        b.1 .1
            .values()
            .sum::<u64>()
            .cmp(&a.1 .1.values().sum::<u64>())
    });
    for ((nd, ad), (nc, ac)) in cells {
        let k = decisions
            .get(&(nd.clone(), ad.clone()))
            .copied()
            .unwrap_or(0);
        println!("- native {nd} / assessor {ad}: {k} cases");
        println!("  - native: {}", top(nc, 6));
        println!("  - assessor: {}", top(ac, 6));
    }
    let tier_same: u64 = tiers
        .iter()
        .filter(|((a, b), _)| a == b)
        .map(|(_, k)| k)
        .sum();
    let tier_all: u64 = tiers.values().sum();
    println!("\nTier (cases the assessor gives a priority, i.e. not declined): the same in {tier_same} of {tier_all} ({:.1}%); {}",
        100.0 * tier_same as f64 / tier_all.max(1) as f64,
        tiers.iter().filter(|((a, b), _)| a != b).map(|((a, b), k)| format!("{a}→{b} {k}")).collect::<Vec<_>>().join(", "));
    ratios.sort_by(|a, b| a.total_cmp(b));
    let median = ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN);
    println!("\nAmount (both assist, {both_assist} cases): equal in {amount_equal}, within 10% in {amount_10pct}; mean native ¥{:.0}, assessor ¥{:.0}; median assessor ÷ native {:.2} (10th percentile {:.2}, 90th {:.2})",
        sum_native / both_assist.max(1) as f64, sum_assessor / both_assist.max(1) as f64, median,
        ratios.get(ratios.len() / 10).copied().unwrap_or(f64::NAN), ratios.get(ratios.len() * 9 / 10).copied().unwrap_or(f64::NAN));
    println!("\nPathways where both assist (native's E2 pathway → the assessor's pathways met), most frequent:\n");
    let mut pv: Vec<_> = pathways.iter().collect();
    pv.sort_by(|a, b| b.1.cmp(a.1));
    for ((a, b), k) in pv.iter().take(12) {
        println!("- {a} → {b}: {k}");
    }
}
