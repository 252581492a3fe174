//! The recommended amount of an assisted case: the figure the amount rules recommend, with their steps and caps,
//! the wage base it is measured in (whose figure, for which year, and whether an estimate), that figure in months,
//! and the range the readings of its unknown facts reach. Called by [`super::assess`] when it builds the
//! recommendation.

use crate::assess::findings::{round2, Gathered, WAGE_BASE};
use crate::assess::readings::Unsettled;
use crate::model::recommendation::{Amount, AmountRange, Assumed, WageBase};
use crate::policy::Policy;

/// The amount the gathered effects recommend (taking their steps and caps), for a case decided on `date` in
/// `province`; `None` when no amount rule recommended one.
pub(crate) fn amount(
    policy: &Policy,
    date: jiff::civil::Date,
    province: Option<&str>,
    gathered: &mut Gathered,
    unsettled: &Unsettled<'_>,
) -> Option<Amount> {
    let a = gathered.recommended?;
    let wage_base = if gathered.wage_param_used {
        wage_base(policy, date, province, unsettled)
    } else {
        None
    };
    let recommended = a.round() as i64;
    let range = range(recommended, unsettled);
    let months = wage_base
        .as_ref()
        .filter(|w| w.monthly > 0.0)
        .map(|w| round2(recommended as f64 / w.monthly));
    Some(Amount {
        recommended,
        wage_base,
        months,
        steps: std::mem::take(&mut gathered.steps),
        caps: std::mem::take(&mut gathered.caps),
        worked_with: if range.is_none() {
            // A middle reading without a range: every reading gives this amount, but its steps were worked with
            // values the case does not state, which the report must still name.
            assumed(unsettled)
        } else {
            Vec::new()
        },
        range,
    })
}

/// The facts a middle reading assumed, as `Assumed`.
fn assumed(unsettled: &Unsettled<'_>) -> Vec<Assumed> {
    unsettled
        .likely
        .map(|(assign, _)| {
            assign
                .iter()
                .map(|(f, v)| Assumed {
                    fact: f.pointer(),
                    value: v.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The wage base in force for the case: the figure of `province`, or of the province the middle reading assumed.
fn wage_base(
    policy: &Policy,
    date: jiff::civil::Date,
    province: Option<&str>,
    unsettled: &Unsettled<'_>,
) -> Option<WageBase> {
    // A middle reading that assumed the province uses that province's figure.
    let assumed_province = unsettled.likely.and_then(|(assign, _)| {
        assign
            .iter()
            .find(|(f, _)| f.pointer() == "/jurisdiction/province")
            .and_then(|(_, v)| v.as_str())
    });
    let r = policy
        .params
        .resolve(WAGE_BASE, date, assumed_province.or(province))
        .ok()?;
    Some(WageBase {
        region: r.value.region.clone().unwrap_or_else(|| "national".into()),
        year: r.value.year,
        monthly: r.value.value.as_f64().unwrap_or(0.0),
        estimate: r.estimate(),
        basis: r.source,
        carried_forward: r.carried_forward,
        source: r.value.source.clone().unwrap_or_else(|| {
            policy
                .parameter(WAGE_BASE)
                .map(|p| p.reference.clone())
                .unwrap_or_default()
        }),
    })
}

/// The lowest and highest amount of the readings (with `recommended` itself unless it is the middle reading's),
/// when they differ or the range is open; the facts the middle reading assumed.
fn range(recommended: i64, unsettled: &Unsettled<'_>) -> Option<AmountRange> {
    let sp = unsettled.spread?;
    let amounts = sp
        .leaves
        .iter()
        .filter_map(|l| l.1)
        .chain(unsettled.likely.is_none().then_some(recommended));
    let low = amounts.clone().min()?;
    let high = amounts.max()?;
    (low != high || sp.open).then(|| AmountRange {
        low,
        high,
        open: sp.open,
        assumed: assumed(unsettled),
    })
}

/// Whether an assisted case is given anything: assistance is a payment, so a case whose amount comes to ¥0 after
/// its caps and deductions (an earlier payment in the same case that already covers it) is given nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Due {
    /// Some amount is due, or none is known yet (to be established).
    Payment,
    /// Every reading of the case comes to ¥0: nothing is due, and the case is declined.
    Nothing,
    /// Some readings of the unknown facts come to ¥0 and others do not: whether anything is due, and so the
    /// decision, is open.
    Open,
    /// Every reading read comes to ¥0, but the range left readings out: open unless a search of the facts left out
    /// finds ¥0 in every reading ([`super::decision_search::due_readings`]).
    ZeroSoFar,
    /// No reading read comes to ¥0, but the range left readings out: a payment unless a search of the facts left
    /// out finds a reading that comes to ¥0 (an earlier payment in the same case, of an unknown amount, that
    /// covers the whole amount), which makes it open.
    PaymentSoFar,
}

/// What is due to an assisted case whose amount rules recommended `known` on the known facts (`None` when they
/// wait for facts), over the readings of its unknown facts. `paid_before`: the case records a payment already made
/// in it (or may: whether it was the same case, or how much, is unknown), which an amount may be used up by; when
/// no reading of the amount is known at all, whether anything is due is then open, not presumed.
/// `may_have_paid_before`: the case does not rule such a payment out, so a reading the range left out may come to ¥0.
pub(crate) fn due(
    known: Option<i64>,
    unsettled: &Unsettled<'_>,
    paid_before: bool,
    may_have_paid_before: bool,
) -> Due {
    let (mut nothing, mut something) = (false, false);
    let readings = unsettled
        .spread
        .into_iter()
        .flat_map(|sp| sp.leaves.iter().filter_map(|l| l.1))
        .chain(known.filter(|_| unsettled.likely.is_none()));
    for a in readings {
        if a <= 0 {
            nothing = true;
        } else {
            something = true;
        }
    }
    let open = unsettled.spread.is_some_and(|sp| sp.open);
    match (nothing, something, open) {
        (false, false, _) if known.is_none() && paid_before => Due::Open,
        (true, false, false) => Due::Nothing,
        (true, false, true) => Due::ZeroSoFar,
        (true, true, _) => Due::Open,
        (false, true, true) if may_have_paid_before => Due::PaymentSoFar,
        (false, _, _) => Due::Payment,
    }
}
