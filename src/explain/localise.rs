//! Writing a recommendation's words in one of the policy's languages.
//!
//! A recommendation keeps, beside every text, the codes and values the text is made from (a finding's outcome and
//! `values`, a step's `values`, a cap's `values`, a referral's `service` and `agency`). [`localise`] (re)writes every
//! text from them: reasons from the rule's template in that language (`met`, `zh.met`, `zh.met.<variant>`, …),
//! codes by their labels, legal bases under their names in that language. `assess_in` calls it once with the
//! language asked for (`assess` with the policy's first); a recommendation can be rewritten in another language
//! later by calling it again. Systems read the codes, never the sentences.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::model::codes::{Change, Outcome};
use crate::model::facts::catalogue;
use crate::model::recommendation::Recommendation;
use crate::model::text::{fill_in, format_number, Labels, Lang};
use crate::policy::{Policy, Rule};

/// The template `key` of a rule in `lang` (an outcome, a step, a cap or a check): the variant named by the value
/// `text` (`met.allowance`, `step.fault_factor.victim`), else the plain one.
fn template<'r>(
    policy: &Policy,
    rule: &'r Rule,
    lang: Lang,
    key: &str,
    values: &BTreeMap<String, Value>,
    presumed: bool,
) -> Option<&'r str> {
    values
        .get("text")
        .and_then(Value::as_str)
        .and_then(|variant| policy.rule_text(rule, lang, &format!("{key}.{variant}")))
        // A conclusion that rests on a presumption reads as one, where the rule has such a text.
        .or_else(|| {
            presumed
                .then(|| policy.rule_text(rule, lang, &format!("{key}.presumed")))
                .flatten()
        })
        .or_else(|| policy.rule_text(rule, lang, key))
}

/// A finding's reason in `lang`.
#[allow(clippy::too_many_arguments)]
fn reason(
    policy: &Policy,
    rule: &Rule,
    labels: &Labels,
    outcome: Outcome,
    values: &BTreeMap<String, Value>,
    points: Option<i64>,
    missing: &[String],
    presumed: bool,
) -> String {
    let lang = labels.lang;
    let title = policy.rule_text(rule, lang, "title").unwrap_or(&rule.title);
    match outcome {
        Outcome::Met => {
            let mut v = values.clone();
            if let Some(p) = points {
                v.insert("points".into(), Value::from(p));
            }
            fill_in(
                template(policy, rule, lang, "met", values, presumed).unwrap_or(title),
                &v,
                labels,
            )
        }
        Outcome::NotMet => match template(policy, rule, lang, "not_met", values, presumed) {
            Some(t) => fill_in(t, values, labels),
            None => match lang {
                Lang::Zh if rule.stage == crate::model::codes::Stage::Exclusions => {
                    format!("不适用：{}。", title.trim_end_matches('。'))
                }
                Lang::Zh => format!("不符合：{}。", title.trim_end_matches('。')),
                Lang::En => format!("Not met: {}.", title.trim_end_matches('.')),
            },
        },
        Outcome::Unknown => {
            let list: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
            match lang {
                Lang::Zh => format!("须待 {} 查明后才能判断。", list.join("、")),
                Lang::En => format!("Cannot be decided until {} is known.", list.join(" and ")),
            }
        }
    }
}

/// What a fact is, in `lang`: its question in the policy's question catalogue (Chinese), or the case schema's
/// description (English).
fn describe_fact(policy: &Policy, fact: &str, lang: Lang) -> String {
    if lang == Lang::Zh {
        return crate::policy::questions::question(&policy.questions, fact, lang)
            .unwrap_or_default();
    }
    catalogue()
        .lookup(fact)
        .and_then(|id| catalogue().node(id))
        .map(|n| n.description.trim_end_matches('.').to_string())
        .unwrap_or_default()
}

/// Writes every text of `rec` in `lang` (the policy's first language when the policy does not declare `lang`).
pub fn localise(rec: &mut Recommendation, policy: &Policy, lang: Lang) {
    let lang = if policy.languages.contains(&lang) {
        lang
    } else {
        policy.primary_language()
    };
    let labels = policy.labels(lang);
    rec.language = lang;
    rec.policy.name = policy.name_in(lang).to_string();

    let mut reasons: BTreeMap<String, String> = BTreeMap::new();
    for f in &mut rec.findings {
        let Some(rule) = policy.rule(&f.rule) else {
            continue;
        };
        f.reason = reason(
            policy,
            rule,
            labels,
            f.outcome,
            &f.values,
            f.points,
            &f.missing,
            !f.presumed.is_empty(),
        );
        // A presumption weighed and found not to move the amount: the arithmetic is worked with the presumed value,
        // and any other gives the same amount (not the same steps).
        let (weighed, immaterial): (Vec<&String>, Vec<&String>) =
            f.immaterial.iter().partition(|m| f.presumed.contains(m));
        f.reason.push_str(&unknown_note(
            lang,
            &weighed,
            "：计算按推定值进行；无论其为何值，救助金额相同。",
            ": the arithmetic takes the presumed value, and every plausible value gives the same amount.",
        ));
        f.reason.push_str(&unknown_note(
            lang,
            &immaterial,
            "，但无论其为何值，结论相同。",
            ", but every plausible value gives this conclusion.",
        ));
        f.title = policy
            .rule_text(rule, lang, "title")
            .unwrap_or(&rule.title)
            .to_string();
        f.basis = policy
            .rule_text(rule, lang, "basis")
            .unwrap_or(&rule.basis)
            .to_string();
        reasons.insert(f.rule.clone(), f.reason.clone());
    }
    if let Some(p) = &mut rec.priority {
        for f in &mut p.factors {
            if let Some(r) = reasons.get(&f.rule) {
                f.reason = r.clone();
            }
        }
    }
    for r in &mut rec.referrals {
        if let Some(text) = reasons.get(&r.rule) {
            r.reason = text.clone();
        }
        r.agency_name = labels.label(&r.agency);
    }
    if let Some(a) = &mut rec.amount {
        for st in &mut a.steps {
            let mut v = st.values.clone();
            v.insert("value".into(), num(st.value));
            let t = policy.rule(&st.rule).and_then(|rule| {
                let key = format!("step.{}", st.code);
                template(policy, rule, lang, &key, &st.values, false)
            });
            st.reason = match t {
                Some(t) => fill_in(t, &v, labels),
                None => format!("{}: {}", labels.label(&st.code), format_number(st.value)),
            };
        }
        for c in &mut a.caps {
            let mut v = c.values.clone();
            v.insert("limit".into(), num(c.limit));
            v.insert("amount".into(), num(c.amount));
            let key = format!("{}.{}", if c.check_only { "check" } else { "cap" }, c.code);
            let t = policy
                .rule(&c.rule)
                .and_then(|rule| template(policy, rule, lang, &key, &c.values, false));
            c.reason = match t {
                Some(t) => fill_in(t, &v, labels),
                None => format!("{}: {}", labels.label(&c.code), format_number(c.limit)),
            };
        }
    }
    for m in &mut rec.missing {
        let what = describe_fact(policy, &m.fact, lang);
        let rules = m
            .needed_by
            .iter()
            .map(|r| format!("`{r}`"))
            .collect::<Vec<_>>();
        let changes: Vec<&str> = m
            .changes
            .iter()
            .map(|c| match (lang, c) {
                (Lang::Zh, Change::Decision) => "是否救助",
                (Lang::Zh, Change::Tier) => "优先等级",
                (Lang::Zh, Change::Amount) => "救助金额",
                (Lang::Zh, Change::Referral) => "转介",
                (Lang::En, c) => c.as_str(),
            })
            .collect();
        m.why = match lang {
            Lang::Zh if what.is_empty() => format!(
                "判断 {} 需要这一事实；可能影响：{}",
                rules.join("、"),
                changes.join("、")
            ),
            Lang::Zh => format!(
                "{what}（判断 {} 需要这一事实；可能影响：{}）",
                rules.join("、"),
                changes.join("、")
            ),
            Lang::En => format!(
                "{}{}needed to decide {}; could change the {}",
                what,
                if what.is_empty() { "" } else { ": " },
                rules.join(", "),
                changes.join(", the ")
            ),
        };
    }
    for e in &mut rec.estimates {
        if let Some(p) = policy.parameter(&e.parameter) {
            e.title = p.title.clone();
        }
    }
    let findings = &rec.findings;
    for t in &mut rec.to_confirm {
        let what = describe_fact(policy, &t.fact, lang);
        let value = match (&t.presumed, lang) {
            (Value::Bool(false), Lang::Zh) => "否".to_string(),
            (Value::Bool(true), Lang::Zh) => "是".to_string(),
            (Value::Bool(false), Lang::En) => "no".to_string(),
            (Value::Bool(true), Lang::En) => "yes".to_string(),
            (Value::String(s), _) => labels.label(s),
            (v, _) => v.to_string(),
        };
        let mut own = None;
        if let Some(rule) = policy.rule(&t.rule) {
            // The provision the presumption rests on, where the rule names it apart from its whole basis.
            t.basis = policy
                .rule_text(rule, lang, "presumed.basis")
                .or_else(|| policy.rule_text(rule, lang, "basis"))
                .unwrap_or(&rule.basis)
                .to_string();
            // The rule's own words for its presumption, where it has them: its checklist line, or (a bar's) the reason
            // it gives when it does not apply on the presumption.
            // A bar's reason on its presumption is filled in with the values of its finding; the checklist line
            // `presumed` has none (refused at load).
            let values = findings
                .iter()
                .find(|f| f.rule == t.rule)
                .map(|f| f.values.clone())
                .unwrap_or_default();
            own = policy
                .rule_text(rule, lang, "presumed")
                .or_else(|| policy.rule_text(rule, lang, "not_met.presumed"))
                .map(|x| fill_in(x, &values, labels));
        }
        t.text = match (own, lang) {
            (Some(own), Lang::Zh) => format!("{}（`{}`）。", own.trim_end_matches('。'), t.fact),
            (Some(own), Lang::En) => format!("{} (`{}`).", own.trim_end_matches('.'), t.fact),
            (None, Lang::Zh) => format!(
                "{}——卷内未见相关材料，推定为“{value}”；作出决定前须核实（`{}`）。",
                what.trim_end_matches(['？', '?']),
                t.fact
            ),
            (None, Lang::En) => format!(
                "{}: nothing on file shows it, presumed {value}; confirm before deciding (`{}`).",
                what, t.fact
            ),
        };
    }
    if let Some(w) = &mut rec.what_if {
        w.localise(labels);
    }
}

/// The note after a finding's reason on `facts` it read unknown ("(`/x` is unknown, but …)"), `zh` or `en` going
/// on after "unknown"; empty without such facts.
fn unknown_note(lang: Lang, facts: &[&String], zh: &str, en: &str) -> String {
    if facts.is_empty() {
        return String::new();
    }
    let list: Vec<String> = facts.iter().map(|m| format!("`{m}`")).collect();
    match lang {
        Lang::Zh => format!("（{} 尚不清楚{zh}）", list.join("、")),
        Lang::En => format!(
            " ({} {} unknown{en})",
            list.join(" and "),
            if list.len() == 1 { "is" } else { "are" }
        ),
    }
}

fn num(x: f64) -> Value {
    serde_json::Number::from_f64(x)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}
