//! The fact catalogue: every path a rule may read in a case file, derived from the case schema (so the schema
//! is the one source of truth for what a fact is called and what type it has). Read by validation, the engine's
//! fact access, the static checks, what-if and the interview.
//!
//! Paths use the JSON Pointer form with `*` for an array element: `/household/dependants/*/age`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;

/// What kind of value a fact holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactType {
    /// An object with named children (by node index).
    Object(BTreeMap<String, usize>),
    /// An array whose elements are the given node.
    Array(usize),
    /// A whole number.
    Integer,
    /// A number (money).
    Number,
    /// `true` or `false`.
    Boolean,
    /// A string; `choices` lists the allowed values when the schema names them.
    String {
        /// The allowed values, when the schema names them.
        choices: Vec<String>,
    },
}

/// A fact of one case, compactly: a catalogue node and, below an array, the element's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FactRef {
    /// The catalogue node.
    pub node: u32,
    /// The array index, or [`FactRef::NO_INDEX`].
    pub index: u32,
}

impl FactRef {
    /// Marks a fact that is not inside an array.
    pub const NO_INDEX: u32 = u32::MAX;

    /// A fact outside any array.
    pub fn plain(node: usize) -> Self {
        FactRef {
            node: node as u32,
            index: Self::NO_INDEX,
        }
    }

    /// The fact's JSON Pointer, e.g. `/household/dependants/2/age`.
    pub fn pointer(self) -> String {
        let path = catalogue()
            .node(self.node as usize)
            .map(|n| n.path.as_str())
            .unwrap_or("");
        if self.index == Self::NO_INDEX {
            path.to_string()
        } else {
            path.replacen('*', &self.index.to_string(), 1)
        }
    }
}

/// One node of the catalogue.
#[derive(Debug, Clone)]
pub struct FactNode {
    /// The path, e.g. `/household/dependants/*/age`.
    pub path: String,
    /// The schema's description.
    pub description: String,
    /// The value's type.
    pub ty: FactType,
    /// Whether rules may read it (`notes` and `$schema` are not facts).
    pub readable: bool,
    /// The path's segments (`*` for an array element), for walking a case without parsing a pointer.
    pub segments: Vec<String>,
    /// The schema's bounds of a number (`minimum`, `maximum`), when it gives them.
    pub bounds: (Option<f64>, Option<f64>),
}

/// All facts of the case schema.
#[derive(Debug, Clone)]
pub struct FactCatalogue {
    nodes: Vec<FactNode>,
}

/// The catalogue of the built-in case schema.
pub fn catalogue() -> &'static FactCatalogue {
    static CATALOGUE: OnceLock<FactCatalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| FactCatalogue::from_schema(crate::model::schema::case_schema_ref()))
}

impl FactCatalogue {
    /// Builds the catalogue from a JSON Schema as schemars generates it.
    pub fn from_schema(schema: &Value) -> Self {
        let mut cat = FactCatalogue { nodes: Vec::new() };
        cat.add(schema, schema, String::new(), String::new());
        cat
    }

    fn add(&mut self, root: &Value, schema: &Value, path: String, description: String) -> usize {
        let schema = resolve(root, schema);
        // The schema keeps a doc comment's line breaks; a sentence that names the fact runs on one line.
        let description = schema
            .get("description")
            .and_then(Value::as_str)
            .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or(description);
        let id = self.nodes.len();
        let readable = !(path.ends_with("/notes") || path.ends_with("/$schema"));
        let segments = path.split('/').skip(1).map(str::to_string).collect();
        self.nodes.push(FactNode {
            path: path.clone(),
            description: description.clone(),
            ty: FactType::Boolean,
            readable,
            segments,
            bounds: (
                schema.get("minimum").and_then(Value::as_f64),
                schema.get("maximum").and_then(Value::as_f64),
            ),
        });
        let ty = if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            let mut children = BTreeMap::new();
            for (name, sub) in props {
                let child = self.add(root, sub, format!("{path}/{name}"), String::new());
                children.insert(name.clone(), child);
            }
            FactType::Object(children)
        } else if let Some(items) = schema.get("items") {
            FactType::Array(self.add(root, items, format!("{path}/*"), description))
        } else {
            let types = types_of(schema);
            if types.iter().any(|t| t == "integer") {
                FactType::Integer
            } else if types.iter().any(|t| t == "number") {
                FactType::Number
            } else if types.iter().any(|t| t == "boolean") {
                FactType::Boolean
            } else {
                FactType::String {
                    choices: choices_of(root, schema),
                }
            }
        };
        if let Some(node) = self.nodes.get_mut(id) {
            node.ty = ty;
        }
        id
    }

    /// The root node (the whole case).
    pub fn root(&self) -> usize {
        0
    }

    /// A node by index.
    pub fn node(&self, id: usize) -> Option<&FactNode> {
        self.nodes.get(id)
    }

    /// All nodes.
    pub fn nodes(&self) -> &[FactNode] {
        &self.nodes
    }

    /// The child of an object node, by name.
    pub fn child(&self, id: usize, name: &str) -> Option<usize> {
        match &self.node(id)?.ty {
            FactType::Object(children) => children.get(name).copied(),
            _ => None,
        }
    }

    /// The names of an object node's children.
    pub fn child_names(&self, id: usize) -> Vec<&str> {
        match self.node(id).map(|n| &n.ty) {
            Some(FactType::Object(children)) => children.keys().map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// The node for a JSON Pointer into a case (array indices allowed), if the schema has it.
    pub fn lookup(&self, pointer: &str) -> Option<usize> {
        let mut id = self.root();
        for seg in pointer.split('/').skip(1) {
            id = match &self.node(id)?.ty {
                FactType::Object(children) => *children.get(&unescape(seg))?,
                FactType::Array(item) => *item,
                _ => return None,
            };
        }
        Some(id)
    }

    /// The value of a fact in a case, if present (it may be `null`).
    pub fn value<'a>(&self, case: &'a Value, fact: FactRef) -> Option<&'a Value> {
        let node = self.node(fact.node as usize)?;
        let mut v = case;
        for seg in &node.segments {
            v = if seg == "*" {
                v.get(fact.index as usize)?
            } else {
                v.get(seg.as_str())?
            };
        }
        Some(v)
    }

    /// The allowed keys of the object at an instance pointer (for "did you mean").
    pub fn object_keys(&self, pointer: &str) -> Vec<String> {
        self.lookup(pointer)
            .map(|id| {
                self.child_names(id)
                    .into_iter()
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn unescape(seg: &str) -> String {
    seg.replace("~1", "/").replace("~0", "~")
}

/// Follows `$ref` and unwraps `anyOf: [X, {type: null}]` (how schemars writes `Option<X>`).
fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    let mut s = schema;
    for _ in 0..8 {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            match r.strip_prefix('#').and_then(|p| root.pointer(p)) {
                Some(target) => s = target,
                None => return s,
            }
        } else if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
            match any
                .iter()
                .find(|v| v.get("type").and_then(Value::as_str) != Some("null"))
            {
                Some(inner) => s = inner,
                None => return s,
            }
        } else {
            return s;
        }
    }
    s
}

fn types_of(schema: &Value) -> Vec<String> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn choices_of(root: &Value, schema: &Value) -> Vec<String> {
    let schema = resolve(root, schema);
    let mut out = Vec::new();
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        out.extend(values.iter().filter_map(Value::as_str).map(str::to_string));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = schema.get(key).and_then(Value::as_array) {
            for alt in alts {
                if let Some(c) = alt.get("const").and_then(Value::as_str) {
                    out.push(c.to_string());
                }
                if let Some(values) = alt.get("enum").and_then(Value::as_array) {
                    out.extend(values.iter().filter_map(Value::as_str).map(str::to_string));
                }
            }
        }
    }
    out
}
