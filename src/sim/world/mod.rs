//! The simulated world of one account and region: ECS, logs, metrics, WAF and load balancers,
//! evolving together on the virtual clock. `advance_to` moves it forward in one-second steps;
//! nothing here reads the clock or does IO.

mod build;
mod ids;

pub use ids::Ids;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rand::SeedableRng;
use rand::rngs::SmallRng;

use super::ecs::types::{Cluster, TaskDef};
use super::elb::ElbWorld;
use super::logs::LogStore;
use super::metrics::MetricStore;
use super::scenario::Scenario;
use super::waf::WafWorld;

/// The length of one simulation step.
pub const STEP_MS: i64 = 1_000;

/// EFS burst-credit model of one file system.
#[derive(Debug, Clone, PartialEq)]
pub struct EfsState {
    pub id: String,
    pub burst_credits: f64,
    pub io_percent: f64,
}

/// One account and region.
#[derive(Debug)]
pub struct RegionWorld {
    pub account: String,
    pub region: String,
    pub scenario: Arc<Scenario>,
    pub started_ms: i64,
    pub now_ms: i64,
    pub rng: SmallRng,
    /// The seed the world's past is written with (`sim::history`, the WAF spike), each part
    /// mixing in its own salt: the same `--seed` gives the same history, another seed another.
    pub history_seed: u64,
    pub ids: Ids,
    pub clusters: BTreeMap<String, Cluster>,
    /// Family → revisions, oldest first.
    pub task_defs: BTreeMap<String, Vec<TaskDef>>,
    pub logs: LogStore,
    pub metrics: MetricStore,
    pub waf: WafWorld,
    pub ecr: crate::sim::ecr::EcrWorld,
    pub elb: ElbWorld,
    pub efs: Vec<EfsState>,
    /// RunTask `clientToken` → the task ARNs it started.
    pub run_tokens: HashMap<String, Vec<String>>,
    /// Services whose next deployment fails its health checks (cluster, service).
    pub failing_next_deploy: Vec<(String, String)>,
}

impl RegionWorld {
    /// Builds the world from a scenario, with its history up to `now_ms`.
    pub fn new(account: &str, region: &str, scenario: Arc<Scenario>, seed: u64, now_ms: i64) -> Self {
        let mix = seed ^ fnv(account) ^ fnv(region).rotate_left(17);
        let mut world = RegionWorld {
            account: account.to_string(),
            region: region.to_string(),
            scenario,
            started_ms: now_ms,
            now_ms,
            rng: SmallRng::seed_from_u64(mix),
            history_seed: mix.rotate_left(29) ^ 0x6869_7374_6f72_7921,
            ids: Ids::default(),
            clusters: BTreeMap::new(),
            task_defs: BTreeMap::new(),
            logs: LogStore::new(),
            metrics: MetricStore::new(),
            waf: WafWorld::default(),
            ecr: Default::default(),
            elb: ElbWorld::default(),
            efs: Vec::new(),
            run_tokens: HashMap::new(),
            failing_next_deploy: Vec::new(),
        };
        build::populate(&mut world, now_ms);
        world
    }

    /// Moves the world forward to `target_ms` in one-second steps.
    pub fn advance_to(&mut self, target_ms: i64) {
        // A jump longer than the stopped-task retention needs no traffic for its early part:
        // skip it so that advancing a day does not generate a day of requests.
        let horizon = (self.scenario.timing.stopped_retention * 1000.0) as i64 + 600_000;
        if target_ms - self.now_ms > horizon {
            let skip_to = target_ms - horizon;
            while self.now_ms < skip_to {
                self.now_ms = (self.now_ms + 60_000).min(skip_to);
                super::ecs::lifecycle::step(self);
                super::ecs::scheduler::step(self);
            }
        }
        while self.now_ms + STEP_MS <= target_ms {
            self.now_ms += STEP_MS;
            self.step();
        }
    }

    fn step(&mut self) {
        super::ecs::lifecycle::step(self);
        super::ecs::scheduler::step(self);
        super::traffic::step(self);
    }

    pub fn arn(&self, service: &str, resource: &str) -> String {
        format!("arn:aws:{service}:{}:{}:{resource}", self.region, self.account)
    }

    /// The newest revision of a task definition family.
    pub fn latest_task_def(&self, family: &str) -> Option<&TaskDef> {
        self.task_defs.get(family).and_then(|v| v.last())
    }

    /// A task definition by ARN, `family:revision` or family.
    pub fn find_task_def(&self, reference: &str) -> Option<&TaskDef> {
        let name = reference.rsplit_once("task-definition/").map(|(_, n)| n).unwrap_or(reference);
        match name.split_once(':') {
            Some((family, rev)) => {
                let rev: i32 = rev.parse().ok()?;
                self.task_defs.get(family)?.iter().find(|t| t.revision == rev)
            }
            None => self.latest_task_def(name),
        }
    }
}

/// FNV-1a, for mixing names into the seed.
pub fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}
