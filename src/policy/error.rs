//! A problem with a policy ([`PolicyError`], error or warning) with its file and place, and the conversion of a
//! TOML parse error into one. Made by every loader in `policy/`, by `check` (warnings) and `expect` (expectation
//! files); printed by the CLI.

use std::fmt;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The policy cannot be used.
    Error,
    /// The policy works, but something is likely wrong.
    Warning,
}

/// A problem with a policy (an error stops it from loading), with the file and place.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PolicyError {
    /// Error or warning.
    pub severity: Severity,
    /// The file, as shown to users.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when likely.
    pub help: Option<String>,
    /// The source line, for a snippet.
    #[serde(skip)]
    pub source_line: Option<String>,
}

impl PolicyError {
    pub(crate) fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
            help: None,
            source_line: None,
        }
    }
    pub(crate) fn at(mut self, line: usize, column: usize, source: &str) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self.source_line = source
            .lines()
            .nth(line.saturating_sub(1))
            .map(str::to_string);
        self
    }
    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {level}: {}", self.message)?;
        if let (Some(src), Some(l)) = (&self.source_line, self.line) {
            let gutter = l.to_string().len();
            write!(f, "\n{:gutter$} |\n{l} | {src}", "")?;
            if let Some(c) = self.column {
                write!(f, "\n{:gutter$} | {:>width$}", "", "^", width = c)?;
            }
        }
        if let Some(h) = &self.help {
            write!(f, "\n  = help: {h}")?;
        }
        Ok(())
    }
}

impl PolicyError {
    pub(crate) fn help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
}

/// Line and column (1-based) of the first occurrence of `needle` in `text`.
pub(crate) fn locate(text: &str, needle: &str) -> Option<(usize, usize)> {
    text.lines()
        .enumerate()
        .find_map(|(i, l)| l.find(needle).map(|c| (i + 1, l[..c].chars().count() + 1)))
}

pub(crate) fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> PolicyError {
    let mut err = PolicyError::new(file, e.message().to_string());
    if let Some(span) = e.span() {
        let before = text.get(..span.start).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let col = before
            .rsplit('\n')
            .next()
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        err = err.at(line, col, text);
    }
    err
}
