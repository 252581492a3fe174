//! Static checks of a rule: what can be found from its syntax tree without running it. Run once per rule when
//! the policy loads (`policy::load`), so a misspelling in a branch no example reaches is still caught.
//!
//! [`scan`] finds every fact path a rule can read (through `facts.…`, a variable bound to a part of the facts
//! with `let x = facts.…`, or a loop `for d in facts.household.dependants`), every parameter, every function
//! called and every rule named in `fired`/`value_of`; [`stage_issues`] the functions its stage may not call;
//! [`placeholder_issues`] the `{name}` placeholders of its texts that it never sets.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use rhai::{ASTNode, Expr, Position, Stmt, AST};

use crate::model::codes::Stage;
use crate::model::facts::{catalogue, FactType};
use crate::model::params::Parameters;
use crate::model::suggest::did_you_mean;

/// A problem found in a rule's syntax tree.
#[derive(Debug, Clone)]
pub struct StaticIssue {
    /// What is wrong.
    pub message: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// "Did you mean …".
    pub help: Option<String>,
}

/// What a rule refers to, found statically.
#[derive(Debug, Clone, Default)]
pub struct RuleScan {
    /// Fact paths (`/household/dependants/*/age`) the rule can read.
    pub facts: BTreeSet<String>,
    /// Parameters it can read.
    pub params: BTreeSet<String>,
    /// Rules it names in `fired` / `value_of`, with line and column.
    pub rules: Vec<(String, usize, usize)>,
    /// Codes the rule gives that reports show by their labels — string values in `#{ … }` maps (but `text`, which
    /// chooses a text variant), services and agencies of `refer`, codes of `step`, `cap`, `check` and `threshold` —
    /// with line and column.
    pub codes: Vec<(String, usize, usize)>,
    /// Problems: unknown facts, parameters and functions.
    pub issues: Vec<StaticIssue>,
    /// The rule's presumptions (`x.presume(value)`, `presume(x, value)`): the fact's path, the value as written
    /// (`(computed)` where the rule computes it) and the line.
    pub presumptions: Vec<(String, String, usize)>,
}

/// Names that rhai handles itself rather than as registered functions.
const KEYWORD_FUNCTIONS: [&str; 10] = [
    "Fn",
    "call",
    "curry",
    "type_of",
    "print",
    "debug",
    "is_def_var",
    "is_def_fn",
    "is_shared",
    "eval",
];

fn issue(message: String, pos: Position, help: Option<String>) -> StaticIssue {
    StaticIssue {
        message,
        line: pos.line().unwrap_or(1),
        column: pos.position().unwrap_or(1),
        help,
    }
}

/// Scans one rule's (unoptimised) syntax tree.
pub fn scan(ast: &AST, params: &Parameters, functions: &BTreeSet<String>) -> RuleScan {
    let mut out = RuleScan::default();
    let script_fns: BTreeSet<String> = ast.iter_functions().map(|f| f.name.to_string()).collect();
    // Variables bound to a node of the facts: `let incident = facts.incident;`, `for d in facts.household.dependants`.
    let mut bindings: BTreeMap<String, usize> = BTreeMap::new();
    let cat = catalogue();
    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            // A variable bound to a node of the facts (an object, whose facts are then checked by name, or a single
            // fact, which may be presumed); bound to anything else, it no longer names one.
            Some(ASTNode::Stmt(Stmt::Var(x, _, _))) => match resolve(&x.1, &bindings) {
                Some(node) => {
                    bindings.insert(x.0.name.to_string(), node);
                }
                None => {
                    bindings.remove(x.0.name.as_str());
                }
            },
            Some(ASTNode::Stmt(Stmt::For(x, _))) => {
                if let Some(node) = resolve(&x.2.expr, &bindings) {
                    if let Some(FactType::Array(item)) = cat.node(node).map(|n| &n.ty) {
                        bindings.insert(x.0.name.to_string(), *item);
                    }
                }
            }
            Some(ASTNode::Expr(Expr::Dot(bin, _, _))) if !is_inner_dot(path) => {
                if let Expr::Variable(v, _, _) = &bin.lhs {
                    let mut props = Vec::new();
                    flatten(&bin.rhs, &mut props);
                    let root = v.1.as_str();
                    if root == "params" {
                        if let Some((name, pos)) = props.first() {
                            out.params.insert(name.clone());
                            if params.get(name).is_none() {
                                let help = did_you_mean(name, params.names())
                                    .map(|s| format!("did you mean `{s}`?"));
                                out.issues.push(issue(
                                    format!("unknown parameter `{name}`"),
                                    *pos,
                                    help,
                                ));
                            }
                        }
                    } else if let Some(start) = if root == "facts" {
                        Some(cat.root())
                    } else {
                        bindings.get(root).copied()
                    } {
                        check_facts(start, &props, &mut out);
                        presumed_in_chain(start, &props, &bin.rhs, &mut out);
                    }
                }
            }
            Some(ASTNode::Expr(Expr::FnCall(call, pos) | Expr::MethodCall(call, pos))) => {
                let name = call.name.as_str();
                let is_ident = name
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_');
                if is_ident
                    && !functions.contains(name)
                    && !script_fns.contains(name)
                    && !KEYWORD_FUNCTIONS.contains(&name)
                {
                    let help = did_you_mean(name, functions.iter().map(String::as_str))
                        .map(|s| format!("did you mean `{s}`?"));
                    out.issues.push(issue(
                        format!("no function `{name}` is available to rules"),
                        *pos,
                        help,
                    ));
                }
                let shown = match name {
                    "refer" => 2,
                    "step" | "cap" | "check" | "threshold" => 1,
                    _ => 0,
                };
                for a in call.args.iter().take(shown) {
                    if let Expr::StringConstant(c, p) = a {
                        push_code(&mut out, c, *p);
                    }
                }
                // `presume(fact, value)`, the function form of `fact.presume(value)`.
                if name == "presume" {
                    if let (Some(fact), Some(arg)) = (call.args.first(), call.args.get(1)) {
                        if let Some(node) = resolve(fact, &bindings) {
                            presumed_value_issue(node, arg, &mut out);
                        }
                    }
                }
                if name == "fired" || name == "value_of" {
                    match call.args.first() {
                        Some(Expr::StringConstant(s, _)) => out.rules.push((
                            s.to_string(),
                            pos.line().unwrap_or(1),
                            pos.position().unwrap_or(1),
                        )),
                        Some(_) => out.issues.push(issue(
                            format!("`{name}` must name its rule with a string literal"),
                            *pos,
                            Some(format!(
                                "write the rule's id in quotes, e.g. `fired(\"exclusions.major_fault\")`, so the checks can see which rule `{name}` reads"
                            )),
                        )),
                        None => {}
                    }
                }
            }
            // A `catch` would turn "this fact is unknown" (which stops the rule) into a decision.
            Some(ASTNode::Stmt(Stmt::TryCatch(_, pos))) => {
                out.issues.push(issue(
                    "`try`/`catch` is not available in rules: it could turn an unknown fact into a decision".into(),
                    *pos,
                    Some(
                        "handle a fact that may be unknown with `known(x)` or `x.if_unknown(default)`".into(),
                    ),
                ));
            }
            Some(ASTNode::Expr(Expr::Map(m, _))) => {
                for (key, value) in m.0.iter() {
                    if let Expr::StringConstant(c, p) = value {
                        if key.name != "text" {
                            push_code(&mut out, c, *p);
                        }
                    }
                }
            }
            _ => {}
        }
        true
    });
    out
}

/// Functions of the vocabulary used outside the stages they belong to (`score` in an eligibility rule, …).
pub fn stage_issues(ast: &AST, stage: Stage) -> Vec<StaticIssue> {
    let script_fns: BTreeSet<String> = ast.iter_functions().map(|f| f.name.to_string()).collect();
    let mut issues = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        // A call, or a method call (`x.presume(false)`).
        if let Some(ASTNode::Expr(Expr::FnCall(call, pos) | Expr::MethodCall(call, pos))) = path.last() {
            let name = call.name.as_str();
            if let Some(allowed) = crate::engine::vocabulary_stages(name) {
                if !allowed.contains(&stage) && !script_fns.contains(name) {
                    issues.push(issue(
                        crate::engine::not_in_stage(name, stage, allowed),
                        *pos,
                        Some(if name == "presume" {
                            "only a bar (Art. 8), or an amount rule's reduction that applies where established, may \
                             presume a fact the procuratorate has yet to establish; the conditions of assistance and \
                             the priority need the facts themselves"
                                .to_string()
                        } else {
                            stage_help(stage)
                        }),
                    ));
                }
            }
        }
        true
    });
    issues
}

fn stage_help(stage: Stage) -> String {
    match stage {
        Stage::Eligibility | Stage::Exclusions => {
            "rules of this stage conclude with met() or not_met()".into()
        }
        Stage::Priority => "priority rules conclude with score(points) or not_met()".into(),
        Stage::Amount => "amount rules conclude with recommend(amount), met() or not_met()".into(),
        Stage::Referrals => {
            "referral rules conclude with refer(service, agency) or not_met()".into()
        }
    }
}

/// Values the engine itself gives to a rule's texts: `points` (of `score`), `value` (of a step), `limit` and
/// `amount` (of a cap or check).
const ENGINE_VALUES: [&str; 4] = ["points", "value", "limit", "amount"];

/// Placeholders (`{name}`) in a rule's texts that no value of the rule can fill: the names a rule gives are the keys
/// of its `#{ … }` maps, properties it sets and strings it uses, plus `ENGINE_VALUES`. A misspelt placeholder would
/// otherwise be printed with its braces. `texts` are (header key, text, line of the key); positions are found in
/// `source`.
pub fn placeholder_issues(
    ast: &AST,
    texts: &[(&str, &str, usize)],
    source: &str,
) -> Vec<StaticIssue> {
    let mut given: BTreeSet<String> = ENGINE_VALUES.iter().map(|s| s.to_string()).collect();
    let mut keys: BTreeSet<String> = BTreeSet::new();
    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Expr(Expr::Map(m, _))) => {
                for (key, _) in m.0.iter() {
                    given.insert(key.name.to_string());
                    keys.insert(key.name.to_string());
                }
            }
            Some(ASTNode::Expr(Expr::Property(p, _))) => {
                given.insert(p.2.to_string());
            }
            Some(ASTNode::Expr(Expr::StringConstant(c, _))) => {
                given.insert(c.to_string());
            }
            _ => {}
        }
        true
    });
    let mut issues = Vec::new();
    for (key, text, line) in texts {
        // The checklist line of a presumption is written without the rule's values.
        let checklist = super::header::split_lang(key).map_or(*key, |(_, rest)| rest);
        let checklist = matches!(checklist, "presumed" | "presumed.basis");
        for name in placeholders(text) {
            if given.contains(name) && !checklist {
                continue;
            }
            let needle = format!("{{{name}}}");
            let (l, c) = source
                .lines()
                .enumerate()
                .skip(line.saturating_sub(1))
                .find_map(|(i, l)| l.find(&needle).map(|c| (i + 1, l[..c].chars().count() + 1)))
                .unwrap_or((*line, 1));
            let candidates = keys.iter().map(String::as_str).chain(ENGINE_VALUES);
            let help = match did_you_mean(name, candidates) {
                Some(s) => format!("did you mean `{{{s}}}`?"),
                None if keys.is_empty() => {
                    "a placeholder names a value the rule gives (in `#{ … }`); this rule gives none".into()
                }
                None => format!(
                    "a placeholder names a value the rule gives (in `#{{ … }}`); this rule's texts can use {}",
                    keys.iter()
                        .map(|k| format!("{{{k}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            if checklist {
                issues.push(StaticIssue {
                    message: if key.ends_with("presumed.basis") {
                        format!("`{needle}` in the text `{key}`: the citation of a presumption has no values to fill in")
                    } else {
                        format!("`{needle}` in the text `{key}`: the checklist line of a presumption has no values to fill in")
                    },
                    line: l,
                    column: c,
                    help: Some("write it as the handler should read it, without placeholders".into()),
                });
                continue;
            }
            issues.push(StaticIssue {
                message: format!("`{needle}` in the text `{key}` names no value this rule gives"),
                line: l,
                column: c,
                help: Some(help),
            });
        }
    }
    issues
}

/// The placeholders of a text template, as [`crate::model::text::fill_in`] finds them (names of letters, digits and `_`).
fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = rest.get(start + 1..).unwrap_or("");
        let Some(end) = after.find('}') else { break };
        let name = after.get(..end).unwrap_or("");
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push(name);
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    out
}

fn push_code(out: &mut RuleScan, code: &str, pos: Position) {
    if !code.is_empty() {
        out.codes.push((
            code.to_string(),
            pos.line().unwrap_or(1),
            pos.position().unwrap_or(1),
        ));
    }
}

/// Whether the last node of `path` is the right-hand side of an enclosing `Dot` (then it is not a chain's start).
fn is_inner_dot(path: &[ASTNode]) -> bool {
    let [.., parent, last] = path else {
        return false;
    };
    match (parent, last) {
        (ASTNode::Expr(Expr::Dot(pb, _, _)), ASTNode::Expr(e)) => std::ptr::eq(&pb.rhs, *e),
        _ => false,
    }
}

/// The fact node an expression denotes, if it is `facts.…` or a bound variable followed by properties.
fn resolve(e: &Expr, bindings: &BTreeMap<String, usize>) -> Option<usize> {
    let cat = catalogue();
    let (root, props) = match e {
        Expr::Variable(v, _, _) => (v.1.as_str(), Vec::new()),
        Expr::Dot(bin, _, _) => match &bin.lhs {
            Expr::Variable(v, _, _) => {
                let mut props = Vec::new();
                flatten(&bin.rhs, &mut props);
                (v.1.as_str(), props)
            }
            _ => return None,
        },
        _ => return None,
    };
    let mut node = if root == "facts" {
        cat.root()
    } else {
        *bindings.get(root)?
    };
    for (name, _) in &props {
        node = cat.child(node, name)?;
    }
    Some(node)
}

fn check_facts(start: usize, props: &[(String, Position)], out: &mut RuleScan) {
    let cat = catalogue();
    let mut node = start;
    for (name, pos) in props {
        if !matches!(cat.node(node).map(|n| &n.ty), Some(FactType::Object(_))) {
            break;
        }
        match cat
            .child(node, name)
            .filter(|&c| cat.node(c).is_some_and(|n| n.readable))
        {
            Some(c) => node = c,
            None => {
                let names: Vec<&str> = cat
                    .child_names(node)
                    .into_iter()
                    .filter(|n| *n != "notes" && *n != "$schema")
                    .collect();
                let path = cat.node(node).map(|n| n.path.clone()).unwrap_or_default();
                let place = if path.is_empty() {
                    " in the case".to_string()
                } else {
                    format!(" in `{path}`")
                };
                let help = Some(match did_you_mean(name, names.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("facts here are: {}", names.join(", ")),
                });
                out.issues
                    .push(issue(format!("unknown fact `{name}`{place}"), *pos, help));
                return;
            }
        }
    }
    if let Some(n) = cat.node(node) {
        out.facts.insert(n.path.clone());
    }
}

/// The first method call in a chain of properties (`.presume("none")` in `conduct.victim_fault.presume("none")`,
/// whatever is called on its result), if any.
fn first_call(e: &Expr) -> Option<&rhai::FnCallExpr> {
    match e {
        Expr::MethodCall(call, _) => Some(call),
        Expr::Dot(bin, _, _) => match &bin.lhs {
            Expr::MethodCall(call, _) => Some(call),
            _ => first_call(&bin.rhs),
        },
        _ => None,
    }
}

/// `x.presume(value)` where `x` (a chain of `props` from the fact node `start`) is a fact: the presumption's check.
fn presumed_in_chain(start: usize, props: &[(String, Position)], chain: &Expr, out: &mut RuleScan) {
    let cat = catalogue();
    let Some(node) = props
        .iter()
        .try_fold(start, |node, (name, _)| cat.child(node, name))
    else {
        return;
    };
    if let Some(call) = first_call(chain).filter(|c| c.name.as_str() == "presume") {
        if let Some(arg) = call.args.first() {
            presumed_value_issue(node, arg, out);
        }
    }
}

/// A value presumed for a fact (`facts.conduct.victim_fault.presume("nnone")`, or `presume(fact, value)`) that the
/// fact can never have: the presumption would give a reading no case file can (a misspelt choice, a number for a
/// yes/no), found at load instead of in the first case that leaves the fact unknown.
fn presumed_value_issue(node: usize, arg: &Expr, out: &mut RuleScan) {
    let cat = catalogue();
    let Some(ty) = cat.node(node).map(|n| &n.ty) else {
        return;
    };
    let path = cat.node(node).map(|n| n.path.clone()).unwrap_or_default();
    let written = match arg {
        Expr::StringConstant(c, _) => format!("\"{c}\""),
        Expr::BoolConstant(b, _) => b.to_string(),
        Expr::IntegerConstant(i, _) => i.to_string(),
        Expr::FloatConstant(f, _) => f.to_string(),
        Expr::CharConstant(c, _) => format!("'{c}'"),
        Expr::Unit(_) => "()".to_string(),
        _ => "(computed)".to_string(),
    };
    let pos = arg.position();
    out.presumptions
        .push((path.clone(), written.clone(), pos.line().unwrap_or(1)));
    let fits = match arg {
        Expr::StringConstant(c, _) => {
            matches!(ty, FactType::String { choices } if choices.is_empty() || choices.iter().any(|x| x == c.as_str()))
        }
        Expr::BoolConstant(..) => matches!(ty, FactType::Boolean),
        Expr::IntegerConstant(..) => matches!(ty, FactType::Integer | FactType::Number),
        Expr::FloatConstant(..) => matches!(ty, FactType::Number),
        Expr::CharConstant(..) | Expr::Unit(_) | Expr::Array(..) | Expr::Map(..) => false,
        // A value computed by the rule is checked when the rule runs.
        _ => return,
    };
    if fits {
        return;
    }
    let shown = match arg {
        Expr::CharConstant(..) => format!("the character {written}"),
        Expr::Unit(_) => "nothing (`()`)".to_string(),
        Expr::Array(..) => "a list".to_string(),
        Expr::Map(..) => "a map".to_string(),
        _ => written,
    };
    let help = match ty {
        FactType::String { choices } => match arg {
            Expr::StringConstant(c, _) => did_you_mean(c, choices.iter().map(String::as_str))
                .map(|s| format!("did you mean `\"{s}\"`?"))
                .or_else(|| Some(format!("its values are: {}", choices.join(", ")))),
            _ if choices.is_empty() => {
                Some("it is a text: presume a string in double quotes".to_string())
            }
            _ => Some(format!("its values are: {}", choices.join(", "))),
        },
        FactType::Boolean => Some("it is a yes/no: presume `true` or `false`".to_string()),
        FactType::Integer => Some("it is a whole number".to_string()),
        FactType::Number => Some("it is a number".to_string()),
        FactType::Object(_) | FactType::Array(_) => {
            Some("only a single fact (a yes/no, a choice, a number) can be presumed".to_string())
        }
    };
    out.issues.push(issue(
        format!("`{path}` can never be {shown}: the presumption gives a value no case file can"),
        pos,
        help,
    ));
}

fn flatten(e: &Expr, out: &mut Vec<(String, Position)>) {
    match e {
        Expr::Property(p, pos) => out.push((p.2.to_string(), *pos)),
        Expr::Dot(bin, _, _) => {
            let before = out.len();
            flatten(&bin.lhs, out);
            if out.len() > before {
                flatten(&bin.rhs, out);
            }
        }
        // `params.table[key]`: the name before the index counts; the index ends the chain.
        Expr::Index(bin, _, _) => flatten(&bin.lhs, out),
        // A method call ends the chain of names.
        _ => {}
    }
}

/// The names of every function the sandbox provides.
pub fn sandbox_functions(engine: &rhai::Engine) -> &'static BTreeSet<String> {
    static NAMES: OnceLock<BTreeSet<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        // Property getters, setters and indexers (`get$relation`, `index$get$`) cannot be called by name: they are
        // never a suggestion, and the names of the policy's parameters among them would be the first policy's.
        engine
            .collect_fn_metadata(None, |info| Some(info.metadata.name.to_string()), true)
            .into_iter()
            .filter(|name| !name.contains('$'))
            .collect()
    })
}

/// The numbers written in a rule (constants of its syntax tree).
pub fn numbers_in(ast: &rhai::AST) -> Vec<f64> {
    let mut out = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Expr(Expr::IntegerConstant(i, _))) => out.push(*i as f64),
            Some(ASTNode::Expr(Expr::FloatConstant(f, _))) => out.push(**f),
            _ => {}
        }
        true
    });
    out
}
