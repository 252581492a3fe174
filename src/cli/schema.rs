//! `assessor schema [case|recommendation]`
//!
//! Writes the JSON Schema of a case file or of a recommendation; dispatched by `run` in `cli.rs`.

use assessor::model::schema;

use super::OK;

/// Which schema.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Which {
    /// The case file.
    Case,
    /// The recommendation.
    Recommendation,
}

/// Arguments of `schema`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The schema to print.
    #[arg(value_enum, default_value = "case")]
    which: Which,
}

/// Runs `schema`.
pub fn run(args: Args) -> u8 {
    let s = match args.which {
        Which::Case => schema::case_schema(),
        Which::Recommendation => schema::recommendation_schema(),
    };
    super::with_stdout(|w| {
        w.write_all(schema::to_file_text(&s).as_bytes())?;
        Ok(OK)
    })
}
