//! The CLI's one progress bar: drawn on standard error when it is a terminal and the command
//! is not quiet, hidden otherwise. The library crates report progress through callbacks; the
//! commands turn them into this bar.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// A bar with `[elapsed]`, a wide bar and `units` after it (an indicatif template tail such as
/// `{pos}/{len} runs · {per_sec} · ETA {eta}`); its length is set as progress reports arrive.
pub(crate) fn bar(quiet: bool, units: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(&format!("{{spinner}} [{{elapsed_precise}}] {units}")) {
        bar.set_style(style);
    }
    bar
}
