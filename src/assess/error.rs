//! The error of an assessment that could not run at all: a rule failed at run time (a bug in the policy), or the
//! engine did. Raised by [`super::stages`]; returned by [`super::assess`] and, through it, `explain`.

/// A case that could not be assessed at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessError {
    /// A rule failed at run time (not for want of facts): the policy has a bug.
    #[error("{file}{}: rule `{rule}` failed: {message}", position(*.line, *.column))]
    Rule {
        /// The rule's id.
        rule: String,
        /// The rule file.
        file: String,
        /// 1-based line.
        line: Option<usize>,
        /// 1-based column.
        column: Option<usize>,
        /// What went wrong.
        message: String,
        /// What kind of failure it is (for tools that react to kinds, never to message text).
        kind: crate::engine::FailureKind,
    },
    /// The engine itself failed (a bug in `assessor`, not in the case or the policy).
    #[error("internal error: {message}")]
    Internal {
        /// What went wrong.
        message: String,
    },
}

fn position(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}
