//! A window in the past, read for the console: its log lines loaded newest first in time slices
//! walking back from the window's end (every stream of the containers' prefixes, so the tasks
//! ECS no longer lists are in it), each slice read whole with the tailer's step
//! (`logs::poll_once`: its dedupe, sanitising and classifying) within a log budget of its own
//! that leaves room in the account's quota; and the rest of the window (deployments, metrics,
//! WAF, events, the verdict at its end) read by `report::gather`, the report's reader. No
//! screen code; results go to the console as `Msg`s.

use super::Discovery;
use super::budget::Budget;
use super::lifetime::keep_newest;
use super::logs::{Cursor, Step, poll_once};
use crate::app::LogScope;
use crate::aws::{AwsError, Clients};
use crate::model::LogEvent;
use crate::model::window::WindowProgress;

/// The window's log budget: about two requests a second, beside the tail's one (CloudWatch
/// Logs allows about five a second per account, shared with every other tool).
pub const WINDOW_LOG_RATE: f64 = 2.0;
/// The first slice back from the window's end (the first lines show fast), doubled while
/// slices come back small, halved when one is large.
const FIRST_SLICE_MS: i64 = 30_000;
const MAX_SLICE_MS: i64 = 60 * 60_000;
/// A slice is read to its end.
const PAGES_PER_SLICE: usize = 10_000;

/// The loading of one window's lines, slice by slice.
pub struct WindowLoader {
    disc: Discovery,
    from_ms: i64,
    /// The end of the next slice (inclusive).
    end_ms: i64,
    width_ms: i64,
    bytes: usize,
    max_bytes: usize,
    progress: WindowProgress,
}

impl WindowLoader {
    /// Every container's lines; `max_bytes`: what the view keeps (loading stops there).
    pub fn new(disc: Discovery, from_ms: i64, to_ms: i64, max_bytes: usize) -> Self {
        WindowLoader {
            disc,
            from_ms,
            end_ms: to_ms,
            width_ms: FIRST_SLICE_MS,
            bytes: 0,
            max_bytes,
            progress: WindowProgress { from_ms, to_ms, reached_ms: to_ms + 1, ..WindowProgress::default() },
        }
    }

    pub fn progress(&self) -> WindowProgress {
        self.progress
    }

    /// The next slice, older than every line delivered before, oldest first; `None` when
    /// done. `budget.taken()` is counted as the pages read: give the loader a budget of its own.
    pub async fn next(
        &mut self,
        clients: &Clients,
        budget: &Budget,
        now: i64,
    ) -> Result<Option<(Vec<LogEvent>, WindowProgress)>, AwsError> {
        if self.progress.done {
            return Ok(None);
        }
        let start = (self.end_ms - self.width_ms + 1).max(self.from_ms);
        let scope = LogScope { containers: Vec::new(), task: None, generation: 0 };
        let mut cursor = Cursor::starting_at(scope, start);
        let step =
            Step { until_ms: Some(self.end_ms), max_pages: PAGES_PER_SLICE, every_stream: true, ..Step::default() };
        let before = budget.taken();
        let mut chunk = poll_once(clients, &self.disc, &mut cursor, budget, &step, now).await?;
        chunk.retain(|e| e.ts_ms >= start && e.ts_ms <= self.end_ms);
        chunk.sort_by_key(|e| e.ts_ms);
        self.progress.pages += budget.taken() - before;
        let size: usize = chunk.iter().map(LogEvent::approx_bytes).sum();
        if self.bytes + size > self.max_bytes {
            // Loading stops here.
            self.bytes += keep_newest(&mut chunk, self.bytes, self.max_bytes);
            self.progress.reached_ms = chunk.first().map_or(self.end_ms + 1, |e| e.ts_ms);
            self.progress.cut = true;
            self.progress.done = true;
        } else {
            self.bytes += size;
            self.progress.reached_ms = start;
            self.progress.done = start <= self.from_ms;
            if size < self.max_bytes / 32 {
                self.width_ms = (self.width_ms * 2).min(MAX_SLICE_MS);
            } else if size > self.max_bytes / 8 {
                self.width_ms = (self.width_ms / 2).max(60_000);
            }
            self.end_ms = start - 1;
        }
        self.progress.lines += chunk.len() as u64;
        Ok(Some((chunk, self.progress)))
    }
}
