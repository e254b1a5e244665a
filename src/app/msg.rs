//! The one channel's vocabulary: every `Msg` that reaches `update` (keys, ticks, feed results)
//! and every `Effect` that `update` asks the runtime to carry out. Payloads are owned `model`
//! values; feed results carry the generation they were asked for so stale ones can be dropped.

use crate::model::{
    CallerIdentity, FetchError, FoundReport, LogEvent, PlatformMetrics, ReportLookup, ServiceSnapshot, WafSnapshot,
};

use super::key::Key;

/// Which site the console shows (the header names all of it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteInfo {
    /// The config's site name, or `cluster/service`.
    pub name: String,
    pub region: String,
    pub cluster: String,
    pub service: String,
    pub profile: Option<String>,
    pub read_only: bool,
    /// Running against the embedded simulator.
    pub demo: bool,
    /// A warmer that has not finished this long after its task started stands out.
    pub warm_limit_ms: i64,
    /// Production-like site (config `confirm = "type-name"`): confirming an action requires
    /// typing the service name.
    pub confirm_by_typing: bool,
    /// Opened from the fleet view (Enter on a site): Esc from the overview returns there.
    pub from_fleet: bool,
    /// Follow logs with Live Tail from the start (`--live-tail`, config `live_tail = true`).
    pub live_tail: bool,
    /// How times read (the operator's zone, or UTC), and the window to open with (`--since`,
    /// `--from`/`--to`; live by default).
    pub clock: crate::model::window::Clock,
    pub window: crate::model::window::TimeWindow,
}

/// Which feed a result or a refresh request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feed {
    Service,
    Logs,
    Waf,
    Platform,
}

impl Feed {
    /// The longest its feed waits between two reads when all is well (the ECS feed polls
    /// faster during a rollout or after a change, the log feed about every second): how old
    /// its data gets before a refresh is due. The feeds poll by it; panels judge staleness by it.
    pub const fn idle_every_ms(self) -> i64 {
        match self {
            Feed::Service => 30_000,
            Feed::Logs => 1_000,
            Feed::Waf | Feed::Platform => 60_000,
        }
    }
}

/// Everything `update` reacts to.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// Time passes (about once a second, and before each frame): `now` in epoch ms.
    Tick(i64),
    Key(Key),
    Resize(u16, u16),
    /// Results of the feeds, each stamped with when the fetch completed.
    Service {
        at_ms: i64,
        result: Result<Box<ServiceSnapshot>, FetchError>,
    },
    /// A good poll of the log tailer: its new lines (already sanitised and split), oldest
    /// first, without duplicates; none when nothing new was written.
    Logs {
        at_ms: i64,
        generation: u64,
        events: Vec<LogEvent>,
    },
    /// How the log tail keeps up (sent when it changes): behind, skipped, late lines.
    LogTail {
        generation: u64,
        tail: Box<crate::model::TailHealth>,
    },
    LogsFailed {
        at_ms: i64,
        generation: u64,
        error: FetchError,
    },
    /// Reports found, and where the lookup stands for tasks still without one.
    WarmReports {
        found: Vec<FoundReport>,
        lookups: Vec<(String, ReportLookup)>,
    },
    Waf {
        at_ms: i64,
        result: Result<Box<WafSnapshot>, FetchError>,
    },
    Platform {
        at_ms: i64,
        result: Result<Box<PlatformMetrics>, FetchError>,
    },
    Caller(Result<CallerIdentity, FetchError>),
    /// A feed is retrying after an error or throttling: `retry_in_ms` after `at_ms` (when the
    /// feed decided) comes the next attempt.
    Backoff {
        feed: Feed,
        at_ms: i64,
        retry_in_ms: u64,
    },
    /// Previews, progress and outcomes of the operator's actions (`Effect::Preview`/`Effect::Run`).
    Op(super::ops::OpEvent),
    /// A task's whole-life log (`Effect::LoadTaskLog`).
    TaskLog {
        task_id: String,
        result: Result<Box<crate::model::TaskLog>, FetchError>,
    },
    /// The incident report was written (its path), or why not (`Effect::WriteReport`).
    ReportWritten(Result<String, String>),
    /// What was read over the window `generation` asked for (`Effect::ReadWindow`).
    Window {
        generation: u64,
        result: Result<Box<crate::model::window::WindowFacts>, FetchError>,
    },
    /// The next slice of the window's lines (older than those before it, oldest first), or why
    /// loading stopped (`Effect::LoadWindowLogs`).
    WindowLogs {
        generation: u64,
        result: Result<(Vec<LogEvent>, crate::model::window::WindowProgress), FetchError>,
    },
    /// Every configured site, one row each (the fleet view).
    Fleet {
        at_ms: i64,
        rows: Vec<crate::model::FleetRow>,
    },
}

/// Which log streams the tailer follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogScope {
    /// Container names (`nginx`, `php-fpm`, `warmer`); empty = all three.
    pub containers: Vec<String>,
    /// One task's id, or all tasks.
    pub task: Option<String>,
    /// Bumped on every change, so lines of an older scope are dropped.
    pub generation: u64,
}

/// A window's log lines to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowLogLoad {
    pub generation: u64,
    pub from_ms: i64,
    pub to_ms: i64,
    pub max_bytes: usize,
}

/// What `update` asks the runtime to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Poll this feed now instead of waiting for its next turn.
    Refresh(Feed),
    /// Follow other log streams (the tailer restarts from its overlap window).
    FollowLogs(LogScope),
    /// Follow logs with Live Tail (true) or by polling FilterLogEvents.
    LiveTail(bool),
    /// Whether a logs pane is on screen (the overview, a task, the logs screen): a Live Tail
    /// session closes when none has been for a few minutes.
    LogsVisible(bool),
    /// Tell the pollers whether something is in flight (poll fast) or all is steady.
    PollFast(bool),
    /// Compute the preview of a rollback or a warm (answered by `Msg::Op(Previewed)` with the
    /// same request id; an answer to an older request is dropped).
    Preview { request: u64, kind: super::ops::OpKind },
    /// Carry out a confirmed action. Only a `Confirmed` dialog produces this.
    Run(super::ops::Op),
    /// Read this task's whole life in its logs (the task detail), replacing a read under way.
    LoadTaskLog(Box<crate::model::Task>),
    /// Write the incident report of `[from_ms, to_ms]` as Markdown to a file in the working
    /// directory, and say where (`Msg::ReportWritten`).
    WriteReport { from_ms: i64, to_ms: i64 },
    /// Read the window `[from_ms, to_ms]` (its report, metrics, WAF, events), replacing a read
    /// under way; answered by `Msg::Window` with the same generation.
    ReadWindow { generation: u64, from_ms: i64, to_ms: i64 },
    /// Load the window's log lines newest first, keeping at most `max_bytes`, replacing a load
    /// under way (`None` stops it); answered by `Msg::WindowLogs`.
    LoadWindowLogs(Option<WindowLogLoad>),
    /// Poll every configured site (about once a minute) for the fleet view.
    WatchFleet,
    /// Close this site's console and open the named site's.
    OpenSite(String),
}
