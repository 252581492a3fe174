//! `assessor check [--rules DIR] [--format text|json]`
//!
//! Compiles and lints a policy: diagnostics on standard error, the summary and presumptions on standard
//! output; dispatched by `run` in `cli.rs`.

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
    if args.format == CheckFormat::Text {
        for d in &diagnostics {
            stderr_line!("{}\n", d.render());
        }
        if summary.is_none() {
            stderr_line!("the policy could not be loaded: {errors} error(s)");
        }
    }
    super::with_stdout(|w| {
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
                serde_json::to_writer_pretty(&mut *w, &out)?;
                writeln!(w)?;
            }
            CheckFormat::Text => {
                match &summary {
                    Some(s) if diagnostics.is_empty() => writeln!(w, "{s}: no problems found")?,
                    Some(s) => writeln!(w, "{s}: {errors} error(s), {warnings} warning(s)")?,
                    None => {}
                }
                if !presumed.is_empty() {
                    writeln!(
                        w,
                        "Presumptions (a case that leaves the fact unknown is assessed with this value, and the \
                         report lists it to confirm before deciding):"
                    )?;
                    for p in &presumed {
                        writeln!(
                            w,
                            "  {} ({}:{}): {} = {}",
                            p.rule, p.file, p.line, p.fact, p.value
                        )?;
                    }
                }
            }
        }
        Ok(code)
    })
}
