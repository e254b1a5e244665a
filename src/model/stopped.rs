//! Recently stopped tasks grouped by why they stopped, so repeated failures (exit 137 out of
//! memory, CannotPullContainerError, an EFS ResourceInitializationError) read as one incident.
//! Pure: it only reads the tasks it is given.

use serde::{Deserialize, Serialize};

use super::ecs::Task;
use super::logline::ContainerRole;
use super::sanitize::sanitize_line;

/// Stopped tasks sharing one reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoppedGroup {
    /// stoppedReason with the container exits folded in, e.g.
    /// `Essential container in task exited (php-fpm exit 137)`.
    pub reason: String,
    /// The newest task's stopCode (`EssentialContainerExited`, `TaskFailedToStart`…).
    pub stop_code: Option<String>,
    pub count: usize,
    /// When the newest of them stopped; `None` when ECS gave no time (moto gives none).
    pub latest_ms: Option<i64>,
    /// Newest first.
    pub task_ids: Vec<String>,
}

const ESSENTIAL_EXITED: &str = "Essential container in task exited";

/// A stopped task's reason as one line: for "Essential container in task exited", the exits
/// that explain it are folded in — non-zero exits other than 143 (SIGTERM, usually ECS
/// stopping the rest), else any non-zero exit, else the clean exits. The warmer (not
/// essential) is left out.
pub fn stopped_reason_line(task: &Task) -> String {
    let reason =
        task.stopped_reason.as_deref().map(sanitize_line).unwrap_or_else(|| "stopped (no reason given)".to_owned());
    if !reason.starts_with(ESSENTIAL_EXITED) {
        return reason;
    }
    let exits: Vec<(&str, i32)> = task
        .containers
        .iter()
        .filter(|c| c.role != ContainerRole::Warmer)
        .filter_map(|c| c.exit_code.map(|code| (c.name.as_str(), code)))
        .collect();
    let pick = |keep: &dyn Fn(i32) -> bool| -> Vec<String> {
        exits
            .iter()
            .filter(|(_, code)| keep(*code))
            .map(|(name, code)| format!("{} exit {code}", sanitize_line(name)))
            .collect()
    };
    let mut folded = pick(&|c| c != 0 && c != 143);
    if folded.is_empty() {
        folded = pick(&|c| c != 0);
    }
    if folded.is_empty() {
        folded = pick(&|_| true);
    }
    if folded.is_empty() { reason } else { format!("{reason} ({})", folded.join(", ")) }
}

/// Groups the stopped tasks among `tasks` by [`stopped_reason_line`], newest group first.
pub fn group_stopped(tasks: &[Task]) -> Vec<StoppedGroup> {
    let mut stopped: Vec<&Task> = tasks.iter().filter(|t| t.is_stopped()).collect();
    stopped.sort_by_key(|t| std::cmp::Reverse(t.stopped_ms().unwrap_or(0)));
    let mut groups: Vec<StoppedGroup> = Vec::new();
    for task in stopped {
        let reason = stopped_reason_line(task);
        match groups.iter_mut().find(|g| g.reason == reason) {
            Some(group) => {
                group.count += 1;
                group.task_ids.push(task.id.as_str().to_owned());
            }
            None => groups.push(StoppedGroup {
                reason,
                stop_code: task.stop_code.clone(),
                count: 1,
                latest_ms: task.stopped_ms(),
                task_ids: vec![task.id.as_str().to_owned()],
            }),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ecs::{Container, LastStatus};

    fn c(name: &str, exit: Option<i32>) -> Container {
        Container {
            name: name.into(),
            role: ContainerRole::from_container_name(name),
            last_status: LastStatus::Stopped,
            exit_code: exit,
            ..Container::default()
        }
    }

    fn stopped(id: &str, at: i64, reason: &str, exits: [Option<i32>; 3]) -> Task {
        Task {
            id: id.into(),
            last_status: LastStatus::Stopped,
            stopped_at_ms: Some(at),
            stopped_reason: Some(reason.into()),
            stop_code: Some("EssentialContainerExited".into()),
            containers: vec![c("nginx", exits[0]), c("php-fpm", exits[1]), c("warmer", exits[2])],
            ..Task::default()
        }
    }

    #[test]
    fn folds_the_explaining_exit_into_the_reason() {
        let t = stopped("a", 1, ESSENTIAL_EXITED, [Some(143), Some(137), Some(127)]);
        assert_eq!(stopped_reason_line(&t), "Essential container in task exited (php-fpm exit 137)");
        let t = stopped("a", 1, ESSENTIAL_EXITED, [Some(143), Some(0), None]);
        assert_eq!(stopped_reason_line(&t), "Essential container in task exited (nginx exit 143)");
        let t = stopped("a", 1, ESSENTIAL_EXITED, [Some(0), None, None]);
        assert_eq!(stopped_reason_line(&t), "Essential container in task exited (nginx exit 0)");
        let t = stopped("a", 1, "CannotPullContainerError: pull \x1b[31m", [None; 3]);
        assert_eq!(stopped_reason_line(&t), "CannotPullContainerError: pull ␛[31m");
        let t = Task { stopped_reason: None, ..stopped("a", 1, "", [None; 3]) };
        assert_eq!(stopped_reason_line(&t), "stopped (no reason given)");
    }

    #[test]
    fn repeated_failures_read_as_one_incident() {
        let oom = [Some(143), Some(137), Some(0)];
        let tasks = vec![
            stopped("t1", 100, ESSENTIAL_EXITED, oom),
            stopped("t2", 300, ESSENTIAL_EXITED, oom),
            stopped("t3", 200, "CannotPullContainerError: x", [None; 3]),
            stopped("t4", 250, ESSENTIAL_EXITED, oom),
            Task { last_status: LastStatus::Running, ..stopped("t5", 999, ESSENTIAL_EXITED, oom) },
        ];
        let groups = group_stopped(&tasks);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].count, 3);
        assert_eq!(groups[0].latest_ms, Some(300));
        assert_eq!(groups[0].task_ids, ["t2", "t4", "t1"]);
        assert_eq!(groups[0].stop_code.as_deref(), Some("EssentialContainerExited"));
        assert_eq!(groups[1].reason, "CannotPullContainerError: x");
        assert!(group_stopped(&[]).is_empty());
    }

    #[test]
    fn a_stop_without_a_time_has_no_time() {
        // moto's DescribeTasks leaves stoppedAt (and stoppingAt) out of a stopped task.
        let task = Task { stopped_at_ms: None, ..stopped("t1", 0, "test stop", [None; 3]) };
        let groups = group_stopped(&[task]);
        assert_eq!(groups[0].latest_ms, None);
        assert_eq!(crate::model::format_ago(1_796_000_000_000, groups[0].latest_ms), "(time unknown)");
    }
}
