//! `assessor serve [--addr 127.0.0.1:8080] [--rules DIR] [--lang zh|en]`
//!
//! Serves the HTTP API and the browser workbench (the library's `serve` module) until Ctrl-C; prints the address
//! it listens on. Dispatched by `run` in `cli.rs`.

use std::net::SocketAddr;
use std::time::Duration;

use assessor::model::text::Lang;
use assessor::serve::{bind, Config};

use super::{LangArg, PolicyArgs, DEFAULT_MAX_SIZE, OK, PROBLEMS, USAGE};

/// Arguments of `serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address and port to listen on (port 0: any free port, printed at start).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Allow an address other than loopback (the API then answers anyone who can reach it, unencrypted).
    #[arg(long)]
    allow_remote: bool,
    #[command(flatten)]
    policy: PolicyArgs,
    /// The language of answers that ask for none, and of the page at first.
    #[arg(long, value_enum, default_value = "zh")]
    lang: LangArg,
    /// Largest request body (a case file), in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_SIZE)]
    max_size: u64,
    /// Longest time a request may take, in seconds, its body included.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
    /// Most requests in flight at once; more get 503 at once.
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    max_requests: u32,
    /// No log line per request on standard error.
    #[arg(long)]
    quiet: bool,
}

/// Runs `serve`.
pub fn run(args: Args) -> u8 {
    let policy = match super::load_policy(&args.policy) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let lang = Lang::from(args.lang);
    if let Some(missing) = policy.missing_language(lang) {
        stderr_line!("error: {missing}");
        return USAGE;
    }
    let mut config = Config::new(args.addr);
    config.allow_remote = args.allow_remote;
    config.lang = lang;
    config.max_size = args.max_size;
    config.timeout = Duration::from_secs(args.timeout);
    config.max_requests = args.max_requests as usize;
    config.log = !args.quiet;
    if !args.addr.ip().is_loopback() && args.allow_remote {
        stderr_line!(
            "warning: listening on {}, not only on this machine: anyone who can reach it can send cases and read \
             the answers, unencrypted (put it behind an HTTPS proxy with access control)",
            args.addr
        );
    }
    let bound = match bind(config, policy) {
        Ok(b) => b,
        Err(e) => {
            stderr_line!("error: {e}");
            return if e.contains("not a loopback") {
                USAGE
            } else {
                PROBLEMS
            };
        }
    };
    let printed = super::with_stdout(|w| {
        writeln!(w, "listening on http://{}/", bound.addr())?;
        w.flush()?;
        Ok(OK)
    });
    if printed != OK {
        return printed;
    }
    match bound.run() {
        Ok(()) => OK,
        Err(e) => {
            stderr_line!("error: the server stopped: {e}");
            PROBLEMS
        }
    }
}
