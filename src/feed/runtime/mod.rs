//! The runtime: the one place where the console's `Effect`s are carried out. It owns the feeds
//! (ECS, logs, WAF/platform), the action runner and the fleet watch, and every background task
//! they start (so the terminal loop notices one that panics). One exhaustive `match` over
//! `Effect`: a new effect that nobody carries out does not compile.

use std::future::Future;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinError, JoinSet};

pub mod ops;

use super::fleet::FleetSource;
use super::runners::audit::AuditLog;
use super::runners::{Operator, WarmSettings};
use super::{Feeds, now_ms};
use crate::app::{Effect, Msg, SiteInfo};
use crate::aws::Clients;
use ops::OpRunner;

/// How often the fleet view's sites are read again while it is watched.
const FLEET_EVERY: Duration = Duration::from_secs(60);

/// What the terminal loop must do after an effect, beyond drawing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Continue,
    /// Close this console and open the named site's.
    OpenSite(String),
}

/// The feeds, the action runner and the fleet watch of one console.
pub struct Runtime {
    feeds: Feeds,
    runner: OpRunner,
    fleet: Option<FleetSource>,
    fleet_watch: Option<AbortHandle>,
    /// The task detail's whole-life read under way (a new one replaces it).
    task_log: Option<AbortHandle>,
    /// The window's read and the loading of its lines under way (a new window replaces them).
    window_read: Option<AbortHandle>,
    window_logs: Option<AbortHandle>,
    tasks: JoinSet<()>,
    tx: mpsc::Sender<Msg>,
}

impl Runtime {
    /// Starts the feeds for `site`; results come back on `tx`.
    pub fn start(
        clients: Clients,
        site: SiteInfo,
        warming: WarmSettings,
        fleet: Option<FleetSource>,
        audit: AuditLog,
        tx: mpsc::Sender<Msg>,
    ) -> Runtime {
        let mut tasks = JoinSet::new();
        let operator = Operator {
            clients: clients.clone(),
            cluster: site.cluster.clone(),
            service: site.service.clone(),
            caller: None,
            audit,
        };
        let runner = OpRunner::new(operator, warming, tx.clone());
        let feeds = Feeds::start(clients, site, tx.clone(), &mut tasks);
        Runtime {
            feeds,
            runner,
            fleet,
            fleet_watch: None,
            task_log: None,
            window_read: None,
            window_logs: None,
            tasks,
            tx,
        }
    }

    /// Carries out one effect of `update`.
    pub fn run(&mut self, effect: Effect) -> Next {
        match effect {
            Effect::Refresh(feed) => self.feeds.refresh(feed),
            Effect::FollowLogs(scope) => self.feeds.follow(scope),
            Effect::PollFast(fast) => self.feeds.poll_fast(fast),
            Effect::LiveTail(on) => self.feeds.live_tail(on),
            Effect::LogsVisible(shown) => self.feeds.logs_visible(shown),
            Effect::Preview { request, kind } => self.runner.preview(request, kind, &mut self.tasks),
            Effect::Run(op) => self.runner.run(op, &mut self.tasks),
            Effect::LoadTaskLog(task) => {
                abort(&mut self.task_log);
                self.task_log = Some(self.feeds.load_task_log(*task, &mut self.tasks));
            }
            Effect::ReadWindow { generation, from_ms, to_ms } => {
                abort(&mut self.window_read);
                self.window_read = Some(self.feeds.read_window(generation, from_ms, to_ms, &mut self.tasks));
            }
            Effect::LoadWindowLogs(load) => {
                abort(&mut self.window_logs);
                self.window_logs = load.map(|l| self.feeds.load_window_logs(l, &mut self.tasks));
            }
            Effect::WriteReport { from_ms, to_ms } => self.feeds.write_report(from_ms, to_ms, &mut self.tasks),
            Effect::WatchFleet => self.watch_fleet(),
            Effect::OpenSite(name) => return Next::OpenSite(name),
        }
        Next::Continue
    }

    /// Runs `work` alongside the feeds (a panic in it is reported like theirs).
    pub fn spawn(&mut self, work: impl Future<Output = ()> + Send + 'static) {
        self.tasks.spawn(work);
    }

    /// Waits until a background task ends with a panic, and returns its message; never returns
    /// while nothing is running or nothing panicked.
    pub async fn panicked(&mut self) -> Option<Box<dyn std::any::Any + Send>> {
        loop {
            match self.tasks.join_next().await {
                Some(Err(e)) if e.is_panic() => return Some(JoinError::into_panic(e)),
                Some(_) => continue,
                None => std::future::pending::<()>().await,
            }
        }
    }

    /// The console stops (the operator quit, or `signal`): every action still being followed
    /// gets its audit line saying its outcome was not seen. Before `shutdown`.
    pub fn abandon(&self, signal: Option<&str>) {
        self.runner.abandon(signal);
    }

    /// Stops every feed and background task.
    pub fn shutdown(&mut self) {
        self.feeds.cancel.cancel();
        self.tasks.abort_all();
    }

    fn watch_fleet(&mut self) {
        if let Some(h) = self.fleet_watch.take() {
            h.abort();
        }
        let tx = self.tx.clone();
        let Some(source) = self.fleet.clone() else {
            // No configured sites (the demo, or no config file): say so now rather than leave
            // the view reading forever.
            self.tasks.spawn(async move {
                let _ = tx.send(Msg::Fleet { at_ms: now_ms(), rows: Vec::new() }).await;
            });
            return;
        };
        self.fleet_watch = Some(self.tasks.spawn(async move {
            loop {
                let rows = source.read().await;
                if tx.send(Msg::Fleet { at_ms: now_ms(), rows }).await.is_err() {
                    return;
                }
                tokio::time::sleep(FLEET_EVERY).await;
            }
        }));
    }
}

/// Stops the background read `handle` holds, if any.
fn abort(handle: &mut Option<AbortHandle>) {
    if let Some(h) = handle.take() {
        h.abort();
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.shutdown();
    }
}
