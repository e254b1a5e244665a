//! What the incident report (`model::report`) is built from, read over its window through the
//! one reader and the same reads as the console: the service and its tasks (`ServiceReader`,
//! `Depth::STATUS`), the deployment history with each revision's images, the platform's and the
//! WAF's metrics over the window (`insight`), the sampled requests, and the window's trouble in
//! the logs (FilterLogEvents with a filter pattern, paged with the tailer's `poll_once`, within
//! a log budget that leaves room for other tools). Only reads: allowed under `--read-only`.

use std::collections::HashMap;
use std::sync::Arc;

use super::budget::Budget;
use super::insight;
use super::logs::{Cursor, Step, poll_once};
use super::read::{Depth, ServiceReader};
use super::{Discovery, now_ms};
use crate::app::LogScope;
use crate::aws::ecs_write::{deployment_history, revisions};
use crate::aws::{AwsError, Clients, elb};
use crate::model::findings::{RuntimeInputs, assess};
use crate::model::history::{RevisionInfo, ServiceDeploymentInfo};
use crate::model::past::window_tasks;
use crate::model::report::{IncidentReport, ReportInputs, build};
use crate::model::{
    FoundReport, HealthRules, LogEvent, PlatformMetrics, ReportLookup, ServiceSnapshot, Task, WafSnapshot, WarmEvidence,
};

/// nginx's lines the report looks at: 5xx answers and error-log lines (the status is checked
/// again on each line: a term can match elsewhere in it).
pub const NGINX_TROUBLE: &str = "?500 ?502 ?503 ?504 ?error ?crit ?alert";
/// Pages per log query at most (a window of a very busy site is cut there, and says so).
const MAX_PAGES: usize = 2_000;

/// Everything read for one report.
#[derive(Debug, Clone)]
pub struct ReportFacts {
    pub account: Option<String>,
    pub snapshot: ServiceSnapshot,
    pub reports: HashMap<String, FoundReport>,
    pub lookups: HashMap<String, ReportLookup>,
    pub deployments: Result<Vec<ServiceDeploymentInfo>, String>,
    pub revisions: Vec<RevisionInfo>,
    pub platform: Result<PlatformMetrics, String>,
    pub waf: Result<Option<WafSnapshot>, String>,
    pub logs: Result<Vec<LogEvent>, String>,
    /// The last lines of each failed warmer, by task id.
    pub warmer_output: HashMap<String, Vec<String>>,
    /// The tasks ECS no longer lists that lived in the window, rebuilt from their streams
    /// (`past.rs`), or why they could not be read.
    pub past: Result<super::past::Past, String>,
    pub from_ms: i64,
    pub to_ms: i64,
}

/// Reads the facts of `[from_ms, to_ms]`. Fails only when the service itself cannot be read;
/// every other part that fails says why in the report.
pub async fn gather(
    c: &Clients,
    cluster: &str,
    service: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<ReportFacts, AwsError> {
    gather_with(c, cluster, service, from_ms, to_ms, true).await
}

/// As [`gather`]; without the window's trouble lines when `with_trouble` is false (the
/// console's window loads every line itself: `window.rs`).
pub async fn gather_with(
    c: &Clients,
    cluster: &str,
    service: &str,
    from_ms: i64,
    to_ms: i64,
    with_trouble: bool,
) -> Result<ReportFacts, AwsError> {
    let profile = c.profile.clone();
    let why = |e: AwsError| e.report(profile.as_deref());
    // One log budget for every read of the report, leaving room in the account's quota.
    let budget = Arc::new(Budget::new(3.0, 2.0));
    let reader = ServiceReader::new(c.clone(), budget.clone());
    let reading = reader.read(cluster, service, Depth::STATUS).await?;
    let snapshot = reading.snapshot;
    let mut reports = reading.reports;
    // The reader looks up running tasks' reports; the report also says how the stopped ones'
    // warmers went.
    let stopped: Vec<_> = snapshot
        .tasks
        .iter()
        .filter(|t| t.is_stopped() && !reports.contains_key(t.id.as_str()))
        .filter(|t| t.warmer().and_then(|w| w.exit_code) == Some(0))
        .cloned()
        .collect();
    if !stopped.is_empty()
        && let Ok(found) = super::warm::find_reports(c, &budget, &stopped, &snapshot.task_definitions, now_ms()).await
    {
        for r in found.found {
            reports.entry(r.task_id.clone()).or_insert(r);
        }
    }
    let account = elb::caller(c).await.ok().map(|id| id.account);
    let deployments = deployment_history(c, cluster, service).await.map_err(why);
    let revision_arns: Vec<String> = match &deployments {
        Ok(list) => {
            let mut arns: Vec<String> =
                list.iter().map(|d| d.target_revision.clone()).filter(|a| !a.is_empty()).collect();
            arns.sort();
            arns.dedup();
            arns
        }
        Err(_) => Vec::new(),
    };
    let revisions =
        if revision_arns.is_empty() { Vec::new() } else { revisions(c, &revision_arns).await.unwrap_or_default() };
    let efs_id =
        snapshot.task_definitions.iter().flat_map(|t| t.volumes.iter()).find_map(|v| v.efs_file_system_id.clone());
    let platform = insight::read_platform_between(
        c,
        reading.load_balancer.as_deref(),
        cluster,
        service,
        efs_id,
        from_ms,
        to_ms + 1,
    )
    .await
    .map_err(why);
    let waf = match insight::find_acl(c, &snapshot.service.target_groups).await {
        Ok(found) => Ok(insight::waf_between(c, &found, from_ms, to_ms + 1).await),
        Err(e) => Err(why(e)),
    };
    let mut past = super::past::read(
        c,
        &budget,
        &snapshot,
        deployments.as_deref().unwrap_or_default(),
        &revisions,
        (from_ms, to_ms),
        now_ms(),
    )
    .await
    .map_err(why);
    // What the forgotten tasks' warmers left stands beside the listed tasks'.
    let mut lookups = reading.report_lookups;
    let mut warmer_output = HashMap::new();
    if let Ok(p) = &mut past {
        reports.extend(std::mem::take(&mut p.reports));
        lookups.extend(std::mem::take(&mut p.lookups));
        warmer_output = std::mem::take(&mut p.warmer_output);
    }
    let disc = Discovery {
        task_definitions: snapshot.task_definitions.clone(),
        tasks: snapshot.tasks.clone(),
        ..Discovery::default()
    };
    let logs = if with_trouble {
        trouble_lines(c, &disc, &budget, from_ms, to_ms).await.map_err(why)
    } else {
        Err("the console loads the window's lines in its log view".to_owned())
    };
    // A warmer that failed: its own words (`/bin/sh: GET: not found`), from its whole run.
    for t in snapshot.tasks.iter().filter(|t| t.warmer().and_then(|w| w.exit_code).is_some_and(|x| x != 0)) {
        if let Ok(lines) = super::past::warmer_lines(c, &disc, t, &budget, now_ms()).await {
            warmer_output.insert(t.id.as_str().to_owned(), lines);
        }
    }
    Ok(ReportFacts {
        account,
        snapshot,
        reports,
        lookups,
        deployments,
        revisions,
        platform,
        waf,
        logs,
        warmer_output,
        past,
        from_ms,
        to_ms,
    })
}

/// The window's php-fpm lines (few: its warnings, errors and the warm reports it relays) and
/// nginx's trouble, of the tasks ECS lists; sanitised and classified as the console's.
pub async fn trouble_lines(
    c: &Clients,
    disc: &Discovery,
    budget: &Budget,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<LogEvent>, AwsError> {
    let mut out = Vec::new();
    for (container, pattern) in [("php-fpm", None), ("nginx", Some(NGINX_TROUBLE.to_owned()))] {
        let scope = LogScope { containers: vec![container.to_owned()], task: None, generation: 0 };
        let mut cursor = Cursor::starting_at(scope, from_ms);
        // Every stream: tasks that ran in the window may be long stopped, and ECS forgets them.
        let step = Step { until_ms: Some(to_ms), max_pages: MAX_PAGES, pattern, every_stream: true, ..Step::default() };
        out.extend(poll_once(c, disc, &mut cursor, budget, &step, now_ms()).await?);
    }
    out.sort_by_key(|e| e.ts_ms);
    Ok(out)
}

/// What identifies the site in the report.
pub struct ReportSite<'a> {
    pub name: &'a str,
    pub region: &'a str,
    pub cluster: &'a str,
    pub service: &'a str,
    pub warm_limit_ms: i64,
}

impl ReportFacts {
    /// The window's tasks as they stood at its end: those ECS lists that lived in it, then
    /// those it forgot (`model::past`).
    pub fn tasks(&self) -> Vec<Task> {
        let forgotten = self.past.as_ref().map_or(&[][..], |p| p.tasks.as_slice());
        window_tasks(&self.snapshot.tasks, forgotten, self.from_ms, self.to_ms)
    }

    /// The service as read, with the window's tasks (as at its end) and the task definitions
    /// of the forgotten ones.
    pub fn window_snapshot(&self) -> ServiceSnapshot {
        let mut snap = self.snapshot.clone();
        snap.tasks = self.tasks();
        if let Ok(p) = &self.past {
            snap.task_definitions.extend(p.task_definitions.iter().cloned());
        }
        snap
    }

    /// The report: the findings as of the window's end (metrics up to it; the window's tasks as
    /// they stood then), then everything else over the window.
    pub fn report(&self, site: &ReportSite<'_>, generated_ms: i64) -> IncidentReport {
        let rules = HealthRules { warm_limit_ms: site.warm_limit_ms, ..HealthRules::default() };
        let evidence =
            |id: &str| WarmEvidence { report: self.reports.get(id), lookup: self.lookups.get(id), rewarm: None };
        let snapshot = self.window_snapshot();
        let assessment = assess(&RuntimeInputs {
            snapshot: &snapshot,
            platform: self.platform.as_ref().map_err(|e| format!("unreadable: {e}")),
            waf: Some(match &self.waf {
                Ok(Some(w)) => Ok(w),
                Ok(None) => Err("no web ACL on the load balancer".to_owned()),
                Err(e) => Err(format!("unreadable: {e}")),
            }),
            logs: Err("the report groups the window's log lines by shape below".to_owned()),
            evidence_for: &evidence,
            replacing: None,
            rollback_to: None,
            now_ms: self.to_ms.min(generated_ms),
            rules,
            past_window: true,
        });
        let mut unavailable = Vec::new();
        match &self.past {
            Ok(p) if p.cut => unavailable.push(
                "tasks ECS no longer lists: the log streams' listing stopped at its page limit; older tasks may be missing"
                    .to_owned(),
            ),
            Ok(_) => {}
            Err(e) => unavailable.push(format!("tasks ECS no longer lists: {e}")),
        }
        build(&ReportInputs {
            site: site.name,
            account: self.account.as_deref(),
            region: site.region,
            cluster: site.cluster,
            service: site.service,
            from_ms: self.from_ms,
            to_ms: self.to_ms,
            generated_ms,
            snapshot: &snapshot,
            assessment: &assessment,
            reports: &self.reports,
            lookups: &self.lookups,
            warm_limit_ms: site.warm_limit_ms,
            deployments: self.deployments.as_deref().map_err(Clone::clone),
            revisions: &self.revisions,
            platform: self.platform.as_ref().map_err(Clone::clone),
            waf: self.waf.as_ref().map(Option::as_ref).map_err(Clone::clone),
            logs: self.logs.as_deref().map_err(Clone::clone),
            warmer_output: &self.warmer_output,
            unavailable,
        })
    }

    /// What the console's window shows besides its lines: the report of it, the metrics, the
    /// WAF's picture and the service events.
    pub fn window(self, site: &ReportSite<'_>, generated_ms: i64) -> crate::model::window::WindowFacts {
        let report = self.report(site, generated_ms);
        let tasks = self.tasks();
        crate::model::window::WindowFacts {
            from_ms: self.from_ms,
            to_ms: self.to_ms,
            report,
            platform: self.platform,
            waf: self.waf,
            events: self.snapshot.service.events,
            stopped: crate::model::group_stopped(&tasks),
            tasks,
            reports: self.reports,
            lookups: self.lookups,
        }
    }
}
