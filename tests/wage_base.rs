//! The wage base and the minimum living lines from the gathered data (shared/data), and the fallback when a
//! province's figure for the year is missing: the province's own latest earlier figure, carried forward and
//! marked estimate, before its macro-region's or the nation's. Reports say so in words.

use assessor::explain::localise::localise;
use assessor::model::params::Source;
use assessor::model::text::Lang;
use assessor::report;
use serde_json::Value;

use crate::support::{policy, root, run};

fn day(date: &str) -> jiff::civil::Date {
    assessor::validate::parse_date(date).unwrap_or_else(|| panic!("`{date}` is not a date"))
}

/// (figure year, monthly, whose, carried forward, estimate) of the wage base for a decision.
fn wage(province: &str, date: &str) -> (Option<u32>, f64, Source, bool, bool) {
    let r = policy()
        .params
        .resolve("wage_base", day(date), Some(province))
        .unwrap_or_else(|_| panic!("no wage base for {province} on {date}"));
    (
        r.value.year,
        r.value.value.as_f64().unwrap_or(0.0),
        r.source,
        r.carried_forward,
        r.estimate(),
    )
}

#[test]
fn a_decision_uses_the_province_s_own_figure_for_the_year_before() {
    // Hebei 2024: 97,046/year ÷ 12, one source, so an estimate, but the province's own and not carried forward.
    assert_eq!(
        wage("Hebei", "2025-03-01"),
        (Some(2024), 8087.0, Source::Own, false, true)
    );
    // Hebei 2022: 90,745/year ÷ 12, verified: the province's own, no estimate.
    assert_eq!(
        wage("Hebei", "2023-03-01"),
        (Some(2022), 7562.0, Source::Own, false, false)
    );
}

#[test]
fn a_province_without_the_year_s_figure_carries_its_own_earlier_figure_forward() {
    // Shanxi has no 2022 figure: a 2023 decision uses Shanxi 2021 (82,413 ÷ 12), not the Central average.
    assert_eq!(
        wage("Shanxi", "2023-06-01"),
        (Some(2021), 6868.0, Source::Own, true, true)
    );
    // Beijing has no 2022 figure either; its 2021 figure, not the East average.
    assert_eq!(
        wage("Beijing", "2023-06-01"),
        (Some(2021), 16221.0, Source::Own, true, true)
    );
    // After the last figure of all, the latest one is carried forward.
    assert_eq!(
        wage("Hebei", "2026-06-01"),
        (Some(2024), 8087.0, Source::Own, true, true)
    );
}

#[test]
fn a_province_with_no_figure_of_its_own_falls_back_to_its_region() {
    // Beijing has no 2020 figure and nothing earlier: a 2021 decision uses the East 2020 average.
    assert_eq!(
        wage("Beijing", "2021-06-01"),
        (Some(2020), 9364.0, Source::MacroRegion, false, true)
    );
}

#[test]
fn minimum_living_lines_are_the_province_s_own_else_carried_forward_else_national() {
    let line = |name: &str, province: &str, date: &str| {
        let r = policy()
            .params
            .resolve(name, day(date), Some(province))
            .unwrap_or_else(|_| panic!("no {name} for {province} on {date}"));
        (
            r.value.year,
            r.value.value.as_f64().unwrap_or(0.0),
            r.source,
            r.carried_forward,
            r.estimate(),
            r.value.note.clone(),
        )
    };
    let urban = "minimum_living_allowance_line";
    let rural = "minimum_living_allowance_line_rural";
    assert_eq!(
        line(urban, "Shanghai", "2023-08-01"),
        (Some(2023), 1510.0, Source::Own, false, false, None)
    );
    // Tianjin has no line in the data: the national average of 2022, carried forward.
    assert_eq!(
        line(urban, "Tianjin", "2023-08-01"),
        (Some(2022), 752.0, Source::National, true, true, None)
    );
    assert_eq!(
        line(rural, "Tianjin", "2022-08-01"),
        (Some(2022), 582.0, Source::National, false, true, None)
    );
    // Hebei's only line is Shijiazhuang's (the capital's), urban and rural apart.
    assert_eq!(
        line(urban, "Hebei", "2024-08-01"),
        (
            Some(2024),
            810.0,
            Source::Own,
            false,
            true,
            Some("capital".into())
        )
    );
    assert_eq!(
        line(rural, "Hebei", "2024-08-01"),
        (
            Some(2024),
            610.0,
            Source::Own,
            false,
            true,
            Some("capital".into())
        )
    );
    // Beijing has no 2024 line: its 2023 line, carried forward.
    assert_eq!(
        line(urban, "Beijing", "2024-03-01"),
        (Some(2023), 1395.0, Source::Own, true, true, None)
    );
}

/// The Hunan corpus case (assisted), moved to another province and date.
fn moved(province: &str, date: &str) -> assessor::Recommendation {
    let path = root().join("fixtures/cases/t01_hunan_incapacitated_earner.json");
    let mut v: Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap_or_default()).unwrap_or_default();
    v["jurisdiction"]["province"] = Value::from(province);
    v["decision_date"] = Value::from(date);
    let case = assessor::validate::validate_value(v).unwrap_or_else(|e| panic!("{e:?}"));
    assessor::assess(&case, policy()).unwrap_or_else(|e| panic!("{e}"))
}

fn reports(rec: &mut assessor::Recommendation, lang: Lang) -> String {
    localise(rec, policy(), lang);
    let labels = policy().labels(lang);
    format!(
        "{}\n{}",
        crate::reports::written(report::text, rec, labels),
        crate::reports::written(report::markdown, rec, labels)
    )
}

#[test]
fn the_report_says_whose_wage_figure_it_is() {
    let mut own = moved("Hebei", "2023-03-01");
    let w = own.amount.as_ref().and_then(|a| a.wage_base.clone());
    assert!(w.is_some_and(|w| !w.estimate && w.basis == Source::Own && !w.carried_forward));
    let zh = reports(&mut own, Lang::Zh);
    assert!(
        zh.contains("本省上一年度职工月平均工资：河北省 2022 年；参数 `wage_base`"),
        "{zh}"
    );
    let en = reports(&mut own, Lang::En);
    assert!(
        en.contains("(Hebei 2022, the province's own figure; "),
        "{en}"
    );

    let mut carried = moved("Shanxi", "2023-03-01");
    let w = carried.amount.as_ref().and_then(|a| a.wage_base.clone());
    assert!(w.is_some_and(|w| w.estimate && w.carried_forward && w.year == Some(2021)));
    let zh = reports(&mut carried, Lang::Zh);
    assert!(
        zh.contains("估算值：本省上一年度数据缺失，沿用本省（山西省）2021 年数据"),
        "{zh}"
    );
    assert!(!zh.contains("本省上一年度职工月平均工资"), "{zh}");
    let en = reports(&mut carried, Lang::En);
    assert!(
        en.contains("estimate: the province's figure for the previous year is missing; its 2021 figure is carried forward"),
        "{en}"
    );
}

#[test]
fn the_report_says_when_a_minimum_living_line_is_an_estimate() {
    // Tianjin 2023: no line of its own; the national 2022 average stands in (the rural line: the applicant holds a
    // rural registration).
    let mut rec = moved("Tianjin", "2023-03-01");
    assert!(
        rec.estimates
            .iter()
            .any(|e| e.parameter == "minimum_living_allowance_line_rural"
                && e.basis == Source::National
                && e.carried_forward),
        "{:?}",
        rec.estimates
    );
    let zh = reports(&mut rec, Lang::Zh);
    assert!(
        zh.contains("最低生活保障标准（农村）（参数 `minimum_living_allowance_line_rural`）：¥582，估算值（本省当年数据缺失，沿用全国 2022 年数据）"),
        "{zh}"
    );
    let en = reports(&mut rec, Lang::En);
    assert!(en.contains("¥582, estimate (the province's figure for the year is missing; the national 2022 figure, carried forward"), "{en}");

    // Hebei 2024: Shijiazhuang's line, said to be the capital's.
    let mut rec = moved("Hebei", "2024-03-01");
    let zh = reports(&mut rec, Lang::Zh);
    assert!(
        zh.contains("¥610，估算值（河北省 2024 年；为省会城市标准"),
        "{zh}"
    );

    // Shanghai 2023: its own verified line, no estimate to report.
    let rec = moved("Shanghai", "2023-08-01");
    assert!(rec.estimates.is_empty(), "{:?}", rec.estimates);
}

#[test]
fn assessor_rules_shows_the_wage_figure_each_province_s_decisions_use() {
    let (code, out, err) = run(&["rules"], None);
    assert_eq!(code, 0, "{err}");
    let row = |province: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(&format!("{province} ")))
            .unwrap_or_else(|| panic!("no row for {province}:\n{out}"))
            .to_string()
    };
    let shanxi = row("Shanxi");
    assert!(shanxi.contains("2021 ¥6,868 own (estimate)"), "{shanxi}");
    assert!(
        shanxi.contains("2021 ¥6,868 own, carried forward (estimate)"),
        "{shanxi}"
    );
    let hebei = row("Hebei");
    for cell in ["2021 ¥6,877 own", "2022 ¥7,562 own", "2023 ¥7,902 own"] {
        assert!(hebei.contains(cell), "{hebei}");
    }
    assert!(!hebei.contains("estimate"), "{hebei}");
    // One row per province of the manifest, in a fixed order.
    let section: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("WAGE BASE BY PROVINCE"))
        .skip(2)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(section.len(), 31, "{out}");
    let (_, again, _) = run(&["rules"], None);
    assert_eq!(out, again);
    let (code, json, _) = run(&["rules", "--format", "json"], None);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&json).unwrap_or_default();
    assert_eq!(
        v["wage_base_by_province"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0),
        31
    );
}
