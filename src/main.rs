//! The `assessor` command line: parse arguments, dispatch, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    ExitCode::from(cli::run(args))
}
