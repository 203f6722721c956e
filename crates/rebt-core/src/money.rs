//! Money as integer cents (fen for CNY, cents for HKD): cash and every fee are exact, so
//! sizing "all the cash" can never buy one share too many through float drift.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

/// An amount of money in hundredths of the currency unit (fen, cents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cents(pub i64);

impl Cents {
    /// Zero.
    pub const ZERO: Cents = Cents(0);

    /// Whole currency units (yuan, dollars) to cents.
    pub const fn from_units(units: i64) -> Cents {
        Cents(units * 100)
    }

    /// A float amount of currency units, rounded half away from zero to the cent.
    /// Returns `None` for a non-finite or out-of-range amount.
    pub fn from_units_f64(units: f64) -> Option<Cents> {
        let c = (units * 100.0).round();
        (c.is_finite() && c.abs() < 9.0e18).then_some(Cents(c as i64))
    }

    /// The amount in currency units as a float (for reporting and valuation).
    pub fn to_units_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", a / 100, a % 100)
    }
}

impl Add for Cents {
    type Output = Cents;
    fn add(self, rhs: Cents) -> Cents {
        Cents(self.0 + rhs.0)
    }
}
impl Sub for Cents {
    type Output = Cents;
    fn sub(self, rhs: Cents) -> Cents {
        Cents(self.0 - rhs.0)
    }
}
impl Neg for Cents {
    type Output = Cents;
    fn neg(self) -> Cents {
        Cents(-self.0)
    }
}
impl AddAssign for Cents {
    fn add_assign(&mut self, rhs: Cents) {
        self.0 += rhs.0;
    }
}
impl SubAssign for Cents {
    fn sub_assign(&mut self, rhs: Cents) {
        self.0 -= rhs.0;
    }
}
impl std::iter::Sum for Cents {
    fn sum<I: Iterator<Item = Cents>>(iter: I) -> Cents {
        Cents(iter.map(|c| c.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_rounding() {
        assert_eq!(Cents(123_456).to_string(), "1234.56");
        assert_eq!(Cents(-5).to_string(), "-0.05");
        assert_eq!(Cents::from_units_f64(10.005), Some(Cents(1001)));
        assert_eq!(Cents::from_units_f64(f64::NAN), None);
        assert_eq!(Cents::from_units(5), Cents(500));
    }
}
