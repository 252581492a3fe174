//! Expectation files: the typed form of a test (an [`Expectation`]) and the loader that reads `rules/tests/*.toml`
//! into it. A misspelt key or value is a load error naming the file, line and column, with a "did you mean" help.
//! Called by [`crate::expect`]'s runner and by the `test` subcommand.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::codes::{Approval, Decision, Payment, Tier};
use crate::model::suggest::did_you_mean;
use crate::policy::PolicyError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    test: Vec<toml::Spanned<Expectation>>,
}

/// What must hold for one case.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// The test's name.
    pub name: String,
    /// The case file, relative to the expectation file.
    pub case: String,
    /// The decision.
    pub decision: Option<Decision>,
    /// The priority tier.
    pub tier: Option<Tier>,
    /// Exact priority score.
    pub score: Option<i64>,
    /// Lowest priority score.
    pub score_min: Option<i64>,
    /// Highest priority score.
    pub score_max: Option<i64>,
    /// Exact recommended amount.
    pub amount: Option<i64>,
    /// Lowest recommended amount.
    pub amount_min: Option<i64>,
    /// Highest recommended amount.
    pub amount_max: Option<i64>,
    /// Services that must be referred to.
    #[serde(default)]
    pub referrals: Vec<String>,
    /// Services that must not be referred to.
    #[serde(default)]
    pub no_referrals: Vec<String>,
    /// Rules that must be met.
    #[serde(default)]
    pub fired: Vec<String>,
    /// Rules that must not be met.
    #[serde(default)]
    pub not_fired: Vec<String>,
    /// Rules that must be undecided for want of facts.
    #[serde(default)]
    pub unknown: Vec<String>,
    /// Exactly these facts are missing.
    pub missing: Option<Vec<String>>,
    /// Exactly these approvals (in any order).
    pub approvals: Option<Vec<Approval>>,
    /// Whether the assistance is discretionary.
    pub discretionary: Option<bool>,
    /// Whether the case is fast-tracked.
    pub fast_track: Option<bool>,
    /// How many co-recipients.
    pub co_recipients: Option<usize>,
    /// How the money is paid.
    pub payment: Option<Payment>,
    /// Facts (JSON Pointers) taken out of the case file before it is assessed, so that they are unknown.
    #[serde(default)]
    pub unknown_facts: Vec<String>,
    /// Facts (JSON Pointer = value) set in the case file before it is assessed.
    #[serde(default)]
    pub set: BTreeMap<String, toml::Value>,
    /// Rules that must conclude although they read an unknown fact (which did not matter).
    #[serde(default)]
    pub settled: Vec<String>,
    /// Exactly these facts could change the decision.
    pub deciding: Option<Vec<String>>,
    /// Exactly these facts are presumed by a bar, to confirm before deciding.
    pub to_confirm: Option<Vec<String>>,
    /// Lowest amount of a provisional amount's range (and that the amount is provisional).
    pub range_low: Option<i64>,
    /// Highest amount of a provisional amount's range (and that the amount is provisional).
    pub range_high: Option<i64>,
    /// Exactly the tiers reachable, when the tier is provisional (e.g. `["A", "B"]`).
    pub tiers: Option<Vec<Tier>>,
    #[serde(skip)]
    pub(crate) file: PathBuf,
    #[serde(skip)]
    pub(crate) line: usize,
}

impl Expectation {
    /// Where the test is defined (`file:line`).
    pub fn location(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
}

/// The case file of an expectation, resolved against the expectation file's folder.
pub fn case_path(t: &Expectation) -> PathBuf {
    t.file.parent().unwrap_or(Path::new(".")).join(&t.case)
}

/// Every expectation file under `paths` (files, or folders searched for `*.toml`), sorted.
pub fn find_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|f| f.extension().is_some_and(|x| x == "toml"))
                        .collect()
                })
                .unwrap_or_default();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    out
}

/// Largest expectation file read, in bytes (as a case file's default limit).
pub const MAX_FILE_SIZE: u64 = crate::validate::DEFAULT_MAX_SIZE;

/// Reads expectation files; every problem names the file and place. Only regular files of at most
/// [`MAX_FILE_SIZE`] bytes are read; a pointer in `unknown_facts` or a `set` key that the case schema does not
/// have is a load error at its line, with a "did you mean" help.
pub fn load(files: &[PathBuf]) -> Result<Vec<Expectation>, Vec<PolicyError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for path in files {
        let shown = path.display().to_string();
        let text = match read(path) {
            Ok(t) => t,
            Err(message) => {
                errors.push(PolicyError::new(
                    &shown,
                    format!("cannot read the expectation file: {message}"),
                ));
                continue;
            }
        };
        match toml::from_str::<File>(&text) {
            Ok(f) => {
                if f.test.is_empty() {
                    errors.push(PolicyError::new(
                        &shown,
                        "no tests in this file; each test starts with [[test]]",
                    ));
                }
                let lines = LineIndex::new(&text);
                // A test's span is its `[[test]]` header; its keys lie between it and the next test's header.
                let starts: Vec<usize> = f.test.iter().map(|t| t.span().start).collect();
                for (i, t) in f.test.into_iter().enumerate() {
                    let start = t.span().start;
                    let end = starts.get(i + 1).copied().unwrap_or(text.len());
                    let mut t = t.into_inner();
                    t.file = path.clone();
                    t.line = lines.line_of(start);
                    errors.extend(check_facts(&t, &shown, &text, start..end));
                    out.push(t);
                }
            }
            Err(e) => errors.push(explain(&shown, &text, &e)),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The text of an expectation file: a regular file under [`MAX_FILE_SIZE`], never a device or FIFO (which could
/// hang or flood the reader), in UTF-8.
fn read(path: &Path) -> Result<String, String> {
    use crate::validate::ReadError;
    let max = MAX_FILE_SIZE;
    let bytes = crate::validate::read_case_file(path, max, false).map_err(|e| match e {
        ReadError::NotRegular(kind) => format!(
            "it is a {kind}, not a regular file; only regular files no larger than {max} bytes are read"
        ),
        ReadError::Folder => "it is a folder, not a file".to_string(),
        other => other.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|e| format!("it is not UTF-8 text: {e}"))
}

/// The start of every line of a text, to find a byte offset's line in one binary search.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex(starts)
    }

    /// The 1-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.0.partition_point(|&s| s <= offset).max(1)
    }
}

/// The pointers of `unknown_facts` and the keys of `set` that are not facts of the case schema, each as an error
/// at its place in `region` (the test's part of `text`).
fn check_facts(
    t: &Expectation,
    file: &str,
    text: &str,
    region: std::ops::Range<usize>,
) -> Vec<PolicyError> {
    let named = t
        .unknown_facts
        .iter()
        .map(|p| ("unknown_facts", p))
        .chain(t.set.keys().map(|p| ("set", p)));
    let mut errors = Vec::new();
    for (key, pointer) in named {
        if is_fact(pointer) {
            continue;
        }
        let place = text
            .get(region.clone())
            .and_then(|r| r.find(pointer.as_str()).filter(|_| !pointer.is_empty()))
            .map_or(region.start..region.start, |i| {
                region.start + i..region.start + i + pointer.len()
            });
        let err = PolicyError::new(
            file,
            format!("`{key}`: `{pointer}` is not a fact of the case schema"),
        )
        .span(place, text)
        .help(suggest_fact(pointer));
        errors.push(err);
    }
    errors
}

/// Whether a JSON Pointer names a fact of the case schema (array elements by index).
fn is_fact(pointer: &str) -> bool {
    pointer.starts_with('/') && crate::model::facts::catalogue().lookup(pointer).is_some()
}

/// A help for a pointer that is no fact: the nearest fact ("did you mean"), or what the schema has where the
/// pointer leaves it.
fn suggest_fact(pointer: &str) -> String {
    let cat = crate::model::facts::catalogue();
    let mut good = String::new();
    let mut changed = false;
    for seg in pointer.split('/').skip(1) {
        let next = format!("{good}/{seg}");
        if cat.lookup(&next).is_some() {
            good = next;
            continue;
        }
        // The facts a rule may read: not `notes` nor `$schema`.
        let names: Vec<&str> = cat
            .lookup(&good)
            .map(|id| cat.child_names(id))
            .unwrap_or_default()
            .into_iter()
            .filter(|n| {
                cat.lookup(&format!("{good}/{n}"))
                    .and_then(|id| cat.node(id))
                    .is_some_and(|node| node.readable)
            })
            .collect();
        match did_you_mean(seg, names.iter().copied()) {
            Some(s) => {
                good = format!("{good}/{s}");
                changed = true;
            }
            _ => {
                let under = if good.is_empty() { "/" } else { good.as_str() };
                return if names.is_empty() {
                    format!("`{under}` has no facts under it")
                } else {
                    format!("the facts under `{under}` are: {}", names.join(", "))
                };
            }
        }
    }
    if changed && is_fact(&good) {
        format!("did you mean `{good}`?")
    } else {
        "a fact is a JSON Pointer into the case file, e.g. `/decision_date`".to_string()
    }
}

/// A parse error of an expectation file, with the key or value it is about and a "did you mean" help when serde
/// names what was expected (`unknown field `x`, expected one of `a`, `b``; `unknown variant …`).
fn explain(file: &str, text: &str, e: &toml::de::Error) -> PolicyError {
    let mut err = crate::policy::toml_error_pub(file, text, e);
    let message = e.message();
    let mut quoted = message.split('`').skip(1).step_by(2);
    let Some(word) = quoted.next() else {
        return err;
    };
    let expected: Vec<&str> = quoted.collect();
    let (what, noun) = if message.starts_with("unknown field") {
        (format!("unknown key `{word}` in an expectation"), "keys")
    } else if message.starts_with("unknown variant") {
        let key = e
            .span()
            .and_then(|s| text.get(..s.start))
            .and_then(|before| before.rsplit('\n').next())
            .and_then(|l| l.split_once('='))
            .map(|(k, _)| k.trim().trim_matches('"').to_string());
        match key {
            Some(k) => (format!("unknown value `{word}` for `{k}`"), "values"),
            None => (format!("unknown value `{word}`"), "values"),
        }
    } else {
        return err;
    };
    err.message = what;
    err.help = Some(match did_you_mean(word, expected.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("{noun} are: {}", expected.join(", ")),
    });
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(name: &str, text: &str) -> Result<Vec<Expectation>, Vec<PolicyError>> {
        let dir = tempfile::tempdir().map_err(|_| Vec::new())?;
        let path = dir.path().join(name);
        std::fs::write(&path, text).map_err(|_| Vec::new())?;
        load(&[path])
    }

    const HEAD: &str = "# a comment\n\n[[test]]\nname = \"one\"\ncase = \"c.json\"\n";

    fn one_error(text: &str) -> PolicyError {
        match load_text("t.toml", text) {
            Err(mut e) if e.len() == 1 => e.remove(0),
            other => panic!("expected one error, got {other:?}"),
        }
    }

    #[test]
    fn a_misspelt_key_is_a_load_error_at_its_line_with_a_suggestion() {
        let e = one_error(&format!("{HEAD}decison = \"assist\"\n"));
        assert!(e.file.ends_with("t.toml"), "{e:?}");
        assert_eq!((e.line, e.column), (Some(6), Some(1)));
        assert_eq!(e.message, "unknown key `decison` in an expectation");
        assert_eq!(e.help.as_deref(), Some("did you mean `decision`?"));
    }

    #[test]
    fn a_misspelt_value_is_a_load_error_at_its_line_with_a_suggestion() {
        let e = one_error(&format!("{HEAD}tier = \"A\"\ndecision = \"asist\"\n"));
        assert_eq!(e.line, Some(7));
        assert_eq!(e.message, "unknown value `asist` for `decision`");
        assert_eq!(e.help.as_deref(), Some("did you mean `assist`?"));
        let e = one_error(&format!("{HEAD}approvals = [\"collective_decison\"]\n"));
        assert_eq!(e.line, Some(6));
        assert_eq!(
            e.message,
            "unknown value `collective_decison` for `approvals`"
        );
        assert_eq!(
            e.help.as_deref(),
            Some("did you mean `collective_decision`?")
        );
        let e = one_error(&format!("{HEAD}payment = \"cash\"\n"));
        assert_eq!(
            e.help.as_deref(),
            Some("values are: one_off, supervised_instalments")
        );
        assert!(!e.message.contains("did you mean"), "{e:?}");
    }

    #[test]
    fn each_test_knows_the_line_of_its_header() {
        let text = format!("{HEAD}decision = \"assist\"\n\n[[test]]\nname = \"two\"\ncase = \"c.json\"\ntiers = [\"A\", \"B\"]\n");
        let tests = load_text("t.toml", &text).unwrap_or_default();
        let lines: Vec<usize> = tests.iter().map(|t| t.line).collect();
        assert_eq!(lines, [3, 8]);
        assert_eq!(
            tests.get(1).and_then(|t| t.tiers.clone()),
            Some(vec![Tier::A, Tier::B])
        );
    }

    #[test]
    fn a_pointer_that_is_no_fact_is_a_load_error_at_its_place() {
        let e = one_error(&format!(
            "{HEAD}set = {{ \"/decision_date\" = \"2022-09-01\" }}\nunknown_facts = [\"/applicant/age\", \"/household/dependants/0/agee\"]\n"
        ));
        assert_eq!((e.line, e.column), (Some(7), Some(37)), "{e:?}");
        assert_eq!(
            e.message,
            "`unknown_facts`: `/household/dependants/0/agee` is not a fact of the case schema"
        );
        assert_eq!(
            e.help.as_deref(),
            Some("did you mean `/household/dependants/0/age`?")
        );
        let e = one_error(&format!("{HEAD}set = {{ \"/zzz\" = 1 }}\n"));
        assert_eq!((e.line, e.column), (Some(6), Some(10)), "{e:?}");
        let help = e.help.unwrap_or_default();
        assert!(
            help.starts_with("the facts under `/` are: applicant,"),
            "{help}"
        );
        assert!(
            !help.contains("notes") && !help.contains("$schema"),
            "{help}"
        );
    }

    #[test]
    fn an_expectation_file_over_the_limit_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("big.toml");
        let file = std::fs::File::create(&path).unwrap_or_else(|e| panic!("{e}"));
        file.set_len(MAX_FILE_SIZE + 1)
            .unwrap_or_else(|e| panic!("{e}"));
        let errors = load(&[path]).err().unwrap_or_default();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0]
                .message
                .contains(&format!("larger than the limit of {MAX_FILE_SIZE}")),
            "{errors:?}"
        );
    }
}
