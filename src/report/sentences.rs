//! The longer sentences of a report, made from a recommendation's values in its language: the headline, the
//! decision and what it rests on, the wage base and estimates, a provisional amount. Called by the report model
//! (`report/model.rs`); shared by the text and Markdown writers through it.

use crate::model::codes::*;
use crate::model::params::Source;
use crate::model::recommendation::*;
use crate::model::text::{format_number, Labels, Lang};

use super::words::{yuan, Words};

/// "5.75 months of the wage base ¥7,128/month (estimate: …; source)": whose figure it is, and for which year.
pub(super) fn wage_sentence(a: &Amount, labels: &Labels) -> Option<String> {
    let (w, m) = (a.wage_base.as_ref()?, a.months?);
    let place = labels.label(&w.region);
    let year = w.year.map(|y| y.to_string()).unwrap_or_default();
    if labels.lang == Lang::Zh {
        let whose = match (w.basis, w.carried_forward) {
            (Source::Own, false) if w.estimate => {
                format!("本省上一年度职工月平均工资：{place} {year} 年，仅有单一来源，估算值")
            }
            (Source::Own, false) => format!("本省上一年度职工月平均工资：{place} {year} 年"),
            (Source::Own, true) => {
                format!("估算值：本省上一年度数据缺失，沿用本省（{place}）{year} 年数据")
            }
            (_, carried) => format!(
                "估算值：本省上一年度数据缺失，{}{place} {year} 年平均工资",
                if carried { "沿用" } else { "采用" }
            ),
        };
        return Some(format!(
            "相当于 {} 个月的救助金计算基数 {}/月（{whose}；参数 `wage_base`）",
            format_number(m),
            yuan(w.monthly),
        ));
    }
    let whose = match (w.basis, w.carried_forward) {
        (Source::Own, false) if w.estimate => {
            format!("{place} {year}, the province's own figure, estimate: a single source")
        }
        (Source::Own, false) => format!("{place} {year}, the province's own figure"),
        (Source::Own, true) => format!(
            "estimate: the province's figure for the previous year is missing; its {year} figure is carried forward"
        ),
        (_, carried) => format!(
            "estimate: the province's figure for the previous year is missing; the {place} {year} average{}",
            if carried { ", carried forward" } else { "" }
        ),
    };
    Some(format!(
        "{} months of the wage base {}/month ({whose}; {})",
        format_number(m),
        yuan(w.monthly),
        w.source
    ))
}

/// One line for a parameter value that is an estimate for this case: whose figure, which year, and why.
pub(super) fn estimate_line(e: &Estimate, labels: &Labels) -> String {
    let place = labels.label(&e.region);
    let year = e.year.map(|y| format!(" {y}")).unwrap_or_default();
    let value = match &e.value {
        serde_json::Value::Number(n) => n.as_f64().map(yuan).unwrap_or_else(|| n.to_string()),
        v => v.to_string(),
    };
    if labels.lang == Lang::Zh {
        let whose = match (e.basis, e.carried_forward) {
            (Source::Own, false) => {
                format!("{place}{year}{}", if year.is_empty() { "" } else { " 年" })
            }
            (Source::Own, true) => format!("本省当年数据缺失，沿用{place}{year} 年数据"),
            (_, carried) => format!(
                "本省当年数据缺失，{}{place}{}数据",
                if carried { "沿用" } else { "采用" },
                if year.is_empty() {
                    String::new()
                } else {
                    format!("{year} 年")
                }
            ),
        };
        let scope = match e.scope.as_deref() {
            Some("capital") => "；为省会城市标准，高于农村县的标准",
            Some("tier1") => "；为一类地区标准，高于其他档次地区的标准",
            _ => "",
        };
        return format!(
            "{}（参数 `{}`）：{value}，估算值（{whose}{scope}）。",
            labels.label(&e.parameter),
            e.parameter
        );
    }
    let whose = match (e.basis, e.carried_forward) {
        (Source::Own, false) => format!("{place}{year}"),
        (Source::Own, true) => {
            format!("the province's figure for the year is missing; its{year} figure is carried forward")
        }
        (_, carried) => format!(
            "the province's figure for the year is missing; the {place}{year} figure{}",
            if carried { ", carried forward" } else { "" }
        ),
    };
    let scope = match e.scope.as_deref() {
        Some("capital") => "; the provincial capital's line, higher than rural counties' lines",
        Some("tier1") => "; the top tier's line, higher than the lower tiers' lines",
        _ => "",
    };
    format!(
        "{} (parameter `{}`): {value}, estimate ({whose}{scope}; {}).",
        e.title, e.parameter, e.source
    )
}

/// The title of the rule `id` as the recommendation's findings give it (the id itself if none does).
pub(super) fn title_of<'a>(r: &'a Recommendation, id: &'a str) -> &'a str {
    r.findings
        .iter()
        .find(|f| f.rule == id)
        .map_or(id, |f| f.title.as_str())
}

pub(super) fn headline(r: &Recommendation, wd: &Words) -> String {
    let mut s = match r.decision {
        Decision::Assist => match &r.amount {
            Some(a) => format!(
                "{}{}{}{}",
                wd.w("ASSIST", "予以救助"),
                wd.w(" — ", "，金额 "),
                yuan(a.recommended as f64),
                match &a.range {
                    Some(g) if wd.zh() => format!(
                        "（暂定：{} 至 {}{}）",
                        yuan(g.low as f64),
                        yuan(g.high as f64),
                        if g.open {
                            "，或者超出此范围"
                        } else {
                            ""
                        }
                    ),
                    Some(g) => format!(
                        " (provisional: {}–{}{})",
                        yuan(g.low as f64),
                        yuan(g.high as f64),
                        if g.open { " or beyond" } else { "" }
                    ),
                    None => String::new(),
                }
            ),
            None => format!(
                "{}{}",
                wd.w("ASSIST", "予以救助"),
                wd.w(" — amount to be established", "，金额待定")
            ),
        },
        Decision::Decline => wd.w("DECLINE", "不予救助").to_string(),
        Decision::NeedsInformation => wd.w("NEEDS INFORMATION", "需补充信息").to_string(),
    };
    if let Some(p) = &r.priority {
        let note = if p.provisional {
            format!("{}{}", wd.w(", provisional", "，暂定"), tiers_note(p, wd))
        } else {
            String::new()
        };
        s.push_str(&if wd.zh() {
            format!("，优先等级 {}（评分 {}{note}）", p.tier.as_str(), p.score)
        } else {
            format!(", priority {} (score {}{note})", p.tier.as_str(), p.score)
        });
    }
    s
}

/// ": tiers reachable A, B" when unknowns could move the tier.
pub(super) fn tiers_note(p: &Priority, wd: &Words) -> String {
    if p.tiers.len() < 2 {
        return String::new();
    }
    let list: Vec<&str> = p.tiers.iter().map(|t| t.as_str()).collect();
    if wd.zh() {
        format!("，可能为 {} 级", list.join("、"))
    } else {
        format!(", could be tier {}", list.join(" or "))
    }
}

/// What a provisional amount rests on: its range and, for a middle reading, the values it assumes; or, for an
/// amount every plausible value of its unknown facts gives, the values its steps were worked with.
pub(super) fn provisional_note(a: &Amount, labels: &Labels, wd: &Words) -> Option<String> {
    let Some(g) = a.range.as_ref() else {
        if a.worked_with.is_empty() {
            return None;
        }
        let with = assumed_values(&a.worked_with, labels, wd);
        return Some(if wd.zh() {
            format!(
                "尚待查明的事实无论如何认定，救助金额均不变；以下计算步骤仅以其中一种可能情形为例（假定 {}，{}）。",
                with.join("、"),
                if with.len() > 1 { "均未查明" } else { "尚未查明" }
            )
        } else {
            format!(
                "Every plausible value of the unknown facts gives this amount; the steps below show one of them, taking {} (not established).",
                with.join(", ")
            )
        });
    };
    let assumed = assumed_values(&g.assumed, labels, wd);
    Some(if wd.zh() {
        format!(
            "暂定：视未知事实而定，金额在 {} 至 {} 之间{}{}。",
            yuan(g.low as f64),
            yuan(g.high as f64),
            if g.open {
                "（亦可能超出此范围）"
            } else {
                ""
            },
            if assumed.is_empty() {
                "；本金额按已知事实计算".to_string()
            } else {
                format!("；本金额为居中的一种情形，假定 {}", assumed.join("、"))
            }
        )
    } else {
        format!(
            "Provisional: unknown facts put the amount between {} and {}{}{}.",
            yuan(g.low as f64),
            yuan(g.high as f64),
            if g.open { " (possibly beyond)" } else { "" },
            if assumed.is_empty() {
                "; this figure rests on the known facts".to_string()
            } else {
                format!(
                    "; this figure is the middle reading, assuming {}",
                    assumed.join(", ")
                )
            }
        )
    })
}

/// "`/fact` = value" for each assumed value, the value in the report's words.
fn assumed_values(values: &[Assumed], labels: &Labels, wd: &Words) -> Vec<String> {
    values
        .iter()
        .map(|x| {
            let v = match &x.value {
                serde_json::Value::String(c) => labels.label(c),
                serde_json::Value::Bool(b) => wd
                    .w(if *b { "yes" } else { "no" }, if *b { "是" } else { "否" })
                    .to_string(),
                serde_json::Value::Number(n) => format_number(n.as_f64().unwrap_or(0.0)),
                v => v.to_string(),
            };
            // A figure or a code is set off by a space from the Chinese around it; a Chinese label is not.
            let is = if v.starts_with(|c: char| c.is_ascii()) {
                " 为 "
            } else {
                " 为"
            };
            format!("`{}`{}{v}", x.fact, wd.w(" = ", is))
        })
        .collect()
}

/// The checklist of presumed facts, one line each.
pub(super) fn to_confirm_lines(r: &Recommendation) -> Vec<String> {
    r.to_confirm
        .iter()
        .map(|t| match r.language {
            Lang::Zh => format!("[ ] {}依据：{}", t.text, t.basis),
            Lang::En => format!("[ ] {} — {}", t.text, t.basis),
        })
        .collect()
}

pub(super) fn decision_lines(r: &Recommendation, labels: &Labels) -> Vec<String> {
    let wd = Words::of(labels);
    let zh = wd.zh();
    let mut out = Vec::new();
    match r.decision {
        Decision::Assist if r.discretionary => out.push(wd.w(
            "Assist under the catch-all provision (discretionary): the approval must give written reasons.",
            "依兜底条款予以救助（酌定）：审批时须书面说明理由。",
        ).into()),
        Decision::Assist => out.push(wd.w(
            "Assist: the applicant meets a pathway of assistance and no exclusion applies.",
            "予以救助：申请人符合救助情形，且不存在不予救助的情形。",
        ).into()),
        Decision::Decline => {
            // What decides it: an unmet condition or an applicable bar, else that no pathway is met.
            let deciding: Vec<&Finding> = r
                .findings
                .iter()
                .filter(|f| {
                    (f.kind == RuleKind::Condition && f.outcome == Outcome::NotMet)
                        || (f.kind == RuleKind::Bar && f.outcome == Outcome::Met)
                })
                .collect();
            if let Some(a) = r.amount.as_ref().filter(|_| deciding.is_empty()) {
                // Nothing is due: the amount came to ¥0 (an earlier payment in the case covers it, or a cap).
                out.push(nothing_due(a, &wd));
            } else if let Some(line) = deciding.is_empty().then(|| declined_over_unknowns(r, &wd)).flatten() {
                out.push(line);
            } else if deciding.is_empty() {
                // Say what was weighed: Art. 7(1)–(6), and the catch-all of Art. 7(7) with the reason it does not
                // apply (never "no Art. 7 situation" when the catch-all was not weighed).
                let catch_all = r
                    .findings
                    .iter()
                    .find(|f| f.kind == RuleKind::Discretionary && f.outcome == Outcome::NotMet);
                out.push(match catch_all {
                    Some(f) if zh => format!(
                        "不予救助：不符合《人民检察院开展国家司法救助工作细则》第七条第（一）至（六）项规定的救助情形；{}",
                        f.reason
                    ),
                    Some(f) => format!(
                        "Decline: no pathway of Art. 7(1)–(6) is met. {}",
                        f.reason
                    ),
                    None => wd
                        .w(
                            "Decline: no pathway of Art. 7(1)–(6) is met, and this policy has no rule for the catch-all \
                             of Art. 7(7), which the procuratorate may still weigh.",
                            "不予救助：不符合《人民检察院开展国家司法救助工作细则》第七条第（一）至（六）项规定的救助情形；\
                             本政策未设第七条第（七）项兜底条款的规则，检察机关仍可依该项酌定。",
                        )
                        .into(),
                });
            }
            for f in deciding {
                out.push(if zh {
                    format!("不予救助——{}：{}", wd.rule(&f.title, &f.rule, ""), f.reason)
                } else {
                    format!("Decline — {}: {}", wd.rule(&f.title, &f.rule, ""), f.reason)
                });
            }
        }
        Decision::NeedsInformation => {
            let n = r
                .missing
                .iter()
                .filter(|m| m.changes.contains(&crate::model::codes::Change::Decision))
                .count();
            out.push(if zh {
                format!("需补充信息：有 {n} 项未知事实可能改变决定（见“待补充信息”）。")
            } else {
                format!(
                    "Needs information: {n} unknown fact{} could change the decision (listed under Missing information).",
                    if n == 1 { "" } else { "s" }
                )
            })
        }
    }
    if r.fast_track {
        out.push(
            wd.w(
                "Fast track (先行救助): pay first, complete the formalities afterwards.",
                "先行救助：先行发放，事后补办手续。",
            )
            .into(),
        );
    }
    if !r.approvals.is_empty() {
        let list: Vec<&str> = r.approvals.iter().map(|a| wd.approval(*a)).collect();
        out.push(if zh {
            format!("需经审批：{}。", list.join("；"))
        } else {
            format!("Approvals needed: {}.", list.join(", "))
        });
    }
    match r.payment {
        Some(Payment::OneOff) => {
            out.push(wd.w("Payment: one-off.", "发放方式：一次性发放。").into())
        }
        Some(Payment::SupervisedInstalments) => out.push(
            wd.w(
                "Payment: in supervised instalments.",
                "发放方式：在监督下分期发放。",
            )
            .into(),
        ),
        None => {}
    }
    for c in &r.co_recipients {
        let relation = c
            .relation
            .as_deref()
            .map(|x| labels.label(x))
            .unwrap_or_else(|| wd.w("dependant", "被扶养人").into());
        let age = c
            .age
            .map(|a| a.to_string())
            .unwrap_or_else(|| wd.w("unknown", "未知").into());
        out.push(if zh {
            format!(
                "共同救助对象：{relation}，{age} 岁（{}），与申请人一并救助。",
                c.dependant
            )
        } else {
            format!(
                "Co-recipient: {relation} aged {age} ({}), assisted together with the applicant.",
                c.dependant
            )
        });
    }
    out
}

pub(super) fn missing_cases<'a>(
    r: &'a Recommendation,
    fact: &str,
) -> &'a [crate::model::exploration::ValueCase] {
    r.what_if
        .as_ref()
        .and_then(|w| w.missing.iter().find(|m| m.fact == fact))
        .map(|m| m.cases.as_slice())
        .unwrap_or(&[])
}

/// Why a case whose amount came to ¥0 is declined: the step (an earlier payment deducted) or the cap that took it
/// to ¥0, as the amount's arithmetic gives it.
fn nothing_due(a: &crate::model::recommendation::Amount, wd: &Words) -> String {
    let why = a
        .steps
        .last()
        .filter(|s| s.value <= 0.0)
        .map(|s| s.reason.as_str())
        .or_else(|| {
            a.caps
                .iter()
                .rev()
                .find(|c| c.applied && c.limit <= 0.0)
                .map(|c| c.reason.as_str())
        })
        .filter(|w| !w.is_empty());
    match (wd.zh(), why) {
        (true, Some(w)) => format!(
            "不予救助：{}后已无应发金额，不再发放救助金（计算过程见“救助金额”）。",
            w.trim_end_matches('。')
        ),
        (true, None) => "不予救助：核定的救助金额为 ¥0，不再发放救助金（计算过程见“救助金额”）。".into(),
        (false, Some(w)) => {
            let mut w = w.trim_end_matches('.').to_string();
            if let Some(first) = w.get(..1) {
                let lower = first.to_lowercase();
                w.replace_range(..1, &lower);
            }
            format!("Decline: nothing further is due — {w}, which leaves ¥0 (see the amount's arithmetic).")
        }
        (false, None) => {
            "Decline: nothing further is due — the amount comes to ¥0 (see the amount's arithmetic).".into()
        }
    }
}

/// Why a case is declined when no rule decides it on the known facts but every plausible value of the unknown ones
/// declines it: the undecided conditions and bars, and that nothing is due where they pass.
/// `None` when the case is declined because no pathway is met (a pathway met or undecided says otherwise).
fn declined_over_unknowns(r: &Recommendation, wd: &Words) -> Option<String> {
    let pathway_open = r.findings.iter().any(|f| {
        matches!(f.kind, RuleKind::Pathway | RuleKind::Discretionary)
            && f.outcome != Outcome::NotMet
    });
    let through: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| {
            f.outcome == Outcome::Unknown && matches!(f.kind, RuleKind::Condition | RuleKind::Bar)
        })
        .collect();
    if !pathway_open || (through.is_empty() && !r.nothing_due) {
        return None;
    }
    let mut facts: Vec<&str> = through
        .iter()
        .flat_map(|f| f.missing.iter().map(String::as_str))
        .collect();
    facts.sort_unstable();
    facts.dedup();
    let facts: Vec<String> = facts.iter().map(|f| format!("`{f}`")).collect();
    let mut items: Vec<String> = through
        .iter()
        .map(|f| {
            let (title, id) = (&f.title, &f.rule);
            match (f.kind, wd.zh()) {
                (RuleKind::Condition, true) => format!("不符合“{title}”的条件（{id}）"),
                (RuleKind::Condition, false) => {
                    format!("the condition “{title}” ({id}) is not met")
                }
                (_, true) => format!("存在“{title}”的情形（{id}）"),
                (_, false) => format!("“{title}” ({id}) applies"),
            }
        })
        .collect();
    if r.nothing_due {
        items.push(
            wd.w(
                "nothing further is due (the amount, less what was already paid in this case, comes to ¥0)",
                "扣除本案已发放的救助金后已无应发金额",
            )
            .into(),
        );
    }
    Some(match (wd.zh(), facts.is_empty()) {
        (true, false) => format!(
            "不予救助：{}尚未查明，但无论查明结果如何，均不予救助：{}{}。",
            facts.join("、"),
            if items.len() > 1 { "或" } else { "" },
            items.join("，或")
        ),
        (true, true) => format!("不予救助：{}。", items.join("，或")),
        (false, false) => format!(
            "Decline, however the facts still unknown ({}) are established: {}.",
            facts.join(", "),
            items.join("; or ")
        ),
        (false, true) => format!("Decline: {}.", items.join("; or ")),
    })
}
