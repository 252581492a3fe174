//! Writes generated case files as JSON Lines: `cargo run --release --example generate -- [SEED] [COUNT] > cases.jsonl`.
//! The same seed always gives the same cases (see `assessor::generate`).

use std::io::Write;

fn main() {
    let mut args = std::env::args().skip(1);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let count: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let mut generator = assessor::generate::Generator::new(seed);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for _ in 0..count {
        if writeln!(out, "{}", generator.case()).is_err() {
            return;
        }
    }
    let _ = out.flush();
}
