//! Running an expectation: assess its case (after taking out or setting the facts it names) and compare the
//! recommendation with what the test expects. Called by the `test` subcommand and the corpus tests.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use super::file::{case_path, Expectation};
use crate::model::codes::{Approval, Change, Outcome};
use crate::model::recommendation::Recommendation;
use crate::model::text::format_number;
use crate::policy::Policy;

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
            let value = json_of(value);
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
        location: t.location(),
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
        t.decision.map(|d| d.as_str().to_string()),
        r.decision.as_str().to_string(),
    );
    let tier = r
        .priority
        .as_ref()
        .map(|p| p.tier.as_str().to_string())
        .unwrap_or_else(|| "none".into());
    eq("tier", t.tier.map(|x| x.as_str().to_string()), tier);
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
        t.payment.map(|p| p.as_str().to_string()),
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
    let expect_outcome = |f: &mut Vec<String>, ids: &[String], want: Outcome| {
        let name = want.as_str().replace('_', " ");
        for id in ids {
            match outcome(id) {
                Some(o) if o == want => {}
                Some(o) => f.push(format!("rule `{id}`: expected {name}, got {}", o.as_str())),
                None => f.push(format!(
                    "rule `{id}`: expected {name}, but it did not run (or does not exist)"
                )),
            }
        }
    };
    expect_outcome(&mut f, &t.fired, Outcome::Met);
    for id in &t.not_fired {
        if outcome(id) == Some(Outcome::Met) {
            f.push(format!("rule `{id}`: expected not to be met, but it was"));
        }
    }
    expect_outcome(&mut f, &t.unknown, Outcome::Unknown);
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
            .filter(|m| m.changes.contains(&Change::Decision))
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
        &t.tiers
            .as_ref()
            .map(|ts| ts.iter().map(|x| x.as_str().to_string()).collect()),
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
        let mut want_sorted = want.clone();
        want_sorted.sort_unstable();
        let mut got_sorted = r.approvals.clone();
        got_sorted.sort_unstable();
        if got_sorted != want_sorted {
            let names =
                |a: &[Approval]| a.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", ");
            f.push(format!(
                "approvals: expected [{}], got [{}]",
                names(want),
                names(&r.approvals)
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

/// A TOML value as JSON, a date or time as the string a case file holds it as (`2022-09-01`), not toml's private
/// object.
fn json_of(value: &toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Integer(i) => J::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(items) => J::Array(items.iter().map(json_of).collect()),
        toml::Value::Table(t) => {
            J::Object(t.iter().map(|(k, v)| (k.clone(), json_of(v))).collect())
        }
    }
}
