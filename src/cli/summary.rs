//! `assessor summary RESULTS...` — caseload figures from what `assess --jsonl` wrote: files or `-`, read line by
//! line in flat memory (lines parsed in parallel a chunk at a time, counted in order), written by the library's
//! `summary` writers; dispatched by `run` in `cli.rs`.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;

use rayon::prelude::*;

use assessor::model::text::Lang;
use assessor::summary::{parse_line, render, By, Format, Line, Tally};

use super::{LangArg, LineReader, PolicyArgs, OK, PROBLEMS};

/// Output format of `summary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SummaryFormat {
    /// Tables for the terminal.
    Text,
    /// Markdown tables.
    Markdown,
    /// JSON for systems (codes and numbers only).
    Json,
    /// One self-contained HTML page with charts (inline SVG, no script).
    Html,
}

/// `--by`: the cross table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ByArg {
    /// By province.
    Province,
    /// By year of the decision.
    Year,
    /// By priority category (a case in several counts in each).
    Category,
}

/// Arguments of `summary`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Results of `assess --jsonl` (JSON Lines files, or `-` for standard input).
    #[arg(required = true, value_name = "RESULTS")]
    results: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: SummaryFormat,
    /// The language of labels (the policy's texts); JSON has codes only.
    #[arg(long, value_enum, value_name = "LANG")]
    lang: Option<LangArg>,
    /// Add a cross table: decisions, tiers and amounts by province, year or category.
    #[arg(long, value_enum)]
    by: Option<ByArg>,
    /// The policy whose labels and rule titles name the codes (default: the embedded one).
    #[command(flatten)]
    policy: PolicyArgs,
    /// Longest line read, in bytes (a longer one is counted as unreadable, never held whole).
    #[arg(long, value_name = "BYTES", default_value_t = super::DEFAULT_MAX_SIZE)]
    max_size: u64,
}

/// Lines parsed together (and bytes held at most, about): enough to keep every core busy, few enough that
/// memory stays flat.
const CHUNK: usize = 512;
const CHUNK_BYTES: usize = 64 * 1024 * 1024;

/// Runs `summary`.
pub fn run(args: Args) -> u8 {
    let policy = match super::load_policy(&args.policy) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let lang: Lang = args.lang.map_or(policy.primary_language(), Lang::from);
    let by = args.by.map(|b| match b {
        ByArg::Province => By::Province,
        ByArg::Year => By::Year,
        ByArg::Category => By::Category,
    });
    let pool = rayon::ThreadPoolBuilder::new().build().ok();
    let mut tally = Tally::new(by);
    let mut status = OK;
    for path in &args.results {
        let stdin = path.as_os_str() == "-";
        let name = if stdin {
            "<stdin>".to_string()
        } else {
            path.display().to_string()
        };
        let reader: Box<dyn BufRead> = if stdin {
            Box::new(BufReader::new(std::io::stdin()))
        } else {
            if let Err(why) = super::stream_kind_ok(path) {
                stderr_line!("error: {name}: {why}");
                status = PROBLEMS;
                continue;
            }
            match std::fs::File::open(path) {
                Ok(f) => Box::new(BufReader::with_capacity(1 << 20, f)),
                Err(e) => {
                    stderr_line!("error: {name}: cannot read: {e}");
                    status = PROBLEMS;
                    continue;
                }
            }
        };
        read_into(
            &mut tally,
            LineReader::new(reader, args.max_size),
            &name,
            pool.as_ref(),
        );
    }
    if tally.unreadable > 0 {
        stderr_line!(
            "warning: {} line{} not recommendations (see the end of the summary)",
            tally.unreadable,
            if tally.unreadable == 1 {
                " is"
            } else {
                "s are"
            }
        );
        status = PROBLEMS;
    }
    let format = match args.format {
        SummaryFormat::Text => Format::Text,
        SummaryFormat::Markdown => Format::Markdown,
        SummaryFormat::Json => Format::Json,
        SummaryFormat::Html => Format::Html,
    };
    super::with_stdout(|w| {
        render(w, &tally, &policy, lang, format)?;
        Ok(status)
    })
}

/// Counts every line of one input, a chunk at a time: the chunk's lines are parsed in parallel (when the pool
/// started) and counted in their order.
fn read_into(
    tally: &mut Tally,
    mut lines: LineReader,
    name: &str,
    pool: Option<&rayon::ThreadPool>,
) {
    loop {
        let mut chunk: Vec<(usize, Result<Vec<u8>, String>)> = Vec::new();
        let mut held = 0usize;
        while chunk.len() < CHUNK && held < CHUNK_BYTES {
            match lines.next_line() {
                Some(l) => {
                    held += l.1.as_ref().map_or(0, Vec::len);
                    // An over-long line ends the chunk: its rest is dropped on the next read, which may never end.
                    let stop = l.1.is_err();
                    chunk.push(l);
                    if stop {
                        break;
                    }
                }
                None => break,
            }
        }
        if chunk.is_empty() {
            return;
        }
        let parse = |(n, l): &(usize, Result<Vec<u8>, String>)| {
            let line = match l {
                Ok(bytes) => parse_line(bytes),
                Err(e) => Line::Unreadable(e.clone()),
            };
            (*n, line)
        };
        let parsed: Vec<(usize, Line)> = match pool {
            Some(p) => p.install(|| chunk.par_iter().map(parse).collect()),
            None => chunk.iter().map(parse).collect(),
        };
        drop(chunk);
        for (n, line) in parsed {
            tally.add(line, || format!("{name}:{n}"));
        }
    }
}
