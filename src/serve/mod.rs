//! `assessor serve`: the HTTP API and the browser workbench, on axum and tokio, over the same library calls as the
//! CLI (same answers, same messages). Built with the `serve` feature (on by default).
//!
//! - [`Config`]: the address, the language, the limits; [`bind`] opens the socket (loopback unless
//!   `allow_remote`), [`Bound::run`] serves until Ctrl-C or SIGTERM.
//! - Every request passes `guard`: a bound on requests in flight (beyond it: 503 at once, never a queue that
//!   grows without end), a time limit (408, a slow body included), the security headers (a Content-Security-Policy
//!   with no inline script and no other origin), and a log line with the method, path, status, time and case id —
//!   never a case's content.
//! - The policy is loaded once and shared ([`Arc`]); assessments run on tokio's blocking pool, at most one per
//!   core at a time (a semaphore; the others wait their turn within the time limit).
//! - The routes are in [`api`] (JSON) and [`page`] (the embedded page); [`step`] is the stateless interview step.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::sync::Semaphore;

use crate::model::text::Lang;
use crate::policy::Policy;

pub mod api;
mod error;
pub mod page;
pub mod step;

pub use error::ApiError;

/// The Content-Security-Policy of every response: scripts and styles from this server only, no plugins, no
/// framing, no inline script.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                       object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen.
    pub addr: SocketAddr,
    /// Listen on an address other than loopback (the caller warns).
    pub allow_remote: bool,
    /// The language of answers that ask for none.
    pub lang: Lang,
    /// Largest request body, in bytes (the CLI's `--max-size`).
    pub max_size: u64,
    /// Longest time a request may take, body included.
    pub timeout: Duration,
    /// Most requests in flight at once; more get 503.
    pub max_requests: usize,
    /// Assessments run at once (the others wait): by default one per core.
    pub workers: usize,
    /// Write a log line per request to standard error.
    pub log: bool,
}

impl Config {
    /// The defaults: loopback port 8080, Chinese, the CLI's size limit, 30 s, 256 requests, one worker per core.
    pub fn new(addr: SocketAddr) -> Config {
        Config {
            addr,
            allow_remote: false,
            lang: Lang::Zh,
            max_size: crate::validate::DEFAULT_MAX_SIZE,
            timeout: Duration::from_secs(30),
            max_requests: 256,
            workers: std::thread::available_parallelism().map_or(2, usize::from),
            log: true,
        }
    }
}

/// What every handler shares.
pub struct Shared {
    /// The policy, loaded once.
    pub policy: Policy,
    /// The server's settings.
    pub config: Config,
    /// Requests in flight.
    in_flight: Semaphore,
    /// Assessments running.
    pub(crate) workers: Arc<Semaphore>,
}

/// The state handlers receive.
pub type AppState = Arc<Shared>;

/// A socket bound and the application ready to serve on it.
pub struct Bound {
    listener: std::net::TcpListener,
    app: Router,
    addr: SocketAddr,
}

impl Bound {
    /// The address listened on (with the port the system chose for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until Ctrl-C or SIGTERM (or for ever, in a test's thread). Builds its own tokio runtime.
    pub fn run(self) -> std::io::Result<()> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("serve")
            .build()?;
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(self.listener)?;
            axum::serve(listener, self.app)
                .with_graceful_shutdown(stopped())
                .await
        })
    }
}

async fn stopped() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Binds the address and builds the application. Refuses an address other than loopback unless
/// `config.allow_remote`.
pub fn bind(config: Config, policy: Policy) -> Result<Bound, String> {
    if !config.addr.ip().is_loopback() && !config.allow_remote {
        return Err(format!(
            "--addr {}: not a loopback address; the server listens on this machine only unless --allow-remote is \
             given (case data would cross the network unencrypted)",
            config.addr
        ));
    }
    let listener = std::net::TcpListener::bind(config.addr)
        .map_err(|e| format!("--addr {}: cannot listen: {e}", config.addr))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("--addr {}: {e}", config.addr))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("--addr {}: {e}", config.addr))?;
    let state = Arc::new(Shared {
        in_flight: Semaphore::new(config.max_requests.max(1)),
        workers: Arc::new(Semaphore::new(config.workers.max(1))),
        policy,
        config,
    });
    Ok(Bound {
        listener,
        app: router(state),
        addr,
    })
}

/// Every route, in the order of the OpenAPI document (`ROUTES` lists them for its test).
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/app.js", get(page::script))
        .route("/app.css", get(page::style))
        .route("/api/assess", post(api::assess))
        .route("/api/validate", post(api::validate))
        .route("/api/interview", post(api::interview))
        .route("/api/schema/case", get(api::schema_case))
        .route(
            "/api/schema/recommendation",
            get(api::schema_recommendation),
        )
        .route("/api/policy", get(api::policy))
        .route("/api/openapi.json", get(api::openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// The API's routes (method, path), as the OpenAPI document must list them.
pub const ROUTES: [(&str, &str); 7] = [
    ("post", "/api/assess"),
    ("post", "/api/validate"),
    ("post", "/api/interview"),
    ("get", "/api/schema/case"),
    ("get", "/api/schema/recommendation"),
    ("get", "/api/policy"),
    ("get", "/api/openapi.json"),
];

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such page or endpoint; the API is described at /api/openapi.json",
        "",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take this method; see /api/openapi.json",
        "",
    )
}

/// A case id a handler found, for the log line (a response extension, never sent).
#[derive(Clone)]
pub(crate) struct CaseId(pub String);

/// Bounds, times and labels every request: 503 beyond `max_requests` in flight, 408 past the time limit; the
/// security headers on every response; one log line.
async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let mut response = match state.in_flight.try_acquire() {
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "the server is busy (too many requests at once); try again shortly",
            "",
        )
        .into_response(),
        Ok(_permit) => match tokio::time::timeout(state.config.timeout, next.run(req)).await {
            Ok(r) => r,
            Err(_) => ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                format!(
                    "the request took longer than the server's limit of {} s (a body sent too slowly, or an \
                     assessment too long)",
                    state.config.timeout.as_secs_f64()
                ),
                "",
            )
            .into_response(),
        },
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if state.config.log {
        let case = response
            .extensions()
            .get::<CaseId>()
            .map(|c| format!(" case {}", crate::report::printable(&c.0)))
            .unwrap_or_default();
        let path: String = path.chars().take(200).collect();
        // A failed write to standard error is ignored: there is nowhere left to say so.
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "{method} {} {} {:.1} ms{case}",
            crate::report::printable(&path),
            response.status().as_u16(),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    response
}
