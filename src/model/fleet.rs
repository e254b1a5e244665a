//! One line per configured site for the fleet view (`:sites`, `wpops status --all`): counts,
//! rollout, verdict, warmer failures, ALB 5xx and WAF blocks, when it was read and why a site
//! could not be read. Plain values holding the domain's own enums; the polling lives in
//! `feed/fleet.rs`, the formatting in `ui/sites.rs` and `cli/fleet/`.

use serde::{Deserialize, Serialize};

use super::ecs::RolloutState;
use super::health::ServiceHealth;
use super::platform::FetchErrorKind;

/// The ALB 5xx window of the fleet table.
pub const FLEET_ALB_WINDOW_MS: i64 = 5 * 60_000;
/// The WAF window of the fleet table.
pub const FLEET_WAF_WINDOW_MS: i64 = 3_600_000;

/// One site of the fleet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FleetRow {
    pub site: String,
    pub account: Option<String>,
    pub region: Option<String>,
    pub cluster: String,
    pub service: String,
    /// The verdict — `None` when the site could not be read.
    pub verdict: Option<ServiceHealth>,
    pub running: Option<u32>,
    pub desired: Option<u32>,
    /// The PRIMARY deployment's rollout state.
    pub rollout: Option<RolloutState>,
    /// Running tasks whose warmer stands out.
    pub warmer_failures: Option<u32>,
    /// 5xx answered by the load balancer itself, and by the targets, over five minutes.
    pub elb_5xx_5m: Option<u64>,
    pub target_5xx_5m: Option<u64>,
    pub waf_blocked_1h: Option<u64>,
    /// Why the metrics could not be read (the rest of the row is still good).
    pub metrics_error: Option<String>,
    /// Why the site could not be read at all.
    pub error: Option<SiteError>,
    /// When its reads started and finished.
    pub read_started_ms: Option<i64>,
    pub read_finished_ms: Option<i64>,
}

/// Why a site could not be read: the kind, and one line with its hint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteError {
    pub kind: FetchErrorKind,
    pub message: String,
}

impl FleetRow {
    /// The first reason it is unhealthy, if any.
    pub fn problem(&self) -> Option<&str> {
        match &self.verdict {
            Some(ServiceHealth::Unhealthy { reasons }) => reasons.first().map(String::as_str),
            _ => None,
        }
    }

    /// ELB + target 5xx over five minutes, when either was read.
    pub fn alb_5xx_5m(&self) -> Option<u64> {
        match (self.elb_5xx_5m, self.target_5xx_5m) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        }
    }

    pub fn is_unhealthy(&self) -> bool {
        matches!(self.verdict, Some(ServiceHealth::Unhealthy { .. }))
    }
}
