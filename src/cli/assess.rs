//! `assessor assess CASE...` — one case as a report, or many as JSON Lines.
//!
//! Reads case files (or JSON Lines), assesses them on a worker pool and writes each report to standard
//! output or `--out`; dispatched by `run` in `cli.rs`.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;

use rayon::prelude::*;

use assessor::model::text::Lang;
use assessor::report::{self, Format};

use assessor::validate::parse_case;
use assessor::Policy;

use super::output::{folder_ids, input_ids, AtomicFile};
use super::{
    default_format, read_inputs, FormatArg, LangArg, LineReader, PolicyArgs, DEFAULT_MAX_SIZE, OK,
    PROBLEMS, USAGE,
};

/// Arguments of `assess`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Case files, folders of case files, or `-` for standard input (with --jsonl: JSON Lines files or `-`).
    #[arg(required = true, value_name = "CASE")]
    cases: Vec<PathBuf>,
    /// Output format (default: text on a terminal, JSON otherwise; JSON Lines for several cases).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    #[command(flatten)]
    policy: PolicyArgs,
    /// Read the inputs as JSON Lines: one case per line. Output is one JSON line per input line, in order.
    #[arg(long)]
    jsonl: bool,
    /// Write the output to FILE, atomically (a temporary file renamed into place when complete).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Largest case (file or line) to read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_SIZE)]
    max_size: u64,
    /// Worker threads, 1 to 256 (default: every core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=MAX_JOBS))]
    jobs: Option<u16>,
    /// Do not work out what would change the outcome (done by default for a single case, never for batches).
    #[arg(long)]
    no_what_if: bool,
    /// The language of the report and of every text in JSON (codes stay the same): one the policy declares in
    /// `languages` (default: its first).
    #[arg(long, value_enum, value_name = "LANG")]
    lang: Option<LangArg>,
    /// `none`: the compact form for systems — JSON with codes and values only (decisions, rule ids, outcomes,
    /// values, facts, steps, caps, referrals' codes), no text in any language; any language's texts can be
    /// rebuilt from it later. `full` (default): every text, in --lang.
    #[arg(long, value_enum, value_name = "TEXTS", default_value = "full")]
    texts: TextsArg,
}

/// Whether the output carries texts (`--texts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TextsArg {
    /// Every text, in the language of --lang.
    Full,
    /// Codes and values only (JSON).
    None,
}

/// Where the output goes: standard output, or a temporary file that becomes FILE only when complete.
enum Sink {
    Stdout(std::io::BufWriter<std::io::Stdout>),
    File(std::io::BufWriter<AtomicFile>),
}

impl Sink {
    fn open(
        out: Option<&PathBuf>,
        inputs: &[PathBuf],
        rules: Option<&PathBuf>,
    ) -> Result<Sink, String> {
        match out {
            None => Ok(Sink::Stdout(std::io::BufWriter::new(std::io::stdout()))),
            Some(target) => {
                let mut ids = input_ids(inputs);
                ids.extend(rules.map(|d| folder_ids(d)).unwrap_or_default());
                Ok(Sink::File(std::io::BufWriter::new(AtomicFile::create(
                    target, &ids,
                )?)))
            }
        }
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Sink::Stdout(w) => w,
            Sink::File(w) => w,
        }
    }

    fn finish(self) -> std::io::Result<()> {
        match self {
            Sink::Stdout(mut w) => w.flush(),
            Sink::File(w) => w
                .into_inner()
                .map_err(std::io::IntoInnerError::into_error)?
                .commit()
                .map_err(std::io::Error::other),
        }
    }
}

/// Runs `assess`.
pub fn run(args: Args) -> u8 {
    if args.jsonl && matches!(args.format, Some(FormatArg::Text | FormatArg::Markdown)) {
        stderr_line!(
            "error: --jsonl writes one JSON line per input line; --format text or markdown cannot be used with it\n  \
             = help: drop --format, or assess case files without --jsonl for text reports"
        );
        return USAGE;
    }
    if args.texts == TextsArg::None
        && matches!(args.format, Some(FormatArg::Text | FormatArg::Markdown))
    {
        stderr_line!(
            "error: --texts none writes codes and values only, as JSON; a text or Markdown report needs its texts\n  \
             = help: drop --format (or use --format json), or drop --texts none"
        );
        return USAGE;
    }
    // One pool for the whole run, owned here (rayon's global pool cannot be rebuilt, and building it can fail).
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.map_or(0, usize::from))
        .build()
    {
        Ok(p) => p,
        Err(e) => {
            stderr_line!("error: cannot start the worker threads: {e}; try a smaller --jobs");
            return PROBLEMS;
        }
    };
    pool.install(|| run_in_pool(args))
}

/// Most worker threads `--jobs` accepts: beyond the cores they only cost memory and start-up time.
const MAX_JOBS: i64 = 256;

fn run_in_pool(args: Args) -> u8 {
    let policy = match super::load_policy(&args.policy) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let lang = args.lang.map_or(policy.primary_language(), Lang::from);
    if let Some(missing) = policy.missing_language(lang) {
        stderr_line!(
            "error: {missing}\n  = help: its languages are {}; a policy declares more with `languages = [...]` in \
             policy.toml and a text per language in every rule header",
            policy.language_codes()
        );
        return PROBLEMS;
    }
    let mut sink = match Sink::open(args.out.as_ref(), &args.cases, args.policy.rules.as_ref()) {
        Ok(s) => s,
        Err(e) => {
            stderr_line!("error: {e}");
            return PROBLEMS;
        }
    };
    let texts = match args.texts {
        TextsArg::Full => Some(lang),
        TextsArg::None => None,
    };
    let status = if args.jsonl {
        run_jsonl(&args, &policy, texts, &mut sink)
    } else {
        run_files(&args, &policy, texts, &mut sink)
    };
    // A reader that stops early (`| head`) is not an error; any other failed write is.
    let code = super::output_status(status.and_then(|s| sink.finish().map(|()| s)));
    // The process ends right after: freeing the compiled rules, their texts and tables one by one would only delay
    // it (about 2 M of the 72 M instructions of a start-up on one case); the system takes the memory back at once.
    std::mem::forget(policy);
    code
}

/// One case's recommendation, with its texts in `texts`' language or none (the compact form), or every reason it
/// has none.
fn assess_one(
    bytes: &[u8],
    policy: &Policy,
    texts: Option<Lang>,
    what_if: bool,
) -> Result<assessor::Recommendation, Vec<String>> {
    let case =
        parse_case(bytes).map_err(|errs| errs.iter().map(|e| e.to_string()).collect::<Vec<_>>())?;
    let mut rec = assessor::assess::assess(&case, policy).map_err(|e| vec![e.to_string()])?;
    if what_if {
        rec.what_if = Some(assessor::explain::whatif::explore(&case.json, &rec, policy));
    }
    if let Some(lang) = texts {
        assessor::explain::localise::localise(&mut rec, policy, lang);
    }
    Ok(rec)
}

/// One recommendation as a line of JSON (with its newline), built on a worker thread and written in order.
fn json_line(r: &assessor::Recommendation) -> Result<Vec<u8>, Vec<String>> {
    let mut line = Vec::new();
    report::json(&mut line, r, false)
        .map_err(|e| vec![format!("cannot write the recommendation as JSON: {e}")])?;
    line.push(b'\n');
    Ok(line)
}

fn error_line(position: usize, input: &str, errors: &[String]) -> String {
    serde_json::json!({ "position": position, "input": input, "errors": errors }).to_string()
}

fn run_files(
    args: &Args,
    policy: &Policy,
    texts: Option<Lang>,
    sink: &mut Sink,
) -> std::io::Result<u8> {
    // The compact form is JSON, whatever a terminal would get by default.
    let format = if texts.is_none() {
        Format::Json
    } else {
        default_format(args.format)
    };
    let inputs = read_inputs(&args.cases, args.max_size);
    let many = inputs.len() > 1;
    let what_if = !many && !args.no_what_if;
    let results: Vec<Result<assessor::Recommendation, Vec<String>>> = inputs
        .par_iter()
        .map(|input| match &input.bytes {
            Ok(bytes) => assess_one(bytes, policy, texts, what_if),
            Err(e) => Err(vec![e.clone()]),
        })
        .collect();
    let mut status = OK;
    let out = sink.writer();
    for (index, (input, result)) in inputs.iter().zip(results).enumerate() {
        match result {
            Ok(rec) => {
                if many && format != Format::Json && index > 0 {
                    writeln!(out)?;
                }
                report::write(out, format, &rec, policy.labels(rec.language), !many)?;
            }
            Err(errors) => {
                status = PROBLEMS;
                for e in &errors {
                    stderr_line!("{}: {e}", input.name);
                }
                if format == Format::Json && many {
                    writeln!(out, "{}", error_line(index + 1, &input.name, &errors))?;
                }
            }
        }
    }
    Ok(status)
}

/// A progress bar on stderr for a long batch: only on a terminal, never when stderr is redirected or in CI.
fn progress(total_bytes: Option<u64>) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
        return indicatif::ProgressBar::hidden();
    }
    let style = |t: &str| {
        indicatif::ProgressStyle::with_template(t)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
    };
    match total_bytes {
        Some(n) => indicatif::ProgressBar::new(n)
            .with_style(style("{bar:30} {percent:>3}%  {msg}  eta {eta}")),
        None => indicatif::ProgressBar::new_spinner().with_style(style("{spinner} {msg}")),
    }
}

/// Lines read and assessed at a time: enough to keep every core busy, few enough to keep memory flat.
const CHUNK: usize = 1024;
/// Bytes of input lines held at a time: with `--max-size` this bounds the memory of a batch whatever its lines
/// hold (a chunk stops at the line that reaches it).
const CHUNK_BYTES: usize = 32 * 1024 * 1024;

fn run_jsonl(
    args: &Args,
    policy: &Policy,
    texts: Option<Lang>,
    sink: &mut Sink,
) -> std::io::Result<u8> {
    let mut status = OK;
    let mut position = 0usize;
    for path in &args.cases {
        let name = if path.as_os_str() == "-" {
            "<stdin>".to_string()
        } else {
            path.display().to_string()
        };
        let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
            Box::new(BufReader::new(std::io::stdin()))
        } else {
            // A stream may be a file or a pipe (`<(command)`); a device never ends (`/dev/zero`).
            if let Err(why) = super::stream_kind_ok(path) {
                status = PROBLEMS;
                stderr_line!("{name}: {why}");
                continue;
            }
            match std::fs::File::open(path) {
                Ok(f) => Box::new(BufReader::new(f)),
                Err(e) => {
                    status = PROBLEMS;
                    stderr_line!("{name}: cannot read: {e}");
                    continue;
                }
            }
        };
        let size = if path.as_os_str() == "-" {
            None
        } else {
            std::fs::metadata(path).ok().map(|m| m.len())
        };
        let bar = progress(size);
        let started = std::time::Instant::now();
        let mut lines = LineReader::new(reader, args.max_size);
        loop {
            let mut chunk: Vec<(usize, Result<Vec<u8>, String>)> = Vec::new();
            let mut held = 0usize;
            // At most CHUNK lines and CHUNK_BYTES bytes (and always at least one line).
            while chunk.len() < CHUNK && held < CHUNK_BYTES {
                match lines.next_line() {
                    Some(l) => {
                        held += l.1.as_ref().map_or(0, Vec::len);
                        // An over-long or unreadable line ends the chunk: what came before it is written before
                        // the rest of that line is read, which may never end (`cat /dev/zero`).
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
                break;
            }
            let out: Vec<Result<Vec<u8>, Vec<String>>> = chunk
                .par_iter()
                .map(|(_, line)| match line {
                    Ok(bytes) => {
                        assess_one(bytes, policy, texts, false).and_then(|r| json_line(&r))
                    }
                    Err(e) => Err(vec![e.clone()]),
                })
                .collect();
            bar.set_position(lines.bytes);
            let rate = position as f64 / started.elapsed().as_secs_f64().max(1e-9);
            bar.set_message(format!(
                "{} cases, {rate:.0} cases/s",
                position + chunk.len()
            ));
            bar.tick();
            let w = sink.writer();
            for ((line_no, _), result) in chunk.iter().zip(out) {
                position += 1;
                match result {
                    Ok(json) => w.write_all(&json)?,
                    Err(errors) => {
                        status = PROBLEMS;
                        let input = format!("{name}:{line_no}");
                        for e in &errors {
                            stderr_line!("{input}: {e}");
                        }
                        writeln!(w, "{}", error_line(position, &input, &errors))?;
                    }
                }
            }
            // Each chunk's results reach the reader now, not when the stream ends (which it may never do).
            w.flush()?;
        }
        bar.finish_and_clear();
    }
    Ok(status)
}
