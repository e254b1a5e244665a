//! `Panel<T>`: what one feed last delivered — the data, when it arrived, the error since and
//! when the feed tries again — and how old or stale that makes it. Plain data; it must not read
//! the clock (ages are computed from the time passed in).

use crate::model::FetchError;

/// Data older than this reads as stale even without an error (at least: a panel whose feed
/// refreshes less often allows its interval and [`STALE_GRACE_MS`]).
pub const STALE_AFTER_MS: i64 = 30_000;

/// How late a refresh may be, beyond its feed's interval, before the data reads as stale (a
/// read with SDK retries under throttling takes seconds).
pub const STALE_GRACE_MS: i64 = 15_000;

/// What one feed last delivered: the data, when, and the error since, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel<T> {
    pub data: Option<T>,
    /// When the data (or the last error) arrived.
    pub at_ms: Option<i64>,
    pub error: Option<FetchError>,
    /// When the feed tries again after this error (the state's clock), so the panel counts down.
    pub retry_at_ms: Option<i64>,
    /// Data older than this, with no error, reads as stale: a refresh is overdue.
    pub stale_after_ms: i64,
}

impl<T> Default for Panel<T> {
    fn default() -> Self {
        Panel { data: None, at_ms: None, error: None, retry_at_ms: None, stale_after_ms: STALE_AFTER_MS }
    }
}

impl<T> Panel<T> {
    /// An empty panel of `feed`, stale once a refresh is overdue by its interval: data of a feed
    /// read every minute is not stale at 31 s.
    pub fn of(feed: crate::app::Feed) -> Self {
        Panel { stale_after_ms: STALE_AFTER_MS.max(feed.idle_every_ms() + STALE_GRACE_MS), ..Panel::default() }
    }

    /// A good result: replaces the data, clears the error.
    pub fn set(&mut self, at_ms: i64, data: T) {
        self.data = Some(data);
        self.at_ms = Some(at_ms);
        self.error = None;
        self.retry_at_ms = None;
    }

    /// A failed fetch: the last good data stays, marked stale by the error.
    pub fn fail(&mut self, error: FetchError) {
        self.error = Some(error);
    }

    /// How old the data is.
    pub fn age_ms(&self, now_ms: i64) -> Option<i64> {
        self.at_ms.map(|at| now_ms.saturating_sub(at).max(0))
    }

    /// True when the data cannot be trusted as current.
    pub fn is_stale(&self, now_ms: i64) -> bool {
        self.error.is_some() || self.age_ms(now_ms).is_some_and(|a| a > self.stale_after_ms)
    }

    /// Before the first result (and no error yet): "loading…".
    pub fn is_loading(&self) -> bool {
        self.data.is_none() && self.error.is_none()
    }
}
