//! `assessor assess CASE...`

use std::io::Write;
use std::path::PathBuf;

use assessor::render::{self, Format};
use assessor::validate::parse_case;

use super::{
    default_format, read_inputs, report_policy_errors, PolicyArgs, DEFAULT_MAX_SIZE, OK,
    POLICY_FAILED, PROBLEMS,
};

/// Arguments of `assess`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Case files, folders of case files, or `-` for standard input.
    #[arg(required = true, value_name = "CASE")]
    cases: Vec<PathBuf>,
    /// Output format (default: text on a terminal, JSON otherwise).
    #[arg(long, value_enum)]
    format: Option<Format>,
    #[command(flatten)]
    policy: PolicyArgs,
    /// Largest case file to read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_SIZE)]
    max_size: u64,
}

/// Runs `assess`.
pub fn run(args: Args) -> u8 {
    let policy = match args.policy.load() {
        Ok(p) => p,
        Err(errors) => {
            report_policy_errors(&errors);
            return POLICY_FAILED;
        }
    };
    let format = default_format(args.format);
    let inputs = read_inputs(&args.cases, args.max_size);
    let many = inputs.len() > 1;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut status = OK;
    for (index, input) in inputs.iter().enumerate() {
        let result = input
            .bytes
            .clone()
            .and_then(|bytes| {
                parse_case(&bytes).map_err(|errs| {
                    errs.iter()
                        .map(|e| format!("{}: {e}", input.name))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
            })
            .map_err(|e| {
                if e.starts_with(&input.name) {
                    e
                } else {
                    format!("{}: {e}", input.name)
                }
            })
            .and_then(|case| {
                assessor::assess(&case, &policy).map_err(|e| format!("{}: {e}", input.name))
            });
        match result {
            Ok(rec) => {
                let text = match format {
                    Format::Json => render::json(&rec, !many),
                    Format::Text => render::text(&rec),
                    Format::Markdown => render::markdown(&rec),
                };
                let sep = if many && format != Format::Json && index > 0 {
                    "\n"
                } else {
                    ""
                };
                if let Err(e) = writeln!(out, "{sep}{}", text.trim_end()) {
                    // A reader that stops early (`| head`) is not an error; anything else is.
                    if e.kind() == std::io::ErrorKind::BrokenPipe {
                        return status;
                    }
                    eprintln!("error: cannot write the output: {e}");
                    return PROBLEMS;
                }
            }
            Err(message) => {
                status = PROBLEMS;
                eprintln!("error: {message}");
                if format == Format::Json && many {
                    let line = serde_json::json!({ "input": input.name, "position": index + 1, "error": message });
                    let _ = writeln!(out, "{line}");
                }
            }
        }
    }
    status
}
