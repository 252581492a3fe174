//! One problem with a case file ([`CaseError`]): where (JSON Pointer, or line and column for a syntax error),
//! what, and how to fix it when likely. Produced by every step of [`crate::validate`]; shown by the CLI.

/// One problem with a case file.
///
/// Shown as `where: message`, then `= help: …` on its own line when there is a help; "did you mean" is always
/// help, never part of the message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[error("{}", Shown(self))]
pub struct CaseError {
    /// JSON Pointer of the offending value (`""` for the whole document).
    pub pointer: String,
    /// What is wrong, in one lowercase sentence.
    pub message: String,
    /// Line and column (1-based) for a syntax error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// See `line`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// How to fix it, when likely (such as "did you mean `household`?").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl CaseError {
    pub(crate) fn at(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            message: message.into(),
            line: None,
            column: None,
            help: None,
        }
    }

    pub(crate) fn help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
}

/// The text of a [`CaseError`].
struct Shown<'a>(&'a CaseError);

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let e = self.0;
        match (e.line, e.column) {
            (Some(l), Some(c)) => write!(f, "{l}:{c}: {}", e.message)?,
            _ if e.pointer.is_empty() => write!(f, "(document): {}", e.message)?,
            _ => write!(f, "{}: {}", e.pointer, e.message)?,
        }
        if let Some(h) = &e.help {
            write!(f, "\n  = help: {h}")?;
        }
        Ok(())
    }
}
