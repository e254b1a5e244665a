//! What the console knows besides ECS: the caller's identity, the load balancer's and the
//! platform's CloudWatch numbers (ALB requests and 5xx, response time, service CPU/memory, EFS
//! I/O and burst credits), and why a fetch failed. Plain values, no SDK types.

use serde::{Deserialize, Serialize};

/// Who the credentials belong to (STS GetCallerIdentity).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

/// A per-minute series of one metric, oldest first, with the value of the newest minute.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// (minute start in epoch ms, value), oldest first; minutes without data are absent.
    pub points: Vec<(i64, f64)>,
}

impl Series {
    /// The newest value, if any.
    pub fn latest(&self) -> Option<f64> {
        self.points.last().map(|(_, v)| *v)
    }

    /// Sum of the values whose minute starts at or after `since_ms`.
    pub fn sum_since(&self, since_ms: i64) -> f64 {
        self.points.iter().filter(|(t, _)| *t >= since_ms).map(|(_, v)| v).sum()
    }
}

/// The numbers CloudWatch already has about the site, over the last minutes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlatformMetrics {
    /// ALB RequestCount per minute.
    pub alb_requests: Series,
    /// HTTPCode_ELB_5XX_Count: 502/503/504 that never reached nginx.
    pub elb_5xx: Series,
    /// HTTPCode_Target_5XX_Count.
    pub target_5xx: Series,
    /// TargetResponseTime average, in seconds.
    pub response_time_s: Series,
    /// The service's CPUUtilization and MemoryUtilization, percent.
    pub cpu_percent: Series,
    pub memory_percent: Series,
    /// EFS PercentIOLimit (percent) and BurstCreditBalance (bytes).
    pub efs_io_percent: Series,
    pub efs_burst_credits: Series,
    /// The EFS file system id the numbers are for, if the task definition mounts one.
    pub efs_id: Option<String>,
}

/// Why a fetch failed, in the operator's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FetchErrorKind {
    Throttled,
    AccessDenied,
    NotFound,
    Credentials,
    Network,
    Other,
}

/// A failed fetch, with the operation, the message and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchError {
    pub kind: FetchErrorKind,
    /// `service:Operation` (also the IAM action it needs).
    pub operation: String,
    pub message: String,
    pub hint: String,
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} ({})", self.operation, self.message, self.hint)
    }
}
