//! `assessor rules [--rules DIR] [--format text|markdown|json]`
//!
//! Writes the policy's catalogue (rules, wage base by province, parameters); dispatched by `run` in `cli.rs`.

use assessor::report::{catalogue_json, catalogue_markdown, catalogue_text};

use super::{PolicyArgs, OK};

/// Output format of `rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CatalogueFormat {
    /// Plain text.
    Text,
    /// Markdown, for printing or a wiki.
    Markdown,
    /// JSON.
    Json,
}

/// Arguments of `rules`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    policy: PolicyArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: CatalogueFormat,
}

/// Runs `rules`.
pub fn run(args: Args) -> u8 {
    let policy = match super::load_policy(&args.policy) {
        Ok(p) => p,
        Err(code) => return code,
    };
    super::with_stdout(|w| {
        match args.format {
            CatalogueFormat::Text => catalogue_text(w, &policy)?,
            CatalogueFormat::Markdown => catalogue_markdown(w, &policy)?,
            CatalogueFormat::Json => {
                serde_json::to_writer_pretty(&mut *w, &catalogue_json(&policy))?;
                writeln!(w)?;
            }
        }
        Ok(OK)
    })
}
