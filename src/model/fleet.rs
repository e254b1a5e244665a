//! One line per configured site for the fleet view (`:sites`, `wpops status --all`): counts,
//! rollout, warmer failures, ALB 5xx and WAF blocks, data age and why a site could not be read.
//! Plain values; the polling lives in the command line's fleet module.

use serde::{Deserialize, Serialize};

/// One site of the fleet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetRow {
    pub site: String,
    pub account: Option<String>,
    pub region: Option<String>,
    pub cluster: String,
    pub service: String,
    pub running: Option<u32>,
    pub desired: Option<u32>,
    /// The PRIMARY deployment's rollout state.
    pub rollout: Option<String>,
    pub warmer_failures: Option<u32>,
    /// ELB + target 5xx over the last five minutes.
    pub alb_5xx_5m: Option<u64>,
    pub waf_blocked_1h: Option<u64>,
    /// `healthy`, `rollout in progress`, `unhealthy` — or `None` when it could not be read.
    pub verdict: Option<String>,
    /// The first reason it is unhealthy, if any.
    pub problem: Option<String>,
    pub error: Option<String>,
    pub fetched_at_ms: Option<i64>,
}
