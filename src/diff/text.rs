//! The diff as plain text for a terminal: the policy change, the summary, the cases grouped by cause, then each
//! changed case. Called by the CLI's `diff --format text`.

use std::io::{self, Write};

use super::lines::{case_lines, policy_lines, tiers};
use super::summary::{signed, DiffReport};

/// Writes the report as plain text.
pub fn render_text(w: &mut dyn Write, r: &DiffReport) -> io::Result<()> {
    writeln!(w, "Base: {}\nNew:  {}\n", r.base, r.new)?;
    writeln!(w, "Policy change:")?;
    for l in policy_lines(&r.policy) {
        writeln!(w, "  {l}")?;
    }
    writeln!(
        w,
        "\n{} case(s) compared: {} changed, {} unchanged{}.",
        r.cases,
        r.changed.len(),
        r.cases - r.changed.len() - r.errors.len(),
        if r.errors.is_empty() {
            String::new()
        } else {
            format!(", {} could not be assessed", r.errors.len())
        }
    )?;
    if r.changed.is_empty() {
        for (f, e) in &r.errors {
            writeln!(w, "  error: {f}: {e}")?;
        }
        return Ok(());
    }
    writeln!(w, "\nDecisions changed:")?;
    if r.decisions.is_empty() {
        writeln!(w, "  none")?;
    }
    for (t, n) in &r.decisions {
        writeln!(w, "  {t}: {n}")?;
    }
    writeln!(w, "\nTiers (rows: old, columns: new; - = no priority):")?;
    for l in tiers(r) {
        writeln!(w, "  {l}")?;
    }
    if r.changed.iter().all(|c| c.amount_delta() == 0) {
        writeln!(w, "\nAmounts: unchanged.")?;
    } else {
        let moved = r.changed.iter().filter(|c| c.amount_delta() != 0).count();
        writeln!(
            w,
            "\nAmounts: {} in total over {moved} case(s); median change {}.",
            signed(r.amount_total_change, "¥"),
            signed(r.amount_median_change, "¥")
        )?;
    }
    if !r.largest.is_empty() {
        writeln!(
            w,
            "Largest changes: {}",
            r.largest
                .iter()
                .map(|(c, d)| format!("{c} {}", signed(*d, "¥")))
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    writeln!(w, "\nBy cause:")?;
    for g in &r.groups {
        writeln!(w, "  {} case(s): {}", g.cases.len(), g.summary)?;
        for c in &g.causes {
            writeln!(w, "    because {c}")?;
        }
        writeln!(w, "    {}", g.cases.join(", "))?;
    }
    writeln!(w, "\nCases:")?;
    for c in &r.changed {
        writeln!(w, "  {} ({})", c.case_id, c.file)?;
        for l in case_lines(c) {
            writeln!(w, "    {l}")?;
        }
    }
    for (f, e) in &r.errors {
        writeln!(w, "  error: {f}: {e}")?;
    }
    Ok(())
}
