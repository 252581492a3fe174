//! The sentences both writers of a diff share: a case's changes one line each, the policy change one line each,
//! amounts as `¥1,234`, and the tier transition matrix as aligned rows. Called by `text.rs` and `markdown.rs`.

use std::collections::BTreeSet;

use unicode_width::UnicodeWidthStr;

use crate::model::text::format_number;

use super::cases::CaseChange;
use super::policies::PolicyDiff;
use super::summary::{signed, DiffReport};

pub(super) fn money(a: Option<i64>) -> String {
    a.map(|x| format!("¥{}", format_number(x as f64)))
        .unwrap_or_else(|| "none".into())
}

pub(super) fn case_lines(c: &CaseChange) -> Vec<String> {
    let mut out = Vec::new();
    let mut head = Vec::new();
    if c.decision.0 != c.decision.1 {
        head.push(format!(
            "decision {} → {}",
            c.decision.0.as_str(),
            c.decision.1.as_str()
        ));
    }
    if c.tier.0 != c.tier.1 {
        head.push(format!("tier {} → {}", c.tier.0, c.tier.1));
    }
    if c.score.0 != c.score.1 {
        let f = |s: Option<i64>| s.map(|x| x.to_string()).unwrap_or_else(|| "-".into());
        head.push(format!("score {} → {}", f(c.score.0), f(c.score.1)));
    }
    if c.amount.0 != c.amount.1 {
        head.push(format!(
            "amount {} → {} ({})",
            money(c.amount.0),
            money(c.amount.1),
            signed(c.amount_delta(), "¥")
        ));
    }
    if !head.is_empty() {
        out.push(head.join(", "));
    }
    if !c.referrals_added.is_empty() {
        out.push(format!("referrals added: {}", c.referrals_added.join(", ")));
    }
    if !c.referrals_removed.is_empty() {
        out.push(format!(
            "referrals removed: {}",
            c.referrals_removed.join(", ")
        ));
    }
    if let Some((a, b)) = &c.approvals {
        out.push(format!("approvals [{}] → [{}]", a.join(", "), b.join(", ")));
    }
    if let Some((a, b)) = &c.missing {
        out.push(format!(
            "missing facts [{}] → [{}]",
            a.join(", "),
            b.join(", ")
        ));
    }
    out.extend(c.steps.iter().cloned());
    for f in &c.findings {
        out.push(f.explanation.clone());
    }
    out
}

pub(super) fn policy_lines(p: &PolicyDiff) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(p.rules_edited.iter().map(|r| format!("rule `{r}` edited")));
    out.extend(p.rules_added.iter().map(|r| format!("rule `{r}` added")));
    out.extend(
        p.rules_removed
            .iter()
            .map(|r| format!("rule `{r}` removed")),
    );
    out.extend(
        p.rules_renamed
            .iter()
            .map(|(a, b)| format!("rule `{a}` renamed to `{b}`")),
    );
    out.extend(
        p.params_changed
            .iter()
            .map(|c| format!("parameter `{}` changed: {}", c.name, c.changes.join("; "))),
    );
    if out.is_empty() {
        out.push("no rule or parameter changed".into());
    }
    out
}

/// The tier transition matrix as rows: old tiers down, new tiers across, counts right-aligned.
pub(super) fn tiers(r: &DiffReport) -> Vec<String> {
    let cols: BTreeSet<&String> = r.tier_matrix.values().flat_map(|m| m.keys()).collect();
    let mut out = vec![format!(
        "{}{}",
        left("old\\new", 8),
        cols.iter().map(|c| right(c, 5)).collect::<String>()
    )];
    for (from, row) in &r.tier_matrix {
        let cells: String = cols
            .iter()
            .map(|c| right(&row.get(*c).copied().unwrap_or(0).to_string(), 5))
            .collect();
        out.push(format!("{}{cells}", left(from, 8)));
    }
    out
}

/// `s` padded on the right to `width` terminal columns.
fn left(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(s.width())))
}

/// `s` padded on the left to `width` terminal columns.
fn right(s: &str, width: usize) -> String {
    format!("{}{s}", " ".repeat(width.saturating_sub(s.width())))
}
