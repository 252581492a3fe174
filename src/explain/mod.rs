//! Explaining a recommendation to people: its texts in a language ([`localise`]) and what would change its
//! outcome ([`whatif`]). Sits on the assessment, which returns codes and values only; the CLI, the interview and
//! the tools call [`assess`] or [`assess_in`] for an assessed and localised recommendation.

pub mod localise;
mod reassess;
pub mod whatif;

use crate::assess::AssessError;
use crate::model::recommendation::Recommendation;
use crate::model::text::Lang;
use crate::policy::Policy;
use crate::validate::ValidCase;

/// Assesses a validated case on a policy, with every text in the policy's first language.
pub fn assess(case: &ValidCase, policy: &Policy) -> Result<Recommendation, AssessError> {
    assess_in(case, policy, policy.primary_language())
}

/// Assesses a validated case on a policy, with every text in `lang` (the policy's first language when it does not
/// declare `lang`).
pub fn assess_in(
    case: &ValidCase,
    policy: &Policy,
    lang: Lang,
) -> Result<Recommendation, AssessError> {
    let mut rec = crate::assess::assess(case, policy)?;
    localise::localise(&mut rec, policy, lang);
    Ok(rec)
}

/// The example case files (`fixtures/cases`), their bytes in name order: what the explorations' unit tests run on.
#[cfg(test)]
fn example_cases() -> Vec<Vec<u8>> {
    let dir = format!("{}/fixtures/cases", env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| Some(e.ok()?.path()))
        .collect();
    paths.sort();
    paths.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}
