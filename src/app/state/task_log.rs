//! The task detail's whole-life log (`feed::lifetime`): which task's life was asked for, what
//! came back, and how far the operator scrolled up from its newest line.

use crate::model::{FetchError, TaskLog};

#[derive(Debug, Clone, Default)]
pub struct TaskLogView {
    /// The task whose life was asked for last.
    pub task_id: Option<String>,
    /// Its answer; `None` while it loads.
    pub result: Option<Result<Box<TaskLog>, FetchError>>,
    /// Lines scrolled up from the newest (0: the newest lines at the bottom).
    pub scroll: usize,
}

impl TaskLogView {
    /// The loaded life of `task_id`, if that is the task asked for and it came.
    pub fn loaded(&self, task_id: &str) -> Option<&TaskLog> {
        match (&self.task_id, &self.result) {
            (Some(id), Some(Ok(log))) if id == task_id => Some(log),
            _ => None,
        }
    }

    /// Whether `task_id`'s life is being read now.
    pub fn is_loading(&self, task_id: &str) -> bool {
        self.task_id.as_deref() == Some(task_id) && self.result.is_none()
    }

    /// Why `task_id`'s life could not be read.
    pub fn error(&self, task_id: &str) -> Option<&FetchError> {
        match (&self.task_id, &self.result) {
            (Some(id), Some(Err(e))) if id == task_id => Some(e),
            _ => None,
        }
    }

    /// Asks for `task_id`'s life unless it is loaded or loading: true when a read must start.
    pub fn ask(&mut self, task_id: &str) -> bool {
        self.scroll = 0;
        let fresh = self.task_id.as_deref() == Some(task_id) && !matches!(self.result, Some(Err(_)));
        if fresh {
            return false;
        }
        self.task_id = Some(task_id.to_owned());
        self.result = None;
        true
    }
}
