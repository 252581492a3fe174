//! `assessor summary RESULTS...` — caseload figures from what `assess --jsonl` wrote: files or `-`, read line by
//! line in flat memory (lines parsed in parallel a chunk at a time, counted in order), written by the library's
//! `summary` writers; dispatched by `run` in `cli.rs`.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;

use rayon::prelude::*;

use assessor::model::text::Lang;
use assessor::summary::{parse_case_head, parse_line, render, By, Format, Line, Origin, Tally};

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
    /// For results written before recommendations recorded their province and date of decision: the case files
    /// they were assessed from (the JSON Lines given to `assess --jsonl`, in the same order), from which the
    /// province and year of each case are read. A recommendation's own fields win; a case file that disagrees
    /// is reported.
    #[arg(long, value_name = "CASES")]
    cases: Option<PathBuf>,
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
    let mut cases = match &args.cases {
        None => None,
        Some(path) => match open(path) {
            Ok(reader) => Some(Cases {
                lines: LineReader::new(reader, args.max_size),
                name: path.display().to_string(),
            }),
            Err(why) => {
                stderr_line!("error: {}: {why}", path.display());
                return PROBLEMS;
            }
        },
    };
    for path in &args.results {
        let stdin = path.as_os_str() == "-";
        let name = if stdin {
            "<stdin>".to_string()
        } else {
            path.display().to_string()
        };
        let reader = match open(path) {
            Ok(r) => r,
            Err(why) => {
                stderr_line!("error: {name}: {why}");
                status = PROBLEMS;
                continue;
            }
        };
        let lines = LineReader::new(reader, args.max_size);
        if !read_into(&mut tally, lines, &name, &mut cases, pool.as_ref()) {
            status = PROBLEMS;
        }
    }
    if let Some(c) = cases.as_mut() {
        if let Some((n, _)) = c.lines.next_line() {
            stderr_line!(
                "warning: {}:{n}: more cases than results; the rest of the case files is not read",
                c.name
            );
        }
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

/// A stream (a file, a pipe, or `-` for standard input), or why it cannot be read.
fn open(path: &std::path::Path) -> Result<Box<dyn BufRead>, String> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(BufReader::new(std::io::stdin())));
    }
    // A stream may be a file or a pipe (`<(command)`); a device never ends (`/dev/zero`).
    super::stream_kind_ok(path)?;
    std::fs::File::open(path)
        .map(|f| Box::new(BufReader::with_capacity(1 << 20, f)) as Box<dyn BufRead>)
        .map_err(|e| format!("cannot read: {e}"))
}

/// "Hunan, decided 2022-09-01", for a message.
fn where_when(o: &Origin) -> String {
    format!(
        "{}, {}",
        o.province.as_deref().unwrap_or("no province"),
        o.decision_date
            .map_or("no decision date".to_string(), |d| format!("decided {d}"))
    )
}

/// The case files read beside the results (`--cases`).
struct Cases {
    lines: LineReader,
    name: String,
}

type Read = (usize, Result<Vec<u8>, String>);
/// A result line parsed: its number, what it holds, and its case line's number and head (id, origin).
type Parsed = (usize, Line, Option<(usize, Option<(String, Origin)>)>);

/// Counts every line of one input, a chunk at a time: the chunk's lines (and their case lines) are parsed in
/// parallel (when the pool started) and counted in their order. False when the case files were out of step.
fn read_into(
    tally: &mut Tally,
    mut lines: LineReader,
    name: &str,
    cases: &mut Option<Cases>,
    pool: Option<&rayon::ThreadPool>,
) -> bool {
    let mut in_step = true;
    loop {
        let mut chunk: Vec<(Read, Option<Read>)> = Vec::new();
        let mut held = 0usize;
        while chunk.len() < CHUNK && held < CHUNK_BYTES {
            match lines.next_line() {
                Some(l) => {
                    held += l.1.as_ref().map_or(0, Vec::len);
                    // An over-long line ends the chunk: its rest is dropped on the next read, which may never end.
                    let stop = l.1.is_err();
                    let case = cases.as_mut().and_then(|c| c.lines.next_line());
                    chunk.push((l, case));
                    if stop {
                        break;
                    }
                }
                None => break,
            }
        }
        if chunk.is_empty() {
            return in_step;
        }
        let parse = |((n, l), case): &(Read, Option<Read>)| {
            let line = match l {
                Ok(bytes) => parse_line(bytes),
                Err(e) => Line::Unreadable(e.clone()),
            };
            let head = case
                .as_ref()
                .map(|(m, c)| (*m, c.as_ref().ok().and_then(|b| parse_case_head(b))));
            (*n, line, head)
        };
        let parsed: Vec<Parsed> = match pool {
            Some(p) => p.install(|| chunk.par_iter().map(parse).collect()),
            None => chunk.iter().map(parse).collect(),
        };
        drop(chunk);
        for (n, line, head) in parsed {
            let origin = match (&line, cases.as_ref()) {
                (Line::Rec(r), Some(c)) => match head {
                    Some((m, Some((id, origin)))) if id == r.case_id => match r.origin() {
                        Some(own) if own != origin => {
                            stderr_line!(
                                "error: {name}:{n} is the recommendation for case {id} in {} but {}:{m} says {}: \
                                 --cases must be the case files the results were assessed from, in the same \
                                 order; the recommendations' own province and date are counted",
                                where_when(&own),
                                c.name,
                                where_when(&origin)
                            );
                            *cases = None;
                            in_step = false;
                            None
                        }
                        _ => Some(origin),
                    },
                    other => {
                        let there = match other {
                            Some((m, Some((id, _)))) => format!("{}:{m} is case {id}", c.name),
                            Some((m, None)) => format!("{}:{m} is not a case file", c.name),
                            None => format!("{} has ended", c.name),
                        };
                        stderr_line!(
                            "error: {name}:{n} is the recommendation for case {} but {there}: --cases must be \
                             the case files the results were assessed from, in the same order; from here on the \
                             province and year are as the recommendations record them",
                            r.case_id
                        );
                        *cases = None;
                        in_step = false;
                        None
                    }
                },
                _ => None,
            };
            tally.add_with(line, origin, || format!("{name}:{n}"));
        }
    }
}
