//! Log lines on screen: the full-screen log view and the overview's pane. Lines are drawn from
//! the view's index of matching lines, newest at the bottom, only as many as fit (QUALITY.md
//! P2): nginx access lines with the real client and status colours, php-fpm trouble and warm
//! reports highlighted, search hits marked. Read-only.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use regex::Regex;

use unicode_width::UnicodeWidthStr;

use super::columns::{self, Shorten};
use super::theme;
use crate::app::{LogView, State};
use crate::model::window::Clock;
use crate::model::{
    LineClass, LiveTail, LogEvent, StatusClass, TailHealth, format_age, parse_access_line, task_prefix,
};

/// How far back the task detail looks for its task's lines.
const DETAIL_SCAN: usize = 50_000;
/// Lines arrive out of time order by up to about this much (the tail's overlap window).
const LATE_SLACK_MS: i64 = 60_000;

/// The full-screen log view.
pub fn render_screen(state: &State, frame: &mut Frame, area: Rect) {
    render_pane(state, frame, area, true);
}

/// The log pane: its title names the scope, follow state, filter and request mix.
pub fn render_pane(state: &State, frame: &mut Frame, area: Rect, full: bool) {
    let v = &state.logs;
    // The figures line is cut at its end, with a mark, when the pane is narrower.
    let figures = theme::clip_line(right_title(state, full), usize::from(area.width).saturating_sub(2));
    let block = Block::bordered().title(title(state, full)).title_bottom(figures.right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines: Vec<Line<'static>> = Vec::new();
    if state.window.window.is_live() {
        lines.extend(theme::error_lines(&state.feeds.logs, state.now_ms, inner.width));
    }
    if let Some(e) = &v.filter_error {
        lines.push(Line::styled(format!("filter error: {e} — the previous filter stays"), theme::bad()));
    }
    if v.matched_len() == 0 {
        // Nothing read yet: "loading", or only the error above; "no lines match" once lines were read.
        let w = &state.window;
        let text = if !w.window.is_live() {
            if w.logs_loading() {
                Some("loading the window's lines…")
            } else if w.logs_error.is_some() {
                None
            } else if v.ring().is_empty() {
                Some("no lines in this window")
            } else {
                Some("no lines match")
            }
        } else if state.feeds.logs.is_loading() {
            Some("loading…")
        } else {
            state.feeds.logs.data.is_some().then_some("no lines match")
        };
        lines.extend(text.map(|t| Line::styled(t, theme::dim())));
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    }
    let rows = usize::from(inner.height).saturating_sub(lines.len());
    let width = usize::from(inner.width);
    let mut body: Vec<Line<'static>> = Vec::new();
    let mut n = v.visible_end();
    while body.len() < rows && n > 0 {
        n -= 1;
        let Some(ev) = v.matched(n) else { break };
        let hit = v.search_hit.is_some() && v.position(n) == v.search_hit;
        let line = format_line(ev, v, hit, width, state.window.clock);
        if v.wrap {
            for row in theme::wrap_line(line, width).into_iter().rev() {
                body.push(row);
            }
        } else {
            // Cut at the pane's edge, marked (`w` wraps it whole).
            body.push(theme::clip_line(line, width));
        }
    }
    body.truncate(rows);
    body.reverse();
    lines.extend(body);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Reading further behind than this is said even before the tail is known to be falling behind.
const LAG_SHOWN_MS: i64 = 10_000;

fn containers(v: &LogView) -> String {
    let names = ["nginx", "php-fpm", "warmer"];
    let on: Vec<&str> = names.iter().zip(v.show()).filter(|(_, on)| *on).map(|(n, _)| *n).collect();
    on.join("+")
}

fn title(state: &State, full: bool) -> Line<'static> {
    let v = &state.logs;
    let mut spans = vec![
        Span::styled(" Logs ", theme::title()),
        Span::raw(containers(v)),
        Span::styled(" · ", theme::dim()),
        Span::raw(v.task().map_or_else(|| "all tasks".to_owned(), |t| format!("task {}", task_prefix(t)))),
        Span::styled(" · ", theme::dim()),
    ];
    if !state.window.window.is_live() {
        spans.extend(window_spans(state));
    } else if v.follow {
        spans.push(Span::styled("follow", theme::good()));
    } else {
        // Lines below the view are new only if they arrived after the pause.
        let (below, new) = (v.new_below(), v.new_since_pause());
        let text = if below == new {
            format!("PAUSED · {} new", theme::thousands(new as u64))
        } else {
            format!("PAUSED · {} below · {} new", theme::thousands(below as u64), theme::thousands(new as u64))
        };
        spans.push(Span::styled(text, theme::warn()));
    }
    if state.window.window.is_live() {
        spans.extend(tail_spans(&state.feeds.tail, state.now_ms, full));
    }
    if let Some(re) = v.filter() {
        spans.push(Span::styled(format!(" · /{}/", re.as_str()), theme::info()));
    }
    if full {
        if let Some(re) = &v.search {
            spans.push(Span::styled(format!(" · search /{}/", re.as_str()), theme::hit()));
        }
        if v.wrap {
            spans.push(Span::raw(" · wrap"));
        }
        if v.timestamps {
            spans.push(Span::styled(format!(" · {}", state.window.clock.zone()), theme::dim()));
        }
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// A window's lines: how far they have loaded (newest first), or why they stopped.
fn window_spans(state: &State) -> Vec<Span<'static>> {
    let w = &state.window;
    let Some((from, to)) = w.window.range() else { return Vec::new() };
    let range = w.clock.range(from, to, state.now_ms);
    let v = &state.logs;
    let mut spans = Vec::new();
    if !v.follow {
        spans.push(Span::styled(format!("{} below · ", theme::thousands(v.new_below() as u64)), theme::warn()));
    }
    let (lines, pages) = w.loaded();
    let counts = format!("{} lines · {} pages", theme::thousands(lines), theme::thousands(pages));
    if let Some(e) = &w.logs_error {
        spans.push(Span::styled(format!("{range} · {counts} · stopped: {}: {}", e.operation, e.message), theme::bad()));
    } else if w.logs_loading() {
        let reached = w.progress.map_or(String::new(), |p| format!(" · back to {}", w.clock.hm(p.reached_ms)));
        spans.push(Span::styled(format!("loading {range} · {counts}{reached}"), theme::info()));
    } else if w.progress.is_some_and(|p| p.cut) {
        let reached = w.progress.map_or(to, |p| p.reached_ms);
        spans.push(Span::styled(
            format!(
                "{range} · {counts} · buffer full: lines before {} not loaded (:at an earlier time)",
                w.clock.hms(reached)
            ),
            theme::warn(),
        ));
    } else {
        spans.push(Span::styled(format!("{range} · {counts}"), theme::good()));
    }
    spans
}

/// What the tail says about itself: reading behind the newest lines, falling behind and
/// skipping (with the rates and an estimate of what was skipped), late lines found.
fn tail_spans(t: &TailHealth, now_ms: i64, full: bool) -> Vec<Span<'static>> {
    let mut spans = live_spans(&t.live, now_ms, full);
    let rate = |r: f64| theme::thousands(r.round() as u64);
    if let Some(b) = t.behind {
        spans.push(Span::styled(
            format!(
                " · falling behind {}: {} lines/s, reading {}/s",
                format_age(b.lag_ms),
                rate(b.arrival_per_s),
                rate(b.reading_per_s)
            ),
            theme::bad(),
        ));
    } else if t.lag_ms >= LAG_SHOWN_MS {
        spans.push(Span::styled(format!(" · reading {} behind", format_age(t.lag_ms)), theme::warn()));
    }
    if let Some((at, _)) = t.last_skip {
        spans.push(Span::styled(
            format!(
                " · skipped ≈{} lines ({} of log time, last {} ago)",
                theme::thousands(t.skipped_lines_est),
                format_age(t.skipped_ms),
                format_age(now_ms - at)
            ),
            theme::warn(),
        ));
    }
    if full && t.late_lines > 0 {
        spans.push(Span::styled(
            format!(" · {} late lines (up to {} late)", theme::thousands(t.late_lines), format_age(t.max_delay_ms)),
            theme::dim(),
        ));
    }
    spans
}

/// Live Tail, when asked for: an open session and how long it has been open (it is billed by
/// the minute), updates CloudWatch sampled, or why the tail polls instead.
fn live_spans(live: &LiveTail, now_ms: i64, full: bool) -> Vec<Span<'static>> {
    match live {
        LiveTail::Off => Vec::new(),
        LiveTail::Open { since_ms, sampled_updates } => {
            let s = (now_ms - since_ms).max(0) / 1000;
            let open = if s < 3600 { format!("{}m{:02}s", s / 60, s % 60) } else { format_age(s * 1000) };
            let mut spans = vec![Span::styled(format!(" · live tail {open}"), theme::good())];
            if *sampled_updates > 0 {
                let text = format!(" · sampled {}× (over 500 lines/s: not every line shown)", sampled_updates);
                spans.push(Span::styled(text, theme::warn()));
            }
            spans
        }
        LiveTail::Polling { reason, retry_at_ms } => {
            let mut text = String::from(" · polling");
            if full {
                let retry = (retry_at_ms - now_ms).max(0);
                text.push_str(&format!(" (live tail: {reason}; again in {})", format_age(retry)));
            }
            vec![Span::styled(text, theme::warn())]
        }
        LiveTail::Idle { .. } => {
            vec![Span::styled(" · live tail closed while no logs pane was shown", theme::dim())]
        }
    }
}

fn right_title(state: &State, full: bool) -> Line<'static> {
    let v = &state.logs;
    if !state.window.window.is_live() {
        // The live rate says nothing of a window; what the view had to drop is said.
        let dropped = v.ring().dropped();
        return if dropped > 0 {
            Line::styled(format!(" {} older lines dropped ", theme::thousands(dropped)), theme::dim())
        } else {
            Line::raw("")
        };
    }
    let mix = v.stats().mix(state.now_ms);
    // nginx's access lines without the ALB's health checks: not the header's ALB figure.
    let rate = v.stats().requests_per_sec(state.now_ms);
    let mut spans = vec![Span::raw(format!(" nginx {rate:.0} req/s without health checks"))];
    for class in [StatusClass::Success, StatusClass::Redirect, StatusClass::ClientError, StatusClass::ServerError] {
        let pct = mix.percent(class);
        if pct > 0.0 || class == StatusClass::Success || class == StatusClass::ServerError {
            let style = match class {
                StatusClass::ServerError if pct > 0.0 => theme::bad(),
                StatusClass::ClientError => theme::warn(),
                _ => Style::new(),
            };
            spans.push(Span::styled(format!(" · {} {}", class.label(), theme::percent(pct)), style));
        }
    }
    let dropped = v.ring().dropped();
    if full && dropped > 0 {
        spans.push(Span::styled(format!(" · {} older lines dropped", theme::thousands(dropped)), theme::dim()));
    }
    spans.push(Span::raw(" · "));
    spans.push(theme::age_span(&state.feeds.logs, state.now_ms));
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// One display line: time, task, container, then the text in the operator's terms, in `width`
/// columns (an access line's URI gives way in its middle; other lines are cut or wrapped by the
/// pane).
pub fn format_line(ev: &LogEvent, v: &LogView, current_hit: bool, width: usize, clock: Clock) -> Line<'static> {
    let mut spans = Vec::with_capacity(8);
    if v.timestamps {
        spans.push(Span::styled(format!("{} ", clock.hms(ev.ts_ms)), theme::dim()));
    }
    spans.push(Span::styled(format!("{} ", ev.task_short()), theme::dim()));
    spans.push(Span::styled(format!("{:<8}", ev.container.name()), theme::info()));
    let room = width.saturating_sub(Line::from(spans.clone()).width());
    let (text, style) = body(ev, if v.wrap { usize::MAX } else { room });
    match v.search.as_ref() {
        Some(re) => highlight(&mut spans, text, style, re, current_hit),
        None => spans.push(Span::styled(text, style)),
    }
    Line::from(spans)
}

/// The text of a line in `room` columns. An access line reads status, latency, method and URI,
/// then the client: what is scanned first comes first, and only the URI is shortened (in its
/// middle, marked) when the line does not fit.
fn body(ev: &LogEvent, room: usize) -> (String, Style) {
    match ev.class {
        LineClass::Access { status, health_check, .. } => {
            let style = match StatusClass::of(status) {
                _ if health_check => theme::dim(),
                StatusClass::ServerError => theme::bad(),
                StatusClass::ClientError => theme::warn(),
                _ => Style::new(),
            };
            let text = match parse_access_line(&ev.text) {
                Some(a) => {
                    let took = a.request_time_s.map_or_else(|| "     –".to_owned(), |s| format!("{s:>6.3}"));
                    let head = format!("{} {took}s {:<4} ", a.status, a.method);
                    let tail = format!("  {}", a.client);
                    let fixed = head.as_str().width() + tail.as_str().width();
                    let path = columns::shorten(a.path, room.saturating_sub(fixed).max(12), Shorten::Middle);
                    format!("{head}{path}{tail}")
                }
                None => ev.text.clone(),
            };
            (text, style)
        }
        LineClass::PhpTrouble(t) => (format!("⚠ {} │ {}", t.label(), ev.text), theme::bad()),
        LineClass::WarmReport(r) if r.failure > 0 => (format!("◆ warm report │ {}", ev.text), theme::bad()),
        LineClass::WarmReport(_) => (format!("◆ warm report │ {}", ev.text), theme::good()),
        LineClass::Plain => (ev.text.clone(), Style::new()),
    }
}

fn highlight(spans: &mut Vec<Span<'static>>, text: String, style: Style, re: &Regex, current: bool) {
    let mark = if current { theme::selected() } else { theme::hit() };
    let mut at = 0;
    for m in re.find_iter(&text).filter(|m| !m.is_empty()) {
        spans.push(Span::styled(text[at..m.start()].to_owned(), style));
        spans.push(Span::styled(m.as_str().to_owned(), mark));
        at = m.end();
    }
    spans.push(Span::styled(text[at..].to_owned(), style));
}

/// The task detail's lines: the task's whole life as read on open (`State::task_log`), then
/// the tail's newer lines of a task still running; `rows` of them ending `scroll` lines above
/// the newest. Also how many lines there are in all (before its life is read, or when it could
/// not be, the tail's buffer alone: then only as many as are drawn are counted).
pub fn task_life_lines(
    state: &State,
    task_id: &str,
    rows: usize,
    width: usize,
    scroll: usize,
) -> (Vec<Line<'static>>, usize) {
    let v = &state.logs;
    let life: &[LogEvent] = state.task_log.loaded(task_id).map_or(&[], |l| l.events.as_slice());
    let newest_read = life.last().map(|e| e.ts_ms);
    // The ring is in arrival order, about time order: past the life's newest line (less the
    // slack of lines arriving late) there is nothing newer; without a life, what fits is enough.
    let need = rows.saturating_add(scroll);
    let mut newer: Vec<&LogEvent> = Vec::new();
    for e in v.ring().iter().rev().take(DETAIL_SCAN) {
        match newest_read {
            Some(t) if e.ts_ms < t - LATE_SLACK_MS => break,
            Some(t) if e.ts_ms <= t => continue,
            None if newer.len() >= need => break,
            _ => {}
        }
        if *e.task_id == *task_id {
            newer.push(e);
        }
    }
    newer.reverse();
    let total = life.len() + newer.len();
    let end = total.saturating_sub(scroll.min(total.saturating_sub(rows.min(total))));
    let start = end.saturating_sub(rows);
    let lines = (start..end)
        .map(|i| if i < life.len() { &life[i] } else { newer[i - life.len()] })
        .map(|e| theme::clip_line(format_line(e, v, false, width, state.window.clock), width))
        .collect();
    (lines, total)
}
