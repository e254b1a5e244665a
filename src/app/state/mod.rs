//! The console's state, grouped as the operator sees it: where they are (`nav`: screen, back
//! stack, overlays, typed line, flash, selection, scrolls), what each feed last delivered
//! (`feeds`, each with its age and error), the per-screen views (`logs`, `fleet`) and the
//! operator's actions (`ops`). Small read-only helpers the screens share live here, with the two
//! moves every reducer makes (`go`, `flash`); changing state otherwise is `update`'s job. No IO,
//! no clock.

use std::collections::HashMap;

use crate::model::findings::{Assessment, RuntimeInputs, assess};
use crate::model::{
    CallerIdentity, FetchError, FleetRow, FoundReport, HealthRules, PlatformMetrics, Replacing, ReportLookup,
    ServiceSnapshot, StoppedGroup, TailHealth, TargetHealth, Task, WafSnapshot, WarmEvidence, WarmerVerdict,
    group_stopped, sanitize_line, target_for_task,
};

use super::msg::{LogScope, SiteInfo};
use super::ops::{Op, OpsState};

mod confirm;
pub mod logview;
mod nav;
mod panel;
mod task_log;
pub mod window;

pub use confirm::Rolling;
pub use logview::LogView;
pub use nav::{Flash, Input, Nav, Row, Screen, Scroll, TaskSort};
pub use panel::{Panel, STALE_AFTER_MS};
pub use task_log::TaskLogView;
pub use window::{WindowRead, WindowView};

/// How many screens `Esc` can go back.
const BACK_DEPTH: usize = 8;

/// What each feed last delivered, with its age and error.
#[derive(Debug, Clone)]
pub struct Feeds {
    /// Who the console acts as (STS), once asked.
    pub caller: Option<Result<CallerIdentity, FetchError>>,
    pub service: Panel<ServiceSnapshot>,
    /// Stopped tasks grouped by reason, newest group first (computed when the snapshot arrives).
    pub stopped: Vec<StoppedGroup>,
    pub waf: Panel<WafSnapshot>,
    pub platform: Panel<PlatformMetrics>,
    /// The log feed's health (its lines live in `State::logs`).
    pub logs: Panel<()>,
    /// How the log tail keeps up (behind, skipped, late lines) for the current scope.
    pub tail: TailHealth,
    /// The in-task warmer's report of each task (the first after it started), by task id.
    pub reports: HashMap<String, FoundReport>,
    /// Where the report lookup stands for tasks without a report, by task id.
    pub report_lookups: HashMap<String, ReportLookup>,
    /// Follow logs with Live Tail (`L`; `--live-tail` at the start).
    pub live_tail: bool,
    /// Whether a logs pane was on screen when the log feed was last told.
    pub logs_shown: bool,
}

impl Default for Feeds {
    fn default() -> Self {
        Feeds {
            caller: None,
            service: Panel::of(crate::app::Feed::Service),
            stopped: Vec::new(),
            waf: Panel::of(crate::app::Feed::Waf),
            platform: Panel::of(crate::app::Feed::Platform),
            logs: Panel::of(crate::app::Feed::Logs),
            tail: TailHealth::default(),
            reports: HashMap::new(),
            report_lookups: HashMap::new(),
            live_tail: false,
            logs_shown: true,
        }
    }
}

/// The fleet view: when it was read, one row per configured site, and the selection.
#[derive(Debug, Clone, Default)]
pub struct FleetView {
    pub rows: Option<(i64, Vec<FleetRow>)>,
    pub selected: usize,
}

/// Everything the console shows.
#[derive(Debug, Clone)]
pub struct State {
    pub site: SiteInfo,
    pub now_ms: i64,
    /// Something visible changed since the last frame; the terminal loop clears it after drawing.
    pub dirty: bool,
    pub(super) quit: bool,
    pub nav: Nav,
    pub feeds: Feeds,
    /// The log view (the logs screen and the overview's pane).
    pub logs: LogView,
    /// Which log streams the tailer follows; `generation` tags the lines that belong to it.
    pub log_scope: LogScope,
    pub fleet: FleetView,
    /// The task detail's whole-life log.
    pub task_log: TaskLogView,
    /// The time window shown (live or fixed) and what was read over it.
    pub window: WindowView,
    /// The operator's actions: the confirm dialog, what is in flight, what the views follow.
    pub ops: OpsState,
    pub(super) polling_fast: bool,
}

impl State {
    pub fn new(site: SiteInfo, now_ms: i64) -> State {
        let live_tail = site.live_tail;
        let clock = site.clock;
        State {
            site,
            now_ms,
            dirty: true,
            quit: false,
            nav: Nav {
                screen: Screen::Overview,
                back: Vec::new(),
                help: false,
                help_top: 0,
                help_find: None,
                input: Input::None,
                flash: None,
                selected: 0,
                task_sort: TaskSort::Id,
                problems_only: false,
                task_filter: None,
                detail_task: None,
                scroll: Scroll::default(),
                size: (80, 24),
            },
            feeds: Feeds { live_tail, ..Feeds::default() },
            logs: LogView::default(),
            log_scope: LogScope { containers: Vec::new(), task: None, generation: 0 },
            fleet: FleetView::default(),
            task_log: TaskLogView::default(),
            window: WindowView { clock, ..WindowView::default() },
            ops: OpsState::default(),
            polling_fast: false,
        }
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// A fixed window's facts, once read: what the tasks, their groups and warmers show.
    pub fn past(&self) -> Option<&crate::model::window::WindowFacts> {
        if self.window.window.is_live() { None } else { self.window.facts() }
    }

    /// The tasks shown: over a fixed window once read, the window's as they stood at its end
    /// (with those ECS forgot, rebuilt from their logs); else the last snapshot's (running
    /// first, then stopped).
    pub fn tasks(&self) -> &[Task] {
        match self.past() {
            Some(f) => &f.tasks,
            None => self.feeds.service.data.as_ref().map_or(&[], |s| s.tasks.as_slice()),
        }
    }

    /// The time the tasks shown stand at: a fixed window's end once read, else now.
    pub fn tasks_at_ms(&self) -> i64 {
        self.past().map_or(self.now_ms, |f| f.to_ms.min(self.now_ms))
    }

    /// The stopped tasks shown, grouped by reason: the window's, or the last snapshot's.
    pub fn stopped_groups(&self) -> &[StoppedGroup] {
        match self.past() {
            Some(f) => &f.stopped,
            None => &self.feeds.stopped,
        }
    }

    /// The tasks shown are a window's that ended more than two minutes ago: how their targets
    /// stood then is not known.
    pub fn targets_unknown(&self) -> bool {
        self.past().is_some_and(|f| f.to_ms < self.now_ms - 120_000)
    }

    /// The load balancer's targets now; none when `targets_unknown`.
    pub fn targets(&self) -> &[TargetHealth] {
        if self.targets_unknown() {
            return &[];
        }
        self.feeds.service.data.as_ref().map_or(&[], |s| s.targets.as_slice())
    }

    /// A task's warm report: the window's read, else the live lookups'.
    pub fn report_of(&self, task_id: &str) -> Option<&FoundReport> {
        self.past().and_then(|f| f.reports.get(task_id)).or_else(|| self.feeds.reports.get(task_id))
    }

    /// The overview's rows: tasks not stopped (in the chosen order; only those with a problem
    /// when asked), then one row per group of stopped tasks.
    pub fn rows(&self) -> Vec<Row> {
        let tasks = self.tasks();
        let mut shown: Vec<usize> = (0..tasks.len())
            .filter(|&i| !tasks[i].is_stopped() && (!self.nav.problems_only || self.has_problem(&tasks[i])))
            .filter(|&i| self.nav.task_filter.as_deref().is_none_or(|f| self.task_matches(&tasks[i], f)))
            .collect();
        match self.nav.task_sort {
            TaskSort::Id => {}
            TaskSort::Problem => shown.sort_by_key(|&i| !self.has_problem(&tasks[i])),
            // Those not running yet or any more first, then RUNNING.
            TaskSort::Status => shown.sort_by_key(|&i| (tasks[i].is_running(), tasks[i].last_status.as_str())),
            TaskSort::Age => shown.sort_by_key(|&i| std::cmp::Reverse(tasks[i].started_at_ms.unwrap_or(i64::MAX))),
            TaskSort::Az => shown.sort_by(|&a, &b| tasks[a].az.cmp(&tasks[b].az)),
            TaskSort::Revision => shown.sort_by_key(|&i| std::cmp::Reverse(tasks[i].revision)),
        }
        // Stopped groups are problems by nature: they stay in every view but a filter's, which
        // keeps those whose reason or tasks match it.
        let stopped = self.stopped_groups();
        let groups = (0..stopped.len()).filter(|&g| {
            self.nav.task_filter.as_deref().is_none_or(|f| {
                let group = &stopped[g];
                let f = f.to_lowercase();
                group.reason.to_lowercase().contains(&f) || group.task_ids.iter().any(|id| id.contains(&f))
            })
        });
        shown.into_iter().map(Row::Task).chain(groups.map(Row::Stopped)).collect()
    }

    /// Whether a task's id, IP, AZ, status, health, revision (`42` or `wordpress:42`) or its
    /// target's state contain `words` (case-insensitive).
    pub fn task_matches(&self, task: &Task, words: &str) -> bool {
        let words = words.trim().to_lowercase();
        if words.is_empty() {
            return true;
        }
        let target = self.target_of(task).map(|t| t.state.to_string()).unwrap_or_default();
        let fields = [
            task.id.to_string(),
            task.private_ip.clone().unwrap_or_default(),
            task.az.clone(),
            task.last_status.as_str().to_owned(),
            task.health.as_str().to_owned(),
            task.task_definition.short().to_owned(),
            target,
        ];
        fields.iter().any(|f| f.to_lowercase().contains(&words))
    }

    /// A task worth a look: not running, unhealthy, its target unhealthy, or its warmer stands out.
    pub fn has_problem(&self, task: &Task) -> bool {
        !task.is_running()
            || task.health == crate::model::Health::Unhealthy
            || self.target_of(task).is_some_and(TargetHealth::is_unhealthy)
            || self.warmer_verdict(task).stands_out()
    }

    /// Keeps `id`'s row selected after the rows changed (a refresh, a new order, a filter);
    /// the nearest row when it is gone.
    pub fn reselect(&mut self, id: Option<String>) {
        let rows = self.rows();
        let found = id.and_then(|id| rows.iter().position(|r| self.row_task_id(*r) == Some(id.as_str())));
        self.nav.selected = found.unwrap_or(self.nav.selected).min(rows.len().saturating_sub(1));
    }

    /// The id of the selected row's task.
    pub fn selected_id(&self) -> Option<String> {
        let row = *self.rows().get(self.nav.selected)?;
        self.row_task_id(row).map(str::to_owned)
    }

    /// The task id a row stands for (a stopped group: its newest task).
    pub fn row_task_id(&self, row: Row) -> Option<&str> {
        match row {
            Row::Task(i) => self.tasks().get(i).map(|t| t.id.as_str()),
            Row::Stopped(g) => self.stopped_groups().get(g).and_then(|g| g.task_ids.first()).map(String::as_str),
        }
    }

    /// The task under the overview's selection.
    pub fn selected_task(&self) -> Option<&Task> {
        let row = *self.rows().get(self.nav.selected)?;
        let id = self.row_task_id(row)?;
        self.task(id)
    }

    /// A task as the last snapshot lists it (ECS's present, whatever window is shown).
    pub fn live_task(&self, id: &str) -> Option<&Task> {
        self.feeds.service.data.as_ref().and_then(|s| s.tasks.iter().find(|t| t.id == id))
    }

    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks().iter().find(|t| t.id == id)
    }

    /// The task the detail screen shows.
    pub fn detail(&self) -> Option<&Task> {
        self.nav.detail_task.as_deref().and_then(|id| self.task(id))
    }

    pub fn target_of(&self, task: &Task) -> Option<&TargetHealth> {
        target_for_task(self.targets(), task)
    }

    /// What a task's warm state is judged on besides ECS: its report lookup and newest re-warm.
    pub fn warm_evidence(&self, task_id: &str) -> WarmEvidence<'_> {
        WarmEvidence {
            report: self.report_of(task_id),
            lookup: self.past().and_then(|f| f.lookups.get(task_id)).or_else(|| self.feeds.report_lookups.get(task_id)),
            rewarm: self.ops.rewarmed.get(task_id),
        }
    }

    /// The runtime findings and the verdict over what the feeds have delivered so far (none
    /// before the service is read); data still loading or unreadable is named in `lacking`.
    pub fn assessment(&self) -> Option<Assessment> {
        let snap = self.feeds.service.data.as_ref()?;
        fn input<T>(p: &Panel<T>) -> Result<&T, String> {
            match (&p.data, &p.error) {
                (Some(d), _) => Ok(d),
                (None, Some(e)) => Err(format!("unreadable: {}", e.operation)),
                (None, None) => Err("loading".to_owned()),
            }
        }
        let waf = match input(&self.feeds.waf) {
            Ok(w) => Some(Ok(w)),
            // The poller sends no WAF picture where no web ACL protects the load balancer.
            Err(_) if self.feeds.waf.error.is_none() && self.feeds.platform.data.is_some() => None,
            Err(_) if snap.service.target_groups.is_empty() => None,
            Err(why) => Some(Err(why)),
        };
        let logs = match (&self.feeds.logs.error, self.feeds.logs.at_ms) {
            (_, Some(_)) => Ok(self.logs.signals()),
            (Some(e), None) => Err(format!("unreadable: {}", e.operation)),
            (None, None) => Err("loading".to_owned()),
        };
        let evidence = |id: &str| self.warm_evidence(id);
        let replacing = self.replacing();
        let inputs = RuntimeInputs {
            snapshot: snap,
            platform: input(&self.feeds.platform),
            waf,
            logs,
            evidence_for: &evidence,
            replacing: replacing.as_ref(),
            rollback_to: None,
            now_ms: self.now_ms,
            rules: HealthRules { warm_limit_ms: self.site.warm_limit_ms, ..HealthRules::default() },
            past_window: false,
        };
        Some(assess(&inputs))
    }

    /// The WAF panel shown: the window's over a fixed window, else the poller's.
    pub fn waf_panel(&self) -> &Panel<WafSnapshot> {
        match (&self.window.waf, self.window.window.is_live()) {
            (Some(p), false) => p,
            _ => &self.feeds.waf,
        }
    }

    /// The task replacement started from this console that has not ended yet, if any.
    pub fn replacing(&self) -> Option<Replacing> {
        let run = &self.ops.rollout.as_ref()?.run;
        match &run.op {
            Op::ReplaceTask { task_id } if run.outcome.is_none() => {
                Some(Replacing { task_id: task_id.clone(), since_ms: run.started_at_ms })
            }
            _ => None,
        }
    }

    /// The warmer verdict of a task by the PRODUCT.md health rule (the newest of its in-task
    /// warmer and any re-warm).
    pub fn warmer_verdict(&self, task: &Task) -> WarmerVerdict {
        task.warmer_verdict(self.warm_evidence(task.id.as_str()), self.tasks_at_ms(), self.site.warm_limit_ms)
    }

    /// Warming time: the report's timestamp minus the task's startedAt.
    pub fn warming_ms(&self, task: &Task) -> Option<i64> {
        let report = self.report_of(task.id.as_str())?;
        crate::model::warming_duration_ms(report.at_ms, task.started_at_ms?)
    }

    pub(super) fn regroup_stopped(&mut self) {
        self.feeds.stopped = group_stopped(self.tasks());
    }

    /// Opens `screen`, remembering where `Esc` goes back to (the overview forgets the way).
    pub fn go(&mut self, screen: Screen) {
        if screen == Screen::Overview {
            self.nav.back.clear();
        } else if self.nav.screen != screen {
            self.nav.back.push(self.nav.screen);
            self.nav.back.truncate(BACK_DEPTH);
        }
        self.nav.screen = screen;
    }

    /// Shows a one-line message in the footer (sanitised: it may quote what was typed).
    pub fn flash(&mut self, text: impl Into<String>, error: bool) {
        self.nav.flash = Some(Flash { text: sanitize_line(&text.into()), error });
    }
}
