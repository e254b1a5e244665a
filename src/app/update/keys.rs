//! What each key does: an open dialog takes every key, then the typed line (`:` command, `/`
//! filter, `s` search), then the help overlay, then the current screen — each through the key
//! table (`keymap`), so the keys are data. `act` carries out one `Action` by handing it to the
//! module that owns it (navigation, the log view, the typed line, the actions). Pure: no IO, no
//! clock.

use crate::app::key::Key;
use crate::app::keymap::{Action, INTERRUPT, KeyScope, action_for};
use crate::app::msg::Effect;
use crate::app::ops::{self, OpKind};
use crate::app::state::{Input, Screen, State};
use crate::model::FindingAction;

use super::{input, logs, navigation, window};

/// The window of `:report`: the last two hours, as `wpops report`'s default.
const REPORT_WINDOW_MS: i64 = 2 * 3_600_000;
use crate::app::help;

pub(super) fn on_key(state: &mut State, key: Key) -> Vec<Effect> {
    if key == INTERRUPT {
        return act(state, Action::Quit);
    }
    if state.ops.dialog.is_some() {
        return ops::update::on_dialog_key(state, key);
    }
    if state.nav.input != Input::None {
        return match input::on_key(state, key) {
            Some(input::Entered::Action(action)) => act(state, action),
            Some(input::Entered::Window { word, args }) => window::command(state, &word, &args),
            None => Vec::new(),
        };
    }
    state.nav.flash = None;
    let scope = if state.nav.help { KeyScope::Help } else { state.nav.screen.key_scope() };
    match action_for(scope, key) {
        Some(action) => act(state, action),
        None => Vec::new(),
    }
}

/// Carries out one action of the key table (or of a `:` command).
fn act(state: &mut State, action: Action) -> Vec<Effect> {
    if state.nav.help && help_act(state, action) {
        return Vec::new();
    }
    match action {
        Action::Quit => {
            state.quit = true;
            return Vec::new();
        }
        Action::Help => {
            state.nav.help = !state.nav.help;
            state.nav.help_top = 0;
        }
        Action::Command => state.nav.input = Input::Command(String::new()),
        Action::Filter => state.nav.input = Input::Filter(pattern(state.logs.filter())),
        Action::Search => state.nav.input = Input::Search(pattern(state.logs.search.as_ref())),
        Action::Back => return navigation::back(state),
        Action::Refresh => return navigation::refresh(state),
        Action::Up => {
            navigation::move_by(state, -1);
            return window::older_at_top(state);
        }
        Action::Down => navigation::move_by(state, 1),
        Action::PageUp => {
            navigation::move_by(state, -navigation::page(state));
            return window::older_at_top(state);
        }
        Action::PageDown => navigation::move_by(state, navigation::page(state)),
        Action::Top => {
            navigation::top(state);
            return window::older_at_top(state);
        }
        Action::Bottom => navigation::bottom(state),
        Action::OpenTask => return navigation::open_task(state),
        Action::ShowOverview => state.go(Screen::Overview),
        Action::ShowLogs => state.go(Screen::Logs),
        Action::ShowWaf => state.go(Screen::Waf),
        Action::ShowEvents => {
            state.go(Screen::Events);
            return window::history(state);
        }
        Action::ShowTimeline => {
            state.go(Screen::Timeline);
            return window::history(state);
        }
        Action::ShowMetrics => state.go(Screen::Metrics),
        Action::ToggleUtc => {
            let clock = &mut state.window.clock;
            clock.utc = !clock.utc;
            let zone = clock.zone();
            state.flash(format!("times in {zone}"), false);
        }
        Action::GoLive => {
            let effects = window::set(state, crate::model::window::TimeWindow::Live);
            state.flash("live again", false);
            return effects;
        }
        Action::SetWindow => state.flash(":since 2h · :at 09:10 [09:40] · :live", false),
        Action::OpenEntry => return window::open_entry(state),
        Action::ShowFindings => state.go(Screen::Findings),
        Action::WriteReport => {
            let (from_ms, to_ms) = match state.window.window.range() {
                Some(range) => {
                    state.flash("writing the incident report of the window…", false);
                    range
                }
                None => {
                    state.flash("writing the incident report of the last 2 hours…", false);
                    (state.now_ms - REPORT_WINDOW_MS, state.now_ms)
                }
            };
            return vec![Effect::WriteReport { from_ms, to_ms }];
        }
        Action::OpenSample => state.nav.scroll.waf_sample_open = !state.nav.scroll.waf_sample_open,
        Action::FilterTasks => state.nav.input = Input::TaskFilter(state.nav.task_filter.clone().unwrap_or_default()),
        Action::OpenFinding => return open_finding(state),
        Action::ToggleFollow => state.logs.toggle_follow(),
        Action::ToggleLiveTail => {
            state.feeds.live_tail = !state.feeds.live_tail;
            return vec![Effect::LiveTail(state.feeds.live_tail)];
        }
        Action::ToggleTaskScope => return logs::toggle_task_scope(state),
        Action::ToggleNginx => return logs::toggle_container(state, 0),
        Action::TogglePhpFpm => return logs::toggle_container(state, 1),
        Action::ToggleWarmer => return logs::toggle_container(state, 2),
        Action::SearchNext | Action::SearchPrev => logs::search_step(state, action == Action::SearchNext),
        Action::ToggleWrap => state.logs.wrap = !state.logs.wrap,
        Action::ToggleTimestamps => state.logs.timestamps = !state.logs.timestamps,
        Action::Redeploy => return ops::update::ask(state, OpKind::Redeploy),
        Action::Rollback => return ops::update::ask(state, OpKind::Rollback),
        Action::Warm => return ops::update::ask(state, OpKind::Warm),
        Action::ReplaceTask => return ops::update::ask(state, OpKind::ReplaceTask),
        Action::ShowRollout => state.go(Screen::Rollout),
        Action::ShowWarming => state.go(Screen::Warming),
        Action::ShowSites => {
            state.go(Screen::Sites);
            return vec![Effect::WatchFleet];
        }
        Action::OpenSite => return navigation::open_site(state),
        Action::ShowProgress => navigation::show_progress(state),
        Action::SortTasks => {
            let selected = state.selected_id();
            state.nav.task_sort = state.nav.task_sort.next();
            state.reselect(selected);
        }
        Action::ToggleProblems => {
            let selected = state.selected_id();
            state.nav.problems_only = !state.nav.problems_only;
            state.reselect(selected);
        }
        // The dialog's own keys: `ops::update` handles them while a dialog is open.
        Action::Confirm | Action::Decline | Action::Cancel | Action::Force | Action::Dismiss | Action::SubmitTyped => {}
    }
    Vec::new()
}

/// The selected finding's action, through that action's normal confirmation (nothing runs
/// without it); a finding without one says what to change instead.
fn open_finding(state: &mut State) -> Vec<Effect> {
    let Some(f) = state.assessment().and_then(|a| a.findings.items.into_iter().nth(state.nav.scroll.finding)) else {
        return Vec::new();
    };
    match f.action {
        Some(FindingAction::Warm) => ops::update::ask(state, OpKind::Warm),
        Some(FindingAction::Rollback { .. }) => ops::update::ask(state, OpKind::Rollback),
        Some(FindingAction::Redeploy) => ops::update::ask(state, OpKind::Redeploy),
        Some(FindingAction::Replace { task_id }) => ops::update::ask_replace(state, task_id),
        None => {
            state.flash(f.change.as_deref().unwrap_or("no wpops action fits this finding"), false);
            Vec::new()
        }
    }
}

/// The help overlay's own actions: scrolling it by entry and finding words in it. False for
/// the others (closing it, quitting).
fn help_act(state: &mut State, action: Action) -> bool {
    let entries = help::entries(state.nav.screen.key_scope());
    let last = entries.len().saturating_sub(1);
    let page = usize::try_from(navigation::page(state)).unwrap_or(1);
    let nav = &mut state.nav;
    nav.help_top = match action {
        Action::Down => nav.help_top + 1,
        Action::Up => nav.help_top.saturating_sub(1),
        Action::PageDown => nav.help_top + page,
        Action::PageUp => nav.help_top.saturating_sub(page),
        Action::Top => 0,
        Action::Bottom => last.saturating_sub(page.saturating_sub(1)),
        Action::Search => {
            nav.input = Input::HelpFind(String::new());
            return true;
        }
        Action::SearchNext => {
            let words = nav.help_find.clone().unwrap_or_default();
            match help::find(&entries, &words, nav.help_top + 1) {
                Some(i) => i,
                None => {
                    state.flash(format!("help has no {words:?}"), false);
                    return true;
                }
            }
        }
        _ => return false,
    }
    .min(last);
    true
}

/// The pattern to start editing from: the current one, or nothing.
fn pattern(re: Option<&regex::Regex>) -> String {
    re.map(|r| r.as_str().to_owned()).unwrap_or_default()
}
