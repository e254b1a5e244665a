//! Everything that reads or changes AWS over time: the one reader of a service (`read.rs`), the
//! console's feeds built on it — an ECS poller, a log tailer (with warm-report lookups, and Live
//! Tail as its other input: `livetail.rs`) and a WAF/platform poller, each a cancellable tokio
//! task that sends owned `Msg`s into the one channel and shares what the ECS poller discovers
//! through a watch channel —, the fleet
//! (`fleet.rs`), the action runners (`runners/`) and the runtime that carries out every
//! `Effect` (`runtime/`). The command line calls the same reader, tailer step and runners.
//! No screen code here.

pub mod alb;
pub mod backoff;
pub mod budget;
mod ecs;
pub mod fleet;
pub mod insight;
pub mod lifetime;
pub mod livetail;
pub mod logs;
pub mod past;
pub mod read;
pub mod report;
pub mod runners;
pub mod runtime;
pub mod warm;
pub mod window;

use std::sync::Arc;

use tokio::sync::{mpsc, watch};
use tokio::task::{AbortHandle, JoinSet};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::app::{Feed, LogScope, Msg, SiteInfo, WindowLogLoad};
use crate::aws::Clients;
use crate::model::{FetchError, Task, TaskDefinition};

/// What the ECS poller learned that the other feeds need.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Discovery {
    pub task_definitions: Vec<TaskDefinition>,
    /// Running tasks and recently stopped ones.
    pub tasks: Vec<Task>,
    pub target_groups: Vec<String>,
    /// Why nothing is discovered yet: the service could not be read (no credentials, access
    /// denied, unreachable…). The feeds waiting for discovery show it on their own panels
    /// instead of reading "loading" for ever. Cleared by the first good read.
    pub blocked: Option<FetchError>,
}

impl Discovery {
    /// The error a feed that waits for discovery shows on its panel while the service cannot
    /// be read: what it waits for and why.
    pub fn waiting_error(&self) -> Option<FetchError> {
        self.blocked.as_ref().map(|e| FetchError {
            message: format!("waits for the service, which could not be read: {}", e.message),
            ..e.clone()
        })
    }
}

/// Waits for the next change of discovery (false when cancelled or the poller is gone), taking
/// the feed's commands meanwhile (`on_command` gets each).
pub(crate) async fn discovery_changed(
    ctx: &FeedContext,
    discovery: &mut watch::Receiver<Arc<Discovery>>,
    rx: &mut mpsc::UnboundedReceiver<Command>,
    mut on_command: impl FnMut(Command),
) -> bool {
    loop {
        tokio::select! {
            _ = ctx.cancel.cancelled() => return false,
            changed = discovery.changed() => return changed.is_ok(),
            cmd = rx.recv() => match cmd {
                Some(c) => on_command(c),
                None => return false,
            },
        }
    }
}

/// Wall-clock epoch milliseconds (feeds may read the clock; `app::update` may not).
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Everything a feed needs.
#[derive(Clone)]
pub struct FeedContext {
    pub clients: Clients,
    pub site: SiteInfo,
    pub tx: mpsc::Sender<Msg>,
    pub cancel: CancellationToken,
    pub discovery: watch::Receiver<Arc<Discovery>>,
    pub log_budget: Arc<budget::Budget>,
}

impl FeedContext {
    /// Sends a message; false when the console has gone (the feed should stop).
    pub async fn send(&self, msg: Msg) -> bool {
        self.tx.send(msg).await.is_ok()
    }

    pub fn profile(&self) -> Option<&str> {
        self.site.profile.as_deref()
    }
}

/// Commands from the console to one feed.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Refresh,
    Fast(bool),
    Follow(LogScope),
    /// Follow with Live Tail (or stop).
    LiveTail(bool),
    /// Whether a logs pane is shown (a Live Tail session closes when none is for a while).
    LogsVisible(bool),
}

/// The running feeds: route effects to them; cancel them on drop.
pub struct Feeds {
    ecs: mpsc::UnboundedSender<Command>,
    logs: mpsc::UnboundedSender<Command>,
    insight: mpsc::UnboundedSender<Command>,
    pub cancel: CancellationToken,
    /// For the reads the console asks for now and then (a task's whole life).
    ctx: FeedContext,
}

impl Feeds {
    /// Starts every feed on `set` (so the caller notices a feed that panics).
    pub fn start(clients: Clients, site: SiteInfo, tx: mpsc::Sender<Msg>, set: &mut JoinSet<()>) -> Feeds {
        let cancel = CancellationToken::new();
        let (disc_tx, disc_rx) = watch::channel(Arc::new(Discovery::default()));
        let ctx = FeedContext {
            clients,
            site,
            tx,
            cancel: cancel.clone(),
            discovery: disc_rx,
            log_budget: Arc::new(budget::Budget::new(3.0, 1.0)),
        };
        let (ecs_tx, ecs_rx) = mpsc::unbounded_channel();
        let (logs_tx, logs_rx) = mpsc::unbounded_channel();
        let (insight_tx, insight_rx) = mpsc::unbounded_channel();
        // Each feed runs in a span naming it and its site, so that its log lines (backoffs,
        // failed attempts) say whose they are.
        let span = |feed: &str| tracing::info_span!("feed", name = feed, site = %ctx.site.name);
        let c = ctx.clone();
        set.spawn(async move { ecs::run(c, ecs_rx, disc_tx).await }.instrument(span("service")));
        let c = ctx.clone();
        set.spawn(async move { logs::run(c, logs_rx).await }.instrument(span("logs")));
        let c = ctx.clone();
        set.spawn(async move { insight::run(c, insight_rx).await }.instrument(span("waf+platform")));
        let c = ctx.clone();
        set.spawn(async move {
            let result = crate::aws::elb::caller(&c.clients).await.map_err(|e| e.to_fetch_error(c.profile()));
            c.send(Msg::Caller(result)).await;
        });
        Feeds { ecs: ecs_tx, logs: logs_tx, insight: insight_tx, cancel, ctx }
    }

    /// Reads the incident report of `[from_ms, to_ms]` (`report.rs`, as `wpops report` does),
    /// writes it as Markdown to `wpops-report-<site>-<time>.md` in the working directory, and
    /// sends where (or why not) as `Msg::ReportWritten`.
    pub fn write_report(&self, from_ms: i64, to_ms: i64, set: &mut JoinSet<()>) {
        let ctx = self.ctx.clone();
        set.spawn(
            async move {
                let s = &ctx.site;
                let result = match report::gather(&ctx.clients, &s.cluster, &s.service, from_ms, to_ms).await {
                    Err(e) => Err(e.report(ctx.profile())),
                    Ok(facts) => {
                        let text = crate::model::report::markdown(&facts.report(&Self::report_site(s), now_ms()));
                        let path = report_path(&s.name, to_ms);
                        match std::fs::write(&path, text) {
                            Ok(()) => Ok(std::fs::canonicalize(&path).unwrap_or(path).display().to_string()),
                            Err(e) => Err(format!("{}: {e}", path.display())),
                        }
                    }
                };
                ctx.send(Msg::ReportWritten(result)).await;
            }
            .instrument(tracing::info_span!("feed", name = "report")),
        );
    }

    fn report_site(s: &SiteInfo) -> report::ReportSite<'_> {
        report::ReportSite {
            name: &s.name,
            region: &s.region,
            cluster: &s.cluster,
            service: &s.service,
            warm_limit_ms: s.warm_limit_ms,
        }
    }

    /// Reads the window `[from_ms, to_ms]` with the report's reader (without its trouble lines:
    /// the window's lines load on their own) and sends it as `Msg::Window`.
    pub fn read_window(&self, generation: u64, from_ms: i64, to_ms: i64, set: &mut JoinSet<()>) -> AbortHandle {
        let ctx = self.ctx.clone();
        set.spawn(
            async move {
                let s = &ctx.site;
                let result = report::gather_with(&ctx.clients, &s.cluster, &s.service, from_ms, to_ms, false)
                    .await
                    .map(|facts| Box::new(facts.window(&Self::report_site(s), now_ms())))
                    .map_err(|e| e.to_fetch_error(ctx.profile()));
                ctx.send(Msg::Window { generation, result }).await;
            }
            .instrument(tracing::info_span!("feed", name = "window")),
        )
    }

    /// Loads a window's log lines newest first (`window.rs`) within a log budget of its own,
    /// sending each slice as `Msg::WindowLogs` until the window's start or the byte budget.
    pub fn load_window_logs(&self, load: WindowLogLoad, set: &mut JoinSet<()>) -> AbortHandle {
        let ctx = self.ctx.clone();
        set.spawn(
            async move {
                // The streams' names come from the task definitions: wait for the first read.
                let mut watch = ctx.discovery.clone();
                let disc = loop {
                    let disc = watch.borrow_and_update().clone();
                    if !disc.task_definitions.is_empty() {
                        break disc;
                    }
                    if let Some(error) = disc.waiting_error() {
                        ctx.send(Msg::WindowLogs { generation: load.generation, result: Err(error) }).await;
                        return;
                    }
                    tokio::select! {
                        _ = ctx.cancel.cancelled() => return,
                        changed = watch.changed() => if changed.is_err() { return },
                    }
                };
                let budget = budget::Budget::new(window::WINDOW_LOG_RATE, window::WINDOW_LOG_RATE);
                let mut loader = window::WindowLoader::new((*disc).clone(), load.from_ms, load.to_ms, load.max_bytes);
                // For the log file (scripts/bench-logs-window.sh): when lines were first on
                // screen, and when loading ended.
                let started = std::time::Instant::now();
                let mut shown = false;
                loop {
                    let result = match loader.next(&ctx.clients, &budget, now_ms()).await {
                        Ok(Some(got)) => {
                            let (p, ms) = (got.1, started.elapsed().as_millis());
                            if !shown && p.lines > 0 {
                                shown = true;
                                tracing::info!(ms, lines = p.lines, pages = p.pages, "window lines: first slice");
                            }
                            if p.done {
                                let (lines, pages, cut) = (p.lines, p.pages, p.cut);
                                tracing::info!(ms, lines, pages, cut, "window lines loaded");
                            }
                            Ok(got)
                        }
                        Ok(None) => return,
                        Err(e) => Err(e.to_fetch_error(ctx.profile())),
                    };
                    let failed = result.is_err();
                    if !ctx.send(Msg::WindowLogs { generation: load.generation, result }).await || failed {
                        return;
                    }
                }
            }
            .instrument(tracing::info_span!("feed", name = "window-logs")),
        )
    }

    /// Reads `task`'s whole life in its logs (`lifetime.rs`) within the tail's log budget, and
    /// sends it as `Msg::TaskLog`.
    pub fn load_task_log(&self, task: Task, set: &mut JoinSet<()>) -> AbortHandle {
        let ctx = self.ctx.clone();
        set.spawn(
            async move {
                let mut disc = (*ctx.discovery.borrow().clone()).clone();
                // A task ECS forgot may have run a revision the service no longer has tasks of:
                // its containers name its streams.
                if !task.task_definition.as_str().is_empty()
                    && !disc.task_definitions.iter().any(|d| d.arn == task.task_definition)
                    && let Ok(td) =
                        crate::aws::ecs::describe_task_definition(&ctx.clients, task.task_definition.as_str()).await
                {
                    disc.task_definitions.push(td);
                }
                let read = lifetime::LifetimeRead {
                    clients: &ctx.clients,
                    disc: &disc,
                    task: &task,
                    containers: &[],
                    group: None,
                    budget: &ctx.log_budget,
                    now: now_ms(),
                    max_bytes: lifetime::LIFETIME_BYTES,
                };
                let result = read.read().await.map(Box::new).map_err(|e| e.to_fetch_error(ctx.profile()));
                ctx.send(Msg::TaskLog { task_id: task.id.as_str().to_owned(), result }).await;
            }
            .instrument(tracing::info_span!("feed", name = "task-life")),
        )
    }

    /// Polls this feed now instead of waiting for its next turn.
    pub fn refresh(&self, feed: Feed) {
        let _ = match feed {
            Feed::Service => self.ecs.send(Command::Refresh),
            Feed::Logs => self.logs.send(Command::Refresh),
            Feed::Waf | Feed::Platform => self.insight.send(Command::Refresh),
        };
    }

    /// Follows other log streams.
    pub fn follow(&self, scope: LogScope) {
        let _ = self.logs.send(Command::Follow(scope));
    }

    /// Follows with Live Tail, or polls.
    pub fn live_tail(&self, on: bool) {
        let _ = self.logs.send(Command::LiveTail(on));
    }

    /// Says whether a logs pane is shown.
    pub fn logs_visible(&self, visible: bool) {
        let _ = self.logs.send(Command::LogsVisible(visible));
    }

    /// Polls fast while something is in flight.
    pub fn poll_fast(&self, fast: bool) {
        let _ = self.insight.send(Command::Fast(fast));
        let _ = self.ecs.send(Command::Fast(fast));
    }
}

impl Drop for Feeds {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Waits `d`, or until cancelled or a command arrives; returns the command, if any.
pub(crate) async fn pause(
    ctx: &FeedContext,
    rx: &mut mpsc::UnboundedReceiver<Command>,
    d: std::time::Duration,
) -> Option<Option<Command>> {
    tokio::select! {
        _ = ctx.cancel.cancelled() => None,
        _ = tokio::time::sleep(d) => Some(None),
        cmd = rx.recv() => cmd.map(Some),
    }
}

/// `wpops-report-corp-blog-20261128T0940Z.md`: the site's name kept to letters, digits and
/// `_` (`demo (incident)` → `demo-incident`), and the window's end.
pub fn report_path(site: &str, to_ms: i64) -> std::path::PathBuf {
    let kept: String = site.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect();
    let name = kept.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    let at = chrono::DateTime::from_timestamp_millis(to_ms)
        .map(|t| t.format("%Y%m%dT%H%MZ").to_string())
        .unwrap_or_default();
    std::path::PathBuf::from(format!("wpops-report-{name}-{at}.md"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn report_paths_keep_the_site_readable_and_safe() {
        let at = 1_795_842_000_000;
        assert_eq!(
            super::report_path("demo (incident)", at).to_str(),
            Some("wpops-report-demo-incident-20261128T0500Z.md")
        );
        assert_eq!(super::report_path("../../etc/x", at).to_str(), Some("wpops-report-etc-x-20261128T0500Z.md"));
    }
}
