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
    // Year-to-date figures (CNY) public on 2025-11-03 (the dataset is synthetic):
    //   operating cash flow  Q3 2025 YTD 1,644,275,342   FY 2024 −118,808,621   Q3 2024 YTD −738,898,908
    //   capex                Q3 2025 YTD 1,595,153,970   FY 2024 1,279,406,663  Q3 2024 YTD 938,968,360
    // TTM = Q3 2025 YTD + FY 2024 − Q3 2024 YTD:
    //   OCF   = 1,644,275,342 − 118,808,621 + 738,898,908 = 2,264,365,629
    //   capex = 1,595,153,970 + 1,279,406,663 − 938,968,360 = 1,935,592,273
    //   FCFF_0 = 328,773,356
    // Base scenario: g = 10% for 5 years, g_T = 2.5%, r = 9%:
    //   FCFF_1..5 = 361,650,691.6  397,815,760.76  437,597,336.84  481,357,070.52  529,492,777.57
    //   PV        = 331,789,625.32 334,833,566.84  337,905,434.42  341,005,484.28  344,133,974.96
    //   TV = 529,492,777.57 × 1.025 / 0.065 = 8,349,693,800.17; PV(TV) = 5,426,728,066.71
    //   EV = 7,116,396,152.53; + net cash −2,325,923,267 = equity 4,790,472,885.53
    //   ÷ 3,615,203,616 shares = 1.32509 CNY a share
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
    assert!((value - 1.325_090_754_039_011).abs() < 1e-9, "{value}");
    // On 2025-10-28 the Q3 report is not yet public; from the H1 report the TTM FCFF is
    // (700,348,606 − 118,808,621 + 362,507,344) − (1,141,925,731 + 1,279,406,663 − 553,758,762)
    // = 944,047,329 − 1,867,573,632 < 0: no positive cash flow to value, so no value.
    assert_eq!(
        probe.before_q3, None,
        "Q3 figures must not be visible before 2025-10-29"
    );
}
