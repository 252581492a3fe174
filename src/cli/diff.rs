//! `assessor diff --base OLD [--rules NEW] [CASES...]`
//!
//! Loads both policies (a folder or a git revision), assesses every case under each and writes the
//! library's diff report as text, Markdown or JSON; dispatched by `run` in `cli.rs`.

use std::path::{Path, PathBuf};

use assessor::diff::{render_html, render_markdown, render_text, report};
use assessor::validate::parse_case;
use assessor::{Policy, PolicySource};

use super::{read_inputs, report_policy_errors, DEFAULT_MAX_SIZE, OK, POLICY_FAILED, PROBLEMS};

/// Output format of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DiffFormat {
    /// A report for the terminal.
    Text,
    /// JSON for systems.
    Json,
    /// Markdown for a pull request description.
    Markdown,
    /// One HTML page: the Markdown review, with the amounts before and after and the change per case as charts.
    Html,
}

/// Arguments of `diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The old policy: a folder, or a git revision of the new policy's folder (e.g. `HEAD~1`, `main`).
    #[arg(long, value_name = "DIR|REV")]
    base: String,
    /// The new policy folder (default: `rules` if it exists here, else the embedded policy).
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// Case files or folders (default: fixtures/cases).
    #[arg(value_name = "CASE")]
    cases: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: DiffFormat,
    /// Exit with status 1 when any case changed (for CI gates).
    #[arg(long)]
    fail_on_change: bool,
}

/// Runs `diff`.
pub fn run(args: Args) -> u8 {
    let new_dir = args.rules.clone().or_else(|| {
        Path::new("rules")
            .join("policy.toml")
            .exists()
            .then(|| PathBuf::from("rules"))
    });
    let new = match &new_dir {
        Some(d) => Policy::from_dir(d),
        None => Policy::embedded(),
    };
    let base_path = Path::new(&args.base);
    let base = if base_path.is_dir() {
        Policy::from_dir(base_path)
    } else {
        let dir = new_dir.clone().unwrap_or_else(|| PathBuf::from("rules"));
        PolicySource::from_git(&args.base, &dir).and_then(Policy::load)
    };
    let (base, new) = match (base, new) {
        (Ok(b), Ok(n)) => (b, n),
        (b, n) => {
            let mut errors = Vec::new();
            if let Err(e) = b {
                errors.extend(e);
            }
            if let Err(e) = n {
                errors.extend(e);
            }
            report_policy_errors(&errors);
            return POLICY_FAILED;
        }
    };
    let cases = if args.cases.is_empty() {
        vec![PathBuf::from("fixtures/cases")]
    } else {
        args.cases.clone()
    };
    let results = read_inputs(&cases, DEFAULT_MAX_SIZE)
        .into_iter()
        .map(|input| {
            let r = input.bytes.and_then(|b| {
                let case = parse_case(&b).map_err(|e| {
                    e.iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                })?;
                let old =
                    assessor::assess(&case, &base).map_err(|e| format!("base policy: {e}"))?;
                let new = assessor::assess(&case, &new).map_err(|e| format!("new policy: {e}"))?;
                Ok((old, new))
            });
            (input.name, r)
        })
        .collect::<Vec<_>>();
    let amounts: Vec<_> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .map(|(o, n)| {
            (
                o.amount.as_ref().map(|a| a.recommended),
                n.amount.as_ref().map(|a| a.recommended),
            )
        })
        .collect();
    let r = report(&base, &new, results);
    let code = if !r.errors.is_empty() || (args.fail_on_change && r.has_changes()) {
        PROBLEMS
    } else {
        OK
    };
    super::with_stdout(|w| {
        match args.format {
            DiffFormat::Text => render_text(w, &r)?,
            DiffFormat::Markdown => render_markdown(w, &r)?,
            DiffFormat::Html => render_html(w, &r, &amounts)?,
            DiffFormat::Json => {
                serde_json::to_writer_pretty(&mut *w, &r)?;
                writeln!(w)?;
            }
        }
        Ok(code)
    })
}
