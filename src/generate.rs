//! A deterministic generator of realistic, valid case files, for property tests and benchmarks (only with the
//! `testing` feature). Called by the law tests, the `generate` example and the bench.
//!
//! The same seed always gives the same cases. They span every eligibility pathway, exclusion and priority
//! category, men and women, and leave a small share of facts unknown (`null` or absent), as real referrals do.

use serde_json::{json, Value};

const PROVINCES: [&str; 31] = [
    "Beijing",
    "Tianjin",
    "Hebei",
    "Shanxi",
    "Inner Mongolia",
    "Liaoning",
    "Jilin",
    "Heilongjiang",
    "Shanghai",
    "Jiangsu",
    "Zhejiang",
    "Anhui",
    "Fujian",
    "Jiangxi",
    "Shandong",
    "Henan",
    "Hubei",
    "Hunan",
    "Guangdong",
    "Guangxi",
    "Hainan",
    "Chongqing",
    "Sichuan",
    "Guizhou",
    "Yunnan",
    "Tibet",
    "Shaanxi",
    "Gansu",
    "Qinghai",
    "Ningxia",
    "Xinjiang",
];

/// `maybe!(gen, value)`: the value, or `null` at the unknown rate (the value is computed first).
macro_rules! maybe {
    ($g:expr, $v:expr) => {{
        let v = $v;
        $g.maybe(v)
    }};
}

/// Generates cases from a seed.
pub struct Generator {
    rng: fastrand::Rng,
    next_id: u64,
    /// Share of facts left unknown (0.0–1.0).
    pub unknown_rate: f64,
}

impl Generator {
    /// A generator for `seed`, leaving about 3% of facts unknown.
    pub fn new(seed: u64) -> Self {
        Generator {
            rng: fastrand::Rng::with_seed(seed),
            next_id: 0,
            unknown_rate: 0.03,
        }
    }

    #[allow(clippy::indexing_slicing)] // every caller passes a non-empty literal list; the index is below its length
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.usize(..items.len())]
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.f64() < p
    }

    /// The value, or `null` at the unknown rate.
    fn maybe(&mut self, v: Value) -> Value {
        // (called through `maybe!`)
        if self.chance(self.unknown_rate) {
            Value::Null
        } else {
            v
        }
    }

    fn money(&mut self, lo: u32, hi: u32, step: u32) -> Value {
        let n = self.rng.u32(lo / step..=hi / step) * step;
        Value::from(n)
    }

    /// The next case.
    pub fn case(&mut self) -> Value {
        self.next_id += 1;
        let female = self.chance(0.7);
        let kind = *self.pick(&[
            "criminal",
            "criminal",
            "criminal",
            "criminal",
            "civil_tort",
            "retaliation",
            "other",
        ]);
        let offence = match kind {
            "civil_tort" => *self.pick(&[
                "traffic_accident",
                "workplace_sexual_harassment",
                "employment_discrimination",
                "other",
            ]),
            _ => *self.pick(&[
                "intentional_homicide",
                "intentional_injury",
                "domestic_violence",
                "sexual_assault",
                "trafficking",
                "robbery",
                "theft",
                "fraud",
                "other",
            ]),
        };
        let outcome = match offence {
            "theft" | "fraud" => "none",
            "workplace_sexual_harassment" | "employment_discrimination" => {
                *self.pick(&["psychological_harm", "none"])
            }
            "intentional_homicide" => {
                *self.pick(&["death", "death", "serious_injury", "lost_labour_capacity"])
            }
            _ => *self.pick(&[
                "death",
                "lost_labour_capacity",
                "serious_injury",
                "severe_disability",
                "light_injury",
                "light_injury",
                "psychological_harm",
            ]),
        };
        let relation =
            if outcome == "death" || (outcome == "lost_labour_capacity" && self.chance(0.6)) {
                *self.pick(&[
                    "spouse",
                    "spouse",
                    "parent",
                    "child",
                    "sibling",
                    "other_dependant",
                ])
            } else {
                *self.pick(&["self", "self", "self", "self", "spouse"])
            };
        let dv = matches!(offence, "domestic_violence") || (female && self.chance(0.15));
        let perpetrator = if dv {
            *self.pick(&["spouse", "former_spouse", "partner", "family_member"])
        } else {
            *self.pick(&["acquaintance", "stranger", "unknown", "employer"])
        };
        let age = if self.chance(0.05) {
            self.rng.u32(8..18)
        } else {
            self.rng.u32(18..86)
        };
        let size = self.rng.u32(1..9);
        let n_deps = if size > 1 {
            self.rng.u32(0..size.min(7))
        } else {
            0
        };
        let mut dependants = Vec::new();
        for _ in 0..n_deps {
            let rel = *self.pick(&[
                "child",
                "child",
                "child",
                "parent",
                "parent_in_law",
                "grandchild",
                "spouse",
                "other",
            ]);
            let dep_age = match rel {
                "child" | "grandchild" => self.rng.u32(0..25),
                "parent" | "parent_in_law" => self.rng.u32(50..95),
                _ => self.rng.u32(20..80),
            };
            let disabled = self.chance(0.08);
            let v = json!({
                "relation": maybe!(self, json!(rel)),
                "age": maybe!(self, json!(dep_age)),
                "disabled": maybe!(self, json!(disabled)),
                "disability_certificate": if disabled { maybe!(self, json!(self.chance(0.5))) } else { json!(false) },
                "seriously_ill": maybe!(self, json!(self.chance(0.05))),
                "in_school": maybe!(self, json!((6..23).contains(&dep_age) && self.chance(0.8))),
            });
            dependants.push(v);
        }
        let loss = self.money(0, 900_000, 1000);
        let loss_n = loss.as_u64().unwrap_or(0);
        let received = if self.chance(0.7) {
            0
        } else {
            self.rng.u64(0..=loss_n + loss_n / 5 + 1) / 100 * 100
        };
        let urgent = outcome != "none" && outcome != "death" && self.chance(0.12);
        let stage = if self.chance(0.05) {
            "none"
        } else {
            *self.pick(&[
                "arrest_review",
                "prosecution_review",
                "trial_supervision",
                "civil_supervision",
                "support_prosecution",
                "complaint_appeal",
            ])
        };
        let year = self.rng.u32(2022..=2024);
        let month = self.rng.u32(1..=12);
        let day = self.rng.u32(1..=28);
        let fault = *self.pick(&[
            "none",
            "none",
            "none",
            "none",
            "none",
            "minor",
            "considerable",
            "major",
        ]);
        let disability = *self.pick(&[
            "none", "none", "none", "none", "none", "none", "mild", "severe",
        ]);
        let mut case = json!({
            "schema_version": 1,
            "case_id": format!("GEN-{:08}", self.next_id),
            "decision_date": format!("{year}-{month:02}-{day:02}"),
            "jurisdiction": { "province": maybe!(self, json!(self.pick(&PROVINCES))) },
            "clue_source": maybe!(self, json!(self.pick(&["womens_federation", "procuratorate_case_handling", "other_supervision", "self_application", "hotline_or_petition", "rural_revitalisation_dept"]))),
            "procuratorial_stage": maybe!(self, json!(stage)),
            "applicant": {
                "kind": maybe!(self, json!(if self.chance(0.01) { "organisation" } else { "natural_person" })),
                "sex": maybe!(self, json!(if female { "female" } else { "male" })),
                "age": maybe!(self, json!(age)),
                "relation_to_victim": maybe!(self, json!(relation)),
                "relied_on_victim_income": maybe!(self, json!(relation != "self" && self.chance(0.85))),
                "rural_hukou": maybe!(self, json!(self.chance(0.45))),
                "disability": maybe!(self, json!(disability)),
                "disability_certificate": maybe!(self, json!(disability != "none" && self.chance(0.5))),
                "serious_illness": maybe!(self, json!(self.chance(0.06))),
                "veteran_or_military_family": maybe!(self, json!(self.chance(0.03))),
                "petitioner": maybe!(self, json!(self.chance(0.05))),
                "employed": maybe!(self, json!(self.chance(0.5))),
                "no_family_support": maybe!(self, json!(age >= 60 && self.chance(0.4))),
                "divorce_suit_for_domestic_violence": maybe!(self, json!(dv && self.chance(0.3))),
            },
            "incident": {
                "kind": maybe!(self, json!(kind)),
                "offence": maybe!(self, json!(offence)),
                "perpetrator_relation": maybe!(self, json!(perpetrator)),
                "domestic_violence": maybe!(self, json!(dv)),
                "sexual_violence": maybe!(self, json!(offence == "sexual_assault")),
                "trafficking": maybe!(self, json!(offence == "trafficking")),
                "victim_outcome": maybe!(self, json!(outcome)),
                "victim_was_main_earner": maybe!(self, json!(self.chance(0.4))),
                "urgent_treatment_needed": maybe!(self, json!(urgent)),
                "unpaid_medical_costs": if urgent { self.money(1000, 200_000, 500) } else { json!(0) },
                "property_loss": if matches!(offence, "theft" | "fraud" | "robbery") { self.money(500, 300_000, 100) } else { json!(0) },
                "assessed_loss": maybe!(self, loss),
                "compensation_received": maybe!(self, json!(received)),
                "no_compensation_reason": maybe!(self, json!(self.pick(&["unsolved", "time_barred", "offender_dead", "offender_insolvent", "offender_insolvent", "enforcement_failed", "enforcement_failed", "litigation_pending", "none"]))),
            },
            "conduct": {
                "applicant_fault": maybe!(self, json!(fault)),
                "refused_cooperation": maybe!(self, json!(self.chance(0.02))),
                "false_statement_or_forgery": maybe!(self, json!(self.chance(0.02))),
                "waived_compensation": maybe!(self, json!(self.chance(0.02))),
            },
            "household": {
                "size": maybe!(self, json!(size)),
                "monthly_income": maybe!(self, self.money(0, 20_000, 100)),
                "hardship_caused_by_case": maybe!(self, json!(self.chance(0.9))),
                "hardship_certificate": maybe!(self, json!(self.chance(0.7))),
                "receives_minimum_living_allowance": maybe!(self, json!(self.chance(0.15))),
                "poverty_relapse_monitoring": maybe!(self, json!(self.chance(0.15))),
                "social_assistance_covering_case_loss": maybe!(self, json!(self.chance(0.03))),
                "applicant_is_sole_earner": maybe!(self, json!(self.chance(0.4))),
                "dependants": if self.chance(self.unknown_rate) { Value::Null } else { Value::Array(dependants) },
            },
            "prior_assistance": if self.chance(0.05) {
                json!({ "same_case": true, "amount": self.money(1000, 50_000, 1000) })
            } else {
                json!({ "same_case": false, "amount": 0 })
            },
        });
        // Absent is unknown too: drop some nulls instead of writing them.
        if let Some(obj) = case.as_object_mut() {
            for (_, section) in obj.iter_mut() {
                if let Some(fields) = section.as_object_mut() {
                    let drop: Vec<String> = fields
                        .iter()
                        .filter(|(_, v)| v.is_null())
                        .map(|(k, _)| k.clone())
                        .collect();
                    for k in drop {
                        if self.chance(0.5) {
                            fields.remove(&k);
                        }
                    }
                }
            }
        }
        case
    }

    /// `n` cases.
    pub fn cases(&mut self, n: usize) -> Vec<Value> {
        (0..n).map(|_| self.case()).collect()
    }
}

/// Writes a case's keys in another order (reversed), to check that order never matters.
pub fn reverse_keys(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .rev()
                .map(|(k, v)| format!("{}:{}", Value::from(k.as_str()), reverse_keys(v)))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(reverse_keys).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}
