//! How the simulated containers write their log lines (nginx combined format with forwarded-for
//! and request time, php-fpm's bracketed lines and its `said into stderr` wrapping), and where
//! they go (the awslogs stream `<prefix>/<container>/<task-id>`, with an ingestion delay).

use chrono::{TimeZone, Utc};
use rand::Rng;

use super::ecs::types::Task;
use super::world::RegionWorld;

/// One nginx access-log entry.
pub struct Access<'a> {
    pub remote: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    pub status: u16,
    pub bytes: u32,
    pub referer: &'a str,
    pub user_agent: &'a str,
    pub forwarded_for: &'a str,
    pub request_time_s: f64,
}

/// `$remote_addr - - [$time_local] "$request" $status $bytes "$referer" "$ua" "$xff" $request_time`.
pub fn nginx_access(ts_ms: i64, a: &Access<'_>) -> String {
    let t = Utc.timestamp_millis_opt(ts_ms).single().unwrap_or_default();
    format!(
        "{} - - [{}] \"{} {} HTTP/1.1\" {} {} \"{}\" \"{}\" \"{}\" {:.3}",
        a.remote,
        t.format("%d/%b/%Y:%H:%M:%S +0000"),
        a.method,
        a.path,
        a.status,
        a.bytes,
        a.referer,
        a.user_agent,
        a.forwarded_for,
        a.request_time_s
    )
}

/// php-fpm's own line: `[28-Nov-2026 14:02:11] LEVEL: text`.
pub fn php_fpm(ts_ms: i64, level: &str, text: &str) -> String {
    let t = Utc.timestamp_millis_opt(ts_ms).single().unwrap_or_default();
    format!("[{}] {level}: {text}", t.format("%d-%b-%Y %H:%M:%S"))
}

/// What php-fpm prints when a worker writes to stderr (tabs escaped as php-fpm does).
pub fn php_fpm_child_said(ts_ms: i64, child: u32, said: &str) -> String {
    let escaped = said.trim_end_matches('\n').replace('\t', "\\t");
    php_fpm(ts_ms, "WARNING", &format!("[pool www] child {child} said into stderr: \"{escaped}\""))
}

/// The warm script's report line.
pub fn warm_report(success: u32, failure: u32, no_change: u32) -> String {
    let total = success + failure + no_change;
    format!("success: {success} \tfailure: {failure} \tno_change: {no_change} \ttotal: {total}")
}

/// The awslogs stream of a task's container, from its task definition's log options.
pub fn stream_of(w: &RegionWorld, task: &Task, container: &str) -> Option<(String, String)> {
    stream_for(w, &task.task_def, &task.id, container)
}

/// The awslogs stream of a container of task `task_id` of `task_def` (a task ECS no longer
/// lists, in `sim::history`), named as `stream_of` names it.
pub fn stream_for(w: &RegionWorld, task_def: &str, task_id: &str, container: &str) -> Option<(String, String)> {
    let td = w.find_task_def(task_def)?;
    let def = td.containers.iter().find(|c| c.name == container)?;
    Some((def.log_group.clone(), format!("{}/{}/{}", def.log_prefix, container, task_id)))
}

/// Writes one line from a task's container, ingested a little later, as CloudWatch does.
pub fn emit(w: &mut RegionWorld, task: &Task, container: &str, ts_ms: i64, line: String) {
    let Some((group, stream)) = stream_of(w, task, container) else {
        return;
    };
    let delay = w.rng.random_range(150..1_200);
    w.logs.put(&group, &stream, ts_ms, ts_ms + delay, line);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_line_has_the_combined_format_with_xff_and_time() {
        let line = nginx_access(
            1_764_338_531_000,
            &Access {
                remote: "10.0.1.200",
                method: "GET",
                path: "/2026/11/hello/",
                status: 200,
                bytes: 5123,
                referer: "-",
                user_agent: "Mozilla/5.0",
                forwarded_for: "198.51.100.2",
                request_time_s: 0.043,
            },
        );
        assert_eq!(
            line,
            "10.0.1.200 - - [28/Nov/2025:14:02:11 +0000] \"GET /2026/11/hello/ HTTP/1.1\" 200 5123 \"-\" \"Mozilla/5.0\" \"198.51.100.2\" 0.043"
        );
    }

    #[test]
    fn php_fpm_wraps_the_warm_report_with_escaped_tabs() {
        let said = php_fpm_child_said(1_764_338_531_000, 23, &warm_report(1834, 0, 0));
        assert_eq!(
            said,
            "[28-Nov-2025 14:02:11] WARNING: [pool www] child 23 said into stderr: \"success: 1834 \\tfailure: 0 \\tno_change: 0 \\ttotal: 1834\""
        );
    }
}
