//! The log view against a full rebuild (the oracle) through appends, late lines and evictions; pausing; bad patterns.

use super::*;
use crate::model::ContainerRole;

fn ev(id: u64, ts: i64, role: ContainerRole, text: &str) -> LogEvent {
    LogEvent {
        ts_ms: ts,
        ingestion_ms: ts,
        event_id: id.to_string(),
        task_id: if id.is_multiple_of(2) { "aaaa1111".into() } else { "bbbb2222".into() },
        container: role,
        text: text.into(),
        class: LineClass::Plain,
    }
}

fn texts(v: &LogView) -> Vec<String> {
    (0..v.matched_len()).filter_map(|n| v.matched(n)).map(|e| e.text.clone()).collect()
}

#[test]
fn the_index_follows_appends_late_lines_and_evictions() {
    let one = ev(0, 0, ContainerRole::Nginx, "GET / 200 xx").approx_bytes();
    let mut v = LogView::new(LogRing::new(one * 5));
    v.set_filter(compile_pattern("5\\d\\d").ok());
    v.push(
        (0..8)
            .map(|i| ev(i, i as i64 * 10, ContainerRole::Nginx, if i % 3 == 0 { "GET 502 xx" } else { "GET 200 xx" }))
            .collect(),
    );
    assert_eq!(v.ring.len(), 5);
    assert_eq!(texts(&v), ["GET 502 xx", "GET 502 xx"]);
    v.push(vec![ev(20, 55, ContainerRole::Nginx, "GET 503 xx")]);
    // The late line lands in the middle; the ring evicts its oldest (a 502) to fit.
    assert_eq!(texts(&v), ["GET 503 xx", "GET 502 xx"]);
    assert_eq!(v.ring.dropped(), 4);
    v.set_filter(None);
    assert!(v.toggle_container(0));
    assert_eq!(v.show(), [false, true, true]);
    assert_eq!(v.matched_len(), 0);
    assert!(v.toggle_container(1) && !v.toggle_container(2), "the last container stays shown");
    v.set_task(Some("aaaa1111".into()));
    assert_eq!(v.matched_len(), 0);
}

#[test]
fn late_lines_keep_the_index_what_a_rebuild_would_make_it() {
    let one = ev(0, 0, ContainerRole::Nginx, "GET / 200 xx").approx_bytes();
    let mut v = LogView::new(LogRing::new(one * 40));
    v.set_filter(compile_pattern("5\\d\\d").ok());
    for batch in 0..20u64 {
        let events = (0..10u64)
            .map(|i| {
                let id = batch * 10 + i;
                let late = if id % 4 == 1 { 35 } else { 0 };
                let text = if id % 3 == 0 { "GET 502 xx" } else { "GET 200 xx" };
                ev(id, id as i64 * 10 - late, ContainerRole::Nginx, text)
            })
            .collect();
        v.push(events);
        let incremental: Vec<_> = (0..v.matched_len()).map(|n| v.position(n)).collect();
        let mut rebuilt = v.clone();
        rebuilt.rebuild_index();
        let fresh: Vec<_> = (0..rebuilt.matched_len()).map(|n| rebuilt.position(n)).collect();
        assert_eq!(incremental, fresh, "after batch {batch}");
        assert!(texts(&v).iter().all(|t| t.contains("502")));
    }
    assert!(v.ring.dropped() > 0);
}

#[test]
fn pause_keeps_the_view_and_counts_new_lines() {
    let mut v = LogView::default();
    v.push((0..10).map(|i| ev(i, i as i64, ContainerRole::Warmer, "x")).collect());
    v.toggle_follow();
    assert_eq!(v.visible_end(), 10);
    v.push((10..15).map(|i| ev(i, i as i64, ContainerRole::Warmer, "x")).collect());
    assert_eq!((v.visible_end(), v.new_below(), v.new_since_pause()), (10, 5, 5));
    v.scroll(-3);
    assert_eq!(v.visible_end(), 7);
    // Scrolling up puts lines below the view; they are not new.
    assert_eq!((v.new_below(), v.new_since_pause()), (8, 5));
    v.scroll(-100);
    assert_eq!(v.visible_end(), 1);
    v.toggle_follow();
    assert_eq!((v.new_below(), v.new_since_pause()), (0, 0));
}

#[test]
fn scrolling_up_from_follow_counts_no_line_as_new_until_one_arrives() {
    let mut v = LogView::default();
    v.push((0..100).map(|i| ev(i, i as i64, ContainerRole::Nginx, "x")).collect());
    v.scroll(-60);
    assert_eq!((v.new_below(), v.new_since_pause()), (60, 0));
    // A line of a hidden container arrives: not shown, not new.
    v.toggle_container(1);
    v.push(vec![ev(100, 100, ContainerRole::PhpFpm, "y")]);
    assert_eq!(v.new_since_pause(), 0);
    v.push(vec![ev(101, 101, ContainerRole::Nginx, "z")]);
    assert_eq!((v.new_below(), v.new_since_pause()), (61, 1));
}

#[test]
fn bad_patterns_explain_themselves() {
    let err = compile_pattern("(").err().unwrap_or_default();
    assert!(err.contains("unclosed"), "{err}");
    assert!(compile_pattern("xmlrpc").is_ok_and(|re| re.is_match("POST /XMLRPC.php")));
    assert!(compile_pattern("XMLRPC").is_ok_and(|re| !re.is_match("POST /xmlrpc.php")));
}
