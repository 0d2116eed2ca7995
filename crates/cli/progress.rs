//! Progress on a terminal: a spinner or a bar on stderr while long work
//! runs, and nothing at all when stderr is not a terminal (a pipe, a file,
//! a test).

use indicatif::{ProgressBar, ProgressStyle};
use std::borrow::Cow;
use std::io::IsTerminal;
use std::time::Duration;

/// A spinner showing `message` on stderr when stderr is a terminal; a
/// hidden bar (which draws nothing) otherwise. Clear it with
/// `finish_and_clear` when the work is done.
pub fn spinner(message: impl Into<Cow<'static, str>>) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A bar on stderr for work counted in steps (set its length and position
/// as the work goes; the message names the stage) when stderr is a
/// terminal; a hidden bar otherwise. Clear it with `finish_and_clear`.
pub fn bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
