//! Command-line arguments and dispatch, called by `main.rs`: each subcommand lives in its own file under `cli/`;
//! here are what they share (loading the policy, reading inputs in bounded memory, writing to standard output
//! with a broken pipe ending quietly, the CLI's own `--format` and `--lang` values).

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use assessor::model::text::Lang;
use assessor::report::Format;
use assessor::{Policy, PolicyError};

/// Writes a line to standard error, as `eprintln!` does, but through [`write_stderr`], which ignores a failed
/// write (a full disk, a closed stream): the command still ends with its own exit code instead of panicking.
macro_rules! stderr_line {
    ($($arg:tt)*) => {
        $crate::cli::write_stderr(format_args!($($arg)*))
    };
}

mod assess;
mod check;
mod diff;
mod interview;
mod output;
mod rules;
mod schema;
#[cfg(feature = "serve")]
mod serve;
mod summary;
mod test;
mod validate;

/// Writes one line to standard error (the body of [`stderr_line!`]); a failed write is ignored, since there is
/// nowhere left to say so.
pub fn write_stderr(args: std::fmt::Arguments) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.write_all(b"\n"));
}

/// Exit code: the command ran and found nothing wrong.
pub const OK: u8 = 0;
/// Exit code: the command ran and found problems (an invalid case, a failing rule, a lint error).
pub const PROBLEMS: u8 = 1;
/// Exit code: the arguments do not make sense together (as clap's own usage errors).
pub const USAGE: u8 = 2;
/// Exit code: the policy could not be loaded.
pub const POLICY_FAILED: u8 = 3;

/// Recommends national judicial assistance (国家司法救助) from a rhai policy, and explains why.
#[derive(Debug, Parser)]
#[command(name = "assessor", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Assess case files and print an explained recommendation for each.
    Assess(assess::Args),
    /// Check case files against the case schema; print every error with its JSON Pointer.
    Validate(validate::Args),
    /// Print a JSON Schema.
    Schema(schema::Args),
    /// Compile and check a policy: syntax, headers, unknown facts and parameters, with file:line:col.
    Check(check::Args),
    /// Run a policy's expectation tests (rules/tests/*.toml); report failures and, with --coverage, coverage.
    Test(test::Args),
    /// List a policy's rules and parameters: the page to print when reviewing a policy.
    Rules(rules::Args),
    /// How a policy change moves each case, grouped by cause (base: a folder or a git revision).
    Diff(diff::Args),
    /// Build a case file by answering only the questions that matter for it.
    Interview(interview::Args),
    /// Serve the HTTP API and the browser workbench (loopback only unless --allow-remote).
    #[cfg(feature = "serve")]
    Serve(serve::Args),
    /// Caseload figures and charts from the results of `assess --jsonl`.
    Summary(summary::Args),
}

/// Runs a parsed command and returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Assess(a) => assess::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Schema(a) => schema::run(a),
        Command::Check(a) => check::run(a),
        Command::Test(a) => test::run(a),
        Command::Rules(a) => rules::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Interview(a) => interview::run(a),
        #[cfg(feature = "serve")]
        Command::Serve(a) => serve::run(a),
        Command::Summary(a) => summary::run(a),
    }
}

/// Options shared by commands that load a policy.
#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    /// A policy folder (with policy.toml); default: the policy embedded in this binary.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
}

impl PolicyArgs {
    /// Loads the policy (the folder given, else the embedded one), or every reason it could not be loaded.
    pub fn load(&self) -> Result<Policy, Vec<PolicyError>> {
        match &self.rules {
            Some(dir) => Policy::from_dir(dir),
            None => Policy::embedded(),
        }
    }
}

/// Loads the policy, or reports why it could not be loaded and gives the exit code to return.
/// The case schema's validator is built on the other core meanwhile: almost every command reads cases next.
pub fn load_policy(args: &PolicyArgs) -> Result<Policy, u8> {
    let (policy, ()) = rayon::join(|| args.load(), assessor::validate::warm_up);
    policy.map_err(|errors| {
        report_policy_errors(&errors);
        POLICY_FAILED
    })
}

/// Prints policy errors to stderr.
pub fn report_policy_errors(errors: &[PolicyError]) {
    for e in errors {
        stderr_line!("{}\n", e.render());
    }
    stderr_line!(
        "error: the policy could not be loaded ({} problem{})",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
}

/// Largest case file read, in bytes, unless `--max-size` says otherwise.
pub const DEFAULT_MAX_SIZE: u64 = assessor::validate::DEFAULT_MAX_SIZE;

/// One input: its name as shown to users and its bytes, or why it could not be read.
pub struct Input {
    pub name: String,
    pub bytes: Result<Vec<u8>, String>,
}

/// Expands the CASE arguments: `-` is stdin, a folder is its `*.json` files in name order.
pub fn read_inputs(paths: &[PathBuf], max_size: u64) -> Vec<Input> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            let mut buf = Vec::new();
            let bytes = std::io::stdin()
                .take(max_size + 1)
                .read_to_end(&mut buf)
                .map_err(|e| format!("cannot read standard input: {e}"))
                .and_then(|_| too_big(buf, max_size));
            out.push(Input {
                name: "<stdin>".into(),
                bytes,
            });
        } else if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|f| f.extension().is_some_and(|x| x == "json"))
                        .collect()
                })
                .unwrap_or_default();
            files.sort();
            if files.is_empty() {
                out.push(Input {
                    name: p.display().to_string(),
                    bytes: Err("the folder holds no .json case files".into()),
                });
            }
            for f in files {
                out.push(read_file(&f, max_size, false));
            }
        } else {
            out.push(read_file(p, max_size, true));
        }
    }
    out
}

fn too_big(buf: Vec<u8>, max: u64) -> Result<Vec<u8>, String> {
    if buf.len() as u64 > max {
        Err(format!("the input is larger than {max} bytes; raise the limit with --max-size if it is really a case file"))
    } else {
        Ok(buf)
    }
}

/// Reads a case file: a regular file, or a pipe when the user named it (`<(command)`); in a folder, regular
/// files only.
fn read_file(path: &Path, max_size: u64, named: bool) -> Input {
    use assessor::validate::ReadError;
    let name = path.display().to_string();
    let bytes = assessor::validate::read_case_file(path, max_size, named).map_err(|e| match e {
        ReadError::TooBig { .. } | ReadError::Overflow { .. } => {
            format!("{e}; raise it with --max-size if it is really a case file")
        }
        _ => e.to_string(),
    });
    Input { name, bytes }
}

/// The exit code of a command whose output went to standard output: its own code when every write succeeded;
/// `OK`, quietly, when the reader went away (`| head -1`); otherwise the write error is reported (`> /dev/full`)
/// and the code is `PROBLEMS`.
pub fn output_status(result: std::io::Result<u8>) -> u8 {
    match result {
        Ok(code) => code,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => OK,
        Err(e) => {
            stderr_line!("error: cannot write the output: {e}");
            PROBLEMS
        }
    }
}

/// Runs `body` with standard output as its writer (line-buffered, as standard output is, so that its lines keep
/// their place among messages on standard error; flushed at the end) and returns its exit code, or that of a
/// failed write (see [`output_status`]).
pub fn with_stdout(body: impl FnOnce(&mut dyn Write) -> std::io::Result<u8>) -> u8 {
    let mut out = std::io::stdout().lock();
    output_status(body(&mut out).and_then(|code| out.flush().map(|()| code)))
}

/// `--format` of `assess`: which of the library's [`Format`]s to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// A short report for people.
    Text,
    /// JSON for systems (one object; JSON Lines in batches).
    Json,
    /// A report for case records.
    Markdown,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Text => Format::Text,
            FormatArg::Json => Format::Json,
            FormatArg::Markdown => Format::Markdown,
        }
    }
}

/// `--lang`: a language of the library's [`Lang`], as its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LangArg {
    /// English.
    En,
    /// Chinese (简体中文).
    Zh,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::En => Lang::En,
            LangArg::Zh => Lang::Zh,
        }
    }
}

/// The format to print when none is asked for: text on a terminal, JSON otherwise.
pub fn default_format(asked: Option<FormatArg>) -> Format {
    use std::io::IsTerminal;
    match asked {
        Some(f) => f.into(),
        None if std::io::stdout().is_terminal() => Format::Text,
        None => Format::Json,
    }
}

/// Whether a path named as a stream of lines may be read: a regular file or a pipe, not a device, socket or
/// folder (`/dev/zero` would be one endless line).
pub fn stream_kind_ok(path: &Path) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    #[cfg(unix)]
    let pipe = std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type());
    #[cfg(not(unix))]
    let pipe = false;
    if meta.is_dir() {
        Err("is a folder, not a file of lines".into())
    } else if meta.is_file() || pipe {
        Ok(())
    } else {
        Err(
            "is not a regular file or a pipe (a device or socket); only files and pipes are read"
                .into(),
        )
    }
}

/// Reads lines of at most `max` bytes without ever holding a longer one (the rest of an over-long line is
/// read and dropped piece by piece, in flat memory); blank lines are skipped unless asked for.
pub struct LineReader {
    inner: Box<dyn BufRead>,
    max: u64,
    /// The number of the last line read (1-based).
    pub line: usize,
    /// Bytes read so far.
    pub bytes: u64,
    done: bool,
    keep_blank: bool,
    /// The rest of an over-long line is still to be dropped (done on the next call, so that the lines before it
    /// can be written first even when it never ends).
    skip_pending: bool,
}

impl LineReader {
    /// Lines of at most `max` bytes (without the line ending) from `inner`.
    pub fn new(inner: Box<dyn BufRead>, max: u64) -> Self {
        LineReader {
            inner,
            max,
            line: 0,
            bytes: 0,
            done: false,
            keep_blank: false,
            skip_pending: false,
        }
    }

    /// Also return blank lines (an interview's blank answer means "I do not know").
    pub fn keep_blank(mut self) -> Self {
        self.keep_blank = true;
        self
    }

    /// The next non-blank line and its number, an error in its place when it is too long or cannot be read, or
    /// `None` at the end.
    pub fn next_line(&mut self) -> Option<(usize, Result<Vec<u8>, String>)> {
        loop {
            if self.done {
                return None;
            }
            let fail = |this: &mut Self, e: std::io::Error| {
                // A read error ends this input: reading on would repeat it forever.
                this.done = true;
                this.line += 1;
                Some((this.line, Err(format!("cannot read: {e}"))))
            };
            if self.skip_pending {
                // Drop the rest of the line without holding it (std's skip_until reads it buffer by buffer).
                self.skip_pending = false;
                match self.inner.skip_until(b'\n') {
                    Ok(n) => self.bytes += n as u64,
                    Err(e) => return fail(self, e),
                }
            }
            let mut buf = Vec::new();
            // Room for the line, a `\r` and the `\n`: a CRLF line of exactly `max` bytes is not too long.
            let read = (&mut self.inner)
                .take(self.max.saturating_add(2))
                .read_until(b'\n', &mut buf);
            match read {
                Ok(0) => {
                    self.done = true;
                    return None;
                }
                Ok(n) => self.bytes += n as u64,
                Err(e) => return fail(self, e),
            }
            self.line += 1;
            let ended = buf.last() == Some(&b'\n');
            if ended {
                buf.pop();
            }
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            if buf.len() as u64 > self.max {
                // Its end is still to be read, unless the line break was read with it.
                self.skip_pending = !ended;
                return Some((
                    self.line,
                    Err(format!(
                        "the line is longer than {} bytes; raise the limit with --max-size",
                        self.max
                    )),
                ));
            }
            if !self.keep_blank && buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some((self.line, Ok(buf)));
        }
    }
}
