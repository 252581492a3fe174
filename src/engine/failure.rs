//! Why a rule could not run to its end: [`RuleFailure`] and its [`FailureKind`], the typed [`Refusal`] the engine
//! raises inside rhai when a rule asks for something it may not have, and how a rhai error becomes a failure.
//! Raised by every file of the engine that stops a rule; read by `assess` (which adds the rule and its file) and
//! by the fuzz targets, which match kinds, never message text.

use rhai::{Dynamic, EvalAltResult, ImmutableString, Position};

use crate::engine::limits;

/// What rhai calls the error of a function the engine registers.
pub(crate) type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

/// The kind of a [`RuleFailure`]: what the rule did wrong, or which limit it reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// The rule ended without a conclusion (`met`, `not_met`, `score`, `refer`, `recommend`).
    NoConclusion,
    /// The rule concluded twice.
    ConcludedTwice,
    /// The rule threw a value of its own (`throw`).
    Thrown,
    /// The rule read a fact the case schema does not have.
    UnknownFact,
    /// The rule read a parameter the policy does not have.
    UnknownParameter,
    /// The rule read a parameter that has no value in force on the case's decision date (and province).
    ParameterNotInForce,
    /// `fired` or `value_of` named a rule the policy does not have.
    UnknownRule,
    /// `fired` or `value_of` named this rule or one listed after it.
    RuleNotYetRun,
    /// `value_of` asked for a value the rule read did not give.
    NoSuchValue,
    /// A function of the vocabulary used in a stage where it means nothing.
    WrongStage,
    /// `decision()`, `tier()` or `priority_score()` read before the stage that settles it.
    NotYetDecided,
    /// `require_approval` or `payment` given a code that is not an approval or payment of
    /// [`crate::model::codes`].
    UnknownCode,
    /// A function of the vocabulary given a value it does not take: a number that is not finite or out of range, a
    /// unit that is not positive, a value that is not a number.
    InvalidArgument,
    /// Values of different types compared, or a function given a value of another type than it takes.
    TypeMismatch,
    /// A function that is not available to rules.
    NoSuchFunction,
    /// A property a map does not have.
    NoSuchProperty,
    /// An index past the end of a list, string or bit field.
    OutOfBounds,
    /// Arithmetic that has no result (division by zero, overflow).
    Arithmetic,
    /// A limit of the sandbox was reached.
    Limit(Limit),
    /// Another error of the rhai language.
    Language,
    /// The engine itself failed: a bug in `assessor`, never in a rule.
    Internal,
}

/// The limit of the sandbox a rule reached (see [`limits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// [`limits::MAX_OPERATIONS`].
    Operations,
    /// [`limits::MAX_RULE_TIME`].
    Time,
    /// [`limits::MAX_CALL_LEVELS`].
    CallDepth,
    /// [`limits::MAX_VARIABLES`].
    Variables,
    /// rhai's limits on the size of one string, list or map.
    DataSize,
    /// [`limits::MAX_VALUE_DEPTH`].
    ValueDepth,
    /// [`limits::MAX_VALUE_SIZE`].
    ValueSize,
}

/// A rule that could not run to its end for a reason other than unknown facts.
///
/// Shown as its message, then `  = help: …` on its own line when there is a help; "did you mean" and lists of
/// the names allowed are always help, never part of the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}{}", help_line(help.as_deref()))]
pub struct RuleFailure {
    /// What kind of failure it is.
    pub kind: FailureKind,
    /// What went wrong.
    pub message: String,
    /// How to fix it, when likely (such as "did you mean `household`?").
    pub help: Option<String>,
    /// 1-based line in the rule file.
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
}

/// What the engine raises (as rhai's runtime error) when a rule asks for something it may not have: the kind
/// travels with the message, so the failure is classified by type, not by its text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}{}", help_line(help.as_deref()))]
pub struct Refusal {
    /// What kind of failure it is.
    pub kind: FailureKind,
    /// What to tell the analyst.
    pub message: String,
    /// How to fix it, when likely: "did you mean …", or the names allowed.
    pub help: Option<String>,
}

/// `help` on a line of its own (`\n  = help: …`), as every error of `assessor` shows it; empty without one.
pub(crate) fn help_line(help: Option<&str>) -> String {
    help.map(|h| format!("\n  = help: {h}")).unwrap_or_default()
}

/// The error that stops a rule with a [`Refusal`] of kind `kind`.
pub(crate) fn refuse(kind: FailureKind, message: impl Into<String>) -> Box<EvalAltResult> {
    refuse_with_help(kind, message, None)
}

/// The error that stops a rule with a [`Refusal`] of kind `kind` and a help (see [`Refusal::help`]).
pub(crate) fn refuse_with_help(
    kind: FailureKind,
    message: impl Into<String>,
    help: Option<String>,
) -> Box<EvalAltResult> {
    let refusal = Refusal {
        kind,
        message: message.into(),
        help,
    };
    EvalAltResult::ErrorRuntime(Dynamic::from(refusal), Position::NONE).into()
}

/// The token of rhai's "terminated" error when a rule runs out of time.
#[derive(Debug, Clone)]
pub(crate) struct TimeBudgetSignal;

/// The error inside the calls of rule functions (`f()` calling `g()` calling a function that failed).
pub(crate) fn innermost(err: &EvalAltResult) -> &EvalAltResult {
    match err {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _) => innermost(inner),
        other => other,
    }
}

/// The position of the innermost error that has one.
fn innermost_position(err: &EvalAltResult) -> Position {
    match err {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, pos) => {
            let p = innermost_position(inner);
            if p.is_none() {
                *pos
            } else {
                p
            }
        }
        other => other.position(),
    }
}

impl RuleFailure {
    /// A failure with no position in the rule file (it concerns the rule as a whole).
    pub(crate) fn whole_rule(kind: FailureKind, message: impl Into<String>) -> Self {
        RuleFailure {
            kind,
            message: message.into(),
            help: None,
            line: None,
            column: None,
        }
    }

    /// The failure a rhai error (other than for want of facts) stands for, in words for analysts.
    pub(crate) fn from_rhai(err: &EvalAltResult) -> Self {
        let pos = innermost_position(err);
        let (kind, message, help) = kind_and_message(innermost(err));
        RuleFailure {
            kind,
            message,
            help,
            line: pos.line(),
            column: pos.position(),
        }
    }
}

/// The kind, message and help of the failure a rhai error (the innermost of its calls) stands for.
fn kind_and_message(inner: &EvalAltResult) -> (FailureKind, String, Option<String>) {
    if let EvalAltResult::ErrorRuntime(v, _) = inner {
        if let Some(r) = v.read_lock::<Refusal>() {
            return (r.kind, r.message.clone(), r.help.clone());
        }
    }
    let (kind, message) = kind_and_words(inner);
    (kind, message, None)
}

/// The kind and message of a rhai error that is not a [`Refusal`].
fn kind_and_words(inner: &EvalAltResult) -> (FailureKind, String) {
    match inner {
        EvalAltResult::ErrorRuntime(v, _) => {
            if let Some(s) = v.read_lock::<String>() {
                (FailureKind::Thrown, s.clone())
            } else if let Some(s) = v.read_lock::<ImmutableString>() {
                (FailureKind::Thrown, s.to_string())
            } else {
                (FailureKind::Thrown, format!("the rule threw {v}"))
            }
        }
        EvalAltResult::ErrorTooManyOperations(_) => (
            FailureKind::Limit(Limit::Operations),
            format!(
                "the rule ran more than {} operations and was stopped (a loop that does not end?)",
                limits::MAX_OPERATIONS
            ),
        ),
        EvalAltResult::ErrorTerminated(token, _) if token.is::<TimeBudgetSignal>() => (
            FailureKind::Limit(Limit::Time),
            format!(
                "the rule took longer than {} s and was stopped (a loop over heavy operations?)",
                limits::MAX_RULE_TIME.as_secs_f64()
            ),
        ),
        EvalAltResult::ErrorStackOverflow(_) => (
            FailureKind::Limit(Limit::CallDepth),
            format!(
                "the rule called functions more than {} deep and was stopped (recursion without end?)",
                limits::MAX_CALL_LEVELS
            ),
        ),
        EvalAltResult::ErrorDataTooLarge(what, _) => (
            FailureKind::Limit(Limit::DataSize),
            format!("the rule built a value too large for the sandbox ({what})"),
        ),
        EvalAltResult::ErrorArithmetic(msg, _) => (
            FailureKind::Arithmetic,
            format!("arithmetic error: {}", msg.to_lowercase()),
        ),
        EvalAltResult::ErrorFunctionNotFound(sig, _) => (
            FailureKind::NoSuchFunction,
            format!("no function `{sig}` is available to rules"),
        ),
        EvalAltResult::ErrorMismatchDataType(expected, actual, _) => (
            FailureKind::TypeMismatch,
            format!(
                "expected {expected} but found {}",
                actual.rsplit("::").next().unwrap_or(actual)
            ),
        ),
        EvalAltResult::ErrorPropertyNotFound(name, _) => (
            FailureKind::NoSuchProperty,
            format!("there is no property `{name}`"),
        ),
        other => {
            let kind = match other {
                EvalAltResult::ErrorTooManyVariables(_) => FailureKind::Limit(Limit::Variables),
                EvalAltResult::ErrorArrayBounds(..)
                | EvalAltResult::ErrorStringBounds(..)
                | EvalAltResult::ErrorBitFieldBounds(..)
                | EvalAltResult::ErrorIndexNotFound(..) => FailureKind::OutOfBounds,
                EvalAltResult::ErrorSystem(..) => FailureKind::Internal,
                _ => FailureKind::Language,
            };
            let s = other.to_string();
            (kind, s.split(" (line ").next().unwrap_or(&s).to_string())
        }
    }
}

/// Describes a parse error in words for analysts (the policy's loader adds the file and position).
pub fn describe_parse_error(e: &rhai::ParseError) -> String {
    let s = e.0.to_string();
    if let rhai::ParseErrorType::VariableUndefined(name) = e.0.as_ref() {
        return format!("unknown variable `{name}`; rules read `facts` and `params`, and variables they define with `let`");
    }
    if s.contains("'switch' is a reserved keyword") {
        return "`switch` is not available in rules; use if / else if".into();
    }
    format!("syntax error: {s}")
}
