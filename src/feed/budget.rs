//! A shared request budget: a token bucket that callers wait on before each request, so that
//! everything following one site's logs stays inside CloudWatch Logs' per-account quota
//! (QUALITY.md P5: at most about one log request a second on average).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A token bucket refilled in real time; `acquire` waits for a token.
#[derive(Debug)]
pub struct Budget {
    state: Mutex<(f64, Instant)>,
    capacity: f64,
    per_second: f64,
    /// Tokens taken so far: the requests made within this budget.
    taken: AtomicU64,
}

impl Budget {
    pub fn new(capacity: f64, per_second: f64) -> Self {
        Budget {
            state: Mutex::new((capacity, Instant::now())),
            capacity,
            per_second: per_second.max(0.001),
            taken: AtomicU64::new(0),
        }
    }

    /// Takes a token if one is there now; otherwise says how long until one is.
    pub fn try_take(&self) -> Result<(), Duration> {
        // A poisoned lock only means a panic elsewhere mid-update of two numbers.
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let (tokens, last) = *s;
        let tokens = (tokens + now.duration_since(last).as_secs_f64() * self.per_second).min(self.capacity);
        if tokens >= 1.0 {
            *s = (tokens - 1.0, now);
            self.taken.fetch_add(1, Ordering::Relaxed);
            Ok(())
        } else {
            *s = (tokens, now);
            Err(Duration::from_secs_f64((1.0 - tokens) / self.per_second))
        }
    }

    /// The requests made within this budget so far.
    pub fn taken(&self) -> u64 {
        self.taken.load(Ordering::Relaxed)
    }

    /// Waits until a token is available, then takes it.
    pub async fn acquire(&self) {
        while let Err(wait) = self.try_take() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_wait() {
        let b = Budget::new(2.0, 1.0);
        assert!(b.try_take().is_ok());
        assert!(b.try_take().is_ok());
        assert_eq!(b.taken(), 2);
        let wait = b.try_take().unwrap_err();
        assert!(wait <= Duration::from_secs(1) && wait > Duration::from_millis(500), "{wait:?}");
    }
}
