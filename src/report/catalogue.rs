//! The catalogue of a policy, as `assessor rules` prints it for review: its rules by stage, the wage base each
//! province's decisions use, and every parameter value; written as text or Markdown, or built as JSON. Called by
//! the CLI's `rules` subcommand.

use std::io::{self, Write};

use crate::model::params::{ParamValue, Source};
use crate::model::text::format_number;
use crate::Policy;

use super::markdown::md_escape;
use super::words::{pad, yuan};

fn param_value(v: &ParamValue) -> String {
    match &v.value {
        serde_json::Value::Number(n) => format_number(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k} {}", format_number(v.as_f64().unwrap_or(0.0))))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

fn in_force(v: &ParamValue) -> String {
    match &v.until {
        Some(u) => format!("{} to {u}", v.from),
        None => format!("from {}", v.from),
    }
}

/// The decision years the wage-base table of `assessor rules` shows.
pub const WAGE_TABLE_YEARS: [u32; 3] = [2022, 2023, 2024];

/// One cell of the wage-base table: the figure a decision in `decision_year` uses in a province.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WageCell {
    /// The year of the decision.
    pub decision_year: u32,
    /// The statistical year of the figure used.
    pub figure_year: Option<u32>,
    /// Whose figure: the province's own, its macro-region's, or the nation's.
    pub basis: Source,
    /// The figure's own year has ended: it is carried forward.
    pub carried_forward: bool,
    /// Yuan per month.
    pub monthly: f64,
    /// Not the province's own figure for the year before the decision, or a figure with a single source.
    pub estimate: bool,
}

/// For each province of the manifest (macro-regions by name, provinces in the manifest's order), the wage figure
/// a decision in each of [`WAGE_TABLE_YEARS`] uses (none where no figure is in force).
pub fn wage_table(p: &Policy) -> Vec<(String, String, Vec<Option<WageCell>>)> {
    p.params
        .provinces()
        .map(|(region, province)| {
            let cells = WAGE_TABLE_YEARS
                .iter()
                .map(|&y| {
                    let mid_year = jiff::civil::Date::new(i16::try_from(y).ok()?, 6, 30).ok()?;
                    let r = p
                        .params
                        .resolve("wage_base", mid_year, Some(province))
                        .ok()?;
                    Some(WageCell {
                        decision_year: y,
                        figure_year: r.value.year,
                        basis: r.source,
                        carried_forward: r.carried_forward,
                        monthly: r.value.value.as_f64().unwrap_or(0.0),
                        estimate: r.estimate(),
                    })
                })
                .collect();
            (province.to_string(), region.to_string(), cells)
        })
        .collect()
}

fn wage_cell(c: &Option<WageCell>) -> String {
    let Some(c) = c else {
        return "none in force".into();
    };
    let whose = match (c.basis, c.carried_forward) {
        (Source::Own, false) => "own",
        (Source::Own, true) => "own, carried forward",
        (Source::MacroRegion, false) => "region",
        (Source::MacroRegion, true) => "region, carried forward",
        (Source::National, false) => "national",
        (Source::National, true) => "national, carried forward",
    };
    format!(
        "{} {} {whose}{}",
        c.figure_year.map(|y| y.to_string()).unwrap_or_default(),
        yuan(c.monthly),
        if c.estimate { " (estimate)" } else { "" }
    )
}

/// Writes the policy's rules and parameters as plain text.
pub fn catalogue_text(w: &mut dyn Write, p: &Policy) -> io::Result<()> {
    writeln!(w, "{} {}\n{}\n", p.name, p.version, p.digest)?;
    let mut stage = None;
    for r in &p.rules {
        if stage != Some(r.stage) {
            stage = Some(r.stage);
            writeln!(w, "{}", r.stage.as_str().to_uppercase())?;
        }
        writeln!(
            w,
            "  {} {:<13} {}",
            pad(&r.id, 56),
            r.kind.as_str(),
            r.title
        )?;
        writeln!(w, "  {:<56} {:<13} basis: {}", "", "", r.basis)?;
    }
    let table = wage_table(p);
    if !table.is_empty() {
        writeln!(
            w,
            "\nWAGE BASE BY PROVINCE (the figure a decision in each year uses: year of the figure, monthly amount, whose)"
        )?;
        let head = WAGE_TABLE_YEARS.map(|y| format!("{y} decision"));
        row(w, "province", "region", &head)?;
        for (province, region, cells) in &table {
            let cells: Vec<String> = cells.iter().map(wage_cell).collect();
            row(w, province, region, &cells)?;
        }
    }
    writeln!(w, "\nPARAMETERS")?;
    for par in p.params.all() {
        writeln!(w, "  {} ({}): {}", par.name, par.unit, par.title)?;
        writeln!(w, "      reference: {}", par.reference)?;
        for v in &par.values {
            writeln!(
                w,
                "      {} {:<26} {}{}{}",
                pad(v.region.as_deref().unwrap_or("all regions"), 14),
                in_force(v),
                param_value(v),
                if v.estimate { " (estimate)" } else { "" },
                v.source
                    .as_deref()
                    .map(|x| format!(" — {x}"))
                    .unwrap_or_default()
            )?;
        }
    }
    Ok(())
}

/// One row of the wage-base table in text: columns padded, no trailing spaces.
fn row(w: &mut dyn Write, province: &str, region: &str, cells: &[String]) -> io::Result<()> {
    let padded: Vec<String> = cells.iter().map(|c| format!(" {}", pad(c, 46))).collect();
    let line = format!(
        "  {} {}{}",
        pad(province, 16),
        pad(region, 10),
        padded.concat()
    );
    writeln!(w, "{}", line.trim_end())
}

/// Writes the policy's rules and parameters as Markdown.
pub fn catalogue_markdown(w: &mut dyn Write, p: &Policy) -> io::Result<()> {
    writeln!(w, "# {} {}\n\nDigest `{}`.\n", p.name, p.version, p.digest)?;
    let mut stage = None;
    for r in &p.rules {
        if stage != Some(r.stage) {
            stage = Some(r.stage);
            writeln!(
                w,
                "\n## {}\n\n| Rule | Kind | Title | Basis |\n|---|---|---|---|",
                r.stage.as_str()
            )?;
        }
        writeln!(
            w,
            "| `{}` | {} | {} | {} |",
            r.id,
            r.kind.as_str(),
            md_escape(&r.title),
            md_escape(&r.basis)
        )?;
    }
    let table = wage_table(p);
    if !table.is_empty() {
        write!(w, "\n## Wage base by province\n\nThe figure a decision in each year uses: year of the figure, monthly amount, whose.\n\n| Province | Region |")?;
        for y in WAGE_TABLE_YEARS {
            write!(w, " {y} decision |")?;
        }
        writeln!(w, "\n|---|---|---|---|---|")?;
        for (province, region, cells) in &table {
            write!(w, "| {province} | {region} |")?;
            for c in cells {
                write!(w, " {} |", wage_cell(c))?;
            }
            writeln!(w)?;
        }
    }
    writeln!(w, "\n## Parameters\n\n| Parameter | Unit | Region | In force | Value | Reference |\n|---|---|---|---|---|---|")?;
    for par in p.params.all() {
        for v in &par.values {
            writeln!(
                w,
                "| `{}` | {} | {} | {} | {}{} | {} |",
                par.name,
                par.unit,
                v.region.as_deref().unwrap_or("all"),
                in_force(v),
                param_value(v),
                if v.estimate { " (estimate)" } else { "" },
                md_escape(v.source.as_deref().unwrap_or(&par.reference))
            )?;
        }
    }
    Ok(())
}

/// The policy's rules and parameters as JSON.
pub fn catalogue_json(p: &Policy) -> serde_json::Value {
    serde_json::json!({
        "name": p.name,
        "version": p.version,
        "digest": p.digest,
        "rules": p.rules.iter().map(|r| serde_json::json!({
            "id": r.id, "stage": r.stage, "kind": r.kind, "title": r.title, "basis": r.basis, "file": r.file,
        })).collect::<Vec<_>>(),
        "parameters": p.params.all().map(|par| serde_json::json!({
            "name": par.name, "title": par.title, "unit": par.unit, "reference": par.reference,
            "by_region": par.by_region, "values": par.values, "file": par.file,
        })).collect::<Vec<_>>(),
        "wage_base_by_province": wage_table(p).into_iter().map(|(province, region, cells)| serde_json::json!({
            "province": province, "region": region, "decisions": cells,
        })).collect::<Vec<_>>(),
    })
}
