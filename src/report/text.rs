//! The plain-text writer: walks the [`Report`] model once and writes one page a procurator can paste into a case
//! file, aligned in terminal columns. Called by [`super::text`].

use std::io::{self, Write};

use crate::model::text::format_number;

use super::model::{FindingLine, Report};
use super::words::{pad, yuan, Words};

/// Writes the report as plain text.
pub fn write(w: &mut dyn Write, rep: &Report) -> io::Result<()> {
    let wd = &rep.words;
    let zh = wd.zh();
    let colon = wd.w(": ", "：");
    writeln!(w, "{}{colon}{}", rep.case, rep.headline)?;
    writeln!(w)?;
    for l in &rep.decision {
        writeln!(w, "{l}")?;
    }
    if !rep.to_confirm.is_empty() {
        writeln!(
            w,
            "\n{}",
            wd.w("To confirm before deciding:", "作出决定前须核实：")
        )?;
        for l in &rep.to_confirm {
            writeln!(w, "  {l}")?;
        }
    }
    writeln!(w, "\n{}", wd.w("Why:", "理由："))?;
    for stage in &rep.stages {
        writeln!(w, "  {}{}", stage.title, wd.w(":", "："))?;
        for f in &stage.findings {
            finding(w, f, wd)?;
        }
    }
    if let Some(p) = &rep.priority {
        if zh {
            writeln!(
                w,
                "  优先等级：{} 级，评分 {}{}：",
                p.tier,
                p.score,
                if p.provisional {
                    "（暂定：部分优先因素的事实未知）"
                } else {
                    ""
                }
            )?;
        } else {
            writeln!(
                w,
                "  Priority: tier {}, score {}{}:",
                p.tier,
                p.score,
                if p.provisional {
                    " (provisional: some priority facts are unknown)"
                } else {
                    ""
                }
            )?;
        }
        for f in &p.factors {
            let counted = match (f.counted == f.points, zh) {
                (true, _) => String::new(),
                (false, false) => format!(", counts {}", f.counted),
                (false, true) => format!("，计入 {} 分", f.counted),
            };
            writeln!(
                w,
                "    +{:<3} {}{counted}{colon}{}",
                f.points,
                wd.rule(&f.title, &f.rule, ""),
                f.reason
            )?;
        }
        for f in &p.undecided {
            finding(w, f, wd)?;
        }
    }
    if let Some(a) = &rep.amount {
        writeln!(
            w,
            "  {}{colon}{}",
            wd.w("Amount", "救助金额"),
            yuan(a.recommended)
        )?;
        if let Some(n) = &a.provisional {
            writeln!(w, "    {n}")?;
        }
        if let Some(s) = &a.wage {
            writeln!(w, "    = {s}")?;
        }
        for (i, st) in a.steps.iter().enumerate() {
            writeln!(
                w,
                "    {:>2}. {} {:>12}  {}",
                i + 1,
                pad(&st.label, 22),
                format_number(st.value),
                st.reason
            )?;
        }
        for c in &a.caps {
            writeln!(
                w,
                "        {} {} {:>10}  {}{}{}",
                wd.w("limit", "限额"),
                pad(&c.label, 19),
                yuan(c.limit),
                c.state,
                wd.w(" — ", "："),
                c.reason
            )?;
        }
        for f in &a.notes {
            writeln!(
                w,
                "    {}{colon}{}",
                wd.rule(&f.title, &f.rule, ""),
                f.reason
            )?;
        }
    }
    if !rep.referrals.is_empty() {
        writeln!(w, "  {}", wd.w("Referrals:", "转介："))?;
        for f in &rep.referrals {
            writeln!(
                w,
                "    - {}{}{}{}{}",
                f.service,
                wd.w(" (", "（"),
                f.agency,
                wd.w("): ", "）："),
                f.reason
            )?;
        }
    }
    if !rep.estimates.is_empty() {
        writeln!(w, "  {}", wd.w("Estimated figures:", "估算数据："))?;
        for e in &rep.estimates {
            writeln!(w, "    - {e}")?;
        }
    }
    if !rep.what_if.is_empty() {
        writeln!(
            w,
            "\n{}",
            wd.w("What would change the outcome:", "哪些事实会改变结果：")
        )?;
        for c in &rep.what_if {
            writeln!(w, "  - {c}")?;
        }
    }
    if !rep.missing.is_empty() {
        writeln!(w, "\n{}", wd.w("Missing information:", "待补充信息："))?;
        for m in &rep.missing {
            writeln!(w, "  - {}{colon}{}", m.fact, m.why)?;
            for (value, outcome) in &m.cases {
                if zh {
                    writeln!(w, "      如为{value}：{outcome}")?;
                } else {
                    writeln!(w, "      if {value}: {outcome}")?;
                }
            }
        }
    }
    let (name, version, digest) = &rep.policy;
    writeln!(
        w,
        "\n{}{colon}{name} {version}{}{digest}{}",
        wd.w("Policy", "政策"),
        wd.w(" (", "（"),
        wd.w(")", "）")
    )?;
    writeln!(
        w,
        "{}{colon}{}",
        wd.w("Case file digest", "案件文件摘要"),
        rep.case_digest
    )
}

/// One finding: in full when it concludes something or is undecided, on one line when not met.
fn finding(w: &mut dyn Write, f: &FindingLine, wd: &Words) -> io::Result<()> {
    let colon = wd.w(": ", "：");
    writeln!(
        w,
        "    {} {}{colon}{}",
        pad(f.mark, 10),
        wd.rule(&f.title, &f.rule, ""),
        f.reason
    )?;
    let Some(basis) = &f.basis else {
        return Ok(());
    };
    writeln!(w, "               {}{colon}{basis}", wd.w("basis", "依据"))?;
    if !f.facts.is_empty() {
        writeln!(
            w,
            "               {}{colon}{}",
            wd.w("facts", "事实"),
            f.facts.join(wd.w(", ", "、"))
        )?;
    }
    Ok(())
}
