//! ECS deployment history in the simulator: ListServiceDeployments, DescribeServiceDeployments
//! and DescribeServiceRevisions, from the service's deployment records (newest first).

use serde::Deserialize;
use serde_json::{Value, json};

use super::ecs::{cluster_name, service_name};
use super::ecs_shapes::{prune, running_pending, secs};
use super::{paginate, parse};
use crate::sim::ecs::types::{Deployment, Service, ServiceDeploymentRecord};
use crate::sim::error::ApiError;
use crate::sim::world::RegionWorld;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListReq {
    cluster: Option<String>,
    service: String,
    #[serde(default)]
    status: Vec<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

fn find_service<'a>(w: &'a RegionWorld, cluster: &str, service: &str) -> Result<&'a Service, ApiError> {
    w.clusters
        .get(cluster)
        .and_then(|c| c.services.get(service_name(service)))
        .ok_or_else(|| ApiError::client("ServiceNotFoundException", "Service not found."))
}

pub fn list_service_deployments(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: ListReq = parse(body)?;
    let cluster = cluster_name(w, req.cluster.as_deref())?;
    let svc = find_service(w, &cluster, &req.service)?;
    let briefs: Vec<Value> = svc
        .records
        .iter()
        .rev()
        .filter(|r| req.status.is_empty() || req.status.contains(&r.status))
        .map(|r| {
            prune(json!({
                "serviceDeploymentArn": r.arn,
                "serviceArn": svc.arn,
                "clusterArn": svc.cluster_arn,
                "startedAt": secs(r.started_at_ms),
                "createdAt": secs(r.created_at_ms),
                "finishedAt": r.finished_at_ms.map(secs),
                "targetServiceRevisionArn": r.target_revision,
                "status": r.status,
                "statusReason": r.status_reason,
            }))
        })
        .collect();
    let max = req.max_results.unwrap_or(20).clamp(1, 100) as usize;
    let (page, next) = paginate(&briefs, req.next_token.as_deref(), max)?;
    Ok(prune(json!({"serviceDeployments": page, "nextToken": next})))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ArnsReq {
    #[serde(default, alias = "serviceRevisionArns")]
    service_deployment_arns: Vec<String>,
}

/// `arn:aws:ecs:r:a:service-deployment/<cluster>/<service>/<id>` → (cluster, service).
fn owner_of(arn: &str) -> Option<(String, String)> {
    let rest = arn.split_once(":service-deployment/").or_else(|| arn.split_once(":service-revision/"))?.1;
    let mut parts = rest.split('/');
    Some((parts.next()?.to_string(), parts.next()?.to_string()))
}

/// The service revision a live deployment runs: its record's target, or for the circuit
/// breaker's rollback the revision it rolls back to. Two revisions may share a task definition
/// (a failed attempt at wordpress:42, then wordpress:42 again): counting by task definition
/// would give the running tasks to both.
fn revision_of<'a>(svc: &'a Service, d: &Deployment) -> Option<&'a str> {
    let record = svc.records.iter().find(|r| r.arn == d.service_deployment)?;
    if d.is_rollback {
        let rolled_back_to = record.rollback.as_ref().map(|r| r.2.as_str());
        return rolled_back_to.or(record.source_revisions.first().map(String::as_str));
    }
    Some(record.target_revision.as_str())
}

fn revision_counts(w: &RegionWorld, cluster: &str, svc: &Service, revision: &str) -> (usize, usize) {
    svc.deployments
        .iter()
        .filter(|d| revision_of(svc, d) == Some(revision))
        .map(|d| running_pending(w, cluster, &svc.name, Some(&d.id)))
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

fn record_json(w: &RegionWorld, cluster: &str, svc: &Service, r: &ServiceDeploymentRecord) -> Value {
    let sources: Vec<Value> = r
        .source_revisions
        .iter()
        .map(|arn| {
            let (running, pending) = revision_counts(w, cluster, svc, arn);
            json!({"arn": arn, "requestedTaskCount": 0, "runningTaskCount": running, "pendingTaskCount": pending})
        })
        .collect();
    let (running, pending) = revision_counts(w, cluster, svc, &r.target_revision);
    let breaker_status = match r.status.as_str() {
        "ROLLBACK_IN_PROGRESS" | "ROLLBACK_SUCCESSFUL" | "ROLLBACK_FAILED" => "TRIGGERED",
        "IN_PROGRESS" | "PENDING" => "MONITORING",
        _ => "MONITORING_COMPLETE",
    };
    let rollback = r
        .rollback
        .as_ref()
        .map(|(reason, at, rev)| json!({"reason": reason, "startedAt": secs(*at), "serviceRevisionArn": rev}));
    prune(json!({
        "serviceDeploymentArn": r.arn,
        "serviceArn": svc.arn,
        "clusterArn": svc.cluster_arn,
        "createdAt": secs(r.created_at_ms),
        "startedAt": secs(r.started_at_ms),
        "finishedAt": r.finished_at_ms.map(secs),
        "updatedAt": secs(r.finished_at_ms.unwrap_or(w.now_ms)),
        "sourceServiceRevisions": sources,
        "targetServiceRevision": {"arn": r.target_revision, "requestedTaskCount": svc.desired, "runningTaskCount": running, "pendingTaskCount": pending},
        "status": r.status,
        "statusReason": r.status_reason,
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": svc.circuit_breaker, "rollback": svc.rollback},
            "maximumPercent": svc.max_percent,
            "minimumHealthyPercent": svc.min_healthy_percent,
        },
        "rollback": rollback,
        "deploymentCircuitBreaker": {"status": breaker_status, "failureCount": r.failure_count, "threshold": r.threshold},
    }))
}

pub fn describe_service_deployments(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: ArnsReq = parse(body)?;
    if req.service_deployment_arns.is_empty() || req.service_deployment_arns.len() > 20 {
        return Err(ApiError::invalid_parameter("serviceDeploymentArns must contain between 1 and 20 items."));
    }
    let mut found = Vec::new();
    let mut failures = Vec::new();
    for arn in &req.service_deployment_arns {
        let hit = owner_of(arn).and_then(|(c, s)| {
            let svc = w.clusters.get(&c)?.services.get(&s)?;
            let r = svc.records.iter().find(|r| &r.arn == arn)?;
            Some(record_json(w, &c, svc, r))
        });
        match hit {
            Some(v) => found.push(v),
            None => failures.push(json!({"arn": arn, "reason": "MISSING"})),
        }
    }
    Ok(json!({"serviceDeployments": found, "failures": failures}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RevisionsReq {
    #[serde(default)]
    service_revision_arns: Vec<String>,
}

pub fn describe_service_revisions(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: RevisionsReq = parse(body)?;
    if req.service_revision_arns.is_empty() || req.service_revision_arns.len() > 20 {
        return Err(ApiError::invalid_parameter("serviceRevisionArns must contain between 1 and 20 items."));
    }
    let mut found = Vec::new();
    let mut failures = Vec::new();
    for arn in &req.service_revision_arns {
        let hit = owner_of(arn).and_then(|(c, s)| {
            let svc = w.clusters.get(&c)?.services.get(&s)?;
            let rev = svc.revisions.iter().find(|r| &r.arn == arn)?;
            let td = w.find_task_def(&rev.task_def)?;
            let images: Vec<Value> = td
                .containers
                .iter()
                .map(|cd| json!({"containerName": cd.name, "image": cd.image, "imageDigest": td.digests.get(&cd.name)}))
                .collect();
            let lbs: Vec<Value> = svc.target_group_arn.iter().map(|tg| json!({"targetGroupArn": tg, "containerName": "nginx", "containerPort": 80})).collect();
            Some(json!({
                "serviceRevisionArn": rev.arn,
                "serviceArn": svc.arn,
                "clusterArn": svc.cluster_arn,
                "taskDefinition": rev.task_def,
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "loadBalancers": lbs,
                "networkConfiguration": {"awsvpcConfiguration": {"subnets": svc.subnets, "securityGroups": svc.security_groups, "assignPublicIp": "DISABLED"}},
                "containerImages": images,
                "guardDutyEnabled": false,
                "createdAt": secs(rev.created_at_ms),
            }))
        });
        match hit {
            Some(v) => found.push(v),
            None => failures.push(json!({"arn": arn, "reason": "MISSING"})),
        }
    }
    Ok(json!({"serviceRevisions": found, "failures": failures}))
}
