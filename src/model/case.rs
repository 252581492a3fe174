//! The case file, schema version 1: the facts of one application for judicial assistance. Read by validation
//! (which types it), the assessment, the interview and the generator.
//!
//! Facts only: rules derive categories (such as "woman whose household lost its main earner") from these facts,
//! never the other way round. Every fact is optional: a field that is absent or `null` is **unknown**, which is
//! not the same as `false` or `0`. Unknown keys are errors. Money is in yuan (CNY), ages in whole years, dates
//! ISO 8601 (`YYYY-MM-DD`).
//!
//! The JSON Schema in `schemas/case.schema.json` is generated from these types (their doc comments become its
//! descriptions); a test keeps the two in step.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The schema version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Upper bound for any sum of money in a case file, in yuan (¥10 billion): larger figures are typing errors.
pub const MAX_MONEY: f64 = 10_000_000_000.0;

/// One application for national judicial assistance (国家司法救助): who applies, what happened, the household's
/// situation, and the applicant's conduct. Absent or `null` means unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Case file for judicial assistance (schema version 1)")]
pub struct Case {
    /// Optional link to this schema, for editors.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Always 1 for this version of the case file.
    #[schemars(range(min = 1, max = 1))]
    pub schema_version: u32,
    /// The case's identifier in the handling procuratorate's records, e.g. `HN-2022-0137`.
    #[schemars(length(min = 1, max = 200))]
    pub case_id: String,
    /// The as-of date of the decision (`YYYY-MM-DD`): it picks the parameters in force, and the wage statistics
    /// of the previous year.
    #[schemars(with = "String", regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub decision_date: jiff::civil::Date,
    /// Where the case is handled (the handling procuratorate's province sets the wage base).
    #[serde(default)]
    pub jurisdiction: Option<Jurisdiction>,
    /// How the procuratorate learned of the applicant's hardship.
    #[serde(default)]
    pub clue_source: Option<ClueSource>,
    /// The procuratorial stage in which the case is being handled; `none` if it has not entered one.
    #[serde(default)]
    pub procuratorial_stage: Option<ProcuratorialStage>,
    /// The person (or body) applying for assistance.
    #[serde(default)]
    pub applicant: Option<Applicant>,
    /// The crime or tort, its consequences and what compensation was obtained.
    #[serde(default)]
    pub incident: Option<Incident>,
    /// The applicant's own conduct in the case.
    #[serde(default)]
    pub conduct: Option<Conduct>,
    /// The applicant's household and its finances.
    #[serde(default)]
    pub household: Option<Household>,
    /// Judicial assistance already given in this case.
    #[serde(default)]
    pub prior_assistance: Option<PriorAssistance>,
    /// Free text for the case handler; never read by rules.
    #[serde(default)]
    #[schemars(length(max = 20000))]
    pub notes: Option<String>,
}

/// Where the case is handled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Jurisdiction {
    /// Province-level division of the handling procuratorate.
    #[serde(default)]
    pub province: Option<Province>,
    /// City (prefecture) of the handling procuratorate, if known; informational.
    #[serde(default)]
    #[schemars(length(max = 100))]
    pub city: Option<String>,
}

macro_rules! fact_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        #[allow(missing_docs)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }
        impl $name {
            /// The value as written in a case file.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }
    };
}

fact_enum! {
    /// Province-level divisions of mainland China, by their English names.
    Province {
        Beijing = "Beijing", Tianjin = "Tianjin", Hebei = "Hebei", Shanxi = "Shanxi",
        InnerMongolia = "Inner Mongolia", Liaoning = "Liaoning", Jilin = "Jilin", Heilongjiang = "Heilongjiang",
        Shanghai = "Shanghai", Jiangsu = "Jiangsu", Zhejiang = "Zhejiang", Anhui = "Anhui", Fujian = "Fujian",
        Jiangxi = "Jiangxi", Shandong = "Shandong", Henan = "Henan", Hubei = "Hubei", Hunan = "Hunan",
        Guangdong = "Guangdong", Guangxi = "Guangxi", Hainan = "Hainan", Chongqing = "Chongqing",
        Sichuan = "Sichuan", Guizhou = "Guizhou", Yunnan = "Yunnan", Tibet = "Tibet", Shaanxi = "Shaanxi",
        Gansu = "Gansu", Qinghai = "Qinghai", Ningxia = "Ningxia", Xinjiang = "Xinjiang",
    }
}

fact_enum! {
    /// How the clue reached the procuratorate.
    ClueSource {
        /// Transferred by a women's federation (妇联移送线索).
        WomensFederation = "womens_federation",
        /// Found by the procuratorate in its own case handling.
        ProcuratorateCaseHandling = "procuratorate_case_handling",
        /// Found in other supervision work.
        OtherSupervision = "other_supervision",
        /// The applicant applied directly.
        SelfApplication = "self_application",
        /// A hotline (e.g. 12338) or petition.
        HotlineOrPetition = "hotline_or_petition",
        /// Transferred by the rural revitalisation department.
        RuralRevitalisationDept = "rural_revitalisation_dept",
    }
}

fact_enum! {
    /// Procuratorial stages in which a case can be handled.
    ProcuratorialStage {
        ArrestReview = "arrest_review", ProsecutionReview = "prosecution_review",
        TrialSupervision = "trial_supervision", EnforcementSupervision = "enforcement_supervision",
        CivilSupervision = "civil_supervision", SupportProsecution = "support_prosecution",
        ComplaintAppeal = "complaint_appeal",
        /// The matter has not entered any procuratorial stage.
        None = "none",
    }
}

/// The applicant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    /// A natural person or an organisation (organisations are not assisted).
    #[serde(default)]
    pub kind: Option<ApplicantKind>,
    /// The applicant's sex.
    #[serde(default)]
    pub sex: Option<Sex>,
    /// Age in whole years at the decision date.
    #[serde(default)]
    #[schemars(range(min = 0, max = 130))]
    pub age: Option<u32>,
    /// The applicant's relation to the direct victim (`self` when the applicant is the victim).
    #[serde(default)]
    pub relation_to_victim: Option<Relation>,
    /// The applicant relied on the victim's income as the main source of living.
    #[serde(default)]
    pub relied_on_victim_income: Option<bool>,
    /// The applicant holds a rural household registration (农村户口).
    #[serde(default)]
    pub rural_hukou: Option<bool>,
    /// The applicant's own disability.
    #[serde(default)]
    pub disability: Option<Disability>,
    /// The applicant holds a disability certificate (残疾人证).
    #[serde(default)]
    pub disability_certificate: Option<bool>,
    /// The applicant has a serious illness.
    #[serde(default)]
    pub serious_illness: Option<bool>,
    /// The applicant is a veteran or a member of a military family (军人军属).
    #[serde(default)]
    pub veteran_or_military_family: Option<bool>,
    /// The applicant is a petitioner in a law-related petition (涉法涉诉信访).
    #[serde(default)]
    pub petitioner: Option<bool>,
    /// The applicant is in work (employed or self-employed).
    #[serde(default)]
    pub employed: Option<bool>,
    /// Nobody with a duty to support the applicant does so, or can (事实无人赡养).
    #[serde(default)]
    pub no_family_support: Option<bool>,
    /// The applicant has sued for divorce because of domestic violence.
    #[serde(default)]
    pub divorce_suit_for_domestic_violence: Option<bool>,
}

fact_enum! {
    /// A natural person or an organisation.
    ApplicantKind { NaturalPerson = "natural_person", Organisation = "organisation" }
}

fact_enum! {
    /// Sex.
    Sex { Female = "female", Male = "male" }
}

fact_enum! {
    /// The applicant's relation to the direct victim.
    Relation {
        /// The applicant is the direct victim.
        SelfVictim = "self", Spouse = "spouse", Parent = "parent", Child = "child", Sibling = "sibling",
        /// Another person the victim maintained, supported or raised (其赡养、扶养、抚养的其他人).
        OtherDependant = "other_dependant",
        /// No relation.
        None = "none",
    }
}

fact_enum! {
    /// Degree of disability.
    Disability { None = "none", Mild = "mild", Severe = "severe" }
}

/// The crime or tort and its consequences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// The kind of matter: a crime, a civil tort, retaliation against a whistleblower, witness or appraiser, or
    /// other.
    #[serde(default)]
    pub kind: Option<IncidentKind>,
    /// The offence or wrong.
    #[serde(default)]
    pub offence: Option<Offence>,
    /// The perpetrator's relation to the victim.
    #[serde(default)]
    pub perpetrator_relation: Option<PerpetratorRelation>,
    /// The harm arose from domestic violence.
    #[serde(default)]
    pub domestic_violence: Option<bool>,
    /// The harm involved sexual violence.
    #[serde(default)]
    pub sexual_violence: Option<bool>,
    /// The harm involved trafficking.
    #[serde(default)]
    pub trafficking: Option<bool>,
    /// What happened to the direct victim.
    #[serde(default)]
    pub victim_outcome: Option<VictimOutcome>,
    /// The direct victim was the household's main earner (家庭主要劳动力).
    #[serde(default)]
    pub victim_was_main_earner: Option<bool>,
    /// The victim needs urgent medical treatment.
    #[serde(default)]
    pub urgent_treatment_needed: Option<bool>,
    /// Medical costs of the harm that are unpaid and that the household cannot meet, in yuan.
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 10_000_000_000.0))]
    pub unpaid_medical_costs: Option<f64>,
    /// Property lost through the crime, in yuan.
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 10_000_000_000.0))]
    pub property_loss: Option<f64>,
    /// The total loss, or what a court awarded (or should award) as compensation, in yuan.
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 10_000_000_000.0))]
    pub assessed_loss: Option<f64>,
    /// Compensation actually received from the offender or other liable party, in yuan.
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 10_000_000_000.0))]
    pub compensation_received: Option<f64>,
    /// Of `compensation_received`, the part that was paid to relatives outside the applicant's household (the
    /// deceased's parents, say), in yuan: it does not count as compensation received by the applicant.
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 10_000_000_000.0))]
    pub compensation_paid_to_others: Option<f64>,
    /// Why compensation cannot be obtained through litigation; `none` if nothing stands in the way.
    #[serde(default)]
    pub no_compensation_reason: Option<NoCompensationReason>,
}

fact_enum! {
    /// The kind of matter.
    IncidentKind { Criminal = "criminal", CivilTort = "civil_tort", Retaliation = "retaliation", Other = "other" }
}

fact_enum! {
    /// The offence or wrong.
    Offence {
        IntentionalHomicide = "intentional_homicide", IntentionalInjury = "intentional_injury",
        DomesticViolence = "domestic_violence", SexualAssault = "sexual_assault", Trafficking = "trafficking",
        Robbery = "robbery", Theft = "theft", Fraud = "fraud", TrafficAccident = "traffic_accident",
        WorkplaceSexualHarassment = "workplace_sexual_harassment",
        EmploymentDiscrimination = "employment_discrimination", Bigamy = "bigamy", Other = "other",
    }
}

fact_enum! {
    /// The perpetrator's relation to the victim.
    PerpetratorRelation {
        Spouse = "spouse", FormerSpouse = "former_spouse", Partner = "partner", FamilyMember = "family_member",
        Acquaintance = "acquaintance", Employer = "employer", Stranger = "stranger", Unknown = "unknown",
    }
}

fact_enum! {
    /// What happened to the direct victim.
    VictimOutcome {
        Death = "death", LostLabourCapacity = "lost_labour_capacity", SeriousInjury = "serious_injury",
        SevereDisability = "severe_disability", LightInjury = "light_injury",
        PsychologicalHarm = "psychological_harm", None = "none",
    }
}

fact_enum! {
    /// Why compensation cannot be obtained through litigation.
    NoCompensationReason {
        /// The case cannot be solved (案件无法侦破).
        Unsolved = "unsolved",
        /// Prosecution is time-barred (已过追诉时效).
        TimeBarred = "time_barred",
        OffenderDead = "offender_dead",
        OffenderInsolvent = "offender_insolvent",
        /// A judgment was not (fully) enforced.
        EnforcementFailed = "enforcement_failed",
        /// Litigation for compensation is still under way.
        LitigationPending = "litigation_pending",
        /// Nothing stands in the way of compensation.
        None = "none",
    }
}

/// The applicant's conduct.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Conduct {
    /// The applicant's own fault for the occurrence of the case.
    #[serde(default)]
    pub applicant_fault: Option<Fault>,
    /// The applicant refused without good reason to cooperate in establishing the facts.
    #[serde(default)]
    pub refused_cooperation: Option<bool>,
    /// The applicant deliberately made false statements or forged evidence.
    #[serde(default)]
    pub false_statement_or_forgery: Option<bool>,
    /// The applicant waived the civil claim, or refused compensation from the offender or the offender's close
    /// relatives.
    #[serde(default)]
    pub waived_compensation: Option<bool>,
    /// Where the applicant is not the direct victim: the direct victim's own fault for the occurrence of the case
    /// (a mutual fight, say). It reduces the amount as the applicant's own fault does.
    #[serde(default)]
    pub victim_fault: Option<Fault>,
}

fact_enum! {
    /// Degree of fault.
    Fault { None = "none", Minor = "minor", Considerable = "considerable", Major = "major" }
}

/// The applicant's household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Household {
    /// Number of people in the household, the applicant included.
    #[serde(default)]
    #[schemars(range(min = 1, max = 50))]
    pub size: Option<u32>,
    /// The whole household's income, in yuan per month.
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 10_000_000_000.0))]
    pub monthly_income: Option<f64>,
    /// The household's hardship was caused by the case.
    #[serde(default)]
    pub hardship_caused_by_case: Option<bool>,
    /// Proof of hardship (e.g. a village or residents' committee certificate) is on file.
    #[serde(default)]
    pub hardship_certificate: Option<bool>,
    /// The household receives the minimum living allowance (低保).
    #[serde(default)]
    pub receives_minimum_living_allowance: Option<bool>,
    /// The household is a monitoring target for preventing relapse into poverty (防止返贫监测对象).
    #[serde(default)]
    pub poverty_relapse_monitoring: Option<bool>,
    /// Social assistance has already reasonably covered the loss caused by the case.
    #[serde(default)]
    pub social_assistance_covering_case_loss: Option<bool>,
    /// The applicant is the household's only earner.
    #[serde(default)]
    pub applicant_is_sole_earner: Option<bool>,
    /// The people the applicant raises or supports.
    #[serde(default)]
    #[schemars(length(max = 50))]
    pub dependants: Option<Vec<Dependant>>,
}

/// A person the applicant raises or supports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dependant {
    /// The dependant's relation to the applicant.
    #[serde(default)]
    pub relation: Option<DependantRelation>,
    /// Age in whole years.
    #[serde(default)]
    #[schemars(range(min = 0, max = 130))]
    pub age: Option<u32>,
    /// The dependant is disabled.
    #[serde(default)]
    pub disabled: Option<bool>,
    /// The dependant holds a disability certificate (残疾人证).
    #[serde(default)]
    pub disability_certificate: Option<bool>,
    /// The dependant is seriously ill.
    #[serde(default)]
    pub seriously_ill: Option<bool>,
    /// The dependant is in school.
    #[serde(default)]
    pub in_school: Option<bool>,
}

fact_enum! {
    /// A dependant's relation to the applicant.
    DependantRelation {
        Child = "child", Parent = "parent", ParentInLaw = "parent_in_law", Grandchild = "grandchild",
        Spouse = "spouse", Other = "other",
    }
}

/// Judicial assistance already given in this case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorAssistance {
    /// The applicant was already assisted in this same case.
    #[serde(default)]
    pub same_case: Option<bool>,
    /// The amount already paid, in yuan.
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 10_000_000_000.0))]
    pub amount: Option<f64>,
}

/// Parses `YYYY-MM-DD` if it is a real calendar date in 2000–2099 (the years a case or a parameter value may
/// name). Read by case-file validation, the parameter loader and the interview.
pub fn parse_date(s: &str) -> Option<jiff::civil::Date> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let y: i16 = y.parse().ok()?;
    if !(2000..=2099).contains(&y) {
        return None;
    }
    jiff::civil::Date::new(y, m.parse().ok()?, d.parse().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn dates_are_real_calendar_days_written_yyyy_mm_dd() {
        assert_eq!(
            parse_date("2024-02-29"),
            Some(jiff::civil::date(2024, 2, 29))
        );
        // "2022-1-5" compared as a string would sort after "2022-02-01"; it is refused instead.
        for bad in [
            "2022-1-5",
            "2022-02-30",
            "2023-02-29",
            "1999-12-31",
            "2100-01-01",
            "+2022-01-01",
            "2022-01-01-",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
