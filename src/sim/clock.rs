//! The simulator's virtual clock: epoch milliseconds that run at `speed` times real time, can be
//! paused, resumed and advanced by hand. Tokio time stays real; only the simulated world reads this.
//! It must not sleep or drive anything by itself.

use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// A virtual clock anchored to a real instant.
#[derive(Debug)]
pub struct SimClock {
    inner: Mutex<Anchor>,
}

#[derive(Debug, Clone, Copy)]
struct Anchor {
    real: Instant,
    virtual_ms: f64,
    speed: f64,
    paused: bool,
}

impl Anchor {
    fn now_ms(&self) -> f64 {
        if self.paused {
            self.virtual_ms
        } else {
            self.virtual_ms + self.real.elapsed().as_secs_f64() * 1000.0 * self.speed
        }
    }

    fn reanchor(&mut self) {
        self.virtual_ms = self.now_ms();
        self.real = Instant::now();
    }
}

/// Wall-clock epoch milliseconds, for anchoring the virtual clock at start.
pub fn wall_now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

impl SimClock {
    /// A clock that starts at `start_ms` and runs at `speed` (1.0 = real time).
    pub fn new(start_ms: i64, speed: f64, paused: bool) -> Self {
        SimClock {
            inner: Mutex::new(Anchor {
                real: Instant::now(),
                virtual_ms: start_ms as f64,
                speed: sanitize_speed(speed),
                paused,
            }),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut Anchor) -> R) -> R {
        // A poisoned lock only means another thread panicked mid-read of plain numbers.
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    /// The current virtual time in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.with(|a| a.now_ms() as i64)
    }

    /// Moves virtual time forward by `ms` at once.
    pub fn advance_ms(&self, ms: i64) {
        self.with(|a| {
            a.reanchor();
            a.virtual_ms += ms.max(0) as f64;
        })
    }

    pub fn pause(&self) {
        self.with(|a| {
            a.reanchor();
            a.paused = true;
        })
    }

    pub fn resume(&self) {
        self.with(|a| {
            a.reanchor();
            a.paused = false;
        })
    }

    pub fn set_speed(&self, speed: f64) {
        self.with(|a| {
            a.reanchor();
            a.speed = sanitize_speed(speed);
        })
    }

    pub fn speed(&self) -> f64 {
        self.with(|a| a.speed)
    }

    pub fn paused(&self) -> bool {
        self.with(|a| a.paused)
    }
}

fn sanitize_speed(speed: f64) -> f64 {
    if speed.is_finite() && speed > 0.0 { speed.min(10_000.0) } else { 1.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paused_clock_moves_only_when_advanced() {
        let c = SimClock::new(1_000, 1.0, true);
        assert_eq!(c.now_ms(), 1_000);
        c.advance_ms(60_000);
        assert_eq!(c.now_ms(), 61_000);
        c.advance_ms(-5);
        assert_eq!(c.now_ms(), 61_000);
    }

    #[test]
    fn bad_speed_falls_back_to_real_time() {
        let c = SimClock::new(0, f64::NAN, true);
        assert_eq!(c.speed(), 1.0);
        c.set_speed(-3.0);
        assert_eq!(c.speed(), 1.0);
        c.set_speed(20.0);
        assert_eq!(c.speed(), 20.0);
    }
}
