//! A task's own log over its whole lifetime, as the task detail and `wpops logs -t` read it
//! (`feed::lifetime`): every line of the warmer, and of nginx and php-fpm newest first back to
//! the task's start as far as the byte budget allows, with what was left out said.

use super::ecs::Task;
use super::logline::LogEvent;

/// How far before a task's start its lines are looked for (the clocks of the container and
/// of ECS differ a little; the first lines come while `startedAt` is being set).
pub const BEFORE_START_MS: i64 = 120_000;
/// How far after a task's stop (late arrivals: the awslogs driver flushes on exit).
pub const AFTER_STOP_MS: i64 = 60_000;
/// A task that never reported a start: its stop less this, where any line it wrote would be.
pub const UNKNOWN_START_MS: i64 = 3_600_000;

/// The window of a task's whole life: from a little before its start to a little after its
/// stop (`None` while it runs: up to now).
pub fn lifetime_window(task: &Task) -> (i64, Option<i64>) {
    let end = task.stopped_ms().map(|t| t + AFTER_STOP_MS);
    let start = match (task.started_at_ms, task.stopped_ms()) {
        (Some(s), _) => s - BEFORE_START_MS,
        (None, Some(stop)) => stop - UNKNOWN_START_MS,
        (None, None) => 0,
    };
    (start.max(0), end)
}

/// What was read of one task's life.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskLog {
    pub task_id: String,
    /// The window read: the task's lifetime (`lifetime_window`).
    pub from_ms: i64,
    pub to_ms: Option<i64>,
    /// Oldest first, every container interleaved.
    pub events: Vec<LogEvent>,
    /// nginx and php-fpm were read back to this time (`from_ms` when the whole life was read);
    /// older lines were left out to keep within the byte budget.
    pub reached_ms: i64,
    /// The log streams the task's containers have (none: they never started, or their logs
    /// expired).
    pub streams: Vec<String>,
}

impl TaskLog {
    /// Every line of the task's life was read.
    pub fn is_whole(&self) -> bool {
        self.reached_ms <= self.from_ms
    }

    /// The lines of one container, oldest first.
    pub fn of<'a>(&'a self, container: &'a str) -> impl Iterator<Item = &'a LogEvent> + 'a {
        self.events.iter().filter(move |e| e.container.name() == container)
    }
}
