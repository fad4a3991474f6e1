//! Progress of a run: the runner tells a [`Progress`] how far each target
//! is; [`Bars`] shows that as one `indicatif` bar per target on stderr.
//!
//! The bars appear only on runs longer than a second and only when stderr
//! is a terminal (CI logs get none); they are cleared before the summary is
//! printed.

use std::io::IsTerminal as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before its progress is shown.
pub const SHOW_AFTER: Duration = Duration::from_secs(1);

/// Receives a run's progress. Called from each target's thread.
pub trait Progress: Sync {
    /// A target starts evaluating `cases` cases.
    fn target_started(&self, _target: &str, _cases: usize) {}
    /// A target has answered `cases` more cases.
    fn cases_done(&self, _target: &str, _cases: usize) {}
    /// A target is done.
    fn target_finished(&self, _target: &str) {}
}

/// Progress nobody watches.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// One progress bar per target on stderr, shown once the run has taken
/// [`SHOW_AFTER`] and only when stderr is a terminal.
pub struct Bars {
    inner: Arc<Inner>,
}

struct Inner {
    multi: MultiProgress,
    bars: Mutex<Vec<(String, ProgressBar)>>,
    done: AtomicBool,
    style: ProgressStyle,
}

impl Bars {
    /// Bars that show themselves after [`SHOW_AFTER`] if stderr is a
    /// terminal; `color` picks a coloured or a plain bar.
    pub fn new(color: bool) -> Bars {
        let template = if color {
            "{prefix:>12.bold} [{bar:32.cyan/blue}] {pos:>5}/{len:5} {elapsed:>4} {msg}"
        } else {
            "{prefix:>12} [{bar:32}] {pos:>5}/{len:5} {elapsed:>4} {msg}"
        };
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        let inner = Arc::new(Inner {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::hidden()),
            bars: Mutex::new(Vec::new()),
            done: AtomicBool::new(false),
            style,
        });
        if std::io::stderr().is_terminal() {
            let watcher = Arc::clone(&inner);
            std::thread::spawn(move || {
                std::thread::sleep(SHOW_AFTER);
                if !watcher.done.load(Ordering::SeqCst) {
                    watcher
                        .multi
                        .set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
                }
            });
        }
        Bars { inner }
    }

    /// Removes the bars from the terminal (before the summary is printed).
    pub fn finish(&self) {
        self.inner.done.store(true, Ordering::SeqCst);
        if let Ok(bars) = self.inner.bars.lock() {
            for (_, bar) in bars.iter() {
                bar.finish_and_clear();
            }
        }
        let _ = self.inner.multi.clear();
        self.inner
            .multi
            .set_draw_target(ProgressDrawTarget::hidden());
    }

    fn bar(&self, target: &str) -> Option<ProgressBar> {
        let bars = self.inner.bars.lock().ok()?;
        bars.iter()
            .find(|(name, _)| name == target)
            .map(|(_, bar)| bar.clone())
    }
}

impl Drop for Bars {
    fn drop(&mut self) {
        self.inner.done.store(true, Ordering::SeqCst);
    }
}

impl Progress for Bars {
    fn target_started(&self, target: &str, cases: usize) {
        let bar = self
            .inner
            .multi
            .add(ProgressBar::new(cases as u64).with_style(self.inner.style.clone()));
        bar.set_prefix(target.to_owned());
        if let Ok(mut bars) = self.inner.bars.lock() {
            bars.push((target.to_owned(), bar));
        }
    }

    fn cases_done(&self, target: &str, cases: usize) {
        if let Some(bar) = self.bar(target) {
            bar.inc(cases as u64);
        }
    }

    fn target_finished(&self, target: &str) {
        if let Some(bar) = self.bar(target) {
            bar.finish_with_message("done");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_count_cases_per_target() {
        let bars = Bars::new(false);
        bars.target_started("reference", 10);
        bars.target_started("js", 4);
        bars.cases_done("reference", 3);
        bars.cases_done("reference", 2);
        bars.cases_done("js", 4);
        bars.cases_done("unknown", 1);
        assert_eq!(bars.bar("reference").map(|b| b.position()), Some(5));
        assert_eq!(bars.bar("js").map(|b| b.position()), Some(4));
        bars.target_finished("js");
        assert!(bars.bar("js").is_some_and(|b| b.is_finished()));
        bars.finish();
    }
}
