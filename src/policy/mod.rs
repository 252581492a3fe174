//! A policy: the manifest (`policy.toml`), the rule files with their headers, and the parameter files.
//!
//! A policy is loaded from a folder (`--rules DIR`) or from the copy of `rules/` embedded in the binary, checked
//! and compiled once; assessing a case never re-reads or re-parses it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use include_dir::{include_dir, Dir};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::engine::{self, Sandbox};
use crate::model::codes::{RuleKind, Stage};

pub mod params;
pub mod questions;
pub mod scan;
use crate::model::params::{Parameter, Parameters};
use crate::model::text::{Labels, Lang};

static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/rules");

/// The name of the manifest file at the top of a policy folder.
pub const MANIFEST: &str = "policy.toml";

/// One rule file, parsed and compiled.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id, e.g. `eligibility.dependant_of_deceased_victim`.
    pub id: String,
    /// A short title.
    pub title: String,
    /// The stage it belongs to.
    pub stage: Stage,
    /// What its conclusion means.
    pub kind: RuleKind,
    /// The legal provision (or proposal) it rests on.
    pub basis: String,
    /// Text templates by key: `met`, `not_met`, their variants `met.<text>` and `not_met.<text>` (chosen by the
    /// value `text` a rule gives), `step.<code>`, `cap.<code>`, `check.<code>`; in the policy's first language.
    pub texts: BTreeMap<String, String>,
    /// The title, basis and texts in each further language the policy declares (header keys `zh.title`,
    /// `zh.basis`, `zh.met`, …), by key without the language.
    pub translations: BTreeMap<Lang, BTreeMap<String, String>>,
    /// The file, as shown to users (e.g. `rules/eligibility/urgent_treatment.rhai`).
    pub file: String,
    /// The compiled (optimised) script.
    pub ast: rhai::AST,
    /// What the rule refers to, found statically.
    pub scan: crate::policy::scan::RuleScan,
    /// The rule file's text.
    pub source: String,
}

/// A loaded policy: ready to assess cases.
#[derive(Debug)]
pub struct Policy {
    /// Name from the manifest.
    pub name: String,
    /// Version from the manifest.
    pub version: String,
    /// `sha256:` digest of every file of the policy.
    pub digest: String,
    /// Where it was loaded from, as shown to users.
    pub origin: String,
    /// Rules in the order they run.
    pub rules: Vec<Rule>,
    /// Parameters, by name.
    pub params: Arc<Parameters>,
    /// Facts (JSON Pointers) a person could prove or act on, tried to say what would change the outcome.
    pub what_if: Vec<String>,
    /// Interview questions by fact (path with `*` for list items) and language.
    pub questions: crate::policy::questions::Catalogue,
    /// The languages its texts are written in; the first is the language of the rule headers' plain keys.
    pub languages: Vec<Lang>,
    /// The policy's name in each language.
    pub names: BTreeMap<Lang, String>,
    /// The labels of codes in each language.
    pub labels: BTreeMap<Lang, Labels>,
    no_labels: Labels,
    pub(crate) rule_index: BTreeMap<String, usize>,
    pub(crate) sandbox: Sandbox,
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The policy cannot be used.
    Error,
    /// The policy works, but something is likely wrong.
    Warning,
}

/// A problem with a policy (an error stops it from loading), with the file and place.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PolicyError {
    /// Error or warning.
    pub severity: Severity,
    /// The file, as shown to users.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when likely.
    pub help: Option<String>,
    /// The source line, for a snippet.
    #[serde(skip)]
    pub source_line: Option<String>,
}

impl PolicyError {
    pub(crate) fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
            help: None,
            source_line: None,
        }
    }
    pub(crate) fn at(mut self, line: usize, column: usize, source: &str) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self.source_line = source
            .lines()
            .nth(line.saturating_sub(1))
            .map(str::to_string);
        self
    }
    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {level}: {}", self.message)?;
        if let (Some(src), Some(l)) = (&self.source_line, self.line) {
            let gutter = l.to_string().len();
            write!(f, "\n{:gutter$} |\n{l} | {src}", "")?;
            if let Some(c) = self.column {
                write!(f, "\n{:gutter$} | {:>width$}", "", "^", width = c)?;
            }
        }
        if let Some(h) = &self.help {
            write!(f, "\n  = help: {h}")?;
        }
        Ok(())
    }
}

/// The files of a policy, by path relative to the policy folder.
#[derive(Debug, Clone)]
pub struct PolicySource {
    /// How the folder is shown to users (`rules` for the embedded policy).
    pub label: String,
    /// File contents by relative path (`/`-separated).
    pub files: BTreeMap<String, String>,
    /// Rule files (`.rhai`) found beside the rule files the manifest names but not named by it (not read).
    pub unlisted: BTreeSet<String>,
}

/// Limits on the files of a policy read from a folder.
pub mod limits {
    /// Size of one policy file (manifest, rule, parameter or text file), in bytes.
    pub const MAX_FILE_SIZE: u64 = 1024 * 1024;
    /// Length of one line of a rule file, in characters (positions in rule files are exact up to 65,535).
    pub const MAX_RULE_LINE: usize = 10_000;
    /// Lines of one rule file.
    pub const MAX_RULE_LINES: usize = 65_535;
    /// Entries looked at in one folder when looking for rule files the manifest does not name.
    pub const MAX_FOLDER_ENTRIES: usize = 10_000;
}

impl PolicySource {
    /// The default policy embedded in the binary (the repository's `rules/` folder).
    pub fn embedded() -> Self {
        let mut files = BTreeMap::new();
        collect_embedded(&EMBEDDED, &mut files);
        PolicySource {
            label: "rules".into(),
            files,
            unlisted: BTreeSet::new(),
        }
    }

    /// A policy folder on disk.
    pub fn from_dir(dir: &Path) -> Result<Self, Vec<PolicyError>> {
        let label = dir.display().to_string().trim_end_matches('/').to_string();
        if !dir.is_dir() {
            return Err(vec![PolicyError::new(&label, "no such policy folder")
                .help(
                    "pass the folder that holds policy.toml, e.g. `--rules rules`",
                )]);
        }
        read_manifest_files(dir, label)
    }

    /// The policy folder `dir` as it was at git revision `rev` (e.g. `HEAD~1`, `main`), read with git without
    /// touching the working tree.
    pub fn from_git(rev: &str, dir: &Path) -> Result<Self, Vec<PolicyError>> {
        let label = format!("{rev}:{}", dir.display());
        let fail = |msg: String| vec![PolicyError::new(&label, msg)];
        let git = |args: &[&str]| -> Result<String, String> {
            let out = std::process::Command::new("git")
                .args(args)
                .current_dir(if dir.is_dir() { dir } else { Path::new(".") })
                .output()
                .map_err(|e| format!("cannot run git: {e}"))?;
            if out.status.success() {
                String::from_utf8(out.stdout)
                    .map_err(|_| "git printed text that is not UTF-8".to_string())
            } else {
                Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
            }
        };
        let commit = git(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])
        .map_err(|_| {
            fail(format!(
                "`{rev}` is neither a policy folder nor a git revision"
            ))
        })?;
        let commit = commit.trim().to_string();
        // The folder's path inside the repository.
        let prefix = git(&["rev-parse", "--show-prefix"])
            .map_err(fail)?
            .trim()
            .trim_end_matches('/')
            .to_string();
        let names = git(&["ls-tree", "-r", "--name-only", &commit, "--", "."]).map_err(fail)?;
        let mut files = BTreeMap::new();
        for name in names.lines() {
            // ls-tree run inside `dir` prints paths relative to it.
            if is_policy_file(name) {
                let spec = if prefix.is_empty() {
                    format!("{commit}:{name}")
                } else {
                    format!("{commit}:{prefix}/{name}")
                };
                let text = git(&["show", &spec]).map_err(fail)?;
                files.insert(name.to_string(), text);
            }
        }
        if files.is_empty() {
            return Err(fail(format!(
                "`{}` holds no policy files at revision `{rev}`",
                dir.display()
            )));
        }
        Ok(PolicySource {
            label,
            files,
            unlisted: BTreeSet::new(),
        })
    }

    /// The path of a file as shown to users.
    pub fn display(&self, rel: &str) -> String {
        format!("{}/{}", self.label, rel)
    }

    /// `sha256:` digest over every file's path and contents.
    pub fn digest(&self) -> String {
        let mut h = Sha256::new();
        for (path, text) in &self.files {
            h.update((path.len() as u64).to_le_bytes());
            h.update(path.as_bytes());
            h.update((text.len() as u64).to_le_bytes());
            h.update(text.as_bytes());
        }
        format!("sha256:{}", hex(&h.finalize()))
    }
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Rule and parameter files; the expectation tests under `tests/` are not part of the policy (nor its digest).
fn is_policy_file(path: &str) -> bool {
    (path.ends_with(".rhai") || path.ends_with(".toml")) && !path.starts_with("tests/")
}

fn collect_embedded(dir: &Dir<'_>, out: &mut BTreeMap<String, String>) {
    for f in dir.files() {
        let rel = f.path().to_string_lossy().replace('\\', "/");
        if is_policy_file(&rel) {
            if let Some(text) = f.contents_utf8() {
                out.insert(rel, text.to_string());
            }
        }
    }
    for d in dir.dirs() {
        collect_embedded(d, out);
    }
}

/// The files a manifest names, loosely read (the manifest is checked properly by [`Policy::load`]).
#[derive(Debug, Default, Deserialize)]
struct ManifestFiles {
    #[serde(default)]
    parameters: Vec<String>,
    #[serde(default)]
    questions: Option<String>,
    #[serde(default)]
    text: BTreeMap<String, String>,
    #[serde(default)]
    stages: BTreeMap<String, Vec<String>>,
}

/// Reads a policy folder: the manifest, then only the files it names, each a regular file inside the folder (after
/// following links) and under [`limits::MAX_FILE_SIZE`]. A named file that does not exist is left out (loading
/// reports it); rule files beside the named ones that the manifest does not name are listed, not read.
fn read_manifest_files(dir: &Path, label: String) -> Result<PolicySource, Vec<PolicyError>> {
    let root = std::fs::canonicalize(dir).map_err(|e| {
        vec![PolicyError::new(
            &label,
            format!("cannot open the policy folder: {e}"),
        )]
    })?;
    let shown = |rel: &str| format!("{label}/{rel}");
    let mut files = BTreeMap::new();
    let mut errors = Vec::new();
    let manifest_text = match read_policy_file(&root, MANIFEST) {
        Ok(Some(text)) => text,
        Ok(None) => {
            return Ok(PolicySource {
                label,
                files,
                unlisted: BTreeSet::new(),
            })
        }
        Err(msg) => return Err(vec![PolicyError::new(shown(MANIFEST), msg)]),
    };
    let named: ManifestFiles = toml::from_str(&manifest_text).unwrap_or_default();
    files.insert(MANIFEST.to_string(), manifest_text.clone());
    let rule_files: Vec<&String> = named.stages.values().flatten().collect();
    let all = named
        .parameters
        .iter()
        .chain(named.questions.iter())
        .chain(named.text.values())
        .chain(rule_files.iter().copied());
    for rel in all {
        if files.contains_key(rel.as_str()) {
            continue;
        }
        let place = |e: PolicyError| match locate(&manifest_text, &format!("\"{rel}\"")) {
            Some((line, col)) => e.at(line, col, &manifest_text),
            None => e,
        };
        if !is_inside(rel) {
            errors.push(place(
                PolicyError::new(
                    shown(MANIFEST),
                    format!("`{rel}` is outside the policy folder"),
                )
                .help("name policy files by their path inside the policy folder, e.g. \"eligibility/hardship.rhai\""),
            ));
            continue;
        }
        match read_policy_file(&root, rel) {
            Ok(Some(text)) => {
                files.insert(rel.clone(), text);
            }
            Ok(None) => {}
            Err(msg) => errors.push(PolicyError::new(shown(rel), msg)),
        }
    }
    // Rule files the manifest does not name, in the folders of those it names (names only: nothing is read).
    let folders: BTreeSet<&str> = rule_files
        .iter()
        .filter(|r| is_inside(r))
        .map(|r| r.rsplit_once('/').map_or("", |(d, _)| d))
        .collect();
    let mut unlisted = BTreeSet::new();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(root.join(folder)) else {
            continue;
        };
        for entry in entries
            .take(limits::MAX_FOLDER_ENTRIES)
            .filter_map(Result::ok)
        {
            let name = entry.file_name().to_string_lossy().to_string();
            let rel = if folder.is_empty() {
                name.clone()
            } else {
                format!("{folder}/{name}")
            };
            if name.ends_with(".rhai") && !files.contains_key(&rel) {
                unlisted.insert(rel);
            }
        }
    }
    if errors.is_empty() {
        Ok(PolicySource {
            label,
            files,
            unlisted,
        })
    } else {
        Err(errors)
    }
}

/// Whether a path named in the manifest stays inside the policy folder as written (no `..`, not absolute).
fn is_inside(rel: &str) -> bool {
    let path = Path::new(rel);
    !rel.is_empty()
        && !rel.starts_with('/')
        && !rel.starts_with('\\')
        && path.components().all(|c| {
            matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        })
}

/// Reads one file of a policy folder (`root` is canonical): `None` if it does not exist; an error if it leads out
/// of the folder (through a link), is not a regular file (a FIFO or device is refused without being opened), is
/// larger than [`limits::MAX_FILE_SIZE`] or is not UTF-8. A byte-order mark at its start is dropped.
fn read_policy_file(root: &Path, rel: &str) -> Result<Option<String>, String> {
    use std::io::Read;
    let path = root.join(rel);
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read the file: {e}")),
        Ok(_) => {}
    }
    let real = match std::fs::canonicalize(&path) {
        Ok(p) => p,
        // A link to nothing.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read the file: {e}")),
    };
    if !real.starts_with(root) {
        return Err(
            "the file is outside the policy folder (a link leads out of it); policy files must be inside it"
                .into(),
        );
    }
    let meta = std::fs::metadata(&real).map_err(|e| format!("cannot read the file: {e}"))?;
    if !meta.is_file() {
        return Err(
            "not a regular file (a folder, FIFO or device); policy files must be regular files"
                .into(),
        );
    }
    if meta.len() > limits::MAX_FILE_SIZE {
        return Err(format!(
            "the file is {} bytes, larger than the limit of {} for a policy file",
            meta.len(),
            limits::MAX_FILE_SIZE
        ));
    }
    let file = std::fs::File::open(&real).map_err(|e| format!("cannot read the file: {e}"))?;
    let mut bytes = Vec::new();
    file.take(limits::MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if bytes.len() as u64 > limits::MAX_FILE_SIZE {
        return Err(format!(
            "the file is larger than the limit of {} bytes for a policy file",
            limits::MAX_FILE_SIZE
        ));
    }
    let text = String::from_utf8(bytes).map_err(|_| "the file is not valid UTF-8".to_string())?;
    Ok(Some(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    name: String,
    version: String,
    #[serde(default)]
    description: Option<String>,
    /// Macro-regions used when a parameter has no value for a province (e.g. the NBS East/Central/West/Northeast).
    #[serde(default)]
    regions: BTreeMap<String, Vec<String>>,
    stages: ManifestStages,
    parameters: Vec<String>,
    /// Facts a person could prove or act on: `assessor assess` tries them to say what would change the outcome.
    #[serde(default)]
    what_if: Option<WhatIfSection>,
    /// The question catalogue of `assessor interview` (a file of the policy).
    #[serde(default)]
    questions: Option<String>,
    /// The languages of the policy's texts; the first is that of the rule headers' plain keys.
    #[serde(default = "default_languages")]
    languages: Vec<String>,
    /// A catalogue per language (a file of the policy): the policy's name and the labels of codes.
    #[serde(default)]
    text: BTreeMap<String, String>,
}

fn default_languages() -> Vec<String> {
    vec!["en".into()]
}

/// A language's catalogue (`text/zh.toml`): the policy's name in it and the labels of the codes reports show.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TextCatalogue {
    /// The policy's name.
    #[serde(default)]
    name: Option<String>,
    /// Labels by code: values rules give, step and cap codes, services, agencies, regions.
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

/// Keys of a rule header that are texts, and so need a translation in every further language.
fn is_text_key(key: &str) -> bool {
    matches!(key, "title" | "basis" | "met" | "not_met")
        || HEADER_PREFIXES.iter().any(|p| key.starts_with(p))
}

/// `zh.met.x` → (`zh`, `met.x`) when the key starts with a two-letter language and the rest is a text key.
fn split_lang(key: &str) -> Option<(&str, &str)> {
    let (lang, rest) = key.split_once('.')?;
    (lang.len() == 2 && lang.chars().all(|c| c.is_ascii_lowercase()) && is_text_key(rest))
        .then_some((lang, rest))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WhatIfSection {
    facts: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestStages {
    eligibility: Vec<String>,
    exclusions: Vec<String>,
    priority: Vec<String>,
    amount: Vec<String>,
    referrals: Vec<String>,
}

impl ManifestStages {
    fn get(&self, stage: Stage) -> &[String] {
        match stage {
            Stage::Eligibility => &self.eligibility,
            Stage::Exclusions => &self.exclusions,
            Stage::Priority => &self.priority,
            Stage::Amount => &self.amount,
            Stage::Referrals => &self.referrals,
        }
    }
}

/// The header of a rule file: the leading `// key: value` comment lines.
#[derive(Debug, Default)]
pub(crate) struct Header {
    pub fields: BTreeMap<String, (String, usize)>,
}

const HEADER_KEYS: [&str; 7] = ["id", "title", "stage", "kind", "basis", "met", "not_met"];
const HEADER_PREFIXES: [&str; 5] = ["met.", "not_met.", "step.", "cap.", "check."];

pub(crate) fn parse_header(text: &str, file: &str) -> Result<Header, Vec<PolicyError>> {
    let mut header = Header::default();
    let mut errors = Vec::new();
    let mut current: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let trimmed = line.trim_start();
        let Some(body) = trimmed.strip_prefix("//") else {
            if trimmed.is_empty() {
                current = None;
                continue;
            }
            break;
        };
        let body = body.strip_prefix(' ').unwrap_or(body);
        if body.trim().is_empty() {
            current = None;
            continue;
        }
        if let Some(cont) = body.strip_prefix("  ") {
            if let Some(key) = &current {
                if let Some((v, _)) = header.fields.get_mut(key) {
                    let cont = cont.trim();
                    // Chinese text runs on without a space where a line was broken.
                    let wide = |c: Option<char>| c.is_some_and(|c| c as u32 >= 0x2E80);
                    if !(wide(v.chars().last()) || wide(cont.chars().next())) {
                        v.push(' ');
                    }
                    v.push_str(cont);
                }
                continue;
            }
        }
        let Some((key, value)) = body.split_once(':') else {
            current = None;
            continue;
        };
        let key = key.trim();
        let is_key = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
            && key.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        if !is_key {
            current = None;
            continue;
        }
        if !HEADER_KEYS.contains(&key)
            && !HEADER_PREFIXES.iter().any(|p| key.starts_with(p))
            && split_lang(key).is_none()
        {
            let all: Vec<&str> = HEADER_KEYS.to_vec();
            let mut e =
                PolicyError::new(file, format!("unknown header key `{key}`")).at(line_no, 4, text);
            if let Some(s) = crate::model::suggest::did_you_mean(key, all.iter().copied()) {
                e = e.help(format!("did you mean `{s}`?"));
            } else {
                e = e.help(format!(
                    "header keys are {}, step./cap./check.<code> texts, and each text again in a further language (zh.title, zh.met, …)",
                    all.join(", ")
                ));
            }
            errors.push(e);
            current = None;
            continue;
        }
        if header.fields.contains_key(key) {
            errors.push(
                PolicyError::new(file, format!("header key `{key}` appears twice"))
                    .at(line_no, 4, text),
            );
        }
        header
            .fields
            .insert(key.to_string(), (value.trim().to_string(), line_no));
        current = Some(key.to_string());
    }
    if errors.is_empty() {
        Ok(header)
    } else {
        Err(errors)
    }
}

impl Policy {
    /// The default policy embedded in the binary.
    pub fn embedded() -> Result<Policy, Vec<PolicyError>> {
        Policy::load(PolicySource::embedded())
    }

    /// Loads a policy folder from disk.
    pub fn from_dir(dir: &Path) -> Result<Policy, Vec<PolicyError>> {
        Policy::load(PolicySource::from_dir(dir)?)
    }

    /// Checks and compiles a policy's files. Every problem found is returned, each naming its file and place.
    pub fn load(source: PolicySource) -> Result<Policy, Vec<PolicyError>> {
        let mut errors = Vec::new();
        let manifest_file = source.display(MANIFEST);
        let Some(manifest_text) = source.files.get(MANIFEST) else {
            return Err(vec![PolicyError::new(&manifest_file, "the policy has no manifest")
                .help("a policy folder holds policy.toml naming the policy, its version, its stages and parameter files")]);
        };
        let manifest: Manifest = match toml::from_str(manifest_text) {
            Ok(m) => m,
            Err(e) => return Err(vec![toml_error(&manifest_file, manifest_text, &e)]),
        };
        let _ = &manifest.description;

        let what_if = manifest
            .what_if
            .as_ref()
            .map(|w| w.facts.clone())
            .unwrap_or_default();
        for fact in &what_if {
            if crate::model::facts::catalogue().lookup(fact).is_none() || fact.contains('*') {
                let mut e = PolicyError::new(
                    &manifest_file,
                    format!("`{fact}` in [what_if] is not a fact of the case schema"),
                );
                if let Some((line, col)) = locate(manifest_text, &format!("\"{fact}\"")) {
                    e = e.at(line, col, manifest_text);
                }
                errors.push(e);
            }
        }

        let mut questions = crate::policy::questions::Catalogue::new();
        if let Some(rel) = &manifest.questions {
            let file = source.display(rel);
            match source.files.get(rel) {
                None => errors.push(PolicyError::new(
                    &manifest_file,
                    format!("question catalogue `{rel}` does not exist"),
                )),
                Some(text) => match toml::from_str::<crate::policy::questions::Catalogue>(text) {
                    Err(e) => errors.push(toml_error(&file, text, &e)),
                    Ok(q) => {
                        for fact in q.keys() {
                            if crate::model::facts::catalogue().lookup(fact).is_none() {
                                let mut e = PolicyError::new(
                                    &file,
                                    format!("`{fact}` is not a fact of the case schema"),
                                );
                                if let Some((line, col)) = locate(text, &format!("\"{fact}\"")) {
                                    e = e.at(line, col, text);
                                }
                                errors.push(e);
                            }
                        }
                        questions = q;
                    }
                },
            }
        }

        let (languages, names, labels) =
            load_languages(&manifest, &source, manifest_text, &questions, &mut errors);

        // Parameters.
        let mut params = Parameters::new(manifest.regions.clone());
        for rel in &manifest.parameters {
            let file = source.display(rel);
            let Some(text) = source.files.get(rel) else {
                errors.push(PolicyError::new(
                    &manifest_file,
                    format!("parameter file `{rel}` does not exist"),
                ));
                continue;
            };
            let (list, mut problems) = params::parse_file(text, &file);
            errors.append(&mut problems);
            for p in list {
                if let Some(prev) = params.get(&p.name) {
                    let mut e = PolicyError::new(
                        &file,
                        format!("parameter `{}` is already defined in {}", p.name, prev.file),
                    );
                    if let Some(line) = p.line {
                        e = e.at(line, 1, text);
                    }
                    errors.push(e);
                } else {
                    params.insert(p);
                }
            }
        }
        let params = Arc::new(params);
        let sandbox = Sandbox::new();

        // Rules, stage by stage in manifest order.
        let mut rules = Vec::new();
        let mut rule_index = BTreeMap::new();
        let mut listed = BTreeSet::new();
        // Ids of rules whose files did not compile: references to them are not reported again.
        let mut failed_ids = BTreeSet::new();
        for stage in Stage::ALL {
            for rel in manifest.stages.get(stage) {
                listed.insert(rel.clone());
                let file = source.display(rel);
                let Some(text) = source.files.get(rel) else {
                    let mut e = PolicyError::new(
                        &manifest_file,
                        format!(
                            "rule file `{rel}` (stage {}) does not exist",
                            stage.as_str()
                        ),
                    )
                    .help("create the file or remove it from the manifest");
                    if let Some((line, col)) = locate(manifest_text, &format!("\"{rel}\"")) {
                        e = e.at(line, col, manifest_text);
                    }
                    errors.push(e);
                    continue;
                };
                match compile_rule(&sandbox, &params, text, &file, stage, &languages) {
                    Ok(rule) => {
                        if let Some(&prev) = rule_index.get(&rule.id) {
                            let prev_file = rules
                                .get(prev)
                                .map(|r: &Rule| r.file.clone())
                                .unwrap_or_default();
                            let mut e = PolicyError::new(
                                &file,
                                format!("rule id `{}` is already used by {prev_file}", rule.id),
                            )
                            .help("every rule needs its own id");
                            if let Some((line, col)) = locate(text, "// id:") {
                                e = e.at(line, col + 3, text);
                            }
                            errors.push(e);
                        } else {
                            rule_index.insert(rule.id.clone(), rules.len());
                            rules.push(rule);
                        }
                    }
                    Err(mut e) => {
                        if let Some((id, _)) = parse_header(text, &file)
                            .ok()
                            .and_then(|h| h.fields.get("id").cloned())
                        {
                            failed_ids.insert(id);
                        }
                        errors.append(&mut e)
                    }
                }
            }
        }
        for rel in source.files.keys().chain(&source.unlisted) {
            if rel.ends_with(".rhai") && !listed.contains(rel) {
                errors.push(
                    PolicyError::new(
                        source.display(rel),
                        "this rule file is not listed in the manifest, so it would never run",
                    )
                    .help(format!("add \"{rel}\" to the right stage in {MANIFEST}")),
                );
            }
        }
        // Rules that name other rules must name ones that run earlier.
        for (i, rule) in rules.iter().enumerate() {
            let text = source
                .files
                .get(
                    rule.file
                        .strip_prefix(&format!("{}/", source.label))
                        .unwrap_or(""),
                )
                .map(String::as_str)
                .unwrap_or("");
            for (target, line, col) in &rule.scan.rules {
                match rule_index.get(target) {
                    _ if failed_ids.contains(target) => {}
                    Some(&j) if j < i => {}
                    Some(_) => errors.push(
                        PolicyError::new(&rule.file, format!("rule `{target}` runs after this rule, so its outcome is not known yet"))
                            .at(*line, *col, text)
                            .help("move this rule after it in the manifest"),
                    ),
                    None => {
                        let ids: Vec<&str> = rule_index.keys().map(String::as_str).collect();
                        let mut e = PolicyError::new(&rule.file, format!("there is no rule `{target}`")).at(*line, *col, text);
                        if let Some(s) = crate::model::suggest::did_you_mean(target, ids) {
                            e = e.help(format!("did you mean `{s}`?"));
                        }
                        errors.push(e);
                    }
                }
            }
        }
        check_labels(&rules, &source, &manifest, &labels, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Policy {
            name: manifest.name,
            version: manifest.version,
            digest: source.digest(),
            origin: source.label.clone(),
            rules,
            params,
            what_if,
            questions,
            languages,
            names,
            labels,
            no_labels: Labels::none(Lang::En),
            rule_index,
            sandbox,
        })
    }

    /// The language of the rule headers' plain keys.
    pub fn primary_language(&self) -> Lang {
        self.languages.first().copied().unwrap_or(Lang::En)
    }

    /// A rule's text (`title`, `basis`, `met`, `step.<code>`, …) in a language; in the first language when the
    /// policy has none in `lang` (never, for a language it declares: loading checks every text is there).
    pub fn rule_text<'r>(&self, rule: &'r Rule, lang: Lang, key: &str) -> Option<&'r str> {
        let primary = || match key {
            "title" => Some(rule.title.as_str()),
            "basis" => Some(rule.basis.as_str()),
            _ => rule.texts.get(key).map(String::as_str),
        };
        if lang == self.primary_language() {
            return primary();
        }
        rule.translations
            .get(&lang)
            .and_then(|t| t.get(key))
            .map(String::as_str)
            .or_else(primary)
    }

    /// The labels of codes in a language (those of the first language when the policy does not declare `lang`).
    pub fn labels(&self, lang: Lang) -> &Labels {
        match self.labels.get(&lang) {
            Some(l) => l,
            None => self
                .labels
                .get(&self.primary_language())
                .unwrap_or(&self.no_labels),
        }
    }

    /// The policy's name in a language.
    pub fn name_in(&self, lang: Lang) -> &str {
        self.names
            .get(&lang)
            .map(String::as_str)
            .unwrap_or(&self.name)
    }

    /// A rule by id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rule_index.get(id).and_then(|&i| self.rules.get(i))
    }

    /// A parameter by name.
    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.params.get(name)
    }
}

type Languages = (Vec<Lang>, BTreeMap<Lang, String>, BTreeMap<Lang, Labels>);

/// The manifest's `languages` and the catalogue of each (`[text]`): the policy's name and the labels of codes. In
/// a language other than English, the labels of allowed values written for the interview (`zh_choices`) count too,
/// where a value has one label only.
fn load_languages(
    manifest: &Manifest,
    source: &PolicySource,
    manifest_text: &str,
    questions: &crate::policy::questions::Catalogue,
    errors: &mut Vec<PolicyError>,
) -> Languages {
    let manifest_file = source.display(MANIFEST);
    let at = |e: PolicyError, needle: &str| match locate(manifest_text, needle) {
        Some((line, col)) => e.at(line, col, manifest_text),
        None => e,
    };
    let mut languages = Vec::new();
    for code in &manifest.languages {
        match Lang::parse(code) {
            Some(l) if languages.contains(&l) => errors.push(at(
                PolicyError::new(&manifest_file, format!("language `{code}` is listed twice")),
                &format!("\"{code}\""),
            )),
            Some(l) => languages.push(l),
            None => errors.push(
                at(
                    PolicyError::new(
                        &manifest_file,
                        format!("`{code}` is not a language reports can be written in"),
                    ),
                    &format!("\"{code}\""),
                )
                .help(format!(
                    "languages are {}",
                    Lang::ALL
                        .map(|l| format!("\"{}\" ({})", l.code(), l.name()))
                        .join(", ")
                )),
            ),
        }
    }
    if languages.is_empty() {
        languages.push(Lang::En);
    }
    let primary = languages.first().copied().unwrap_or(Lang::En);
    let mut names = BTreeMap::new();
    names.insert(primary, manifest.name.clone());
    let mut labels = BTreeMap::new();
    for &lang in &languages {
        let mut map = BTreeMap::new();
        if lang == Lang::Zh {
            let mut seen: BTreeMap<&String, Option<&String>> = BTreeMap::new();
            for entry in questions.values() {
                for (code, label) in &entry.zh_choices {
                    let e = seen.entry(code).or_insert(Some(label));
                    if *e != Some(label) {
                        *e = None;
                    }
                }
            }
            map.extend(
                seen.into_iter()
                    .filter_map(|(c, l)| l.map(|l| (c.clone(), l.clone()))),
            );
        }
        labels.insert(lang, Labels { lang, map });
    }
    for (code, rel) in &manifest.text {
        let Some(lang) = Lang::parse(code).filter(|l| languages.contains(l)) else {
            errors.push(at(
                PolicyError::new(
                    &manifest_file,
                    format!("[text] names a catalogue for `{code}`, which is not in `languages`"),
                ),
                &format!("{code} ="),
            ));
            continue;
        };
        let file = source.display(rel);
        let Some(text) = source.files.get(rel) else {
            errors.push(at(
                PolicyError::new(
                    &manifest_file,
                    format!("text catalogue `{rel}` does not exist"),
                ),
                &format!("\"{rel}\""),
            ));
            continue;
        };
        match toml::from_str::<TextCatalogue>(text) {
            Err(e) => errors.push(toml_error(&file, text, &e)),
            Ok(cat) => {
                if let Some(name) = cat.name {
                    names.insert(lang, name);
                }
                if let Some(l) = labels.get_mut(&lang) {
                    l.map.extend(cat.labels);
                }
            }
        }
    }
    for &lang in &languages {
        if !names.contains_key(&lang) {
            errors.push(
                PolicyError::new(
                    &manifest_file,
                    format!(
                        "the policy has no name in {} (`{}`)",
                        lang.name(),
                        lang.code()
                    ),
                )
                .help(format!(
                    "give its catalogue a `name = \"…\"` line, e.g. [text] {} = \"text/{}.toml\"",
                    lang.code(),
                    lang.code()
                )),
            );
        }
    }
    (languages, names, labels)
}

/// Checks a rule header's texts against the policy's languages: every text of the first language again in each
/// further one, and nothing in an undeclared language or without its first-language text.
fn check_translations(
    header: &Header,
    file: &str,
    text: &str,
    languages: &[Lang],
    errors: &mut Vec<PolicyError>,
) -> BTreeMap<Lang, BTreeMap<String, String>> {
    let mut out: BTreeMap<Lang, BTreeMap<String, String>> = BTreeMap::new();
    let primary = languages.first().copied().unwrap_or(Lang::En);
    let declared: Vec<&str> = languages.iter().map(|l| l.code()).collect();
    for (key, (value, line)) in &header.fields {
        let Some((code, rest)) = split_lang(key) else {
            continue;
        };
        match Lang::parse(code).filter(|l| languages.contains(l) && *l != primary) {
            None => errors.push(
                PolicyError::new(
                    file,
                    format!("`{key}` is a text in `{code}`, which the policy does not declare"),
                )
                .at(*line, 4, text)
                .help(format!(
                    "the policy's languages are {} (`languages` in {MANIFEST}); the first is written without a prefix",
                    declared.join(", ")
                )),
            ),
            Some(lang) => {
                if !header.fields.contains_key(rest) {
                    errors.push(
                        PolicyError::new(
                            file,
                            format!("`{key}` translates `{rest}`, which the header does not have"),
                        )
                        .at(*line, 4, text)
                        .help(format!("add `// {rest}: …` or remove `{key}`")),
                    );
                }
                out.entry(lang)
                    .or_default()
                    .insert(rest.to_string(), value.clone());
            }
        }
    }
    for &lang in languages.iter().skip(1) {
        for (key, (_, line)) in &header.fields {
            if !is_text_key(key) || split_lang(key).is_some() {
                continue;
            }
            let translated = format!("{}.{key}", lang.code());
            if !header.fields.contains_key(&translated) {
                errors.push(
                    PolicyError::new(
                        file,
                        format!("`{key}` has no {} text (`{translated}`)", lang.name()),
                    )
                    .at(*line, 4, text)
                    .help(format!(
                        "add `// {translated}: …`; the policy declares the languages {} in {MANIFEST}",
                        declared.join(", ")
                    )),
                );
            }
        }
    }
    out
}

/// In each language but English (where a code reads well with `_` as a space), every code a rule gives and every
/// allowed value of a fact a rule reads needs a label, or the report would show a bare code in a sentence.
fn check_labels(
    rules: &[Rule],
    source: &PolicySource,
    manifest: &Manifest,
    labels: &BTreeMap<Lang, Labels>,
    errors: &mut Vec<PolicyError>,
) {
    let cat = crate::model::facts::catalogue();
    for (lang, l) in labels.iter().filter(|(lang, _)| **lang != Lang::En) {
        let catalogue = manifest
            .text
            .get(lang.code())
            .map(|rel| source.display(rel))
            .unwrap_or_else(|| source.display(MANIFEST));
        let help = |code: &str| format!("add `\"{code}\" = \"…\"` under [labels] in {catalogue}");
        let mut reported = BTreeSet::new();
        for rule in rules {
            for (code, line, col) in &rule.scan.codes {
                if !l.has(code) && reported.insert(code.clone()) {
                    errors.push(
                        PolicyError::new(
                            &rule.file,
                            format!("`{code}` has no {} label", lang.name()),
                        )
                        .at(*line, *col, &rule.source)
                        .help(help(code)),
                    );
                }
            }
            for fact in &rule.scan.facts {
                let Some(node) = cat.lookup(fact).and_then(|id| cat.node(id)) else {
                    continue;
                };
                if let crate::model::facts::FactType::String { choices } = &node.ty {
                    for code in choices {
                        if !l.has(code) && reported.insert(code.clone()) {
                            errors.push(
                                PolicyError::new(
                                    &catalogue,
                                    format!(
                                        "`{code}`, a value of `{fact}` (read by `{}`), has no {} label",
                                        rule.id,
                                        lang.name()
                                    ),
                                )
                                .help(help(code)),
                            );
                        }
                    }
                }
            }
        }
    }
}

/// Line and column (1-based) of the first occurrence of `needle` in `text`.
fn locate(text: &str, needle: &str) -> Option<(usize, usize)> {
    text.lines()
        .enumerate()
        .find_map(|(i, l)| l.find(needle).map(|c| (i + 1, l[..c].chars().count() + 1)))
}

fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> PolicyError {
    let mut err = PolicyError::new(file, e.message().to_string());
    if let Some(span) = e.span() {
        let before = text.get(..span.start).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let col = before
            .rsplit('\n')
            .next()
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        err = err.at(line, col, text);
    }
    err
}

pub(crate) fn toml_error_pub(file: &str, text: &str, e: &toml::de::Error) -> PolicyError {
    toml_error(file, text, e)
}

/// A rule file's lines are bounded ([`limits::MAX_RULE_LINE`] characters, [`limits::MAX_RULE_LINES`] lines), so
/// every position reported in it is exact (rhai counts lines and columns up to 65,535).
fn check_rule_shape(text: &str, file: &str) -> Result<(), Vec<PolicyError>> {
    for (i, line) in text.lines().enumerate() {
        if i >= limits::MAX_RULE_LINES {
            return Err(vec![PolicyError::new(
                file,
                format!(
                    "the rule file has more than {} lines",
                    limits::MAX_RULE_LINES
                ),
            )
            .help("split the rule, or move data to a parameter file")]);
        }
        let chars = line.chars().count();
        if chars > limits::MAX_RULE_LINE {
            let mut e = PolicyError::new(
                file,
                format!(
                    "line {} is {chars} characters long, more than the limit of {}",
                    i + 1,
                    limits::MAX_RULE_LINE
                ),
            )
            .help("break the line, or move data to a parameter file");
            e.line = Some(i + 1);
            e.column = Some(1);
            return Err(vec![e]);
        }
    }
    Ok(())
}

fn compile_rule(
    sandbox: &Sandbox,
    params: &Parameters,
    text: &str,
    file: &str,
    stage: Stage,
    languages: &[Lang],
) -> Result<Rule, Vec<PolicyError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    check_rule_shape(text, file)?;
    let header = parse_header(text, file)?;
    let mut errors = Vec::new();
    let translations = check_translations(&header, file, text, languages, &mut errors);
    let get = |k: &str| header.fields.get(k).map(|(v, _)| v.clone());
    for key in ["id", "title", "basis", "met"] {
        if get(key).is_none_or(|v| v.is_empty()) {
            errors.push(PolicyError::new(file, format!("the rule header has no `{key}`")).at(1, 1, text).help(format!(
                "start the file with comment lines such as `// {key}: …`; every rule needs id, title, stage, basis and a `met` text"
            )));
        }
    }
    let declared_stage = match get("stage") {
        None => {
            errors.push(
                PolicyError::new(file, "the rule header has no `stage`")
                    .at(1, 1, text)
                    .help(format!("add `// stage: {}`", stage.as_str())),
            );
            stage
        }
        Some(s) => {
            match Stage::parse(&s) {
                Some(st) if st == stage => st,
                Some(st) => {
                    let line = header.fields.get("stage").map(|(_, l)| *l).unwrap_or(1);
                    errors.push(PolicyError::new(file, format!("the header says stage `{}` but the manifest lists the file under `{}`", st.as_str(), stage.as_str())).at(line, 4, text));
                    stage
                }
                None => {
                    let line = header.fields.get("stage").map(|(_, l)| *l).unwrap_or(1);
                    let names: Vec<&str> = Stage::ALL.iter().map(|s| s.as_str()).collect();
                    let mut e =
                        PolicyError::new(file, format!("unknown stage `{s}`")).at(line, 4, text);
                    e = match crate::model::suggest::did_you_mean(&s, names.iter().copied()) {
                        Some(sug) => e.help(format!("did you mean `{sug}`?")),
                        None => e.help(format!("stages are {}", names.join(", "))),
                    };
                    errors.push(e);
                    stage
                }
            }
        }
    };
    let kinds = declared_stage.kinds();
    let kind = match get("kind") {
        None if kinds.len() == 1 || declared_stage == Stage::Exclusions => {
            kinds.first().copied().unwrap_or(RuleKind::Amount)
        }
        None => {
            let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
            errors.push(
                PolicyError::new(file, "the rule header has no `kind`")
                    .at(1, 1, text)
                    .help(format!(
                        "rules of stage {} are one of: {}",
                        declared_stage.as_str(),
                        names.join(", ")
                    )),
            );
            RuleKind::Amount
        }
        Some(k) => match kinds.iter().find(|x| x.as_str() == k) {
            Some(&kind) => kind,
            None => {
                let line = header.fields.get("kind").map(|(_, l)| *l).unwrap_or(1);
                let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
                errors.push(
                    PolicyError::new(
                        file,
                        format!("kind `{k}` is not one of stage {}", declared_stage.as_str()),
                    )
                    .at(line, 4, text)
                    .help(format!(
                        "rules of stage {} are one of: {}",
                        declared_stage.as_str(),
                        names.join(", ")
                    )),
                );
                RuleKind::Amount
            }
        },
    };
    let id = get("id").unwrap_or_default();
    if !id.is_empty() && !id.starts_with(&format!("{}.", declared_stage.as_str())) {
        let line = header.fields.get("id").map(|(_, l)| *l).unwrap_or(1);
        errors.push(
            PolicyError::new(
                file,
                format!(
                    "rule id `{id}` must start with its stage, `{}.`",
                    declared_stage.as_str()
                ),
            )
            .at(line, 4, text),
        );
    }
    let ast = match sandbox.compile(text) {
        Ok(ast) => Some(ast),
        Err(e) => {
            let (line, col) = (e.1.line().unwrap_or(1), e.1.position().unwrap_or(1));
            errors
                .push(PolicyError::new(file, engine::describe_parse_error(&e)).at(line, col, text));
            None
        }
    };
    let scan = match &ast {
        Some(ast) => crate::policy::scan::scan(
            ast,
            params,
            crate::policy::scan::sandbox_functions(sandbox.engine()),
        ),
        None => Default::default(),
    };
    let stage_issues = match &ast {
        Some(ast) => crate::policy::scan::stage_issues(ast, declared_stage),
        None => Vec::new(),
    };
    let texts: Vec<(&str, &str, usize)> = header
        .fields
        .iter()
        .filter(|(k, _)| {
            let k = split_lang(k).map_or(k.as_str(), |(_, rest)| rest);
            k == "met" || k == "not_met" || HEADER_PREFIXES.iter().any(|p| k.starts_with(p))
        })
        .map(|(k, (v, line))| (k.as_str(), v.as_str(), *line))
        .collect();
    let placeholder_issues = match &ast {
        Some(ast) => crate::policy::scan::placeholder_issues(ast, &texts, text),
        None => Vec::new(),
    };
    for issue in scan
        .issues
        .iter()
        .chain(&stage_issues)
        .chain(&placeholder_issues)
    {
        errors.push(
            PolicyError::new(file, issue.message.clone())
                .at(issue.line, issue.column, text)
                .help_opt(issue.help.clone()),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let texts = header
        .fields
        .iter()
        .filter(|(k, _)| {
            *k == "met" || *k == "not_met" || HEADER_PREFIXES.iter().any(|p| k.starts_with(p))
        })
        .map(|(k, (v, _))| (k.clone(), v.clone()))
        .collect();
    Ok(Rule {
        id,
        title: get("title").unwrap_or_default(),
        stage: declared_stage,
        kind,
        basis: get("basis").unwrap_or_default(),
        texts,
        translations,
        file: file.to_string(),
        ast: sandbox.optimize(ast.unwrap_or_default()),
        scan,
        source: text.to_string(),
    })
}

impl PolicyError {
    pub(crate) fn help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
}

/// JSON form of a policy's identity, as it appears in a recommendation.
pub fn identity(policy: &Policy) -> Value {
    serde_json::json!({ "name": policy.name, "version": policy.version, "digest": policy.digest })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_continuation_lines_join_without_a_space_english_with_one() {
        let text = "// id: x.y\n// zh.met: 申请人\n//   系被害人的{relation}。\n// met: The applicant\n//   is the victim's {relation}.\n";
        let h = parse_header(text, "f.rhai").unwrap_or_default();
        assert_eq!(
            h.fields.get("zh.met").map(|v| v.0.as_str()),
            Some("申请人系被害人的{relation}。")
        );
        assert_eq!(
            h.fields.get("met").map(|v| v.0.as_str()),
            Some("The applicant is the victim's {relation}.")
        );
    }

    #[test]
    fn a_translation_key_names_a_language_and_a_text() {
        assert_eq!(
            split_lang("zh.met.allowance"),
            Some(("zh", "met.allowance"))
        );
        assert_eq!(split_lang("zh.title"), Some(("zh", "title")));
        assert_eq!(split_lang("zh.id"), None);
        assert_eq!(split_lang("met.allowance"), None);
    }

    #[test]
    fn every_text_needs_its_translation_and_every_translation_its_text() {
        let text = "// id: x.y\n// met: Met.\n// zh.not_met: 不符合。\n// fr.met: Oui.\n";
        let h = parse_header(text, "f.rhai").unwrap_or_default();
        let mut errors = Vec::new();
        let t = check_translations(&h, "f.rhai", text, &[Lang::En, Lang::Zh], &mut errors);
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`fr.met` is a text in `fr`, which the policy does not declare",
                "`zh.not_met` translates `not_met`, which the header does not have",
                "`met` has no Chinese text (`zh.met`)",
            ]
        );
        assert_eq!(
            t.get(&Lang::Zh)
                .and_then(|m| m.get("not_met"))
                .map(String::as_str),
            Some("不符合。")
        );
    }
}
