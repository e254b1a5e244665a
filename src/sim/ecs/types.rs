//! The simulated ECS world's state: clusters, services, deployments, task definitions and tasks.
//! Plain data with small helpers; the dynamics live in `lifecycle.rs` and `scheduler.rs`, the
//! wire shapes in `api/ecs*.rs`.

use std::collections::BTreeMap;

/// Lifecycle states of a task, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TaskPhase {
    Provisioning,
    Pending,
    Activating,
    Running,
    Deactivating,
    Stopping,
    Deprovisioning,
    Stopped,
}

impl TaskPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskPhase::Provisioning => "PROVISIONING",
            TaskPhase::Pending => "PENDING",
            TaskPhase::Activating => "ACTIVATING",
            TaskPhase::Running => "RUNNING",
            TaskPhase::Deactivating => "DEACTIVATING",
            TaskPhase::Stopping => "STOPPING",
            TaskPhase::Deprovisioning => "DEPROVISIONING",
            TaskPhase::Stopped => "STOPPED",
        }
    }

    /// Not yet running: counts as "pending" in service counts.
    pub fn is_starting(self) -> bool {
        self < TaskPhase::Running
    }
}

/// How a container of a task definition behaves in the simulation.
#[derive(Debug, Clone, PartialEq)]
pub enum ContainerBehaviour {
    /// Runs until the task stops (nginx, php-fpm).
    Server,
    /// The warmer: calls the warm script once and exits.
    Warmer,
}

/// A container definition.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerDef {
    pub name: String,
    pub image: String,
    pub essential: bool,
    pub readonly_root: bool,
    pub depends_on: Vec<(String, String)>,
    pub command: Vec<String>,
    pub environment: Vec<(String, String)>,
    pub log_group: String,
    pub log_prefix: String,
    pub mount_points: Vec<(String, String, bool)>,
    pub health_check: bool,
    pub behaviour: ContainerBehaviour,
    pub cpu: i32,
    pub memory: i32,
    pub memory_reservation: i32,
    pub entry_point: Vec<String>,
    /// `secrets` as registered: (name, valueFrom).
    pub secrets: Vec<(String, String)>,
    pub privileged: bool,
    /// `logConfiguration.logDriver`; `None` for a container without a log configuration.
    pub log_driver: Option<String>,
    /// `logConfiguration.options.mode` when set.
    pub log_mode: Option<String>,
}

/// A task definition volume: a bind volume, or an EFS file system.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VolumeDef {
    pub name: String,
    pub efs: Option<String>,
    pub root_directory: Option<String>,
    pub transit_encryption: bool,
}

impl VolumeDef {
    pub fn bind(name: &str) -> VolumeDef {
        VolumeDef { name: name.into(), ..VolumeDef::default() }
    }
}

/// A registered task definition revision.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDef {
    pub family: String,
    pub revision: i32,
    pub arn: String,
    pub containers: Vec<ContainerDef>,
    pub cpu: String,
    pub memory: String,
    pub execution_role: String,
    pub task_role: String,
    pub volumes: Vec<VolumeDef>,
    pub registered_at_ms: i64,
    pub status: String,
    /// Digest per container name, fixed when the revision is registered (mutable tags resolve
    /// to whatever was pushed last).
    pub digests: BTreeMap<String, String>,
    /// Simulation: tasks of this revision fail their load balancer health checks.
    pub fails_health_checks: bool,
    /// Simulation: the in-task warmer's exit code and number of files that fail to compile.
    pub warmer_exit: i32,
    pub warmer_failures: u32,
}

/// The rollout state of a deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rollout {
    InProgress,
    Completed,
    Failed,
}

impl Rollout {
    pub fn as_str(self) -> &'static str {
        match self {
            Rollout::InProgress => "IN_PROGRESS",
            Rollout::Completed => "COMPLETED",
            Rollout::Failed => "FAILED",
        }
    }
}

/// A deployment as DescribeServices shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    /// `ecs-svc/<19 digits>`.
    pub id: String,
    pub task_def: String,
    pub desired: i32,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub rollout: Rollout,
    pub rollout_reason: String,
    pub failed_tasks: i32,
    /// The service deployment record (ListServiceDeployments) this belongs to.
    pub service_deployment: String,
    /// Whether this deployment is the circuit breaker's rollback of a failed one.
    pub is_rollback: bool,
    /// Simulation: this deployment's tasks fail their load balancer health checks.
    pub fails: bool,
}

/// A service deployment record (ListServiceDeployments / DescribeServiceDeployments).
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDeploymentRecord {
    pub arn: String,
    pub created_at_ms: i64,
    pub started_at_ms: i64,
    pub finished_at_ms: Option<i64>,
    pub status: String,
    pub status_reason: Option<String>,
    pub source_revisions: Vec<String>,
    pub target_revision: String,
    pub rollback: Option<(String, i64, String)>,
    pub failure_count: i32,
    pub threshold: i32,
}

/// A service revision (DescribeServiceRevisions).
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRevision {
    pub arn: String,
    pub task_def: String,
    pub created_at_ms: i64,
}

/// One service event, newest first in `Service::events`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceEvent {
    pub id: String,
    pub at_ms: i64,
    pub message: String,
}

/// An ECS service.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub name: String,
    pub arn: String,
    pub cluster_arn: String,
    pub desired: i32,
    pub task_def: String,
    pub created_at_ms: i64,
    pub min_healthy_percent: i32,
    pub max_percent: i32,
    pub circuit_breaker: bool,
    pub rollback: bool,
    /// Primary first.
    pub deployments: Vec<Deployment>,
    pub records: Vec<ServiceDeploymentRecord>,
    pub revisions: Vec<ServiceRevision>,
    pub events: Vec<ServiceEvent>,
    pub target_group_arn: Option<String>,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    /// `awsvpcConfiguration.assignPublicIp` ENABLED.
    pub assign_public_ip: bool,
    /// Simulation: whether its tasks serve the site's traffic (false for filler services).
    pub serves_traffic: bool,
    pub steady: bool,
}

/// One container of a running or stopped task.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerState {
    pub name: String,
    pub last_status: String,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
    pub health: String,
    pub image: String,
    pub digest: String,
}

/// The load balancer's view of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetState {
    Unregistered,
    Initial,
    Healthy,
    Unhealthy,
    Draining,
}

/// What the one-off warmer was asked to warm.
#[derive(Debug, Clone, PartialEq)]
pub struct WarmTarget {
    pub url: String,
    pub ip: String,
}

/// A task.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: String,
    pub arn: String,
    pub cluster: String,
    pub task_def: String,
    pub group: String,
    pub started_by: Option<String>,
    /// The service deployment id that started it (`ecs-svc/...`), if any.
    pub deployment: Option<String>,
    pub service: Option<String>,
    pub phase: TaskPhase,
    pub desired_running: bool,
    pub created_at_ms: i64,
    pub pull_started_ms: Option<i64>,
    pub started_at_ms: Option<i64>,
    pub stopping_at_ms: Option<i64>,
    pub stopped_at_ms: Option<i64>,
    /// When the next lifecycle transition is due.
    pub next_at_ms: i64,
    pub stopped_reason: Option<String>,
    pub stop_code: Option<String>,
    pub az: String,
    pub subnet: String,
    pub ip: String,
    pub containers: Vec<ContainerState>,
    pub health: String,
    pub target: TargetState,
    /// Simulation: how many PHP files are compiled in this task's OPcache.
    pub opcache_cached: u32,
    pub php_files: u32,
    /// Simulation: when the in-task warmer finishes (None once done or if there is none).
    pub warm_done_at_ms: Option<i64>,
    /// Simulation: set for one-off warmer tasks.
    pub warm_target: Option<WarmTarget>,
    /// Simulation: the in-task warmer's exit code and files that fail to compile.
    pub warm_exit: i32,
    pub warm_failures: u32,
    /// Task size in CPU units and MiB: the task definition's, or RunTask's task-level overrides.
    pub cpu: String,
    pub memory: String,
    /// RunTask's `overrides` exactly as sent (awsJson), echoed by RunTask and DescribeTasks.
    pub overrides: Option<serde_json::Value>,
}

impl Task {
    pub fn serving(&self) -> bool {
        self.phase == TaskPhase::Running && self.target == TargetState::Healthy
    }

    pub fn container_mut(&mut self, name: &str) -> Option<&mut ContainerState> {
        self.containers.iter_mut().find(|c| c.name == name)
    }
}

/// A cluster with its services and tasks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cluster {
    pub name: String,
    pub arn: String,
    pub services: BTreeMap<String, Service>,
    pub tasks: BTreeMap<String, Task>,
}
