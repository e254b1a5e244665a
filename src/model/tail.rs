//! How a log tail is keeping up, as pure bookkeeping over the times the tailer passes in: the
//! ingestion delays it has seen (which set how far each new search reaches back), the rate at
//! which lines arrive versus the rate it may read them (which says when it is falling behind and
//! must skip), and what it skipped or found late. `feed::logs` does the reading; the console and
//! `wpops logs --follow` show `TailHealth`. No IO, no clock.

use std::collections::VecDeque;

/// Each new search re-reads at least this far behind the newest line read (clock skew between
/// streams), and at most `MAX_OVERLAP_MS` however late lines come.
pub const MIN_OVERLAP_MS: i64 = 2_000;
pub const MAX_OVERLAP_MS: i64 = 5 * 60_000;
/// A delay seen keeps the overlap wide this long.
pub const DELAY_MEMORY_MS: i64 = 10 * 60_000;
/// Behind the newest lines by more than this, and losing ground over `RATE_WINDOW_MS`, the tail
/// is falling behind: the lines arrive faster than its budget lets it read them.
pub const BEHIND_MS: i64 = 30_000;
pub const RATE_WINDOW_MS: i64 = 10_000;

/// The overlap that covers a largest recent ingestion delay: half as much again, and a second.
pub fn overlap_for(max_delay_ms: i64) -> i64 {
    (max_delay_ms.saturating_mul(3) / 2 + 1_000).clamp(MIN_OVERLAP_MS, MAX_OVERLAP_MS)
}

/// The largest ingestion delay (ingestion time − timestamp) seen per minute, for the last
/// `DELAY_MEMORY_MS`.
#[derive(Debug, Clone, Default)]
pub struct Delays {
    /// (minute of the wall clock, largest delay seen in it), oldest first.
    minutes: VecDeque<(i64, i64)>,
}

impl Delays {
    pub fn observe(&mut self, now_ms: i64, delay_ms: i64) {
        let minute = now_ms.div_euclid(60_000);
        let delay = delay_ms.max(0);
        match self.minutes.back_mut() {
            Some((m, max)) if *m == minute => *max = (*max).max(delay),
            _ => self.minutes.push_back((minute, delay)),
        }
        let oldest = (now_ms - DELAY_MEMORY_MS).div_euclid(60_000);
        while self.minutes.front().is_some_and(|(m, _)| *m < oldest) {
            self.minutes.pop_front();
        }
    }

    pub fn max_recent(&self, now_ms: i64) -> i64 {
        let oldest = (now_ms - DELAY_MEMORY_MS).div_euclid(60_000);
        self.minutes.iter().filter(|(m, _)| *m >= oldest).map(|(_, d)| *d).max().unwrap_or(0)
    }
}

/// Lines arriving faster than the tail may read them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Behind {
    /// Lines per second of log time, as read.
    pub arrival_per_s: f64,
    /// Lines per second of wall time the tail read.
    pub reading_per_s: f64,
    /// How far the tail's reading position is behind now.
    pub lag_ms: i64,
}

/// What the console and `wpops logs --follow` say about the tail besides its lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TailHealth {
    /// How far behind now the oldest unfinished search is reading (0 when every search reached
    /// the end of what was ingested).
    pub lag_ms: i64,
    /// Set while the tail is falling behind.
    pub behind: Option<Behind>,
    /// Times the tail skipped forward, the log time it skipped in all, and the lines that time
    /// held, estimated from the rate at which they were arriving (they were never read).
    pub skips: u32,
    pub skipped_ms: i64,
    pub skipped_lines_est: u64,
    /// When the last skip happened (wall time) and the rates that forced it.
    pub last_skip: Option<(i64, Behind)>,
    /// Lines found by the late sweep, behind the overlap of their time (delivered out of order),
    /// and the largest ingestion delay seen recently, with the overlap it set.
    pub late_lines: u64,
    pub max_delay_ms: i64,
    pub overlap_ms: i64,
    /// How the tail follows: polling FilterLogEvents, or a Live Tail session.
    pub live: LiveTail,
}

/// Live Tail's state, as the logs pane and `wpops logs` tell it (sessions are billed per minute
/// they are open, so an open one always shows, with how long it has been open).
#[derive(Debug, Clone, Default, PartialEq)]
pub enum LiveTail {
    /// Not asked for: the tail polls FilterLogEvents.
    #[default]
    Off,
    /// A session is open since this wall time; updates CloudWatch sampled (more than 500 lines
    /// in a second: the lines between were not sent) so far.
    Open { since_ms: i64, sampled_updates: u64 },
    /// Asked for, but the tail polls: the session could not start or ended (`reason`), and the
    /// next attempt is at `retry_at_ms`.
    Polling { reason: String, retry_at_ms: i64 },
    /// Asked for, but closed since this wall time because no logs pane was shown for a while
    /// (it reopens when one is); the tail polls meanwhile.
    Idle { since_ms: i64 },
}

/// The tail's progress over the last `RATE_WINDOW_MS` of wall time.
#[derive(Debug, Clone, Default)]
pub struct Meter {
    /// (wall time, lines read in all so far, reading position in log time), oldest first.
    samples: VecDeque<(i64, u64, i64)>,
    lines: u64,
}

impl Meter {
    /// Notes a poll: `read` lines were read and the reading position is now `position_ms`.
    pub fn record(&mut self, now_ms: i64, read: usize, position_ms: i64) {
        self.lines += read as u64;
        self.samples.push_back((now_ms, self.lines, position_ms));
        // Keep one sample at or before the window's start, so the window is always complete.
        while self.samples.len() > 2 && self.samples[1].0 <= now_ms - RATE_WINDOW_MS {
            self.samples.pop_front();
        }
    }

    pub fn reset(&mut self) {
        self.samples.clear();
    }

    /// Falling behind: more than `BEHIND_MS` behind now and further behind than a window ago.
    pub fn behind(&self, now_ms: i64) -> Option<Behind> {
        let (&(t0, n0, p0), &(t1, n1, p1)) = (self.samples.front()?, self.samples.back()?);
        let lag = now_ms - p1;
        let span_ms = t1 - t0;
        if span_ms < RATE_WINDOW_MS || lag <= BEHIND_MS || (t1 - p1) < (t0 - p0) {
            return None;
        }
        let read = (n1 - n0) as f64;
        let advanced_s = ((p1 - p0).max(1) as f64) / 1_000.0;
        Some(Behind { arrival_per_s: read / advanced_s, reading_per_s: read * 1_000.0 / span_ms as f64, lag_ms: lag })
    }

    /// Lines per second of log time over the window (0 without a window).
    pub fn arrival_per_s(&self) -> f64 {
        match (self.samples.front(), self.samples.back()) {
            (Some(&(_, n0, p0)), Some(&(_, n1, p1))) if p1 > p0 => (n1 - n0) as f64 * 1_000.0 / (p1 - p0) as f64,
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overlap_covers_the_largest_recent_delay_within_bounds() {
        assert_eq!(overlap_for(0), MIN_OVERLAP_MS);
        assert_eq!(overlap_for(45_000), 68_500);
        assert_eq!(overlap_for(3_600_000), MAX_OVERLAP_MS);
        let mut d = Delays::default();
        d.observe(0, 45_000);
        d.observe(30_000, 1_000);
        assert_eq!(d.max_recent(30_000), 45_000);
        // Ten minutes later the delay is forgotten.
        d.observe(DELAY_MEMORY_MS + 61_000, 500);
        assert_eq!(d.max_recent(DELAY_MEMORY_MS + 61_000), 500);
    }

    #[test]
    fn a_tail_losing_ground_is_behind_and_one_catching_up_is_not() {
        // Reading 3,000 lines a second that cover half a second of log time each: behind.
        let mut m = Meter::default();
        let start = 1_000_000;
        for s in 0..=12 {
            m.record(start + s * 1_000, 3_000, start - 40_000 + s * 500);
        }
        let b = m.behind(start + 12_000).expect("behind");
        assert_eq!(b.reading_per_s.round(), 3_000.0);
        assert_eq!(b.arrival_per_s.round(), 6_000.0);
        assert_eq!(b.lag_ms, 46_000);
        // Reading a ten-minute backlog at twice the rate it arrives: far behind, not losing ground.
        let mut m = Meter::default();
        for s in 0..=12 {
            m.record(start + s * 1_000, 3_000, start - 600_000 + s * 2_000);
        }
        assert_eq!(m.behind(start + 12_000), None);
        // Less than a window of samples: no verdict yet.
        let mut m = Meter::default();
        m.record(start, 10, start - 60_000);
        m.record(start + 5_000, 10, start - 60_000);
        assert_eq!(m.behind(start + 5_000), None);
    }
}
