//! Expectation tests of a policy, and the coverage they give.
//!
//! An expectation file (TOML, usually in `rules/tests/`) holds one or more tests. Each names a case file
//! (relative to the expectation file) and what must hold for it; every key is optional except `name` and
//! `case`, and a key the format does not know is an error naming it.
//!
//! ```toml
//! [[test]]
//! name = "T1 Hunan: dependant of an incapacitated earner"
//! case = "../../fixtures/cases/t01_hunan_incapacitated_earner.json"
//! decision = "assist"            # assist | decline | needs_information
//! tier = "A"
//! score = 90                     # or score_min / score_max
//! amount = 41000                 # or amount_min / amount_max
//! referrals = ["education_aid"]  # must be among the referrals
//! no_referrals = ["social_assistance_coordination"]
//! fired = ["eligibility.dependant_of_incapacitated_earner"]   # rules that must be met
//! not_fired = ["exclusions.major_fault"]                      # rules that must not be met
//! unknown = []                   # rules that must be undecided for want of facts
//! missing = []                   # exactly these facts missing (JSON Pointers)
//! approvals = ["collective_decision"]                         # exactly these approvals
//! discretionary = false
//! fast_track = false
//! co_recipients = 4
//! payment = "one_off"
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::codes::Outcome;
use crate::model::recommendation::Recommendation;
use crate::model::suggest::did_you_mean;
use crate::model::text::format_number;
use crate::policy::{Policy, PolicyError};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    test: Vec<Expectation>,
}

/// What must hold for one case.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// The test's name.
    pub name: String,
    /// The case file, relative to the expectation file.
    pub case: String,
    /// `assist`, `decline` or `needs_information`.
    pub decision: Option<String>,
    /// `A`, `B` or `C`.
    pub tier: Option<String>,
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
    /// Exactly these approvals.
    pub approvals: Option<Vec<String>>,
    /// Whether the assistance is discretionary.
    pub discretionary: Option<bool>,
    /// Whether the case is fast-tracked.
    pub fast_track: Option<bool>,
    /// How many co-recipients.
    pub co_recipients: Option<usize>,
    /// `one_off` or `supervised_instalments`.
    pub payment: Option<String>,
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
    pub tiers: Option<Vec<String>>,
    #[serde(skip)]
    file: PathBuf,
    #[serde(skip)]
    line: usize,
}

/// The result of one test.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    /// The test's name.
    pub name: String,
    /// Where it is defined (`file:line`).
    pub location: String,
    /// The case file.
    pub case: String,
    /// What did not hold (empty when the test passed).
    pub failures: Vec<String>,
    /// The command that reproduces the assessment.
    pub reproduce: String,
}

impl TestResult {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
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

const KEYS: [&str; 30] = [
    "unknown_facts",
    "set",
    "settled",
    "deciding",
    "to_confirm",
    "range_low",
    "range_high",
    "tiers",
    "name",
    "case",
    "decision",
    "tier",
    "score",
    "score_min",
    "score_max",
    "amount",
    "amount_min",
    "amount_max",
    "referrals",
    "no_referrals",
    "fired",
    "not_fired",
    "unknown",
    "missing",
    "approvals",
    "discretionary",
    "fast_track",
    "co_recipients",
    "payment",
    "test",
];

/// Reads expectation files; every problem names the file and place.
pub fn load(files: &[PathBuf]) -> Result<Vec<Expectation>, Vec<PolicyError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for path in files {
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                errors.push(PolicyError::new(
                    &shown,
                    format!("cannot read the expectation file: {e}"),
                ));
                continue;
            }
        };
        match toml::from_str::<File>(&text) {
            Ok(f) => {
                let mut starts = text
                    .lines()
                    .enumerate()
                    .filter(|(_, l)| l.trim() == "[[test]]")
                    .map(|(i, _)| i + 1);
                if f.test.is_empty() {
                    errors.push(PolicyError::new(
                        &shown,
                        "no tests in this file; each test starts with [[test]]",
                    ));
                }
                for mut t in f.test {
                    t.file = path.clone();
                    t.line = starts.next().unwrap_or(1);
                    out.push(t);
                }
            }
            Err(e) => {
                let mut err = crate::policy::toml_error_pub(&shown, &text, &e);
                if let Some(key) = e
                    .message()
                    .split('`')
                    .nth(1)
                    .filter(|_| e.message().starts_with("unknown field"))
                {
                    err.message = format!("unknown key `{key}` in an expectation");
                    err.help = Some(match did_you_mean(key, KEYS) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("keys are: {}", KEYS.join(", ")),
                    });
                }
                errors.push(err);
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The case file of an expectation, resolved against the expectation file's folder.
pub fn case_path(t: &Expectation) -> PathBuf {
    t.file.parent().unwrap_or(Path::new(".")).join(&t.case)
}

/// Assesses a test's case (or says why it could not be).
pub fn assess_case(t: &Expectation, policy: &Policy) -> Result<Recommendation, String> {
    let path = case_path(t);
    // The path comes from a file, not the user's command line: a regular file only, under the size limit.
    let bytes = crate::validate::read_case_file(&path, crate::validate::DEFAULT_MAX_SIZE, false)
        .map_err(|e| format!("cannot read the case file {}: {e}", path.display()))?;
    let bytes = if t.unknown_facts.is_empty() && t.set.is_empty() {
        bytes
    } else {
        let mut v: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| format!("the case file {} is not JSON: {e}", path.display()))?;
        for pointer in &t.unknown_facts {
            let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
            match v.pointer_mut(parent) {
                Some(serde_json::Value::Object(m)) => {
                    m.remove(key);
                }
                Some(serde_json::Value::Array(a)) => {
                    if let Ok(i) = key.parse::<usize>() {
                        if i < a.len() {
                            a.remove(i);
                        }
                    }
                }
                _ => {}
            }
        }
        for (pointer, value) in &t.set {
            let value = serde_json::to_value(value).map_err(|e| format!("`{pointer}`: {e}"))?;
            crate::explain::whatif::set(&mut v, pointer, value)
                .ok_or_else(|| format!("`set`: cannot set `{pointer}` in {}", path.display()))?;
        }
        serde_json::to_vec(&v).map_err(|e| e.to_string())?
    };
    let case = crate::validate::parse_case(&bytes).map_err(|errs| {
        format!(
            "the case file {} is invalid: {}",
            path.display(),
            errs.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        )
    })?;
    crate::assess(&case, policy).map_err(|e| e.to_string())
}

/// Runs one test.
pub fn run(
    t: &Expectation,
    policy: &Policy,
    rules_arg: Option<&str>,
) -> (TestResult, Option<Recommendation>) {
    let path = case_path(t);
    let shown_case = normalise(&path);
    let reproduce = format!(
        "assessor assess {}{} --format text",
        rules_arg
            .map(|r| format!("--rules {r} "))
            .unwrap_or_default(),
        shown_case
    );
    let mut result = TestResult {
        name: t.name.clone(),
        location: format!("{}:{}", t.file.display(), t.line),
        case: shown_case,
        failures: Vec::new(),
        reproduce,
    };
    let rec = match assess_case(t, policy) {
        Ok(r) => r,
        Err(e) => {
            result.failures.push(e);
            return (result, None);
        }
    };
    result.failures = compare(t, &rec);
    (result, Some(rec))
}

fn compare(t: &Expectation, r: &Recommendation) -> Vec<String> {
    let mut f = Vec::new();
    let mut eq = |what: &str, want: Option<String>, got: String| {
        if let Some(want) = want {
            if want != got {
                f.push(format!("{what}: expected {want}, got {got}"));
            }
        }
    };
    eq(
        "decision",
        t.decision.clone(),
        r.decision.as_str().to_string(),
    );
    let tier = r
        .priority
        .as_ref()
        .map(|p| p.tier.as_str().to_string())
        .unwrap_or_else(|| "none".into());
    eq("tier", t.tier.clone(), tier);
    let score = r.priority.as_ref().map(|p| p.score);
    eq(
        "score",
        t.score.map(|s| s.to_string()),
        score
            .map(|s| s.to_string())
            .unwrap_or_else(|| "none".into()),
    );
    let amount = r.amount.as_ref().map(|a| a.recommended);
    let show = |a: Option<i64>| {
        a.map(|x| format!("¥{}", format_number(x as f64)))
            .unwrap_or_else(|| "no amount".into())
    };
    eq("amount", t.amount.map(|a| show(Some(a))), show(amount));
    eq(
        "discretionary",
        t.discretionary.map(|b| b.to_string()),
        r.discretionary.to_string(),
    );
    eq(
        "fast_track",
        t.fast_track.map(|b| b.to_string()),
        r.fast_track.to_string(),
    );
    eq(
        "co_recipients",
        t.co_recipients.map(|n| n.to_string()),
        r.co_recipients.len().to_string(),
    );
    eq(
        "payment",
        t.payment.clone(),
        r.payment
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "none".into()),
    );
    if let Some(min) = t.amount_min {
        if amount.is_none_or(|a| a < min) {
            f.push(format!(
                "amount: expected at least {}, got {}",
                show(Some(min)),
                show(amount)
            ));
        }
    }
    if let Some(max) = t.amount_max {
        if amount.is_none_or(|a| a > max) {
            f.push(format!(
                "amount: expected at most {}, got {}",
                show(Some(max)),
                show(amount)
            ));
        }
    }
    if let Some(min) = t.score_min {
        if score.is_none_or(|s| s < min) {
            f.push(format!("score: expected at least {min}, got {score:?}"));
        }
    }
    if let Some(max) = t.score_max {
        if score.is_none_or(|s| s > max) {
            f.push(format!("score: expected at most {max}, got {score:?}"));
        }
    }
    let services: BTreeSet<&str> = r.referrals.iter().map(|x| x.service.as_str()).collect();
    for s in &t.referrals {
        if !services.contains(s.as_str()) {
            f.push(format!(
                "referrals: expected `{s}`, got [{}]",
                services.iter().copied().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    for s in &t.no_referrals {
        if services.contains(s.as_str()) {
            f.push(format!("referrals: `{s}` was not expected"));
        }
    }
    let outcome = |id: &str| r.findings.iter().find(|x| x.rule == id).map(|x| x.outcome);
    for id in &t.fired {
        match outcome(id) {
            Some(Outcome::Met) => {}
            Some(o) => f.push(format!("rule `{id}`: expected met, got {}", o.as_str())),
            None => f.push(format!(
                "rule `{id}`: expected met, but it did not run (or does not exist)"
            )),
        }
    }
    for id in &t.not_fired {
        if outcome(id) == Some(Outcome::Met) {
            f.push(format!("rule `{id}`: expected not to be met, but it was"));
        }
    }
    for id in &t.unknown {
        match outcome(id) {
            Some(Outcome::Unknown) => {}
            Some(o) => f.push(format!("rule `{id}`: expected unknown, got {}", o.as_str())),
            None => f.push(format!(
                "rule `{id}`: expected unknown, but it did not run (or does not exist)"
            )),
        }
    }
    if let Some(want) = &t.missing {
        let got: Vec<&str> = r.missing.iter().map(|m| m.fact.as_str()).collect();
        if got != want.iter().map(String::as_str).collect::<Vec<_>>() {
            f.push(format!(
                "missing: expected [{}], got [{}]",
                want.join(", "),
                got.join(", ")
            ));
        }
    }
    for id in &t.settled {
        match r.findings.iter().find(|x| x.rule == *id) {
            Some(x) if x.outcome != Outcome::Unknown && !x.immaterial.is_empty() => {}
            Some(x) if x.outcome == Outcome::Unknown => f.push(format!(
                "rule `{id}`: expected to conclude whatever its unknown facts are, but it is unknown for want of [{}]",
                x.missing.join(", ")
            )),
            Some(_) => f.push(format!(
                "rule `{id}`: expected to conclude despite an unknown fact, but it read none"
            )),
            None => f.push(format!("rule `{id}`: did not run (or does not exist)")),
        }
    }
    let list = |f: &mut Vec<String>, what: &str, want: &Option<Vec<String>>, got: Vec<&str>| {
        if let Some(want) = want {
            if got != want.iter().map(String::as_str).collect::<Vec<_>>() {
                f.push(format!(
                    "{what}: expected [{}], got [{}]",
                    want.join(", "),
                    got.join(", ")
                ));
            }
        }
    };
    list(
        &mut f,
        "deciding",
        &t.deciding,
        r.missing
            .iter()
            .filter(|m| m.changes.contains(&crate::model::codes::Change::Decision))
            .map(|m| m.fact.as_str())
            .collect(),
    );
    list(
        &mut f,
        "to_confirm",
        &t.to_confirm,
        r.to_confirm.iter().map(|c| c.fact.as_str()).collect(),
    );
    list(
        &mut f,
        "tiers",
        &t.tiers,
        r.priority
            .as_ref()
            .map(|p| p.tiers.iter().map(|t| t.as_str()).collect())
            .unwrap_or_default(),
    );
    let range = r.amount.as_ref().and_then(|a| a.range.as_ref());
    for (what, want, got) in [
        ("range_low", t.range_low, range.map(|g| g.low)),
        ("range_high", t.range_high, range.map(|g| g.high)),
    ] {
        if want.is_some() && want != got {
            f.push(format!(
                "{what}: expected {}, got {}",
                show(want),
                got.map(|x| show(Some(x)))
                    .unwrap_or_else(|| "no range (the amount is not provisional)".into())
            ));
        }
    }
    if let Some(want) = &t.approvals {
        let got: Vec<&str> = r.approvals.iter().map(|a| a.as_str()).collect();
        let mut want_sorted: Vec<&str> = want.iter().map(String::as_str).collect();
        want_sorted.sort_unstable();
        let mut got_sorted = got.clone();
        got_sorted.sort_unstable();
        if got_sorted != want_sorted {
            f.push(format!(
                "approvals: expected [{}], got [{}]",
                want.join(", "),
                got.join(", ")
            ));
        }
    }
    f
}

fn normalise(p: &Path) -> String {
    // `rules/tests/../../fixtures/x.json` → `fixtures/x.json`, for a command a person can paste.
    let mut parts: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir if parts.last().is_some_and(|l| l != "..") => {
                parts.pop();
            }
            std::path::Component::CurDir => {}
            other => parts.push(other.as_os_str().to_string_lossy().to_string()),
        }
    }
    parts.join("/").replace("//", "/")
}

/// How often each rule concluded what, over a set of recommendations.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    /// Number of cases.
    pub cases: usize,
    /// Per rule id (in policy order): counts of met, not met, unknown, not run.
    pub rules: Vec<RuleCoverage>,
    /// Rules no case met.
    pub never_met: Vec<String>,
    /// Provisions (parts of rule bases) that no met finding cites.
    pub provisions_never_exercised: Vec<String>,
    /// Parameters no assessment read.
    pub parameters_never_read: Vec<String>,
}

/// Coverage of one rule.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RuleCoverage {
    /// The rule's id.
    pub rule: String,
    /// Cases in which it was met.
    pub met: usize,
    /// Cases in which it was not met.
    pub not_met: usize,
    /// Cases in which it was undecided for want of facts.
    pub unknown: usize,
    /// Cases in which its stage did not run.
    pub not_run: usize,
}

/// Computes coverage over recommendations made with `policy`.
pub fn coverage(policy: &Policy, recs: &[Recommendation]) -> Coverage {
    let mut counts: BTreeMap<&str, RuleCoverage> = BTreeMap::new();
    let mut read_params: BTreeSet<String> = BTreeSet::new();
    for r in recs {
        for f in &r.findings {
            let c = counts.entry(f.rule.as_str()).or_default();
            match f.outcome {
                Outcome::Met => c.met += 1,
                Outcome::NotMet => c.not_met += 1,
                Outcome::Unknown => c.unknown += 1,
            }
            read_params.extend(f.params.iter().cloned());
        }
        if r.priority.is_some() {
            read_params.extend(
                crate::check::PARAMS_READ_BY_ENGINE
                    .iter()
                    .map(|s| s.to_string()),
            );
        }
    }
    let rules: Vec<RuleCoverage> = policy
        .rules
        .iter()
        .map(|rule| {
            let c = counts.get(rule.id.as_str()).cloned().unwrap_or_default();
            let run = c.met + c.not_met + c.unknown;
            RuleCoverage {
                rule: rule.id.clone(),
                not_run: recs.len().saturating_sub(run),
                ..c
            }
        })
        .collect();
    let never_met: Vec<String> = rules
        .iter()
        .filter(|c| c.met == 0)
        .map(|c| c.rule.clone())
        .collect();
    let provisions = |basis: &str| -> Vec<String> {
        basis
            .split(';')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()
    };
    let exercised: BTreeSet<String> = policy
        .rules
        .iter()
        .filter(|r| !never_met.contains(&r.id))
        .flat_map(|r| provisions(&r.basis))
        .collect();
    let mut provisions_never_exercised: Vec<String> = policy
        .rules
        .iter()
        .flat_map(|r| provisions(&r.basis))
        .filter(|p| !exercised.contains(p))
        .collect();
    provisions_never_exercised.sort();
    provisions_never_exercised.dedup();
    let parameters_never_read = policy
        .params
        .all()
        .map(|p| p.name.clone())
        .filter(|n| !read_params.contains(n))
        .collect();
    Coverage {
        cases: recs.len(),
        rules,
        never_met,
        provisions_never_exercised,
        parameters_never_read,
    }
}
