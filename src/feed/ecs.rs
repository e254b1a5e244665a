//! The ECS poller: the service, its running and recently stopped tasks, task definitions (once
//! per revision) and target health, every 2 s while something is rolling out and every 10–30 s
//! when steady (slower the longer nothing changes), backing off with jitter on errors.
//! At most four ECS calls per refresh for up to 100 running tasks: DescribeServices, two
//! ListTasks (stopped ones every third refresh when steady) and DescribeTasks.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::backoff::Backoff;
use super::{Command, Discovery, FeedContext, now_ms, pause};
use crate::app::{Feed, Msg, ServiceSnapshot};
use crate::aws::{AwsError, ecs, elb};
use crate::model::{FetchError, Task, TaskDefinition};

/// Poll intervals.
const FAST: Duration = Duration::from_secs(2);
const STEADY: Duration = Duration::from_secs(10);
const IDLE: Duration = Duration::from_secs(30);
/// ECS calls one steady refresh makes at most (QUALITY.md P6), and tasks per DescribeTasks.
const CALLS_PER_REFRESH: usize = 4;
const DESCRIBE_BATCH: usize = 100;

/// What the poller keeps between refreshes.
#[derive(Default)]
struct Cache {
    task_defs: HashMap<String, TaskDefinition>,
    /// Stopped tasks never change again: describe each once.
    stopped: HashMap<String, Task>,
    stopped_arns: Vec<String>,
    refreshes: u64,
    unchanged: u32,
    last: Option<ServiceSnapshot>,
}

pub async fn run(ctx: FeedContext, mut rx: mpsc::UnboundedReceiver<Command>, disc: watch::Sender<Arc<Discovery>>) {
    let mut cache = Cache::default();
    let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
    let mut fast = false;
    loop {
        let wait = match refresh(&ctx, &mut cache, fast).await {
            Ok(snapshot) => {
                backoff.reset();
                let rolling = snapshot.service.rollout_in_progress();
                let _ = disc.send(Arc::new(Discovery {
                    task_definitions: snapshot.task_definitions.clone(),
                    tasks: snapshot.tasks.clone(),
                    target_groups: snapshot.service.target_groups.clone(),
                }));
                if cache.last.as_ref().is_some_and(|l| same_picture(l, &snapshot)) {
                    cache.unchanged = cache.unchanged.saturating_add(1);
                } else {
                    cache.unchanged = 0;
                }
                cache.last = Some(snapshot.clone());
                if !ctx.send(Msg::Service { at_ms: now_ms(), result: Ok(Box::new(snapshot)) }).await {
                    return;
                }
                if fast || rolling {
                    FAST
                } else if cache.unchanged >= 6 {
                    IDLE
                } else {
                    STEADY
                }
            }
            Err(e) => {
                let wait = backoff.next(e.kind);
                let error = e.to_fetch_error(ctx.profile());
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

/// Whether two snapshots show the same thing (for adaptive polling).
fn same_picture(a: &ServiceSnapshot, b: &ServiceSnapshot) -> bool {
    a.service == b.service && a.tasks == b.tasks && a.targets == b.targets
}

async fn refresh(ctx: &FeedContext, cache: &mut Cache, fast: bool) -> Result<ServiceSnapshot, AwsError> {
    let c = &ctx.clients;
    let (cluster, name) = (&ctx.site.cluster, &ctx.site.service);
    let service = ecs::describe_service(c, cluster, name).await?;
    let running_arns = ecs::list_task_arns(c, cluster, name, false).await?;
    let mut calls = 2;
    let steady = !fast && !service.rollout_in_progress();
    if !steady || cache.refreshes.is_multiple_of(3) {
        cache.stopped_arns = ecs::list_task_arns(c, cluster, name, true).await?;
        calls += 1;
    }
    cache.refreshes += 1;
    let keep: HashSet<&String> = cache.stopped_arns.iter().collect();
    cache.stopped.retain(|arn, _| keep.contains(arn));
    let new_stopped: Vec<String> =
        cache.stopped_arns.iter().filter(|a| !cache.stopped.contains_key(*a)).cloned().collect();
    let mut wanted = running_arns.clone();
    wanted.extend(new_stopped);
    // Stay within four ECS calls a refresh: running tasks first; newly stopped ones beyond the
    // DescribeTasks batches left wait for the next refresh (they stay "new" until described).
    let batches = (CALLS_PER_REFRESH - calls).max(1);
    wanted.truncate(running_arns.len().max(batches * DESCRIBE_BATCH));
    let described = if wanted.is_empty() { Vec::new() } else { ecs::describe_tasks(c, cluster, &wanted).await? };
    let mut running = Vec::new();
    for t in described {
        if t.is_stopped() && !running_arns.contains(&t.arn) {
            cache.stopped.insert(t.arn.clone(), t);
        } else {
            running.push(t);
        }
    }
    running.sort_by(|a, b| a.started_at_ms.cmp(&b.started_at_ms).then(a.id.cmp(&b.id)));
    let mut stopped: Vec<Task> = cache.stopped.values().cloned().collect();
    stopped.sort_by_key(|t| std::cmp::Reverse(t.stopped_at_ms));

    let mut revisions: Vec<String> = running.iter().chain(&stopped).map(|t| t.task_definition.clone()).collect();
    revisions.push(service.task_definition.clone());
    for d in &service.deployments {
        revisions.push(d.task_definition.clone());
    }
    revisions.sort();
    revisions.dedup();
    for arn in revisions.iter().filter(|a| !a.is_empty()) {
        if !cache.task_defs.contains_key(arn) {
            let td = ecs::describe_task_definition(c, arn).await?;
            cache.task_defs.insert(arn.clone(), td);
        }
    }
    let task_definitions: Vec<TaskDefinition> =
        revisions.iter().filter_map(|a| cache.task_defs.get(a).cloned()).collect();

    let (mut targets, mut targets_error): (Vec<_>, Option<FetchError>) = (Vec::new(), None);
    for tg in &service.target_groups {
        match elb::target_health(c, tg).await {
            Ok(t) => targets.extend(t),
            Err(e) => targets_error = Some(e.to_fetch_error(ctx.profile())),
        }
    }
    let mut tasks = running;
    tasks.extend(stopped);
    Ok(ServiceSnapshot { service, tasks, task_definitions, targets, targets_error })
}
