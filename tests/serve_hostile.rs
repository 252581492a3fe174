//! `assessor serve`, continued: the stateless interview step by step, hostile bodies (huge, endless, deep, not
//! UTF-8, wrong type, slow), the bound on requests in flight, and the command itself (the address it prints, the
//! refusal of a non-loopback address).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use assessor::interview::{Interview, Lang, Reply};
use assessor::serve::Config;
use serde_json::{json, Value};

use crate::serve::{get, post_json, request, start};
use crate::support::{assessor as cli, policy, root};

fn local() -> Config {
    Config::new("127.0.0.1:0".parse().unwrap())
}

fn server() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| start(local()))
}

fn step(addr: SocketAddr, body: &Value) -> Value {
    let a = post_json(addr, "/api/interview", body.to_string().as_bytes());
    assert_eq!(a.status, 200, "{}", a.text());
    a.json()
}

/// The CLI's scripted answers, through the API, give the questions and the case the library's interview gives.
#[test]
fn the_scripted_interview_through_the_api_asks_what_the_cli_asks() {
    let addr = server();
    for (lang, file) in [("en", "widow.answers.txt"), ("zh", "widow.answers.zh.txt")] {
        let answers =
            std::fs::read_to_string(root().join("fixtures/interview").join(file)).unwrap();
        let l = Lang::parse(lang).unwrap();
        let mut iv = Interview::new(policy(), l, None);
        let mut state = step(addr, &json!({ "lang": lang }));
        for answer in answers.lines() {
            let Some(q) = iv.next_question() else { break };
            assert_eq!(state["question"]["fact"], q.fact.as_str());
            assert_eq!(state["question"]["text"], q.text.as_str());
            let reply = iv.answer(&q, answer);
            state = step(
                addr,
                &json!({ "lang": lang, "case": state["case"], "unknown": state["unknown"],
                         "answer": { "fact": q.fact, "text": answer } }),
            );
            match reply {
                Reply::Recorded => assert!(state["invalid"].is_null(), "{state}"),
                Reply::Invalid(why) => assert_eq!(state["invalid"], why.as_str()),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(&state["case"], iv.case());
        let rec = iv.recommendation().unwrap();
        assert_eq!(state["recommendation"], serde_json::to_value(&rec).unwrap());
    }
}

/// The widow's interview, answered from her case file, ends with her assisted: ¥34,000, tier A.
#[test]
fn the_widow_interview_through_the_api_assists_her() {
    let addr = server();
    let widow: Value = serde_json::from_slice(
        &std::fs::read(root().join("fixtures/interview/widow.json")).unwrap(),
    )
    .unwrap();
    for lang in ["zh", "en"] {
        let l = Lang::parse(lang).unwrap();
        let mut state = step(addr, &json!({ "lang": lang }));
        let mut asked = 0;
        while let Some(fact) = state["question"]["fact"].as_str().map(str::to_string) {
            let q = Interview::new(policy(), l, Some(state["case"].clone()))
                .with_unknown(serde_json::from_value(state["unknown"].clone()).unwrap())
                .next_question()
                .unwrap();
            assert_eq!(q.fact, fact);
            let answer = assessor::interview::answer_from(&widow, &q, l);
            state = step(
                addr,
                &json!({ "lang": lang, "case": state["case"], "unknown": state["unknown"],
                         "answer": { "fact": fact, "text": answer } }),
            );
            assert!(state["invalid"].is_null(), "{state}");
            asked += 1;
            assert!(asked < 100, "the interview does not end");
        }
        assert_eq!(state["done"], true);
        let rec = &state["recommendation"];
        assert_eq!(rec["decision"], "assist", "{rec}");
        assert_eq!(rec["amount"]["recommended"], 34000);
        assert_eq!(rec["priority"]["tier"], "A");
        assert_eq!(rec["language"], lang);
    }
}

#[test]
fn an_interview_step_takes_not_knowing_refuses_a_bad_answer_and_the_wrong_question() {
    let addr = server();
    let first = step(addr, &json!({}));
    let q = &first["question"];
    assert_eq!(q["fact"], "/case_id");
    assert_eq!(q["unknown"]["label"], "不知道");
    let with_id = step(
        addr,
        &json!({ "answer": { "fact": "/case_id", "text": "X-1" } }),
    );
    assert_eq!(with_id["question"]["fact"], "/decision_date");
    // A bad date: the CLI's message, the same question again.
    let bad = step(
        addr,
        &json!({ "case": with_id["case"], "answer": { "fact": "/decision_date", "text": "yesterday" } }),
    );
    assert_eq!(bad["question"]["fact"], "/decision_date");
    assert_eq!(bad["invalid"], "请按 年-月-日 输入日期，例如 2022-09-01");
    // "I don't know": listed as unknown and not asked again.
    let skip = step(
        addr,
        &json!({ "case": with_id["case"], "lang": "en", "answer": { "fact": "/decision_date", "text": "?" } }),
    );
    assert_eq!(skip["unknown"], json!(["/decision_date"]));
    assert_eq!(skip["question"]["fact"], "/jurisdiction/province");
    assert!(skip["question"]["choices"].as_array().unwrap().len() > 20);
    // An answer to another question than the one waiting.
    let a = post_json(
        addr,
        "/api/interview",
        json!({ "case": with_id["case"], "answer": { "fact": "/applicant/age", "text": "3" } })
            .to_string()
            .as_bytes(),
    );
    assert_eq!(a.status, 409, "{}", a.text());
    assert_eq!(a.json()["code"], "not_this_question");
    for (body, place) in [
        (json!({ "case": 5 }), "/case"),
        (json!({ "unknown": ["applicant"] }), "/unknown/0"),
        (json!({ "lang": "fr" }), "/lang"),
    ] {
        let a = post_json(addr, "/api/interview", body.to_string().as_bytes());
        assert_eq!(a.status, 400, "{body}: {}", a.text());
        assert_eq!(a.json()["place"], place, "{body}");
    }
    for body in [
        &b"{\"colour\": 1}"[..],
        b"[]",
        b"{\"case\": {}",
        b"{\"answer\": {\"fact\": 1}}",
    ] {
        let a = post_json(addr, "/api/interview", body);
        assert_eq!(
            a.status,
            400,
            "{}: {}",
            String::from_utf8_lossy(body),
            a.text()
        );
    }
    // A partial case with a wrong value the interview would never write: 422 with its pointer.
    let a = post_json(
        addr,
        "/api/interview",
        json!({ "case": { "case_id": "X", "decision_date": "2023-05-10", "jurisdiction": { "province": "Hubei" },
                          "applicant": { "age": -4 } } })
        .to_string()
        .as_bytes(),
    );
    assert_eq!(a.status, 422, "{}", a.text());
    assert_eq!(a.json()["place"], "/applicant/age");
}

/// Sends `head` and then the body in pieces, `pause` apart; returns the answer.
fn dribble(addr: SocketAddr, head: &str, pieces: usize, pause: Duration) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    for _ in 0..pieces {
        if s.write_all(b" ").is_err() {
            break;
        }
        std::thread::sleep(pause);
    }
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[test]
fn hostile_bodies_get_a_4xx_and_the_server_serves_on() {
    let mut config = local();
    config.max_size = 64 * 1024;
    config.timeout = Duration::from_secs(2);
    let addr = start(config);
    let widow = std::fs::read(root().join("fixtures/interview/widow.json")).unwrap();
    let ok = |addr| {
        let a = post_json(addr, "/api/assess?what_if=false", &widow);
        assert_eq!(a.status, 200, "{}", a.text());
    };
    for path in ["/api/assess", "/api/validate", "/api/interview"] {
        // Huge, declared: refused before it is read.
        let a = post_json(addr, path, &vec![b' '; 64 * 1024 + 1]);
        assert_eq!(a.status, 413, "{path}");
        assert_eq!(a.json()["code"], "too_large");
        // Huge, chunked without a length: cut at the limit.
        let mut s = TcpStream::connect(addr).unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n\
             Transfer-Encoding: chunked\r\n\r\n"
        );
        s.write_all(head.as_bytes()).unwrap();
        for _ in 0..100 {
            let chunk = format!("{:x}\r\n{}\r\n", 4096, " ".repeat(4096));
            if s.write_all(chunk.as_bytes()).is_err() {
                break;
            }
        }
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        assert!(
            String::from_utf8_lossy(&raw).starts_with("HTTP/1.1 413"),
            "{path}"
        );
        // Deep nesting, bad UTF-8, no JSON at all.
        for body in [
            "[".repeat(50_000).into_bytes(),
            b"{\"case_id\": \"\xff\xfe\"}".to_vec(),
            b"\x00\x01".to_vec(),
        ] {
            let a = post_json(addr, path, &body);
            assert!((400..500).contains(&a.status), "{path}: {}", a.status);
            assert!(a.json()["message"].is_string());
        }
        // The wrong content type, or none.
        for header in [
            "Content-Type: text/plain\r\n",
            "",
            "Content-Type: application/jsonx\r\n",
        ] {
            let a = request(addr, "POST", path, header, &widow);
            assert_eq!(a.status, 415, "{path} {header:?}");
            assert_eq!(a.json()["code"], "unsupported_media_type");
        }
        // A body sent too slowly: 408 at the time limit, not a thread held for ever.
        let started = Instant::now();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n\
             Content-Length: 1000\r\n\r\n"
        );
        let (status, text) = dribble(addr, &head, 40, Duration::from_millis(100));
        assert_eq!(status, 408, "{path}: {text}");
        assert!(started.elapsed() < Duration::from_secs(10));
        ok(addr);
    }
    let deep = post_json(addr, "/api/validate", "[".repeat(50_000).as_bytes()).json();
    assert!(
        deep["message"]
            .as_str()
            .unwrap()
            .contains("recursion limit exceeded"),
        "{deep}"
    );
    let utf8 = post_json(addr, "/api/validate", b"{\"case_id\": \"\xff\"}").json();
    assert_eq!(utf8["code"], "invalid_case", "{utf8}");
}

#[test]
fn requests_beyond_the_bound_get_503_at_once_and_the_rest_are_served() {
    let mut config = local();
    config.max_requests = 2;
    config.timeout = Duration::from_secs(3);
    let addr = start(config);
    // Two requests in flight, each waiting for a body that comes slowly.
    let hold = || {
        std::thread::spawn(move || {
            let head = "POST /api/validate HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
                        Content-Type: application/json\r\nContent-Length: 100\r\n\r\n";
            dribble(addr, head, 20, Duration::from_millis(100))
        })
    };
    let held = [hold(), hold()];
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    let a = get(addr, "/api/schema/case");
    assert_eq!(a.status, 503, "{}", a.text());
    assert_eq!(a.json()["code"], "busy");
    assert!(started.elapsed() < Duration::from_secs(1));
    for h in held {
        let (status, _) = h.join().unwrap();
        assert_eq!(status, 408);
    }
    assert_eq!(get(addr, "/api/schema/case").status, 200);
}

#[test]
fn the_command_prints_its_address_and_refuses_a_remote_one_without_the_flag() {
    let mut child = cli(&["serve", "--addr", "127.0.0.1:0", "--lang", "en"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr: SocketAddr = line
        .trim()
        .strip_prefix("listening on http://")
        .and_then(|a| a.strip_suffix('/'))
        .unwrap_or_else(|| panic!("{line}"))
        .parse()
        .unwrap();
    let widow = std::fs::read(root().join("fixtures/interview/widow.json")).unwrap();
    let a = post_json(addr, "/api/assess?what_if=false", &widow);
    assert_eq!(a.status, 200);
    // The server's default language is the command's --lang.
    assert_eq!(a.json()["language"], "en");
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    // The log names the case and the time, never its content.
    assert!(
        log.contains("POST /api/assess 200") && log.contains("case HB-2023-0901"),
        "{log}"
    );
    assert!(
        !log.contains("Hubei") && !log.contains("intentional_homicide"),
        "{log}"
    );

    let out = cli(&["serve", "--addr", "0.0.0.0:0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a loopback address") && err.contains("--allow-remote"),
        "{err}"
    );
}
