//! `wpops status`: reads the service through the one reader (`feed::read`, `Depth::STATUS`:
//! tasks, task definitions, target health, warm reports and the load balancer), the ALB's
//! recent 5xx and the platform's CloudWatch numbers (`feed::insight::read_platform`), and turns
//! them into the findings, the health verdict and its exit code. Rendering lives in `view.rs`;
//! the fleet (`--all`) in `cli/fleet`. No domain rules here: those are `model::findings`.

pub mod view;

use std::collections::HashMap;
use std::sync::Arc;

use crate::aws::{AwsError, Clients};
use crate::feed::alb::{self, Alb5xx};
use crate::feed::budget::Budget;
use crate::feed::insight;
use crate::feed::now_ms;
use crate::feed::read::{Depth, ServiceReader};
use crate::model::findings::{Assessment, RuntimeInputs, assess};
use crate::model::{FoundReport, HealthRules, PlatformMetrics, ReportLookup, ServiceSnapshot, WarmEvidence};

use super::args::{Global, Output, StatusArgs};
use super::config::ResolvedSite;
use super::connect;
use super::failure::{Failure, Outcome};
use super::output::{self, Style};

/// Why some findings' data is missing from `wpops status`.
const NOT_READ: &str = "not read by wpops status: the console reads it";

/// The platform metrics' window: the response-time baseline and before/after a deployment.
const PLATFORM_WINDOW_MS: i64 = 3 * 3_600_000;

/// The ALB 5xx window.
pub const ALB_WINDOW_MS: i64 = 5 * 60_000;

/// Everything `wpops status` knows about a site.
#[derive(Debug, Clone, Default)]
pub struct StatusFacts {
    /// The service, its tasks (running oldest first, then stopped newest first) and targets.
    pub snapshot: ServiceSnapshot,
    pub reports: HashMap<String, FoundReport>,
    /// Where the report lookup stands for tasks without a report.
    pub report_lookups: HashMap<String, ReportLookup>,
    /// `Err` carries why the metric could not be read (the verdict does not depend on it).
    pub alb_5xx: Option<Result<Alb5xx, String>>,
    /// The platform's numbers over the last three hours (ALB, ECS, EFS), or why not (`None`:
    /// not read).
    pub platform: Option<Result<PlatformMetrics, String>>,
    /// When the reads started and finished.
    pub started_ms: i64,
    pub fetched_ms: i64,
}

impl StatusFacts {
    /// The findings and the verdict under the site's warming limit. `wpops status` reads no
    /// log lines and no WAF picture (the console does): the findings say so.
    pub fn assess(&self, site: &ResolvedSite, now: i64) -> Assessment {
        let rules = HealthRules { warm_limit_ms: site.warming.limit_secs as i64 * 1000, ..HealthRules::default() };
        let evidence = |id: &str| self.evidence(id);
        assess(&RuntimeInputs {
            snapshot: &self.snapshot,
            platform: match &self.platform {
                Some(Ok(p)) => Ok(p),
                Some(Err(e)) => Err(format!("unreadable: {e}")),
                None => Err(NOT_READ.to_owned()),
            },
            waf: Some(Err(NOT_READ.to_owned())),
            logs: Err(NOT_READ.to_owned()),
            evidence_for: &evidence,
            replacing: None,
            rollback_to: None,
            now_ms: now,
            rules,
            past_window: false,
        })
    }

    /// A task's report and where its lookup stands (`wpops status` sees no re-warms).
    pub fn evidence(&self, task_id: &str) -> WarmEvidence<'_> {
        WarmEvidence { report: self.reports.get(task_id), lookup: self.report_lookups.get(task_id), rewarm: None }
    }
}

pub async fn run(args: StatusArgs, global: &Global) -> Outcome {
    if args.all {
        return super::fleet::run(args, global).await;
    }
    let session = connect::open("status", global).await?;
    let facts = match fetch(&session.clients, &session.site.cluster, &session.site.service).await {
        Ok(f) => f,
        Err(e) => return Err(Failure::aws("status", &e, session.profile())),
    };
    let now = now_ms();
    let assessment = facts.assess(&session.site, now);
    let code = assessment.health.exit_code().clamp(0, 1) as u8;
    let written = match args.output {
        Output::Json => output::print_json(&view::json(&session.site, &facts, &assessment, now)),
        Output::Text => output::print_lines(&view::text(&session.site, &facts, &assessment, now, Style::detect())),
    };
    Ok(if written { code } else { super::exit::OK })
}

/// Reads all the facts through the reader, then the load balancer's 5xx.
pub async fn fetch(c: &Clients, cluster: &str, service: &str) -> Result<StatusFacts, AwsError> {
    // CloudWatch Logs allows about five requests a second per account and region.
    let reader = ServiceReader::new(c.clone(), Arc::new(Budget::new(5.0, 5.0)));
    let reading = reader.read(cluster, service, Depth::STATUS).await?;
    if let Some(e) = reading.targets_error {
        return Err(e);
    }
    let alb_5xx = match (&reading.load_balancer, &reading.edge_error) {
        (_, Some(e)) => Some(Err(e.report(c.profile.as_deref()))),
        (Some(lb), None) => Some(alb::alb_5xx(c, lb, ALB_WINDOW_MS).await.map_err(|e| e.report(c.profile.as_deref()))),
        (None, None) if reading.snapshot.service.target_groups.is_empty() => None,
        (None, None) => Some(Ok(Alb5xx::default())),
    };
    let efs_id = reading
        .snapshot
        .task_definitions
        .iter()
        .flat_map(|t| t.volumes.iter())
        .find_map(|v| v.efs_file_system_id.clone());
    let platform =
        insight::read_platform(c, reading.load_balancer.as_deref(), cluster, service, efs_id, PLATFORM_WINDOW_MS)
            .await
            .map_err(|e| e.report(c.profile.as_deref()));
    let platform = Some(platform);
    Ok(StatusFacts {
        platform,
        snapshot: reading.snapshot,
        reports: reading.reports,
        report_lookups: reading.report_lookups,
        alb_5xx,
        started_ms: reading.started_ms,
        fetched_ms: now_ms(),
    })
}
