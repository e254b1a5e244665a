//! The embedded AWS-compatible simulator behind `wpops --demo` and `wpops sim`: a loopback HTTP
//! server that speaks the real wire protocols of ECS, ECR, CloudWatch Logs, WAFv2, CloudWatch,
//! ELBv2 and STS, answering from one simulated world per account and region that evolves on a
//! virtual clock. Its wire shapes are its own; the real SDK clients are the referee.

pub mod api;
pub mod clock;
pub mod control;
pub mod ecr;
pub mod ecs;
pub mod elb;
pub mod error;
pub mod history;
mod http;
pub mod live_tail;
pub mod logs;
pub mod logtext;
pub mod metrics;
pub mod scenario;
pub mod traffic;
pub mod waf;
pub mod world;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use rand::SeedableRng;
use rand::rngs::SmallRng;
use tokio::sync::oneshot;

pub use clock::SimClock;
pub use control::Faults;
pub use http::account_of;
use scenario::Scenario;
use world::RegionWorld;

/// How to start a simulator.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub listen: SocketAddr,
    pub speed: f64,
    pub scenario: String,
    pub seed: u64,
    pub faults: Faults,
    /// Start with the clock paused (tests drive it with `advance`).
    pub paused: bool,
    /// Virtual start time; the wall clock when `None`.
    pub start_ms: Option<i64>,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            speed: 1.0,
            scenario: "default".into(),
            seed: 42,
            faults: Faults::default(),
            paused: false,
            start_ms: None,
        }
    }
}

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("{0}")]
    Scenario(String),
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error("refusing to listen on {0}: the simulator serves loopback addresses only")]
    NotLoopback(SocketAddr),
}

/// State shared by the HTTP handlers and the handle.
#[derive(Debug)]
pub struct Shared {
    pub clock: SimClock,
    pub scenario: Arc<Scenario>,
    pub seed: u64,
    worlds: Mutex<HashMap<(String, String), RegionWorld>>,
    pub faults: Mutex<Faults>,
    /// Request counts per (account, "service:Operation").
    pub counts: Mutex<BTreeMap<(String, String), u64>>,
    pub buckets: Mutex<HashMap<(String, String, &'static str), control::TokenBucket>>,
    pub fault_rng: Mutex<SmallRng>,
    /// Operations answered as an emulator that lacks them answers (moto: an HTML page, HTTP
    /// 404 for a protocol it does not speak, 500 for an action it has not implemented):
    /// `service:Operation` (`ecs:ListServiceDeployments`) or a whole service (`monitoring`).
    pub lacking: Mutex<Vec<String>>,
    /// Open Live Tail sessions and their limits.
    pub live_tails: Mutex<live_tail::LiveTails>,
}

/// Locks a mutex, taking the data even if a handler panicked while holding it: the world is
/// plain data and a later request must still be served.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// Runs `f` on the world of `account`/`region`, created on first use and advanced to now.
    pub fn with_world<R>(&self, account: &str, region: &str, f: impl FnOnce(&mut RegionWorld) -> R) -> R {
        let now = self.clock.now_ms();
        let mut worlds = lock(&self.worlds);
        let world = worlds
            .entry((account.to_string(), region.to_string()))
            .or_insert_with(|| RegionWorld::new(account, region, self.scenario.clone(), self.seed, now));
        world.advance_to(now);
        f(world)
    }

    /// Requests counted so far for `op` (e.g. `ecs:DescribeServices`), all accounts.
    pub fn request_count(&self, op: &str) -> u64 {
        lock(&self.counts).iter().filter(|((_, o), _)| o == op).map(|(_, n)| *n).sum()
    }

    /// All requests counted so far.
    pub fn total_requests(&self) -> u64 {
        lock(&self.counts).values().sum()
    }
}

/// A running simulator; it stops when dropped.
#[derive(Debug)]
pub struct SimHandle {
    pub addr: SocketAddr,
    pub shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`, for `--endpoint-url` and SDK endpoint overrides.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Moves the virtual clock forward.
    pub fn advance(&self, d: std::time::Duration) {
        self.shared.clock.advance_ms(d.as_millis() as i64);
    }

    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.shared.faults) = faults;
    }

    /// Answers these operations (`ecs:ListServiceDeployments`) or services (`monitoring`) as
    /// an AWS-compatible emulator that lacks them does: an HTML error page, no AWS error.
    pub fn lack(&self, what: &[&str]) {
        *lock(&self.shared.lacking) = what.iter().map(|s| s.to_string()).collect();
    }

    /// Sets the Live Tail limits (session length in virtual time, sessions per account, time
    /// between updates).
    pub fn set_live_tail(&self, limits: live_tail::LiveTailLimits) {
        lock(&self.shared.live_tails).limits = limits;
    }

    /// Ends every open Live Tail session with this exception frame (`SessionStreamingException`).
    pub fn end_live_tails(&self, exception: &str) {
        lock(&self.shared.live_tails).end_all(exception);
    }

    /// Live Tail sessions open now, all accounts.
    pub fn live_tails_open(&self) -> usize {
        lock(&self.shared.live_tails).open()
    }

    /// Runs `f` on a world (tests inspect or change it directly).
    pub fn with_world<R>(&self, account: &str, region: &str, f: impl FnOnce(&mut RegionWorld) -> R) -> R {
        self.shared.with_world(account, region, f)
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Starts a simulator on a tokio runtime; returns once it listens.
pub async fn start(opts: SimOptions) -> Result<SimHandle, SimError> {
    if !opts.listen.ip().is_loopback() {
        return Err(SimError::NotLoopback(opts.listen));
    }
    let scenario = Arc::new(scenario::load(&opts.scenario).map_err(SimError::Scenario)?);
    let start_ms = opts.start_ms.unwrap_or_else(clock::wall_now_ms);
    let shared = Arc::new(Shared {
        clock: SimClock::new(start_ms, opts.speed, opts.paused),
        scenario,
        seed: opts.seed,
        worlds: Mutex::new(HashMap::new()),
        faults: Mutex::new(opts.faults),
        counts: Mutex::new(BTreeMap::new()),
        buckets: Mutex::new(HashMap::new()),
        fault_rng: Mutex::new(SmallRng::seed_from_u64(opts.seed.wrapping_add(7))),
        lacking: Mutex::new(Vec::new()),
        live_tails: Mutex::new(live_tail::LiveTails::default()),
    });
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|source| SimError::Listen { addr: opts.listen, source })?;
    let addr = listener.local_addr().map_err(|source| SimError::Listen { addr: opts.listen, source })?;
    let (tx, rx) = oneshot::channel::<()>();
    let app = http::router(shared.clone());
    tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = rx.await;
        });
        if let Err(e) = serve.await {
            tracing::warn!("simulator stopped: {e}");
        }
    });
    Ok(SimHandle { addr, shared, shutdown: Some(tx) })
}
