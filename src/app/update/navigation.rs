//! Moving around: back, up and down (the overview's selection, the log view, the scrolling
//! screens, the fleet), top and bottom, opening a task or a site, the last action's view, and
//! what "refresh" asks for on each screen. Pure: no IO, no clock.

use crate::app::msg::{Effect, Feed};
use crate::app::state::{Screen, State};

/// Back to where the operator came from (the overview at the start; from the overview of a site
/// opened from the fleet view, the fleet view again).
pub(super) fn back(state: &mut State) -> Vec<Effect> {
    // An open sampled request closes first.
    if state.nav.screen == Screen::Waf && state.nav.scroll.waf_sample_open {
        state.nav.scroll.waf_sample_open = false;
        return Vec::new();
    }
    let to = match state.nav.back.pop() {
        Some(screen) => screen,
        None if state.nav.screen == Screen::Overview && state.site.from_fleet => Screen::Sites,
        None => Screen::Overview,
    };
    let was = std::mem::replace(&mut state.nav.screen, to);
    // The fleet's rows are read while its view is open.
    if to == Screen::Sites && was != Screen::Sites {
        return vec![Effect::WatchFleet];
    }
    Vec::new()
}

/// Lines in a page: the screen's height less the header and footer.
pub(super) fn page(state: &State) -> i64 {
    i64::from(state.nav.size.1.saturating_sub(8).max(1))
}

pub(super) fn move_by(state: &mut State, delta: i64) {
    let step = |v: usize, max: usize| usize::try_from((v as i64 + delta).clamp(0, max as i64)).unwrap_or(0);
    let nav = &mut state.nav;
    match nav.screen {
        Screen::Overview => {
            let rows = state.rows().len();
            state.nav.selected = step(state.nav.selected, rows.saturating_sub(1));
        }
        Screen::Logs => state.logs.scroll(delta),
        Screen::Events => nav.scroll.events = step(nav.scroll.events, 10_000),
        // j/k pick a sampled request; a page at a time scrolls the rule groups.
        Screen::Waf if delta.abs() == 1 => {
            let n = state.waf_panel().data.as_ref().map_or(0, |w| w.samples.len());
            state.nav.scroll.waf_sample = step(state.nav.scroll.waf_sample, n.saturating_sub(1));
        }
        Screen::Waf => nav.scroll.waf = step(nav.scroll.waf, 10_000),
        // The rollout view's events scroll from the newest: up goes back in time.
        Screen::Rollout => {
            let events = state.ops.rollout.as_ref().map_or(0, |w| w.events.len());
            let back = (nav.scroll.rollout as i64 - delta).clamp(0, events as i64);
            nav.scroll.rollout = usize::try_from(back).unwrap_or(0);
        }
        Screen::Sites => {
            let rows = state.fleet.rows.as_ref().map_or(0, |(_, r)| r.len());
            state.fleet.selected = step(state.fleet.selected, rows.saturating_sub(1));
        }
        Screen::Findings => {
            let n = state.assessment().map_or(0, |a| a.findings.items.len());
            state.nav.scroll.finding = step(state.nav.scroll.finding, n.saturating_sub(1));
        }
        // The task's log: up is older (scrolls away from the newest line), down is newer.
        Screen::TaskDetail => {
            let up = usize::try_from(-delta).unwrap_or(0);
            let down = usize::try_from(delta).unwrap_or(0);
            let lines =
                state.nav.detail_task.as_deref().and_then(|id| state.task_log.loaded(id)).map_or(0, |l| l.events.len());
            state.task_log.scroll = state.task_log.scroll.saturating_add(up).saturating_sub(down).min(lines);
        }
        Screen::Timeline => super::window::move_by(state, delta),
        Screen::Warming | Screen::Metrics => {}
    }
}

pub(super) fn top(state: &mut State) {
    match state.nav.screen {
        Screen::Logs => state.logs.pause_at(usize::try_from(page(state) - 1).unwrap_or(0)),
        _ => move_by(state, -1_000_000),
    }
}

pub(super) fn bottom(state: &mut State) {
    match state.nav.screen {
        Screen::Logs => state.logs.follow = true,
        _ => move_by(state, 1_000_000),
    }
}

pub(super) fn open_task(state: &mut State) -> Vec<Effect> {
    let Some(task) = state.selected_task().cloned() else { return Vec::new() };
    state.nav.detail_task = Some(task.id.as_str().to_owned());
    state.go(Screen::TaskDetail);
    load_task_log(state, &task)
}

/// The detail's task's whole life is read on open (once; again after a failed read).
pub(super) fn load_task_log(state: &mut State, task: &crate::model::Task) -> Vec<Effect> {
    if state.task_log.ask(task.id.as_str()) { vec![Effect::LoadTaskLog(Box::new(task.clone()))] } else { Vec::new() }
}

/// Another site's console replaces this one (the selected row of the fleet view).
pub(super) fn open_site(state: &mut State) -> Vec<Effect> {
    let name = state.fleet.rows.as_ref().and_then(|(_, rows)| rows.get(state.fleet.selected)).map(|r| r.site.clone());
    match name.filter(|n| *n != state.site.name) {
        Some(name) => {
            state.quit = true;
            vec![Effect::OpenSite(name)]
        }
        None => Vec::new(),
    }
}

/// The view of the action started last: its rollout or its warming.
pub(super) fn show_progress(state: &mut State) {
    let warming = state.ops.warming.as_ref().map(|w| w.run.started_at_ms);
    let rollout = state.ops.rollout.as_ref().map(|w| w.run.started_at_ms);
    state.go(if warming > rollout { Screen::Warming } else { Screen::Rollout });
}

pub(super) fn refresh(state: &mut State) -> Vec<Effect> {
    match state.nav.screen {
        // What a window shows was read over it: read again.
        Screen::Timeline | Screen::Metrics => super::window::reread(state),
        _ if !state.window.window.is_live() => super::window::reread(state),
        Screen::Overview => {
            vec![Effect::Refresh(Feed::Service), Effect::Refresh(Feed::Platform), Effect::Refresh(Feed::Waf)]
        }
        Screen::TaskDetail | Screen::Events | Screen::Rollout | Screen::Warming => vec![Effect::Refresh(Feed::Service)],
        Screen::Findings => {
            vec![Effect::Refresh(Feed::Service), Effect::Refresh(Feed::Platform), Effect::Refresh(Feed::Waf)]
        }
        Screen::Logs => vec![Effect::Refresh(Feed::Logs)],
        Screen::Waf => vec![Effect::Refresh(Feed::Waf)],
        Screen::Sites => vec![Effect::WatchFleet],
    }
}
