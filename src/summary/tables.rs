//! Two writers of a [`View`]: text (columns aligned in terminal columns, a CJK character counting two) and
//! Markdown (a heading and a pipe table per section).

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use super::view::{Section, View};

fn pad(s: &str, width: usize, right: bool) -> String {
    let gap = " ".repeat(width.saturating_sub(s.width()));
    if right {
        format!("{gap}{s}")
    } else {
        format!("{s}{gap}")
    }
}

/// Writes the summary as text for a terminal.
pub fn render_text(w: &mut dyn Write, v: &View) -> io::Result<()> {
    writeln!(w, "{}", v.title)?;
    writeln!(w, "{}", "=".repeat(v.title.width()))?;
    for warning in &v.warnings {
        writeln!(w, "! {warning}")?;
    }
    writeln!(w, "{}", v.read)?;
    for p in &v.policies {
        writeln!(w, "  {p}")?;
    }
    for s in &v.sections {
        writeln!(w)?;
        text_section(w, s)?;
    }
    Ok(())
}

fn text_section(w: &mut dyn Write, s: &Section) -> io::Result<()> {
    writeln!(w, "{}", s.title)?;
    writeln!(w, "{}", "-".repeat(s.title.width()))?;
    if let Some(n) = &s.note {
        writeln!(w, "{n}")?;
    }
    let mut widths: Vec<usize> = s.headers.iter().map(|h| h.width()).collect();
    for row in &s.rows {
        for (i, c) in row.iter().enumerate() {
            if let Some(wd) = widths.get_mut(i) {
                *wd = (*wd).max(c.width());
            }
        }
    }
    let line = |cells: &[String]| -> String {
        let last = cells.len().saturating_sub(1);
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let right = s.numeric.get(i).copied().unwrap_or(false);
                let width = widths.get(i).copied().unwrap_or(0);
                // The last column, left-aligned, is not padded (no trailing blanks).
                if i == last && !right {
                    c.clone()
                } else {
                    pad(c, width, right)
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(w, "  {}", line(&s.headers))?;
    for row in &s.rows {
        writeln!(w, "  {}", line(row))?;
    }
    if s.rows.is_empty() {
        writeln!(w, "  –")?;
    }
    Ok(())
}

/// A cell made safe for a Markdown table: `|` escaped, line breaks as spaces.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// Writes the summary as Markdown.
pub fn render_markdown(w: &mut dyn Write, v: &View) -> io::Result<()> {
    writeln!(w, "# {}\n", v.title)?;
    for warning in &v.warnings {
        writeln!(w, "> **{}**\n", cell(warning))?;
    }
    writeln!(w, "{}\n", v.read)?;
    for p in &v.policies {
        writeln!(w, "- {}", cell(p))?;
    }
    for s in &v.sections {
        writeln!(w, "\n## {}\n", s.title)?;
        if let Some(n) = &s.note {
            writeln!(w, "{}\n", cell(n))?;
        }
        let heads: Vec<String> = s.headers.iter().map(|h| cell(h)).collect();
        writeln!(w, "| {} |", heads.join(" | "))?;
        let rule: Vec<&str> = s
            .numeric
            .iter()
            .map(|&n| if n { "---:" } else { "---" })
            .collect();
        writeln!(w, "|{}|", rule.join("|"))?;
        for row in &s.rows {
            let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
            writeln!(w, "| {} |", cells.join(" | "))?;
        }
    }
    Ok(())
}
