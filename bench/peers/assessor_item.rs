//! The assessor as an item of the peers' bench (not part of the assessor crate: `bench/peers/run.sh` copies this
//! file into the peers' crate as `src/assessor_item.rs`, beside their native, rhai and zen items).
//!
//! [`AssessorItem::pipeline`] is exactly the work `assessor assess --jsonl --jobs 1` does per input line
//! (`assess_one` and `json_line` in the assessor's `src/cli/assess.rs`), on the embedded default policy loaded
//! once: parse and validate the case file's bytes against the case schema (`validate::parse_case`), assess
//! (`assess::assess`), put every text in the policy's first language (`explain::localise::localise`) — or none,
//! for the compact form `--texts none` — and write one line of JSON (`report::json`, newline included). No
//! what-if (the CLI never runs it for batches). The three steps are also public one by one, for the bench's
//! stage columns: parse + validate, assess + localise, output.
//!
//! The peers' generated cases need no adapter: they validate against the assessor's schema as they are
//! (`agree_assessor` counts any that do not).

use assessor::explain::localise::localise;
use assessor::model::text::Lang;
use assessor::validate::{parse_case, ValidCase};
use assessor::{Policy, Recommendation};

/// The assessor's pipeline with its policy loaded once.
pub struct AssessorItem {
    policy: Policy,
    /// The language of every text, or `None` for the compact form (codes and values only).
    texts: Option<Lang>,
}

impl AssessorItem {
    /// The embedded default policy; `full_texts`: every text in the policy's first language (`assess --jsonl`),
    /// else the compact form (`assess --jsonl --texts none`).
    pub fn new(full_texts: bool) -> Result<AssessorItem, String> {
        let policy = Policy::embedded().map_err(|errors| {
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        })?;
        let texts = full_texts.then(|| policy.primary_language());
        Ok(AssessorItem { policy, texts })
    }

    /// Parse + validate: a case file's bytes to a valid case, or every error found.
    pub fn parse(&self, json: &str) -> Result<ValidCase, String> {
        parse_case(json.as_bytes()).map_err(|errors| {
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// Assess + localise: the recommendation, with its texts in the item's language (or none).
    pub fn assess(&self, case: &ValidCase) -> Result<Recommendation, String> {
        let mut rec = assessor::assess::assess(case, &self.policy).map_err(|e| e.to_string())?;
        if let Some(lang) = self.texts {
            localise(&mut rec, &self.policy, lang);
        }
        Ok(rec)
    }

    /// Output: the recommendation as one line of JSON, with its newline (as `assess --jsonl` writes it).
    pub fn output(rec: &Recommendation) -> Result<String, String> {
        let mut line = Vec::new();
        assessor::report::json(&mut line, rec, false).map_err(|e| e.to_string())?;
        line.push(b'\n');
        String::from_utf8(line).map_err(|e| e.to_string())
    }

    /// The whole pipeline: JSON case in, JSON line out.
    pub fn pipeline(&self, json: &str) -> Result<String, String> {
        let case = self.parse(json)?;
        let rec = self.assess(&case)?;
        Self::output(&rec)
    }
}
