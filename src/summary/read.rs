//! One line of `assess --jsonl` output, read into only what the summary counts: a recommendation, an error record
//! (a case `assess` could not read), or a line that is neither. Fields the summary does not count are skipped by
//! the parser without being built, which keeps reading fast.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

use crate::model::case::Province;
use crate::model::codes::{Approval, Decision, Outcome, RuleKind, Stage, Tier};
use crate::model::params::Source;

/// What one line holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// A recommendation.
    Rec(Box<Rec>),
    /// The record `assess` writes for a case it could not assess: its input and position there, and why.
    Error {
        /// The case's input and line (`cases.jsonl:7`), as `assess` named it.
        input: String,
        /// The reasons, joined.
        reason: String,
    },
    /// Neither: not JSON, JSON of another shape, or a line that could not be read.
    Unreadable(String),
}

/// The parts of a recommendation the summary counts (the schema's names; everything else is skipped).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Rec {
    /// The case's identifier.
    pub case_id: String,
    /// The date of the decision; absent in lines written before recommendations recorded it (nor do they record
    /// the province).
    #[serde(default, deserialize_with = "decision_date")]
    pub decision_date: Option<jiff::civil::Date>,
    /// The province, `None` when the case file names none (or the line is older than the field).
    #[serde(default, deserialize_with = "province")]
    pub province: Option<Province>,
    /// The decision.
    pub decision: Decision,
    /// Assisted under the catch-all provision.
    #[serde(default)]
    pub discretionary: bool,
    /// Pay first (先行救助).
    #[serde(default)]
    pub fast_track: bool,
    /// Tier, when the case has one.
    #[serde(default)]
    pub priority: Option<RecPriority>,
    /// The amount, when assisted.
    #[serde(default)]
    pub amount: Option<RecAmount>,
    /// Approvals the decision needs.
    #[serde(default)]
    pub approvals: Vec<Approval>,
    /// Referrals: service and agency codes.
    #[serde(default)]
    pub referrals: Vec<RecReferral>,
    /// Findings: rule, stage, kind, outcome.
    #[serde(default)]
    pub findings: Vec<RecFinding>,
    /// Unknown facts that could change something.
    #[serde(default)]
    pub missing: Vec<RecMissing>,
    /// Regional figures standing in for the province's own (their region and basis).
    #[serde(default)]
    pub estimates: Vec<RecEstimate>,
    /// The policy that produced it.
    pub policy: RecPolicy,
}

/// Priority: tier, and whether unknown facts may still move it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecPriority {
    /// A, B or C.
    pub tier: Tier,
    /// Unknown facts may raise the score.
    #[serde(default)]
    pub provisional: bool,
}

/// The amount: what was recommended, the wage base's region and year, the caps checked.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecAmount {
    /// Yuan, whole.
    pub recommended: i64,
    /// The wage base.
    #[serde(default)]
    pub wage_base: Option<RecWageBase>,
    /// Every cap checked.
    #[serde(default)]
    pub caps: Vec<RecCap>,
    /// Present when unknown facts still move the amount.
    #[serde(default)]
    pub range: Option<serde::de::IgnoredAny>,
}

/// The wage base's region, year and whose figure it is.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecWageBase {
    /// A province, a macro-region or `national`.
    pub region: String,
    /// The statistical year (the year before the decision, unless carried forward).
    #[serde(default)]
    pub year: Option<u32>,
    /// Whose figure.
    pub basis: Source,
    /// An earlier year's figure, carried forward.
    #[serde(default)]
    pub carried_forward: bool,
}

/// A cap: its code and whether the amount reached it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecCap {
    /// Stable code.
    pub code: String,
    /// The amount was above the limit.
    #[serde(default)]
    pub exceeded: bool,
    /// The amount was cut to the limit.
    #[serde(default)]
    pub applied: bool,
    /// A ceiling that only calls for an approval (never applied).
    #[serde(default)]
    pub check_only: bool,
}

/// A referral's codes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecReferral {
    /// The service.
    pub service: String,
    /// The agency.
    pub agency: String,
}

/// A finding's rule, stage, kind and outcome.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecFinding {
    /// The rule's id.
    pub rule: String,
    /// Its stage.
    pub stage: Stage,
    /// Its kind.
    pub kind: RuleKind,
    /// Its outcome.
    pub outcome: Outcome,
}

/// A missing fact.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecMissing {
    /// JSON Pointer.
    pub fact: String,
}

/// An estimate's region and basis.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecEstimate {
    /// The region the value is for.
    pub region: String,
    /// Whose value.
    pub basis: Source,
}

/// The policy's identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub struct RecPolicy {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// `sha256:` digest.
    pub digest: String,
}

/// The error record's fields, or those of a recommendation's that tell the two apart.
#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    errors: Option<Vec<String>>,
    #[serde(default)]
    input: Option<String>,
    #[serde(default)]
    position: Option<u64>,
    #[serde(default)]
    decision: Option<serde::de::IgnoredAny>,
}

/// Reads one line. A line that fails as a recommendation is probed again for the error record's shape, so the
/// common case (a recommendation) is parsed once.
pub fn parse_line(bytes: &[u8]) -> Line {
    let rec_error = match serde_json::from_slice::<Rec>(bytes) {
        Ok(r) => return Line::Rec(Box::new(r)),
        Err(e) => e,
    };
    match serde_json::from_slice::<Probe>(bytes) {
        Ok(Probe {
            errors: Some(errors),
            input,
            position,
            decision: None,
        }) => Line::Error {
            input: match (input, position) {
                (Some(i), _) => i,
                (None, Some(p)) => format!("case {p}"),
                (None, None) => String::new(),
            },
            reason: errors.join("; "),
        },
        Ok(_) if rec_error.is_data() => {
            Line::Unreadable(format!("not a recommendation: {rec_error}"))
        }
        _ => Line::Unreadable(format!("not JSON: {rec_error}")),
    }
}

/// A value of the line as an error message quotes it: its first 40 characters (a line may hold a megabyte).
fn quoted(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((at, _)) => format!("{:?}…", &s[..at]),
        None => format!("{s:?}"),
    }
}

/// `decision_date`: `YYYY-MM-DD`, a day of the calendar (as the case file's), or `null`.
fn decision_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<jiff::civil::Date>, D::Error> {
    let Some(s) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    let shape = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    match s.parse::<jiff::civil::Date>() {
        Ok(date) if shape => Ok(Some(date)),
        _ => Err(D::Error::custom(format!(
            "decision_date {} is not a date (YYYY-MM-DD)",
            quoted(&s)
        ))),
    }
}

/// `province`: one of the case schema's province-level divisions, or `null`.
fn province<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Province>, D::Error> {
    let Some(s) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    Province::deserialize(serde::de::value::StrDeserializer::<D::Error>::new(&s))
        .map(Some)
        .map_err(|_| {
            D::Error::custom(format!(
                "province {} is not a province-level division of the case schema",
                quoted(&s)
            ))
        })
}

impl Rec {
    /// The province and year of the decision as the recommendation records them, `None` for a line written before
    /// recommendations recorded them.
    pub fn origin(&self) -> Option<Origin> {
        self.decision_date.map(|d| Origin {
            province: self.province.map(|p| p.as_str().to_string()),
            decision_date: Some(d),
        })
    }

    /// For a line written before recommendations recorded it: the province the case was handled in, as far as
    /// the figures read record it: the region of a figure that is the province's own (the wage base, else an
    /// estimate read for the province).
    pub fn wage_province(&self) -> Option<&str> {
        let own_wage = self
            .amount
            .as_ref()
            .and_then(|a| a.wage_base.as_ref())
            .filter(|w| w.basis == Source::Own && w.region != "national");
        own_wage.map(|w| w.region.as_str()).or_else(|| {
            self.estimates
                .iter()
                .find(|e| e.basis == Source::Own && e.region != "national")
                .map(|e| e.region.as_str())
        })
    }

    /// For a line written before recommendations recorded the date: the year of the decision, as far as the
    /// figures read record it: the wage base is the year before the decision's (its figure carried forward from an
    /// earlier year does not tell).
    pub fn wage_year(&self) -> Option<u32> {
        self.amount
            .as_ref()
            .and_then(|a| a.wage_base.as_ref())
            .filter(|w| !w.carried_forward)
            .and_then(|w| w.year)
            .map(|y| y.saturating_add(1))
    }
}

/// The parts of a case file that say where and when it was decided.
#[derive(Deserialize)]
struct CaseHead {
    #[serde(default)]
    case_id: Option<String>,
    #[serde(default)]
    decision_date: Option<String>,
    #[serde(default)]
    jurisdiction: Option<CaseJurisdiction>,
}

#[derive(Deserialize)]
struct CaseJurisdiction {
    /// One of the schema's 31 (the tables stay keyed by them however the file is spelt).
    #[serde(default)]
    province: Option<Province>,
}

/// Reads a case file's line (as given to `assess --jsonl`) for its id, and the province and date of its decision;
/// `None` when it is not a JSON object with a string `case_id` and, if any, a province the case schema lists (its
/// recommendation is then an error record).
pub fn parse_case_head(bytes: &[u8]) -> Option<(String, Origin)> {
    let head: CaseHead = serde_json::from_slice(bytes).ok()?;
    Some((
        head.case_id?,
        Origin {
            province: head
                .jurisdiction
                .and_then(|j| j.province)
                .map(|p| p.as_str().to_string()),
            decision_date: head.decision_date.and_then(|d| d.parse().ok()),
        },
    ))
}

/// Where and when a case is decided: as its recommendation records them, or as its case file says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Origin {
    /// `jurisdiction.province`, when known.
    pub province: Option<String>,
    /// `decision_date`, when known.
    pub decision_date: Option<jiff::civil::Date>,
}

impl Origin {
    /// The year of the decision.
    pub fn year(&self) -> Option<u32> {
        self.decision_date
            .and_then(|d| u32::try_from(d.year()).ok())
    }
}
