//! Rendering a recommendation for people: a plain-text report a procurator can paste into a case file, and
//! Markdown for case records, in English or Chinese. (JSON is `serde_json` of the [`Recommendation`] itself.)
//!
//! The reports' own words (headings, the decision, approvals, payment) are here, in each language; everything
//! else — reasons, legal bases, labels of codes — comes from the policy, already in the recommendation's language
//! (see [`crate::explain::localise`]).

use std::fmt::Write;

use crate::model::codes::*;
use crate::model::recommendation::*;
use crate::model::text::{format_number, Labels, Lang};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A short report for people.
    Text,
    /// JSON for systems (one object; JSON Lines in batches).
    Json,
    /// A report for case records.
    Markdown,
}

/// The reports' own words in one language.
struct Words {
    lang: Lang,
}

impl Words {
    fn of(labels: &Labels) -> Self {
        Words { lang: labels.lang }
    }
    fn zh(&self) -> bool {
        self.lang == Lang::Zh
    }
    /// English or Chinese.
    fn w<'a>(&self, en: &'a str, zh: &'a str) -> &'a str {
        if self.zh() {
            zh
        } else {
            en
        }
    }
    fn case(&self, id: &str) -> String {
        if self.zh() {
            format!("案件 {id}")
        } else {
            format!("Case {id}")
        }
    }
    fn cap_state(&self, c: &Cap) -> &'static str {
        match (c.applied, c.exceeded, self.zh()) {
            (true, _, false) => "applied",
            (false, true, false) => "exceeded",
            (false, false, false) => "not reached",
            (true, _, true) => "已适用",
            (false, true, true) => "已超过",
            (false, false, true) => "未达到",
        }
    }
    /// A finding's outcome: a condition is met or not; an exclusion applies or not; either may be undecided.
    fn mark(&self, f: &Finding) -> &'static str {
        let exclusion = f.stage == "exclusions";
        match (f.outcome, exclusion, self.zh()) {
            (Outcome::Met, false, false) => "[met]",
            (Outcome::NotMet, false, false) => "[not met]",
            (Outcome::Met, true, false) => "[applies]",
            (Outcome::NotMet, true, false) => "[does not apply]",
            (Outcome::Unknown, _, false) => "[undecided]",
            (Outcome::Met, false, true) => "[符合]",
            (Outcome::NotMet, false, true) => "[不符合]",
            (Outcome::Met, true, true) => "[适用]",
            (Outcome::NotMet, true, true) => "[不适用]",
            (Outcome::Unknown, _, true) => "[尚待查明]",
        }
    }
    /// A rule as a report names it: its title, then its id for reference.
    fn rule(&self, title: &str, id: &str, code: &str) -> String {
        if self.zh() {
            format!("{title}（{code}{id}{code}）")
        } else {
            format!("{title} ({code}{id}{code})")
        }
    }
    fn approval(&self, a: Approval) -> &'static str {
        match (a, self.zh()) {
            (Approval::CollectiveDecision, false) => "collective decision",
            (Approval::Over36Months, false) => "over 36 months",
            (Approval::Reassistance, false) => "reassistance",
            (Approval::JointAssistance, false) => "joint assistance",
            (Approval::CollectiveDecision, true) => "集体研究决定",
            (Approval::Over36Months, true) => "超过36个月工资总额，从严审核审批",
            (Approval::Reassistance, true) => "再次救助审批",
            (Approval::JointAssistance, true) => "上下级联合救助",
        }
    }
    fn stages(&self) -> [(&'static str, &'static str); 2] {
        if self.zh() {
            [("eligibility", "救助条件"), ("exclusions", "不予救助情形")]
        } else {
            [
                ("eligibility", "Eligibility"),
                ("exclusions", "Exclusions considered"),
            ]
        }
    }
}

/// "5.75 months of the wage base ¥7,128/month (estimate: …; source)": whose figure it is, and for which year.
fn wage_sentence(a: &Amount, labels: &Labels) -> Option<String> {
    let (w, m) = (a.wage_base.as_ref()?, a.months?);
    let place = labels.label(&w.region);
    let year = w.year.map(|y| y.to_string()).unwrap_or_default();
    use crate::model::params::Source;
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
fn estimate_line(e: &Estimate, labels: &Labels) -> String {
    use crate::model::params::Source;
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
fn title_of<'a>(r: &'a Recommendation, id: &'a str) -> &'a str {
    r.findings
        .iter()
        .find(|f| f.rule == id)
        .map_or(id, |f| f.title.as_str())
}

fn yuan(x: f64) -> String {
    format!("¥{}", format_number(x))
}

fn headline(r: &Recommendation, wd: &Words) -> String {
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
        let _ = if wd.zh() {
            write!(
                s,
                "，优先等级 {}（评分 {}{}）",
                p.tier.as_str(),
                p.score,
                if p.provisional {
                    format!("，暂定{}", tiers_note(p, wd))
                } else {
                    String::new()
                }
            )
        } else {
            write!(
                s,
                ", priority {} (score {}{})",
                p.tier.as_str(),
                p.score,
                if p.provisional {
                    format!(", provisional{}", tiers_note(p, wd))
                } else {
                    String::new()
                }
            )
        };
    }
    s
}

/// ": tiers reachable A, B" when unknowns could move the tier.
fn tiers_note(p: &crate::model::recommendation::Priority, wd: &Words) -> String {
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

/// What a provisional amount rests on: its range and, for a middle reading, the values it assumes.
fn provisional_note(a: &Amount, labels: &Labels, wd: &Words) -> Option<String> {
    let g = a.range.as_ref()?;
    let assumed: Vec<String> = g
        .assumed
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
            format!("`{}`{}{v}", x.fact, wd.w(" = ", " 为"))
        })
        .collect();
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

/// The checklist of presumed facts, one line each.
fn to_confirm_lines(r: &Recommendation) -> Vec<String> {
    r.to_confirm
        .iter()
        .map(|t| match r.language {
            Lang::Zh => format!("[ ] {}依据：{}", t.text, t.basis),
            Lang::En => format!("[ ] {} — {}", t.text, t.basis),
        })
        .collect()
}

fn decision_lines(r: &Recommendation, labels: &Labels) -> Vec<String> {
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
                    (f.kind == "condition" && f.outcome == Outcome::NotMet) || (f.kind == "bar" && f.outcome == Outcome::Met)
                })
                .collect();
            if deciding.is_empty() {
                // Say what was weighed: Art. 7(1)–(6), and the catch-all of Art. 7(7) with the reason it does not
                // apply (never "no Art. 7 situation" when the catch-all was not weighed).
                let catch_all = r
                    .findings
                    .iter()
                    .find(|f| f.kind == "discretionary" && f.outcome == Outcome::NotMet);
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

/// "legal aid (legal aid centre): why" — the service (`mark` around it, e.g. `**`), its agency, the reason.
fn referral(f: &Referral, labels: &Labels, wd: &Words, mark: &str) -> String {
    format!(
        "{mark}{}{mark}{}{}{}{}",
        labels.label(&f.service),
        wd.w(" (", "（"),
        f.agency_name,
        wd.w("): ", "）："),
        f.reason
    )
}

fn missing_cases<'a>(
    r: &'a Recommendation,
    fact: &str,
) -> &'a [crate::model::exploration::ValueCase] {
    r.what_if
        .as_ref()
        .and_then(|w| w.missing.iter().find(|m| m.fact == fact))
        .map(|m| m.cases.as_slice())
        .unwrap_or(&[])
}

/// The plain-text report: one page a procurator can paste into a case file. The decision first; then why, in the
/// order a reviewer reads it (eligibility, exclusions considered, priority, the amount's arithmetic, referrals); then
/// what would change the outcome, what is missing, and the policy. `labels` are those of the recommendation's
/// language (`policy.labels(rec.language)`).
pub fn text(r: &Recommendation, labels: &Labels) -> String {
    let wd = Words::of(labels);
    let zh = wd.zh();
    let colon = wd.w(": ", "：");
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}{colon}{}",
        wd.case(&printable(&r.case_id)),
        headline(r, &wd)
    );
    let _ = writeln!(s);
    for l in decision_lines(r, labels) {
        let _ = writeln!(s, "{l}");
    }
    if !r.to_confirm.is_empty() {
        let _ = writeln!(
            s,
            "\n{}",
            wd.w("To confirm before deciding:", "作出决定前须核实：")
        );
        for l in to_confirm_lines(r) {
            let _ = writeln!(s, "  {l}");
        }
    }
    let _ = writeln!(s, "\n{}", wd.w("Why:", "理由："));
    for (stage, title) in wd.stages() {
        let _ = writeln!(s, "  {title}{}", wd.w(":", "："));
        for f in r.findings.iter().filter(|f| f.stage == stage) {
            finding_text(&mut s, f, &wd);
        }
    }
    if let Some(p) = &r.priority {
        let _ = if zh {
            writeln!(
                s,
                "  优先等级：{} 级，评分 {}{}：",
                p.tier.as_str(),
                p.score,
                if p.provisional {
                    "（暂定：部分优先因素的事实未知）"
                } else {
                    ""
                }
            )
        } else {
            writeln!(
                s,
                "  Priority: tier {}, score {}{}:",
                p.tier.as_str(),
                p.score,
                if p.provisional {
                    " (provisional: some priority facts are unknown)"
                } else {
                    ""
                }
            )
        };
        for f in &p.factors {
            let counted = match (f.counted == f.points, zh) {
                (true, _) => String::new(),
                (false, false) => format!(", counts {}", f.counted),
                (false, true) => format!("，计入 {} 分", f.counted),
            };
            let _ = writeln!(
                s,
                "    +{:<3} {}{counted}{colon}{}",
                f.points,
                wd.rule(title_of(r, &f.rule), &f.rule, ""),
                f.reason
            );
        }
        for f in r
            .findings
            .iter()
            .filter(|f| f.stage == "priority" && f.outcome == Outcome::Unknown)
        {
            finding_text(&mut s, f, &wd);
        }
    }
    if let Some(a) = &r.amount {
        let _ = writeln!(
            s,
            "  {}{colon}{}",
            wd.w("Amount", "救助金额"),
            yuan(a.recommended as f64)
        );
        if let Some(n) = provisional_note(a, labels, &wd) {
            let _ = writeln!(s, "    {n}");
        }
        if let Some(w) = wage_sentence(a, labels) {
            let _ = writeln!(s, "    = {w}");
        }
        for (i, st) in a.steps.iter().enumerate() {
            let _ = writeln!(
                s,
                "    {:>2}. {} {:>12}  {}",
                i + 1,
                pad(&labels.label(&st.code), 22),
                format_number(st.value),
                st.reason
            );
        }
        for c in &a.caps {
            let _ = writeln!(
                s,
                "        {} {} {:>10}  {}{}{}",
                wd.w("limit", "限额"),
                pad(&labels.label(&c.code), 19),
                yuan(c.limit),
                wd.cap_state(c),
                wd.w(" — ", "："),
                c.reason
            );
        }
        for f in r.findings.iter().filter(|f| {
            f.stage == "amount" && f.outcome == Outcome::Met && f.rule != "amount.formula"
        }) {
            let _ = writeln!(
                s,
                "    {}{colon}{}",
                wd.rule(&f.title, &f.rule, ""),
                f.reason
            );
        }
    }
    if !r.referrals.is_empty() {
        let _ = writeln!(s, "  {}", wd.w("Referrals:", "转介："));
        for f in &r.referrals {
            let _ = writeln!(s, "    - {}", referral(f, labels, &wd, ""));
        }
    }
    if !r.estimates.is_empty() {
        let _ = writeln!(s, "  {}", wd.w("Estimated figures:", "估算数据："));
        for e in &r.estimates {
            let _ = writeln!(s, "    - {}", estimate_line(e, labels));
        }
    }
    if let Some(w) = r.what_if.as_ref().filter(|w| !w.changes.is_empty()) {
        let _ = writeln!(
            s,
            "\n{}",
            wd.w("What would change the outcome:", "哪些事实会改变结果：")
        );
        for c in &w.changes {
            let _ = writeln!(s, "  - {}", c.text);
        }
    }
    if !r.missing.is_empty() {
        let _ = writeln!(s, "\n{}", wd.w("Missing information:", "待补充信息："));
        for m in &r.missing {
            let _ = writeln!(s, "  - {}{colon}{}", m.fact, m.why);
            for c in missing_cases(r, &m.fact) {
                let _ = if zh {
                    writeln!(s, "      如为{}：{}", c.value, c.outcome.text)
                } else {
                    writeln!(s, "      if {}: {}", c.value, c.outcome.text)
                };
            }
        }
    }
    let _ = writeln!(
        s,
        "\n{}{colon}{} {}{}{}{}",
        wd.w("Policy", "政策"),
        r.policy.name,
        r.policy.version,
        wd.w(" (", "（"),
        r.policy.digest,
        wd.w(")", "）")
    );
    let _ = writeln!(
        s,
        "{}{colon}{}",
        wd.w("Case file digest", "案件文件摘要"),
        r.case_digest
    );
    s
}

/// Pads to a width in columns, counting a CJK character as two.
fn pad(s: &str, width: usize) -> String {
    let w: usize = s
        .chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 })
        .sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// One finding of the report: in full when it concludes something or is undecided, on one line when not met.
fn finding_text(s: &mut String, f: &Finding, wd: &Words) {
    let colon = wd.w(": ", "：");
    let _ = writeln!(
        s,
        "    {} {}{colon}{}",
        pad(wd.mark(f), 10),
        wd.rule(&f.title, &f.rule, ""),
        f.reason
    );
    if f.outcome == Outcome::NotMet {
        return;
    }
    let _ = writeln!(
        s,
        "               {}{colon}{}",
        wd.w("basis", "依据"),
        f.basis
    );
    if !f.facts.is_empty() {
        let _ = writeln!(
            s,
            "               {}{colon}{}",
            wd.w("facts", "事实"),
            f.facts.join(wd.w(", ", "、"))
        );
    }
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The Markdown report for case records, in the same order as the text report.
pub fn markdown(r: &Recommendation, labels: &Labels) -> String {
    let wd = Words::of(labels);
    let zh = wd.zh();
    let colon = wd.w(": ", "：");
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {}{}{}\n",
        wd.case(&printable(&r.case_id)),
        wd.w(" — ", "："),
        headline(r, &wd)
    );
    for l in decision_lines(r, labels) {
        let _ = writeln!(s, "- {l}");
    }
    if !r.to_confirm.is_empty() {
        let _ = writeln!(
            s,
            "\n## {}\n",
            wd.w("To confirm before deciding", "作出决定前须核实")
        );
        for l in to_confirm_lines(r) {
            let _ = writeln!(s, "- {l}");
        }
    }
    let _ = writeln!(s, "\n## {}\n", wd.w("Why", "理由"));
    for (stage, title) in wd.stages() {
        let _ = writeln!(s, "### {title}\n");
        for f in r.findings.iter().filter(|f| f.stage == stage) {
            if f.outcome == Outcome::NotMet {
                let _ = writeln!(
                    s,
                    "- {} {}{colon}{}",
                    wd.mark(f),
                    wd.rule(&f.title, &f.rule, "`"),
                    f.reason
                );
            } else {
                let _ = writeln!(
                    s,
                    "- {} {}{colon}{}  \n  *{}{}* {}",
                    wd.mark(f),
                    wd.rule(&f.title, &f.rule, "`"),
                    f.reason,
                    wd.w("Basis", "依据"),
                    wd.w(":", "："),
                    f.basis
                );
            }
        }
        let _ = writeln!(s);
    }
    if let Some(p) = &r.priority {
        let _ = if zh {
            writeln!(
                s,
                "### 优先等级：{} 级，评分 {}{}\n",
                p.tier.as_str(),
                p.score,
                if p.provisional { "（暂定）" } else { "" }
            )
        } else {
            writeln!(
                s,
                "### Priority: tier {}, score {}{}\n",
                p.tier.as_str(),
                p.score,
                if p.provisional { " (provisional)" } else { "" }
            )
        };
        let _ = writeln!(
            s,
            "{}\n|---:|---:|---|---|",
            wd.w(
                "| Points | Counted | Rule | Why |",
                "| 分值 | 计入 | 规则 | 理由 |"
            )
        );
        for f in &p.factors {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                f.points,
                f.counted,
                md_escape(&wd.rule(title_of(r, &f.rule), &f.rule, "`")),
                md_escape(&f.reason)
            );
        }
        let _ = writeln!(s);
    }
    if let Some(a) = &r.amount {
        let _ = writeln!(
            s,
            "### {}{colon}{}\n",
            wd.w("Amount", "救助金额"),
            yuan(a.recommended as f64)
        );
        if let Some(n) = provisional_note(a, labels, &wd) {
            let _ = writeln!(s, "{n}\n");
        }
        if let Some(w) = wage_sentence(a, labels) {
            let _ = writeln!(s, "{w}{}\n", wd.w(".", "。"));
        }
        let _ = writeln!(
            s,
            "{}\n|---|---|---:|---|",
            wd.w(
                "| # | Step | Value | Reason |",
                "| # | 步骤 | 数值 | 说明 |"
            )
        );
        for (i, st) in a.steps.iter().enumerate() {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                i + 1,
                labels.label(&st.code),
                format_number(st.value),
                md_escape(&st.reason)
            );
        }
        if !a.caps.is_empty() {
            let _ = writeln!(
                s,
                "\n{}\n|---|---:|---|---|",
                wd.w(
                    "| Limit checked | Limit | Outcome | Reason |",
                    "| 核对的限额 | 限额 | 结果 | 说明 |"
                )
            );
            for c in &a.caps {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} |",
                    labels.label(&c.code),
                    yuan(c.limit),
                    wd.cap_state(c),
                    md_escape(&c.reason)
                );
            }
        }
        let _ = writeln!(s);
    }
    if !r.referrals.is_empty() {
        let _ = writeln!(s, "### {}\n", wd.w("Referrals", "转介"));
        for f in &r.referrals {
            let _ = writeln!(s, "- {}", referral(f, labels, &wd, "**"));
        }
        let _ = writeln!(s);
    }
    if !r.estimates.is_empty() {
        let _ = writeln!(s, "### {}\n", wd.w("Estimated figures", "估算数据"));
        for e in &r.estimates {
            let _ = writeln!(s, "- {}", estimate_line(e, labels));
        }
        let _ = writeln!(s);
    }
    if let Some(w) = r.what_if.as_ref().filter(|w| !w.changes.is_empty()) {
        let _ = writeln!(
            s,
            "## {}\n",
            wd.w("What would change the outcome", "哪些事实会改变结果")
        );
        for c in &w.changes {
            let _ = writeln!(s, "- {}", c.text);
        }
        let _ = writeln!(s);
    }
    if !r.missing.is_empty() {
        let _ = writeln!(s, "## {}\n", wd.w("Missing information", "待补充信息"));
        for m in &r.missing {
            let _ = writeln!(s, "- `{}`{colon}{}", m.fact, m.why);
            for c in missing_cases(r, &m.fact) {
                let _ = if zh {
                    writeln!(s, "  - 如为{}：{}", c.value, c.outcome.text)
                } else {
                    writeln!(s, "  - if {}: {}", c.value, c.outcome.text)
                };
            }
        }
        let _ = writeln!(s);
    }
    let _ = if zh {
        writeln!(
            s,
            "---\n政策：{} {}（`{}`）；案件文件摘要 `{}`。",
            r.policy.name, r.policy.version, r.policy.digest, r.case_digest
        )
    } else {
        writeln!(
            s,
            "---\nPolicy: {} {} (`{}`); case file digest `{}`.",
            r.policy.name, r.policy.version, r.policy.digest, r.case_digest
        )
    };
    s
}

/// The recommendation as pretty JSON (for one case) or compact (for JSON Lines).
pub fn json(r: &Recommendation, pretty: bool) -> String {
    let out = if pretty {
        serde_json::to_string_pretty(r)
    } else {
        serde_json::to_string(r)
    };
    out.unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise: {e}\"}}"))
}

fn param_value(v: &crate::model::params::ParamValue) -> String {
    match &v.value {
        serde_json::Value::Number(n) => format_number(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k} {}", format_number(v.as_f64().unwrap_or(0.0))))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

fn in_force(v: &crate::model::params::ParamValue) -> String {
    match &v.until {
        Some(u) => format!("{} to {u}", v.from),
        None => format!("from {}", v.from),
    }
}

/// The decision years the wage-base table of `assessor rules` shows.
pub const WAGE_TABLE_YEARS: [u32; 3] = [2022, 2023, 2024];

/// One cell of the wage-base table: the figure a decision in `decision_year` uses in a province.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WageCell {
    /// The year of the decision.
    pub decision_year: u32,
    /// The statistical year of the figure used.
    pub figure_year: Option<u32>,
    /// Whose figure: the province's own, its macro-region's, or the nation's.
    pub basis: crate::model::params::Source,
    /// The figure's own year has ended: it is carried forward.
    pub carried_forward: bool,
    /// Yuan per month.
    pub monthly: f64,
    /// Not the province's own figure for the year before the decision, or a figure with a single source.
    pub estimate: bool,
}

/// For each province of the manifest (macro-regions by name, provinces in the manifest's order), the wage figure
/// a decision in each of [`WAGE_TABLE_YEARS`] uses (none where no figure is in force).
pub fn wage_table(p: &crate::Policy) -> Vec<(String, String, Vec<Option<WageCell>>)> {
    p.params
        .provinces()
        .map(|(region, province)| {
            let cells = WAGE_TABLE_YEARS
                .iter()
                .map(|&y| {
                    let mid_year = jiff::civil::Date::new(i16::try_from(y).ok()?, 6, 30).ok()?;
                    let r = p
                        .params
                        .resolve("wage_base", mid_year, Some(province))
                        .ok()?;
                    Some(WageCell {
                        decision_year: y,
                        figure_year: r.value.year,
                        basis: r.source,
                        carried_forward: r.carried_forward,
                        monthly: r.value.value.as_f64().unwrap_or(0.0),
                        estimate: r.estimate(),
                    })
                })
                .collect();
            (province.to_string(), region.to_string(), cells)
        })
        .collect()
}

fn wage_cell(c: &Option<WageCell>) -> String {
    use crate::model::params::Source;
    let Some(c) = c else {
        return "none in force".into();
    };
    let whose = match (c.basis, c.carried_forward) {
        (Source::Own, false) => "own",
        (Source::Own, true) => "own, carried forward",
        (Source::MacroRegion, false) => "region",
        (Source::MacroRegion, true) => "region, carried forward",
        (Source::National, false) => "national",
        (Source::National, true) => "national, carried forward",
    };
    format!(
        "{} {} {whose}{}",
        c.figure_year.map(|y| y.to_string()).unwrap_or_default(),
        yuan(c.monthly),
        if c.estimate { " (estimate)" } else { "" }
    )
}

/// The policy's rules and parameters as plain text.
pub fn catalogue_text(p: &crate::Policy) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} {}\n{}\n", p.name, p.version, p.digest);
    let mut stage = None;
    for r in &p.rules {
        if stage != Some(r.stage) {
            stage = Some(r.stage);
            let _ = writeln!(s, "{}", r.stage.as_str().to_uppercase());
        }
        let _ = writeln!(s, "  {:<56} {:<13} {}", r.id, r.kind.as_str(), r.title);
        let _ = writeln!(s, "  {:<56} {:<13} basis: {}", "", "", r.basis);
    }
    let table = wage_table(p);
    if !table.is_empty() {
        let _ = writeln!(
            s,
            "\nWAGE BASE BY PROVINCE (the figure a decision in each year uses: year of the figure, monthly amount, whose)"
        );
        let mut line = format!("  {:<16} {:<10}", "province", "region");
        for y in WAGE_TABLE_YEARS {
            let _ = write!(line, " {:<46}", format!("{y} decision"));
        }
        let _ = writeln!(s, "{}", line.trim_end());
        for (province, region, cells) in &table {
            let mut line = format!("  {province:<16} {region:<10}");
            for c in cells {
                let _ = write!(line, " {:<46}", wage_cell(c));
            }
            let _ = writeln!(s, "{}", line.trim_end());
        }
    }
    let _ = writeln!(s, "\nPARAMETERS");
    for par in p.params.all() {
        let _ = writeln!(s, "  {} ({}): {}", par.name, par.unit, par.title);
        let _ = writeln!(s, "      reference: {}", par.reference);
        for v in &par.values {
            let _ = writeln!(
                s,
                "      {:<14} {:<26} {}{}{}",
                v.region.as_deref().unwrap_or("all regions"),
                in_force(v),
                param_value(v),
                if v.estimate { " (estimate)" } else { "" },
                v.source
                    .as_deref()
                    .map(|x| format!(" — {x}"))
                    .unwrap_or_default()
            );
        }
    }
    s
}

/// The policy's rules and parameters as Markdown.
pub fn catalogue_markdown(p: &crate::Policy) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {} {}\n\nDigest `{}`.\n", p.name, p.version, p.digest);
    let mut stage = None;
    for r in &p.rules {
        if stage != Some(r.stage) {
            stage = Some(r.stage);
            let _ = writeln!(
                s,
                "\n## {}\n\n| Rule | Kind | Title | Basis |\n|---|---|---|---|",
                r.stage.as_str()
            );
        }
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} |",
            r.id,
            r.kind.as_str(),
            md_escape(&r.title),
            md_escape(&r.basis)
        );
    }
    let table = wage_table(p);
    if !table.is_empty() {
        let _ = write!(s, "\n## Wage base by province\n\nThe figure a decision in each year uses: year of the figure, monthly amount, whose.\n\n| Province | Region |");
        for y in WAGE_TABLE_YEARS {
            let _ = write!(s, " {y} decision |");
        }
        let _ = writeln!(s, "\n|---|---|---|---|---|");
        for (province, region, cells) in &table {
            let _ = write!(s, "| {province} | {region} |");
            for c in cells {
                let _ = write!(s, " {} |", wage_cell(c));
            }
            let _ = writeln!(s);
        }
    }
    let _ = writeln!(s, "\n## Parameters\n\n| Parameter | Unit | Region | In force | Value | Reference |\n|---|---|---|---|---|---|");
    for par in p.params.all() {
        for v in &par.values {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} | {}{} | {} |",
                par.name,
                par.unit,
                v.region.as_deref().unwrap_or("all"),
                in_force(v),
                param_value(v),
                if v.estimate { " (estimate)" } else { "" },
                md_escape(v.source.as_deref().unwrap_or(&par.reference))
            );
        }
    }
    s
}

/// The policy's rules and parameters as JSON.
pub fn catalogue_json(p: &crate::Policy) -> serde_json::Value {
    serde_json::json!({
        "name": p.name,
        "version": p.version,
        "digest": p.digest,
        "rules": p.rules.iter().map(|r| serde_json::json!({
            "id": r.id, "stage": r.stage, "kind": r.kind, "title": r.title, "basis": r.basis, "file": r.file,
        })).collect::<Vec<_>>(),
        "parameters": p.params.all().map(|par| serde_json::json!({
            "name": par.name, "title": par.title, "unit": par.unit, "reference": par.reference,
            "by_region": par.by_region, "values": par.values, "file": par.file,
        })).collect::<Vec<_>>(),
        "wage_base_by_province": wage_table(p).into_iter().map(|(province, region, cells)| serde_json::json!({
            "province": province, "region": region, "decisions": cells,
        })).collect::<Vec<_>>(),
    })
}

/// A value from the case file as it may be printed in a report: control characters (ESC, newline, …) written as
/// escapes (`\u{1b}`, `\n`), so that a case id cannot move the cursor, colour the terminal or forge a line.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}
