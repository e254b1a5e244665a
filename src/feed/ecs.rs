//! The ECS poller: reads the service through the one reader (`read.rs`: running and recently
//! stopped tasks, task definitions once per revision, target health) every 2 s while something
//! is rolling out and every 10–30 s when steady (slower the longer nothing changes), backing off
//! with jitter on errors. At most four ECS calls per refresh for up to 100 running tasks:
//! DescribeServices, two ListTasks (stopped ones every third refresh when steady) and
//! DescribeTasks.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::backoff::Backoff;
use super::read::{Depth, ServiceReader};
use super::{Command, Discovery, FeedContext, now_ms, pause};
use crate::app::{Feed, Msg};
use crate::model::ServiceSnapshot;

/// Poll intervals.
const FAST: Duration = Duration::from_secs(2);
const STEADY: Duration = Duration::from_secs(10);
const IDLE: Duration = Duration::from_millis(Feed::Service.idle_every_ms() as u64);

pub async fn run(ctx: FeedContext, mut rx: mpsc::UnboundedReceiver<Command>, disc: watch::Sender<Arc<Discovery>>) {
    let reader = ServiceReader::new(ctx.clients.clone(), ctx.log_budget.clone());
    let mut last: Option<ServiceSnapshot> = None;
    let mut unchanged = 0u32;
    let mut backoff = Backoff::new(Duration::from_secs(1), STEADY);
    let mut fast = false;
    loop {
        let read = reader.read(&ctx.site.cluster, &ctx.site.service, Depth::poller(fast)).await;
        let wait = match read {
            Ok(reading) => {
                backoff.reset();
                let snapshot = reading.snapshot;
                let rolling = snapshot.service.rollout_in_progress();
                let _ = disc.send(Arc::new(Discovery {
                    task_definitions: snapshot.task_definitions.clone(),
                    tasks: snapshot.tasks.clone(),
                    target_groups: snapshot.service.target_groups.clone(),
                    blocked: None,
                }));
                if last.as_ref().is_some_and(|l| l.same_picture(&snapshot)) {
                    unchanged = unchanged.saturating_add(1);
                } else {
                    unchanged = 0;
                }
                last = Some(snapshot.clone());
                if !ctx.send(Msg::Service { at_ms: now_ms(), result: Ok(Box::new(snapshot)) }).await {
                    return;
                }
                if fast || rolling {
                    FAST
                } else if unchanged >= 6 {
                    IDLE
                } else {
                    STEADY
                }
            }
            Err(e) => {
                let wait = backoff.after(&e);
                let error = e.to_fetch_error(ctx.profile());
                // Nothing discovered yet: the feeds that wait for it say why on their panels.
                if last.is_none() {
                    let _ = disc.send(Arc::new(Discovery { blocked: Some(error.clone()), ..Discovery::default() }));
                }
                if !ctx.send(Msg::Service { at_ms: now_ms(), result: Err(error) }).await {
                    return;
                }
                ctx.send(Msg::Backoff { feed: Feed::Service, at_ms: now_ms(), retry_in_ms: wait.as_millis() as u64 })
                    .await;
                wait
            }
        };
        match pause(&ctx, &mut rx, wait).await {
            None => return,
            Some(Some(Command::Fast(f))) => fast = f,
            Some(_) => {}
        }
    }
}
