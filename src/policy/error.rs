//! A problem with a policy ([`PolicyError`], error or warning) with its file and place, and the conversion of a
//! TOML parse error into one. Made by every loader in `policy/`, by `check` (warnings) and `expect` (expectation
//! files); printed by the CLI through miette ([`PolicyError::render`]).

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The policy cannot be used.
    Error,
    /// The policy works, but something is likely wrong.
    Warning,
}

impl Severity {
    fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A problem with a policy (an error stops it from loading), with the file and place.
///
/// Its `Display` is one line, `file:line:col: error: message`; [`PolicyError::render`] gives the full report
/// (snippet, underline, help) through miette, which places the underline right under wide (CJK) characters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[error("{}", self.summary())]
pub struct PolicyError {
    /// Error or warning.
    pub severity: Severity,
    /// The file, as shown to users.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when likely ("did you mean" goes here, never in the message).
    pub help: Option<String>,
    /// The source line, for a snippet when the file's text is not at hand.
    #[serde(skip)]
    pub source_line: Option<String>,
    /// The file's text and the span of the problem in it (bytes), for the snippet.
    #[serde(skip)]
    snippet: Option<(Excerpt, SourceSpan)>,
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
            snippet: None,
        }
    }

    /// At 1-based `line` and `column` (in characters) of `source`, the file's text: the underline covers the word
    /// (or the one character) there.
    pub(crate) fn at(mut self, line: usize, column: usize, source: &str) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self.source_line = source
            .lines()
            .nth(line.saturating_sub(1))
            .map(str::to_string);
        if let Some(offset) = offset_of(source, line, column) {
            let len = token_len(source.get(offset..).unwrap_or(""));
            self.snippet = Some((
                Excerpt::new(&self.file, source, 0),
                SourceSpan::new(offset.into(), len),
            ));
        }
        self
    }

    /// At the byte range `span` of `source`, the file's text (as TOML's spans are given).
    pub(crate) fn span(mut self, span: std::ops::Range<usize>, source: &str) -> Self {
        let start = span.start.min(source.len());
        let before = source.get(..start).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |s| s.chars().count()) + 1;
        self = self.at(line, column, source);
        if let Some((_, s)) = &mut self.snippet {
            *s = SourceSpan::new(
                start.into(),
                span.end.min(source.len()).saturating_sub(start),
            );
        }
        self
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// `file:line:col: error: message`, the one-line form.
    fn summary(&self) -> String {
        let mut place = self.file.clone();
        if let Some(l) = self.line {
            place.push_str(&format!(":{l}"));
            if let Some(c) = self.column {
                place.push_str(&format!(":{c}"));
            }
        }
        format!("{place}: {}: {}", self.severity.as_str(), self.message)
    }

    /// The full report as the CLI prints it: the message, the snippet headed by `file:line:col` with the place
    /// underlined, and the help, drawn by miette's graphical handler without colour, at a fixed width and without
    /// looking at the terminal (the same bytes everywhere, tests included).
    pub fn render(&self) -> String {
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_width(WIDTH)
                .with_wrap_lines(false)
                .with_context_lines(1);
        // A warning made with only its source line (`check`'s): that line is the excerpt.
        let mut shown = std::borrow::Cow::Borrowed(self);
        if let (None, Some(text), Some(line)) = (&self.snippet, &self.source_line, self.line) {
            let offset = offset_of(text, 1, self.column.unwrap_or(1)).unwrap_or(0);
            let len = token_len(text.get(offset..).unwrap_or(""));
            shown.to_mut().snippet = Some((
                Excerpt::new(&self.file, text, line.saturating_sub(1)),
                SourceSpan::new(offset.into(), len),
            ));
        }
        let mut out = String::new();
        match handler.render_report(&mut out, &Report(shown.as_ref())) {
            Ok(()) => out.trim_end().to_string(),
            Err(_) => self.to_string(),
        }
    }
}

/// A [`PolicyError`] as miette draws it: the message headed by the severity's mark (`×` error, `⚠` warning); the
/// file and place head the snippet, or the message when there is no snippet.
#[derive(Debug)]
struct Report<'a>(&'a PolicyError);

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.0;
        if e.snippet.is_none() {
            write!(f, "{}", e.file)?;
            if let Some(l) = e.line {
                write!(f, ":{l}")?;
                if let Some(c) = e.column {
                    write!(f, ":{c}")?;
                }
            }
            write!(f, ": ")?;
        }
        write!(f, "{}", e.message)
    }
}

impl std::error::Error for Report<'_> {}

impl Diagnostic for Report<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        self.0.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.help()
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.0.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.0.labels()
    }
}

/// The width reports are drawn at (long lines are not wrapped).
const WIDTH: usize = 120;

impl Diagnostic for PolicyError {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.as_ref().map(|(e, _)| e as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (_, span) = self.snippet.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            None, *span,
        ))))
    }
}

/// A file's text as miette reads it: a whole file, or one line of it (`first_line` lines are above it), named as
/// shown to users. (miette's `NamedSource` numbers lines from the start of its text.)
#[derive(Debug, Clone, PartialEq, Eq)]
struct Excerpt {
    name: String,
    text: Arc<str>,
    first_line: usize,
}

impl Excerpt {
    fn new(name: &str, text: &str, first_line: usize) -> Self {
        Excerpt {
            name: name.to_string(),
            text: Arc::from(text),
            first_line,
        }
    }
}

impl SourceCode for Excerpt {
    /// Asked for the span alone (no context: miette does so to name the place above the snippet), the span with its
    /// 0-based line and column in characters; asked with context, the whole lines the span touches (and no more:
    /// the snippet shows the line of the problem, as a compiler does).
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text: &'a str = &self.text;
        let from = span.offset();
        let to = from + span.len();
        if to > text.len() || !text.is_char_boundary(from) || !text.is_char_boundary(to) {
            return Err(MietteError::OutOfBounds);
        }
        let line_start = text
            .get(..from)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let line = text
            .get(..line_start)
            .map_or(0, |t| t.matches('\n').count())
            + self.first_line;
        let (start, end, column) = if before == 0 && after == 0 {
            let column = text.get(line_start..from).map_or(0, |t| t.chars().count());
            (from, to, column)
        } else {
            // A span that ends just after a line break ends on that line.
            let last = to.saturating_sub(usize::from(to > from));
            // Bytes, not `str`: `last` may fall inside a wide character (the span of `甲` ends two bytes past it).
            let end = text
                .as_bytes()
                .get(last..)
                .and_then(|t| t.iter().position(|b| *b == b'\n'))
                .map_or(text.len(), |i| last + i);
            // Without the `\r` of a CRLF line break, which miette would count as a line of its own.
            let end = if text.get(..end).is_some_and(|t| t.ends_with('\r')) {
                end - 1
            } else {
                end
            };
            (line_start, end.max(line_start), 0)
        };
        let data = text.get(start..end).ok_or(MietteError::OutOfBounds)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data.as_bytes(),
            SourceSpan::new(start.into(), end - start),
            line,
            column,
            data.lines().count().max(1),
        )))
    }
}

/// The byte offset of 1-based `line` and `column` (in characters) in `text`; the end of the line when the column
/// is past it.
fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line {
        start += text.get(start..)?.find('\n')? + 1;
    }
    let rest = text.get(start..)?;
    let line_text = rest.split('\n').next().unwrap_or("");
    let within = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_text.trim_end_matches('\r').len(), |(i, _)| i);
    Some(start + within)
}

/// The length in bytes of the word at the start of `rest` (letters, digits, `_`), or of its first character.
fn token_len(rest: &str) -> usize {
    let word: usize = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    if word > 0 {
        word
    } else {
        rest.chars()
            .next()
            .filter(|c| *c != '\n' && *c != '\r')
            .map_or(0, char::len_utf8)
    }
}

/// A TOML file that does not parse or does not have the expected shape, at the span TOML gives.
pub(crate) fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> PolicyError {
    let err = PolicyError::new(file, e.message().to_string());
    match e.span() {
        Some(span) => err.span(span, text),
        None => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written caret renderer padded by characters, so after Chinese text (two columns a character) the
    /// caret fell short of its place; miette pads by display width.
    #[test]
    fn the_underline_sits_under_its_word_after_chinese_text() {
        let text = "// id: x.y\n// zh.met: 申请人系被害人的{relaton}。\n";
        let e = PolicyError::new("rules/x.rhai", "`{relaton}` names no value this rule gives")
            .at(2, 20, text)
            .help("did you mean `{relation}`?");
        assert_eq!(
            e.to_string(),
            "rules/x.rhai:2:20: error: `{relaton}` names no value this rule gives"
        );
        let want = [
            "  × `{relaton}` names no value this rule gives",
            "   ╭─[rules/x.rhai:2:20]",
            " 2 │ // zh.met: 申请人系被害人的{relaton}。",
            "   ·                            ─",
            "   ╰────",
            "  help: did you mean `{relation}`?",
        ];
        assert_eq!(e.render(), want.join("\n"));
    }
}
