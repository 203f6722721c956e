//! The phased position-building study: tranches against lump sum, DCA and buy-and-hold over every start date and over block-bootstrapped paths.
