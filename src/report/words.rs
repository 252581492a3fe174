//! The reports' own words in English and Chinese (headings, marks, approvals, cap states), money as `¥1,234`, and
//! padding to a width in terminal columns, a case file's text made printable. Used by the report model and both writers of `report/`.

use unicode_width::UnicodeWidthStr;

use crate::model::codes::{Approval, Outcome, Stage};
use crate::model::recommendation::{Cap, Finding};
use crate::model::text::{format_number, Labels, Lang};

/// The reports' own words in one language.
pub(super) struct Words {
    pub(super) lang: Lang,
}

impl Words {
    pub(super) fn of(labels: &Labels) -> Self {
        Words { lang: labels.lang }
    }
    pub(super) fn zh(&self) -> bool {
        self.lang == Lang::Zh
    }
    /// English or Chinese.
    pub(super) fn w<'a>(&self, en: &'a str, zh: &'a str) -> &'a str {
        if self.zh() {
            zh
        } else {
            en
        }
    }
    /// The case as a report's heading names it: its id, then where and when it is decided (what the
    /// recommendation records of the two).
    pub(super) fn case(
        &self,
        id: &str,
        province: Option<&str>,
        date: Option<jiff::civil::Date>,
    ) -> String {
        let zh = self.zh();
        let date = date.map(|d| {
            if zh {
                format!("决定日期 {}年{}月{}日", d.year(), d.month(), d.day())
            } else {
                format!("decision date {d}")
            }
        });
        let origin: Vec<String> = province
            .map(str::to_string)
            .into_iter()
            .chain(date)
            .collect();
        match (origin.is_empty(), zh) {
            (true, true) => format!("案件 {id}"),
            (true, false) => format!("Case {id}"),
            (false, true) => format!("案件 {id}（{}）", origin.join("，")),
            (false, false) => format!("Case {id} ({})", origin.join(", ")),
        }
    }
    pub(super) fn cap_state(&self, c: &Cap) -> &'static str {
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
    pub(super) fn mark(&self, f: &Finding) -> &'static str {
        let exclusion = f.stage == Stage::Exclusions;
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
    pub(super) fn rule(&self, title: &str, id: &str, code: &str) -> String {
        if self.zh() {
            format!("{title}（{code}{id}{code}）")
        } else {
            format!("{title} ({code}{id}{code})")
        }
    }
    pub(super) fn approval(&self, a: Approval) -> &'static str {
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
    pub(super) fn stages(&self) -> [(Stage, &'static str); 2] {
        if self.zh() {
            [
                (Stage::Eligibility, "救助条件"),
                (Stage::Exclusions, "不予救助情形"),
            ]
        } else {
            [
                (Stage::Eligibility, "Eligibility"),
                (Stage::Exclusions, "Exclusions considered"),
            ]
        }
    }
}

/// `¥1,234.5`.
pub(super) fn yuan(x: f64) -> String {
    format!("¥{}", format_number(x))
}

/// Pads to a width in terminal columns (a CJK character takes two), as `unicode-width` measures it.
pub(super) fn pad(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(s.width())))
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

#[cfg(test)]
mod tests {
    use super::pad;

    /// Columns as a terminal shows them: a CJK character takes two, a combining accent none, a half-width
    /// katakana one (the hand-written measure counted every character from U+2E80 as two and each accent as one).
    #[test]
    fn pad_measures_terminal_columns() {
        assert_eq!(pad("救助金", 8), "救助金  ");
        assert_eq!(pad("wage base", 12), "wage base   ");
        assert_eq!(pad("e\u{301}", 4), "e\u{301}   ");
        assert_eq!(pad("ｱｲ", 4), "ｱｲ  ");
        assert_eq!(pad("already wider", 4), "already wider");
    }
}
