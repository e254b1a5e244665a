//! Ids in one place: the short forms operators read (a task's first eight characters, a task
//! definition's `family:revision`) are written here once, and every room shows them through
//! these functions and the `TaskId` type. Pure string work; no parsing of anything but the id.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

/// A task's id (the last segment of its ARN). `Display` shows the short form operators read
/// (`3f2a9c1e`); `as_str` (or deref) gives the whole id for requests, keys and JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaskId(String);

impl TaskId {
    pub fn new(id: impl Into<String>) -> TaskId {
        TaskId(id.into())
    }

    /// The whole id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first eight characters.
    pub fn short(&self) -> &str {
        task_prefix(&self.0)
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short())
    }
}

impl Deref for TaskId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for TaskId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for TaskId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<String> for TaskId {
    fn from(s: String) -> TaskId {
        TaskId(s)
    }
}

impl From<&str> for TaskId {
    fn from(s: &str) -> TaskId {
        TaskId(s.to_string())
    }
}

impl From<TaskId> for String {
    fn from(id: TaskId) -> String {
        id.0
    }
}

impl PartialEq<str> for TaskId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for TaskId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for TaskId {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl PartialEq<TaskId> for String {
    fn eq(&self, other: &TaskId) -> bool {
        *self == other.0
    }
}

impl PartialEq<TaskId> for str {
    fn eq(&self, other: &TaskId) -> bool {
        self == other.0
    }
}

/// `arn:aws:ecs:…:task/wp-prod/3f2a9c1e…` → `3f2a9c1e…` (the last ARN segment).
pub fn short_task_id(arn: &str) -> &str {
    arn.rsplit_once('/').map_or(arn, |(_, id)| id)
}

/// The first eight characters of a task id (or ARN): what every screen and table shows.
pub fn task_prefix(id: &str) -> &str {
    let id = short_task_id(id);
    id.char_indices().nth(8).map_or(id, |(i, _)| &id[..i])
}

/// `…:task-definition/wordpress:42` → `wordpress:42`.
pub fn short_td(arn: &str) -> &str {
    arn.rsplit_once("task-definition/").map(|(_, n)| n).unwrap_or(arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms() {
        assert_eq!(short_task_id("arn:aws:ecs:r:1:task/wp-prod/3f2a9c1e0123"), "3f2a9c1e0123");
        assert_eq!(task_prefix("arn:aws:ecs:r:1:task/wp-prod/3f2a9c1e0123"), "3f2a9c1e");
        assert_eq!(task_prefix("abc"), "abc");
        assert_eq!(task_prefix("ééééééééé"), "éééééééé");
        assert_eq!(short_td("arn:aws:ecs:r:1:task-definition/wordpress:42"), "wordpress:42");
        assert_eq!(short_td("wordpress:42"), "wordpress:42");
        let id = TaskId::new("3f2a9c1e0123abcd");
        assert_eq!(id.to_string(), "3f2a9c1e");
        assert_eq!(id.as_str(), "3f2a9c1e0123abcd");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"3f2a9c1e0123abcd\"");
        assert!(id == "3f2a9c1e0123abcd");
    }
}
