//! The error of an assessment that could not run at all: a rule failed at run time (a bug in the policy), or the
//! engine did. Raised by [`super::stages`]; returned by [`super::assess`] and, through it, `explain`.

/// A case that could not be assessed at all.
///
/// A rule's failure is shown as `file:line:column: rule `id` failed: message`, then `  = help: …` on its own line
/// when there is a help; "did you mean" is always help, never part of the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessError {
    /// A rule failed at run time (not for want of facts): the policy has a bug.
    #[error(
        "{file}{}: rule `{rule}` failed: {message}{}",
        position(*.line, *.column),
        crate::engine::help_line(help.as_deref())
    )]
    Rule {
        /// The rule's id.
        rule: String,
        /// The rule file.
        file: String,
        /// 1-based line. (rhai counts positions in `u16`, so `u32` holds every one; a `u32` keeps the error
        /// within clippy's bound on the size of an error.)
        line: Option<u32>,
        /// 1-based column.
        column: Option<u32>,
        /// What went wrong.
        message: String,
        /// How to fix it, when likely (such as "did you mean `household`?").
        help: Option<String>,
        /// What kind of failure it is (for tools that react to kinds, never to message text).
        kind: crate::engine::FailureKind,
    },
    /// The searches over the case's unknown facts ran past their time budget: a rule of the policy is slow. No
    /// result is given, since where a search stopped would depend on the machine's speed.
    #[error(
        "the searches over this case's unknown facts ran past their {seconds} s limit: a rule of the policy is slow \
         (an operation that scans a long list or string, repeated as each unknown value is tried); where the search \
         stopped would depend on this machine's speed, so no recommendation is given"
    )]
    OutOfTime {
        /// The limit, in seconds.
        seconds: u64,
    },
    /// The engine itself failed (a bug in `assessor`, not in the case or the policy).
    #[error("internal error: {message}")]
    Internal {
        /// What went wrong.
        message: String,
    },
}

fn position(line: Option<u32>, column: Option<u32>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}
