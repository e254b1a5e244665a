//! The world's past: what happened in the scenario's `history_minutes` before the simulator
//! started ("now", the world's start), beyond the per-minute metrics (`traffic/history.rs`) and
//! the stopped tasks ECS still lists (`ecs/history_logs.rs`): a first attempt to deploy the
//! current revision that failed its health checks and was rolled back by the circuit breaker
//! (`deployment.rs`), and the lines every task wrote while it ran (`task_logs.rs`), including
//! tasks ECS no longer lists (stopped more than its retention ago).
//!
//! The incident scenario's past, in minutes relative to now (also in `incident.toml`); the
//! times are the same for every seed, the lines and values are the seed's:
//!
//! | when (min)        | what                                                                 |
//! |-------------------|----------------------------------------------------------------------|
//! | −180 … 0          | metrics; with `full_log_history`, every task's lines (a visitor every ~4 s per task, health checks every 10 s) |
//! | −180 … −94        | wordpress:41's three tasks serve (ECS no longer lists them; their streams remain) |
//! | −172 … −155       | EFS at its I/O limit (`efs_slow_minutes`): `PercentIOLimit` 96–100, `BurstCreditBalance` falling 5·10¹⁰ a minute, `TargetResponseTime` ×17 (≈ 2 s), 3 % more 5xx; nginx lines 1.2–6 s, 504s with upstream timeouts |
//! | −163              | wordpress:42 deployed (`failed_deploy_minutes`); its three cold tasks fail their health checks (499 after 5 s, php-fpm "executing too slow", the warmer's curl 504 at +61 s) |
//! | −160:16           | circuit breaker: "deployment failed: tasks failed to start.", then "rolling back to deployment" wordpress:41's (rollback started) |
//! | −160:02           | the rollback completes: ROLLBACK_SUCCESSFUL (finishedAt), "deployment completed.", steady state |
//! | −95               | wordpress:42 deployed again: the current (PRIMARY) deployment, completed −91; 41's tasks drain at −93:54 |
//! | −94:40 (≈)        | the third running task's warmer: `/bin/sh: GET: not found`, exit 127 |
//! | −75 … −65         | WAF spike (`waf_spike_minutes`): ≈ 20 blocked requests/s more, WordPress (xmlrpc, admin-ajax) and SQLi rule groups (`traffic/spike.rs`) |
//! | −71 … −52, −53 … −34 | php-fpm OOM-killed twice (`stopped_history` "oom", `ecs/history_logs.rs`) |
//! | −25 … +30         | EFS credit dip (`efs_credit_dip`); ELB 5xx burst −25 … −5            |
//! | −10 … 0           | detailed traffic, second by second (`log_history_minutes`)          |
//!
//! The EFS episode ends before the hour the "worse since the deployment" comparison reads
//! (−155 … −95), and its credits earn back to their cap (about −93) before the dip of now.
//!
//! Everything here draws its own generators (seeded from the world's seed and each task's id)
//! and its own ids (`Ids::for_history`), and its lines are written after the rest of the world is
//! built: the world's own randomness, ids and lines are exactly what they were without it.

pub mod deployment;
pub mod task_logs;

use super::world::Ids;

/// Where a task of the past stood with its load balancer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Healthy: it served visitors and passed its health checks.
    Served,
    /// A task of the failed deployment: never healthy, stopped by ECS for its health checks.
    FailedHealthChecks,
}

/// A task of the past whose lines `task_logs::write` writes.
#[derive(Debug, Clone, PartialEq)]
pub struct PastTask {
    pub id: String,
    /// Its task definition's ARN (its log configuration names its streams).
    pub task_def: String,
    /// When it started RUNNING (may lie before the history written).
    pub started_ms: i64,
    /// When its containers were stopped; `None` while it still runs.
    pub stopped_ms: Option<i64>,
    pub role: Role,
    /// The load balancer node in its subnet (the remote address of its access lines).
    pub alb_ip: &'static str,
    /// Its OPcache is cold (its warmer failed): PHP pages are slow.
    pub cold: bool,
    /// When the service's current deployment started (the 5xx ratio was a tenth before it
    /// when the scenario says `worse_after_deploy`).
    pub current_deploy_ms: i64,
}

/// The past being built: its own ids, and the tasks whose lines are written at the end.
#[derive(Debug, Clone)]
pub struct Past {
    pub ids: Ids,
    pub tasks: Vec<PastTask>,
}

impl Default for Past {
    fn default() -> Self {
        Past { ids: Ids::for_history(), tasks: Vec::new() }
    }
}

/// The load balancer node a task's requests come from, by its private IP's subnet.
pub fn alb_ip_for(task_ip: &str) -> &'static str {
    if task_ip.starts_with("10.0.3.") { "10.0.3.200" } else { "10.0.1.200" }
}

#[cfg(test)]
mod tests;
