//! `assessor validate CASE...`
//!
//! Checks case files against the case schema: `valid` lines on standard output, errors with their JSON
//! Pointer on standard error; dispatched by `run` in `cli.rs`.

use std::io::Write;
use std::path::PathBuf;

use assessor::validate::parse_case;

use super::{read_inputs, DEFAULT_MAX_SIZE, OK, PROBLEMS};

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Case files, folders of case files, or `-` for standard input.
    #[arg(required = true, value_name = "CASE")]
    cases: Vec<PathBuf>,
    /// Print the result as JSON (one object per file).
    #[arg(long)]
    json: bool,
    /// Largest case file to read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_SIZE)]
    max_size: u64,
}

/// Runs `validate`.
pub fn run(args: Args) -> u8 {
    super::with_stdout(|w| validate(&args, w))
}

fn validate(args: &Args, out: &mut dyn Write) -> std::io::Result<u8> {
    let mut status = OK;
    for input in read_inputs(&args.cases, args.max_size) {
        let errors = match &input.bytes {
            Err(e) => {
                status = PROBLEMS;
                if args.json {
                    writeln!(
                        out,
                        "{}",
                        serde_json::json!({ "file": input.name, "valid": false, "error": e })
                    )?;
                } else {
                    stderr_line!("{}: {e}", input.name);
                }
                continue;
            }
            Ok(bytes) => parse_case(bytes).err().unwrap_or_default(),
        };
        if !errors.is_empty() {
            status = PROBLEMS;
        }
        if args.json {
            writeln!(
                out,
                "{}",
                serde_json::json!({ "file": input.name, "valid": errors.is_empty(), "errors": errors })
            )?;
        } else if errors.is_empty() {
            writeln!(out, "{}: valid", input.name)?;
        } else {
            for e in &errors {
                stderr_line!("{}:{e}", input.name);
            }
            stderr_line!(
                "{}: invalid ({} error{})",
                input.name,
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
        }
    }
    out.flush()?;
    Ok(status)
}
