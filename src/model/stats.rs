//! Request rate and status mix over the last 60 seconds, from parsed access lines, leaving out
//! the ALB's health checks. Pure: each line's timestamp and `now` are passed in; no clock.

use serde::Serialize;

use super::access::{AccessLine, StatusClass};

/// The rolling window, in seconds.
pub const STATS_WINDOW_SECS: i64 = 60;

const CLASSES: usize = StatusClass::ALL.len();

#[derive(Debug, Clone, Copy)]
struct Bucket {
    sec: i64,
    counts: [u64; CLASSES],
}

const EMPTY: Bucket = Bucket { sec: i64::MIN, counts: [0; CLASSES] };

/// Counts per status class over the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct StatusMix {
    pub counts: [u64; CLASSES],
}

impl StatusMix {
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    pub fn count(&self, class: StatusClass) -> u64 {
        self.counts[class.index()]
    }

    /// Percentage (0–100) of requests in `class`; 0 when there were none.
    pub fn percent(&self, class: StatusClass) -> f64 {
        match self.total() {
            0 => 0.0,
            total => self.count(class) as f64 * 100.0 / total as f64,
        }
    }
}

/// Accumulates access lines into one-second buckets of the last minute.
#[derive(Debug, Clone)]
pub struct RequestStats {
    buckets: [Bucket; STATS_WINDOW_SECS as usize],
    first_sec: Option<i64>,
    lifetime: [u64; CLASSES],
    health_checks: u64,
}

impl Default for RequestStats {
    fn default() -> Self {
        RequestStats {
            buckets: [EMPTY; STATS_WINDOW_SECS as usize],
            first_sec: None,
            lifetime: [0; CLASSES],
            health_checks: 0,
        }
    }
}

impl RequestStats {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one access line that happened at `ts_ms`.
    pub fn record(&mut self, line: &AccessLine<'_>, ts_ms: i64) {
        self.record_status(line.status, line.is_health_check, ts_ms);
    }

    /// The same, from what `LineClass::Access` keeps (status and the health-check flag).
    pub fn record_status(&mut self, status: u16, health_check: bool, ts_ms: i64) {
        if health_check {
            self.health_checks += 1;
            return;
        }
        let class = StatusClass::of(status).index();
        self.lifetime[class] += 1;
        let sec = ts_ms.div_euclid(1000);
        self.first_sec = Some(self.first_sec.map_or(sec, |f| f.min(sec)));
        let bucket = &mut self.buckets[sec.rem_euclid(STATS_WINDOW_SECS) as usize];
        if bucket.sec < sec {
            *bucket = Bucket { sec, counts: [0; CLASSES] };
        }
        if bucket.sec == sec {
            bucket.counts[class] += 1;
        }
        // Otherwise the line is a minute older than what this slot holds: out of the window.
    }

    /// The status mix of the last 60 s up to `now_ms` (health checks excluded).
    pub fn mix(&self, now_ms: i64) -> StatusMix {
        let now_sec = now_ms.div_euclid(1000);
        let mut mix = StatusMix::default();
        for b in self.buckets.iter().filter(|b| b.sec <= now_sec && b.sec > now_sec - STATS_WINDOW_SECS) {
            for (sum, n) in mix.counts.iter_mut().zip(b.counts) {
                *sum += n;
            }
        }
        mix
    }

    /// Requests per second over the last 60 s, or over the time since the first line when
    /// that is shorter (so the rate is right from the start).
    pub fn requests_per_sec(&self, now_ms: i64) -> f64 {
        let Some(first) = self.first_sec else {
            return 0.0;
        };
        let now_sec = now_ms.div_euclid(1000);
        let span = (now_sec.saturating_sub(first) + 1).clamp(1, STATS_WINDOW_SECS);
        self.mix(now_ms).total() as f64 / span as f64
    }

    /// Every request recorded, per class (health checks excluded).
    pub fn lifetime(&self) -> StatusMix {
        StatusMix { counts: self.lifetime }
    }

    /// Health-check lines seen (not in any rate or mix).
    pub fn health_checks(&self) -> u64 {
        self.health_checks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_stats_are_zero() {
        let s = RequestStats::new();
        assert_eq!(s.requests_per_sec(1_000_000), 0.0);
        assert_eq!(s.mix(0).total(), 0);
        assert_eq!(s.mix(0).percent(StatusClass::Success), 0.0);
    }

    #[test]
    fn rate_and_mix_over_the_last_minute() {
        let mut s = RequestStats::new();
        let t0 = 1_000_000_000;
        for sec in 0..120 {
            for k in 0..10 {
                let status = if k == 0 && sec % 2 == 0 { 503 } else { 200 };
                s.record_status(status, false, t0 + sec * 1000 + k * 10);
            }
            s.record_status(200, true, t0 + sec * 1000);
        }
        let now = t0 + 119_500;
        assert!((s.requests_per_sec(now) - 10.0).abs() < 1e-9);
        let mix = s.mix(now);
        assert_eq!(mix.total(), 600);
        assert_eq!(mix.count(StatusClass::ServerError), 30);
        assert!((mix.percent(StatusClass::ServerError) - 5.0).abs() < 1e-9);
        assert!((mix.percent(StatusClass::Success) - 95.0).abs() < 1e-9);
        assert_eq!(s.health_checks(), 120);
        assert_eq!(s.lifetime().total(), 1200);
        // A minute later with nothing new, the window is empty.
        assert_eq!(s.requests_per_sec(now + 61_000), 0.0);
    }

    #[test]
    fn the_rate_is_right_from_the_first_seconds() {
        let mut s = RequestStats::new();
        for i in 0..50 {
            s.record_status(200, false, 5_000 + i * 100);
        }
        // 50 requests over seconds 5..=9: 10 req/s.
        assert!((s.requests_per_sec(9_999) - 10.0).abs() < 1e-9);
    }

    #[test]
    fn late_and_odd_timestamps_do_not_corrupt_the_window() {
        let mut s = RequestStats::new();
        s.record_status(200, false, 200_000);
        s.record_status(500, false, 140_000); // same slot, a minute older: outside the window
        s.record_status(404, false, -5_000);
        s.record_status(999, false, i64::MAX);
        s.record_status(200, false, i64::MIN);
        let mix = s.mix(200_500);
        assert_eq!(mix.total(), 1);
        assert_eq!(s.lifetime().total(), 5);
        let _ = s.requests_per_sec(i64::MIN);
        let _ = s.requests_per_sec(i64::MAX);
    }

    #[test]
    fn records_parsed_lines() {
        let mut s = RequestStats::new();
        let line = r#"10.0.1.200 - - [28/Nov/2026:14:02:11 +0000] "GET / HTTP/1.1" 502 0 "-" "Mozilla/5.0" "198.51.100.2" 0.043"#;
        let parsed = crate::model::access::parse_access_line(line).unwrap();
        s.record(&parsed, 10_000);
        assert_eq!(s.mix(10_000).count(StatusClass::ServerError), 1);
    }
}
