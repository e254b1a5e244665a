//! `Panel<T>`: what one feed last delivered — the data, when it arrived, the error since and
//! when the feed tries again — and how old or stale that makes it. Plain data; it must not read
//! the clock (ages are computed from the time passed in).

use crate::model::FetchError;

/// Data older than this reads as stale even without an error.
pub const STALE_AFTER_MS: i64 = 30_000;

/// What one feed last delivered: the data, when, and the error since, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel<T> {
    pub data: Option<T>,
    /// When the data (or the last error) arrived.
    pub at_ms: Option<i64>,
    pub error: Option<FetchError>,
    /// When the feed tries again after this error (the state's clock), so the panel counts down.
    pub retry_at_ms: Option<i64>,
}

impl<T> Default for Panel<T> {
    fn default() -> Self {
        Panel { data: None, at_ms: None, error: None, retry_at_ms: None }
    }
}

impl<T> Panel<T> {
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
        self.error.is_some() || self.age_ms(now_ms).is_some_and(|a| a > STALE_AFTER_MS)
    }

    /// Before the first result (and no error yet): "loading…".
    pub fn is_loading(&self) -> bool {
        self.data.is_none() && self.error.is_none()
    }
}
