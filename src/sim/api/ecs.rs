//! ECS (awsJson1_1) in the simulator: operation dispatch and the cluster and service operations
//! (ListClusters, ListServices, DescribeServices, UpdateService). Tasks and task definitions are
//! in `ecs_tasks.rs`, deployment history in `ecs_history.rs`.

use serde::Deserialize;
use serde_json::{Value, json};

use super::ecs_shapes as shapes;
use super::{Caller, Reply, paginate, parse};
use crate::sim::ecs::scheduler;
use crate::sim::error::ApiError;
use crate::sim::world::RegionWorld;

use super::ecs_history as history;
use super::ecs_tasks as tasks;

pub fn handle(w: &mut RegionWorld, _caller: &Caller, op: &str, body: &[u8]) -> Result<Reply, ApiError> {
    let v = match op {
        "ListClusters" => list_clusters(w, body)?,
        "ListServices" => list_services(w, body)?,
        "DescribeServices" => describe_services(w, body)?,
        "UpdateService" => update_service(w, body)?,
        "ListTasks" => tasks::list_tasks(w, body)?,
        "DescribeTasks" => tasks::describe_tasks(w, body)?,
        "DescribeTaskDefinition" => tasks::describe_task_definition(w, body)?,
        "ListTaskDefinitions" => tasks::list_task_definitions(w, body)?,
        "RegisterTaskDefinition" => tasks::register_task_definition(w, body)?,
        "RunTask" => tasks::run_task(w, body)?,
        "StopTask" => tasks::stop_task(w, body)?,
        "ListServiceDeployments" => history::list_service_deployments(w, body)?,
        "DescribeServiceDeployments" => history::describe_service_deployments(w, body)?,
        "DescribeServiceRevisions" => history::describe_service_revisions(w, body)?,
        _ => return Err(ApiError::unknown_operation(op)),
    };
    Ok(Reply::Json(v))
}

/// The cluster name from a name or ARN (`default` when absent), checked to exist.
pub(crate) fn cluster_name(w: &RegionWorld, cluster: Option<&str>) -> Result<String, ApiError> {
    let raw = cluster.unwrap_or("default");
    let name = raw.rsplit_once(":cluster/").map(|(_, n)| n).unwrap_or(raw);
    if w.clusters.contains_key(name) {
        Ok(name.to_string())
    } else {
        Err(ApiError::client("ClusterNotFoundException", "Cluster not found."))
    }
}

/// A service name from a name or ARN.
pub(crate) fn service_name(raw: &str) -> &str {
    raw.rsplit('/').next().unwrap_or(raw)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ListReq {
    cluster: Option<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
    launch_type: Option<String>,
}

fn max_results(m: Option<i64>, default: usize) -> Result<usize, ApiError> {
    match m {
        None => Ok(default),
        Some(n) if (1..=100).contains(&n) => Ok(n as usize),
        Some(n) => Err(ApiError::invalid_parameter(format!("maxResults must be between 1 and 100, got {n}"))),
    }
}

fn list_clusters(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: ListReq = parse(body)?;
    let arns: Vec<String> = w.clusters.values().map(|c| c.arn.clone()).collect();
    let (page, next) = paginate(&arns, req.next_token.as_deref(), max_results(req.max_results, 100)?)?;
    Ok(shapes::prune(json!({"clusterArns": page, "nextToken": next})))
}

fn list_services(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: ListReq = parse(body)?;
    let _ = req.launch_type;
    let cluster = cluster_name(w, req.cluster.as_deref())?;
    let arns: Vec<String> = w.clusters[&cluster].services.values().map(|s| s.arn.clone()).collect();
    let (page, next) = paginate(&arns, req.next_token.as_deref(), max_results(req.max_results, 10)?)?;
    Ok(shapes::prune(json!({"serviceArns": page, "nextToken": next})))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DescribeServicesReq {
    cluster: Option<String>,
    services: Vec<String>,
}

fn describe_services(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: DescribeServicesReq = parse(body)?;
    let cluster = cluster_name(w, req.cluster.as_deref())?;
    if req.services.is_empty() || req.services.len() > 10 {
        return Err(ApiError::invalid_parameter("services must contain between 1 and 10 items."));
    }
    let mut services = Vec::new();
    let mut failures = Vec::new();
    for s in &req.services {
        match w.clusters[&cluster].services.get(service_name(s)) {
            Some(svc) => services.push(shapes::service(w, &cluster, svc)),
            None => failures.push(
                json!({"arn": w.arn("ecs", &format!("service/{cluster}/{}", service_name(s))), "reason": "MISSING"}),
            ),
        }
    }
    Ok(json!({"services": services, "failures": failures}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateServiceReq {
    cluster: Option<String>,
    service: String,
    desired_count: Option<i32>,
    task_definition: Option<String>,
    #[serde(default)]
    force_new_deployment: bool,
}

fn update_service(w: &mut RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: UpdateServiceReq = parse(body)?;
    let cluster = cluster_name(w, req.cluster.as_deref())?;
    let name = service_name(&req.service).to_string();
    let current_td = match w.clusters[&cluster].services.get(&name) {
        Some(s) => s.task_def.clone(),
        None => {
            return Err(ApiError::client("ServiceNotFoundException", "Service not found."));
        }
    };
    let new_td = match &req.task_definition {
        Some(r) => Some(
            w.find_task_def(r)
                .map(|t| t.arn.clone())
                .ok_or_else(|| ApiError::client("ClientException", "TaskDefinition not found."))?,
        ),
        None => None,
    };
    if let Some(n) = req.desired_count {
        if n < 0 {
            return Err(ApiError::invalid_parameter("desiredCount must be non-negative."));
        }
        if let Some(s) = w.clusters.get_mut(&cluster).and_then(|c| c.services.get_mut(&name)) {
            s.desired = n;
            if let Some(d) = s.deployments.first_mut() {
                d.desired = n;
            }
        }
    }
    let changed_td = new_td.as_ref().is_some_and(|t| *t != current_td);
    if req.force_new_deployment || changed_td {
        let td = new_td.unwrap_or(current_td);
        scheduler::start_deployment(w, &cluster, &name, &td);
    }
    let svc = w.clusters[&cluster]
        .services
        .get(&name)
        .ok_or_else(|| ApiError::client("ServiceNotFoundException", "Service not found."))?;
    Ok(json!({"service": shapes::service(w, &cluster, svc)}))
}
