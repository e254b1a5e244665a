//! Retry pacing for the feeds: exponential backoff with jitter after consecutive errors, capped
//! by each feed at about its own poll interval, reset on success. Each backoff is a warning in
//! `--log-file`, each recovery an info line (inside the feed's span, which names it).

use std::time::Duration;

use rand::Rng;

use crate::aws::AwsError;
use crate::model::FetchErrorKind;

/// Exponential backoff with ±25 % jitter.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    failures: u32,
}

impl Backoff {
    pub fn new(base: Duration, max: Duration) -> Self {
        Backoff { base, max, failures: 0 }
    }

    pub fn reset(&mut self) {
        if self.failures > 0 {
            tracing::info!(failures = self.failures, "recovered after {} failed attempts", self.failures);
        }
        self.failures = 0;
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The wait before the next attempt after a failure of `kind` (logged as a warning).
    pub fn next(&mut self, kind: FetchErrorKind) -> Duration {
        let wait = self.wait_after(kind);
        tracing::warn!(
            failures = self.failures,
            kind = ?kind,
            retry_in_ms = wait.as_millis() as u64,
            "backing off {:.1}s after {} failed attempts ({kind:?})",
            wait.as_secs_f64(),
            self.failures
        );
        wait
    }

    /// The wait after `e`, logged as a warning with what went wrong.
    pub fn after(&mut self, e: &AwsError) -> Duration {
        let wait = self.wait_after(e.kind);
        tracing::warn!(
            failures = self.failures,
            kind = ?e.kind,
            retry_in_ms = wait.as_millis() as u64,
            "backing off {:.1}s after {} failed attempts: {e}",
            wait.as_secs_f64(),
            self.failures
        );
        wait
    }

    fn wait_after(&mut self, _kind: FetchErrorKind) -> Duration {
        self.failures = self.failures.saturating_add(1);
        // Throttling grows no faster than other errors: the SDK's own retries already wait
        // between attempts, and a feed that fails one read in five must not wait minutes.
        let exp = self.failures.min(16);
        let raw = self.base.as_secs_f64() * 2f64.powi(exp as i32 - 1);
        let capped = raw.min(self.max.as_secs_f64());
        let jitter = rand::rng().random_range(0.75..1.25);
        Duration::from_secs_f64((capped * jitter).min(self.max.as_secs_f64()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_with_failures_stays_under_max_and_resets() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
        let first = b.next(FetchErrorKind::Network);
        assert!(first >= Duration::from_millis(750) && first <= Duration::from_millis(1250), "{first:?}");
        for _ in 0..20 {
            assert!(b.next(FetchErrorKind::Throttled) <= Duration::from_secs(30));
        }
        assert_eq!(b.failures(), 21);
        b.reset();
        assert!(b.next(FetchErrorKind::Other) <= Duration::from_millis(1250));
    }

    #[test]
    fn throttling_grows_no_faster_than_other_errors() {
        let mut b = Backoff::new(Duration::from_secs(2), Duration::from_secs(30));
        // Two throttled reads in a row: 2 s then 4 s (±25 %), not 4 s then 8 s.
        assert!(b.next(FetchErrorKind::Throttled) <= Duration::from_millis(2_500));
        assert!(b.next(FetchErrorKind::Throttled) <= Duration::from_millis(5_000));
    }
}
