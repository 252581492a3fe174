//! The browser workbench at `/`: one HTML page, its script and its style sheet, embedded in the binary (no CDN, no
//! build step; intranets are offline). The page calls the JSON API only.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

/// The page.
pub const INDEX: &str = include_str!("assets/index.html");
/// Its script (no inline script: the Content-Security-Policy forbids it).
pub const SCRIPT: &str = include_str!("assets/app.js");
/// Its style sheet, print view included.
pub const STYLE: &str = include_str!("assets/app.css");

fn asset(kind: &'static str, body: &'static str) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(kind))],
        body,
    )
        .into_response()
}

/// `GET /`.
pub async fn index() -> Response {
    asset("text/html; charset=utf-8", INDEX)
}

/// `GET /app.js`.
pub async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

/// `GET /app.css`.
pub async fn style() -> Response {
    asset("text/css; charset=utf-8", STYLE)
}
