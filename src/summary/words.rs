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
