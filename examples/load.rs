//! Load test of `assessor serve` (bounded, loopback only): starts the server binary on a free loopback port, runs
//! CLIENTS clients (each on one kept-alive connection) assessing the corpus cases round and round for SECONDS, while
//! FLOOD threads send oversized, malformed and mistyped bodies; checks that every good request got its answer (200,
//! the decision the library gives) and every bad one a 4xx; prints throughput, p50/p99/max latency and the server's
//! peak memory (VmHWM).
//!
//! ```sh
//! cargo build --release --bin assessor
//! cargo run --release --example load -- target/release/assessor 30 200
//! ```

// A load test that finds a wrong answer should stop loudly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Reads one response from a kept-alive connection: status and body (by Content-Length).
fn read_response(r: &mut BufReader<TcpStream>) -> std::io::Result<(u16, Vec<u8>)> {
    let mut status_line = String::new();
    if r.read_line(&mut status_line)? == 0 {
        return Err(std::io::Error::other("the server closed the connection"));
    }
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {status_line:?}")))?;
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        r.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((n, v)) = line.split_once(':') {
            if n.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    r.read_exact(&mut body)?;
    Ok((status, body))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bin = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "target/release/assessor".into());
    let seconds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(30);
    let clients: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(200);
    let flood_threads = 4;

    let mut server = Command::new(&bin)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--quiet",
            "--max-size",
            "1048576",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr: SocketAddr = line
        .trim()
        .trim_start_matches("listening on http://")
        .trim_end_matches('/')
        .parse()
        .unwrap_or_else(|_| panic!("unexpected first line {line:?}"));

    // The corpus and the decision the library gives for each case.
    let policy = assessor::Policy::embedded().unwrap();
    let mut cases: Vec<(Vec<u8>, String)> = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir("fixtures/cases")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        let case = assessor::validate::parse_case(&bytes).unwrap();
        let rec = assessor::assess(&case, &policy).unwrap();
        cases.push((
            bytes,
            serde_json::to_value(rec.decision)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string(),
        ));
    }
    let cases = Arc::new(cases);
    let stop = Arc::new(AtomicBool::new(false));
    let wrong = Arc::new(AtomicU64::new(0));
    let started = Instant::now();

    let good: Vec<_> = (0..clients)
        .map(|i| {
            let (cases, stop, wrong) = (cases.clone(), stop.clone(), wrong.clone());
            std::thread::spawn(move || {
                let mut latencies = Vec::new();
                let stream = TcpStream::connect(addr).unwrap();
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                let mut k = i;
                while !stop.load(Ordering::Relaxed) {
                    let (body, decision) = &cases[k % cases.len()];
                    k += 1;
                    let t = Instant::now();
                    let head = format!(
                        "POST /api/assess?what_if=false HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
                         Content-Length: {}\r\n\r\n",
                        body.len()
                    );
                    let answer = writer
                        .write_all(head.as_bytes())
                        .and_then(|()| writer.write_all(body))
                        .and_then(|()| read_response(&mut reader));
                    match answer {
                        Ok((200, out)) => {
                            let v: serde_json::Value = serde_json::from_slice(&out).unwrap_or_default();
                            if v["decision"] != decision.as_str() {
                                wrong.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Ok((status, out)) => {
                            eprintln!("good client: HTTP {status}: {}", String::from_utf8_lossy(&out));
                            wrong.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            eprintln!("good client: {e}");
                            wrong.fetch_add(1, Ordering::Relaxed);
                            break;
                        }
                    }
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();

    let bad_sent = Arc::new(AtomicU64::new(0));
    let bad_wrong = Arc::new(AtomicU64::new(0));
    let flood: Vec<_> = (0..flood_threads)
        .map(|i| {
            let (stop, sent, bad) = (stop.clone(), bad_sent.clone(), bad_wrong.clone());
            std::thread::spawn(move || {
                let huge = vec![b' '; 1_048_577];
                let deep = "[".repeat(100_000);
                let mut k = i;
                while !stop.load(Ordering::Relaxed) {
                    let (kind, body): (&str, &[u8]) = match k % 4 {
                        0 => ("application/json", &huge),
                        1 => ("application/json", deep.as_bytes()),
                        2 => ("application/json", b"{\"case_id\": \"\xff\xfe\", "),
                        _ => ("text/plain", b"{}"),
                    };
                    k += 1;
                    let Ok(mut s) = TcpStream::connect(addr) else { continue };
                    let head = format!(
                        "POST /api/assess HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: {kind}\r\n\
                         Content-Length: {}\r\n\r\n",
                        body.len()
                    );
                    let _ = s.write_all(head.as_bytes()).and_then(|()| s.write_all(body));
                    let mut raw = Vec::new();
                    let _ = s.read_to_end(&mut raw);
                    sent.fetch_add(1, Ordering::Relaxed);
                    let status: u16 = String::from_utf8_lossy(&raw)
                        .split(' ')
                        .nth(1)
                        .and_then(|c| c.parse().ok())
                        .unwrap_or(0);
                    // 0: the connection was reset after a 413 before its answer could be read (the huge body).
                    let refused = (400..500).contains(&status) || (status == 0 && k % 4 == 1);
                    if !refused {
                        bad.fetch_add(1, Ordering::Relaxed);
                        eprintln!("flood: HTTP {status} for body kind {}", (k - 1) % 4);
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
            })
        })
        .collect();

    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let mut all: Vec<Duration> = good.into_iter().flat_map(|h| h.join().unwrap()).collect();
    for h in flood {
        h.join().unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let rss = std::fs::read_to_string(format!("/proc/{}/status", server.id()))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let _ = server.kill();
    let _ = server.wait();
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{clients} clients for {seconds} s: {} assessments ({:.0}/s), p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; \
         {} hostile bodies alongside; server peak RSS {rss}",
        all.len(),
        all.len() as f64 / elapsed,
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(all.last().copied().unwrap_or_default()),
        bad_sent.load(Ordering::Relaxed),
    );
    let (w, b) = (
        wrong.load(Ordering::Relaxed),
        bad_wrong.load(Ordering::Relaxed),
    );
    if w > 0 || b > 0 || all.is_empty() {
        eprintln!("load test FAILED: {w} good requests without their answer, {b} hostile ones without a 4xx");
        std::process::exit(1);
    }
}
