//! The summary as people read it, in one language: a title, warnings, and sections of labelled tables built
//! from a [`Tally`]; the text, Markdown and HTML writers each walk it. Codes are shown by the policy's labels and
//! rule titles; the summary's own words are here, in English and Chinese.

use crate::model::codes::Tier;
use crate::model::text::Lang;
use crate::policy::Policy;

use super::tally::{Amounts, By, Row, Tally};
use super::words::{group, share, Names, Words};

/// A table: a title, column headers, rows of cells; `numeric` columns are right-aligned.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// A stable key (`decisions`, `amounts`, …), for anchors and tests.
    pub key: &'static str,
    /// The heading.
    pub title: String,
    /// Said under the heading: what the figures are.
    pub note: Option<String>,
    /// Column headers.
    pub headers: Vec<String>,
    /// Which columns hold numbers.
    pub numeric: Vec<bool>,
    /// The rows.
    pub rows: Vec<Vec<String>>,
}

/// The whole summary in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// The language.
    pub lang: Lang,
    /// The title.
    pub title: String,
    /// What was read, in one sentence.
    pub read: String,
    /// The policies seen.
    pub policies: Vec<String>,
    /// Warnings for the top (several policies; lines that are not recommendations).
    pub warnings: Vec<String>,
    /// The tables.
    pub sections: Vec<Section>,
}

fn counted(key: &'static str, title: String, head: &str, w: &Words) -> Section {
    Section {
        key,
        title,
        note: None,
        headers: vec![
            head.to_string(),
            w.w("cases", "件数").into(),
            w.w("share", "占比").into(),
        ],
        numeric: vec![false, true, true],
        rows: Vec::new(),
    }
}

fn push(s: &mut Section, label: String, n: u64, whole: u64) {
    s.rows
        .push(vec![label, group(i128::from(n)), share(n, whole)]);
}

/// Builds the view of a tally.
pub fn view(t: &Tally, policy: &Policy, lang: Lang) -> View {
    let w = Words(lang);
    let names = Names::new(policy, lang);
    let n = t.recommendations;
    let mut warnings = Vec::new();
    if t.policies.len() > 1 {
        warnings.push(match lang {
            Lang::Zh => format!(
                "注意：本批结果出自 {} 个不同的政策版本（摘要值不同），以下数字混合了不同政策的评估结果，不宜直接比较或者汇总。",
                t.policies.len()
            ),
            Lang::En => format!(
                "Warning: this batch was assessed under {} different policies (digests differ); the figures below mix them.",
                t.policies.len()
            ),
        });
    }
    if t.error_records + t.unreadable > 0 {
        warnings.push(match lang {
            Lang::Zh => format!(
                "{} 行为未能评估的案件（错误记录），{} 行不是评估结果，均未计入以下数字，见文末“未计入的行”。",
                group(t.error_records.into()),
                group(t.unreadable.into())
            ),
            Lang::En => format!(
                "{} lines are cases that could not be assessed (error records) and {} are not recommendations; \
                 neither is in the figures below (see \"Lines not counted\" at the end).",
                group(t.error_records.into()),
                group(t.unreadable.into())
            ),
        });
    }
    let read = match lang {
        Lang::Zh => format!(
            "共读取 {} 行：评估结果 {} 件，未能评估的案件 {} 件，无法识别的行 {} 行。",
            group(t.lines.into()),
            group(n.into()),
            group(t.error_records.into()),
            group(t.unreadable.into())
        ),
        Lang::En => format!(
            "{} lines read: {} recommendations, {} cases that could not be assessed, {} unreadable lines.",
            group(t.lines.into()),
            group(n.into()),
            group(t.error_records.into()),
            group(t.unreadable.into())
        ),
    };
    let policies = t
        .policies
        .iter()
        .map(|((name, version, digest), c)| {
            // The loaded policy's name in the language, when it is the policy seen.
            let name = if *digest == policy.digest {
                policy.name_in(lang)
            } else {
                name
            };
            let short = digest.get(..19).unwrap_or(digest);
            match lang {
                Lang::Zh => format!("{name} {version}（{short}…）：{} 件", group((*c).into())),
                Lang::En => format!("{name} {version} ({short}…): {} cases", group((*c).into())),
            }
        })
        .collect();
    let mut sections = Vec::new();

    let mut s = counted(
        "decisions",
        w.w("Decisions", "救助决定").into(),
        w.w("decision", "决定"),
        &w,
    );
    for code in ["assist", "decline", "needs_information"] {
        push(
            &mut s,
            w.decision(code),
            t.decisions.get(code).copied().unwrap_or(0),
            n,
        );
    }
    push(
        &mut s,
        w.w(
            "of which discretionary (Art. 7(7))",
            "其中依兜底条款酌定救助（第七条第（七）项）",
        )
        .into(),
        t.discretionary,
        n,
    );
    push(
        &mut s,
        w.w("fast track (先行救助)", "先行救助").into(),
        t.fast_track,
        n,
    );
    sections.push(s);
    sections.push(amounts(t, &w));

    let mut s = counted(
        "tiers",
        w.w("Priority tiers", "优先等级").into(),
        w.w("tier", "等级"),
        &w,
    );
    let tiered: u64 = t.tiers.values().sum();
    for tier in [Tier::A, Tier::B, Tier::C] {
        push(
            &mut s,
            w.tier(tier.as_str()),
            t.tiers.get(tier.as_str()).copied().unwrap_or(0),
            n,
        );
    }
    push(
        &mut s,
        w.w("no tier (declined)", "无等级（不予救助）").into(),
        n - tiered.min(n),
        n,
    );
    push(
        &mut s,
        w.w("tier may still rise (provisional)", "等级可能上调（待定）")
            .into(),
        t.provisional_tier,
        n,
    );
    sections.push(s);

    let (campaign, other) = groups(t, &names);
    let mut s = counted(
        "categories",
        w.w("Campaign categories", "专项活动重点对象类别").into(),
        w.w("category", "类别"),
        &w,
    );
    s.note = Some(
        w.w(
            "A case in several categories counts in each; shares are of all recommendations.",
            "同时属于多个类别的案件在每个类别中各计一次；占比以全部评估结果为分母。",
        )
        .into(),
    );
    for (label, c) in &campaign {
        push(&mut s, label.clone(), *c, n);
    }
    sections.push(s);
    let mut s = counted(
        "groups",
        w.w("Other priority groups", "其他优先救助对象").into(),
        w.w("group", "对象"),
        &w,
    );
    for (label, c) in &other {
        push(&mut s, label.clone(), *c, n);
    }
    push(
        &mut s,
        w.w(
            "in at least one category or group",
            "至少属于一个类别或者对象",
        )
        .into(),
        t.in_a_group,
        n,
    );
    sections.push(s);

    let mut s = counted(
        "provinces",
        w.w("Provinces", "省份").into(),
        w.w("province", "省份"),
        &w,
    );
    let inferred = n.saturating_sub(t.recorded).saturating_sub(t.from_cases);
    s.note = Some(w.origin_note(false, t.recorded, t.from_cases, inferred));
    for (k, c) in by_count(&t.provinces)
        .into_iter()
        .filter(|(k, _)| k.is_some())
    {
        push(
            &mut s,
            k.as_deref().map(|p| names.label(p)).unwrap_or_default(),
            c,
            n,
        );
    }
    if let Some(c) = t.provinces.get(&None) {
        push(&mut s, w.not_recorded().into(), *c, n);
    }
    sections.push(s);

    let mut s = counted(
        "years",
        w.w("Year of the decision", "决定年度").into(),
        w.w("year", "年度"),
        &w,
    );
    s.note = Some(w.origin_note(true, t.recorded, t.from_cases, inferred));
    for (k, c) in t.years.iter().filter(|(k, _)| k.is_some()) {
        push(&mut s, k.map(|y| y.to_string()).unwrap_or_default(), *c, n);
    }
    if let Some(c) = t.years.get(&None) {
        push(&mut s, w.not_recorded().into(), *c, n);
    }
    sections.push(s);

    let assisted = t.amounts.len();
    let mut s = counted(
        "caps",
        w.w("Caps and approvals", "限额与审批").into(),
        w.w("cap reached, or approval needed", "达到限额或者需经审批"),
        &w,
    );
    s.note = Some(w.w("Caps: assisted cases whose amount was cut to the cap (or, for a threshold, above it). Shares are of assisted cases.", "限额：救助金额被限定在该限额（审批起点为超过该起点）的救助案件；占比以予以救助的案件为分母。").into());
    for (code, c) in &t.caps {
        push(&mut s, names.label(code), *c, assisted);
    }
    for (code, c) in &t.approvals {
        let label = match lang {
            Lang::Zh => format!("审批：{}", w.approval(code)),
            Lang::En => format!("approval: {}", w.approval(code)),
        };
        push(&mut s, label, *c, assisted);
    }
    sections.push(s);

    let mut s = counted(
        "services",
        w.w("Referrals by service", "转介（按服务）").into(),
        w.w("service", "服务"),
        &w,
    );
    s.note = Some(
        w.w(
            "Shares are of all recommendations.",
            "占比以全部评估结果为分母。",
        )
        .into(),
    );
    for (k, c) in by_count(&t.services) {
        push(&mut s, names.label(k), c, n);
    }
    push(
        &mut s,
        w.w("cases referred at least once", "至少转介一次的案件")
            .into(),
        t.referred,
        n,
    );
    sections.push(s);
    let mut s = counted(
        "agencies",
        w.w("Referrals by agency", "转介（按机构）").into(),
        w.w("agency", "机构"),
        &w,
    );
    for (k, c) in by_count(&t.agencies) {
        push(&mut s, names.label(k), c, n);
    }
    sections.push(s);

    let undecided = t.decisions.get("needs_information").copied().unwrap_or(0);
    let mut s = counted(
        "missing",
        w.w("Missing facts (needs information)", "需补充的事实")
            .into(),
        w.w("fact", "事实"),
        &w,
    );
    s.note = Some(w.w("For the cases whose decision waits for information: how often each fact was missing, most often first (what to collect first). Shares are of those cases.", "在需补充信息的案件中，各项事实缺失的次数，按次数由多到少排列（宜优先收集）；占比以需补充信息的案件为分母。").into());
    for (k, c) in by_count(&t.missing) {
        push(&mut s, k.to_string(), c, undecided);
    }
    sections.push(s);

    if let Some(by) = t.by {
        sections.push(cross(t, by, &names, &w));
    }
    if !t.problems.is_empty() {
        sections.push(Section {
            key: "problems",
            title: w.w("Lines not counted", "未计入的行").into(),
            note: Some(match lang {
                Lang::Zh => format!(
                    "列出前 {} 行（共 {} 行）。",
                    t.problems.len(),
                    group((t.error_records + t.unreadable).into())
                ),
                Lang::En => format!(
                    "The first {} of {}.",
                    t.problems.len(),
                    group((t.error_records + t.unreadable).into())
                ),
            }),
            headers: vec![w.w("line", "行").into(), w.w("reason", "原因").into()],
            numeric: vec![false, false],
            rows: t
                .problems
                .iter()
                .map(|p| vec![p.place.clone(), p.reason.clone()])
                .collect(),
        });
    }
    View {
        lang,
        title: w.w("Caseload summary", "司法救助案件统计").into(),
        read,
        policies,
        warnings,
        sections,
    }
}

/// Labels and their counts.
pub type Counts = Vec<(String, u64)>;

/// Priority groups met: the campaign's (ordered by code) and the others (most cases first), with their labels.
pub fn groups(t: &Tally, names: &Names) -> (Counts, Counts) {
    let mut campaign = Vec::new();
    let mut other = Vec::new();
    // Every group of the policy, met or not, and any other the batch names (from another policy).
    let mut all = t.groups.clone();
    for id in names.group_ids() {
        all.entry(id.to_string()).or_insert(0);
    }
    for (id, c) in by_count(&all) {
        match names.campaign(id) {
            Some(code) => campaign.push((code, names.rule(id), c)),
            None => other.push((names.rule(id), c)),
        }
    }
    // W1 … W5, then W+1, W+2.
    campaign.sort_by(|a, b| (a.0.contains('+'), &a.0).cmp(&(b.0.contains('+'), &b.0)));
    (
        campaign.into_iter().map(|(_, l, c)| (l, c)).collect(),
        other,
    )
}

/// A map's entries, most first (then by key).
pub fn by_count<K: Ord>(m: &std::collections::BTreeMap<K, u64>) -> Vec<(&K, u64)> {
    let mut v: Vec<(&K, u64)> = m.iter().map(|(k, c)| (k, *c)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v
}

fn amounts(t: &Tally, w: &Words) -> Section {
    let a = &t.amounts;
    let money = |v: Option<i64>| v.map_or_else(|| "–".to_string(), |v| w.money(v.into()));
    let rows: Vec<(&str, &str, String)> = vec![
        (
            "assisted cases with an amount",
            "予以救助并确定金额的案件",
            group(a.len().into()),
        ),
        ("total", "救助金额合计", w.money(a.total())),
        ("mean", "平均数", money(a.mean())),
        ("lower quartile", "下四分位数", money(a.quantile(1, 4))),
        ("median", "中位数", money(a.quantile(1, 2))),
        ("upper quartile", "上四分位数", money(a.quantile(3, 4))),
        ("smallest", "最小值", money(a.min())),
        ("largest", "最大值", money(a.max())),
        (
            "provisional (a range)",
            "金额待定（区间）",
            group(t.provisional_amount.into()),
        ),
    ];
    Section {
        key: "amounts",
        title: w.w("Amounts", "救助金额").into(),
        note: Some(w.w("Recommended amounts of assisted cases; a provisional amount counts at its recommended value.", "予以救助案件的建议救助金额；金额待定的按建议金额计。").into()),
        headers: vec![w.w("figure", "项目").into(), w.w("value", "数值").into()],
        numeric: vec![false, true],
        rows: rows.into_iter().map(|(en, zh, v)| vec![w.w(en, zh).to_string(), v]).collect(),
    }
}

fn cross(t: &Tally, by: By, names: &Names, w: &Words) -> Section {
    let (title, head) = match by {
        By::Province => (w.w("By province", "分省份统计"), w.w("province", "省份")),
        By::Year => (
            w.w("By year of the decision", "分年度统计"),
            w.w("year", "年度"),
        ),
        By::Category => (w.w("By category", "分类别统计"), w.w("category", "类别")),
    };
    let mut headers = vec![head.to_string(), w.w("cases", "件数").into()];
    headers.extend(["assist", "decline", "needs_information"].map(|d| w.decision(d)));
    headers.extend(["A", "B", "C"].map(|x| w.tier(x)));
    headers.extend([w.w("total", "金额合计"), w.w("median", "中位数")].map(str::to_string));
    let mut rows: Vec<(String, &Row)> = t
        .cross
        .iter()
        .map(|(k, r)| {
            let label = match (k, by) {
                (None, By::Category) => w.w("none", "不属于任何类别或者对象").to_string(),
                (None, _) => w.not_recorded().to_string(),
                (Some(g), By::Category) => names.campaign(g).unwrap_or_else(|| names.rule(g)),
                (Some(p), By::Province) => names.label(p),
                (Some(y), By::Year) => y.clone(),
            };
            (label, r)
        })
        .collect();
    if by == By::Category {
        rows.sort_by(|a, b| b.1.cases.cmp(&a.1.cases).then(a.0.cmp(&b.0)));
    }
    let count = |m: &std::collections::BTreeMap<&'static str, u64>, k: &str| {
        group(m.get(k).copied().unwrap_or(0).into())
    };
    let amounts = |a: &Amounts| {
        (
            w.money(a.total()),
            a.quantile(1, 2)
                .map_or_else(|| "–".into(), |m| w.money(m.into())),
        )
    };
    Section {
        key: "cross",
        title: title.into(),
        note: (by == By::Category).then(|| {
            w.w(
                "A case in several categories counts in each row.",
                "同时属于多个类别的案件在每一行中各计一次。",
            )
            .into()
        }),
        numeric: headers.iter().enumerate().map(|(i, _)| i > 0).collect(),
        headers,
        rows: rows
            .into_iter()
            .map(|(label, r)| {
                let (total, median) = amounts(&r.amounts);
                vec![
                    label,
                    group(r.cases.into()),
                    count(&r.decisions, "assist"),
                    count(&r.decisions, "decline"),
                    count(&r.decisions, "needs_information"),
                    count(&r.tiers, "A"),
                    count(&r.tiers, "B"),
                    count(&r.tiers, "C"),
                    total,
                    median,
                ]
            })
            .collect(),
    }
}
