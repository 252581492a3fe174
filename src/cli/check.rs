//! `assessor check [--rules DIR]`

use super::{PolicyArgs, OK, PROBLEMS};

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    policy: PolicyArgs,
}

/// Runs `check`.
pub fn run(args: Args) -> u8 {
    match args.policy.load() {
        Ok(p) => {
            println!(
                "{} {}: {} rules, {} parameters, no problems found ({})",
                p.name,
                p.version,
                p.rules.len(),
                p.params.all().count(),
                p.origin
            );
            OK
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}\n");
            }
            eprintln!(
                "{} problem{} found",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
            PROBLEMS
        }
    }
}
