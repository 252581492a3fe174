//! `assessor serve`: a real server on a free loopback port, spoken to over plain TCP (so that hostile requests —
//! huge, slow, not UTF-8, wrong type — can be sent exactly as written). Every endpoint; every bad-input file with
//! the CLI's messages; the API's recommendation equal to the CLI's for every corpus case in both languages; the
//! limits (413, 415, 408, 503) with the server serving on.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use assessor::serve::{bind, Config, ROUTES};
use serde_json::{json, Value};

use crate::support::{assessor, corpus, files_with_extension, root};

/// Starts a server in this process with `config` on its own thread; returns its address.
pub fn start(mut config: Config) -> SocketAddr {
    config.log = false;
    let policy = assessor::Policy::embedded().expect("the default policy loads");
    let bound = bind(config, policy).expect("the server binds");
    let addr = bound.addr();
    std::thread::spawn(move || bound.run());
    addr
}

fn local() -> Config {
    Config::new("127.0.0.1:0".parse().unwrap())
}

/// The server most tests share (default limits).
fn server() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| start(local()))
}

/// An answer: status, headers (lower-cased names), body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("a UTF-8 body")
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads a whole answer (the request said `Connection: close`).
fn read_answer(mut s: TcpStream) -> Answer {
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("the answer is read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end: {}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body,
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    s
}

/// Sends a request with these extra header lines and body.
pub fn request(addr: SocketAddr, method: &str, path: &str, headers: &str, body: &[u8]) -> Answer {
    let mut s = connect(addr);
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n{headers}\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    // A server may answer (413) before the whole body is sent, and close.
    let _ = s.write_all(body);
    read_answer(s)
}

pub fn get(addr: SocketAddr, path: &str) -> Answer {
    request(addr, "GET", path, "", b"")
}

pub fn post_json(addr: SocketAddr, path: &str, body: &[u8]) -> Answer {
    request(
        addr,
        "POST",
        path,
        "Content-Type: application/json\r\n",
        body,
    )
}

fn assert_error(a: &Answer, status: u16, code: &str) -> Value {
    assert_eq!(a.status, status, "{}", String::from_utf8_lossy(&a.body));
    let v = a.json();
    assert_eq!(v["code"], code, "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    assert!(v["place"].is_string(), "{v}");
    v
}

#[test]
fn the_page_and_its_assets_are_served_with_a_strict_content_security_policy() {
    let addr = server();
    for (path, kind) in [
        ("/", "text/html"),
        ("/app.js", "text/javascript"),
        ("/app.css", "text/css"),
    ] {
        let a = get(addr, path);
        assert_eq!(a.status, 200, "{path}");
        assert!(
            a.header("content-type").unwrap().starts_with(kind),
            "{path}"
        );
        let csp = a.header("content-security-policy").unwrap();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("object-src 'none'"),
            "{csp}"
        );
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe"),
            "{csp}"
        );
    }
    let page = get(addr, "/").text();
    // No inline script or style, nothing from another origin.
    assert!(!page.contains("<script>") && !page.contains(" style=") && !page.contains("<style"));
    assert!(!page.contains("http://") && !page.contains("https://") && !page.contains("//cdn"));
    let a = get(addr, "/no/such/page");
    assert_error(&a, 404, "not_found");
    assert!(a.header("content-security-policy").is_some());
}

#[test]
fn the_schemas_are_those_the_cli_prints() {
    let addr = server();
    for which in ["case", "recommendation"] {
        let a = get(addr, &format!("/api/schema/{which}"));
        assert_eq!(a.status, 200);
        assert!(a
            .header("content-type")
            .unwrap()
            .starts_with("application/json"));
        let out = assessor(&["schema", which]).output().unwrap();
        assert_eq!(a.body, out.stdout, "{which}");
    }
}

#[test]
fn the_openapi_document_is_openapi_3_1_and_lists_every_route() {
    let addr = server();
    let doc = get(addr, "/api/openapi.json").json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let paths = doc["paths"].as_object().unwrap();
    for (method, path) in ROUTES {
        let op = &paths[path][method];
        assert!(
            op.is_object(),
            "{method} {path} is not in the OpenAPI document"
        );
        assert!(op["responses"]["200"].is_object(), "{method} {path}");
    }
    assert_eq!(
        paths.len(),
        ROUTES.len(),
        "a path the server does not serve"
    );
    // Every route listed answers (not 404 or 405).
    for (method, path) in ROUTES {
        let a = if method == "get" {
            get(addr, path)
        } else {
            post_json(addr, path, b"{}")
        };
        assert!(
            a.status != 404 && a.status != 405,
            "{method} {path}: {}",
            a.status
        );
    }
    // Every local reference resolves.
    let text = doc.to_string();
    for r in text.split("\"$ref\":\"").skip(1) {
        let target = r.split('"').next().unwrap();
        if let Some(p) = target.strip_prefix('#') {
            assert!(doc.pointer(p).is_some(), "dangling $ref {target}");
        } else {
            assert!(ROUTES.iter().any(|(_, path)| *path == target), "{target}");
        }
    }
}

#[test]
fn the_policy_catalogue_gives_the_parameters_in_force_for_a_province_and_date() {
    let addr = server();
    let all = get(addr, "/api/policy").json();
    let cli = assessor(&["rules", "--format", "json"]).output().unwrap();
    let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(all, cli);
    let dated = get(addr, "/api/policy?province=Hubei&date=2023-05-10").json();
    let params = dated["in_force"]["parameters"].as_array().unwrap();
    let wage = params.iter().find(|p| p["name"] == "wage_base").unwrap();
    // The widow's case reads the same figure.
    assert_eq!(wage["value"], json!(8083), "{wage}");
    assert_eq!(wage["carried_forward"], true, "{wage}");
    let national = get(addr, "/api/policy?date=2023-05-10").json();
    let wage = national["in_force"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "wage_base")
        .unwrap()
        .clone();
    assert_eq!(wage["needs"], "province", "{wage}");
    assert_error(
        &get(addr, "/api/policy?date=2023-13-01"),
        400,
        "bad_request",
    );
    let v = assert_error(
        &get(addr, "/api/policy?province=Atlantis&date=2023-05-01"),
        400,
        "bad_request",
    );
    assert!(v["message"].as_str().unwrap().contains("Hubei"), "{v}");
    assert_error(&get(addr, "/api/policy?province=Hubei"), 400, "bad_request");
    assert_error(&get(addr, "/api/policy?colour=red"), 400, "bad_request");
    assert_error(&get(addr, "/api/policy?date=%FF%FE"), 400, "bad_request");
}

/// What the CLI prints on standard output for `assess FILE ARGS`.
fn cli_assess(file: &Path, args: &[&str]) -> Vec<u8> {
    let file = file.display().to_string();
    let mut all = vec!["assess", file.as_str()];
    all.extend_from_slice(args);
    let out = assessor(&all).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn the_api_recommends_what_the_cli_does_for_every_corpus_case_in_both_languages() {
    let addr = server();
    let files = corpus();
    assert!(files.len() >= 40);
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        for lang in ["zh", "en"] {
            let a = post_json(addr, &format!("/api/assess?lang={lang}"), &bytes);
            assert_eq!(a.status, 200, "{}", a.text());
            let cli = cli_assess(file, &["--format", "json", "--lang", lang]);
            assert_eq!(
                a.text(),
                String::from_utf8(cli).unwrap(),
                "{} {lang}",
                file.display()
            );
        }
    }
    // Text and Markdown too, and the options in an envelope instead of the query.
    let file = root().join("fixtures/interview/widow.json");
    let bytes = std::fs::read(&file).unwrap();
    for format in ["text", "markdown"] {
        let a = post_json(
            addr,
            &format!("/api/assess?format={format}&lang=en"),
            &bytes,
        );
        assert_eq!(a.status, 200);
        let cli = cli_assess(&file, &["--format", format, "--lang", "en"]);
        assert_eq!(a.body, cli, "{format}");
        let case: Value = serde_json::from_slice(&bytes).unwrap();
        let env = json!({ "case": case, "lang": "en", "format": format });
        let b = post_json(addr, "/api/assess", env.to_string().as_bytes());
        assert_eq!(b.body, cli, "{format} in an envelope");
    }
    let plain = post_json(addr, "/api/assess?what_if=false&lang=zh", &bytes).json();
    let cli: Value = serde_json::from_slice(&cli_assess(
        &file,
        &["--format", "json", "--no-what-if", "--lang", "zh"],
    ))
    .unwrap();
    assert_eq!(plain, cli);
    assert!(plain["what_if"].is_null());
}

#[test]
fn every_bad_input_file_is_refused_with_the_cli_messages() {
    let addr = server();
    let dir = root().join("fixtures/invalid");
    let files = files_with_extension(&dir, "json");
    assert!(files.len() >= 15);
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let rel = file.strip_prefix(root()).unwrap().display().to_string();
        let out = assessor(&["validate", &rel]).output().unwrap();
        let cli = String::from_utf8(out.stderr).unwrap();
        for path in ["/api/validate", "/api/assess"] {
            let a = post_json(addr, path, &bytes);
            let v = assert_error(&a, 422, "invalid_case");
            let errors = v["errors"].as_array().unwrap();
            assert!(!errors.is_empty());
            assert_eq!(v["message"], errors[0]["message"]);
            // The CLI prints `FILE:MESSAGE` per error, in the same order, then a count.
            let api: String = errors
                .iter()
                .map(|e| format!("{rel}:{}\n", e["message"].as_str().unwrap()))
                .collect();
            assert!(
                cli.starts_with(&api),
                "{path} {rel}:\nAPI:\n{api}\nCLI:\n{cli}"
            );
            assert_eq!(
                cli.lines().count(),
                api.lines().count() + 1,
                "{path} {rel}: the CLI has other errors:\n{cli}"
            );
            for e in errors {
                let place = e["place"].as_str().unwrap();
                assert!(
                    place.is_empty() || place.starts_with('/') || place.contains(':'),
                    "{e}"
                );
            }
        }
    }
}

#[test]
fn a_valid_case_validates() {
    let addr = server();
    let bytes = std::fs::read(root().join("fixtures/interview/widow.json")).unwrap();
    let a = post_json(addr, "/api/validate", &bytes);
    assert_eq!(a.status, 200);
    assert_eq!(a.json(), json!({ "valid": true, "errors": [] }));
}

#[test]
fn wrong_options_are_400_with_the_place() {
    let addr = server();
    let bytes = std::fs::read(root().join("fixtures/interview/widow.json")).unwrap();
    for (query, place) in [
        ("lang=fr", "lang"),
        ("format=pdf", "query/format"),
        ("what_if=maybe", "query/what_if"),
        ("colour=red", "query/colour"),
    ] {
        let v = assert_error(
            &post_json(addr, &format!("/api/assess?{query}"), &bytes),
            400,
            "bad_request",
        );
        assert_eq!(v["place"], place, "{v}");
    }
    let case: Value = serde_json::from_slice(&bytes).unwrap();
    let v = assert_error(
        &post_json(
            addr,
            "/api/assess",
            json!({ "case": case, "colour": 1 }).to_string().as_bytes(),
        ),
        400,
        "bad_request",
    );
    assert_eq!(v["place"], "/colour");
    assert_error(
        &request(addr, "GET", "/api/assess", "", b""),
        405,
        "method_not_allowed",
    )
    .to_string();
}
