//! Loading a policy ([`Policy::load`]): read the manifest, the parameter files and the texts, compile each rule
//! file once in the engine's sandbox and run its static [`scan`](super::scan), and report every problem found.
//! Called by the CLI, `diff` and the tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use toml::Spanned;

use super::error::{toml_error, PolicyError};
use super::header::{check_translations, is_template_key, parse_header, split_lang};
use super::manifest::{Manifest, MANIFEST};
use super::source::{limits, PolicySource};
use super::texts::{check_labels, load_languages};
use super::{params, Policy, Rule};
use crate::engine::{self, Sandbox};
use crate::model::codes::{RuleKind, Stage};
use crate::model::params::Parameters;
use crate::model::text::{Labels, Lang};

impl Policy {
    /// The default policy embedded in the binary.
    pub fn embedded() -> Result<Policy, Vec<PolicyError>> {
        Policy::load(PolicySource::embedded())
    }

    /// Loads a policy folder from disk.
    pub fn from_dir(dir: &Path) -> Result<Policy, Vec<PolicyError>> {
        Policy::load(PolicySource::from_dir(dir)?)
    }

    /// Checks and compiles a policy's files. Every problem found is returned, each naming its file and place.
    pub fn load(source: PolicySource) -> Result<Policy, Vec<PolicyError>> {
        let mut errors = Vec::new();
        let manifest_file = source.display(MANIFEST);
        let Some(manifest_text) = source.files.get(MANIFEST) else {
            return Err(vec![PolicyError::new(&manifest_file, "the policy has no manifest")
                .help("a policy folder holds policy.toml naming the policy, its version, its stages and parameter files")]);
        };
        let manifest: Manifest = match toml::from_str(manifest_text) {
            Ok(m) => m,
            Err(e) => return Err(vec![toml_error(&manifest_file, manifest_text, &e)]),
        };
        let _ = &manifest.description;

        let what_if_facts = manifest.what_if.as_ref().map_or(&[][..], |w| &w.facts[..]);
        for spanned in what_if_facts {
            let fact = spanned.get_ref();
            if crate::model::facts::catalogue().lookup(fact).is_none() || fact.contains('*') {
                errors.push(
                    PolicyError::new(
                        &manifest_file,
                        format!("`{fact}` in [what_if] is not a fact of the case schema"),
                    )
                    .span(spanned.span(), manifest_text),
                );
            }
        }
        let what_if: Vec<String> = what_if_facts.iter().map(|f| f.get_ref().clone()).collect();

        // The question catalogue and the texts on one core, the parameter files on the other: each reads only
        // the manifest and its own files, and their errors are reported in the same order as when read in turn.
        let read_texts = || {
            let mut errors = Vec::new();
            let mut questions = crate::policy::questions::Catalogue::new();
            if let Some(spanned) = &manifest.questions {
                let rel = spanned.get_ref();
                let file = source.display(rel);
                match source.files.get(rel) {
                    None => errors.push(
                        PolicyError::new(
                            &manifest_file,
                            format!("question catalogue `{rel}` does not exist"),
                        )
                        .span(spanned.span(), manifest_text),
                    ),
                    Some(text) => match toml::from_str::<
                        BTreeMap<Spanned<String>, crate::policy::questions::CatalogueEntry>,
                    >(text)
                    {
                        Err(e) => errors.push(toml_error(&file, text, &e)),
                        Ok(entries) => {
                            let mut q = crate::policy::questions::Catalogue::new();
                            for (fact, entry) in entries {
                                if crate::model::facts::catalogue()
                                    .lookup(fact.get_ref())
                                    .is_none()
                                {
                                    errors.push(
                                        PolicyError::new(
                                            &file,
                                            format!("`{fact}` is not a fact of the case schema"),
                                        )
                                        .span(fact.span(), text),
                                    );
                                }
                                q.insert(fact.into_inner(), entry);
                            }
                            questions = q;
                        }
                    },
                }
            }

            let (languages, names, labels) =
                load_languages(&manifest, &source, manifest_text, &questions, &mut errors);
            (questions, languages, names, labels, errors)
        };
        let read_params = || {
            let mut errors = Vec::new();
            let parsed: Vec<_> = manifest
                .parameters
                .par_iter()
                .map(|spanned| {
                    let rel = spanned.get_ref();
                    let file = source.display(rel);
                    let parsed = source
                        .files
                        .get(rel)
                        .map(|text| (text, params::parse_file(text, &file)));
                    (spanned, file, parsed)
                })
                .collect();
            let mut params = Parameters::new(manifest.regions.clone());
            for (spanned, file, parsed) in parsed {
                let rel = spanned.get_ref();
                let Some((text, (list, mut problems))) = parsed else {
                    errors.push(
                        PolicyError::new(
                            &manifest_file,
                            format!("parameter file `{rel}` does not exist"),
                        )
                        .span(spanned.span(), manifest_text),
                    );
                    continue;
                };
                errors.append(&mut problems);
                for p in list {
                    if let Some(prev) = params.get(&p.name) {
                        let mut e = PolicyError::new(
                            &file,
                            format!("parameter `{}` is already defined in {}", p.name, prev.file),
                        );
                        if let Some(line) = p.line {
                            e = e.at(line, 1, text);
                        }
                        errors.push(e);
                    } else {
                        params.insert(p);
                    }
                }
            }
            (params, errors)
        };
        let ((questions, languages, names, labels, mut texts_errors), (params, mut params_errors)) =
            rayon::join(read_texts, read_params);
        errors.append(&mut texts_errors);
        errors.append(&mut params_errors);
        let params = Arc::new(params);
        let mut sandbox = Sandbox::new();
        sandbox.name_parameters(params.names());

        // Rules, stage by stage in manifest order.
        let mut rules = Vec::new();
        let mut rule_index = BTreeMap::new();
        let mut listed = BTreeSet::new();
        // Ids of rules whose files did not compile: references to them are not reported again.
        let mut failed_ids = BTreeSet::new();
        // Each rule compiles on its own (the two cores share them); the results are then taken in manifest order,
        // so ids, references and errors read exactly as when compiled in turn.
        let listed_rules: Vec<(Stage, &Spanned<String>)> = Stage::ALL
            .into_iter()
            .flat_map(|stage| manifest.stages.get(stage).iter().map(move |s| (stage, s)))
            .collect();
        let compiled: Vec<_> = listed_rules
            .par_iter()
            .map(|&(stage, spanned)| {
                let file = source.display(spanned.get_ref());
                let compiled = source.files.get(spanned.get_ref()).map(|text| {
                    let rule = compile_rule(&sandbox, &params, text, &file, stage, &languages);
                    (text, rule)
                });
                (file, compiled)
            })
            .collect();
        for (&(stage, spanned), (file, compiled)) in listed_rules.iter().zip(compiled) {
            let rel = spanned.get_ref();
            listed.insert(rel.clone());
            let Some((text, compiled)) = compiled else {
                errors.push(
                    PolicyError::new(
                        &manifest_file,
                        format!(
                            "rule file `{rel}` (stage {}) does not exist",
                            stage.as_str()
                        ),
                    )
                    .help("create the file or remove it from the manifest")
                    .span(spanned.span(), manifest_text),
                );
                continue;
            };
            match compiled {
                Ok(rule) => {
                    if let Some(&prev) = rule_index.get(&rule.id) {
                        let prev_file = rules
                            .get(prev)
                            .map(|r: &Rule| r.file.clone())
                            .unwrap_or_default();
                        let mut e = PolicyError::new(
                            &file,
                            format!("rule id `{}` is already used by {prev_file}", rule.id),
                        )
                        .help("every rule needs its own id");
                        if let Some(line) = parse_header(text, &file)
                            .ok()
                            .and_then(|h| h.fields.get("id").map(|(_, line)| *line))
                        {
                            e = e.at(line, 4, text);
                        }
                        errors.push(e);
                    } else {
                        rule_index.insert(rule.id.clone(), rules.len());
                        rules.push(rule);
                    }
                }
                Err(mut e) => {
                    if let Some((id, _)) = parse_header(text, &file)
                        .ok()
                        .and_then(|h| h.fields.get("id").cloned())
                    {
                        failed_ids.insert(id);
                    }
                    errors.append(&mut e)
                }
            }
        }
        for rel in source.files.keys().chain(&source.unlisted) {
            if rel.ends_with(".rhai") && !listed.contains(rel) {
                errors.push(
                    PolicyError::new(
                        source.display(rel),
                        "this rule file is not listed in the manifest, so it would never run",
                    )
                    .help(format!("add \"{rel}\" to the right stage in {MANIFEST}")),
                );
            }
        }
        // Rules that name other rules must name ones that run earlier.
        for (i, rule) in rules.iter().enumerate() {
            let text = source
                .files
                .get(
                    rule.file
                        .strip_prefix(&format!("{}/", source.label))
                        .unwrap_or(""),
                )
                .map(String::as_str)
                .unwrap_or("");
            for (target, line, col) in &rule.scan.rules {
                match rule_index.get(target) {
                    _ if failed_ids.contains(target) => {}
                    Some(&j) if j < i => {}
                    Some(_) => errors.push(
                        PolicyError::new(&rule.file, format!("rule `{target}` runs after this rule, so its outcome is not known yet"))
                            .at(*line, *col, text)
                            .help("move this rule after it in the manifest"),
                    ),
                    None => {
                        let ids: Vec<&str> = rule_index.keys().map(String::as_str).collect();
                        let mut e = PolicyError::new(&rule.file, format!("there is no rule `{target}`")).at(*line, *col, text);
                        if let Some(s) = crate::model::suggest::did_you_mean(target, ids) {
                            e = e.help(format!("did you mean `{s}`?"));
                        }
                        errors.push(e);
                    }
                }
            }
        }
        check_labels(&rules, &source, &manifest, &labels, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let digest = source.digest();
        let memo = crate::engine::MemoId::new(&digest);
        let stages = rules.iter().map(|r| r.stage).collect();
        Ok(Policy {
            name: manifest.name,
            version: manifest.version,
            digest,
            origin: source.label.clone(),
            rules,
            params,
            what_if,
            questions,
            languages,
            names,
            labels,
            no_labels: Labels::none(Lang::En),
            rule_index: Arc::new(rule_index),
            stages,
            memo,
            sandbox,
        })
    }
}

/// A rule file's lines are bounded ([`limits::MAX_RULE_LINE`] characters, [`limits::MAX_RULE_LINES`] lines), so
/// every position reported in it is exact (rhai counts lines and columns up to 65,535).
fn check_rule_shape(text: &str, file: &str) -> Result<(), Vec<PolicyError>> {
    for (i, line) in text.lines().enumerate() {
        if i >= limits::MAX_RULE_LINES {
            return Err(vec![PolicyError::new(
                file,
                format!(
                    "the rule file has more than {} lines",
                    limits::MAX_RULE_LINES
                ),
            )
            .help("split the rule, or move data to a parameter file")]);
        }
        let chars = line.chars().count();
        if chars > limits::MAX_RULE_LINE {
            let mut e = PolicyError::new(
                file,
                format!(
                    "line {} is {chars} characters long, more than the limit of {}",
                    i + 1,
                    limits::MAX_RULE_LINE
                ),
            )
            .help("break the line, or move data to a parameter file");
            e.line = Some(i + 1);
            e.column = Some(1);
            return Err(vec![e]);
        }
    }
    Ok(())
}

fn compile_rule(
    sandbox: &Sandbox,
    params: &Parameters,
    text: &str,
    file: &str,
    stage: Stage,
    languages: &[Lang],
) -> Result<Rule, Vec<PolicyError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    check_rule_shape(text, file)?;
    let header = parse_header(text, file)?;
    let mut errors = Vec::new();
    let translations = check_translations(&header, file, text, languages, &mut errors);
    let get = |k: &str| header.fields.get(k).map(|(v, _)| v.clone());
    for key in ["id", "title", "basis", "met"] {
        if get(key).is_none_or(|v| v.is_empty()) {
            errors.push(PolicyError::new(file, format!("the rule header has no `{key}`")).at(1, 1, text).help(format!(
                "start the file with comment lines such as `// {key}: …`; every rule needs id, title, stage, basis and a `met` text"
            )));
        }
    }
    let declared_stage = match get("stage") {
        None => {
            errors.push(
                PolicyError::new(file, "the rule header has no `stage`")
                    .at(1, 1, text)
                    .help(format!("add `// stage: {}`", stage.as_str())),
            );
            stage
        }
        Some(s) => {
            match Stage::parse(&s) {
                Some(st) if st == stage => st,
                Some(st) => {
                    let line = header.fields.get("stage").map(|(_, l)| *l).unwrap_or(1);
                    errors.push(PolicyError::new(file, format!("the header says stage `{}` but the manifest lists the file under `{}`", st.as_str(), stage.as_str())).at(line, 4, text));
                    stage
                }
                None => {
                    let line = header.fields.get("stage").map(|(_, l)| *l).unwrap_or(1);
                    let names: Vec<&str> = Stage::ALL.iter().map(|s| s.as_str()).collect();
                    let mut e =
                        PolicyError::new(file, format!("unknown stage `{s}`")).at(line, 4, text);
                    e = match crate::model::suggest::did_you_mean(&s, names.iter().copied()) {
                        Some(sug) => e.help(format!("did you mean `{sug}`?")),
                        None => e.help(format!("stages are {}", names.join(", "))),
                    };
                    errors.push(e);
                    stage
                }
            }
        }
    };
    let kinds = declared_stage.kinds();
    let kind = match get("kind") {
        None if kinds.len() == 1 || declared_stage == Stage::Exclusions => {
            kinds.first().copied().unwrap_or(RuleKind::Amount)
        }
        None => {
            let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
            errors.push(
                PolicyError::new(file, "the rule header has no `kind`")
                    .at(1, 1, text)
                    .help(format!(
                        "rules of stage {} are one of: {}",
                        declared_stage.as_str(),
                        names.join(", ")
                    )),
            );
            RuleKind::Amount
        }
        Some(k) => match kinds.iter().find(|x| x.as_str() == k) {
            Some(&kind) => kind,
            None => {
                let line = header.fields.get("kind").map(|(_, l)| *l).unwrap_or(1);
                let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
                errors.push(
                    PolicyError::new(
                        file,
                        format!("kind `{k}` is not one of stage {}", declared_stage.as_str()),
                    )
                    .at(line, 4, text)
                    .help(format!(
                        "rules of stage {} are one of: {}",
                        declared_stage.as_str(),
                        names.join(", ")
                    )),
                );
                RuleKind::Amount
            }
        },
    };
    let id = get("id").unwrap_or_default();
    if !id.is_empty() && !id.starts_with(&format!("{}.", declared_stage.as_str())) {
        let line = header.fields.get("id").map(|(_, l)| *l).unwrap_or(1);
        errors.push(
            PolicyError::new(
                file,
                format!(
                    "rule id `{id}` must start with its stage, `{}.`",
                    declared_stage.as_str()
                ),
            )
            .at(line, 4, text),
        );
    }
    let ast = match sandbox.compile(&super::header::emptied_header(text)) {
        Ok(ast) => Some(ast),
        Err(e) => {
            let (line, col) = (e.1.line().unwrap_or(1), e.1.position().unwrap_or(1));
            errors
                .push(PolicyError::new(file, engine::describe_parse_error(&e)).at(line, col, text));
            None
        }
    };
    let scan = match &ast {
        Some(ast) => crate::policy::scan::scan(
            ast,
            params,
            crate::policy::scan::sandbox_functions(sandbox.engine()),
        ),
        None => Default::default(),
    };
    let stage_issues = match &ast {
        Some(ast) => crate::policy::scan::stage_issues(ast, declared_stage),
        None => Vec::new(),
    };
    let texts: Vec<(&str, &str, usize)> = header
        .fields
        .iter()
        .filter(|(k, _)| is_template_key(split_lang(k).map_or(k.as_str(), |(_, rest)| rest)))
        .map(|(k, (v, line))| (k.as_str(), v.as_str(), *line))
        .collect();
    let placeholder_issues = match &ast {
        Some(ast) => crate::policy::scan::placeholder_issues(ast, &texts, text),
        None => Vec::new(),
    };
    for issue in scan
        .issues
        .iter()
        .chain(&stage_issues)
        .chain(&placeholder_issues)
    {
        errors.push(
            PolicyError::new(file, issue.message.clone())
                .at(issue.line, issue.column, text)
                .help_opt(issue.help.clone()),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let texts = header
        .fields
        .iter()
        .filter(|(k, _)| is_template_key(k))
        .map(|(k, (v, _))| (k.clone(), v.clone()))
        .collect();
    let ast = sandbox.optimize(ast.unwrap_or_default());
    Ok(Rule {
        id,
        title: get("title").unwrap_or_default(),
        stage: declared_stage,
        kind,
        basis: get("basis").unwrap_or_default(),
        texts,
        translations,
        file: file.to_string(),
        numbers: crate::policy::scan::numbers_in(&ast),
        ast,
        scan,
        source: text.to_string(),
    })
}
