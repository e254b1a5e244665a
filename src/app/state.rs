//! The console's state: what each feed last delivered (with its age and error), which screen
//! and overlay are open, the selection, the log view and the warm reports. Small read-only
//! helpers the screens share live here; changing state is `update`'s job. No IO, no clock.

use std::collections::HashMap;

use crate::model::{
    CallerIdentity, FetchError, FoundReport, PlatformMetrics, ServiceSnapshot, StoppedGroup, TargetHealth, Task,
    WafSnapshot, WarmerVerdict, group_stopped, target_for_task,
};

use super::keymap::KeyScope;
use super::logview::LogView;
use super::msg::{LogScope, SiteInfo};
use super::opstate::OpsState;

/// Data older than this reads as stale even without an error.
pub const STALE_AFTER_MS: i64 = 30_000;

/// The screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    Overview,
    TaskDetail,
    Logs,
    Waf,
    Events,
    /// A redeploy, rollback or task replacement followed to its end.
    Rollout,
    /// A warming run's results per target.
    Warming,
    /// Every configured site in one table.
    Sites,
}

impl Screen {
    /// The key table's scope for this screen.
    pub fn key_scope(self) -> KeyScope {
        match self {
            Screen::Overview => KeyScope::Overview,
            Screen::TaskDetail => KeyScope::TaskDetail,
            Screen::Logs => KeyScope::Logs,
            Screen::Waf => KeyScope::Waf,
            Screen::Events => KeyScope::Events,
            Screen::Rollout | Screen::Warming => KeyScope::Progress,
            Screen::Sites => KeyScope::Sites,
        }
    }
}

/// A line being typed at the bottom of the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    None,
    Command(String),
    Filter(String),
    Search(String),
}

/// A one-line message in the footer (an unknown command, a bad regex, "no more hits").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub error: bool,
}

/// What one feed last delivered: the data, when, and the error since, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel<T> {
    pub data: Option<T>,
    /// When the data (or the last error) arrived.
    pub at_ms: Option<i64>,
    pub error: Option<FetchError>,
    /// When the feed tries again after this error (the state's clock), so the panel counts down.
    pub retry_at_ms: Option<i64>,
}

impl<T> Default for Panel<T> {
    fn default() -> Self {
        Panel { data: None, at_ms: None, error: None, retry_at_ms: None }
    }
}

impl<T> Panel<T> {
    /// A good result: replaces the data, clears the error.
    pub fn set(&mut self, at_ms: i64, data: T) {
        self.data = Some(data);
        self.at_ms = Some(at_ms);
        self.error = None;
        self.retry_at_ms = None;
    }

    /// A failed fetch: the last good data stays, marked stale by the error.
    pub fn fail(&mut self, error: FetchError) {
        self.error = Some(error);
    }

    /// How old the data is.
    pub fn age_ms(&self, now_ms: i64) -> Option<i64> {
        self.at_ms.map(|at| now_ms.saturating_sub(at).max(0))
    }

    /// True when the data cannot be trusted as current.
    pub fn is_stale(&self, now_ms: i64) -> bool {
        self.error.is_some() || self.age_ms(now_ms).is_some_and(|a| a > STALE_AFTER_MS)
    }

    /// Before the first result (and no error yet): "loading…".
    pub fn is_loading(&self) -> bool {
        self.data.is_none() && self.error.is_none()
    }
}

/// One selectable row of the overview's task table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A running or starting task, by index in the snapshot.
    Task(usize),
    /// A group of stopped tasks, by index in `State::stopped`.
    Stopped(usize),
}

/// Everything the console shows.
#[derive(Debug, Clone)]
pub struct State {
    pub site: SiteInfo,
    pub now_ms: i64,
    /// Something visible changed since the last frame; the terminal loop clears it after drawing.
    pub dirty: bool,
    pub(super) quit: bool,
    pub screen: Screen,
    /// Where `Esc` goes back to.
    pub back: Vec<Screen>,
    pub help: bool,
    pub input: Input,
    pub flash: Option<Flash>,
    pub caller: Option<Result<CallerIdentity, FetchError>>,
    pub service: Panel<ServiceSnapshot>,
    /// Stopped tasks grouped by reason, newest group first (computed when the snapshot arrives).
    pub stopped: Vec<StoppedGroup>,
    pub waf: Panel<WafSnapshot>,
    pub platform: Panel<PlatformMetrics>,
    /// The log feed's health (its data lives in `logs`).
    pub log_feed: Panel<()>,
    pub logs: LogView,
    /// Which log streams the tailer follows; `generation` tags the lines that belong to it.
    pub log_scope: LogScope,
    pub reports: HashMap<String, FoundReport>,
    /// The selected row of the overview's task table.
    pub selected: usize,
    /// The task the detail screen shows (its id).
    pub detail_task: Option<String>,
    /// Scroll offsets of the events and WAF screens (lines from the top).
    pub events_scroll: usize,
    pub waf_scroll: usize,
    /// Scroll offset of the rollout view's events (lines from the newest).
    pub rollout_scroll: usize,
    /// The operator's actions: the confirm dialog, what is in flight, what the views follow.
    pub ops: OpsState,
    /// The fleet view: when it was read, and one row per configured site.
    pub fleet: Option<(i64, Vec<crate::model::FleetRow>)>,
    pub fleet_selected: usize,
    /// The terminal's size, as last reported (for page sizes).
    pub size: (u16, u16),
    pub(super) polling_fast: bool,
}

impl State {
    pub fn new(site: SiteInfo, now_ms: i64) -> State {
        State {
            site,
            now_ms,
            dirty: true,
            quit: false,
            screen: Screen::Overview,
            back: Vec::new(),
            help: false,
            input: Input::None,
            flash: None,
            caller: None,
            service: Panel::default(),
            stopped: Vec::new(),
            waf: Panel::default(),
            platform: Panel::default(),
            log_feed: Panel::default(),
            logs: LogView::default(),
            log_scope: LogScope { containers: Vec::new(), task: None, generation: 0 },
            reports: HashMap::new(),
            selected: 0,
            detail_task: None,
            events_scroll: 0,
            waf_scroll: 0,
            rollout_scroll: 0,
            ops: OpsState::default(),
            fleet: None,
            fleet_selected: 0,
            size: (80, 24),
            polling_fast: false,
        }
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// The tasks of the last snapshot (running first, then stopped).
    pub fn tasks(&self) -> &[Task] {
        self.service.data.as_ref().map_or(&[], |s| s.tasks.as_slice())
    }

    pub fn targets(&self) -> &[TargetHealth] {
        self.service.data.as_ref().map_or(&[], |s| s.targets.as_slice())
    }

    /// The overview's rows: tasks not stopped, then one row per group of stopped tasks.
    pub fn rows(&self) -> Vec<Row> {
        let tasks = self.tasks().iter().enumerate().filter(|(_, t)| !t.is_stopped()).map(|(i, _)| Row::Task(i));
        tasks.chain((0..self.stopped.len()).map(Row::Stopped)).collect()
    }

    /// The task id a row stands for (a stopped group: its newest task).
    pub fn row_task_id(&self, row: Row) -> Option<&str> {
        match row {
            Row::Task(i) => self.tasks().get(i).map(|t| t.id.as_str()),
            Row::Stopped(g) => self.stopped.get(g).and_then(|g| g.task_ids.first()).map(String::as_str),
        }
    }

    /// The task under the overview's selection.
    pub fn selected_task(&self) -> Option<&Task> {
        let row = *self.rows().get(self.selected)?;
        let id = self.row_task_id(row)?;
        self.task(id)
    }

    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks().iter().find(|t| t.id == id)
    }

    /// The task the detail screen shows.
    pub fn detail(&self) -> Option<&Task> {
        self.detail_task.as_deref().and_then(|id| self.task(id))
    }

    pub fn target_of(&self, task: &Task) -> Option<&TargetHealth> {
        target_for_task(self.targets(), task)
    }

    /// The warmer verdict of a task by the PRODUCT.md health rule.
    pub fn warmer_verdict(&self, task: &Task) -> WarmerVerdict {
        let report = self.reports.get(&task.id).map(|r| r.report);
        task.warmer_verdict(report, self.now_ms, self.site.warm_limit_ms)
    }

    /// Warming time: the report's timestamp minus the task's startedAt.
    pub fn warming_ms(&self, task: &Task) -> Option<i64> {
        let report = self.reports.get(&task.id)?;
        crate::model::warming_duration_ms(report.at_ms, task.started_at_ms?)
    }

    pub(super) fn regroup_stopped(&mut self) {
        self.stopped = group_stopped(self.tasks());
    }
}
