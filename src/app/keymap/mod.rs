//! The key table: one list maps keys to `Action`s per scope — every screen, the help overlay
//! and the confirm dialog. `update` looks keys up here, and the help overlay, the footer and the
//! dialog's key hint are generated from it, so they can never disagree. It must not hold
//! behaviour: what an action does lives in `update`.

use super::key::{Key, KeyCode};

/// What the operator asked for, in their words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    Command,
    Back,
    Refresh,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    OpenTask,
    ShowOverview,
    ShowLogs,
    ShowWaf,
    ShowEvents,
    ToggleFollow,
    /// The logs screen: follow with CloudWatch Live Tail, or poll.
    ToggleLiveTail,
    ToggleTaskScope,
    ToggleNginx,
    TogglePhpFpm,
    ToggleWarmer,
    Filter,
    Search,
    SearchNext,
    SearchPrev,
    ToggleWrap,
    ToggleTimestamps,
    Redeploy,
    Rollback,
    Warm,
    ReplaceTask,
    ShowProgress,
    ShowRollout,
    ShowWarming,
    ShowSites,
    OpenSite,
    /// The confirm dialog: carry out the action (phase two).
    Confirm,
    /// The confirm dialog: answer no.
    Decline,
    /// The confirm dialog: close it at any stage; nothing is sent.
    Cancel,
    /// The confirm dialog: the second confirmation a deployment rolling out needs.
    Force,
    /// The confirm dialog when it can only be closed (its preview failed, nothing to warm).
    Dismiss,
    /// The overview: the next order of the task rows.
    SortTasks,
    /// The overview: only the tasks with a problem, or all.
    ToggleProblems,
    ShowFindings,
    /// The findings screen: open the selected finding's action (its normal confirmation).
    OpenFinding,
    /// The overview: only the tasks that contain some words.
    FilterTasks,
    /// The WAF screen: open or close the selected sampled request.
    OpenSample,
    /// The confirm dialog of a site that asks for the service name: submit what was typed.
    /// Enter is this and never `Confirm`: a habit-driven double Enter must not mutate.
    SubmitTyped,
    /// Write the incident report of the last two hours to a file (`:report`).
    WriteReport,
    /// The timeline of the window (or of the last three hours, live).
    ShowTimeline,
    /// The metrics over the window as sparklines.
    ShowMetrics,
    /// Times in UTC, or in this machine's zone.
    ToggleUtc,
    /// Back to live (`:live`).
    GoLive,
    /// `:since 2h`, `:at 09:10 [09:40]`: a fixed window (the command line carries the times).
    SetWindow,
    /// The timeline: move the window to the selected entry.
    OpenEntry,
}

impl Action {
    /// Every action, in declaration order.
    pub const ALL: [Action; 56] = [
        A::Quit,
        A::Help,
        A::Command,
        A::Back,
        A::Refresh,
        A::Up,
        A::Down,
        A::PageUp,
        A::PageDown,
        A::Top,
        A::Bottom,
        A::OpenTask,
        A::ShowOverview,
        A::ShowLogs,
        A::ShowWaf,
        A::ShowEvents,
        A::ToggleFollow,
        A::ToggleLiveTail,
        A::ToggleTaskScope,
        A::ToggleNginx,
        A::TogglePhpFpm,
        A::ToggleWarmer,
        A::Filter,
        A::Search,
        A::SearchNext,
        A::SearchPrev,
        A::ToggleWrap,
        A::ToggleTimestamps,
        A::Redeploy,
        A::Rollback,
        A::Warm,
        A::ReplaceTask,
        A::ShowProgress,
        A::ShowRollout,
        A::ShowWarming,
        A::ShowSites,
        A::OpenSite,
        A::Confirm,
        A::Decline,
        A::Cancel,
        A::Force,
        A::Dismiss,
        A::SortTasks,
        A::ToggleProblems,
        A::ShowFindings,
        A::OpenFinding,
        A::FilterTasks,
        A::OpenSample,
        A::SubmitTyped,
        A::WriteReport,
        A::ShowTimeline,
        A::ShowMetrics,
        A::ToggleUtc,
        A::GoLive,
        A::SetWindow,
        A::OpenEntry,
    ];

    /// Changes the site (after a confirm dialog): refused and left out of the footer when read-only.
    pub fn is_mutating(self) -> bool {
        matches!(self, Action::Redeploy | Action::Rollback | Action::Warm | Action::ReplaceTask)
    }
}

/// Where a binding applies. Screen bindings win over `Everywhere` ones; an overlay (help, the
/// confirm dialog) answers only to its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyScope {
    Everywhere,
    Overview,
    TaskDetail,
    Logs,
    Waf,
    Events,
    /// The rollout and warming views.
    Progress,
    /// The fleet view.
    Sites,
    /// The findings screen.
    Findings,
    Timeline,
    Metrics,
    /// The help overlay, while it is open.
    Help,
    /// The confirm dialog of an action, while it is open.
    Dialog,
}

impl KeyScope {
    /// Every scope, in help order.
    pub const ALL: [KeyScope; 13] = [
        S::Everywhere,
        S::Overview,
        S::TaskDetail,
        S::Logs,
        S::Waf,
        S::Events,
        S::Progress,
        S::Sites,
        S::Findings,
        S::Timeline,
        S::Metrics,
        S::Help,
        S::Dialog,
    ];

    /// An overlay takes every key: nothing falls through to the `Everywhere` bindings.
    pub fn is_overlay(self) -> bool {
        matches!(self, KeyScope::Help | KeyScope::Dialog)
    }

    pub fn title(self) -> &'static str {
        match self {
            KeyScope::Everywhere => "Everywhere",
            KeyScope::Overview => "Overview",
            KeyScope::TaskDetail => "Task detail",
            KeyScope::Logs => "Logs",
            KeyScope::Waf => "WAF",
            KeyScope::Events => "Events",
            KeyScope::Progress => "Rollout and warming",
            KeyScope::Sites => "Sites",
            KeyScope::Findings => "Findings",
            KeyScope::Timeline => "Timeline",
            KeyScope::Metrics => "Metrics",
            KeyScope::Help => "This help",
            KeyScope::Dialog => "Confirm dialog",
        }
    }
}

/// One row of the key table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub scope: KeyScope,
    pub keys: &'static [Key],
    /// How the keys read in help and footer (`j/↓`).
    pub label: &'static str,
    pub action: Action,
    /// What it does, for help (and the footer, shortened to its first word or two).
    pub help: &'static str,
    /// The short footer word (for the dialog's scope: its key hint); empty = not in the footer.
    pub footer: &'static str,
}

/// Quits from anywhere, even from a dialog or a line being typed.
pub const INTERRUPT: Key = Key::ctrl('c');

const fn c(ch: char) -> Key {
    Key::char(ch)
}

const fn k(code: KeyCode) -> Key {
    Key::plain(code)
}

use Action as A;
use KeyScope as S;

macro_rules! bind {
    ($scope:expr, [$($key:expr),+], $label:literal, $action:expr, $help:literal, $footer:literal) => {
        Binding { scope: $scope, keys: &[$($key),+], label: $label, action: $action, help: $help, footer: $footer }
    };
}

/// The whole key table, in help order.
pub const BINDINGS: &[Binding] = &[
    bind!(S::Everywhere, [c('?')], "?", A::Help, "show or hide this help", "help"),
    bind!(S::Everywhere, [c(':')], ":", A::Command, "command line (:logs :waf :events :overview :help :q)", "command"),
    bind!(S::Everywhere, [k(KeyCode::Esc)], "Esc", A::Back, "go back, close the overlay or cancel input", "back"),
    bind!(S::Everywhere, [c('q'), INTERRUPT], "q", A::Quit, "quit", "quit"),
    bind!(S::Everywhere, [c('r')], "r", A::Refresh, "refresh this screen's data now", ""),
    bind!(S::Everywhere, [c('j'), k(KeyCode::Down)], "j/↓", A::Down, "move down", ""),
    bind!(S::Everywhere, [c('k'), k(KeyCode::Up)], "k/↑", A::Up, "move up", ""),
    bind!(S::Everywhere, [k(KeyCode::PageDown), Key::ctrl('d')], "PgDn", A::PageDown, "page down", ""),
    bind!(S::Everywhere, [k(KeyCode::PageUp), Key::ctrl('u')], "PgUp", A::PageUp, "page up", ""),
    bind!(S::Everywhere, [c('g'), k(KeyCode::Home)], "g", A::Top, "go to the top (oldest)", ""),
    bind!(S::Everywhere, [c('G'), k(KeyCode::End)], "G", A::Bottom, "go to the bottom (newest)", ""),
    bind!(S::Everywhere, [c('o')], "o", A::ShowOverview, "overview: tasks, warmers, WAF, logs", ""),
    bind!(S::Everywhere, [c('l')], "l", A::ShowLogs, "logs, full screen", "logs"),
    bind!(S::Everywhere, [c('w')], "w", A::ShowWaf, "WAF: rule groups, top blocked, samples", "WAF"),
    bind!(S::Everywhere, [c('e')], "e", A::ShowEvents, "service events and deployments", "events"),
    bind!(S::Everywhere, [c('R')], "R", A::Redeploy, "force a new deployment (asks first)", "redeploy"),
    bind!(S::Everywhere, [c('B')], "B", A::Rollback, "roll back to the last completed revision", "rollback"),
    bind!(S::Everywhere, [c('W')], "W", A::Warm, "re-run warming on every running task", "warm"),
    bind!(S::Everywhere, [c('a')], "a", A::ShowProgress, "the last action's rollout or warming", ""),
    bind!(S::Everywhere, [c('S')], "S", A::ShowSites, "every configured site (fleet)", "sites"),
    bind!(S::Everywhere, [c('f')], "f", A::ShowFindings, "findings: what is wrong and what to do", "findings"),
    bind!(S::Everywhere, [c('H')], "H", A::ShowTimeline, "timeline of the window: events, deploys, tasks, peaks", ""),
    bind!(S::Everywhere, [c('m')], "m", A::ShowMetrics, "metrics over the window (sparklines)", ""),
    bind!(S::Everywhere, [c('T')], "T", A::ToggleUtc, "times in UTC / in this machine's zone", ""),
    bind!(S::Timeline, [k(KeyCode::Enter)], "Enter", A::OpenEntry, "move the window to the selected entry", "go there"),
    bind!(S::Findings, [k(KeyCode::Enter)], "Enter", A::OpenFinding, "open the finding's action (asks first)", "act"),
    bind!(
        S::Waf,
        [k(KeyCode::Enter)],
        "Enter",
        A::OpenSample,
        "open the selected sampled request (j/k pick one)",
        "request"
    ),
    bind!(S::Overview, [k(KeyCode::Enter)], "Enter", A::OpenTask, "open the selected task", "task"),
    bind!(S::Sites, [k(KeyCode::Enter)], "Enter", A::OpenSite, "open the selected site's console", "open site"),
    bind!(S::Overview, [c('X')], "X", A::ReplaceTask, "replace the selected task (StopTask)", "replace"),
    // `o` is the overview itself elsewhere; here it orders its tasks.
    bind!(S::Overview, [c('o')], "o", A::SortTasks, "sort tasks: id, problem, status, age, AZ, revision", ""),
    bind!(S::Overview, [c('p')], "p", A::ToggleProblems, "only the tasks with a problem / all tasks", ""),
    // `/` filters what the screen lists: the overview's tasks, the Logs screen's lines (whose
    // filter the overview's log pane follows too).
    bind!(S::Overview, [c('/')], "/", A::FilterTasks, "filter tasks by id, IP, AZ, status or revision", "filter"),
    bind!(S::Logs, [c('/')], "/", A::Filter, "filter log lines (regex)", "filter"),
    bind!(S::TaskDetail, [c('t')], "t", A::ToggleTaskScope, "follow this task's logs only / all tasks", ""),
    bind!(S::TaskDetail, [c('X')], "X", A::ReplaceTask, "replace this task (StopTask)", "replace"),
    bind!(S::Logs, [c(' '), c('f')], "space/f", A::ToggleFollow, "follow or pause (new lines keep arriving)", "follow"),
    bind!(S::Logs, [c('L')], "L", A::ToggleLiveTail, "follow with CloudWatch Live Tail (billed per minute) / poll", ""),
    bind!(S::Logs, [c('t')], "t", A::ToggleTaskScope, "the selected task only / all tasks", "task"),
    bind!(S::Logs, [c('1')], "1", A::ToggleNginx, "show or hide nginx", ""),
    bind!(S::Logs, [c('2')], "2", A::TogglePhpFpm, "show or hide php-fpm", ""),
    bind!(S::Logs, [c('3')], "3", A::ToggleWarmer, "show or hide the warmer", ""),
    bind!(S::Logs, [c('s')], "s", A::Search, "search (regex, highlighted)", "search"),
    bind!(S::Logs, [c('n')], "n", A::SearchNext, "next search hit (newer)", "next"),
    bind!(S::Logs, [c('N')], "N", A::SearchPrev, "previous search hit (older)", ""),
    bind!(S::Logs, [c('w')], "w", A::ToggleWrap, "wrap long lines", "wrap"),
    bind!(S::Logs, [c('T')], "T", A::ToggleTimestamps, "show or hide timestamps", ""),
    bind!(S::Help, [k(KeyCode::Esc), k(KeyCode::Enter), c('?')], "Esc/?", A::Help, "close this help", ""),
    bind!(S::Help, [c('q'), INTERRUPT], "q", A::Quit, "quit", ""),
    bind!(S::Help, [c('j'), k(KeyCode::Down)], "j/↓", A::Down, "scroll this help down", ""),
    bind!(S::Help, [c('k'), k(KeyCode::Up)], "k/↑", A::Up, "scroll this help up", ""),
    bind!(S::Help, [k(KeyCode::PageDown), c(' '), Key::ctrl('d')], "PgDn", A::PageDown, "a page down", ""),
    bind!(S::Help, [k(KeyCode::PageUp), Key::ctrl('u')], "PgUp", A::PageUp, "a page up", ""),
    bind!(S::Help, [c('g'), k(KeyCode::Home)], "g", A::Top, "the top of this help", ""),
    bind!(S::Help, [c('G'), k(KeyCode::End)], "G", A::Bottom, "the end of this help", ""),
    bind!(S::Help, [c('/')], "/", A::Search, "find words in this help (Enter, then n for the next)", ""),
    bind!(S::Help, [c('n')], "n", A::SearchNext, "the next place the words are found", ""),
    // Enter alone never confirms a mutation: it is also "open task", and a double Enter redeployed.
    bind!(S::Dialog, [c('y')], "y", A::Confirm, "confirm: carry out the action", "confirm"),
    bind!(S::Dialog, [k(KeyCode::Enter)], "Enter", A::SubmitTyped, "confirm the typed service name", "confirm"),
    bind!(S::Dialog, [c('n')], "n", A::Decline, "no: close it, nothing is sent", "cancel"),
    bind!(S::Dialog, [k(KeyCode::Esc)], "Esc", A::Cancel, "close it at any time, nothing is sent", "cancel"),
    bind!(S::Dialog, [c('F')], "F", A::Force, "start anyway over a deployment rolling out", "start anyway"),
    bind!(S::Dialog, [k(KeyCode::Enter), c('q')], "Enter", A::Dismiss, "close it when it cannot be confirmed", "close"),
];

/// One command of the `:` line.
#[derive(Debug, Clone, Copy)]
pub struct Command {
    /// Its name and aliases.
    pub names: &'static [&'static str],
    /// What it does, for help.
    pub help: &'static str,
    pub action: Action,
}

const fn cmd(names: &'static [&'static str], help: &'static str, action: Action) -> Command {
    Command { names, help, action }
}

/// The commands of the `:` line, in help order.
pub const COMMANDS: &[Command] = &[
    cmd(&["overview", "tasks", "o"], "the overview", A::ShowOverview),
    cmd(&["logs", "l"], "logs, full screen", A::ShowLogs),
    cmd(&["waf", "w"], "the WAF screen", A::ShowWaf),
    cmd(&["events", "e"], "service events and deployments", A::ShowEvents),
    cmd(&["findings", "f"], "what is wrong, with evidence and what to do", A::ShowFindings),
    cmd(&["help", "h"], "this help", A::Help),
    cmd(&["quit", "q"], "quit", A::Quit),
    cmd(&["rollout"], "the last rollout wpops started", A::ShowRollout),
    cmd(&["warming"], "the last warming run, per task", A::ShowWarming),
    cmd(&["sites", "fleet"], "every configured site (Enter opens one)", A::ShowSites),
    cmd(&["report"], "the window's incident report, to a file", A::WriteReport),
    cmd(&["since", "at"], "since 2h · at 09:10 [09:40]: a window in the past", A::SetWindow),
    cmd(&["live"], "back to live", A::GoLive),
    cmd(&["timeline"], "the window's timeline", A::ShowTimeline),
];

/// The action bound to `key` in `scope`: a screen's own bindings first, then the global ones;
/// an overlay's own bindings only.
pub fn action_for(scope: KeyScope, key: Key) -> Option<Action> {
    let hit = |b: &&Binding| b.keys.contains(&key);
    let own = BINDINGS.iter().filter(|b| b.scope == scope).find(hit);
    let global = || BINDINGS.iter().filter(|b| b.scope == KeyScope::Everywhere && !scope.is_overlay()).find(hit);
    own.or_else(global).map(|b| b.action)
}

/// The action among `allowed` bound to `key` in `scope`'s own bindings (the dialog's keys in
/// one stage of it).
pub fn action_among(scope: KeyScope, allowed: &[Action], key: Key) -> Option<Action> {
    BINDINGS.iter().find(|b| b.scope == scope && allowed.contains(&b.action) && b.keys.contains(&key)).map(|b| b.action)
}

/// The first binding of `action` in `scope`'s own bindings.
pub fn binding_of(scope: KeyScope, action: Action) -> Option<&'static Binding> {
    BINDINGS.iter().find(|b| b.scope == scope && b.action == action)
}

/// How the keys of `action` in `scope` read (`y/Enter`); empty when it has none there.
pub fn label_of(scope: KeyScope, action: Action) -> &'static str {
    binding_of(scope, action).map_or("", |b| b.label)
}

/// The bindings that apply in a scope, its own first, then the global ones they do not shadow
/// (none for an overlay).
pub fn bindings_for(scope: KeyScope) -> Vec<&'static Binding> {
    let own: Vec<&Binding> = BINDINGS.iter().filter(|b| b.scope == scope && scope != KeyScope::Everywhere).collect();
    let shadowed = |g: &Binding| own.iter().any(|o| o.keys.iter().any(|k| g.keys.contains(k)));
    let global = BINDINGS.iter().filter(|b| b.scope == KeyScope::Everywhere && !scope.is_overlay() && !shadowed(b));
    own.iter().copied().chain(global).collect()
}

/// The footer of a screen: `(keys, word)` for the bindings marked for it, screen ones first;
/// a read-only site is not offered the actions that change it.
pub fn footer_for(scope: KeyScope, read_only: bool) -> Vec<(&'static str, &'static str)> {
    bindings_for(scope)
        .into_iter()
        .filter(|b| !b.footer.is_empty())
        .filter(|b| !read_only || !b.action.is_mutating())
        .map(|b| (b.label, b.footer))
        .collect()
}

/// The action a `:` command names, if any (`None` for an unknown command).
pub fn command_action(command: &str) -> Option<Action> {
    let word = command.trim().trim_start_matches(':').trim();
    COMMANDS.iter().find(|c| c.names.iter().any(|n| n.eq_ignore_ascii_case(word))).map(|c| c.action)
}

#[cfg(test)]
mod tests;
