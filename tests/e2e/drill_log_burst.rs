//! Drill for QUALITY.md item 6: a log burst far above the ring (1,000,000 lines, several times
//! `DEFAULT_RING_BYTES`) pushed through `app::update` as `Msg::Logs`, as the tailer would, with
//! late arrivals mixed in. Memory stays bounded by the ring's byte budget (oldest evicted,
//! counted), the dropped count is on the logs screen, and the burst is processed in linear time
//! (a quadratic step in the ring or the view's index would not finish within the generous bound).

use std::time::{Duration, Instant};

use wpops::app::{Key, KeyCode, Msg, Screen, State, update};
use wpops::model::{ContainerRole, DEFAULT_RING_BYTES, LineClass, LogEvent};

use wpops_fixtures::ui::{self as ui_fixtures, NOW};

const LINES: u64 = 1_000_000;
const BATCH: u64 = 2_000;
/// Far beyond what a linear pass takes even in a debug build on a loaded 2-core machine, far
/// below what a step proportional to the ring's length per line would take (≈10¹¹ operations).
const GENEROUS: Duration = Duration::from_secs(240);

/// Line `i` of the burst: mostly nginx access lines in time order, every 97th a line that
/// arrives 3 s late (a slow stream), every 10th a php-fpm line.
fn line(i: u64) -> LogEvent {
    let late = i % 97 == 50;
    let ts_ms = NOW + i as i64 - if late { 3_000 } else { 0 };
    let (container, text, class) = if i.is_multiple_of(10) {
        (ContainerRole::PhpFpm, format!("NOTICE: child {i} started"), LineClass::Plain)
    } else {
        let status = if i.is_multiple_of(13) { 502 } else { 200 };
        let text = format!(
            r#"10.0.0.12 - - [28/Nov/2025:14:02:11 +0000] "GET /2025/11/post-{i}/ HTTP/1.1" {status} 5120 "-" "Mozilla/5.0" "198.51.100.2" 0.043"#
        );
        (ContainerRole::Nginx, text, LineClass::Access { status, health_check: false, latency_ms: Some(43) })
    };
    LogEvent {
        ts_ms,
        ingestion_ms: ts_ms + 200,
        event_id: format!("{ts_ms:020}{i:016}"),
        task_id: format!("3f2a9c1e5b7d4e0f8a9b1c2d{:08x}", i % 3).into(),
        container,
        text,
        class,
    }
}

fn key(state: &mut State, keys: &str) {
    for c in keys.chars() {
        let k = if c == '\n' { Key::plain(KeyCode::Enter) } else { Key::char(c) };
        update(state, Msg::Key(k));
    }
}

/// Pushes the whole burst; returns the bytes pushed and how long it took.
fn burst(state: &mut State) -> (usize, Duration) {
    let started = Instant::now();
    let mut pushed_bytes = 0usize;
    let mut i = 0;
    while i < LINES {
        let events: Vec<LogEvent> = (i..(i + BATCH).min(LINES)).map(line).collect();
        pushed_bytes += events.iter().map(LogEvent::approx_bytes).sum::<usize>();
        i += BATCH;
        update(state, Msg::Logs { at_ms: NOW + i as i64, generation: 0, events });
        let ring = &state.logs.ring();
        assert!(
            ring.bytes() <= ring.max_bytes(),
            "after {i} lines the ring holds {} > {}",
            ring.bytes(),
            ring.max_bytes()
        );
        assert!(started.elapsed() < GENEROUS, "only {i} of {LINES} lines processed in {GENEROUS:?}: not linear");
    }
    (pushed_bytes, started.elapsed())
}

/// The text of the rendered screen.
fn dropped_on_screen(text: &str) -> u64 {
    let at = text.find(" older lines dropped").unwrap_or_else(|| panic!("no dropped count on screen:\n{text}"));
    let digits: String = text[..at].chars().rev().take_while(|c| c.is_ascii_digit() || *c == ',').collect();
    digits.chars().rev().filter(char::is_ascii_digit).collect::<String>().parse().expect("a number")
}

#[test]
fn a_burst_far_above_the_ring_stays_bounded_and_shows_what_it_dropped() {
    let mut state = ui_fixtures::healthy();
    key(&mut state, "l");
    assert_eq!(state.nav.screen, Screen::Logs);
    let before = state.logs.ring().pushed();
    let (pushed_bytes, _took) = burst(&mut state);
    let ring = &state.logs.ring();
    assert!(pushed_bytes > 4 * DEFAULT_RING_BYTES, "the burst is several rings: {pushed_bytes} bytes");
    assert_eq!(ring.max_bytes(), DEFAULT_RING_BYTES);
    assert!(ring.bytes() <= ring.max_bytes());
    assert_eq!(ring.pushed() - before, LINES, "no line of the burst refused as a duplicate");
    assert_eq!(ring.len() as u64 + ring.dropped(), ring.pushed(), "every line is held or counted as dropped");
    assert!(ring.dropped() > LINES / 2, "most of the burst was evicted: {}", ring.dropped());
    let ts: Vec<i64> = ring.iter().map(|e| e.ts_ms).collect();
    assert!(ts.windows(2).all(|w| w[0] <= w[1]), "late arrivals are kept in time order");

    let text = ui_fixtures::draw(&state, 200, 50);
    assert_eq!(dropped_on_screen(&text), ring.dropped(), "the logs screen shows the dropped count");
    assert!(text.contains("post-999999/"), "following: the newest line is on screen");
}

#[test]
fn a_burst_with_a_filter_on_keeps_the_index_right_and_bounded() {
    let mut state = ui_fixtures::healthy();
    key(&mut state, "l/ 502 \n");
    assert!(state.logs.filter().is_some(), "the filter is on");
    let (_, _) = burst(&mut state);
    let ring = &state.logs.ring();
    assert!(ring.bytes() <= ring.max_bytes());
    let re = state.logs.filter().cloned().expect("filter");
    let matching = ring.iter_filtered(&re).count();
    assert_eq!(state.logs.matched_len(), matching, "the view's index matches the ring");
    assert!(matching > 0);
    let text = ui_fixtures::draw(&state, 200, 50);
    assert_eq!(dropped_on_screen(&text), ring.dropped());
    assert!(text.contains(" 502 "), "{text}");
}
