//! The summary's own words in English and Chinese (decisions, tiers, approvals, money), numbers with thousands
//! separators and shares, and how codes are named: the policy's labels and rule titles in a language.

use crate::model::codes::{Approval, Decision, RuleKind, Stage};
use crate::model::text::{Labels, Lang};
use crate::policy::Policy;

/// The summary's own words.
pub(crate) struct Words(pub(crate) Lang);

impl Words {
    pub(crate) fn w<'a>(&self, en: &'a str, zh: &'a str) -> &'a str {
        if self.0 == Lang::Zh {
            zh
        } else {
            en
        }
    }
    pub(crate) fn money(&self, yuan: i128) -> String {
        if self.0 == Lang::Zh {
            format!("{}元", group(yuan))
        } else if yuan < 0 {
            format!("-¥{}", group(-yuan))
        } else {
            format!("¥{}", group(yuan))
        }
    }
    pub(crate) fn decision(&self, code: &str) -> String {
        let d = match code {
            "assist" => Decision::Assist,
            "decline" => Decision::Decline,
            "needs_information" => Decision::NeedsInformation,
            other => return other.to_string(),
        };
        match d {
            Decision::Assist => self.w("assist", "予以救助"),
            Decision::Decline => self.w("decline", "不予救助"),
            Decision::NeedsInformation => self.w("needs information", "需补充信息"),
        }
        .to_string()
    }
    pub(crate) fn tier(&self, code: &str) -> String {
        match self.0 {
            Lang::Zh => format!("{code} 级"),
            Lang::En => format!("tier {code}"),
        }
    }
    pub(crate) fn approval(&self, code: &str) -> String {
        match Approval::parse(code) {
            Some(Approval::CollectiveDecision) => self.w("collective decision", "集体研究决定"),
            Some(Approval::Over36Months) => self.w("over 36 months", "超过36个月工资总额审批"),
            Some(Approval::Reassistance) => self.w("re-assistance", "再次救助审批"),
            Some(Approval::JointAssistance) => self.w("joint assistance", "上下级联合救助"),
            None => code,
        }
        .to_string()
    }
    pub(crate) fn not_recorded(&self) -> &'static str {
        self.w("not recorded", "未记载")
    }
    /// The note under the province table (`year` false) or the year table: where the figures come from, for
    /// `recorded` recommendations that record them, `from_cases` older lines read with their case files and
    /// `inferred` older lines read from the figures they name. One source: its sentence; several: each with its
    /// count.
    pub(crate) fn origin_note(
        &self,
        year: bool,
        recorded: u64,
        from_cases: u64,
        inferred: u64,
    ) -> String {
        // (count, (alone en, alone zh), (counted en, counted zh)) for each source.
        let sources = if year {
            [
                (recorded, ("The year of the decision date each recommendation records.", "依各评估结果记载的决定日期所属年度确定。"),
                 ("recommendations: the year of the decision date they record.", "件评估结果依其记载的决定日期所属年度确定。")),
                (from_cases, ("Results written before recommendations recorded the decision date: the year of each case file's decision date (--cases).", "旧版评估结果未记载决定日期，依各案件材料载明的决定日期所属年度确定（--cases）。"),
                 ("results written before recommendations recorded the decision date: the year of their case files' decision date (--cases).", "件旧版评估结果未记载决定日期，依案件材料载明的决定日期所属年度确定（--cases）。")),
                (inferred, ("Results written before recommendations recorded the decision date: the year after the wage base's year; a case without an amount, or with a figure carried forward, records none (give the case files with --cases to count every case).", "旧版评估结果未记载决定日期，依计算基数年度的次年确定；无救助金额或者计算基数沿用往年数据的案件无从确定年度（以 --cases 提供案件材料即可统计全部案件）。"),
                 ("results written before recommendations recorded the decision date: the year after the wage base's year, none for a case without an amount or with a figure carried forward (give their case files with --cases to count them).", "件旧版评估结果未记载决定日期，依计算基数年度的次年确定，无救助金额或者计算基数沿用往年数据的无从确定（以 --cases 提供案件材料即可统计）。")),
            ]
        } else {
            [
                (recorded, ("The province each recommendation records (the case file's jurisdiction.province); a case whose file names none is not recorded.", "依各评估结果记载的省份（即案件材料载明的省份）确定；案件材料未载明省份的，计入“未记载”。"),
                 ("recommendations: the province they record (the case file's jurisdiction.province).", "件评估结果依其记载的省份（即案件材料载明的省份）确定。")),
                (from_cases, ("Results written before recommendations recorded the province: the province of each case file (--cases).", "旧版评估结果未记载省份，依各案件材料载明的省份确定（--cases）。"),
                 ("results written before recommendations recorded the province: the province of their case files (--cases).", "件旧版评估结果未记载省份，依案件材料载明的省份确定（--cases）。")),
                (inferred, ("Results written before recommendations recorded the province: the province of the wage base or of another figure that is the province's own; a declined case records none (give the case files with --cases to count every case).", "旧版评估结果未记载省份，依救助金计算基数或者其他本省数据所属省份确定；不予救助的案件无从确定省份（以 --cases 提供案件材料即可统计全部案件）。"),
                 ("results written before recommendations recorded the province: the province of the wage base or of another figure that is the province's own, none for a declined case (give their case files with --cases to count them).", "件旧版评估结果未记载省份，依救助金计算基数或者其他本省数据所属省份确定，不予救助的无从确定（以 --cases 提供案件材料即可统计）。")),
            ]
        };
        let present: Vec<_> = sources.iter().filter(|(n, _, _)| *n > 0).collect();
        match present.as_slice() {
            [] => self.w(sources[0].1 .0, sources[0].1 .1).to_string(),
            [(_, (en, zh), _)] => self.w(en, zh).to_string(),
            several => several
                .iter()
                .map(|(n, _, (en, zh))| format!("{} {}", group(i128::from(*n)), self.w(en, zh)))
                .collect::<Vec<_>>()
                .join(self.w(" ", "")),
        }
    }
}

/// `1234567` → `1,234,567`.
pub fn group(n: i128) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `part` of `whole` as a percentage with one decimal.
pub fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "–".into();
    }
    // Integer arithmetic, rounded half up: the same bytes on every machine.
    let tenths = (u128::from(part) * 2000 + u128::from(whole)) / (2 * u128::from(whole));
    format!("{}.{}%", tenths / 10, tenths % 10)
}

/// The campaign's code of a priority group (`W1`, `W+2`) from its title (`W1 — …`), if it is one.
pub fn campaign_code(title: &str) -> Option<&str> {
    let head = title.split(['—', ' ']).next()?.trim();
    let rest = head.strip_prefix('W')?;
    let digits = rest.strip_prefix('+').unwrap_or(rest);
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())).then_some(head)
}

/// How the summary names codes: the policy's labels and rule titles in a language.
pub struct Names<'p> {
    policy: &'p Policy,
    lang: Lang,
    labels: &'p Labels,
}

impl<'p> Names<'p> {
    /// The names of `policy` in `lang`.
    pub fn new(policy: &'p Policy, lang: Lang) -> Self {
        Names {
            policy,
            lang,
            labels: policy.labels(lang),
        }
    }
    /// A code's label.
    pub fn label(&self, code: &str) -> String {
        self.labels.label(code)
    }
    /// A rule's title in the language (its id when the policy has no such rule).
    pub fn rule(&self, id: &str) -> String {
        self.policy
            .rule(id)
            .and_then(|r| self.policy.rule_text(r, self.lang, "title"))
            .map_or_else(|| id.to_string(), str::to_string)
    }
    /// The ids of the policy's priority groups.
    pub fn group_ids(&self) -> impl Iterator<Item = &'p str> {
        self.policy
            .rules
            .iter()
            .filter(|r| r.stage == Stage::Priority && r.kind == RuleKind::Group)
            .map(|r| r.id.as_str())
    }
    /// The campaign's code of a group rule (read from its title in the policy's first language).
    pub fn campaign(&self, id: &str) -> Option<String> {
        let r = self.policy.rule(id)?;
        campaign_code(&r.title).map(str::to_string)
    }
}
