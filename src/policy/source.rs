//! The files of a policy ([`PolicySource`]): the copy embedded in the binary, a folder on disk (reading only the
//! files the manifest names, within [`limits`]) or a folder at a git revision; and their digest. Made by
//! [`Policy::embedded`](super::Policy::embedded), [`Policy::from_dir`](super::Policy::from_dir) and the CLI's
//! `diff` (a git revision), then handed to [`Policy::load`](super::Policy::load).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use include_dir::{include_dir, Dir};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use toml::Spanned;

use super::error::{toml_error, PolicyError};
use super::manifest::MANIFEST;

static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/rules");

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
#[derive(Debug, Deserialize)]
struct ManifestFiles {
    #[serde(default)]
    parameters: Vec<Spanned<String>>,
    #[serde(default)]
    questions: Option<Spanned<String>>,
    #[serde(default)]
    text: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    stages: BTreeMap<String, Vec<Spanned<String>>>,
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
    let named: ManifestFiles = toml::from_str(&manifest_text)
        .map_err(|e| vec![toml_error(&shown(MANIFEST), &manifest_text, &e)])?;
    files.insert(MANIFEST.to_string(), manifest_text.clone());
    let rule_files: Vec<&Spanned<String>> = named.stages.values().flatten().collect();
    let all = named
        .parameters
        .iter()
        .chain(named.questions.iter())
        .chain(named.text.values())
        .chain(rule_files.iter().copied());
    for spanned in all {
        let rel = spanned.get_ref();
        if files.contains_key(rel.as_str()) {
            continue;
        }
        let place = |e: PolicyError| e.span(spanned.span(), &manifest_text);
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
        .map(|r| r.get_ref())
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
