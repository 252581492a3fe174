//! The diff as Markdown, for a pull request description: the policy change, the decision and tier tables, the
//! groups by cause, and a table of the changed cases. Called by the CLI's `diff --format markdown`.

use std::collections::BTreeSet;
use std::io::{self, Write};

use super::lines::{case_lines, money, policy_lines};
use super::summary::{signed, DiffReport};

/// Writes the report as Markdown.
pub fn render_markdown(w: &mut dyn Write, r: &DiffReport) -> io::Result<()> {
    writeln!(
        w,
        "## Policy change review\n\n- Base: {}\n- New: {}\n",
        r.base, r.new
    )?;
    for l in policy_lines(&r.policy) {
        writeln!(w, "- {l}")?;
    }
    writeln!(w, "\n**{} of {} cases changed.**", r.changed.len(), r.cases)?;
    if !r.changed.is_empty() {
        writeln!(w, "\n| Decision change | Cases |\n|---|---:|")?;
        if r.decisions.is_empty() {
            writeln!(w, "| none | 0 |")?;
        }
        for (t, n) in &r.decisions {
            writeln!(w, "| {t} | {n} |")?;
        }
        let cols: BTreeSet<&String> = r.tier_matrix.values().flat_map(|m| m.keys()).collect();
        writeln!(
            w,
            "\n| Tier old \\ new | {} |\n|---|{}",
            cols.iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(" | "),
            "---:|".repeat(cols.len())
        )?;
        for (from, row) in &r.tier_matrix {
            writeln!(
                w,
                "| {from} | {} |",
                cols.iter()
                    .map(|c| row.get(*c).copied().unwrap_or(0).to_string())
                    .collect::<Vec<_>>()
                    .join(" | ")
            )?;
        }
        writeln!(
            w,
            "\nAmounts: {} in total, median change {}.",
            signed(r.amount_total_change, "¥"),
            signed(r.amount_median_change, "¥")
        )?;
        writeln!(w, "\n### By cause\n")?;
        for g in &r.groups {
            writeln!(
                w,
                "- **{} case(s)**: {} — because {}  \n  {}",
                g.cases.len(),
                g.summary,
                g.causes
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
                g.cases.join(", ")
            )?;
        }
        writeln!(w, "\n### Cases\n\n| Case | Decision | Tier | Amount | What changed |\n|---|---|---|---:|---|")?;
        for c in &r.changed {
            // The table's columns show decision, tier and amount: drop the line that repeats them, and only that one
            // (a case whose first change is a referral keeps it).
            let repeats_columns = c.decision.0 != c.decision.1
                || c.tier.0 != c.tier.1
                || c.score.0 != c.score.1
                || c.amount.0 != c.amount.1;
            let what = case_lines(c)
                .into_iter()
                .skip(usize::from(repeats_columns))
                .collect::<Vec<_>>()
                .join("<br>")
                .replace('|', "\\|");
            writeln!(
                w,
                "| {} | {} → {} | {} → {} | {} → {} | {} |",
                c.case_id,
                c.decision.0.as_str(),
                c.decision.1.as_str(),
                c.tier.0,
                c.tier.1,
                money(c.amount.0),
                money(c.amount.1),
                what
            )?;
        }
    }
    for (f, e) in &r.errors {
        writeln!(w, "- error: {f}: {e}")?;
    }
    Ok(())
}
