//! The time window: opening a fixed window (`--since`/`--from`/`--to`, `:since`, `:at`, Enter on
//! a timeline entry) puts a fresh log view in the live one's place (the live one keeps being fed
//! aside) and asks for the window's read and its lines; `:live` puts the live view back; results
//! of an older window are dropped by generation. The timeline and the events ask for the last
//! three hours while live. Pure: no IO, no clock.

use crate::app::msg::{Effect, WindowLogLoad};
use crate::app::state::window::{LIVE_HISTORY_MS, LIVE_HISTORY_STALE_MS, WINDOW_RING_BYTES, window_log_view};
use crate::app::state::{Screen, State, WindowRead};
use crate::model::window::{self, TimeWindow, WindowFacts, WindowProgress};
use crate::model::{FetchError, FoundReport, LogEvent};

/// The console opens on the window its command line named.
pub fn start(state: &mut State) -> Vec<Effect> {
    match state.site.window {
        TimeWindow::Live => Vec::new(),
        w => set(state, w),
    }
}

/// Shows `w` instead of what is shown now.
pub(super) fn set(state: &mut State, w: TimeWindow) -> Vec<Effect> {
    let view = &mut state.window;
    view.generation += 1;
    view.window = w;
    view.progress = None;
    view.logs_error = None;
    view.selected = 0;
    view.waf = None;
    view.earlier = (0, 0);
    state.dirty = true;
    match w {
        TimeWindow::Live => {
            view.read = WindowRead::None;
            view.read_at_ms = None;
            if let Some(mut live) = view.live_logs.take() {
                live.copy_settings(&state.logs);
                state.logs = live;
            }
            let mut effects = vec![Effect::LoadWindowLogs(None)];
            if matches!(state.nav.screen, Screen::Timeline | Screen::Events) {
                effects.extend(history(state));
            }
            effects
        }
        TimeWindow::Fixed { from_ms, to_ms } => {
            let fresh = window_log_view(&state.logs);
            match &view.live_logs {
                Some(_) => state.logs = fresh,
                None => view.live_logs = Some(std::mem::replace(&mut state.logs, fresh)),
            }
            view.read = WindowRead::Loading;
            view.read_at_ms = Some(state.now_ms);
            let generation = view.generation;
            vec![
                Effect::ReadWindow { generation, from_ms, to_ms },
                Effect::LoadWindowLogs(Some(WindowLogLoad {
                    generation,
                    from_ms,
                    to_ms,
                    max_bytes: WINDOW_RING_BYTES,
                })),
            ]
        }
    }
}

/// `:since 2h`, `:at 09:10 [09:40]`: the window, or why not (flashed).
pub(super) fn command(state: &mut State, word: &str, args: &str) -> Vec<Effect> {
    let clock = state.window.clock;
    let parsed = match word {
        "since" => window::since(args, state.now_ms, clock),
        _ => window::at(args, state.now_ms, clock),
    };
    match parsed {
        Ok(w) => set(state, w),
        Err(e) => {
            state.flash(format!(":{word} {args}: {e}"), true);
            Vec::new()
        }
    }
}

/// What the timeline and the events show while live: the last three hours, read when their
/// screen opens (again once a minute old).
pub(super) fn history(state: &mut State) -> Vec<Effect> {
    let view = &mut state.window;
    if !view.window.is_live() {
        return Vec::new();
    }
    let fresh = view.read_at_ms.is_some_and(|at| state.now_ms - at < LIVE_HISTORY_STALE_MS);
    if fresh && !matches!(view.read, WindowRead::Failed(_)) {
        return Vec::new();
    }
    view.generation += 1;
    view.read = WindowRead::Loading;
    view.read_at_ms = Some(state.now_ms);
    vec![Effect::ReadWindow {
        generation: view.generation,
        from_ms: state.now_ms - LIVE_HISTORY_MS,
        to_ms: state.now_ms,
    }]
}

/// Scrolling the Logs screen up past the oldest line of a window loaded whole reaches further
/// back, as a pager would: the window starts as much earlier again (an hour at most), its read
/// covers the longer window, and the older lines load before those held.
pub(super) fn older_at_top(state: &mut State) -> Vec<Effect> {
    let Some((from, to)) = state.window.window.range() else { return Vec::new() };
    let at_top = state.logs.visible_end() <= usize::try_from(super::navigation::page(state)).unwrap_or(1);
    let whole = state.window.progress.is_some_and(|p| p.done && !p.cut) && state.window.logs_error.is_none();
    if state.nav.screen != Screen::Logs || !at_top || !whole || state.logs.matched_len() == 0 {
        return Vec::new();
    }
    let held = state.logs.ring().bytes();
    let Some(room) = WINDOW_RING_BYTES.checked_sub(held).filter(|r| *r > 0) else { return Vec::new() };
    let earlier = (from - (to - from).clamp(60_000, 3_600_000)).max(0);
    let view = &mut state.window;
    view.earlier = view.loaded();
    view.progress = None;
    view.window = TimeWindow::Fixed { from_ms: earlier, to_ms: to };
    let (generation, at) = (view.generation, view.clock.hm(earlier));
    state.flash(format!("reaching back to {at}…"), false);
    vec![
        Effect::ReadWindow { generation, from_ms: earlier, to_ms: to },
        Effect::LoadWindowLogs(Some(WindowLogLoad { generation, from_ms: earlier, to_ms: from - 1, max_bytes: room })),
    ]
}

/// `r` on a fixed window reads it again.
pub(super) fn reread(state: &mut State) -> Vec<Effect> {
    let w = state.window.window;
    if w.is_live() {
        state.window.read_at_ms = None;
        return history(state);
    }
    set(state, w)
}

/// Enter on a timeline entry: the window around it.
pub(super) fn open_entry(state: &mut State) -> Vec<Effect> {
    let at = state.window.facts().and_then(|f| f.report.timeline.get(state.window.selected)).map(|e| e.at_ms);
    match at {
        Some(at) => {
            let effects = set(state, window::around(at, state.now_ms));
            state.flash(format!("window moved to {}", state.window.clock.hm(at)), false);
            effects
        }
        None => Vec::new(),
    }
}

pub(super) fn on_read(state: &mut State, generation: u64, result: Result<Box<WindowFacts>, FetchError>) {
    if generation != state.window.generation {
        return;
    }
    let fixed = !state.window.window.is_live();
    state.window.waf = match &result {
        Ok(facts) if fixed => Some(crate::app::state::window::waf_panel(facts, state.now_ms)),
        _ => None,
    };
    state.window.read = match result {
        Ok(facts) => WindowRead::Read(facts),
        Err(e) => WindowRead::Failed(e),
    };
    let n = state.window.facts().map_or(0, |f| f.report.timeline.len());
    state.window.selected = state.window.selected.min(n.saturating_sub(1));
    state.dirty = true;
}

/// Returns the warm reports found among the lines (the caller remembers them).
pub(super) fn on_logs(
    state: &mut State,
    generation: u64,
    result: Result<(Vec<LogEvent>, WindowProgress), FetchError>,
) -> Vec<FoundReport> {
    if generation != state.window.generation || state.window.window.is_live() {
        return Vec::new();
    }
    state.dirty = true;
    match result {
        Ok((events, progress)) => {
            state.window.progress = Some(progress);
            let found = state.logs.prepend(events);
            found.into_iter().map(|(task_id, report, at_ms)| FoundReport { task_id, report, at_ms }).collect()
        }
        Err(e) => {
            state.window.logs_error = Some(e);
            Vec::new()
        }
    }
}

/// The timeline's selection moves by `delta` entries.
pub(super) fn move_by(state: &mut State, delta: i64) {
    let n = state.window.facts().map_or(0, |f| f.report.timeline.len()) as i64;
    let at = (state.window.selected as i64 + delta).clamp(0, (n - 1).max(0));
    state.window.selected = usize::try_from(at).unwrap_or(0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::key::{Key, KeyCode};
    use crate::app::msg::{Msg, SiteInfo};
    use crate::app::update::update;

    const NOW: i64 = 1_795_858_800_000;

    fn typed(s: &mut State, line: &str) -> Vec<Effect> {
        update(s, Msg::Key(Key::char(':')));
        for c in line.chars() {
            update(s, Msg::Key(Key::char(c)));
        }
        update(s, Msg::Key(Key::plain(KeyCode::Enter)))
    }

    fn line(ts: i64, text: &str) -> LogEvent {
        crate::model::ingest(&crate::model::RawLogEvent {
            log_stream: "wordpress/nginx/0a21a6fd55d44d9e8c7a19e1b1a4c1f0",
            event_id: &format!("e{ts}"),
            timestamp_ms: ts,
            ingestion_ms: ts,
            message: text,
        })
        .remove(0)
    }

    #[test]
    fn a_window_takes_the_live_views_place_until_live_again() {
        let mut s = State::new(SiteInfo::default(), NOW);
        update(&mut s, Msg::Logs { at_ms: NOW, generation: 0, events: vec![line(NOW - 1_000, "live one")] });
        let effects = typed(&mut s, "since 2h");
        let generation = s.window.generation;
        assert_eq!(s.window.window, TimeWindow::Fixed { from_ms: NOW - 7_200_000, to_ms: NOW });
        assert!(
            matches!(effects[0], Effect::ReadWindow { from_ms, to_ms, .. } if from_ms == NOW - 7_200_000 && to_ms == NOW)
        );
        assert!(matches!(&effects[1], Effect::LoadWindowLogs(Some(l)) if l.generation == generation));
        assert_eq!(s.logs.matched_len(), 0, "the window's view starts empty");
        // The tail keeps the live view current, aside.
        update(&mut s, Msg::Logs { at_ms: NOW, generation: 0, events: vec![line(NOW - 500, "live two")] });
        assert_eq!(s.logs.matched_len(), 0);
        // Slices arrive newest first; an older window's are dropped.
        let p = WindowProgress { from_ms: NOW - 7_200_000, to_ms: NOW, lines: 1, pages: 1, ..Default::default() };
        update(&mut s, Msg::WindowLogs { generation, result: Ok((vec![line(NOW - 60_000, "newer")], p)) });
        update(&mut s, Msg::WindowLogs { generation, result: Ok((vec![line(NOW - 3_600_000, "older")], p)) });
        update(&mut s, Msg::WindowLogs { generation: generation - 1, result: Ok((vec![line(NOW - 10, "stale")], p)) });
        let texts: Vec<&str> =
            (0..s.logs.matched_len()).filter_map(|i| s.logs.matched(i)).map(|e| e.text.as_str()).collect();
        assert_eq!(texts, ["older", "newer"]);
        assert!(s.window.logs_loading(), "not done yet");
        typed(&mut s, "live");
        assert!(s.window.window.is_live());
        let texts: Vec<&str> =
            (0..s.logs.matched_len()).filter_map(|i| s.logs.matched(i)).map(|e| e.text.as_str()).collect();
        assert_eq!(texts, ["live one", "live two"], "the live view is back with what came meanwhile");
    }

    #[test]
    fn scrolling_up_past_a_whole_window_reaches_further_back() {
        let mut s = State::new(SiteInfo::default(), NOW);
        typed(&mut s, "since 30m");
        let generation = s.window.generation;
        let p = WindowProgress { from_ms: NOW - 1_800_000, to_ms: NOW, lines: 1, pages: 2, ..Default::default() };
        update(&mut s, Msg::WindowLogs { generation, result: Ok((vec![line(NOW - 60_000, "newer")], p)) });
        update(&mut s, Msg::Key(Key::char('l')));
        // Still loading: nothing more to ask.
        assert!(update(&mut s, Msg::Key(Key::plain(KeyCode::PageUp))).is_empty());
        let done = WindowProgress { lines: 2, pages: 3, done: true, reached_ms: NOW - 1_800_000, ..p };
        update(&mut s, Msg::WindowLogs { generation, result: Ok((vec![line(NOW - 1_700_000, "oldest")], done)) });
        let effects = update(&mut s, Msg::Key(Key::plain(KeyCode::PageUp)));
        let asked = effects.iter().find_map(|e| match e {
            Effect::LoadWindowLogs(Some(l)) => Some((l.from_ms, l.to_ms)),
            _ => None,
        });
        assert_eq!(asked, Some((NOW - 3_600_000, NOW - 1_800_001)), "the half hour before: {effects:?}");
        assert_eq!(s.window.window, TimeWindow::Fixed { from_ms: NOW - 3_600_000, to_ms: NOW });
        assert_eq!(s.window.loaded(), (2, 3), "what was loaded before is still counted");
        let more = WindowProgress { from_ms: NOW - 3_600_000, to_ms: NOW - 1_800_001, lines: 1, pages: 1, ..done };
        update(&mut s, Msg::WindowLogs { generation, result: Ok((vec![line(NOW - 3_000_000, "older still")], more)) });
        let texts: Vec<&str> =
            (0..s.logs.matched_len()).filter_map(|i| s.logs.matched(i)).map(|e| e.text.as_str()).collect();
        assert_eq!(texts, ["older still", "oldest", "newer"]);
    }

    #[test]
    fn bad_windows_are_explained_and_change_nothing() {
        let mut s = State::new(SiteInfo::default(), NOW);
        assert!(typed(&mut s, "at soon").is_empty());
        assert!(s.nav.flash.as_ref().is_some_and(|f| f.error && f.text.contains("time of day")), "{:?}", s.nav.flash);
        assert!(typed(&mut s, "since 2h now").is_empty());
        assert!(s.window.window.is_live());
        assert!(typed(&mut s, "bogus 2h").is_empty());
        assert!(s.nav.flash.as_ref().is_some_and(|f| f.text.contains("unknown command")));
    }

    #[test]
    fn the_timeline_reads_the_last_hours_while_live_once_a_minute_at_most() {
        let mut s = State::new(SiteInfo::default(), NOW);
        let first = update(&mut s, Msg::Key(Key::char('H')));
        assert!(matches!(first[..], [Effect::ReadWindow { from_ms, .. }] if from_ms == NOW - LIVE_HISTORY_MS));
        update(&mut s, Msg::Key(Key::plain(KeyCode::Esc)));
        assert!(update(&mut s, Msg::Key(Key::char('H'))).is_empty(), "read less than a minute ago");
        assert!(s.window.window.is_live(), "the timeline alone does not leave live");
    }
}
