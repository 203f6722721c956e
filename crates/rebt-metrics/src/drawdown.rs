//! Drawdowns: their duration and the worst episodes (start, trough, recovery, depth, length).
