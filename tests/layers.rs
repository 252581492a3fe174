//! The library's layers only look down (see the map in `src/lib.rs`): every `crate::…` path in a file of `src/`
//! names a module of its own layer or of one below, no two files import each other in a loop, no file is over
//! 600 lines, and each starts with a doc line saying what it holds. Read from the source text, so it runs in
//! `cargo test` (and so in CI) with nothing to install.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom first. A module may import from its own layer (only itself, for a tool) and those below.
const LAYERS: &[&[&str]] = &[
    &["model"],
    &["validate"],
    &["engine"],
    &["policy"],
    &["assess"],
    &["explain"],
    &["report"],
    &["check", "generate"],
    &["summary"],
    &["diff", "expect", "interview"],
    &["serve"],
];

const MAX_LINES: usize = 600;

fn layer_of(top: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&top))
}

/// Every `.rs` file of the library (the CLI is the binary's: it sits on top and may import anything).
fn library_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "cli") {
                    walk(&p, out);
                }
            } else if p.extension().is_some_and(|e| e == "rs")
                && !matches!(
                    p.file_name().and_then(|n| n.to_str()),
                    Some("main.rs" | "cli.rs")
                )
            {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out
}

/// The module path of a file: `src/policy/scan.rs` → `["policy", "scan"]`, `src/policy/mod.rs` → `["policy"]`.
fn module_of(file: &Path) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rel = file.strip_prefix(&src).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|s| s.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
        parts.pop();
    }
    parts
}

/// The source without its comments and string literals' contents (a path in a doc comment is not an import).
fn code_only(text: &str) -> String {
    text.lines()
        .map(|l| {
            let t = l.trim_start();
            if t.starts_with("//") {
                ""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `crate::a::b…` and `super::b…` paths a file names (module `me`), as module paths (as long as the files that
/// exist allow). A test module's `use super::*` names the file itself and is left out.
fn imports(text: &str, modules: &BTreeSet<Vec<String>>, me: &[String]) -> BTreeSet<Vec<String>> {
    let code = code_only(text).replace("use super::*;", "");
    let segments = |after: &str| -> Vec<String> {
        after
            .split("::")
            .map(|seg| {
                seg.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .take_while(|s| !s.is_empty())
            .collect()
    };
    let mut paths = Vec::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        paths.push(segments(after));
        rest = after;
    }
    // `super::` (once or more) from the file's module: its parent, and so on up.
    let mut rest = code.as_str();
    while let Some(i) = rest.find("super::") {
        let mut after = &rest[i..];
        let mut up = 0;
        while let Some(next) = after.strip_prefix("super::") {
            up += 1;
            after = next;
        }
        if i < 2 || !rest[..i].ends_with("::") {
            if let Some(base) = me.len().checked_sub(up) {
                let mut path = me[..base].to_vec();
                path.extend(segments(after));
                paths.push(path);
            }
        }
        rest = after;
    }
    let mut out = BTreeSet::new();
    for path in paths {
        // The longest prefix that is a module of the crate.
        for n in (1..=path.len()).rev() {
            if modules.contains(&path[..n].to_vec()) {
                out.insert(path[..n].to_vec());
                break;
            }
        }
    }
    out
}

#[test]
fn the_library_s_layers_only_look_down_and_its_files_form_no_loop() {
    let files = library_files();
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(f)).collect();
    let mut problems = Vec::new();
    let mut graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for file in &files {
        let me = module_of(file);
        let Some(top) = me.first() else { continue }; // lib.rs: the crate's map and re-exports
        let Some(mine) = layer_of(top) else {
            problems.push(format!(
                "{}: module `{top}` is in no layer (add it to LAYERS in tests/layers.rs and to the map in src/lib.rs)",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for target in imports(&text, &modules, &me) {
            if target.first() == Some(top) {
                if target != me {
                    graph.entry(me.clone()).or_default().insert(target);
                }
                continue;
            }
            let theirs = layer_of(&target[0]).unwrap_or(usize::MAX);
            if theirs >= mine {
                problems.push(format!(
                    "{}: imports `crate::{}`, which is {} (layer of `{}`: {}, its own: {})",
                    file.display(),
                    target.join("::"),
                    if theirs == mine {
                        "beside it"
                    } else {
                        "above it"
                    },
                    target[0],
                    theirs,
                    mine
                ));
            }
        }
    }
    // Loops between files of one module (a file's parent module may name its children freely).
    for (from, tos) in &graph {
        for to in tos {
            let is_child = to.len() > from.len() && to.starts_with(from);
            if is_child {
                continue;
            }
            if reaches(&graph, to, from, &mut BTreeSet::new()) {
                problems.push(format!(
                    "`{}` and `{}` import each other (directly or through others)",
                    from.join("::"),
                    to.join("::")
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn reaches(
    graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
    from: &Vec<String>,
    target: &Vec<String>,
    seen: &mut BTreeSet<Vec<String>>,
) -> bool {
    if from == target {
        return true;
    }
    if !seen.insert(from.clone()) {
        return false;
    }
    graph.get(from).is_some_and(|tos| {
        tos.iter()
            .filter(|to| !(to.len() > from.len() && to.starts_with(from)))
            .any(|to| reaches(graph, to, target, seen))
    })
}

#[test]
fn every_file_is_short_and_says_what_it_holds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    let mut all = library_files();
    all.push(root.join("main.rs"));
    all.push(root.join("cli.rs"));
    for entry in std::fs::read_dir(root.join("cli")).unwrap() {
        all.push(entry.unwrap().path());
    }
    for file in all {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines = text.lines().count();
        if lines > MAX_LINES {
            problems.push(format!(
                "{}: {lines} lines (at most {MAX_LINES})",
                file.display()
            ));
        }
        if !text.starts_with("//!") {
            problems.push(format!(
                "{}: does not start with a `//!` line saying what it holds and who calls it",
                file.display()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
