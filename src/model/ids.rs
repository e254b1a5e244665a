//! Ids in one place: the short forms operators read (a task's first eight characters, a task
//! definition's `family:revision`) are written here once, and every room shows them through
//! these functions and the `TaskId` type. Pure string work; no parsing of anything but the id.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

/// Declares an id type over a `String`: `Display` shows the short form `$short` gives,
/// `as_str` (or deref) the whole id for requests, keys and JSON (serialised as the string).
macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident, short = $short:path) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> $name {
                $name(id.into())
            }

            /// The whole id.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The short form operators read.
            pub fn short(&self) -> &str {
                $short(&self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.short())
            }
        }

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> $name {
                $name(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> $name {
                $name(s.to_string())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.0
            }
        }
    };
}

string_id! {
    /// A task's id (the last segment of its ARN); shown as its first eight characters.
    TaskId, short = task_prefix
}

string_id! {
    /// A task definition's ARN (or `family:revision`); shown as `family:revision`.
    TaskDefArn, short = short_td
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
        let td = TaskDefArn::new("arn:aws:ecs:r:1:task-definition/wordpress:42");
        assert_eq!(td.to_string(), "wordpress:42");
        assert!(td.as_str().starts_with("arn:"));
    }
}
