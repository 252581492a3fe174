//! The manifest (`policy.toml`) as read by serde: name, version, regions, the rule files of each stage, the
//! parameter files, the what-if facts, the question catalogue, the languages and their text catalogues. Read by
//! [`load`](super::load). Paths, facts and languages keep their place in the file (`Spanned`) for error reports.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::model::codes::Stage;

/// The name of the manifest file at the top of a policy folder.
pub const MANIFEST: &str = "policy.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Manifest {
    pub(crate) name: String,
    pub(crate) version: String,
    #[serde(default)]
    pub(crate) description: Option<String>,
    /// Macro-regions used when a parameter has no value for a province (e.g. the NBS East/Central/West/Northeast).
    #[serde(default)]
    pub(crate) regions: BTreeMap<String, Vec<String>>,
    pub(crate) stages: ManifestStages,
    pub(crate) parameters: Vec<Spanned<String>>,
    /// Facts a person could prove or act on: `assessor assess` tries them to say what would change the outcome.
    #[serde(default)]
    pub(crate) what_if: Option<WhatIfSection>,
    /// The question catalogue of `assessor interview` (a file of the policy).
    #[serde(default)]
    pub(crate) questions: Option<Spanned<String>>,
    /// The languages of the policy's texts; the first is that of the rule headers' plain keys.
    #[serde(default = "default_languages")]
    pub(crate) languages: Vec<Spanned<String>>,
    /// A catalogue per language (a file of the policy): the policy's name and the labels of codes.
    #[serde(default)]
    pub(crate) text: BTreeMap<Spanned<String>, Spanned<String>>,
}

fn default_languages() -> Vec<Spanned<String>> {
    vec![Spanned::new(0..0, "en".into())]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WhatIfSection {
    pub(crate) facts: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ManifestStages {
    pub(crate) eligibility: Vec<Spanned<String>>,
    pub(crate) exclusions: Vec<Spanned<String>>,
    pub(crate) priority: Vec<Spanned<String>>,
    pub(crate) amount: Vec<Spanned<String>>,
    pub(crate) referrals: Vec<Spanned<String>>,
}

impl ManifestStages {
    pub(crate) fn get(&self, stage: Stage) -> &[Spanned<String>] {
        match stage {
            Stage::Eligibility => &self.eligibility,
            Stage::Exclusions => &self.exclusions,
            Stage::Priority => &self.priority,
            Stage::Amount => &self.amount,
            Stage::Referrals => &self.referrals,
        }
    }
}
