//! Running every combination of a grid in parallel over one shared panel.
