//! The DCF valuation of one stock and quarter, worked out by hand from the point-in-time
//! fundamentals of the default dataset: China Northern Rare Earth (600111.SH) as of
//! 2025-11-03, when its Q3 2025 report (published 2025-10-29) is the latest public one.

use rebt::core::{Context, Engine, EngineConfig, NaiveDate, Orders, Strategy};
use rebt::strategies::pipeline::gates::{Dcf, Scenario};

/// Captures the gate's value on one day.
struct Probe {
    on: NaiveDate,
    gate: Dcf,
    value: Option<f64>,
    before_q3: Option<f64>,
}

impl Strategy for Probe {
    fn on_bar(&mut self, ctx: &Context<'_>, _orders: &mut Orders) {
        if ctx.date() == self.on {
            self.value = self.gate.value(ctx, "600111.SH");
        }
        if ctx.date() == NaiveDate::from_ymd_opt(2025, 10, 28).expect("date") {
            self.before_q3 = self.gate.value(ctx, "600111.SH");
        }
    }
}

#[test]
fn northern_rare_earth_base_case_q3_2025() {
    // Year-to-date figures (CNY) public on 2025-11-03 (the dataset is synthetic; its cash flow
    // and net cash for Northern are pinned to the January 2026 DCF read, see
    // datasets/rare-earth/README.md):
    //   operating cash flow  Q3 2025 YTD 9,571,617,288   FY 2024 2,299,267,320  Q3 2024 YTD −738,898,908
    //   capex                Q3 2025 YTD 1,595,153,970   FY 2024 1,279,406,663  Q3 2024 YTD 938,968,360
    // TTM = Q3 2025 YTD + FY 2024 − Q3 2024 YTD:
    //   OCF   = 9,571,617,288 + 2,299,267,320 + 738,898,908 = 12,609,783,516
    //   capex = 1,595,153,970 + 1,279,406,663 − 938,968,360 = 1,935,592,273
    //   FCFF_0 = 10,674,191,243
    // Base scenario: g = 10% for 5 years, g_T = 2.5%, r = 9%:
    //   FCFF_1..5 = 11,741,610,367.30  12,915,771,404.03  14,207,348,544.43  15,628,083,398.88  17,190,891,738.76
    //   PV        = 10,772,119,603.03  10,870,946,388.38  10,970,679,841.48  11,071,328,280.39  11,172,900,099.48
    //   TV = 17,190,891,738.76 × 1.025 / 0.065 = 271,087,138,957.43; PV(TV) = 176,188,040,030.26
    //   EV = 231,046,014,243.01; + net cash −39,798,334,934 = equity 191,247,679,309.01
    //   ÷ 3,615,203,616 shares = 52.90094 CNY a share
    // (Net cash deducts the dividends of actions.csv as paid, not 30% of the year's profit.)
    let dataset = rebt::data::load_embedded().expect("embedded dataset");
    let on = NaiveDate::from_ymd_opt(2025, 11, 3).expect("date");
    let mut probe = Probe {
        on,
        gate: Dcf::new(Scenario::BASE)
            .margin_of_safety(0.2)
            .and_then(|g| g.exit_premium(0.2))
            .expect("the base case is valid"),
        value: None,
        before_q3: None,
    };
    Engine::new(&dataset.panel, EngineConfig::default())
        .expect("engine")
        .run(&mut probe)
        .expect("run");
    let value = probe.value.expect("a value on 2025-11-03");
    assert!((value - 52.900_942_691_747_19).abs() < 1e-9, "{value}");
    // On 2025-10-28 the Q3 report is not yet public; the H1 report's TTM FCFF is
    // (5,471,381,515 + 2,299,267,320 + 362,507,344) − (1,141,925,731 + 1,279,406,663 − 553,758,762)
    // = 8,133,156,179 − 1,867,573,632 = 6,265,582,547; the same steps give EV
    // 135,620,380,171.12, + net cash at 2025-06-30 −43,445,342,468 = 92,175,037,703.12, or
    // 25.49650 a share: the value before the Q3 figures are public.
    let before_q3 = probe.before_q3.expect("a value on 2025-10-28, from the H1 report");
    assert!(
        (before_q3 - 25.496_499_642_559_41).abs() < 1e-9,
        "Q3 figures must not be visible before 2025-10-29: {before_q3}"
    );
}
