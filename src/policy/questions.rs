//! The policy's question catalogue (`questions.toml`): for each fact, the question a case handler is asked in
//! each language. Loaded with the policy; read by the interview and by the texts of missing facts.

use std::collections::BTreeMap;

use crate::model::facts::catalogue;
use crate::model::text::Lang;

/// One fact's question in the catalogue.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    /// The question in English.
    pub en: String,
    /// The question in Chinese.
    #[serde(default)]
    pub zh: Option<String>,
    /// Chinese labels of the allowed values, by value.
    #[serde(default)]
    pub zh_choices: BTreeMap<String, String>,
}

/// The catalogue's question for a fact (a JSON Pointer) in `lang`, with `{n}` the number of its list item (the 1st,
/// 2nd … dependant); `None` when the catalogue has none in that language.
pub fn question(questions: &Catalogue, fact: &str, lang: Lang) -> Option<String> {
    let cat = catalogue();
    let pattern = cat
        .lookup(fact)
        .and_then(|id| cat.node(id))
        .map(|n| n.path.clone())
        .unwrap_or_else(|| fact.to_string());
    let entry = questions.get(&pattern)?;
    let text = match lang {
        Lang::Zh => entry.zh.as_deref()?,
        Lang::En => entry.en.as_str(),
    };
    let n = fact
        .split('/')
        .find_map(|s| s.parse::<usize>().ok())
        .map(|i| i + 1)
        .unwrap_or(0);
    Some(text.replace("{n}", &n.to_string()))
}

/// The questions of the catalogue, by fact pattern (`*` for list items).
pub type Catalogue = BTreeMap<String, CatalogueEntry>;
