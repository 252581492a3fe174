//! A policy: its rules ([`Rule`]), parameters, questions and texts, loaded and compiled ([`Policy`]), with the
//! accessors the assessment and the reports use. Called by `assess`, `explain`, `report` and the tools.
//!
//! A policy is loaded from a folder (`--rules DIR`), a git revision or the copy of `rules/` embedded in the
//! binary, checked and compiled once; assessing a case never re-reads or re-parses it. The folder:
//!
//! - [`source`]: the policy's files ([`PolicySource`]: embedded, folder, git revision), [`limits`], digest;
//! - [`manifest`]: `policy.toml` as read by serde;
//! - [`header`]: the `// key: value` header of a rule file and its translations;
//! - [`params`]: parameter files; [`questions`]: the interview's question catalogue;
//! - [`texts`]: languages, text catalogues and labels;
//! - [`scan`]: the static checks of a compiled rule;
//! - [`load`]: [`Policy::load`], which uses all of the above;
//! - [`error`]: [`PolicyError`] and [`Severity`], how every problem is reported.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::engine::Sandbox;
use crate::model::codes::{RuleKind, Stage};
use crate::model::params::{Parameter, Parameters};
use crate::model::text::{Labels, Lang};

pub mod error;
pub mod header;
pub mod load;
pub mod manifest;
pub mod params;
pub mod questions;
pub mod scan;
pub mod source;
pub mod texts;

pub use error::{PolicyError, Severity};
// The name `expect` knows it by.
pub(crate) use error::toml_error as toml_error_pub;
pub use manifest::MANIFEST;
pub use source::{hex, limits, PolicySource};

/// One rule file, parsed and compiled.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id, e.g. `eligibility.dependant_of_deceased_victim`.
    pub id: String,
    /// A short title.
    pub title: String,
    /// The stage it belongs to.
    pub stage: Stage,
    /// What its conclusion means.
    pub kind: RuleKind,
    /// The legal provision (or proposal) it rests on.
    pub basis: String,
    /// Text templates by key: `met`, `not_met`, their variants `met.<text>` and `not_met.<text>` (chosen by the
    /// value `text` a rule gives), `step.<code>`, `cap.<code>`, `check.<code>`, `presumed` (the checklist line of
    /// the rule's presumption); in the policy's first language.
    pub texts: BTreeMap<String, String>,
    /// The title, basis and texts in each further language the policy declares (header keys `zh.title`,
    /// `zh.basis`, `zh.met`, …), by key without the language.
    pub translations: BTreeMap<Lang, BTreeMap<String, String>>,
    /// The file, as shown to users (e.g. `rules/eligibility/urgent_treatment.rhai`).
    pub file: String,
    /// The compiled (optimised) script.
    pub ast: rhai::AST,
    /// The numbers written in it (constants of its optimised syntax tree): the searches over unknown facts try
    /// values either side of them.
    pub numbers: Vec<f64>,
    /// What the rule refers to, found statically.
    pub scan: crate::policy::scan::RuleScan,
    /// The rule file's text.
    pub source: String,
}

/// A loaded policy: ready to assess cases.
#[derive(Debug)]
pub struct Policy {
    /// Name from the manifest.
    pub name: String,
    /// Version from the manifest.
    pub version: String,
    /// `sha256:` digest of every file of the policy.
    pub digest: String,
    /// Where it was loaded from, as shown to users.
    pub origin: String,
    /// Rules in the order they run.
    pub rules: Vec<Rule>,
    /// Parameters, by name.
    pub params: Arc<Parameters>,
    /// Facts (JSON Pointers) a person could prove or act on, tried to say what would change the outcome.
    pub what_if: Vec<String>,
    /// Interview questions by fact (path with `*` for list items) and language.
    pub questions: crate::policy::questions::Catalogue,
    /// The languages its texts are written in; the first is the language of the rule headers' plain keys.
    pub languages: Vec<Lang>,
    /// The policy's name in each language.
    pub names: BTreeMap<Lang, String>,
    /// The labels of codes in each language.
    pub labels: BTreeMap<Lang, Labels>,
    no_labels: Labels,
    pub(crate) rule_index: Arc<BTreeMap<String, usize>>,
    /// Each rule's stage, by index (what the evaluation context needs), shared by every assessment.
    pub(crate) stages: Arc<[crate::model::codes::Stage]>,
    /// The policy's identity in the memo of rule conclusions (see [`crate::engine::memo`]).
    pub(crate) memo: crate::engine::MemoId,
    pub(crate) sandbox: Sandbox,
}

impl Policy {
    /// What each of its rules cost on this thread since [`crate::engine::profile::reset`] (evaluations, the memo's
    /// answers, time, operations), in the order the rules run. A thread of a pool has figures of its own. The figures
    /// are kept by the policy's files' digest (two policies loaded from the same files share them), for the eight
    /// policies the thread ran last: those of a policy run before them read as zeros.
    pub fn rule_costs(&self) -> Vec<(&Rule, crate::engine::profile::RuleCost)> {
        let costs = crate::engine::profile::costs(self.memo);
        self.rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r, costs.get(i).copied().unwrap_or_default()))
            .collect()
    }

    /// The language of the rule headers' plain keys.
    pub fn primary_language(&self) -> Lang {
        self.languages.first().copied().unwrap_or(Lang::En)
    }

    /// Why the policy cannot write in `lang` (`the policy … has no texts in …`), or `None` when it can: the one
    /// message the CLI's commands and the server give.
    pub fn missing_language(&self, lang: Lang) -> Option<String> {
        (!self.languages.contains(&lang)).then(|| {
            format!(
                "the policy {} has no texts in {} (`{}`)",
                self.origin,
                lang.name(),
                lang.code()
            )
        })
    }

    /// The codes of the languages the policy writes, as a list for a message (`en, zh`).
    pub fn language_codes(&self) -> String {
        self.languages
            .iter()
            .map(|l| l.code())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A rule's text (`title`, `basis`, `met`, `step.<code>`, …) in a language; in the first language when the
    /// policy has none in `lang` (never, for a language it declares: loading checks every text is there).
    pub fn rule_text<'r>(&self, rule: &'r Rule, lang: Lang, key: &str) -> Option<&'r str> {
        let primary = || match key {
            "title" => Some(rule.title.as_str()),
            "basis" => Some(rule.basis.as_str()),
            _ => rule.texts.get(key).map(String::as_str),
        };
        if lang == self.primary_language() {
            return primary();
        }
        rule.translations
            .get(&lang)
            .and_then(|t| t.get(key))
            .map(String::as_str)
            .or_else(primary)
    }

    /// The labels of codes in a language (those of the first language when the policy does not declare `lang`).
    pub fn labels(&self, lang: Lang) -> &Labels {
        match self.labels.get(&lang) {
            Some(l) => l,
            None => self
                .labels
                .get(&self.primary_language())
                .unwrap_or(&self.no_labels),
        }
    }

    /// The policy's name in a language.
    pub fn name_in(&self, lang: Lang) -> &str {
        self.names
            .get(&lang)
            .map(String::as_str)
            .unwrap_or(&self.name)
    }

    /// A rule by id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rule_index.get(id).and_then(|&i| self.rules.get(i))
    }

    /// A parameter by name.
    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.params.get(name)
    }
}

/// JSON form of a policy's identity, as it appears in a recommendation.
pub fn identity(policy: &Policy) -> Value {
    serde_json::json!({ "name": policy.name, "version": policy.version, "digest": policy.digest })
}
