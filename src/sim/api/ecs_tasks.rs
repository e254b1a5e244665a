//! ECS task and task-definition operations of the simulator: ListTasks, DescribeTasks,
//! DescribeTaskDefinition, ListTaskDefinitions, RegisterTaskDefinition (keeping every field
//! wpops reads, as AWS echoes them), RunTask (overrides kept
//! as sent and echoed, task-level `cpu`/`memory` overrides sizing the task, idempotent
//! `clientToken`) and StopTask.

use serde::Deserialize;
use serde_json::{Value, json};

use super::ecs::{cluster_name, service_name};
use super::ecs_shapes as shapes;
use super::{paginate, parse};
use crate::sim::ecs::lifecycle;
use crate::sim::ecs::taskdefs;
use crate::sim::ecs::types::{ContainerBehaviour, ContainerDef, TaskDef, VolumeDef, WarmTarget};
use crate::sim::error::ApiError;
use crate::sim::world::RegionWorld;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListTasksReq {
    cluster: Option<String>,
    service_name: Option<String>,
    family: Option<String>,
    started_by: Option<String>,
    desired_status: Option<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

pub fn list_tasks(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: ListTasksReq = parse(body)?;
    let cluster = cluster_name(w, req.cluster.as_deref())?;
    let c = &w.clusters[&cluster];
    if let Some(s) = &req.service_name
        && !c.services.contains_key(service_name(s))
    {
        return Err(ApiError::client("ServiceNotFoundException", "Service not found."));
    }
    let want_running = match req.desired_status.as_deref() {
        None | Some("RUNNING") => true,
        Some("STOPPED") => false,
        Some("PENDING") => true,
        Some(other) => {
            return Err(ApiError::invalid_parameter(format!("Invalid desiredStatus {other}")));
        }
    };
    let mut tasks: Vec<_> = c
        .tasks
        .values()
        .filter(|t| t.desired_running == want_running)
        .filter(|t| req.service_name.as_deref().is_none_or(|s| t.service.as_deref() == Some(service_name(s))))
        .filter(|t| req.started_by.as_deref().is_none_or(|s| t.started_by.as_deref() == Some(s)))
        .filter(|t| {
            req.family.as_deref().is_none_or(|f| {
                t.task_def.rsplit_once("task-definition/").is_some_and(|(_, n)| n.split(':').next() == Some(f))
            })
        })
        .collect();
    tasks.sort_by_key(|t| (t.created_at_ms, t.id.clone()));
    let arns: Vec<String> = tasks.iter().map(|t| t.arn.clone()).collect();
    let max = match req.max_results {
        None => 100,
        Some(n) if (1..=100).contains(&n) => n as usize,
        Some(n) => {
            return Err(ApiError::invalid_parameter(format!("maxResults must be between 1 and 100, got {n}")));
        }
    };
    let (page, next) = paginate(&arns, req.next_token.as_deref(), max)?;
    Ok(shapes::prune(json!({"taskArns": page, "nextToken": next})))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DescribeTasksReq {
    cluster: Option<String>,
    tasks: Vec<String>,
}

pub fn describe_tasks(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: DescribeTasksReq = parse(body)?;
    let cluster = cluster_name(w, req.cluster.as_deref())?;
    if req.tasks.is_empty() || req.tasks.len() > 100 {
        return Err(ApiError::invalid_parameter("Tasks cannot be empty and can have at most 100 items."));
    }
    let c = &w.clusters[&cluster];
    let mut tasks = Vec::new();
    let mut failures = Vec::new();
    for r in &req.tasks {
        let id = r.rsplit('/').next().unwrap_or(r);
        match c.tasks.get(id) {
            Some(t) => tasks.push(shapes::task(w, t)),
            None => failures.push(json!({"arn": r, "reason": "MISSING"})),
        }
    }
    Ok(json!({"tasks": tasks, "failures": failures}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DescribeTdReq {
    task_definition: String,
}

pub fn describe_task_definition(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: DescribeTdReq = parse(body)?;
    let td = w
        .find_task_def(&req.task_definition)
        .ok_or_else(|| ApiError::client("ClientException", "Unable to describe task definition."))?;
    Ok(json!({"taskDefinition": shapes::task_definition(w, td), "tags": []}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListTdReq {
    family_prefix: Option<String>,
    sort: Option<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

pub fn list_task_definitions(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: ListTdReq = parse(body)?;
    let mut arns: Vec<String> = w
        .task_defs
        .iter()
        .filter(|(f, _)| req.family_prefix.as_deref().is_none_or(|p| f.starts_with(p)))
        .flat_map(|(_, v)| v.iter().map(|t| t.arn.clone()))
        .collect();
    if req.sort.as_deref() == Some("DESC") {
        arns.reverse();
    }
    let max = req.max_results.unwrap_or(100).clamp(1, 100) as usize;
    let (page, next) = paginate(&arns, req.next_token.as_deref(), max)?;
    Ok(shapes::prune(json!({"taskDefinitionArns": page, "nextToken": next})))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyValue {
    name: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LogConfigReq {
    log_driver: String,
    #[serde(default)]
    options: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SecretReq {
    name: String,
    value_from: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DependsOnReq {
    container_name: String,
    condition: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MountPointReq {
    source_volume: Option<String>,
    container_path: Option<String>,
    read_only: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EfsReq {
    file_system_id: String,
    root_directory: Option<String>,
    transit_encryption: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VolumeReq {
    name: String,
    efs_volume_configuration: Option<EfsReq>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContainerDefReq {
    name: String,
    image: String,
    essential: Option<bool>,
    readonly_root_filesystem: Option<bool>,
    #[serde(default)]
    command: Vec<String>,
    #[serde(default)]
    environment: Vec<KeyValue>,
    log_configuration: Option<LogConfigReq>,
    cpu: Option<i32>,
    memory: Option<i32>,
    memory_reservation: Option<i32>,
    #[serde(default)]
    entry_point: Vec<String>,
    #[serde(default)]
    secrets: Vec<SecretReq>,
    privileged: Option<bool>,
    #[serde(default)]
    depends_on: Vec<DependsOnReq>,
    #[serde(default)]
    mount_points: Vec<MountPointReq>,
    health_check: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RegisterReq {
    family: String,
    container_definitions: Vec<ContainerDefReq>,
    cpu: Option<String>,
    memory: Option<String>,
    execution_role_arn: Option<String>,
    task_role_arn: Option<String>,
    #[serde(default)]
    volumes: Vec<VolumeReq>,
}

pub fn register_task_definition(w: &mut RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: RegisterReq = parse(body)?;
    if req.family.is_empty() || req.container_definitions.is_empty() {
        return Err(ApiError::client("ClientException", "Family and container definitions are required."));
    }
    let containers = req
        .container_definitions
        .into_iter()
        .map(|c| {
            let log_driver = c.log_configuration.as_ref().map(|l| l.log_driver.clone());
            let opts = c.log_configuration.map(|l| l.options).unwrap_or_default();
            let warmer = c.name.contains("warm");
            ContainerDef {
                essential: c.essential.unwrap_or(true),
                readonly_root: c.readonly_root_filesystem.unwrap_or(false),
                depends_on: c.depends_on.into_iter().map(|d| (d.container_name, d.condition)).collect(),
                memory_reservation: c.memory_reservation.unwrap_or(0),
                entry_point: c.entry_point,
                secrets: c.secrets.into_iter().map(|s| (s.name, s.value_from)).collect(),
                privileged: c.privileged.unwrap_or(false),
                log_driver,
                log_mode: opts.get("mode").cloned(),
                command: c.command,
                environment: c
                    .environment
                    .into_iter()
                    .map(|kv| (kv.name.unwrap_or_default(), kv.value.unwrap_or_default()))
                    .collect(),
                log_group: opts.get("awslogs-group").cloned().unwrap_or_default(),
                log_prefix: opts.get("awslogs-stream-prefix").cloned().unwrap_or_default(),
                mount_points: c
                    .mount_points
                    .into_iter()
                    .map(|m| {
                        (
                            m.source_volume.unwrap_or_default(),
                            m.container_path.unwrap_or_default(),
                            m.read_only.unwrap_or(false),
                        )
                    })
                    .collect(),
                health_check: c.health_check.is_some(),
                behaviour: if warmer { ContainerBehaviour::Warmer } else { ContainerBehaviour::Server },
                cpu: c.cpu.unwrap_or(0),
                memory: c.memory.unwrap_or(0),
                name: c.name,
                image: c.image,
            }
        })
        .collect();
    let td = TaskDef {
        family: req.family,
        revision: 0,
        arn: String::new(),
        containers,
        cpu: req.cpu.unwrap_or_else(|| "256".into()),
        memory: req.memory.unwrap_or_else(|| "512".into()),
        execution_role: req.execution_role_arn.unwrap_or_default(),
        task_role: req.task_role_arn.unwrap_or_default(),
        volumes: req
            .volumes
            .into_iter()
            .map(|v| match v.efs_volume_configuration {
                Some(e) => VolumeDef {
                    name: v.name,
                    efs: Some(e.file_system_id),
                    root_directory: e.root_directory,
                    transit_encryption: e.transit_encryption.as_deref() == Some("ENABLED"),
                },
                None => VolumeDef::bind(&v.name),
            })
            .collect(),
        registered_at_ms: w.now_ms,
        status: "ACTIVE".into(),
        digests: Default::default(),
        fails_health_checks: false,
        warmer_exit: 0,
        warmer_failures: 0,
    };
    let arn = taskdefs::register(w, td);
    let td = w.find_task_def(&arn).ok_or_else(ApiError::internal)?;
    Ok(json!({"taskDefinition": shapes::task_definition(w, td), "tags": []}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContainerOverrideReq {
    name: Option<String>,
    #[serde(default)]
    command: Vec<String>,
    #[serde(default)]
    environment: Vec<KeyValue>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct OverridesReq {
    #[serde(default)]
    container_overrides: Vec<ContainerOverrideReq>,
    cpu: Option<String>,
    memory: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunTaskReq {
    cluster: Option<String>,
    task_definition: String,
    count: Option<i32>,
    started_by: Option<String>,
    group: Option<String>,
    overrides: Option<Value>,
    client_token: Option<String>,
    network_configuration: Option<Value>,
}

/// Finds the warm target URL in a one-off warmer's overrides: a `TARGET_URL`/`WARM_URL`
/// environment variable or the first `http://` argument of the command.
fn warm_target(overrides: &OverridesReq) -> Option<WarmTarget> {
    for o in &overrides.container_overrides {
        let from_env = o
            .environment
            .iter()
            .find(|kv| matches!(kv.name.as_deref(), Some("TARGET_URL" | "WARM_URL")))
            .and_then(|kv| kv.value.clone());
        let from_cmd = o.command.iter().find(|a| a.starts_with("http://") || a.starts_with("https://")).cloned();
        if let Some(url) = from_env.or(from_cmd) {
            let host = url.split("://").nth(1).unwrap_or("").split(['/', ':']).next().unwrap_or("").to_string();
            let _ = &o.name;
            return Some(WarmTarget { url, ip: host });
        }
    }
    None
}

pub fn run_task(w: &mut RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: RunTaskReq = parse(body)?;
    let cluster = cluster_name(w, req.cluster.as_deref())?;
    if req.network_configuration.is_none() {
        return Err(ApiError::invalid_parameter(
            "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
        ));
    }
    let td = w
        .find_task_def(&req.task_definition)
        .map(|t| t.arn.clone())
        .ok_or_else(|| ApiError::client("ClientException", "TaskDefinition not found."))?;
    if let Some(arns) = req.client_token.as_ref().and_then(|t| w.run_tokens.get(t)) {
        let c = &w.clusters[&cluster];
        let tasks: Vec<Value> = arns
            .iter()
            .filter_map(|a| c.tasks.get(a.rsplit('/').next().unwrap_or("")))
            .map(|t| shapes::task(w, t))
            .collect();
        return Ok(json!({"tasks": tasks, "failures": []}));
    }
    let count = req.count.unwrap_or(1);
    if !(1..=10).contains(&count) {
        return Err(ApiError::invalid_parameter("count must be between 1 and 10."));
    }
    let overrides: OverridesReq = match &req.overrides {
        Some(o) => serde_json::from_value(o.clone()).map_err(|e| ApiError::malformed(e.to_string()))?,
        None => OverridesReq::default(),
    };
    for (what, v) in [("cpu", &overrides.cpu), ("memory", &overrides.memory)] {
        if v.as_ref().is_some_and(|v| !v.parse::<u32>().is_ok_and(|n| n > 0)) {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid '{what}' setting for task: {}.",
                v.as_deref().unwrap_or_default()
            )));
        }
    }
    let target = warm_target(&overrides);
    let family =
        td.rsplit_once("task-definition/").map(|(_, n)| n.split(':').next().unwrap_or("")).unwrap_or("").to_string();
    let group = req.group.unwrap_or_else(|| format!("family:{family}"));
    let mut arns = Vec::new();
    for _ in 0..count {
        let Some(id) = lifecycle::create_task(w, &cluster, &td, None, None, req.started_by.clone(), group.clone())
        else {
            continue;
        };
        if let Some(t) = w.clusters.get_mut(&cluster).and_then(|c| c.tasks.get_mut(&id)) {
            t.warm_target = target.clone();
            t.overrides = req.overrides.clone();
            if let Some(cpu) = &overrides.cpu {
                t.cpu = cpu.clone();
            }
            if let Some(memory) = &overrides.memory {
                t.memory = memory.clone();
            }
            arns.push(t.arn.clone());
        }
    }
    if let Some(token) = req.client_token {
        w.run_tokens.insert(token, arns.clone());
    }
    let c = &w.clusters[&cluster];
    let tasks: Vec<Value> = arns
        .iter()
        .filter_map(|a| c.tasks.get(a.rsplit('/').next().unwrap_or("")))
        .map(|t| shapes::task(w, t))
        .collect();
    Ok(json!({"tasks": tasks, "failures": []}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StopTaskReq {
    cluster: Option<String>,
    task: String,
    reason: Option<String>,
}

pub fn stop_task(w: &mut RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: StopTaskReq = parse(body)?;
    let cluster = cluster_name(w, req.cluster.as_deref())?;
    let id = req.task.rsplit('/').next().unwrap_or(&req.task).to_string();
    if !w.clusters[&cluster].tasks.contains_key(&id) {
        return Err(ApiError::invalid_parameter("The referenced task was not found."));
    }
    let reason = req.reason.unwrap_or_else(|| "Task stopped by user".into());
    lifecycle::stop_task(w, &cluster, &id, &reason, "UserInitiated");
    let t = &w.clusters[&cluster].tasks[&id];
    Ok(json!({"task": shapes::task(w, t)}))
}
