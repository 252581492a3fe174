//! `assessor check [--rules DIR] [--format text|json]`

use assessor::check::lint;
use assessor::policy::Severity;

use super::{PolicyArgs, OK, PROBLEMS};

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CheckFormat {
    /// Diagnostics with a snippet and a caret.
    Text,
    /// One JSON object with every diagnostic, for editors and CI.
    Json,
}

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    policy: PolicyArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: CheckFormat,
}

/// Runs `check`: errors stop the policy from loading; warnings (parameters or facts no rule reads) do not.
pub fn run(args: Args) -> u8 {
    let mut presumed = Vec::new();
    let (summary, diagnostics) = match args.policy.load() {
        Ok(p) => {
            presumed = assessor::check::presumptions(&p);
            let summary = format!(
                "{} {}: {} rules, {} parameters",
                p.name,
                p.version,
                p.rules.len(),
                p.params.all().count()
            );
            (Some(summary), lint(&p))
        }
        Err(errors) => (None, errors),
    };
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    let code = if errors > 0 { PROBLEMS } else { OK };
    let mut text = String::new();
    match args.format {
        CheckFormat::Json => {
            let out = serde_json::json!({
                "policy": summary,
                "errors": errors,
                "warnings": warnings,
                // Each diagnostic as PolicyError serialises: severity, file, line, column, message, help.
                "diagnostics": diagnostics,
                "presumptions": presumed,
            });
            text = match serde_json::to_string_pretty(&out) {
                Ok(json) => json + "\n",
                Err(e) => {
                    eprintln!("error: cannot write the diagnostics as JSON: {e}");
                    return PROBLEMS;
                }
            };
        }
        CheckFormat::Text => {
            for d in &diagnostics {
                eprintln!("{}\n", d.render());
            }
            match &summary {
                Some(s) if diagnostics.is_empty() => text = format!("{s}: no problems found\n"),
                Some(s) => text = format!("{s}: {errors} error(s), {warnings} warning(s)\n"),
                None => eprintln!("the policy could not be loaded: {errors} error(s)"),
            }
            if !presumed.is_empty() {
                text.push_str(
                    "Presumptions (a case that leaves the fact unknown is assessed with this value, and the report \
                     lists it to confirm before deciding):\n",
                );
                for p in &presumed {
                    text.push_str(&format!(
                        "  {} ({}:{}): {} = {}\n",
                        p.rule, p.file, p.line, p.fact, p.value
                    ));
                }
            }
        }
    }
    super::print_then(&text, code)
}
