//! The prices a run marks each instrument at: its latest close, or the ex-rights reference
//! price while it has had no bar since an ex-date it was suspended on.

use crate::instrument::InstrumentIx;
use crate::panel::Panel;

/// What a run marks each instrument at: its latest close on or before the day marked (a row
/// of the panel's [`Panel::last_closes`], shared by every run on the panel), except an
/// instrument of the universe without a bar on an ex-date, which stands at the ex-rights
/// reference price from then until its next bar (so that shares × reference + entitlement is
/// what the position was worth before; see `Run::apply_ex_event`). Such references are
/// rare, and while there are none the marks are the panel's row itself, neither copied nor
/// carried forward through the day's bars.
#[derive(Debug, Clone)]
pub(super) struct Marks {
    /// The day marked last; `None` before the first.
    day: Option<usize>,
    /// (instrument, reference price) of the instruments standing at a reference price.
    references: Vec<(InstrumentIx, f64)>,
    /// The marks of `day` with the references in place, when there were any at its marking
    /// (and every mark NaN before the first day).
    own: Vec<f64>,
    /// Whether `own` holds the marks (else the panel's row of `day`).
    use_own: bool,
}

impl Marks {
    /// No instrument marked yet, on a panel of `n` instruments.
    pub(super) fn new(n: usize) -> Self {
        Marks {
            day: None,
            references: Vec::new(),
            own: vec![f64::NAN; n],
            use_own: true,
        }
    }

    /// Every instrument's mark as of the last marking, indexed by instrument.
    #[inline]
    pub(super) fn all<'a>(&'a self, panel: &'a Panel) -> &'a [f64] {
        match self.day {
            Some(day) if !self.use_own => panel.last_closes(day),
            _ => &self.own,
        }
    }

    /// `ix`'s mark now: a reference price set since the last marking counts at once.
    pub(super) fn get(&self, panel: &Panel, ix: InstrumentIx) -> f64 {
        match self.references.iter().find(|(r, _)| *r == ix) {
            Some(&(_, price)) => price,
            None => self.all(panel)[ix.get()],
        }
    }

    /// Mark `ix` at `price`, its reference price on an ex-date it has no bar on, until its
    /// next bar.
    pub(super) fn stand_at_reference(&mut self, ix: InstrumentIx, price: f64) {
        match self.references.iter_mut().find(|(r, _)| *r == ix) {
            Some(r) => r.1 = price,
            None => self.references.push((ix, price)),
        }
    }

    /// Mark every instrument to `day`'s close: those with a bar at it (leaving their
    /// reference price), the others at what they stood at.
    pub(super) fn mark_to_close(&mut self, panel: &Panel, day: usize) {
        self.references.retain(|&(ix, _)| !panel.has_bar(ix, day));
        self.day = Some(day);
        self.use_own = !self.references.is_empty();
        if self.use_own {
            self.own.copy_from_slice(panel.last_closes(day));
            for &(ix, price) in &self.references {
                self.own[ix.get()] = price;
            }
        }
    }
}
