//! The report model: one recommendation as the sections a person reads, in order, with every code already turned
//! into its label and every sentence made in the recommendation's language. Built once by [`Report::new`] and
//! walked by the text writer (`report/text.rs`) and the Markdown writer (`report/markdown.rs`), which add only
//! layout.

use crate::model::codes::{Decision, Outcome, Stage};
use crate::model::recommendation::{Finding, Recommendation};
use crate::model::text::Labels;

use super::sentences::{
    decision_lines, estimate_line, headline, missing_cases, provisional_note, title_of,
    to_confirm_lines, wage_sentence,
};
use super::words::{printable, Words};

/// A recommendation as the sections of a report.
pub struct Report {
    /// The reports' own words in the recommendation's language.
    pub(super) words: Words,
    /// "Case HN-2022-0137 (Hunan, decision date 2022-09-01)": the id made printable, with the province and the date
    /// of the decision as the recommendation records them.
    pub case: String,
    /// The decision, amount and priority on one line.
    pub headline: String,
    /// The decision and what it rests on, approvals, payment, co-recipients: one sentence each.
    pub decision: Vec<String>,
    /// Presumed facts to confirm before deciding.
    pub to_confirm: Vec<String>,
    /// Why: eligibility, then exclusions considered.
    pub stages: Vec<StageSection>,
    /// The priority and its factors, when the case has one.
    pub priority: Option<PrioritySection>,
    /// The amount and its arithmetic, when the case is assisted.
    pub amount: Option<AmountSection>,
    /// Referrals to other agencies.
    pub referrals: Vec<ReferralLine>,
    /// Parameter values that are estimates for this case, one sentence each.
    pub estimates: Vec<String>,
    /// What would change the outcome, one sentence each.
    pub what_if: Vec<String>,
    /// Missing facts, with what each plausible value would lead to.
    pub missing: Vec<MissingLine>,
    /// The policy's name, version and digest.
    pub policy: (String, String, String),
    /// The case file's digest.
    pub case_digest: String,
}

/// The findings of one stage.
pub struct StageSection {
    /// The stage's heading.
    pub title: &'static str,
    /// Its findings, in the order the rules ran.
    pub findings: Vec<FindingLine>,
}

/// One finding as a report shows it.
pub struct FindingLine {
    /// `[met]`, `[does not apply]`, `[undecided]`, … in the report's language.
    pub mark: &'static str,
    /// The rule's title.
    pub title: String,
    /// The rule's id, for reference.
    pub rule: String,
    /// Why.
    pub reason: String,
    /// The legal basis, shown unless the finding is not met.
    pub basis: Option<String>,
    /// The facts it read (JSON Pointers).
    pub facts: Vec<String>,
}

impl FindingLine {
    fn of(f: &Finding, wd: &Words) -> Self {
        FindingLine {
            mark: wd.mark(f),
            title: f.title.clone(),
            rule: f.rule.clone(),
            reason: f.reason.clone(),
            basis: (f.outcome != Outcome::NotMet).then(|| f.basis.clone()),
            facts: f.facts.clone(),
        }
    }
}

/// The priority section.
pub struct PrioritySection {
    /// The tier, as its code (`A`, `B`, `C`).
    pub tier: &'static str,
    /// The score.
    pub score: i64,
    /// Unknown facts could still move it.
    pub provisional: bool,
    /// The factors that scored.
    pub factors: Vec<FactorLine>,
    /// Priority rules left undecided by unknown facts.
    pub undecided: Vec<FindingLine>,
}

/// A factor that scored.
pub struct FactorLine {
    /// Points the rule gave.
    pub points: i64,
    /// Points that counted towards the score.
    pub counted: i64,
    /// The rule's title.
    pub title: String,
    /// The rule's id.
    pub rule: String,
    /// Why.
    pub reason: String,
}

/// The amount section.
pub struct AmountSection {
    /// The recommended amount, in yuan.
    pub recommended: f64,
    /// What a provisional amount rests on.
    pub provisional: Option<String>,
    /// The amount in months of the wage base, and whose figure that is.
    pub wage: Option<String>,
    /// The steps of the arithmetic.
    pub steps: Vec<StepLine>,
    /// The caps checked.
    pub caps: Vec<CapLine>,
    /// Further conclusions of the amount stage (payment, co-recipients): findings met by rules that applied no
    /// step, since the steps already explain the rule that computed the amount.
    pub notes: Vec<FindingLine>,
}

/// One step of the amount's arithmetic.
pub struct StepLine {
    /// The step's label.
    pub label: String,
    /// Its value.
    pub value: f64,
    /// Why.
    pub reason: String,
}

/// One cap checked.
pub struct CapLine {
    /// The cap's label.
    pub label: String,
    /// The limit, in yuan.
    pub limit: f64,
    /// Applied, exceeded or not reached, in words.
    pub state: &'static str,
    /// Why.
    pub reason: String,
}

/// A referral.
pub struct ReferralLine {
    /// The service's label.
    pub service: String,
    /// The agency's name.
    pub agency: String,
    /// Why.
    pub reason: String,
}

/// A missing fact.
pub struct MissingLine {
    /// Its JSON Pointer.
    pub fact: String,
    /// What it is and why it matters.
    pub why: String,
    /// Each plausible value (in words) and the outcome it would lead to.
    pub cases: Vec<(String, String)>,
}

impl Report {
    /// The report of `r`; `labels` are those of the recommendation's language (`policy.labels(r.language)`).
    pub fn new(r: &Recommendation, labels: &Labels) -> Report {
        let wd = Words::of(labels);
        let stages = wd
            .stages()
            .into_iter()
            .map(|(stage, title)| StageSection {
                title,
                findings: of_stage(r, stage)
                    .map(|f| FindingLine::of(f, &wd))
                    .collect(),
            })
            .collect();
        let priority = r.priority.as_ref().map(|p| PrioritySection {
            tier: p.tier.as_str(),
            score: p.score,
            provisional: p.provisional,
            factors: p
                .factors
                .iter()
                .map(|f| FactorLine {
                    points: f.points,
                    counted: f.counted,
                    title: title_of(r, &f.rule).to_string(),
                    rule: f.rule.clone(),
                    reason: f.reason.clone(),
                })
                .collect(),
            undecided: of_stage(r, Stage::Priority)
                .filter(|f| f.outcome == Outcome::Unknown)
                .map(|f| FindingLine::of(f, &wd))
                .collect(),
        });
        let amount = r.amount.as_ref().map(|a| AmountSection {
            recommended: a.recommended as f64,
            provisional: provisional_note(a, labels, &wd),
            wage: wage_sentence(a, labels),
            steps: a
                .steps
                .iter()
                .map(|st| StepLine {
                    label: labels.label(&st.code),
                    value: st.value,
                    reason: st.reason.clone(),
                })
                .collect(),
            caps: a
                .caps
                .iter()
                .map(|c| CapLine {
                    label: labels.label(&c.code),
                    limit: c.limit,
                    state: wd.cap_state(c),
                    reason: c.reason.clone(),
                })
                .collect(),
            notes: of_stage(r, Stage::Amount)
                .filter(|f| {
                    // How the money is paid means nothing to a case given nothing.
                    r.decision == Decision::Assist
                        && f.outcome == Outcome::Met
                        && !a.steps.iter().any(|s| s.rule == f.rule)
                })
                .map(|f| FindingLine::of(f, &wd))
                .collect(),
        });
        Report {
            case: wd.case(
                &printable(&r.case_id),
                r.province.map(|p| labels.label(p.as_str())).as_deref(),
                r.decision_date,
            ),
            headline: headline(r, &wd),
            decision: decision_lines(r, labels),
            to_confirm: to_confirm_lines(r),
            stages,
            priority,
            amount,
            referrals: r
                .referrals
                .iter()
                .map(|f| ReferralLine {
                    service: labels.label(&f.service),
                    agency: f.agency_name.clone(),
                    reason: f.reason.clone(),
                })
                .collect(),
            estimates: r
                .estimates
                .iter()
                .map(|e| estimate_line(e, labels))
                .collect(),
            what_if: r
                .what_if
                .iter()
                .flat_map(|w| w.changes.iter().map(|c| c.text.clone()))
                .collect(),
            missing: r
                .missing
                .iter()
                .map(|m| MissingLine {
                    fact: m.fact.clone(),
                    why: m.why.clone(),
                    cases: missing_cases(r, &m.fact)
                        .iter()
                        .map(|c| (c.value.clone(), c.outcome.text.clone()))
                        .collect(),
                })
                .collect(),
            policy: (
                r.policy.name.clone(),
                r.policy.version.clone(),
                r.policy.digest.clone(),
            ),
            case_digest: r.case_digest.clone(),
            words: wd,
        }
    }
}

/// The findings of one stage, in order.
fn of_stage(r: &Recommendation, stage: Stage) -> impl Iterator<Item = &Finding> {
    r.findings.iter().filter(move |f| f.stage == stage)
}
