//! The log view's keys that change what the tailer follows: a container shown or hidden, one
//! task or all. Each bumps the log generation and returns `Effect::FollowLogs`, so lines of the
//! old scope are dropped. Search steps live here too. Pure: no IO, no clock.

use crate::app::msg::{Effect, LogScope};
use crate::app::state::{Screen, State};
use crate::model::ContainerRole;

/// The tailer's scope from what the log view shows; bumps the generation.
fn follow_logs(state: &mut State) -> Vec<Effect> {
    let names = [ContainerRole::Nginx, ContainerRole::PhpFpm, ContainerRole::Warmer];
    let show = state.logs.show();
    let containers = if show.iter().all(|s| *s) {
        Vec::new()
    } else {
        names.iter().zip(show).filter(|(_, on)| *on).map(|(r, _)| r.name().to_owned()).collect()
    };
    state.log_scope =
        LogScope { containers, task: state.logs.task().map(str::to_owned), generation: state.log_scope.generation + 1 };
    state.feeds.tail = Default::default();
    vec![Effect::FollowLogs(state.log_scope.clone())]
}

pub(super) fn toggle_container(state: &mut State, i: usize) -> Vec<Effect> {
    if !state.logs.toggle_container(i) {
        state.flash("at least one container stays shown", false);
        return Vec::new();
    }
    follow_logs(state)
}

pub(super) fn toggle_task_scope(state: &mut State) -> Vec<Effect> {
    if state.logs.task().is_some() {
        state.logs.set_task(None);
        return follow_logs(state);
    }
    let task = if state.nav.screen == Screen::TaskDetail { state.detail() } else { state.selected_task() };
    match task.map(|t| t.id.as_str().to_owned()) {
        Some(id) => {
            state.logs.set_task(Some(id));
            follow_logs(state)
        }
        None => {
            state.flash("no task selected", false);
            Vec::new()
        }
    }
}

/// The next (`newer`) or previous search hit, or why there is none.
pub(super) fn search_step(state: &mut State, newer: bool) {
    if state.logs.search.is_none() {
        state.flash("no search yet: press s", false);
    } else if !state.logs.search_step(newer) {
        state.flash("no more hits", false);
    }
}
