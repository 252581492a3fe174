//! Rendering a recommendation for people: a plain-text report a procurator can paste into a case file, and
//! Markdown for case records. (JSON is `serde_json` of the [`Recommendation`] itself.)

use std::fmt::Write;

use crate::recommendation::*;
use crate::text::format_number;

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

fn cap_state(c: &Cap) -> &'static str {
    if c.applied {
        "applied"
    } else if c.exceeded {
        "exceeded"
    } else {
        "not reached"
    }
}

/// "5.75 months of the wage base ¥7,128/month (Central 2021, estimate; source)".
fn wage_sentence(a: &Amount) -> Option<String> {
    let (w, m) = (a.wage_base.as_ref()?, a.months?);
    Some(format!(
        "{} months of the wage base {}/month ({}{}{}; {})",
        format_number(m),
        yuan(w.monthly),
        w.region,
        w.year.map(|y| format!(" {y}")).unwrap_or_default(),
        if w.estimate { ", estimate" } else { "" },
        w.source
    ))
}

fn yuan(x: f64) -> String {
    format!("¥{}", format_number(x))
}

fn headline(r: &Recommendation) -> String {
    let mut s = match r.decision {
        Decision::Assist => match &r.amount {
            Some(a) => format!("ASSIST — {}", yuan(a.recommended as f64)),
            None => "ASSIST".to_string(),
        },
        Decision::Decline => "DECLINE".to_string(),
        Decision::NeedsInformation => "NEEDS INFORMATION".to_string(),
    };
    if let Some(p) = &r.priority {
        let _ = write!(
            s,
            ", priority {} (score {}{})",
            p.tier.as_str(),
            p.score,
            if p.provisional { ", provisional" } else { "" }
        );
    }
    s
}

fn label(code: &str) -> String {
    code.replace('_', " ")
}

fn decision_lines(r: &Recommendation) -> Vec<String> {
    let mut out = Vec::new();
    match r.decision {
        Decision::Assist if r.discretionary => out.push(
            "Assist under the catch-all provision (discretionary): the approval must give written reasons.".into(),
        ),
        Decision::Assist => out.push("Assist: the applicant meets a pathway of assistance and no exclusion applies.".into()),
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
                out.push("Decline: no pathway of assistance (Art. 7) is met.".into());
            }
            for f in deciding {
                out.push(format!("Decline ({}): {}", f.rule, f.reason));
            }
        }
        Decision::NeedsInformation => out.push(format!(
            "Needs information: {} unknown fact{} could change the decision (listed under Missing information).",
            r.missing.len(),
            if r.missing.len() == 1 { "" } else { "s" }
        )),
    }
    if r.fast_track {
        out.push("Fast track (先行救助): pay first, complete the formalities afterwards.".into());
    }
    if !r.approvals.is_empty() {
        out.push(format!(
            "Approvals needed: {}.",
            r.approvals
                .iter()
                .map(|a| label(a.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    match r.payment {
        Some(Payment::OneOff) => out.push("Payment: one-off.".into()),
        Some(Payment::SupervisedInstalments) => {
            out.push("Payment: in supervised instalments.".into())
        }
        None => {}
    }
    for c in &r.co_recipients {
        out.push(format!(
            "Co-recipient: {} aged {} ({}), assisted together with the applicant.",
            c.relation
                .as_deref()
                .map(label)
                .unwrap_or_else(|| "dependant".into()),
            c.age
                .map(|a| a.to_string())
                .unwrap_or_else(|| "unknown".into()),
            c.dependant
        ));
    }
    out
}

fn mark(o: Outcome) -> &'static str {
    match o {
        Outcome::Met => "[met]",
        Outcome::NotMet => "[not met]",
        Outcome::Unknown => "[unknown]",
    }
}

fn missing_cases<'a>(r: &'a Recommendation, fact: &str) -> &'a [crate::whatif::ValueCase] {
    r.what_if
        .as_ref()
        .and_then(|w| w.missing.iter().find(|m| m.fact == fact))
        .map(|m| m.cases.as_slice())
        .unwrap_or(&[])
}

/// The plain-text report: one page a procurator can paste into a case file. The decision first; then why, in the
/// order a reviewer reads it (eligibility, exclusions considered, priority, the amount's arithmetic, referrals); then
/// what would change the outcome, what is missing, and the policy.
pub fn text(r: &Recommendation) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Case {}: {}", r.case_id, headline(r));
    let _ = writeln!(s);
    for l in decision_lines(r) {
        let _ = writeln!(s, "{l}");
    }
    let _ = writeln!(s, "\nWhy:");
    for (stage, title) in [
        ("eligibility", "Eligibility"),
        ("exclusions", "Exclusions considered"),
    ] {
        let _ = writeln!(s, "  {title}:");
        for f in r.findings.iter().filter(|f| f.stage == stage) {
            finding_text(&mut s, f);
        }
    }
    if let Some(p) = &r.priority {
        let _ = writeln!(
            s,
            "  Priority: tier {}, score {}{}:",
            p.tier.as_str(),
            p.score,
            if p.provisional {
                " (provisional: some priority facts are unknown)"
            } else {
                ""
            }
        );
        for f in &p.factors {
            let counted = if f.counted == f.points {
                String::new()
            } else {
                format!(", counts {}", f.counted)
            };
            let _ = writeln!(s, "    +{:<3} {}{counted}: {}", f.points, f.rule, f.reason);
        }
        for f in r
            .findings
            .iter()
            .filter(|f| f.stage == "priority" && f.outcome == Outcome::Unknown)
        {
            finding_text(&mut s, f);
        }
    }
    if let Some(a) = &r.amount {
        let _ = writeln!(s, "  Amount: {}", yuan(a.recommended as f64));
        if let Some(w) = wage_sentence(a) {
            let _ = writeln!(s, "    = {w}");
        }
        for (i, st) in a.steps.iter().enumerate() {
            let _ = writeln!(
                s,
                "    {:>2}. {:<22} {:>12}  {}",
                i + 1,
                label(&st.code),
                format_number(st.value),
                st.reason
            );
        }
        for c in &a.caps {
            let state = cap_state(c);
            let _ = writeln!(
                s,
                "        limit {:<19} {:>10}  {} — {}",
                label(&c.code),
                yuan(c.limit),
                state,
                c.reason
            );
        }
        for f in r.findings.iter().filter(|f| {
            f.stage == "amount" && f.outcome == Outcome::Met && f.rule != "amount.formula"
        }) {
            let _ = writeln!(s, "    {}: {}", f.rule, f.reason);
        }
    }
    if !r.referrals.is_empty() {
        let _ = writeln!(s, "  Referrals:");
        for f in &r.referrals {
            let _ = writeln!(
                s,
                "    - {} ({}): {}",
                label(&f.service),
                f.agency,
                f.reason
            );
        }
    }
    if let Some(w) = r.what_if.as_ref().filter(|w| !w.changes.is_empty()) {
        let _ = writeln!(s, "\nWhat would change the outcome:");
        for c in &w.changes {
            let _ = writeln!(s, "  - {}", c.text);
        }
    }
    if !r.missing.is_empty() {
        let _ = writeln!(s, "\nMissing information:");
        for m in &r.missing {
            let _ = writeln!(s, "  - {}: {}", m.fact, m.why);
            for c in missing_cases(r, &m.fact) {
                let _ = writeln!(s, "      if {}: {}", c.value, c.outcome.describe());
            }
        }
    }
    let _ = writeln!(
        s,
        "\nPolicy: {} {} ({})",
        r.policy.name, r.policy.version, r.policy.digest
    );
    let _ = writeln!(s, "Case file digest: {}", r.case_digest);
    s
}

/// One finding of the report: in full when it concludes something or is undecided, on one line when not met.
fn finding_text(s: &mut String, f: &Finding) {
    if f.outcome == Outcome::NotMet {
        let _ = writeln!(s, "    {:<10} {}: {}", mark(f.outcome), f.rule, f.reason);
        return;
    }
    let _ = writeln!(s, "    {:<10} {}: {}", mark(f.outcome), f.rule, f.reason);
    let _ = writeln!(s, "               basis: {}", f.basis);
    if !f.facts.is_empty() {
        let _ = writeln!(s, "               facts: {}", f.facts.join(", "));
    }
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The Markdown report for case records, in the same order as the text report.
pub fn markdown(r: &Recommendation) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Case {} — {}\n", r.case_id, headline(r));
    for l in decision_lines(r) {
        let _ = writeln!(s, "- {l}");
    }
    let _ = writeln!(s, "\n## Why\n");
    for (stage, title) in [
        ("eligibility", "Eligibility"),
        ("exclusions", "Exclusions considered"),
    ] {
        let _ = writeln!(s, "### {title}\n");
        for f in r.findings.iter().filter(|f| f.stage == stage) {
            if f.outcome == Outcome::NotMet {
                let _ = writeln!(s, "- {} `{}`: {}", mark(f.outcome), f.rule, f.reason);
            } else {
                let _ = writeln!(
                    s,
                    "- {} `{}`: {}  \n  *Basis:* {}",
                    mark(f.outcome),
                    f.rule,
                    f.reason,
                    f.basis
                );
            }
        }
        let _ = writeln!(s);
    }
    if let Some(p) = &r.priority {
        let _ = writeln!(
            s,
            "### Priority: tier {}, score {}{}\n",
            p.tier.as_str(),
            p.score,
            if p.provisional { " (provisional)" } else { "" }
        );
        let _ = writeln!(s, "| Points | Counted | Rule | Why |\n|---:|---:|---|---|");
        for f in &p.factors {
            let _ = writeln!(
                s,
                "| {} | {} | `{}` | {} |",
                f.points,
                f.counted,
                f.rule,
                md_escape(&f.reason)
            );
        }
        let _ = writeln!(s);
    }
    if let Some(a) = &r.amount {
        let _ = writeln!(s, "### Amount: {}\n", yuan(a.recommended as f64));
        if let Some(w) = wage_sentence(a) {
            let _ = writeln!(s, "{w}.\n");
        }
        let _ = writeln!(s, "| # | Step | Value | Reason |\n|---|---|---:|---|");
        for (i, st) in a.steps.iter().enumerate() {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                i + 1,
                label(&st.code),
                format_number(st.value),
                md_escape(&st.reason)
            );
        }
        if !a.caps.is_empty() {
            let _ = writeln!(
                s,
                "\n| Limit checked | Limit | Outcome | Reason |\n|---|---:|---|---|"
            );
            for c in &a.caps {
                let state = cap_state(c);
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} |",
                    label(&c.code),
                    yuan(c.limit),
                    state,
                    md_escape(&c.reason)
                );
            }
        }
        let _ = writeln!(s);
    }
    if !r.referrals.is_empty() {
        let _ = writeln!(s, "### Referrals\n");
        for f in &r.referrals {
            let _ = writeln!(
                s,
                "- **{}** ({}): {}",
                label(&f.service),
                f.agency,
                f.reason
            );
        }
        let _ = writeln!(s);
    }
    if let Some(w) = r.what_if.as_ref().filter(|w| !w.changes.is_empty()) {
        let _ = writeln!(s, "## What would change the outcome\n");
        for c in &w.changes {
            let _ = writeln!(s, "- {}", c.text);
        }
        let _ = writeln!(s);
    }
    if !r.missing.is_empty() {
        let _ = writeln!(s, "## Missing information\n");
        for m in &r.missing {
            let _ = writeln!(s, "- `{}`: {}", m.fact, m.why);
            for c in missing_cases(r, &m.fact) {
                let _ = writeln!(s, "  - if {}: {}", c.value, c.outcome.describe());
            }
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(
        s,
        "---\nPolicy: {} {} (`{}`); case file digest `{}`.",
        r.policy.name, r.policy.version, r.policy.digest, r.case_digest
    );
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

fn param_value(v: &crate::params::ParamValue) -> String {
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

fn in_force(v: &crate::params::ParamValue) -> String {
    match &v.until {
        Some(u) => format!("{} to {u}", v.from),
        None => format!("from {}", v.from),
    }
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
    })
}
