//! Live Tail sessions in the simulator: StartLiveTail answers with a streamed
//! `application/vnd.amazon.eventstream` body — an `initial-response` and a `sessionStart` at
//! once, then a `sessionUpdate`
//! about once a second (real time) with what was ingested since — until the client hangs up,
//! the session reaches its limit in virtual time (3 hours, as AWS; it ends with a
//! `SessionTimeoutException` frame), or the control surface ends every open session with an
//! exception (`SessionStreamingException`, for tests). At most 15 sessions are open per account
//! at once (AWS's quota; more are refused with `LimitExceededException`). The limits are
//! settable through `/_sim/live-tail` and `SimHandle::set_live_tail`. Wire shapes are
//! `api::logs_live`'s.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::Response;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::api::Caller;
use super::api::logs_live::{self, Mark, Plan};
use super::error::ApiError;
use super::{Shared, lock};

/// The session limits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LiveTailLimits {
    /// A session ends with `SessionTimeoutException` after this much virtual time.
    pub max_session_ms: i64,
    /// Open sessions per account at most.
    pub max_sessions: usize,
    /// Real time between two updates.
    pub update_every_ms: u64,
}

impl Default for LiveTailLimits {
    fn default() -> Self {
        LiveTailLimits { max_session_ms: 3 * 3_600_000, max_sessions: 15, update_every_ms: 1_000 }
    }
}

/// Open sessions and the knobs.
#[derive(Debug, Default)]
pub struct LiveTails {
    pub limits: LiveTailLimits,
    open: HashMap<String, usize>,
    /// Bumped to end every open session with `end_with`.
    end_epoch: u64,
    end_with: String,
    next_id: u64,
    /// Sessions started since the simulator started.
    pub started: u64,
}

impl LiveTails {
    /// Open sessions, all accounts.
    pub fn open(&self) -> usize {
        self.open.values().sum()
    }

    /// Ends every open session with this exception (`SessionStreamingException`…).
    pub fn end_all(&mut self, exception: &str) {
        self.end_epoch += 1;
        self.end_with = exception.to_string();
    }

    pub fn status(&self) -> serde_json::Value {
        json!({"limits": self.limits, "open": self.open(), "started": self.started})
    }
}

/// Decrements the account's open sessions when the stream is dropped (the client hung up or
/// the session ended).
struct Open {
    shared: Arc<Shared>,
    account: String,
}

impl Drop for Open {
    fn drop(&mut self) {
        let mut lt = lock(&self.shared.live_tails);
        if let Some(n) = lt.open.get_mut(&self.account) {
            *n = n.saturating_sub(1);
        }
    }
}

enum Phase {
    Start(Vec<u8>),
    Running,
    Done,
}

struct Session {
    open: Open,
    caller: Caller,
    plan: Plan,
    mark: Mark,
    started_ms: i64,
    epoch: u64,
    every: Duration,
    phase: Phase,
}

/// Starts a session: checks the request and the concurrent-session quota, then streams.
pub fn start(shared: &Arc<Shared>, caller: &Caller, body: &[u8], rid: &str) -> Result<Response<Body>, ApiError> {
    let (plan, mark) = shared
        .with_world(&caller.account, &caller.region, |w| logs_live::plan(w, body).map(|p| (p, logs_live::mark(w))))?;
    let (limits, epoch, session_id) = {
        let mut lt = lock(&shared.live_tails);
        let limits = lt.limits;
        let n = lt.open.entry(caller.account.clone()).or_default();
        if *n >= limits.max_sessions {
            return Err(ApiError::client(
                "LimitExceededException",
                format!(
                    "You have reached the maximum number of concurrent Live Tail sessions ({}).",
                    limits.max_sessions
                ),
            ));
        }
        *n += 1;
        lt.next_id += 1;
        lt.started += 1;
        (limits, lt.end_epoch, format!("{:08x}-sim-live-tail-{:012}", super::world::fnv(rid) as u32, lt.next_id))
    };
    // An awsJson operation whose output is an event stream opens it with an `initial-response`
    // event carrying the output's other members (none here): botocore insists on it, the Rust
    // SDK takes it if it is there. Then the session's start.
    let mut first = logs_live::frame("initial-response", &json!({}), false);
    first.extend(logs_live::frame("sessionStart", &logs_live::session_start(&plan, rid, &session_id), false));
    let session = Session {
        open: Open { shared: shared.clone(), account: caller.account.clone() },
        caller: caller.clone(),
        plan,
        mark,
        started_ms: mark.now_ms,
        epoch,
        every: Duration::from_millis(limits.update_every_ms.max(1)),
        phase: Phase::Start(first),
    };
    let stream = futures_util::stream::unfold(session, |mut s| async move {
        let bytes = next_frame(&mut s).await?;
        Some((Ok::<Bytes, std::convert::Infallible>(Bytes::from(bytes)), s))
    });
    Response::builder()
        .status(200)
        .header("content-type", "application/vnd.amazon.eventstream")
        .header("x-amzn-requestid", rid)
        .body(Body::from_stream(stream))
        .map_err(|_| ApiError::internal())
}

/// The session's next frame, or `None` once it has ended.
async fn next_frame(s: &mut Session) -> Option<Vec<u8>> {
    match std::mem::replace(&mut s.phase, Phase::Running) {
        Phase::Start(first) => return Some(first),
        Phase::Done => {
            s.phase = Phase::Done;
            return None;
        }
        Phase::Running => {}
    }
    tokio::time::sleep(s.every).await;
    let shared = s.open.shared.clone();
    // The limits as they are now: a shorter session limit applies to open sessions too.
    let (ended, max_ms) = {
        let lt = lock(&shared.live_tails);
        ((lt.end_epoch != s.epoch).then(|| lt.end_with.clone()), lt.limits.max_session_ms)
    };
    if let Some(code) = ended {
        s.phase = Phase::Done;
        let message = format!("The Live Tail session was ended by the service ({code}).");
        return Some(logs_live::frame(&code, &json!({"__type": code, "message": message}), true));
    }
    let (update, mark, now) = shared.with_world(&s.caller.account, &s.caller.region, |w| {
        let (u, m) = logs_live::update(w, &s.plan, s.mark);
        (u, m, w.now_ms)
    });
    if now - s.started_ms >= max_ms {
        s.phase = Phase::Done;
        let message = "Session timed out: a Live Tail session lasts at most 3 hours.";
        let payload = json!({"__type": "SessionTimeoutException", "message": message});
        return Some(logs_live::frame("SessionTimeoutException", &payload, true));
    }
    s.mark = mark;
    Some(logs_live::frame("sessionUpdate", &logs_live::session_update(&update), false))
}
