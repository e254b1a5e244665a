//! Log lines grouped by the shape of their message: the same complaint with other numbers, ids,
//! addresses and times is one group, counted, with when it was first and last seen and a few
//! verbatim (already sanitised) examples. Only trouble is grouped: php-fpm's warnings and
//! errors, nginx's 5xx answers and its error-log lines.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::model::{ContainerRole, LineClass, LogEvent};

/// Examples kept per group.
pub const EXAMPLES: usize = 3;
/// Groups kept (the largest).
pub const MAX_GROUPS: usize = 40;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogShape {
    pub container: String,
    pub shape: String,
    pub count: u64,
    pub first_ms: i64,
    pub last_ms: i64,
    pub tasks: Vec<String>,
    pub examples: Vec<String>,
}

static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\[[^\]]*\d{2}:\d{2}:\d{2}[^\]]*\]\s*|^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}\s*").expect("time regex")
});
static IPV4: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b").expect("ip regex"));
static HEX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b[0-9a-f]{8,}\b").expect("hex regex"));
static NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d+(\.\d+)?").expect("number regex"));

/// The message without what varies between occurrences: its leading time, addresses, ids and
/// numbers.
pub fn shape(text: &str) -> String {
    let s = TIME.replace(text, "");
    let s = IPV4.replace_all(&s, "<ip>");
    let s = HEX.replace_all(&s, "<id>");
    NUMBER.replace_all(&s, "<n>").into_owned()
}

/// Whether a line is trouble the report groups, and its shape: a 5xx access line is its status,
/// method and path (query string dropped); other lines their message's shape.
fn trouble_shape(e: &LogEvent) -> Option<String> {
    match (&e.container, &e.class) {
        (_, LineClass::Access { status, .. }) if *status >= 500 => {
            let access = crate::model::parse_access_line(&e.text)?;
            let path = access.path.split('?').next().unwrap_or("");
            Some(format!("{} {} {}", access.status, access.method, NUMBER.replace_all(path, "<n>")))
        }
        (_, LineClass::Access { .. }) => None,
        (_, LineClass::PhpTrouble(_)) => Some(shape(&e.text)),
        (ContainerRole::PhpFpm, _) if e.text.contains("WARNING") || e.text.contains("ERROR") => Some(shape(&e.text)),
        (ContainerRole::Nginx, _)
            if e.text.contains("[error]") || e.text.contains("[crit]") || e.text.contains("[alert]") =>
        {
            Some(shape(&e.text))
        }
        _ => None,
    }
}

/// The trouble in `events`, grouped by shape, largest group first (at most `MAX_GROUPS`).
pub fn shape_groups(events: &[LogEvent]) -> Vec<LogShape> {
    let mut groups: HashMap<(String, String), LogShape> = HashMap::new();
    for e in events {
        let Some(shape) = trouble_shape(e) else { continue };
        let container = e.container.name().to_owned();
        let g = groups.entry((container.clone(), shape.clone())).or_insert_with(|| LogShape {
            container,
            shape,
            count: 0,
            first_ms: e.ts_ms,
            last_ms: e.ts_ms,
            tasks: Vec::new(),
            examples: Vec::new(),
        });
        g.count += 1;
        g.first_ms = g.first_ms.min(e.ts_ms);
        g.last_ms = g.last_ms.max(e.ts_ms);
        let task = e.task_short().to_owned();
        if !g.tasks.contains(&task) {
            g.tasks.push(task);
        }
        if g.examples.len() < EXAMPLES {
            g.examples.push(e.text.clone());
        }
    }
    let mut out: Vec<LogShape> = groups.into_values().collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.first_ms.cmp(&b.first_ms)).then(a.shape.cmp(&b.shape)));
    out.truncate(MAX_GROUPS);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_drop_times_addresses_ids_and_numbers() {
        assert_eq!(
            shape(
                "[01-Dec-2026 21:53:14] WARNING: [pool www] child 74 exited on signal 9 (SIGKILL) after 1183.200000 seconds from start"
            ),
            "WARNING: [pool www] child <n> exited on signal <n> (SIGKILL) after <n> seconds from start"
        );
        assert_eq!(
            shape(
                "2026/12/01 21:53:14 [error] 7#7: *94094 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 198.51.100.189, upstream: \"fastcgi://127.0.0.1:9000\""
            ),
            "[error] <n>#<n>: *<n> recv() failed (<n>: Connection reset by peer) while reading response header from upstream, client: <ip>, upstream: \"fastcgi://<ip>\""
        );
        assert_eq!(shape("task 4a59cf4fd3d99889 stopped"), "task <id> stopped");
    }
}
