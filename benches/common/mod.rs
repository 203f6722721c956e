//! The synthetic panel both benchmarks run on.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rebt::core::{BarColumns, Currency, Instrument, NaiveDate, Panel};

/// 100 instruments across the SSE main board, SZSE main board and ChiNext, 2,520 weekdays
/// from 2015, random walks of ±2% a day that stay within the ±10% band, rounded to the cent.
pub fn panel() -> Panel {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut bars = BarColumns::default();
    let symbols: Vec<String> = (0..100)
        .map(|i| match i % 3 {
            0 => format!("600{:03}.SH", i),
            1 => format!("000{:03}.SZ", i),
            _ => format!("300{:03}.SZ", i),
        })
        .collect();
    let mut price: Vec<f64> = (0..100).map(|_| rng.random_range(5.0..50.0)).collect();
    let mut date = NaiveDate::from_ymd_opt(2015, 1, 5).expect("date");
    let mut days = 0;
    while days < 2_520 {
        if chrono::Datelike::weekday(&date).number_from_monday() <= 5 {
            for (i, sym) in symbols.iter().enumerate() {
                let mv: f64 = rng.random_range(-0.095..0.095) * 0.4;
                let open = ((price[i] * (1.0 + mv / 2.0)) * 100.0).round() / 100.0;
                let close = ((price[i] * (1.0 + mv)) * 100.0).round() / 100.0;
                let high = open.max(close);
                let low = open.min(close);
                bars.push(date, sym, open, high, low, close, 1e6);
                price[i] = close;
            }
            days += 1;
        }
        date = date.succ_opt().expect("date");
    }
    let instruments = symbols.iter().map(|s| Instrument::infer(s, Currency::Cny)).collect();
    Panel::from_bars(&bars, instruments).expect("valid panel")
}
