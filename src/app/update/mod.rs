//! `update`: the one pure reducer. Feed results land in their panels (a failure keeps the last
//! good data and marks it stale), ticks age the data, keys go to `keys` (and from there to the
//! typed line, navigation, the log view or the actions), action events to `ops::update`. It
//! returns the `Effect`s for the runtime and sets `dirty` when something visible changed. No
//! IO, no clock, no `.await`.

use crate::model::{FetchError, FoundReport, ServiceSnapshot};

use super::msg::{Effect, Feed, Msg};
use super::ops;
use super::state::{Screen, State};

mod input;
mod keys;
mod logs;
mod navigation;
mod window;

pub use window::start;

#[cfg(test)]
mod tests;

/// Applies one message; returns what the runtime must do.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick(now) => tick(state, now),
        Msg::Key(key) => {
            state.dirty = true;
            keys::on_key(state, key)
        }
        Msg::Resize(w, h) => {
            state.nav.size = (w, h);
            state.dirty = true;
            Vec::new()
        }
        Msg::Service { at_ms, result } => on_service(state, at_ms, result.map(|s| *s)),
        Msg::Logs { at_ms, generation, events } => {
            if generation == state.log_scope.generation {
                // While a window is shown, the live view is fed aside.
                let view = state.window.live_logs.as_mut().unwrap_or(&mut state.logs);
                let reports = view.push(events);
                for (task_id, report, at) in reports {
                    remember_report(state, FoundReport { task_id, report, at_ms: at });
                }
                state.feeds.logs.set(at_ms, ());
                state.dirty = true;
            }
            Vec::new()
        }
        Msg::LogTail { generation, tail } => {
            if generation == state.log_scope.generation {
                state.feeds.tail = *tail;
                state.dirty = true;
            }
            Vec::new()
        }
        Msg::LogsFailed { at_ms, generation, error } => {
            if generation == state.log_scope.generation {
                fail(&mut state.feeds.logs.error, &mut state.feeds.logs.at_ms, at_ms, error);
                state.dirty = true;
            }
            Vec::new()
        }
        Msg::WarmReports { found, lookups } => {
            for report in found {
                remember_report(state, report);
            }
            for (task_id, lookup) in lookups {
                if !state.feeds.reports.contains_key(&task_id) {
                    state.feeds.report_lookups.insert(task_id, lookup);
                }
            }
            state.dirty = true;
            Vec::new()
        }
        Msg::Waf { at_ms, result } => {
            match result {
                Ok(snapshot) => state.feeds.waf.set(at_ms, *snapshot),
                Err(e) => fail(&mut state.feeds.waf.error, &mut state.feeds.waf.at_ms, at_ms, e),
            }
            state.dirty = true;
            Vec::new()
        }
        Msg::Platform { at_ms, result } => {
            match result {
                Ok(metrics) => state.feeds.platform.set(at_ms, *metrics),
                Err(e) => fail(&mut state.feeds.platform.error, &mut state.feeds.platform.at_ms, at_ms, e),
            }
            state.dirty = true;
            Vec::new()
        }
        Msg::Caller(result) => {
            state.feeds.caller = Some(result);
            state.dirty = true;
            Vec::new()
        }
        Msg::Backoff { feed, at_ms, retry_in_ms } => {
            let slot = match feed {
                Feed::Service => &mut state.feeds.service.retry_at_ms,
                Feed::Logs => &mut state.feeds.logs.retry_at_ms,
                Feed::Waf => &mut state.feeds.waf.retry_at_ms,
                Feed::Platform => &mut state.feeds.platform.retry_at_ms,
            };
            *slot = Some(at_ms.saturating_add(i64::try_from(retry_in_ms).unwrap_or(i64::MAX)));
            state.dirty = true;
            Vec::new()
        }
        Msg::Fleet { at_ms, rows } => {
            state.fleet.selected = state.fleet.selected.min(rows.len().saturating_sub(1));
            state.fleet.rows = Some((at_ms, rows));
            state.dirty = true;
            Vec::new()
        }
        Msg::TaskLog { task_id, result } => {
            if state.task_log.task_id.as_deref() == Some(task_id.as_str()) {
                // The warmer's report is in the task's life however long ago it ran: the
                // warmer's verdict needs no separate lookup for this task.
                let report = result.as_ref().ok().and_then(|log| {
                    log.events.iter().find_map(|e| match e.class {
                        crate::model::LineClass::WarmReport(report) => {
                            Some(FoundReport { task_id: task_id.clone(), report, at_ms: e.ts_ms })
                        }
                        _ => None,
                    })
                });
                if let Some(report) = report {
                    remember_report(state, report);
                }
                state.task_log.result = Some(result);
                state.dirty = true;
            }
            Vec::new()
        }
        Msg::ReportWritten(result) => {
            match result {
                Ok(path) => state.flash(format!("incident report written to {path}"), false),
                Err(e) => state.flash(format!("the incident report could not be written: {e}"), true),
            }
            state.dirty = true;
            Vec::new()
        }
        Msg::Window { generation, result } => {
            window::on_read(state, generation, result);
            Vec::new()
        }
        Msg::WindowLogs { generation, result } => {
            for report in window::on_logs(state, generation, result) {
                remember_report(state, report);
            }
            Vec::new()
        }
        Msg::Op(event) => ops::update::on_event(state, event),
    }
}

/// Ages tick once a second: a tick within the same second changes nothing visible.
fn tick(state: &mut State, now: i64) -> Vec<Effect> {
    if now.div_euclid(1000) != state.now_ms.div_euclid(1000) {
        state.dirty = true;
    }
    state.now_ms = now;
    // The log feed learns when no logs pane is on screen any more (and when one is again): a
    // Live Tail session, billed by the minute, closes after a few minutes unseen.
    let shown = matches!(state.nav.screen, Screen::Overview | Screen::TaskDetail | Screen::Logs);
    if shown != state.feeds.logs_shown {
        state.feeds.logs_shown = shown;
        return vec![Effect::LogsVisible(shown)];
    }
    Vec::new()
}

/// A failure keeps the data; before any data, its time is when the error came (for its age).
fn fail(error: &mut Option<FetchError>, at: &mut Option<i64>, at_ms: i64, e: FetchError) {
    *error = Some(e);
    if at.is_none() {
        *at = Some(at_ms);
    }
}

/// Keeps the in-task warmer's report: the first after the task started. A later report line
/// (php-fpm's stderr when a re-warm calls the task) is the re-warm's, which its own result tells.
fn remember_report(state: &mut State, report: FoundReport) {
    let earlier = state.feeds.reports.get(&report.task_id).is_none_or(|old| report.at_ms < old.at_ms);
    if earlier {
        state.feeds.report_lookups.remove(&report.task_id);
        state.feeds.reports.insert(report.task_id.clone(), report);
    }
}

fn on_service(state: &mut State, at_ms: i64, result: Result<ServiceSnapshot, FetchError>) -> Vec<Effect> {
    state.dirty = true;
    let snapshot = match result {
        Ok(s) => s,
        Err(e) => {
            fail(&mut state.feeds.service.error, &mut state.feeds.service.at_ms, at_ms, e);
            return Vec::new();
        }
    };
    // An action in flight keeps the pollers fast even before its deployment shows up.
    let fast = snapshot.service.rollout_in_progress() || !state.ops.in_flight.is_empty();
    // The selected task stays selected across refreshes (its row may move: a new order, a
    // task that came or went).
    let selected = state.selected_id();
    state.feeds.service.set(at_ms, snapshot);
    state.regroup_stopped();
    state.reselect(selected);
    if fast != state.polling_fast {
        state.polling_fast = fast;
        return vec![Effect::PollFast(fast)];
    }
    Vec::new()
}
