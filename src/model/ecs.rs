//! The ECS facts the console shows — service, deployments, events, tasks, containers, task
//! definitions — as plain values decoupled from any SDK, with small pure helpers (ARN parsing,
//! ages). It must not import `aws_sdk_*` or read the clock; `now` is passed in.

use serde::{Deserialize, Serialize};

use super::ids::{TaskDefArn, TaskId};
use super::logline::ContainerRole;
use super::text_enum::text_enum;
use super::warm::{WarmEvidence, WarmerFacts, WarmerVerdict, warmer_verdict};

text_enum! {
    /// A task's or container's lastStatus / desiredStatus.
    LastStatus, default Pending {
        Provisioning => "PROVISIONING",
        Pending => "PENDING",
        Activating => "ACTIVATING",
        Running => "RUNNING",
        Deactivating => "DEACTIVATING",
        Stopping => "STOPPING",
        Deprovisioning => "DEPROVISIONING",
        Stopped => "STOPPED",
        Deleted => "DELETED",
    }
}

text_enum! {
    /// A deployment's status: the PRIMARY one is the newest.
    DeploymentStatus, default Primary {
        Primary => "PRIMARY",
        Active => "ACTIVE",
        Inactive => "INACTIVE",
    }
}

text_enum! {
    /// A deployment's rolloutState.
    RolloutState, default InProgress {
        InProgress => "IN_PROGRESS",
        Completed => "COMPLETED",
        Failed => "FAILED",
    }
}

text_enum! {
    /// A task's or container's healthStatus (UNKNOWN when there is no health check).
    Health, default Unknown {
        Healthy => "HEALTHY",
        Unhealthy => "UNHEALTHY",
        Unknown => "UNKNOWN",
    }
}

/// One ECS service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub name: String,
    pub arn: String,
    pub cluster: String,
    /// ACTIVE, DRAINING, INACTIVE.
    pub status: String,
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
    /// Task definition ARN of the PRIMARY deployment.
    pub task_definition: TaskDefArn,
    pub deployments: Vec<Deployment>,
    /// Newest first, as ECS returns them.
    pub events: Vec<ServiceEvent>,
    /// Target group ARNs of the service's load balancers.
    pub target_groups: Vec<String>,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    /// `networkConfiguration.awsvpcConfiguration.assignPublicIp` is ENABLED; `None` when the
    /// service has no awsvpc configuration.
    #[serde(default)]
    pub assign_public_ip: Option<bool>,
}

impl Service {
    /// True while any deployment is rolling out, or an older one still has tasks (ACTIVE).
    pub fn rollout_in_progress(&self) -> bool {
        self.deployments.iter().any(|d| d.rollout == RolloutState::InProgress || d.status == DeploymentStatus::Active)
    }

    /// The PRIMARY (newest) deployment.
    pub fn primary(&self) -> Option<&Deployment> {
        self.deployments.iter().find(|d| d.status == DeploymentStatus::Primary)
    }
}

/// One deployment of the service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    pub id: String,
    pub status: DeploymentStatus,
    pub task_definition: TaskDefArn,
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
    pub failed_tasks: u32,
    pub rollout: RolloutState,
    pub rollout_reason: Option<String>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// One line of the service event stream (steady state, failed placements…).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceEvent {
    pub id: String,
    pub at_ms: i64,
    pub message: String,
}

/// One task, running or recently stopped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// The task's id: the last segment of the ARN.
    pub id: TaskId,
    pub arn: String,
    pub task_definition: TaskDefArn,
    /// Parsed from the task definition ARN (`…:task-definition/wordpress:42` → 42); 0 if unknown.
    pub revision: u32,
    pub last_status: LastStatus,
    pub desired_status: LastStatus,
    pub health: Health,
    pub az: String,
    pub private_ip: Option<String>,
    pub started_at_ms: Option<i64>,
    pub stopping_at_ms: Option<i64>,
    pub stopped_at_ms: Option<i64>,
    pub stopped_reason: Option<String>,
    pub stop_code: Option<String>,
    pub started_by: Option<String>,
    pub group: Option<String>,
    pub containers: Vec<Container>,
    /// ECS no longer lists this task (it keeps stopped tasks about an hour): it was rebuilt
    /// from its log streams, the service events and the deployment history (`model::past`);
    /// its times are its first and last lines', its exit codes unknown.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_logs: bool,
}

impl Task {
    pub fn is_running(&self) -> bool {
        self.last_status == LastStatus::Running
    }

    pub fn is_stopped(&self) -> bool {
        matches!(self.last_status, LastStatus::Stopped | LastStatus::Deprovisioning | LastStatus::Deleted)
    }

    /// The first container with this role.
    pub fn container(&self, role: &ContainerRole) -> Option<&Container> {
        self.containers.iter().find(|c| &c.role == role)
    }

    pub fn warmer(&self) -> Option<&Container> {
        self.container(&ContainerRole::Warmer)
    }

    /// Time since the task started, up to when it stopped if it did.
    pub fn uptime_ms(&self, now_ms: i64) -> Option<i64> {
        let started = self.started_at_ms?;
        let until = self.stopped_at_ms.unwrap_or(now_ms);
        Some(until.saturating_sub(started).max(0))
    }

    /// Its containers never ran: no start time, or ECS's `TaskFailedToStart` (an image pull or
    /// the EFS mount failed), so they wrote no log.
    pub fn never_started(&self) -> bool {
        self.started_at_ms.is_none() || self.stop_code.as_deref() == Some("TaskFailedToStart")
    }

    /// When the task stopped (or began stopping), for ordering stopped tasks.
    pub fn stopped_ms(&self) -> Option<i64> {
        self.stopped_at_ms.or(self.stopping_at_ms)
    }

    /// What ECS says about this task's warmer, with the report lookup and any re-warm.
    pub fn warmer_facts<'a>(&'a self, evidence: WarmEvidence<'a>) -> WarmerFacts<'a> {
        let warmer = self.warmer();
        WarmerFacts {
            last_status: warmer.map(|c| c.last_status.as_str()),
            exit_code: warmer.and_then(|c| c.exit_code),
            reason: warmer.and_then(|c| c.reason.as_deref()),
            evidence,
            task_started_at_ms: self.started_at_ms,
            exit_forgotten: self.from_logs,
            no_log_stream: warmer.is_some_and(|c| c.no_log_stream),
        }
    }

    /// The warmer health rule applied to this task (see `warm::warmer_verdict`).
    pub fn warmer_verdict(&self, evidence: WarmEvidence<'_>, now_ms: i64, limit_ms: i64) -> WarmerVerdict {
        warmer_verdict(&self.warmer_facts(evidence), now_ms, limit_ms)
    }
}

/// One container of a task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Container {
    pub name: String,
    pub role: ContainerRole,
    pub last_status: LastStatus,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
    pub health: Health,
    pub image: String,
    pub image_digest: Option<String>,
    /// Of a task rebuilt from its logs (`Task::from_logs`): this container has no log stream
    /// left (it wrote nothing, or before the log group's oldest line).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_log_stream: bool,
}

/// A registered task definition revision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDefinition {
    pub arn: TaskDefArn,
    pub family: String,
    pub revision: u32,
    pub containers: Vec<ContainerDef>,
    /// CPU units and MiB as ECS reports them (`"512"`, `"1024"`).
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub execution_role: Option<String>,
    pub task_role: Option<String>,
    pub network_mode: Option<String>,
    pub volumes: Vec<Volume>,
}

impl TaskDefinition {
    pub fn container(&self, role: &ContainerRole) -> Option<&ContainerDef> {
        self.containers.iter().find(|c| &c.role == role)
    }

    /// The distinct awslogs log groups of its containers, in container order.
    pub fn log_groups(&self) -> Vec<&str> {
        let mut groups: Vec<&str> = Vec::new();
        for g in self.containers.iter().filter_map(|c| c.log_group.as_deref()) {
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
        groups
    }
}

/// One container definition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerDef {
    pub name: String,
    pub role: ContainerRole,
    pub image: String,
    pub essential: bool,
    pub readonly_root: bool,
    pub depends_on: Vec<DependsOn>,
    /// awslogs-group / awslogs-stream-prefix.
    pub log_group: Option<String>,
    pub log_stream_prefix: Option<String>,
    pub mount_points: Vec<MountPoint>,
    /// `logConfiguration.logDriver` (`awslogs`, `awsfirelens`…); `None` without a log configuration.
    #[serde(default)]
    pub log_driver: Option<String>,
    /// `logConfiguration.options.mode` (`blocking`, `non-blocking`) when set.
    #[serde(default)]
    pub log_mode: Option<String>,
    /// `environment` variables by name. Values are never kept: only whether one looked like a
    /// secret ([`looks_like_secret`]).
    #[serde(default)]
    pub environment: Vec<EnvVar>,
    /// The names of its `secrets` (injected from SSM Parameter Store or Secrets Manager).
    #[serde(default)]
    pub secrets: Vec<String>,
    #[serde(default)]
    pub privileged: bool,
    /// `command` as registered (the warmer's curl call).
    #[serde(default)]
    pub command: Vec<String>,
    /// `entryPoint` as registered.
    #[serde(default)]
    pub entry_point: Vec<String>,
    /// Container-level `memory` (hard limit) and `memoryReservation` (soft limit), MiB.
    #[serde(default)]
    pub memory_mib: Option<i32>,
    #[serde(default)]
    pub memory_reservation_mib: Option<i32>,
}

/// One `environment` entry of a container definition: its name, never its value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvVar {
    pub name: String,
    /// The name or the value looked like a secret (see [`looks_like_secret`]).
    pub looks_secret: bool,
}

impl EnvVar {
    /// The entry as kept: the name, and whether `value` (then dropped) looked like a secret.
    pub fn new(name: &str, value: &str) -> EnvVar {
        EnvVar { name: name.to_owned(), looks_secret: looks_like_secret(name, value) }
    }
}

/// Parts of an environment variable's name that say it holds a secret (upper-cased, compared
/// as substrings): passwords, tokens, keys, WordPress's salts and auth keys.
pub const SECRET_NAME_PARTS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "AUTH_KEY",
    "_SALT",
    "CREDENTIAL",
    "DB_PASS",
    "NONCE_KEY",
    "LOGGED_IN_KEY",
];

/// Whether an environment variable looks like it carries a secret: by its name
/// ([`SECRET_NAME_PARTS`]), or by its value (an AWS access key id, a PEM private key, a URL with
/// a password in it). An empty value is no secret, whatever the name.
pub fn looks_like_secret(name: &str, value: &str) -> bool {
    if value.trim().is_empty() {
        return false;
    }
    let upper = name.to_ascii_uppercase();
    if SECRET_NAME_PARTS.iter().any(|p| upper.contains(p)) {
        return true;
    }
    let access_key = ["AKIA", "ASIA"].iter().any(|p| {
        value.starts_with(p) && value.len() == 20 && value.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    });
    let pem = value.contains("-----BEGIN") && value.contains("PRIVATE KEY");
    let url_password = value.split_once("://").is_some_and(|(_, rest)| {
        let authority = rest.split('/').next().unwrap_or("");
        authority.split_once('@').is_some_and(|(userinfo, _)| userinfo.contains(':'))
    });
    access_key || pem || url_password
}

impl ContainerDef {
    /// The awslogs stream for this container in `task_id`: `<prefix>/<name>/<task-id>`.
    pub fn log_stream(&self, task_id: &str) -> Option<String> {
        let prefix = self.log_stream_prefix.as_deref()?;
        Some(format!("{prefix}/{}/{task_id}", self.name))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DependsOn {
    pub container: String,
    /// START, COMPLETE, SUCCESS, HEALTHY.
    pub condition: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountPoint {
    pub source_volume: String,
    pub container_path: String,
    pub read_only: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volume {
    pub name: String,
    /// Set when the volume is an EFS file system.
    pub efs_file_system_id: Option<String>,
    pub efs_root_directory: Option<String>,
    /// `efsVolumeConfiguration.transitEncryption` is ENABLED (ECS's default is DISABLED).
    #[serde(default)]
    pub efs_transit_encryption: bool,
}

impl Volume {
    pub fn is_efs(&self) -> bool {
        self.efs_file_system_id.is_some()
    }
}

/// `…:task-definition/wordpress:42` (or `wordpress:42`) → `("wordpress", 42)`.
pub fn task_definition_revision(arn: &str) -> Option<(&str, u32)> {
    let tail = arn.rsplit_once('/').map_or(arn, |(_, t)| t);
    let (family, rev) = tail.rsplit_once(':')?;
    let rev = rev.parse().ok()?;
    (!family.is_empty()).then_some((family, rev))
}

/// Image references that two task definitions share under a mutable tag (not pinned by
/// `@sha256:` digest): rolling back between them would run the same tag again and change
/// nothing if the tag was pushed over (the seed pushes `:php-latest`).
pub fn shared_mutable_images<'a>(from: &'a TaskDefinition, to: &TaskDefinition) -> Vec<&'a str> {
    from.containers
        .iter()
        .filter(|c| !c.image.contains("@sha256:"))
        .filter(|c| to.containers.iter().any(|t| t.image == c.image))
        .map(|c| c.image.as_str())
        .collect()
}

#[cfg(test)]
mod tests;
