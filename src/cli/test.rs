//! `assessor test [--rules DIR] [PATH...] [--coverage]`
//!
//! Runs a policy's expectation tests and writes the results and coverage; dispatched by `run` in `cli.rs`.

use std::io::Write;
use std::path::PathBuf;

use unicode_width::UnicodeWidthStr;

use assessor::expect::{self, Coverage, TestResult};

use super::{PolicyArgs, OK, PROBLEMS};

/// Output format of `test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TestFormat {
    /// Pass/fail lines and a readable account of each failure.
    Text,
    /// One JSON object with every result (and the coverage).
    Json,
}

/// Arguments of `test`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    policy: PolicyArgs,
    /// Expectation files or folders (default: the `tests` folder of the policy, `rules/tests`).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Also report which rules, provisions and parameters the tests' cases exercise.
    #[arg(long)]
    coverage: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: TestFormat,
}

/// Runs `test`.
pub fn run(args: Args) -> u8 {
    let policy = match super::load_policy(&args.policy) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let paths = if args.paths.is_empty() {
        vec![args
            .policy
            .rules
            .clone()
            .unwrap_or_else(|| PathBuf::from("rules"))
            .join("tests")]
    } else {
        args.paths.clone()
    };
    if let Some(missing) = paths.iter().find(|p| !p.exists()) {
        stderr_line!(
            "error: {}: no such expectation file or folder; pass the expectation files to run",
            missing.display()
        );
        return PROBLEMS;
    }
    let files = expect::find_files(&paths);
    let tests = match expect::load(&files) {
        Ok(t) => t,
        Err(errors) => {
            for e in &errors {
                stderr_line!("{}\n", e.render());
            }
            stderr_line!(
                "error: the expectation files could not be read ({} problem(s))",
                errors.len()
            );
            return PROBLEMS;
        }
    };
    let rules_arg = args.policy.rules.as_ref().map(|p| p.display().to_string());
    let mut results = Vec::new();
    let mut recs = Vec::new();
    for t in &tests {
        let (result, rec) = expect::run(t, &policy, rules_arg.as_deref());
        results.push(result);
        recs.extend(rec);
    }
    let coverage = args.coverage.then(|| expect::coverage(&policy, &recs));
    let failed = results.iter().filter(|r| !r.passed()).count();
    let code = if failed > 0 || results.is_empty() {
        PROBLEMS
    } else {
        OK
    };
    super::with_stdout(|w| print(w, args.format, &results, coverage.as_ref(), code))
}

fn print(
    out: &mut dyn Write,
    format: TestFormat,
    results: &[TestResult],
    coverage: Option<&Coverage>,
    code: u8,
) -> std::io::Result<u8> {
    let failed = results.iter().filter(|r| !r.passed()).count();
    match format {
        TestFormat::Json => {
            let json = serde_json::json!({
                "passed": results.len() - failed,
                "failed": failed,
                "results": results,
                "coverage": coverage,
            });
            serde_json::to_writer_pretty(&mut *out, &json)?;
            writeln!(out)?;
        }
        TestFormat::Text => {
            print_results(out, results)?;
            if let Some(c) = coverage {
                print_coverage(out, c)?;
            }
            writeln!(out, "{} passed, {} failed", results.len() - failed, failed)?;
        }
    }
    out.flush()?;
    Ok(code)
}

fn print_results(out: &mut dyn Write, results: &[TestResult]) -> std::io::Result<()> {
    for r in results {
        if r.passed() {
            writeln!(out, "PASS  {}", r.name)?;
        } else {
            writeln!(out, "FAIL  {}  ({})", r.name, r.location)?;
            for f in &r.failures {
                writeln!(out, "        {f}")?;
            }
            writeln!(out, "        reproduce: {}", r.reproduce)?;
        }
    }
    if results.is_empty() {
        writeln!(out, "no tests found")?;
    }
    Ok(())
}

fn print_coverage(out: &mut dyn Write, c: &Coverage) -> std::io::Result<()> {
    writeln!(out, "\nRule coverage over {} case(s):", c.cases)?;
    writeln!(
        out,
        "  {:<58} {:>5} {:>8} {:>8} {:>8}",
        "rule", "met", "not met", "unknown", "not run"
    )?;
    for r in &c.rules {
        // Padded in terminal columns: a rule id may hold CJK characters, two columns each.
        let pad = " ".repeat(58usize.saturating_sub(UnicodeWidthStr::width(r.rule.as_str())));
        writeln!(
            out,
            "  {}{pad} {:>5} {:>8} {:>8} {:>8}",
            r.rule, r.met, r.not_met, r.unknown, r.not_run
        )?;
    }
    for (title, items) in [
        ("Rules never met", &c.never_met),
        ("Provisions never exercised", &c.provisions_never_exercised),
        ("Parameters never read", &c.parameters_never_read),
    ] {
        if items.is_empty() {
            writeln!(out, "\n{title}: none")?;
        } else {
            writeln!(out, "\n{title}:")?;
            for i in items {
                writeln!(out, "  - {i}")?;
            }
        }
    }
    writeln!(out)
}
