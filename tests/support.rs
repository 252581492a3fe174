//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assessor::{validate::parse_case, Policy, Recommendation};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The embedded default policy, loaded once.
pub fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| match Policy::embedded() {
        Ok(p) => p,
        Err(e) => panic!("the default policy does not load: {e:?}"),
    })
}

/// Assesses a case file on the default policy.
pub fn assess_file(path: &Path) -> Recommendation {
    assess_file_with(path, policy())
}

/// Assesses a case file on a policy.
pub fn assess_file_with(path: &Path, policy: &Policy) -> Recommendation {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let case = parse_case(&bytes).unwrap_or_else(|e| panic!("{}: invalid: {e:?}", path.display()));
    assessor::assess(&case, policy).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A corpus case by file stem.
pub fn case(stem: &str) -> Recommendation {
    assess_file(&root().join("fixtures/cases").join(format!("{stem}.json")))
}

/// All corpus case files, sorted.
pub fn corpus() -> Vec<PathBuf> {
    files_with_extension(&root().join("fixtures/cases"), "json")
}

/// The built binary with arguments, to run in the repository root (the caller may set another folder and the
/// standard streams). The binary is the one cargo built for these tests, or the one `ASSESSOR_BIN` names: CI runs
/// the runaway test against the release binary that way, without building the tests a second time in release.
pub fn assessor(args: &[&str]) -> std::process::Command {
    let exe = std::env::var_os("ASSESSOR_BIN")
        .map(PathBuf::from)
        .map(|p| if p.is_relative() { root().join(p) } else { p })
        .inspect(|p| assert!(p.is_file(), "ASSESSOR_BIN: {} is not a file", p.display()))
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_assessor")));
    let mut command = std::process::Command::new(exe);
    command.args(args).current_dir(root());
    command
}

/// Starts the binary with `args`, standard output piped, standard error as given, and standard input fed by `feed`
/// on a thread of its own (so that a large input and a large output never wait for each other, and a feed that
/// writes for ever stops when the pipe breaks). Returns the process and the feeding thread.
pub fn spawn_fed(
    args: &[&str],
    stderr: std::process::Stdio,
    feed: impl FnOnce(&mut std::process::ChildStdin) + Send + 'static,
) -> (std::process::Child, std::thread::JoinHandle<()>) {
    use std::process::Stdio;
    let mut child = assessor(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run assessor: {e}"));
    let mut input = child
        .stdin
        .take()
        .unwrap_or_else(|| panic!("no standard input"));
    let feeder = std::thread::spawn(move || feed(&mut input));
    (child, feeder)
}

/// Runs the built binary with arguments (and optional stdin); returns (exit code, stdout, stderr).
pub fn run(args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    use std::io::Write;
    let bytes = stdin.map(<[u8]>::to_vec).unwrap_or_default();
    let (child, feeder) = spawn_fed(args, std::process::Stdio::piped(), move |input| {
        let _ = input.write_all(&bytes);
    });
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("assessor did not finish: {e}"));
    let _ = feeder.join();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        !stderr.contains("panicked"),
        "assessor panicked on {args:?}:\n{stderr}"
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        stderr,
    )
}

/// Runs the binary with `args`, feeding standard input from `feed` (see [`spawn_fed`]), and returns the first `n`
/// lines of standard output, waiting at most `limit`; then ends the process. For streams that never end.
pub fn first_lines(
    args: &[&str],
    feed: impl FnOnce(&mut std::process::ChildStdin) + Send + 'static,
    n: usize,
    limit: std::time::Duration,
) -> Vec<String> {
    use std::io::BufRead;
    let (mut child, _feeder) = spawn_fed(args, std::process::Stdio::null(), feed);
    let stdout = child
        .stdout
        .take()
        .unwrap_or_else(|| panic!("no standard output"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let started = std::time::Instant::now();
    let mut lines = Vec::new();
    while lines.len() < n {
        match rx.recv_timeout(limit.saturating_sub(started.elapsed())) {
            Ok(l) => lines.push(l),
            Err(_) => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    lines
}

/// Writes a policy folder made of the given files (path → text) into a temporary directory.
pub fn policy_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    for (path, text) in files {
        let full = dir.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
        }
        std::fs::write(&full, text).unwrap_or_else(|e| panic!("write: {e}"));
    }
    dir
}

/// Copies a folder's files (recursively) into another, creating it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("mkdir {}: {e}", to.display()));
    for e in std::fs::read_dir(from).into_iter().flatten().flatten() {
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap_or_else(|e| panic!("copy {}: {e}", p.display()));
        }
    }
}

/// A copy of the default policy (`rules/`) in a temporary folder. Returns the folder and the policy's path.
pub fn policy_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let rules = tmp.path().join("rules");
    copy_dir(&root().join("rules"), &rules);
    (tmp, rules)
}

/// A copy of the default policy with the first `from` in its file `file` (under `rules/`) replaced by `to`; fails
/// when the file no longer has `from` (the rule moved: update the test).
pub fn policy_edited(file: &str, from: &str, to: &str) -> (tempfile::TempDir, PathBuf) {
    let (tmp, rules) = policy_copy();
    let path = rules.join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        text.contains(from),
        "{file} no longer has {from:?}: update this test"
    );
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap_or_else(|e| panic!("{e}"));
    (tmp, rules)
}

/// A copy of the default policy with the files of `overlay` (a folder under `fixtures/`, e.g.
/// `fixtures/policies/syntax_error`) laid on top.
pub fn overlay(overlay: &str) -> (tempfile::TempDir, PathBuf) {
    let (tmp, rules) = policy_copy();
    copy_dir(&root().join(overlay), &rules);
    (tmp, rules)
}

/// The files of a folder with an extension, sorted.
pub fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == ext))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The sub-folders of a folder, sorted.
pub fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// A JSON file's value (`null` when it cannot be read or parsed: the assertions on it then fail).
pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap_or_default()).unwrap_or_default()
}

/// Replaces every `sha256:<hex>` by `sha256:…` (the policy's digest changes with every edit of a rule).
pub fn redact_digests(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("sha256:") {
        out.push_str(&rest[..i + 7]);
        let after = &rest[i + 7..];
        let hex = after.chars().take_while(|c| c.is_ascii_hexdigit()).count();
        out.push('…');
        rest = &after[hex..];
    }
    out.push_str(rest);
    out
}

/// The manifest of a policy of one eligibility rule, `eligibility/rule.rhai`, reading `parameters/p.toml`.
pub const ONE_RULE_MANIFEST: &str = r#"
name = "test"
version = "0"
parameters = ["parameters/p.toml"]
[stages]
eligibility = ["eligibility/rule.rhai"]
exclusions = []
priority = []
amount = []
referrals = []
"#;

/// A parameter file of one parameter, `limit` (¥1,000 from 2000).
pub const LIMIT_PARAMS: &str = r#"
[limit]
title = "A limit"
unit = "CNY"
reference = "test"
[[limit.values]]
value = 1000
from = "2000-01-01"
"#;
