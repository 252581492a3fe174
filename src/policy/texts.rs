//! A policy's languages and texts: the manifest's `languages`, the text catalogue of each (`text/zh.toml`: the
//! policy's name and the labels of codes), and the check that every code a rule gives has a label. Called by
//! [`load`](super::load).

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use toml::Spanned;

use super::error::{toml_error, PolicyError};
use super::manifest::{Manifest, MANIFEST};
use super::source::PolicySource;
use super::Rule;
use crate::model::text::{Labels, Lang};

/// A language's catalogue (`text/zh.toml`): the policy's name in it and the labels of the codes reports show.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TextCatalogue {
    /// The policy's name.
    #[serde(default)]
    name: Option<String>,
    /// Labels by code: values rules give, step and cap codes, services, agencies, regions.
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

pub(crate) type Languages = (Vec<Lang>, BTreeMap<Lang, String>, BTreeMap<Lang, Labels>);

/// The manifest's `languages` and the catalogue of each (`[text]`): the policy's name and the labels of codes. In
/// a language other than English, the labels of allowed values written for the interview (`zh_choices`) count too,
/// where a value has one label only.
pub(crate) fn load_languages(
    manifest: &Manifest,
    source: &PolicySource,
    manifest_text: &str,
    questions: &crate::policy::questions::Catalogue,
    errors: &mut Vec<PolicyError>,
) -> Languages {
    let manifest_file = source.display(MANIFEST);
    let at = |e: PolicyError, spanned: &Spanned<String>| e.span(spanned.span(), manifest_text);
    let mut languages = Vec::new();
    for spanned in &manifest.languages {
        let code = spanned.get_ref();
        match Lang::parse(code) {
            Some(l) if languages.contains(&l) => errors.push(at(
                PolicyError::new(&manifest_file, format!("language `{code}` is listed twice")),
                spanned,
            )),
            Some(l) => languages.push(l),
            None => errors.push(
                at(
                    PolicyError::new(
                        &manifest_file,
                        format!("`{code}` is not a language reports can be written in"),
                    ),
                    spanned,
                )
                .help(format!(
                    "languages are {}",
                    Lang::ALL
                        .map(|l| format!("\"{}\" ({})", l.code(), l.name()))
                        .join(", ")
                )),
            ),
        }
    }
    if languages.is_empty() {
        languages.push(Lang::En);
    }
    let primary = languages.first().copied().unwrap_or(Lang::En);
    let mut names = BTreeMap::new();
    names.insert(primary, manifest.name.clone());
    let mut labels = BTreeMap::new();
    for &lang in &languages {
        let mut map = BTreeMap::new();
        if lang == Lang::Zh {
            let mut seen: BTreeMap<&String, Option<&String>> = BTreeMap::new();
            for entry in questions.values() {
                for (code, label) in &entry.zh_choices {
                    let e = seen.entry(code).or_insert(Some(label));
                    if *e != Some(label) {
                        *e = None;
                    }
                }
            }
            map.extend(
                seen.into_iter()
                    .filter_map(|(c, l)| l.map(|l| (c.clone(), l.clone()))),
            );
        }
        labels.insert(lang, Labels { lang, map });
    }
    for (code, rel) in &manifest.text {
        let Some(lang) = Lang::parse(code.get_ref()).filter(|l| languages.contains(l)) else {
            errors.push(at(
                PolicyError::new(
                    &manifest_file,
                    format!("[text] names a catalogue for `{code}`, which is not in `languages`"),
                ),
                code,
            ));
            continue;
        };
        let file = source.display(rel.get_ref());
        let Some(text) = source.files.get(rel.get_ref()) else {
            errors.push(at(
                PolicyError::new(
                    &manifest_file,
                    format!("text catalogue `{rel}` does not exist"),
                ),
                rel,
            ));
            continue;
        };
        match toml::from_str::<TextCatalogue>(text) {
            Err(e) => errors.push(toml_error(&file, text, &e)),
            Ok(cat) => {
                if let Some(name) = cat.name {
                    names.insert(lang, name);
                }
                if let Some(l) = labels.get_mut(&lang) {
                    l.map.extend(cat.labels);
                }
            }
        }
    }
    for &lang in &languages {
        if !names.contains_key(&lang) {
            errors.push(
                PolicyError::new(
                    &manifest_file,
                    format!(
                        "the policy has no name in {} (`{}`)",
                        lang.name(),
                        lang.code()
                    ),
                )
                .help(format!(
                    "give its catalogue a `name = \"…\"` line, e.g. [text] {} = \"text/{}.toml\"",
                    lang.code(),
                    lang.code()
                )),
            );
        }
    }
    (languages, names, labels)
}

/// In each language but English (where a code reads well with `_` as a space), every code a rule gives and every
/// allowed value of a fact a rule reads needs a label, or the report would show a bare code in a sentence.
pub(crate) fn check_labels(
    rules: &[Rule],
    source: &PolicySource,
    manifest: &Manifest,
    labels: &BTreeMap<Lang, Labels>,
    errors: &mut Vec<PolicyError>,
) {
    let cat = crate::model::facts::catalogue();
    for (lang, l) in labels.iter().filter(|(lang, _)| **lang != Lang::En) {
        let catalogue = manifest
            .text
            .get(lang.code())
            .map(|rel| source.display(rel.get_ref()))
            .unwrap_or_else(|| source.display(MANIFEST));
        let help = |code: &str| format!("add `\"{code}\" = \"…\"` under [labels] in {catalogue}");
        let mut reported = BTreeSet::new();
        for rule in rules {
            for (code, line, col) in &rule.scan.codes {
                if !l.has(code) && reported.insert(code.clone()) {
                    errors.push(
                        PolicyError::new(
                            &rule.file,
                            format!("`{code}` has no {} label", lang.name()),
                        )
                        .at(*line, *col, &rule.source)
                        .help(help(code)),
                    );
                }
            }
            for fact in &rule.scan.facts {
                let Some(node) = cat.lookup(fact).and_then(|id| cat.node(id)) else {
                    continue;
                };
                if let crate::model::facts::FactType::String { choices } = &node.ty {
                    for code in choices {
                        if !l.has(code) && reported.insert(code.clone()) {
                            errors.push(
                                PolicyError::new(
                                    &catalogue,
                                    format!(
                                        "`{code}`, a value of `{fact}` (read by `{}`), has no {} label",
                                        rule.id,
                                        lang.name()
                                    ),
                                )
                                .help(help(code)),
                            );
                        }
                    }
                }
            }
        }
    }
}
