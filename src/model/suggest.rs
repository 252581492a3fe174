//! "Did you mean …?" for misspelt names (edit distance by `strsim`). Called by the case-file checks, the
//! policy loader and the expectation loader to write a help line.

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::levenshtein(&word.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("houshold", ["household", "applicant"]),
            Some("household")
        );
        assert_eq!(
            did_you_mean("monthly_incme", ["monthly_income", "size"]),
            Some("monthly_income")
        );
        assert_eq!(did_you_mean("zzz", ["household", "applicant"]), None);
    }
}
