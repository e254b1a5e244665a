//! JSON wire shapes of the simulated ECS (awsJson1_1, camelCase, timestamps as epoch seconds):
//! tasks, containers, services, deployments, task definitions and deployment history.

use serde_json::{Value, json};

use crate::sim::ecs::types::*;
use crate::sim::world::RegionWorld;

/// Epoch milliseconds as the JSON protocols' epoch seconds.
pub fn secs(ms: i64) -> Value {
    json!(ms as f64 / 1000.0)
}

fn opt_secs(ms: Option<i64>) -> Value {
    ms.map(secs).unwrap_or(Value::Null)
}

/// Drops null members so optional fields are absent, as AWS sends them.
pub fn prune(mut v: Value) -> Value {
    if let Value::Object(map) = &mut v {
        map.retain(|_, x| !x.is_null());
        for x in map.values_mut() {
            *x = prune(std::mem::take(x));
        }
    } else if let Value::Array(items) = &mut v {
        for x in items.iter_mut() {
            *x = prune(std::mem::take(x));
        }
    }
    v
}

pub fn task(w: &RegionWorld, t: &Task) -> Value {
    let cluster_arn = w.arn("ecs", &format!("cluster/{}", t.cluster));
    let td = w.find_task_def(&t.task_def);
    let containers: Vec<Value> = t
        .containers
        .iter()
        .map(|c| {
            let def = td.and_then(|td| td.containers.iter().find(|d| d.name == c.name));
            json!({
                "containerArn": w.arn("ecs", &format!("container/{}/{}/{}", t.cluster, t.id, c.name)),
                "taskArn": t.arn,
                "name": c.name,
                "image": c.image,
                "imageDigest": if c.last_status == "PENDING" { Value::Null } else { json!(c.digest) },
                "runtimeId": format!("{}-{}", t.id, c.name.len()),
                "lastStatus": c.last_status,
                "exitCode": c.exit_code,
                "reason": c.reason,
                "healthStatus": c.health,
                "networkInterfaces": [{"attachmentId": format!("eni-attach-{}", &t.id[..12]), "privateIpv4Address": t.ip}],
                "cpu": def.map_or_else(|| "0".to_string(), |d| d.cpu.to_string()),
                "memory": def.filter(|d| d.memory > 0).map(|d| d.memory.to_string()),
            })
        })
        .collect();
    let stopping = if t.desired_running { Value::Null } else { opt_secs(t.stopping_at_ms) };
    prune(json!({
        "taskArn": t.arn,
        "clusterArn": cluster_arn,
        "taskDefinitionArn": t.task_def,
        "containerInstanceArn": null,
        "lastStatus": t.phase.as_str(),
        "desiredStatus": if t.desired_running { "RUNNING" } else { "STOPPED" },
        "healthStatus": t.health,
        "cpu": t.cpu,
        "memory": t.memory,
        "launchType": "FARGATE",
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "availabilityZone": t.az,
        "group": t.group,
        "startedBy": t.started_by,
        "createdAt": secs(t.created_at_ms),
        "pullStartedAt": opt_secs(t.pull_started_ms),
        "pullStoppedAt": t.started_at_ms.map(|s| secs(s - 1_500)),
        "startedAt": opt_secs(t.started_at_ms),
        "stoppingAt": stopping,
        "executionStoppedAt": if t.phase >= TaskPhase::Deprovisioning { opt_secs(t.stopping_at_ms.map(|s| s + 2_000)) } else { Value::Null },
        "stoppedAt": opt_secs(t.stopped_at_ms),
        "stoppedReason": t.stopped_reason,
        "stopCode": t.stop_code,
        "connectivity": if t.phase >= TaskPhase::Pending { json!("CONNECTED") } else { Value::Null },
        "version": 3,
        "attachments": [{
            "id": format!("{}-eni", &t.id[..8]),
            "type": "ElasticNetworkInterface",
            "status": if t.phase == TaskPhase::Stopped { "DELETED" } else { "ATTACHED" },
            "details": [
                {"name": "subnetId", "value": t.subnet},
                {"name": "networkInterfaceId", "value": format!("eni-0{}", &t.id[..16])},
                {"name": "macAddress", "value": "0a:1b:2c:3d:4e:5f"},
                {"name": "privateDNSName", "value": format!("ip-{}.{}.compute.internal", t.ip.replace('.', "-"), w.region)},
                {"name": "privateIPv4Address", "value": t.ip}
            ]
        }],
        "containers": containers,
        "overrides": overrides(t),
        "tags": [],
    }))
}

/// The task's overrides as RunTask was sent them (`containerOverrides` is always there, as ECS
/// sends it); none sent is no override.
fn overrides(t: &Task) -> Value {
    let mut o = t.overrides.clone().filter(Value::is_object).unwrap_or_else(|| json!({}));
    if let Value::Object(map) = &mut o {
        map.entry("containerOverrides").or_insert_with(|| json!([]));
    }
    o
}

fn deployment(d: &Deployment, primary: bool, counts: (usize, usize), svc: &Service) -> Value {
    json!({
        "id": d.id,
        "status": if primary { "PRIMARY" } else { "ACTIVE" },
        "taskDefinition": d.task_def,
        "desiredCount": d.desired,
        "pendingCount": counts.1,
        "runningCount": counts.0,
        "failedTasks": d.failed_tasks,
        "createdAt": secs(d.created_at_ms),
        "updatedAt": secs(d.updated_at_ms),
        "launchType": "FARGATE",
        "platformVersion": "1.4.0",
        "rolloutState": d.rollout.as_str(),
        "rolloutStateReason": d.rollout_reason,
        "networkConfiguration": network(svc),
    })
}

fn network(svc: &Service) -> Value {
    let public = if svc.assign_public_ip { "ENABLED" } else { "DISABLED" };
    json!({"awsvpcConfiguration": {"subnets": svc.subnets, "securityGroups": svc.security_groups, "assignPublicIp": public}})
}

/// (running, pending) tasks of a deployment, or of the whole service with `None`.
pub fn running_pending(w: &RegionWorld, cluster: &str, service: &str, dep: Option<&str>) -> (usize, usize) {
    let Some(c) = w.clusters.get(cluster) else {
        return (0, 0);
    };
    let mut out = (0, 0);
    for t in c.tasks.values() {
        if t.service.as_deref() != Some(service)
            || !t.desired_running
            || (dep.is_some() && t.deployment.as_deref() != dep)
        {
            continue;
        }
        if t.phase == TaskPhase::Running {
            out.0 += 1;
        } else if t.phase.is_starting() {
            out.1 += 1;
        }
    }
    out
}

pub fn service(w: &RegionWorld, cluster: &str, s: &Service) -> Value {
    let (running, pending) = running_pending(w, cluster, &s.name, None);
    let deployments: Vec<Value> = s
        .deployments
        .iter()
        .enumerate()
        .map(|(i, d)| deployment(d, i == 0, running_pending(w, cluster, &s.name, Some(&d.id)), s))
        .collect();
    let events: Vec<Value> =
        s.events.iter().map(|e| json!({"id": e.id, "createdAt": secs(e.at_ms), "message": e.message})).collect();
    let lbs: Vec<Value> = s
        .target_group_arn
        .iter()
        .map(|tg| json!({"targetGroupArn": tg, "containerName": "nginx", "containerPort": 80}))
        .collect();
    json!({
        "serviceArn": s.arn,
        "serviceName": s.name,
        "clusterArn": s.cluster_arn,
        "loadBalancers": lbs,
        "status": "ACTIVE",
        "desiredCount": s.desired,
        "runningCount": running,
        "pendingCount": pending,
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "taskDefinition": s.task_def,
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": s.circuit_breaker, "rollback": s.rollback},
            "maximumPercent": s.max_percent,
            "minimumHealthyPercent": s.min_healthy_percent,
            "strategy": "ROLLING",
        },
        "deployments": deployments,
        "events": events,
        "createdAt": secs(s.created_at_ms),
        "networkConfiguration": network(s),
        "healthCheckGracePeriodSeconds": 60,
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "enableECSManagedTags": true,
        "propagateTags": "NONE",
        "enableExecuteCommand": false,
    })
}

pub fn task_definition(w: &RegionWorld, td: &TaskDef) -> Value {
    let containers: Vec<Value> = td
        .containers
        .iter()
        .map(|c| {
            let depends: Vec<Value> = c.depends_on.iter().map(|(n, cond)| json!({"containerName": n, "condition": cond})).collect();
            let mounts: Vec<Value> = c.mount_points.iter().map(|(v, p, ro)| json!({"sourceVolume": v, "containerPath": p, "readOnly": ro})).collect();
            let env: Vec<Value> = c.environment.iter().map(|(n, v)| json!({"name": n, "value": v})).collect();
            let secrets: Vec<Value> = c.secrets.iter().map(|(n, v)| json!({"name": n, "valueFrom": v})).collect();
            let log = c.log_driver.as_ref().map(|driver| {
                let mut options = serde_json::Map::new();
                if driver == "awslogs" {
                    options.insert("awslogs-group".into(), json!(c.log_group));
                    options.insert("awslogs-region".into(), json!(w.region));
                    options.insert("awslogs-stream-prefix".into(), json!(c.log_prefix));
                }
                if let Some(m) = &c.log_mode {
                    options.insert("mode".into(), json!(m));
                }
                json!({"logDriver": driver, "options": options})
            });
            prune(json!({
                "name": c.name,
                "image": c.image,
                "cpu": c.cpu,
                "memory": if c.memory > 0 { json!(c.memory) } else { Value::Null },
                "memoryReservation": if c.memory_reservation > 0 { json!(c.memory_reservation) } else { Value::Null },
                "entryPoint": if c.entry_point.is_empty() { Value::Null } else { json!(c.entry_point) },
                "secrets": if secrets.is_empty() { Value::Null } else { json!(secrets) },
                "privileged": if c.privileged { json!(true) } else { Value::Null },
                "essential": c.essential,
                "readonlyRootFilesystem": c.readonly_root,
                "command": if c.command.is_empty() { Value::Null } else { json!(c.command) },
                "environment": env,
                "mountPoints": mounts,
                "dependsOn": if depends.is_empty() { Value::Null } else { json!(depends) },
                "portMappings": if c.name == "nginx" { json!([{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]) } else { json!([]) },
                "healthCheck": if c.health_check { json!({"command": ["CMD-SHELL", "exit 0"], "interval": 10, "timeout": 5, "retries": 3, "startPeriod": 10}) } else { Value::Null },
                "logConfiguration": log,
            }))
        })
        .collect();
    let volumes: Vec<Value> = td
        .volumes
        .iter()
        .map(|v| match &v.efs {
            Some(fs) => json!({"name": v.name, "efsVolumeConfiguration": {
                "fileSystemId": fs,
                "rootDirectory": v.root_directory,
                "transitEncryption": if v.transit_encryption { "ENABLED" } else { "DISABLED" },
            }}),
            None => json!({"name": v.name}),
        })
        .collect();
    prune(json!({
        "taskDefinitionArn": td.arn,
        "family": td.family,
        "revision": td.revision,
        "containerDefinitions": containers,
        "taskRoleArn": if td.task_role.is_empty() { Value::Null } else { json!(td.task_role) },
        "executionRoleArn": td.execution_role,
        "networkMode": "awsvpc",
        "volumes": volumes,
        "status": td.status,
        "requiresCompatibilities": ["FARGATE"],
        "compatibilities": ["EC2", "FARGATE"],
        "cpu": td.cpu,
        "memory": td.memory,
        "registeredAt": secs(td.registered_at_ms),
        "registeredBy": "arn:aws:sts::000000000000:assumed-role/codepipeline/deploy",
    }))
}
