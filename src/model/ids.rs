//! Ids in one place: the short forms operators read (a task's first eight characters, a task
//! definition's `family:revision`) are written here once, and every room shows them through
//! these functions. Pure string work; no parsing of anything but the id itself.

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
    }
}
