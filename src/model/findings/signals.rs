//! What the log lines say about each task over the last minutes, for the runtime findings:
//! requests (health checks left out), slow requests and their latency, php-fpm's
//! `pm.max_children reached`, workers killed by signal 9 and PHP fatal errors. Bounded: one
//! bucket a minute per task over the window, tasks without a line in it forgotten.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use crate::model::logline::{LineClass, PhpTrouble};

/// How far back the signals look.
pub const SIGNAL_WINDOW_MS: i64 = 10 * 60_000;
/// A request at least this slow counts as slow.
pub const SLOW_REQUEST_MS: u32 = 1_000;
const MINUTE_MS: i64 = 60_000;

/// Counts for one task (one minute, or summed over the window).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TaskCounts {
    /// Requests with a latency (health checks left out).
    pub requests: u64,
    pub slow: u64,
    pub latency_ms_sum: u64,
    pub max_children: u64,
    pub signal9: u64,
    pub fatal: u64,
    /// When `pm.max_children reached` was first and last seen (epoch ms).
    pub max_children_first_ms: Option<i64>,
    pub max_children_last_ms: Option<i64>,
}

impl TaskCounts {
    fn add(&mut self, o: &TaskCounts) {
        self.requests += o.requests;
        self.slow += o.slow;
        self.latency_ms_sum += o.latency_ms_sum;
        self.max_children += o.max_children;
        self.signal9 += o.signal9;
        self.fatal += o.fatal;
        self.max_children_first_ms = min_opt(self.max_children_first_ms, o.max_children_first_ms);
        self.max_children_last_ms = self.max_children_last_ms.max(o.max_children_last_ms);
    }

    /// Mean latency of its requests, in ms.
    pub fn mean_ms(&self) -> Option<f64> {
        (self.requests > 0).then(|| self.latency_ms_sum as f64 / self.requests as f64)
    }

    /// Share of its requests that were slow, 0–1.
    pub fn slow_share(&self) -> f64 {
        if self.requests == 0 { 0.0 } else { self.slow as f64 / self.requests as f64 }
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// Per task, a bucket a minute over the window.
#[derive(Debug, Clone, Default)]
pub struct LogSignals {
    tasks: HashMap<Arc<str>, VecDeque<(i64, TaskCounts)>>,
    /// The newest line's time: the window ends there (lines carry CloudWatch's clock).
    newest_ms: i64,
    /// The oldest line's time: how far back the signals actually reach.
    oldest_ms: Option<i64>,
}

impl LogSignals {
    pub fn new() -> LogSignals {
        LogSignals::default()
    }

    /// Records one classified line of `task_id` at `ts_ms`.
    pub fn record(&mut self, task_id: &Arc<str>, class: &LineClass, ts_ms: i64) {
        let mut c = TaskCounts::default();
        match class {
            LineClass::Access { health_check: false, latency_ms: Some(ms), .. } => {
                c.requests = 1;
                c.latency_ms_sum = u64::from(*ms);
                c.slow = u64::from(*ms >= SLOW_REQUEST_MS);
            }
            LineClass::PhpTrouble(PhpTrouble::MaxChildren) => {
                c.max_children = 1;
                c.max_children_first_ms = Some(ts_ms);
                c.max_children_last_ms = Some(ts_ms);
            }
            LineClass::PhpTrouble(PhpTrouble::Signal9) => c.signal9 = 1,
            LineClass::PhpTrouble(PhpTrouble::Fatal) => c.fatal = 1,
            _ => return,
        }
        if task_id.is_empty() || ts_ms < self.newest_ms - SIGNAL_WINDOW_MS {
            return;
        }
        let minute = ts_ms.div_euclid(MINUTE_MS) * MINUTE_MS;
        let buckets = self.tasks.entry(task_id.clone()).or_default();
        match buckets.iter_mut().find(|(m, _)| *m == minute) {
            Some((_, b)) => b.add(&c),
            None => {
                let at = buckets.iter().position(|(m, _)| *m > minute).unwrap_or(buckets.len());
                buckets.insert(at, (minute, c));
            }
        }
        self.oldest_ms = Some(self.oldest_ms.map_or(ts_ms, |o| o.min(ts_ms)));
        if ts_ms > self.newest_ms {
            self.newest_ms = ts_ms;
            self.prune();
        }
    }

    fn prune(&mut self) {
        let keep_from = (self.newest_ms - SIGNAL_WINDOW_MS).div_euclid(MINUTE_MS) * MINUTE_MS;
        for buckets in self.tasks.values_mut() {
            while buckets.front().is_some_and(|(m, _)| *m < keep_from) {
                buckets.pop_front();
            }
        }
        self.tasks.retain(|_, b| !b.is_empty());
    }

    /// Each task's counts over the window, by task id (sorted, for stable output).
    pub fn per_task(&self) -> Vec<(&str, TaskCounts)> {
        let mut out: Vec<(&str, TaskCounts)> = self
            .tasks
            .iter()
            .map(|(id, buckets)| {
                let mut sum = TaskCounts::default();
                for (_, b) in buckets {
                    sum.add(b);
                }
                (&**id, sum)
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// How many minutes of lines the signals cover (up to the window).
    pub fn covered_ms(&self) -> i64 {
        self.oldest_ms.map_or(0, |o| (self.newest_ms - o).clamp(0, SIGNAL_WINDOW_MS))
    }

    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(ms: u32) -> LineClass {
        LineClass::Access { status: 200, health_check: false, latency_ms: Some(ms) }
    }

    #[test]
    fn counts_requests_slow_ones_and_php_trouble_per_task() {
        let (a, b): (Arc<str>, Arc<str>) = ("aaaa".into(), "bbbb".into());
        let mut s = LogSignals::new();
        let t0 = 1_000_000_000;
        s.record(&a, &access(100), t0);
        s.record(&a, &access(SLOW_REQUEST_MS), t0 + 1);
        s.record(&a, &LineClass::Access { status: 200, health_check: true, latency_ms: Some(5_000) }, t0 + 2);
        s.record(&b, &LineClass::PhpTrouble(PhpTrouble::MaxChildren), t0 + 3);
        s.record(&b, &LineClass::PhpTrouble(PhpTrouble::MaxChildren), t0 + 90_000);
        s.record(&b, &LineClass::Plain, t0 + 90_001);
        let per = s.per_task();
        assert_eq!(per.len(), 2);
        let (ida, ca) = per[0];
        assert_eq!((ida, ca.requests, ca.slow, ca.latency_ms_sum), ("aaaa", 2, 1, 1_100));
        let (_, cb) = per[1];
        assert_eq!(cb.max_children, 2);
        assert_eq!((cb.max_children_first_ms, cb.max_children_last_ms), (Some(t0 + 3), Some(t0 + 90_000)));
    }

    #[test]
    fn lines_older_than_the_window_are_forgotten() {
        let a: Arc<str> = "aaaa".into();
        let mut s = LogSignals::new();
        let t0 = 1_000_000_000;
        s.record(&a, &access(100), t0);
        s.record(&a, &access(100), t0 + SIGNAL_WINDOW_MS + 2 * MINUTE_MS);
        assert_eq!(s.per_task()[0].1.requests, 1);
        // A line from before the window is not counted at all.
        s.record(&a, &access(100), t0);
        assert_eq!(s.per_task()[0].1.requests, 1);
    }
}
