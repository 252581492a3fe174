//! The counts of a batch: every line goes into exactly one of recommendations, error records and unreadable
//! lines; recommendations are counted by decision, tier, category, province, year, amount, cap, approval,
//! referral and missing fact. Memory stays flat: every map is keyed by a code or a whole-yuan amount, never by
//! case.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::codes::{Decision, Outcome, RuleKind, Stage};

use super::read::{Line, Origin, Rec};

/// How many problem lines are kept with their place and reason (all are counted).
pub const KEPT_PROBLEMS: usize = 20;

/// The cross table asked for with `--by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// By province.
    Province,
    /// By year of the decision.
    Year,
    /// By priority category (a case in several categories counts in each).
    Category,
}

/// A line that is not a recommendation, with its place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// `file:line`.
    pub place: String,
    /// What it is.
    pub reason: String,
}

/// The distribution of whole-yuan amounts: a count per amount.
///
/// Exact: amounts are whole yuan (`recommended` is an integer, rounded by the policy to a unit such as ¥100), so
/// counting each distinct value loses nothing, and the median and quartiles read from the counts are those of
/// the sorted list of every amount. Small: a batch has at most a few thousand distinct amounts, however many
/// cases it holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Amounts {
    counts: BTreeMap<i64, u64>,
    n: u64,
    total: i128,
}

impl Amounts {
    /// Counts one amount.
    pub fn add(&mut self, yuan: i64) {
        *self.counts.entry(yuan).or_insert(0) += 1;
        self.n += 1;
        self.total += i128::from(yuan);
    }
    /// How many amounts.
    pub fn len(&self) -> u64 {
        self.n
    }
    /// No amount counted.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
    /// The sum, in yuan.
    pub fn total(&self) -> i128 {
        self.total
    }
    /// The mean, rounded to the yuan.
    pub fn mean(&self) -> Option<i64> {
        (self.n > 0).then(|| {
            let n = i128::from(self.n);
            let m = (2 * self.total + n) / (2 * n);
            i64::try_from(m).unwrap_or(i64::MAX)
        })
    }
    /// The amount at the 0-based rank `k` of the sorted list.
    fn at(&self, k: u64) -> Option<i64> {
        let mut seen = 0u64;
        for (&v, &c) in &self.counts {
            seen += c;
            if k < seen {
                return Some(v);
            }
        }
        None
    }
    /// The `p`-quantile (0 ≤ p ≤ 1) by linear interpolation between the two nearest ranks (as a spreadsheet's
    /// QUARTILE.INC), rounded to the yuan: the median is `quantile(1, 2)`.
    pub fn quantile(&self, num: u64, den: u64) -> Option<i64> {
        if self.n == 0 || den == 0 {
            return None;
        }
        // Rank h = (n − 1)·p, split into whole and fraction without floating point.
        let scaled = (self.n - 1) * num;
        let lo = scaled / den;
        let frac = scaled % den;
        let a = self.at(lo)?;
        if frac == 0 {
            return Some(a);
        }
        let b = self.at(lo + 1)?;
        let d = i128::from(den);
        let v = i128::from(a) * d + (i128::from(b) - i128::from(a)) * i128::from(frac);
        Some(i64::try_from((2 * v + d).div_euclid(2 * d)).unwrap_or(i64::MAX))
    }
    /// The smallest amount.
    pub fn min(&self) -> Option<i64> {
        self.counts.keys().next().copied()
    }
    /// The largest amount.
    pub fn max(&self) -> Option<i64> {
        self.counts.keys().next_back().copied()
    }
    /// Each distinct amount and how many cases have it, smallest first.
    pub fn counts(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        self.counts.iter().map(|(&v, &c)| (v, c))
    }
    /// Adds another distribution's counts.
    pub fn merge(&mut self, other: &Amounts) {
        for (&v, &c) in &other.counts {
            *self.counts.entry(v).or_insert(0) += c;
        }
        self.n += other.n;
        self.total += other.total;
    }
}

/// One row of a cross table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    /// Cases.
    pub cases: u64,
    /// Cases by decision code.
    pub decisions: BTreeMap<&'static str, u64>,
    /// Cases by tier (`A`, `B`, `C`).
    pub tiers: BTreeMap<&'static str, u64>,
    /// The amounts of its assisted cases.
    pub amounts: Amounts,
}

impl Row {
    fn add(&mut self, r: &Rec) {
        self.cases += 1;
        *self.decisions.entry(r.decision.as_str()).or_insert(0) += 1;
        if let Some(p) = &r.priority {
            *self.tiers.entry(p.tier.as_str()).or_insert(0) += 1;
        }
        if let Some(a) = &r.amount {
            if r.decision == Decision::Assist {
                self.amounts.add(a.recommended);
            }
        }
    }
}

/// Every count of a batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    /// Lines read (blank lines are not lines).
    pub lines: u64,
    /// Recommendations.
    pub recommendations: u64,
    /// Error records: cases `assess` could not assess.
    pub error_records: u64,
    /// Lines that are neither.
    pub unreadable: u64,
    /// The first problem lines, with their place.
    pub problems: Vec<Problem>,
    /// Cases by policy (name, version, digest).
    pub policies: BTreeMap<(String, String, String), u64>,
    /// Cases by decision code.
    pub decisions: BTreeMap<&'static str, u64>,
    /// Cases by tier.
    pub tiers: BTreeMap<&'static str, u64>,
    /// Cases whose tier may still rise.
    pub provisional_tier: u64,
    /// Assisted under the catch-all.
    pub discretionary: u64,
    /// Fast track.
    pub fast_track: u64,
    /// Cases in each priority group (rule id of a `group` rule that was met).
    pub groups: BTreeMap<String, u64>,
    /// Cases in at least one priority group.
    pub in_a_group: u64,
    /// Cases by province (`None`: the recommendation does not record it).
    pub provinces: BTreeMap<Option<String>, u64>,
    /// Cases by year of the decision.
    pub years: BTreeMap<Option<u32>, u64>,
    /// Amounts of assisted cases.
    pub amounts: Amounts,
    /// Assisted cases whose amount is still provisional (a range).
    pub provisional_amount: u64,
    /// Assisted cases cut to each cap (or, for a ceiling that only calls for an approval, above it).
    pub caps: BTreeMap<String, u64>,
    /// Cases needing each approval.
    pub approvals: BTreeMap<&'static str, u64>,
    /// Cases referred for each service.
    pub services: BTreeMap<String, u64>,
    /// Cases referred to each agency.
    pub agencies: BTreeMap<String, u64>,
    /// Cases referred at least once.
    pub referred: u64,
    /// For `needs_information` cases: how often each fact was missing.
    pub missing: BTreeMap<String, u64>,
    /// The cross table's rows, by key (a province, a year, a group's rule id; `None` for "not recorded").
    pub cross: BTreeMap<Option<String>, Row>,
    /// The cross table asked for.
    pub by: Option<By>,
    /// Recommendations that record their province and date of decision (every line `assess` writes today).
    pub recorded: u64,
    /// Recommendations written before they recorded them, whose province and year were read from their case
    /// file (`--cases`); the others' are read from the figures they name (the wage base's region and year).
    pub from_cases: u64,
}

impl Tally {
    /// An empty tally, with a cross table `by` if asked.
    pub fn new(by: Option<By>) -> Self {
        Tally {
            by,
            ..Tally::default()
        }
    }

    /// Counts one line read from `place` (`file:line`).
    pub fn add(&mut self, line: Line, place: impl FnOnce() -> String) {
        self.add_with(line, None, place);
    }

    /// Counts one line. A recommendation's own province and date of decision count; for a line written before
    /// recommendations recorded them, those read from its case file when given, else as far as the figures it
    /// names tell.
    pub fn add_with(&mut self, line: Line, origin: Option<Origin>, place: impl FnOnce() -> String) {
        self.lines += 1;
        match line {
            Line::Rec(r) => self.add_rec(&r, origin),
            Line::Error { input, reason } => {
                self.error_records += 1;
                let reason = if input.is_empty() {
                    reason
                } else {
                    format!("{input}: {reason}")
                };
                self.keep(place, reason);
            }
            Line::Unreadable(reason) => {
                self.unreadable += 1;
                self.keep(place, reason);
            }
        }
    }

    fn keep(&mut self, place: impl FnOnce() -> String, reason: String) {
        if self.problems.len() < KEPT_PROBLEMS {
            self.problems.push(Problem {
                place: place(),
                reason: shortened(reason),
            });
        }
    }

    fn add_rec(&mut self, r: &Rec, origin: Option<Origin>) {
        self.recommendations += 1;
        let p = &r.policy;
        *self
            .policies
            .entry((p.name.clone(), p.version.clone(), p.digest.clone()))
            .or_insert(0) += 1;
        *self.decisions.entry(r.decision.as_str()).or_insert(0) += 1;
        if let Some(p) = &r.priority {
            *self.tiers.entry(p.tier.as_str()).or_insert(0) += 1;
            self.provisional_tier += u64::from(p.provisional);
        }
        self.discretionary += u64::from(r.discretionary);
        self.fast_track += u64::from(r.fast_track);
        let groups: BTreeSet<&str> = r
            .findings
            .iter()
            .filter(|f| {
                f.stage == Stage::Priority && f.kind == RuleKind::Group && f.outcome == Outcome::Met
            })
            .map(|f| f.rule.as_str())
            .collect();
        for g in &groups {
            *self.groups.entry((*g).to_string()).or_insert(0) += 1;
        }
        self.in_a_group += u64::from(!groups.is_empty());
        let (province, year) = match (r.origin(), origin) {
            (Some(o), _) => {
                self.recorded += 1;
                let year = o.year();
                (o.province, year)
            }
            (None, Some(o)) => {
                self.from_cases += 1;
                let year = o.year();
                (o.province, year)
            }
            (None, None) => (r.wage_province().map(str::to_string), r.wage_year()),
        };
        *self.provinces.entry(province.clone()).or_insert(0) += 1;
        *self.years.entry(year).or_insert(0) += 1;
        if let (Some(a), Decision::Assist) = (&r.amount, r.decision) {
            self.amounts.add(a.recommended);
            self.provisional_amount += u64::from(a.range.is_some());
            for c in &a.caps {
                if c.applied || (c.exceeded && c.check_only) {
                    *self.caps.entry(c.code.clone()).or_insert(0) += 1;
                }
            }
        }
        for a in &r.approvals {
            *self.approvals.entry(a.as_str()).or_insert(0) += 1;
        }
        // Each service and agency once per case: the figures are cases referred, not referrals.
        let services: BTreeSet<&str> = r.referrals.iter().map(|f| f.service.as_str()).collect();
        let agencies: BTreeSet<&str> = r.referrals.iter().map(|f| f.agency.as_str()).collect();
        for s in services {
            *self.services.entry(s.to_string()).or_insert(0) += 1;
        }
        for a in agencies {
            *self.agencies.entry(a.to_string()).or_insert(0) += 1;
        }
        self.referred += u64::from(!r.referrals.is_empty());
        if r.decision == Decision::NeedsInformation {
            let facts: BTreeSet<&str> = r.missing.iter().map(|m| m.fact.as_str()).collect();
            for f in facts {
                *self.missing.entry(f.to_string()).or_insert(0) += 1;
            }
        }
        match self.by {
            None => {}
            Some(By::Province) => self.cross.entry(province).or_default().add(r),
            Some(By::Year) => self
                .cross
                .entry(year.map(|y| y.to_string()))
                .or_default()
                .add(r),
            Some(By::Category) => {
                if groups.is_empty() {
                    self.cross.entry(None).or_default().add(r);
                }
                for g in groups {
                    self.cross.entry(Some(g.to_string())).or_default().add(r);
                }
            }
        }
    }
}

/// A reason of at most about 500 characters: a parser's message may quote a value of the line whole (a line may
/// hold a megabyte), so a longer one keeps its head and its tail (where the parser names the column).
fn shortened(reason: String) -> String {
    const HEAD: usize = 300;
    const TAIL: usize = 150;
    let n = reason.chars().count();
    if n <= HEAD + TAIL + 50 {
        return reason;
    }
    let head: String = reason.chars().take(HEAD).collect();
    let tail: String = reason.chars().skip(n - TAIL).collect();
    format!("{head} … {tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quantile of a sorted list, as `Amounts::quantile` defines it (linear between the nearest ranks).
    fn of_sorted(v: &[i64], num: u64, den: u64) -> i64 {
        let h = (v.len() as f64 - 1.0) * num as f64 / den as f64;
        let (lo, frac) = (h.floor() as usize, h - h.floor());
        let a = v.get(lo).copied().unwrap_or(0) as f64;
        let b = v.get(lo + 1).copied().unwrap_or(0) as f64;
        (a + (b - a) * frac).round() as i64
    }

    #[test]
    fn counts_per_amount_give_the_quantiles_of_the_sorted_list() {
        let mut seed = 7u64;
        for len in [1usize, 2, 3, 4, 5, 10, 101, 1000] {
            let mut list = Vec::new();
            let mut a = Amounts::default();
            for _ in 0..len {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let v = ((seed >> 33) % 600) as i64 * 100;
                list.push(v);
                a.add(v);
            }
            list.sort_unstable();
            for (num, den) in [(1, 4), (1, 2), (3, 4), (0, 1), (1, 1)] {
                assert_eq!(
                    a.quantile(num, den),
                    Some(of_sorted(&list, num, den)),
                    "{len} {num}/{den}"
                );
            }
            assert_eq!(a.total(), list.iter().map(|&v| i128::from(v)).sum::<i128>());
            assert_eq!(
                (a.min(), a.max()),
                (list.first().copied(), list.last().copied())
            );
        }
        assert_eq!(Amounts::default().quantile(1, 2), None);
        let mut two = Amounts::default();
        two.add(100);
        two.add(201);
        assert_eq!(two.quantile(1, 2), Some(151), "half a yuan rounds up");
        assert_eq!(two.mean(), Some(151));
    }
}
