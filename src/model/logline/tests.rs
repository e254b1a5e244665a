//! Tests of container roles, stream names, classification and ingestion.

use super::*;

#[test]
fn roles_from_container_names() {
    use ContainerRole::*;
    assert_eq!(ContainerRole::from_container_name("nginx"), Nginx);
    assert_eq!(ContainerRole::from_container_name("NGINX"), Nginx);
    assert_eq!(ContainerRole::from_container_name("php-fpm"), PhpFpm);
    assert_eq!(ContainerRole::from_container_name("php"), PhpFpm);
    assert_eq!(ContainerRole::from_container_name("warmer"), Warmer);
    assert_eq!(ContainerRole::from_container_name("curl"), Warmer);
    assert_eq!(ContainerRole::from_container_name("opcache-warmup"), Warmer);
    assert_eq!(ContainerRole::from_container_name("xray\u{1b}[2J"), Other("xray␛[2J".into()));
    assert_eq!(PhpFpm.name(), "php-fpm");
    assert_eq!(Other("x".into()).to_string(), "x");
}

#[test]
fn roles_serialize_as_names() {
    let json = serde_json::to_string(&ContainerRole::PhpFpm).unwrap();
    assert_eq!(json, "\"php-fpm\"");
    let back: ContainerRole = serde_json::from_str("\"sidecar\"").unwrap();
    assert_eq!(back, ContainerRole::Other("sidecar".into()));
}

#[test]
fn stream_names_split_from_the_right() {
    assert_eq!(
        parse_stream_name("wp/nginx/3f2a9c1e0b7d4f6a8e21c0d9b5a4f3e2"),
        Some(("nginx", "3f2a9c1e0b7d4f6a8e21c0d9b5a4f3e2"))
    );
    assert_eq!(parse_stream_name("a/b/php-fpm/123"), Some(("php-fpm", "123")));
    assert_eq!(parse_stream_name("warmer/123"), Some(("warmer", "123")));
    assert_eq!(parse_stream_name("no-slash"), None);
    assert_eq!(parse_stream_name("wp/nginx/"), None);
    assert_eq!(parse_stream_name("wp//123"), None);
    assert_eq!(parse_stream_name(""), None);
    let odd = LogSource::from_stream_name("odd\u{202e}stream");
    assert_eq!(odd.container, ContainerRole::Other("odd<U+202E>stream".into()));
    assert_eq!(&*odd.task_id, "");
}

#[test]
fn classifies_by_role() {
    let access =
        r#"10.0.1.200 - - [28/Nov/2026:14:02:11 +0000] "GET / HTTP/1.1" 502 0 "-" "Mozilla/5.0" "198.51.100.2" 0.043"#;
    assert_eq!(
        classify(&ContainerRole::Nginx, access),
        LineClass::Access { status: 502, health_check: false, latency_ms: Some(43) }
    );
    let relayed = r#"2026/11/28 14:02:11 [error] 23#23: *9 FastCGI sent in stderr: "PHP message: PHP Fatal error:  Uncaught Error""#;
    assert_eq!(classify(&ContainerRole::Nginx, relayed), LineClass::PhpTrouble(PhpTrouble::Fatal));
    let max =
        "[28-Nov-2026 14:02:11] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it";
    assert_eq!(classify(&ContainerRole::PhpFpm, max), LineClass::PhpTrouble(PhpTrouble::MaxChildren));
    let sig9 = "[28-Nov-2026 14:02:11] WARNING: [pool www] child 42 exited on signal 9 (SIGKILL) after 12.3 seconds from start";
    assert_eq!(classify(&ContainerRole::PhpFpm, sig9), LineClass::PhpTrouble(PhpTrouble::Signal9));
    let wrapped = r#"[28-Nov-2026 14:02:11] WARNING: [pool www] child 23 said into stderr: "success: 1834 \tfailure: 0 \tno_change: 0 \ttotal: 1834""#;
    assert!(matches!(classify(&ContainerRole::PhpFpm, wrapped), LineClass::WarmReport(WarmReport { total: 1834, .. })));
    let report = "success: 5 \tfailure: 1 \tno_change: 0 \ttotal: 6";
    assert!(matches!(classify(&ContainerRole::Warmer, report), LineClass::WarmReport(WarmReport { failure: 1, .. })));
    assert_eq!(classify(&ContainerRole::Warmer, "curl: (7) Failed to connect"), LineClass::Plain);
    // The warmer's log is not searched for access lines; other containers get every parser.
    assert_eq!(classify(&ContainerRole::Warmer, access), LineClass::Plain);
    assert!(matches!(classify(&ContainerRole::Other("x".into()), access), LineClass::Access { .. }));
    assert_eq!(classify(&ContainerRole::Nginx, ""), LineClass::Plain);
}

fn raw(message: &str) -> RawLogEvent<'_> {
    RawLogEvent {
        log_stream: "wp/php-fpm/3f2a9c1e0b7d4f6a",
        event_id: "3791",
        timestamp_ms: 1_000,
        ingestion_ms: 1_200,
        message,
    }
}

#[test]
fn ingest_single_line() {
    let events = ingest(&raw("hello\t\x1b[31mworld"));
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e.text, "hello ␛[31mworld");
    assert_eq!(e.event_id, "3791");
    assert_eq!(&*e.task_id, "3f2a9c1e0b7d4f6a");
    assert_eq!(e.task_short(), "3f2a9c1e");
    assert_eq!(e.container, ContainerRole::PhpFpm);
    assert_eq!((e.ts_ms, e.ingestion_ms), (1_000, 1_200));
    assert!(e.approx_bytes() > e.text.len());
}

#[test]
fn ingest_splits_multi_line_messages_and_classifies_each_raw_line() {
    let msg = "PHP Fatal error:  Uncaught Exception\r\nStack trace:\n#0 {main}\n";
    let events = ingest(&raw(msg));
    let ids: Vec<_> = events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, ["3791", "3791#1", "3791#2"]);
    assert_eq!(events[0].class, LineClass::PhpTrouble(PhpTrouble::Fatal));
    assert_eq!(events[1].class, LineClass::Plain);
    assert!(events.iter().all(|e| e.ts_ms == 1_000));
    assert_eq!(events[2].text, "#0 {main}");
}

#[test]
fn ingest_keeps_empty_messages_as_one_line() {
    assert_eq!(ingest(&raw("")).len(), 1);
}

#[test]
fn ingest_with_a_cached_source() {
    let src = LogSource { container: ContainerRole::Warmer, task_id: "abc".into() };
    let mut out = Vec::new();
    ingest_with_source(&src, &raw("success: 1 failure: 0 no_change: 0 total: 1"), &mut out);
    ingest_with_source(&src, &raw("done"), &mut out);
    assert_eq!(out.len(), 2);
    assert!(matches!(out[0].class, LineClass::WarmReport(_)));
    assert_eq!(out[1].container, ContainerRole::Warmer);
}
