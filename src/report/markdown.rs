//! The Markdown writer: walks the [`Report`] model once, in the same order as the text writer, with headings and
//! tables for case records. Called by [`super::markdown`].

use std::io::{self, Write};

use crate::model::text::format_number;

use super::model::Report;
use super::words::yuan;

/// A table cell: a `|` in the text would end the cell.
pub(super) fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// Writes the report as Markdown.
pub fn write(w: &mut dyn Write, rep: &Report) -> io::Result<()> {
    let wd = &rep.words;
    let zh = wd.zh();
    let colon = wd.w(": ", "：");
    writeln!(w, "# {}{}{}\n", rep.case, wd.w(" — ", "："), rep.headline)?;
    for l in &rep.decision {
        writeln!(w, "- {l}")?;
    }
    if !rep.to_confirm.is_empty() {
        writeln!(
            w,
            "\n## {}\n",
            wd.w("To confirm before deciding", "作出决定前须核实")
        )?;
        for l in &rep.to_confirm {
            writeln!(w, "- {l}")?;
        }
    }
    writeln!(w, "\n## {}\n", wd.w("Why", "理由"))?;
    for stage in &rep.stages {
        writeln!(w, "### {}\n", stage.title)?;
        for f in &stage.findings {
            let rule = wd.rule(&f.title, &f.rule, "`");
            match &f.basis {
                None => writeln!(w, "- {} {rule}{colon}{}", f.mark, f.reason)?,
                Some(basis) => writeln!(
                    w,
                    "- {} {rule}{colon}{}  \n  *{}{}* {basis}",
                    f.mark,
                    f.reason,
                    wd.w("Basis", "依据"),
                    wd.w(":", "："),
                )?,
            }
        }
        writeln!(w)?;
    }
    if let Some(p) = &rep.priority {
        if zh {
            writeln!(
                w,
                "### 优先等级：{} 级，评分 {}{}\n",
                p.tier,
                p.score,
                if p.provisional { "（暂定）" } else { "" }
            )?;
        } else {
            writeln!(
                w,
                "### Priority: tier {}, score {}{}\n",
                p.tier,
                p.score,
                if p.provisional { " (provisional)" } else { "" }
            )?;
        }
        writeln!(
            w,
            "{}\n|---:|---:|---|---|",
            wd.w(
                "| Points | Counted | Rule | Why |",
                "| 分值 | 计入 | 规则 | 理由 |"
            )
        )?;
        for f in &p.factors {
            writeln!(
                w,
                "| {} | {} | {} | {} |",
                f.points,
                f.counted,
                md_escape(&wd.rule(&f.title, &f.rule, "`")),
                md_escape(&f.reason)
            )?;
        }
        writeln!(w)?;
    }
    if let Some(a) = &rep.amount {
        writeln!(
            w,
            "### {}{colon}{}\n",
            wd.w("Amount", "救助金额"),
            yuan(a.recommended)
        )?;
        if let Some(n) = &a.provisional {
            writeln!(w, "{n}\n")?;
        }
        if let Some(s) = &a.wage {
            writeln!(w, "{s}{}\n", wd.w(".", "。"))?;
        }
        writeln!(
            w,
            "{}\n|---|---|---:|---|",
            wd.w(
                "| # | Step | Value | Reason |",
                "| # | 步骤 | 数值 | 说明 |"
            )
        )?;
        for (i, st) in a.steps.iter().enumerate() {
            writeln!(
                w,
                "| {} | {} | {} | {} |",
                i + 1,
                st.label,
                format_number(st.value),
                md_escape(&st.reason)
            )?;
        }
        if !a.caps.is_empty() {
            writeln!(
                w,
                "\n{}\n|---|---:|---|---|",
                wd.w(
                    "| Limit checked | Limit | Outcome | Reason |",
                    "| 核对的限额 | 限额 | 结果 | 说明 |"
                )
            )?;
            for c in &a.caps {
                writeln!(
                    w,
                    "| {} | {} | {} | {} |",
                    c.label,
                    yuan(c.limit),
                    c.state,
                    md_escape(&c.reason)
                )?;
            }
        }
        writeln!(w)?;
    }
    if !rep.referrals.is_empty() {
        writeln!(w, "### {}\n", wd.w("Referrals", "转介"))?;
        for f in &rep.referrals {
            writeln!(
                w,
                "- **{}**{}{}{}{}",
                f.service,
                wd.w(" (", "（"),
                f.agency,
                wd.w("): ", "）："),
                f.reason
            )?;
        }
        writeln!(w)?;
    }
    if !rep.estimates.is_empty() {
        writeln!(w, "### {}\n", wd.w("Estimated figures", "估算数据"))?;
        for e in &rep.estimates {
            writeln!(w, "- {e}")?;
        }
        writeln!(w)?;
    }
    if !rep.what_if.is_empty() {
        writeln!(
            w,
            "## {}\n",
            wd.w("What would change the outcome", "哪些事实会改变结果")
        )?;
        for c in &rep.what_if {
            writeln!(w, "- {c}")?;
        }
        writeln!(w)?;
    }
    if !rep.missing.is_empty() {
        writeln!(w, "## {}\n", wd.w("Missing information", "待补充信息"))?;
        for m in &rep.missing {
            writeln!(w, "- `{}`{colon}{}", m.fact, m.why)?;
            for (value, outcome) in &m.cases {
                if zh {
                    writeln!(w, "  - 如为{value}：{outcome}")?;
                } else {
                    writeln!(w, "  - if {value}: {outcome}")?;
                }
            }
        }
        writeln!(w)?;
    }
    let (name, version, digest) = &rep.policy;
    if zh {
        writeln!(
            w,
            "---\n政策：{name} {version}（`{digest}`）；案件文件摘要 `{}`。",
            rep.case_digest
        )
    } else {
        writeln!(
            w,
            "---\nPolicy: {name} {version} (`{digest}`); case file digest `{}`.",
            rep.case_digest
        )
    }
}
