//! Expectation tests of a policy, and the coverage they give: the typed test file (`file`), running a test
//! (`run`) and coverage (`coverage`). Called by the `test` subcommand and the corpus tests.
//!
//! An expectation file (TOML, usually in `rules/tests/`) holds one or more tests. Each names a case file
//! (relative to the expectation file) and what must hold for it; every key is optional except `name` and
//! `case`, and a key the format does not know is an error naming it.
//!
//! ```toml
//! [[test]]
//! name = "T1 Hunan: dependant of an incapacitated earner"
//! case = "../../fixtures/cases/t01_hunan_incapacitated_earner.json"
//! decision = "assist"            # assist | decline | needs_information (a misspelt value is a load error)
//! tier = "A"
//! score = 90                     # or score_min / score_max
//! amount = 41000                 # or amount_min / amount_max
//! referrals = ["education_aid"]  # must be among the referrals
//! no_referrals = ["social_assistance_coordination"]
//! fired = ["eligibility.dependant_of_incapacitated_earner"]   # rules that must be met
//! not_fired = ["exclusions.major_fault"]                      # rules that must not be met
//! unknown = []                   # rules that must be undecided for want of facts
//! missing = []                   # exactly these facts missing (JSON Pointers)
//! approvals = ["collective_decision"]                         # exactly these approvals
//! discretionary = false
//! fast_track = false
//! co_recipients = 4
//! payment = "one_off"
//! ```

mod coverage;
mod file;
mod run;

pub use coverage::{coverage, Coverage, RuleCoverage};
pub use file::{case_path, find_files, load, Expectation, MAX_FILE_SIZE};
pub use run::{assess_case, run, TestResult};
