//! The header of a rule file: the leading `// key: value` comment lines (id, title, stage, kind, basis, texts and
//! their translations), parsed and checked against the policy's languages. Called by [`load`](super::load) for
//! each rule file.

use std::collections::BTreeMap;

use super::error::PolicyError;
use super::manifest::MANIFEST;
use crate::model::text::Lang;

/// Keys of a rule header that are texts, and so need a translation in every further language.
pub(crate) fn is_text_key(key: &str) -> bool {
    matches!(key, "title" | "basis") || is_template_key(key)
}

/// Keys of a rule header that are templates of what the rule concludes (filled in with its values): `met`,
/// `not_met`, their variants, the texts of steps, caps and checks, `presumed` (the checklist line of a rule's
/// presumption) and `presumed.basis` (the provision that line cites, where the rule's whole basis would say too much).
pub(crate) fn is_template_key(key: &str) -> bool {
    matches!(key, "met" | "not_met" | "presumed" | "presumed.basis")
        || HEADER_PREFIXES.iter().any(|p| key.starts_with(p))
}

/// `zh.met.x` → (`zh`, `met.x`) when the key starts with a two-letter language and the rest is a text key.
pub(crate) fn split_lang(key: &str) -> Option<(&str, &str)> {
    let (lang, rest) = key.split_once('.')?;
    (lang.len() == 2 && lang.chars().all(|c| c.is_ascii_lowercase()) && is_text_key(rest))
        .then_some((lang, rest))
}

/// The header of a rule file: the leading `// key: value` comment lines.
#[derive(Debug, Default)]
pub(crate) struct Header {
    pub fields: BTreeMap<String, (String, usize)>,
}

const HEADER_KEYS: [&str; 9] = [
    "id",
    "title",
    "stage",
    "kind",
    "basis",
    "met",
    "not_met",
    "presumed",
    "presumed.basis",
];
pub(crate) const HEADER_PREFIXES: [&str; 5] = ["met.", "not_met.", "step.", "cap.", "check."];

pub(crate) fn parse_header(text: &str, file: &str) -> Result<Header, Vec<PolicyError>> {
    let mut header = Header::default();
    let mut errors = Vec::new();
    let mut current: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let trimmed = line.trim_start();
        let Some(body) = trimmed.strip_prefix("//") else {
            if trimmed.is_empty() {
                current = None;
                continue;
            }
            break;
        };
        let body = body.strip_prefix(' ').unwrap_or(body);
        if body.trim().is_empty() {
            current = None;
            continue;
        }
        if let Some(cont) = body.strip_prefix("  ") {
            if let Some(key) = &current {
                if let Some((v, _)) = header.fields.get_mut(key) {
                    let cont = cont.trim();
                    // Chinese text runs on without a space where a line was broken.
                    let wide = |c: Option<char>| c.is_some_and(|c| c as u32 >= 0x2E80);
                    if !(wide(v.chars().last()) || wide(cont.chars().next())) {
                        v.push(' ');
                    }
                    v.push_str(cont);
                }
                continue;
            }
        }
        let Some((key, value)) = body.split_once(':') else {
            current = None;
            continue;
        };
        let key = key.trim();
        let is_key = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
            && key.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        if !is_key {
            current = None;
            continue;
        }
        if !HEADER_KEYS.contains(&key)
            && !HEADER_PREFIXES.iter().any(|p| key.starts_with(p))
            && split_lang(key).is_none()
        {
            let all: Vec<&str> = HEADER_KEYS.to_vec();
            let mut e =
                PolicyError::new(file, format!("unknown header key `{key}`")).at(line_no, 4, text);
            if let Some(s) = crate::model::suggest::did_you_mean(key, all.iter().copied()) {
                e = e.help(format!("did you mean `{s}`?"));
            } else {
                e = e.help(format!(
                    "header keys are {}, step./cap./check.<code> texts, and each text again in a further language (zh.title, zh.met, …)",
                    all.join(", ")
                ));
            }
            errors.push(e);
            current = None;
            continue;
        }
        if header.fields.contains_key(key) {
            errors.push(
                PolicyError::new(file, format!("header key `{key}` appears twice"))
                    .at(line_no, 4, text),
            );
        }
        header
            .fields
            .insert(key.to_string(), (value.trim().to_string(), line_no));
        current = Some(key.to_string());
    }
    if errors.is_empty() {
        Ok(header)
    } else {
        Err(errors)
    }
}

/// Checks a rule header's texts against the policy's languages: every text of the first language again in each
/// further one, and nothing in an undeclared language or without its first-language text.
pub(crate) fn check_translations(
    header: &Header,
    file: &str,
    text: &str,
    languages: &[Lang],
    errors: &mut Vec<PolicyError>,
) -> BTreeMap<Lang, BTreeMap<String, String>> {
    let mut out: BTreeMap<Lang, BTreeMap<String, String>> = BTreeMap::new();
    let primary = languages.first().copied().unwrap_or(Lang::En);
    let declared: Vec<&str> = languages.iter().map(|l| l.code()).collect();
    for (key, (value, line)) in &header.fields {
        let Some((code, rest)) = split_lang(key) else {
            continue;
        };
        match Lang::parse(code).filter(|l| languages.contains(l) && *l != primary) {
            None => errors.push(
                PolicyError::new(
                    file,
                    format!("`{key}` is a text in `{code}`, which the policy does not declare"),
                )
                .at(*line, 4, text)
                .help(format!(
                    "the policy's languages are {} (`languages` in {MANIFEST}); the first is written without a prefix",
                    declared.join(", ")
                )),
            ),
            Some(lang) => {
                if !header.fields.contains_key(rest) {
                    errors.push(
                        PolicyError::new(
                            file,
                            format!("`{key}` translates `{rest}`, which the header does not have"),
                        )
                        .at(*line, 4, text)
                        .help(format!("add `// {rest}: …` or remove `{key}`")),
                    );
                }
                out.entry(lang)
                    .or_default()
                    .insert(rest.to_string(), value.clone());
            }
        }
    }
    for &lang in languages.iter().skip(1) {
        for (key, (_, line)) in &header.fields {
            if !is_text_key(key) || split_lang(key).is_some() {
                continue;
            }
            let translated = format!("{}.{key}", lang.code());
            if !header.fields.contains_key(&translated) {
                errors.push(
                    PolicyError::new(
                        file,
                        format!("`{key}` has no {} text (`{translated}`)", lang.name()),
                    )
                    .at(*line, 4, text)
                    .help(format!(
                        "add `// {translated}: …`; the policy declares the languages {} in {MANIFEST}",
                        declared.join(", ")
                    )),
                );
            }
        }
    }
    out
}

/// A rule's text with its leading comment lines (the header: id, titles, texts in every language, about three
/// quarters of a rule file's bytes) emptied, every line kept: the parser then skips them at once instead of reading
/// them character by character, and every position it reports (line and column) is the same as in the file. A line
/// counts as the header's only where rhai would read it so: ASCII whitespace only (rhai refuses any other, U+3000
/// included, with an error at its place), and no carriage return but the one before its newline (a lone one ends
/// a comment and starts a line for rhai).
pub(crate) fn emptied_header(text: &str) -> std::borrow::Cow<'_, str> {
    let mut code_at = 0;
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        let body = body.strip_suffix('\r').unwrap_or(body);
        let t = body.trim_start_matches(|c: char| c.is_ascii_whitespace() && c != '\r');
        let comment_or_blank = t.starts_with("//") || t.is_empty();
        if !comment_or_blank || body.contains('\r') {
            break;
        }
        code_at += line.len();
    }
    if code_at == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    let header = &text[..code_at];
    let mut out = String::with_capacity(text.len() - code_at + header.len() / 40);
    out.extend(header.matches('\n'));
    out.push_str(&text[code_at..]);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header's lines are emptied, not removed: a parse error after it is reported at the same line and
    /// column as in the file, comment lines inside the code are kept, and a text without a header is not copied.
    #[test]
    fn the_header_is_emptied_and_every_position_kept() {
        let text = "// id: a.b\r\n//   zh.title: 标题\n\n  // more\nlet x = 1; // note\n// inside\nlet y = ;\n";
        let emptied = emptied_header(text);
        assert_eq!(
            emptied,
            "\n\n\n\nlet x = 1; // note\n// inside\nlet y = ;\n"
        );
        assert_eq!(emptied.lines().count(), text.lines().count());
        let sandbox = crate::engine::Sandbox::new();
        let at = |t: &str| sandbox.compile(t).err().map(|e| e.1);
        assert_eq!(
            sandbox.compile(&emptied_header(text)).err().map(|e| e.1),
            at(text),
            "positions moved"
        );
        assert!(at(text).is_some_and(|p| p.line() == Some(7)));
        assert!(matches!(
            emptied_header("met()"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(emptied_header("// only\n// comments"), "\n");
        // What rhai would not read as a comment or a blank line stays, and so does everything after it: rhai
        // reports the same error at the same place (the lone carriage return starts line 2, where `;` is wrong).
        for (kept, expected) in [
            ("\u{3000}// id: a.b\nmet()\n", "\u{3000}// id: a.b\nmet()\n"),
            ("// id: a.b\n\u{3000}\nmet()\n", "\n\u{3000}\nmet()\n"),
            ("// id: a.b\n\u{a0}\nmet()\n", "\n\u{a0}\nmet()\n"),
            ("// x\rlet y = ;\nmet()\n", "// x\rlet y = ;\nmet()\n"),
        ] {
            assert_eq!(emptied_header(kept), expected, "{kept:?}");
            assert!(at(kept).is_some(), "{kept:?} parses");
            assert_eq!(
                sandbox.compile(&emptied_header(kept)).err().map(|e| e.1),
                at(kept),
                "{kept:?}"
            );
        }
    }

    #[test]
    fn chinese_continuation_lines_join_without_a_space_english_with_one() {
        let text = "// id: x.y\n// zh.met: 申请人\n//   系被害人的{relation}。\n// met: The applicant\n//   is the victim's {relation}.\n";
        let h = parse_header(text, "f.rhai").unwrap_or_default();
        assert_eq!(
            h.fields.get("zh.met").map(|v| v.0.as_str()),
            Some("申请人系被害人的{relation}。")
        );
        assert_eq!(
            h.fields.get("met").map(|v| v.0.as_str()),
            Some("The applicant is the victim's {relation}.")
        );
    }

    #[test]
    fn a_translation_key_names_a_language_and_a_text() {
        assert_eq!(
            split_lang("zh.met.allowance"),
            Some(("zh", "met.allowance"))
        );
        assert_eq!(split_lang("zh.title"), Some(("zh", "title")));
        assert_eq!(split_lang("zh.id"), None);
        assert_eq!(split_lang("met.allowance"), None);
    }

    #[test]
    fn every_text_needs_its_translation_and_every_translation_its_text() {
        let text = "// id: x.y\n// met: Met.\n// zh.not_met: 不符合。\n// fr.met: Oui.\n";
        let h = parse_header(text, "f.rhai").unwrap_or_default();
        let mut errors = Vec::new();
        let t = check_translations(&h, "f.rhai", text, &[Lang::En, Lang::Zh], &mut errors);
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`fr.met` is a text in `fr`, which the policy does not declare",
                "`zh.not_met` translates `not_met`, which the header does not have",
                "`met` has no Chinese text (`zh.met`)",
            ]
        );
        assert_eq!(
            t.get(&Lang::Zh)
                .and_then(|m| m.get("not_met"))
                .map(String::as_str),
            Some("不符合。")
        );
    }
}
