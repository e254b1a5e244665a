//! The simulator's own control surface: fault knobs (throttling, 5xx, latency), request
//! throttling by token bucket as AWS does per account and region, and the `/_sim/` endpoint
//! that tests and benchmarks use to pause, resume and advance the clock, change the knobs and
//! read request counts. Not an AWS API.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Shared, lock};

/// Injected faults, applied to every AWS request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Faults {
    /// Probability (0..1) that a request is answered with ThrottlingException.
    #[serde(default)]
    pub throttle_rate: f64,
    /// Probability (0..1) that a request is answered with a 500.
    #[serde(default)]
    pub error_rate: f64,
    /// Delay added before answering, in milliseconds.
    #[serde(default)]
    pub latency_ms: u64,
}

/// A token bucket refilled in real time.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    tokens: f64,
    capacity: f64,
    per_second: f64,
    last: Instant,
}

impl TokenBucket {
    pub fn new(capacity: f64, per_second: f64) -> Self {
        TokenBucket { tokens: capacity, capacity, per_second, last: Instant::now() }
    }

    /// Takes one token if there is one.
    pub fn take(&mut self) -> bool {
        let now = Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * self.per_second;
        self.tokens = (self.tokens + refill).min(self.capacity);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The request budget an operation draws from, as (bucket name, capacity, refill per second).
pub fn budget_of(service: &str, op: &str) -> Option<(&'static str, f64, f64)> {
    match (service, op) {
        ("ecs", _) => Some(("ecs", 100.0, 40.0)),
        ("logs", "FilterLogEvents") => Some(("logs-filter", 10.0, 5.0)),
        ("logs", "GetLogEvents") => Some(("logs-get", 25.0, 10.0)),
        _ => None,
    }
}

/// The longest single advance of the clock: 30 days. Longer jumps (`seconds=1e300`) saturated
/// the clock and left every AWS request catching up forever.
pub const MAX_ADVANCE_MS: f64 = 30.0 * 86_400_000.0;
/// The fastest the clock may run (as `wpops sim --speed` allows).
pub const MAX_SPEED: f64 = 10_000.0;
/// The longest injected latency: 10 minutes, longer than any client waits.
pub const MAX_LATENCY_MS: u64 = 600_000;

/// A clock advance in ms, refused unless finite, not negative and at most 30 days.
pub fn check_advance_ms(ms: f64) -> Result<i64, String> {
    if ms.is_finite() && (0.0..=MAX_ADVANCE_MS).contains(&ms) {
        Ok(ms as i64)
    } else {
        Err(format!("advance must be between 0 and 30 days (2592000 seconds), got {} ms", readable(ms)))
    }
}

/// A clock speed, refused unless finite, above 0 and at most 10,000.
pub fn check_speed(x: f64) -> Result<f64, String> {
    if x.is_finite() && x > 0.0 && x <= MAX_SPEED {
        Ok(x)
    } else {
        Err(format!("speed must be above 0 and at most {MAX_SPEED}, got {}", readable(x)))
    }
}

/// A number as people read it: `-1000`, `2.5`, but `1e303` rather than 304 digits.
fn readable(x: f64) -> String {
    if x.is_finite() && x.abs() >= 1e15 { format!("{x:e}") } else { format!("{x}") }
}

impl Faults {
    /// Refuses rates outside 0..1 and latencies beyond 10 minutes.
    pub fn check(&self) -> Result<(), String> {
        for (name, r) in [("throttle_rate", self.throttle_rate), ("error_rate", self.error_rate)] {
            if !(r.is_finite() && (0.0..=1.0).contains(&r)) {
                return Err(format!("{name} must be between 0 and 1, got {}", readable(r)));
            }
        }
        if self.latency_ms > MAX_LATENCY_MS {
            return Err(format!("latency_ms must be at most {MAX_LATENCY_MS} (10 minutes), got {}", self.latency_ms));
        }
        Ok(())
    }
}

/// A numeric query parameter: absent, a number, or a 400 saying which parameter is wrong.
fn number(query: &str, name: &str) -> Result<Option<f64>, String> {
    match form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name) {
        None => Ok(None),
        Some((_, v)) => v.parse().map(Some).map_err(|_| format!("{name} must be a number, got {v:?}")),
    }
}

fn bad(message: String) -> (u16, serde_json::Value) {
    (400, json!({"error": message}))
}

/// Handles `/_sim/...`; returns (status, JSON body).
pub fn handle(shared: &Shared, method: &str, path: &str, query: &str, body: &[u8]) -> (u16, serde_json::Value) {
    match (method, path) {
        ("GET", "/_sim/status") => (200, status(shared)),
        ("POST", "/_sim/pause") => {
            shared.clock.pause();
            (200, status(shared))
        }
        ("POST", "/_sim/resume") => {
            shared.clock.resume();
            (200, status(shared))
        }
        ("POST", "/_sim/advance") => {
            let ms = match (number(query, "ms"), number(query, "seconds")) {
                (Err(e), _) | (_, Err(e)) => return bad(e),
                (Ok(Some(ms)), _) => ms,
                (Ok(None), Ok(Some(s))) => s * 1000.0,
                (Ok(None), Ok(None)) => return bad("advance needs ?seconds=N or ?ms=N".into()),
            };
            match check_advance_ms(ms) {
                Ok(ms) => {
                    shared.clock.advance_ms(ms);
                    (200, status(shared))
                }
                Err(e) => bad(e),
            }
        }
        ("POST", "/_sim/speed") => match number(query, "x").map(|x| x.map(check_speed)) {
            Ok(Some(Ok(x))) => {
                shared.clock.set_speed(x);
                (200, status(shared))
            }
            Ok(None) => bad("speed needs ?x=<factor>".into()),
            Err(e) | Ok(Some(Err(e))) => bad(e),
        },
        ("GET", "/_sim/faults") => (200, json!(*lock(&shared.faults))),
        ("POST", "/_sim/faults") => {
            let current = *lock(&shared.faults);
            let mut value = serde_json::to_value(current).unwrap_or_default();
            match serde_json::from_slice::<serde_json::Value>(body) {
                Ok(serde_json::Value::Object(changes)) => {
                    if let Some(obj) = value.as_object_mut() {
                        obj.extend(changes);
                    }
                }
                _ => {
                    return (400, json!({"error": "faults take a JSON object such as {\"throttle_rate\":0.3}"}));
                }
            }
            match serde_json::from_value::<Faults>(value).map_err(|e| e.to_string()).and_then(|f| f.check().map(|()| f))
            {
                Ok(f) => {
                    *lock(&shared.faults) = f;
                    (200, json!(f))
                }
                Err(e) => bad(e),
            }
        }
        ("GET", "/_sim/live-tail") => (200, lock(&shared.live_tails).status()),
        ("POST", "/_sim/live-tail") => {
            let mut lt = lock(&shared.live_tails);
            let mut value = serde_json::to_value(lt.limits).unwrap_or_default();
            match serde_json::from_slice::<serde_json::Value>(body) {
                Ok(serde_json::Value::Object(changes)) => {
                    if let Some(obj) = value.as_object_mut() {
                        obj.extend(changes);
                    }
                }
                _ => return bad("live-tail takes a JSON object such as {\"max_session_ms\":5000}".into()),
            }
            match serde_json::from_value(value) {
                Ok(limits) => {
                    lt.limits = limits;
                    (200, lt.status())
                }
                Err(e) => bad(e.to_string()),
            }
        }
        ("POST", "/_sim/live-tail/end") => {
            let code = form_urlencoded::parse(query.as_bytes())
                .find(|(k, _)| k == "error")
                .map_or_else(|| "SessionStreamingException".to_string(), |(_, v)| v.into_owned());
            let mut lt = lock(&shared.live_tails);
            lt.end_all(&code);
            (200, lt.status())
        }
        ("GET", "/_sim/requests") => (200, requests(shared)),
        ("POST", "/_sim/requests/reset") => {
            lock(&shared.counts).clear();
            (200, requests(shared))
        }
        _ => (
            404,
            json!({"error": format!("no control endpoint {method} {path}"), "endpoints": [
            "GET /_sim/status", "POST /_sim/pause", "POST /_sim/resume", "POST /_sim/advance?seconds=N",
            "POST /_sim/speed?x=F", "GET|POST /_sim/faults", "GET /_sim/requests", "POST /_sim/requests/reset",
            "GET|POST /_sim/live-tail", "POST /_sim/live-tail/end?error=SessionStreamingException"]}),
        ),
    }
}

fn status(shared: &Shared) -> serde_json::Value {
    json!({
        "now_ms": shared.clock.now_ms(),
        "speed": shared.clock.speed(),
        "paused": shared.clock.paused(),
        "scenario": shared.scenario.name,
        "faults": *lock(&shared.faults),
    })
}

fn requests(shared: &Shared) -> serde_json::Value {
    let counts = lock(&shared.counts);
    let mut by_account = serde_json::Map::new();
    let mut by_operation = serde_json::Map::new();
    let mut total = 0u64;
    for ((account, op), n) in counts.iter() {
        total += n;
        let entry = by_account.entry(account.clone()).or_insert_with(|| json!({}));
        if let Some(obj) = entry.as_object_mut() {
            obj.insert(op.clone(), json!(n));
        }
        let sum = by_operation.get(op).and_then(|v| v.as_u64()).unwrap_or(0) + n;
        by_operation.insert(op.clone(), json!(sum));
    }
    json!({"total": total, "by_operation": by_operation, "by_account": by_account})
}
