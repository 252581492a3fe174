//! The summary as JSON for systems: codes and numbers only (rule ids, decision and tier codes, regions, services,
//! agencies, facts), no text in any language; the same tally gives the same bytes.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::policy::Policy;

use super::tally::{Amounts, By, Problem, Tally};
use super::words::Names;

#[derive(Serialize)]
struct Json<'t> {
    lines: u64,
    recommendations: u64,
    error_records: u64,
    unreadable: u64,
    problems: &'t [Problem],
    policies: Vec<PolicySeen<'t>>,
    decisions: &'t BTreeMap<&'static str, u64>,
    discretionary: u64,
    fast_track: u64,
    tiers: &'t BTreeMap<&'static str, u64>,
    provisional_tier: u64,
    categories: Vec<Group<'t>>,
    in_a_group: u64,
    provinces: Vec<Keyed<String>>,
    years: Vec<Keyed<u32>>,
    amounts: AmountFigures,
    caps: &'t BTreeMap<String, u64>,
    approvals: &'t BTreeMap<&'static str, u64>,
    referrals: Referrals<'t>,
    missing: &'t BTreeMap<String, u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<By>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cross: Vec<CrossRow<'t>>,
}

#[derive(Serialize)]
struct PolicySeen<'t> {
    name: &'t str,
    version: &'t str,
    digest: &'t str,
    cases: u64,
}

#[derive(Serialize)]
struct Group<'t> {
    rule: &'t str,
    /// The campaign's code (`W1` … `W+2`), absent for the SPP's other groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    campaign: Option<String>,
    cases: u64,
}

/// A count under a key that may be unrecorded (`null`).
#[derive(Serialize)]
struct Keyed<K> {
    key: Option<K>,
    cases: u64,
}

#[derive(Serialize)]
struct AmountFigures {
    cases: u64,
    total: i128,
    mean: Option<i64>,
    q1: Option<i64>,
    median: Option<i64>,
    q3: Option<i64>,
    min: Option<i64>,
    max: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provisional: Option<u64>,
}

fn figures(a: &Amounts, provisional: Option<u64>) -> AmountFigures {
    AmountFigures {
        cases: a.len(),
        total: a.total(),
        mean: a.mean(),
        q1: a.quantile(1, 4),
        median: a.quantile(1, 2),
        q3: a.quantile(3, 4),
        min: a.min(),
        max: a.max(),
        provisional,
    }
}

#[derive(Serialize)]
struct Referrals<'t> {
    services: &'t BTreeMap<String, u64>,
    agencies: &'t BTreeMap<String, u64>,
    cases_referred: u64,
}

#[derive(Serialize)]
struct CrossRow<'t> {
    key: Option<&'t str>,
    cases: u64,
    decisions: &'t BTreeMap<&'static str, u64>,
    tiers: &'t BTreeMap<&'static str, u64>,
    amounts: AmountFigures,
}

/// Writes the tally as pretty JSON (one object), ending with a line break.
pub fn render_json(w: &mut dyn Write, t: &Tally, policy: &Policy) -> io::Result<()> {
    let names = Names::new(policy, policy.primary_language());
    let json = Json {
        lines: t.lines,
        recommendations: t.recommendations,
        error_records: t.error_records,
        unreadable: t.unreadable,
        problems: &t.problems,
        policies: t
            .policies
            .iter()
            .map(|((name, version, digest), c)| PolicySeen {
                name,
                version,
                digest,
                cases: *c,
            })
            .collect(),
        decisions: &t.decisions,
        discretionary: t.discretionary,
        fast_track: t.fast_track,
        tiers: &t.tiers,
        provisional_tier: t.provisional_tier,
        categories: t
            .groups
            .iter()
            .map(|(rule, c)| Group {
                rule,
                campaign: names.campaign(rule),
                cases: *c,
            })
            .collect(),
        in_a_group: t.in_a_group,
        provinces: t
            .provinces
            .iter()
            .map(|(k, c)| Keyed {
                key: k.clone(),
                cases: *c,
            })
            .collect(),
        years: t
            .years
            .iter()
            .map(|(k, c)| Keyed { key: *k, cases: *c })
            .collect(),
        amounts: figures(&t.amounts, Some(t.provisional_amount)),
        caps: &t.caps,
        approvals: &t.approvals,
        referrals: Referrals {
            services: &t.services,
            agencies: &t.agencies,
            cases_referred: t.referred,
        },
        missing: &t.missing,
        by: t.by,
        cross: t
            .cross
            .iter()
            .map(|(k, r)| CrossRow {
                key: k.as_deref(),
                cases: r.cases,
                decisions: &r.decisions,
                tiers: &r.tiers,
                amounts: figures(&r.amounts, None),
            })
            .collect(),
    };
    let bytes = serde_json::to_vec_pretty(&json).map_err(io::Error::other)?;
    w.write_all(&bytes)?;
    writeln!(w)
}
