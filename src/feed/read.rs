//! The one reader of a service. The console's ECS poller, `wpops status`, the fleet probe and
//! log discovery all read a service here: DescribeServices and ListTasks, DescribeTasks,
//! the task definitions (fetched once per revision and cached), target health, the tasks' warm
//! reports, and the load balancer with its web ACL (cached once per account and region). How
//! deep to read is a `Depth`; independent calls run concurrently; every request waits on the
//! reader's budget when it has one (the fleet's, per account and region). No screen code and no
//! verdicts here: those are `model`'s. What `wpops audit` reads beyond that (the web ACL's
//! configuration and logging, the images in ECR) is `read/posture.rs`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use futures_util::future::try_join_all;
use tokio::sync::OnceCell;

mod posture;

use super::budget::Budget;
use super::{now_ms, warm};
use crate::aws::{AwsError, Clients, ecs, elb, waf};
use crate::model::{
    DEFAULT_WARM_LIMIT_MS, FoundReport, LastStatus, ReportLookup, Service, ServiceSnapshot, Task, TaskDefinition,
    lookup_after_miss, order_tasks,
};

/// ECS calls one steady poller refresh makes at most (QUALITY.md P6), and tasks per DescribeTasks.
const CALLS_PER_REFRESH: usize = 4;
const DESCRIBE_BATCH: usize = 100;
/// A steady poller lists stopped tasks every this many refreshes.
const STOPPED_EVERY: u64 = 3;

/// Which stopped tasks to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Running tasks only.
    Skip,
    /// List and describe every recently stopped task now.
    All,
    /// The poller's way: each stopped task is described once and kept; the list is read again
    /// every refresh while `fast` or rolling out, else every third; and DescribeTasks stays
    /// within four ECS calls a refresh (newly stopped tasks beyond wait for the next one).
    Cached { fast: bool },
}

/// How deep to read a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Depth {
    pub stopped: Stopped,
    /// DescribeTargetHealth of the service's target groups.
    pub targets: bool,
    /// The warm reports of running tasks whose warmer exited 0 (for the others ECS tells).
    pub reports: bool,
    /// The load balancer in front of the service (its first target group's).
    pub load_balancer: bool,
    /// The web ACL on that load balancer (implies `load_balancer`).
    pub web_acl: bool,
}

impl Depth {
    /// The console's poller: everything it shows, stopped tasks cached. Warm reports are the
    /// log tailer's (it looks them up between polls).
    pub fn poller(fast: bool) -> Depth {
        Depth { stopped: Stopped::Cached { fast }, targets: true, reports: false, load_balancer: false, web_acl: false }
    }

    /// `wpops status`: every fact of the verdict, and the load balancer for its 5xx.
    pub const STATUS: Depth =
        Depth { stopped: Stopped::All, targets: true, reports: true, load_balancer: true, web_acl: false };

    /// One site of the fleet: running tasks, reports, targets, and the edge for the metrics.
    pub const FLEET: Depth =
        Depth { stopped: Stopped::Skip, targets: true, reports: true, load_balancer: true, web_acl: true };

    /// What log discovery needs: the tasks (stopped ones too) and their task definitions.
    pub const DISCOVERY: Depth =
        Depth { stopped: Stopped::All, targets: false, reports: false, load_balancer: false, web_acl: false };

    /// `wpops audit`: the running tasks, their task definitions and the load balancer (the web
    /// ACL's configuration is read in full by `posture`).
    pub const AUDIT: Depth =
        Depth { stopped: Stopped::Skip, targets: false, reports: false, load_balancer: true, web_acl: false };
}

/// What one read found.
#[derive(Debug, Clone, Default)]
pub struct Reading {
    pub snapshot: ServiceSnapshot,
    /// Warm reports by task id (`Depth::reports`).
    pub reports: HashMap<String, FoundReport>,
    /// Where the lookup stands for the tasks it looked for without finding a report.
    pub report_lookups: HashMap<String, ReportLookup>,
    /// Target health could not be read (also in the snapshot, as the console shows it).
    pub targets_error: Option<AwsError>,
    /// The load balancer's ARN (`Depth::load_balancer`).
    pub load_balancer: Option<String>,
    /// The web ACL's name (`Depth::web_acl`).
    pub web_acl: Option<String>,
    /// The load balancer or its web ACL could not be read (the rest of the reading is good).
    pub edge_error: Option<AwsError>,
    /// When the reads started and finished.
    pub started_ms: i64,
    pub fetched_ms: i64,
}

/// What a poller keeps of one service between refreshes.
#[derive(Debug, Default)]
struct StoppedCache {
    described: HashMap<String, Task>,
    arns: Vec<String>,
    refreshes: u64,
}

type Cells<T> = Mutex<HashMap<String, Arc<OnceCell<T>>>>;

/// Reads services through one set of clients, with the caches and budgets they share.
pub struct ServiceReader {
    clients: Clients,
    /// Every ECS, ELB and WAF request waits on this, when set (the fleet's per-account budget).
    api: Option<Arc<Budget>>,
    /// CloudWatch Logs requests (the warm-report lookups).
    logs: Arc<Budget>,
    task_defs: Cells<TaskDefinition>,
    /// Load balancer ARN → the name of its web ACL.
    acls: Cells<Option<String>>,
    /// (cluster, service) → the poller's stopped tasks.
    stopped: Mutex<HashMap<(String, String), StoppedCache>>,
}

/// Locks a cache map; a poisoned lock only means another read panicked mid-insert.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ServiceReader {
    /// A reader whose log lookups draw from `logs`.
    pub fn new(clients: Clients, logs: Arc<Budget>) -> ServiceReader {
        ServiceReader {
            clients,
            api: None,
            logs,
            task_defs: Mutex::default(),
            acls: Mutex::default(),
            stopped: Mutex::default(),
        }
    }

    /// Every ECS, ELB and WAF request first takes a token from `api`.
    pub fn with_api_budget(mut self, api: Arc<Budget>) -> ServiceReader {
        self.api = Some(api);
        self
    }

    /// The budget every ECS, ELB and WAF request waits on, if any.
    pub fn api_budget(&self) -> Option<&Budget> {
        self.api.as_deref()
    }

    pub fn clients(&self) -> &Clients {
        &self.clients
    }

    async fn gate(&self) {
        if let Some(b) = &self.api {
            b.acquire().await;
        }
    }

    /// Reads one service as deep as `depth` says.
    pub async fn read(&self, cluster: &str, service: &str, depth: Depth) -> Result<Reading, AwsError> {
        let started_ms = now_ms();
        let c = &self.clients;
        let list_stopped_now = depth.stopped == Stopped::All;
        let (svc, running, stopped_now) = tokio::try_join!(
            async {
                self.gate().await;
                ecs::describe_service(c, cluster, service).await
            },
            async {
                self.gate().await;
                ecs::list_task_arns(c, cluster, service, false).await
            },
            async {
                if !list_stopped_now {
                    return Ok(Vec::new());
                }
                self.gate().await;
                ecs::list_task_arns(c, cluster, service, true).await
            },
        )?;
        let tasks_chain = async {
            let mut tasks = match depth.stopped {
                Stopped::Cached { fast } => self.tasks_cached(cluster, service, &svc, &running, fast).await?,
                Stopped::All | Stopped::Skip => {
                    let mut arns = running.clone();
                    arns.extend(stopped_now.iter().filter(|a| !running.contains(a)).cloned());
                    self.describe(cluster, &arns).await?
                }
            };
            order_tasks(&mut tasks);
            let defs = self.task_definitions(&svc, &tasks).await?;
            let reports = if depth.reports { self.reports(&tasks, &defs).await } else { Default::default() };
            Ok::<_, AwsError>((tasks, defs, reports))
        };
        let targets_chain = async {
            if !depth.targets {
                return (Vec::new(), None);
            }
            let all = try_join_all(svc.target_groups.iter().map(|tg| async move {
                self.gate().await;
                elb::target_health(c, tg).await
            }))
            .await;
            match all {
                Ok(all) => (all.into_iter().flatten().collect(), None),
                Err(e) => (Vec::new(), Some(e)),
            }
        };
        let edge_chain = async {
            if !(depth.load_balancer || depth.web_acl) {
                return Ok((None, None));
            }
            let Some(tg) = svc.target_groups.first() else { return Ok((None, None)) };
            self.gate().await;
            let Some(lb) = elb::load_balancer_of(c, tg).await? else { return Ok((None, None)) };
            let acl = if depth.web_acl { self.web_acl_of(&lb).await? } else { None };
            Ok::<_, AwsError>((Some(lb), acl))
        };
        let (tasks, (targets, targets_error), edge) = tokio::join!(tasks_chain, targets_chain, edge_chain);
        let (tasks, task_definitions, (reports, report_lookups)) = tasks?;
        let ((load_balancer, web_acl), edge_error) = match edge {
            Ok(found) => (found, None),
            Err(e) => ((None, None), Some(e)),
        };
        let profile = c.profile.as_deref();
        let snapshot = ServiceSnapshot {
            service: svc,
            tasks,
            task_definitions,
            targets,
            targets_error: targets_error.as_ref().map(|e| e.to_fetch_error(profile)),
        };
        Ok(Reading {
            snapshot,
            reports,
            report_lookups,
            targets_error,
            load_balancer,
            web_acl,
            edge_error,
            started_ms,
            fetched_ms: now_ms(),
        })
    }

    async fn describe(&self, cluster: &str, arns: &[String]) -> Result<Vec<Task>, AwsError> {
        if arns.is_empty() {
            return Ok(Vec::new());
        }
        self.gate().await;
        ecs::describe_tasks(&self.clients, cluster, arns).await
    }

    /// The poller's running and stopped tasks (see [`Stopped::Cached`]).
    async fn tasks_cached(
        &self,
        cluster: &str,
        service: &str,
        svc: &Service,
        running: &[String],
        fast: bool,
    ) -> Result<Vec<Task>, AwsError> {
        let key = (cluster.to_string(), service.to_string());
        let relist = {
            let mut all = lock(&self.stopped);
            let cache = all.entry(key.clone()).or_default();
            let steady = !fast && !svc.rollout_in_progress();
            let n = cache.refreshes;
            cache.refreshes += 1;
            !steady || n.is_multiple_of(STOPPED_EVERY)
        };
        let mut calls = 2;
        let listed = if relist {
            calls += 1;
            self.gate().await;
            Some(ecs::list_task_arns(&self.clients, cluster, service, true).await?)
        } else {
            None
        };
        let wanted = {
            let mut all = lock(&self.stopped);
            let cache = all.entry(key.clone()).or_default();
            if let Some(arns) = listed {
                cache.arns = arns;
            }
            let keep: HashSet<&String> = cache.arns.iter().collect();
            cache.described.retain(|arn, _| keep.contains(arn));
            let mut wanted = running.to_vec();
            wanted.extend(cache.arns.iter().filter(|a| !cache.described.contains_key(*a)).cloned());
            // Running tasks first; newly stopped ones beyond the DescribeTasks batches left wait
            // for the next refresh (they stay "new" until described).
            let batches = CALLS_PER_REFRESH.saturating_sub(calls).max(1);
            wanted.truncate(running.len().max(batches * DESCRIBE_BATCH));
            wanted
        };
        let described = self.describe(cluster, &wanted).await?;
        let mut all = lock(&self.stopped);
        let cache = all.entry(key).or_default();
        let mut tasks = Vec::with_capacity(described.len());
        for t in described {
            if t.is_stopped() && !running.contains(&t.arn) {
                cache.described.insert(t.arn.clone(), t);
            } else {
                tasks.push(t);
            }
        }
        tasks.extend(cache.described.values().cloned());
        Ok(tasks)
    }

    /// The task definitions the service, its deployments and its tasks use, each fetched once
    /// by this reader, concurrently.
    pub async fn task_definitions(&self, svc: &Service, tasks: &[Task]) -> Result<Vec<TaskDefinition>, AwsError> {
        let mut arns: Vec<&str> = tasks.iter().map(|t| t.task_definition.as_str()).collect();
        arns.push(&svc.task_definition);
        arns.extend(svc.deployments.iter().map(|d| d.task_definition.as_str()));
        arns.retain(|a| !a.is_empty());
        arns.sort_unstable();
        arns.dedup();
        try_join_all(arns.into_iter().map(|arn| async move {
            let cell = lock(&self.task_defs).entry(arn.to_string()).or_default().clone();
            cell.get_or_try_init(|| async {
                self.gate().await;
                ecs::describe_task_definition(&self.clients, arn).await
            })
            .await
            .cloned()
        }))
        .await
    }

    /// The name of the web ACL on a load balancer, looked up once by this reader.
    pub async fn web_acl_of(&self, lb_arn: &str) -> Result<Option<String>, AwsError> {
        let cell = lock(&self.acls).entry(lb_arn.to_string()).or_default().clone();
        cell.get_or_try_init(|| async {
            self.gate().await;
            waf::web_acl_for_resource(&self.clients, lb_arn).await.map(|a| a.map(|a| a.name))
        })
        .await
        .cloned()
    }

    /// Warm reports of the running tasks whose warmer exited 0, and where the lookup stands for
    /// those without one. A failed read is "couldn't read", not a missing report; a miss is
    /// "not found" only once the lookup covered the warmer's whole run: one read has no history,
    /// so the warmer is taken to have stopped by the snapshot, or by the default warming limit
    /// after its task started, whichever came first.
    async fn reports(
        &self,
        tasks: &[Task],
        defs: &[TaskDefinition],
    ) -> (HashMap<String, FoundReport>, HashMap<String, ReportLookup>) {
        let wanted: Vec<Task> = tasks
            .iter()
            .filter(|t| t.is_running())
            .filter(|t| t.warmer().is_some_and(|w| w.last_status == LastStatus::Stopped && w.exit_code == Some(0)))
            .cloned()
            .collect();
        if wanted.is_empty() {
            return Default::default();
        }
        let now = now_ms();
        let result = match warm::find_reports(&self.clients, &self.logs, &wanted, defs, now).await {
            Ok(r) => r,
            Err(e) => {
                let lookup = ReportLookup::Unreadable { kind: e.kind, retry_at_ms: None };
                return (HashMap::new(), wanted.iter().map(|t| (t.id.as_str().to_owned(), lookup.clone())).collect());
            }
        };
        let found: HashMap<String, FoundReport> = result.found.into_iter().map(|f| (f.task_id.clone(), f)).collect();
        let lookups = wanted
            .iter()
            .filter(|t| !found.contains_key(t.id.as_str()))
            .map(|t| {
                let stopped_by = t.started_at_ms.map_or(now, |s| s.saturating_add(DEFAULT_WARM_LIMIT_MS).min(now));
                (t.id.as_str().to_owned(), lookup_after_miss(stopped_by, now, result.complete))
            })
            .collect();
        (found, lookups)
    }
}
