//! Parameters: every number the rules use, in data files, with its unit, its reference, the date from which it
//! is in force and, where it varies, its region. Estimated values say so. Filled by `policy::params`; looked up
//! by the engine (`params.<name>`), the assessment and the reports.
//!
//! A parameter file is TOML; each top-level table is one parameter:
//!
//! ```toml
//! [wage_base]
//! title = "Average monthly wage of employees in the previous year"
//! unit = "CNY/month"
//! reference = "Six-Department Opinions (2014) Part III; SPP Detailed Rules (2021)"
//! by_region = true
//!
//! [[wage_base.values]]
//! region = "Beijing"
//! from = "2022-01-01"
//! until = "2022-12-31"
//! value = 16221
//! year = 2021
//! source = "国家统计局《中国统计年鉴2022》，分地区城镇非私营单位就业人员年平均工资（2021年）"
//! provenance = "the yearbook's table read from a repost; a second list agrees"
//! ```
//!
//! `source` is the citation reports show; `provenance` (how the figure was found and checked) is for analysts and
//! is never shown or serialised.
//!
//! Evaluating "as of" a date picks, among the values in force on that date (`from` ≤ date ≤ `until`), the most
//! specific region (province, then its macro-region from the manifest, then `national`), then the latest `from`.
//! A regional value whose period has ended is carried forward, as an estimate, before a less specific region's
//! value: a province without a figure for the year uses its own latest earlier figure before its macro-region's
//! (see [`Parameters::resolve`]).

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Deserialize;
use serde_json::Value;

/// Units a parameter may have.
pub const UNITS: [&str; 10] = [
    "CNY",
    "CNY/month",
    "CNY/person/month",
    "months",
    "months/dependant",
    "factor",
    "points",
    "years",
    "ratio",
    "count",
];

/// One parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Name, as rules read it: `params.<name>`.
    pub name: String,
    /// What it is.
    pub title: String,
    /// Its unit (one of [`UNITS`]).
    pub unit: String,
    /// The source it comes from.
    pub reference: String,
    /// Whether its values vary by region.
    pub by_region: bool,
    /// Its values over time (and regions).
    pub values: Vec<ParamValue>,
    /// The file it is defined in, as shown to users.
    pub file: String,
    /// The line of its table header in that file.
    pub line: Option<usize>,
    /// The text of that line.
    pub source_line: String,
    /// The name, shared cheaply by every assessment that reads it.
    pub key: std::sync::Arc<str>,
}

/// One value of a parameter, in force over a period (and a region). Its dates are [`Date`]s; a parameter file is
/// first read with dates as written (`ParamValue<String>`), so that a wrong date is reported with the other
/// problems of its parameter, then [`ParamValue::dated`].
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ParamValue<D = Date> {
    /// First day in force (`YYYY-MM-DD`).
    pub from: D,
    /// Last day in force, if it has one.
    #[serde(default = "none")]
    pub until: Option<D>,
    /// Province, macro-region or `national` (only for parameters `by_region`).
    #[serde(default)]
    pub region: Option<String>,
    /// The value: a number, a string, or a table of numbers keyed by a fact's values.
    pub value: Value,
    /// The statistical year the value describes (wage figures).
    #[serde(default)]
    pub year: Option<u32>,
    /// Where this particular value comes from, if more specific than the parameter's reference.
    #[serde(default)]
    pub source: Option<String>,
    /// The value is an estimate (e.g. a regional average standing in for a province).
    #[serde(default)]
    pub estimate: bool,
    /// Free remark.
    #[serde(default)]
    pub note: Option<String>,
    /// For analysts only, never shown by a report or `assessor rules`: where the figure was found and how it was
    /// checked (reposts, mirrors, what agreed, what was missing). `source` is the citation a reader can check.
    #[serde(default, skip_serializing)]
    pub provenance: Option<String>,
    #[serde(skip)]
    /// The value as the rules read it (filled in when the parameter file is read).
    pub dynamic: rhai::Dynamic,
}

fn none<D>() -> Option<D> {
    None
}

impl ParamValue<String> {
    /// The same value with its dates read.
    pub fn dated(self, from: Date, until: Option<Date>) -> ParamValue {
        ParamValue {
            from,
            until,
            region: self.region,
            value: self.value,
            year: self.year,
            source: self.source,
            estimate: self.estimate,
            note: self.note,
            provenance: self.provenance,
            dynamic: self.dynamic,
        }
    }
}

/// All parameters of a policy.
#[derive(Debug, Clone, Default)]
pub struct Parameters {
    by_name: BTreeMap<String, Parameter>,
    regions: BTreeMap<String, Vec<String>>,
}

/// The outcome of looking a parameter up as of a date and province.
#[derive(Debug, Clone)]
pub enum Lookup<'a> {
    /// The value in force.
    Found(&'a ParamValue),
    /// The parameter varies by region and the province is unknown.
    NeedsProvince,
    /// No value is in force then (there).
    NoneInForce,
    /// No such parameter.
    NoSuchParameter,
}

impl Parameters {
    /// No parameters yet, with the manifest's macro-regions (region → its provinces).
    pub fn new(regions: BTreeMap<String, Vec<String>>) -> Self {
        Parameters {
            by_name: BTreeMap::new(),
            regions,
        }
    }

    /// Adds a parameter (replacing one of the same name).
    pub fn insert(&mut self, p: Parameter) {
        self.by_name.insert(p.name.clone(), p);
    }

    /// A parameter by name.
    pub fn get(&self, name: &str) -> Option<&Parameter> {
        self.by_name.get(name)
    }

    /// All parameter names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    /// All parameters, sorted by name.
    pub fn all(&self) -> impl Iterator<Item = &Parameter> {
        self.by_name.values()
    }

    /// The macro-region a province belongs to, if the manifest names one.
    pub fn region_of(&self, province: &str) -> Option<&str> {
        self.regions
            .iter()
            .find(|(_, members)| members.iter().any(|m| m == province))
            .map(|(r, _)| r.as_str())
    }

    /// Every province the manifest's macro-regions list, with its macro-region, in the manifest's order (regions
    /// sorted by name).
    pub fn provinces(&self) -> impl Iterator<Item = (&str, &str)> {
        self.regions
            .iter()
            .flat_map(|(r, ps)| ps.iter().map(move |p| (r.as_str(), p.as_str())))
    }

    /// The value of `name` in force on `date` for `province`.
    pub fn lookup(&self, name: &str, date: Date, province: Option<&str>) -> Lookup<'_> {
        match self.resolve(name, date, province) {
            Ok(r) => Lookup::Found(r.value),
            Err(e) => e,
        }
    }

    /// The value of `name` for a decision on `date` in `province`, and where it comes from.
    ///
    /// For a parameter that varies by region the order is: the province's value in force; the province's latest
    /// earlier value, carried forward; its macro-region's value in force, then carried forward; the national
    /// value in force, then carried forward. Anything but the province's own value in force is an estimate
    /// ([`Resolved::estimate`]). A parameter that does not vary by region has only values in force.
    pub fn resolve(
        &self,
        name: &str,
        date: Date,
        province: Option<&str>,
    ) -> Result<Resolved<'_>, Lookup<'_>> {
        let Some(p) = self.by_name.get(name) else {
            return Err(Lookup::NoSuchParameter);
        };
        let in_force = |v: &ParamValue| v.from <= date && v.until.is_none_or(|u| date <= u);
        if !p.by_region {
            return p
                .values
                .iter()
                .filter(|v| in_force(v))
                .max_by(|a, b| a.from.cmp(&b.from))
                .map(|value| Resolved {
                    value,
                    source: Source::Own,
                    carried_forward: false,
                })
                .ok_or(Lookup::NoneInForce);
        }
        let Some(province) = province else {
            return Err(Lookup::NeedsProvince);
        };
        let macro_region = self.region_of(province);
        let source_of = |v: &ParamValue| match v.region.as_deref() {
            Some(r) if r == province => Some(Source::Own),
            Some(r) if Some(r) == macro_region => Some(Source::MacroRegion),
            Some("national") => Some(Source::National),
            _ => None,
        };
        // Rank: the region's level first, then a value in force before one carried forward, then the latest.
        p.values
            .iter()
            .filter(|v| v.from <= date)
            .filter_map(|v| source_of(v).map(|s| (s, !in_force(v), v)))
            .min_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then(b.2.from.cmp(&a.2.from)))
            .map(|(source, carried_forward, value)| Resolved {
                value,
                source,
                carried_forward,
            })
            .ok_or(Lookup::NoneInForce)
    }
}

/// Whose value a regional parameter's lookup found.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The province's own value (or the only value of a parameter that does not vary by region).
    Own,
    /// The province's macro-region's value, standing in for the province.
    MacroRegion,
    /// The national value, standing in for the province.
    National,
}

/// A value found for a decision, and where it comes from.
#[derive(Debug, Clone, Copy)]
pub struct Resolved<'a> {
    /// The value.
    pub value: &'a ParamValue,
    /// Whose value it is.
    pub source: Source,
    /// Its period ended before the decision date: it is the latest earlier value, carried forward.
    pub carried_forward: bool,
}

impl Resolved<'_> {
    /// The value is not the province's own for the decision's date, or its data say it is an estimate.
    pub fn estimate(&self) -> bool {
        self.value.estimate || self.carried_forward || self.source != Source::Own
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(from: &str, until: Option<&str>, v: i64) -> ParamValue {
        let raw: ParamValue<String> = ParamValue {
            from: from.into(),
            until: until.map(Into::into),
            region: None,
            value: Value::from(v),
            year: None,
            source: None,
            estimate: false,
            note: None,
            provenance: None,
            dynamic: rhai::Dynamic::UNIT,
        };
        let day = |s: &str| crate::model::case::parse_date(s).unwrap();
        raw.dated(day(from), until.map(day))
    }

    #[test]
    fn the_value_in_force_is_found_by_date() {
        let mut params = Parameters::new(BTreeMap::new());
        params.insert(Parameter {
            name: "limit".into(),
            title: String::new(),
            unit: "CNY".into(),
            reference: String::new(),
            by_region: false,
            values: vec![
                value("2022-01-01", Some("2022-06-30"), 1),
                value("2022-07-01", None, 2),
            ],
            file: String::new(),
            line: None,
            source_line: String::new(),
            key: std::sync::Arc::from("limit"),
        });
        let at = |d: Date| match params.lookup("limit", d, None) {
            Lookup::Found(v) => v.value.as_i64(),
            _ => None,
        };
        assert_eq!(at(jiff::civil::date(2021, 12, 31)), None);
        assert_eq!(at(jiff::civil::date(2022, 6, 30)), Some(1));
        assert_eq!(at(jiff::civil::date(2022, 7, 1)), Some(2));
        assert_eq!(at(jiff::civil::date(2030, 1, 1)), Some(2));
    }
}
