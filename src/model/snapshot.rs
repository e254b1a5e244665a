//! One read of a service, as the reader in `feed/read.rs` returns it to every caller (the
//! console's poller, `wpops status`, the fleet, log discovery): the service, its tasks, the task
//! definitions they use and the load balancer's view. Plain values.

use super::ecs::{Service, Task, TaskDefinition};
use super::platform::FetchError;
use super::targets::TargetHealth;

/// The service, its running and recently stopped tasks, the task definitions they use (fetched
/// once per revision and cached by the reader), and the load balancer's view.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceSnapshot {
    pub service: Service,
    /// Running tasks first (oldest first), then stopped ones (newest first; ECS keeps those
    /// about an hour).
    pub tasks: Vec<Task>,
    pub task_definitions: Vec<TaskDefinition>,
    pub targets: Vec<TargetHealth>,
    /// Target health could not be read (the rest of the snapshot is still good).
    pub targets_error: Option<FetchError>,
}

impl ServiceSnapshot {
    /// Whether two snapshots show the same thing (for adaptive polling).
    pub fn same_picture(&self, other: &ServiceSnapshot) -> bool {
        self.service == other.service && self.tasks == other.tasks && self.targets == other.targets
    }
}

/// Running tasks first (oldest first, then by id), then stopped ones (newest first).
pub fn order_tasks(tasks: &mut [Task]) {
    tasks.sort_by(|a, b| {
        a.is_stopped().cmp(&b.is_stopped()).then_with(|| {
            if a.is_stopped() {
                b.stopped_ms().cmp(&a.stopped_ms())
            } else {
                a.started_at_ms.cmp(&b.started_at_ms).then(a.id.cmp(&b.id))
            }
        })
    });
}
