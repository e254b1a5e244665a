//! Log fixtures: realistic nginx, php-fpm and warmer lines, ingested like the tailer does.

use wpops::model::{FoundReport, RawLogEvent, ingest};

use super::NOW;

pub fn log(stream_container: &str, task: &str, ago_ms: i64, n: usize, message: &str) -> Vec<wpops::model::LogEvent> {
    ingest(&RawLogEvent {
        log_stream: &format!("wp/{stream_container}/{task}"),
        event_id: &format!("{task}-{stream_container}-{ago_ms}-{n}"),
        timestamp_ms: NOW - ago_ms,
        ingestion_ms: NOW - ago_ms + 200,
        message,
    })
}

pub fn access(client: &str, request: &str, status: u16, took: f32, ua: &str) -> String {
    format!(
        r#"10.0.0.12 - - [28/Nov/2025:14:02:11 +0000] "{request} HTTP/1.1" {status} 5120 "-" "{ua}" "{client}" {took:.3}"#
    )
}

/// A realistic mix of lines from the given tasks, oldest first.
pub fn log_lines(tasks: &[&str], trouble: bool) -> Vec<wpops::model::LogEvent> {
    let mut out = Vec::new();
    let requests = [
        ("198.51.100.2", "GET /2025/11/hello-world/", 200, 0.043),
        ("203.0.113.7", "POST /xmlrpc.php", 403, 0.001),
        ("192.0.2.10", "GET /wp-json/wp/v2/posts", 200, 0.120),
        ("198.51.100.9", "GET /feed/", 304, 0.004),
        ("192.0.2.77", "GET /wp-admin/admin-ajax.php", 502, 10.002),
        ("198.51.100.2", "GET /wp-content/uploads/2025/11/a.jpg", 200, 0.008),
    ];
    for task in tasks {
        out.extend(log("php-fpm", task, 2_990_000, 1, "NOTICE: fpm is running, pid 1"));
    }
    for k in 0..60usize {
        let task = tasks[k % tasks.len()];
        let (client, req, mut status, took) = requests[k % requests.len()];
        if !trouble && status == 502 {
            status = 200;
        }
        let line = if k % 7 == 3 {
            access("-", "GET /healthz", 200, 0.001, "ELB-HealthChecker/2.0")
        } else {
            access(client, req, status, took, "Mozilla/5.0")
        };
        out.extend(log("nginx", task, 59_000 - k as i64 * 900, k, &line));
        if trouble && k % 20 == 10 {
            out.extend(log(
                "php-fpm",
                task,
                59_000 - k as i64 * 900,
                k,
                "WARNING: [pool www] server reached pm.max_children setting (10), consider raising it",
            ));
        }
    }
    out.sort_by_key(|e| e.ts_ms);
    out
}

/// The warmer's log line for each report, at the report's time.
pub fn warm_lines(reports: &[FoundReport]) -> Vec<wpops::model::LogEvent> {
    let mut out: Vec<_> = reports
        .iter()
        .flat_map(|r| {
            let w = r.report;
            let text = format!(
                "success: {} \tfailure: {} \tno_change: {} \ttotal: {}",
                w.success, w.failure, w.no_change, w.total
            );
            log("warmer", &r.task_id, NOW - r.at_ms, 0, &text)
        })
        .collect();
    out.sort_by_key(|e| e.ts_ms);
    out
}
