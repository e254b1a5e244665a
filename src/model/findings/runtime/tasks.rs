//! Runtime rules over the tasks: stopped tasks (OOM kills, failed pulls and EFS mounts) and what
//! the log lines say per task (`pm.max_children`, slow tasks with a cold OPcache).

use super::*;

/// Stopped tasks: containers killed for memory (exit 137), image pulls and EFS mounts failing;
/// `span` says over what they were counted (`in the last hour`: ECS keeps stopped tasks that
/// long; `in the window`).
pub fn stopped_findings(snap: &ServiceSnapshot, span: &str) -> Vec<Finding> {
    let stopped: Vec<&Task> = snap.tasks.iter().filter(|t| t.is_stopped()).collect();
    let mut out = Vec::new();
    // OOM kills per container name (nginx, php-fpm).
    let mut oom: Vec<(&str, Vec<&Task>)> = Vec::new();
    for t in &stopped {
        for c in t.containers.iter().filter(|c| c.role != ContainerRole::Warmer && c.exit_code == Some(137)) {
            match oom.iter_mut().find(|(n, _)| *n == c.name) {
                Some((_, ts)) => ts.push(t),
                None => oom.push((c.name.as_str(), vec![t])),
            }
        }
    }
    for (name, tasks) in oom {
        let n = tasks.len();
        let severity = if n >= OOM_HIGH_COUNT { Severity::High } else { Severity::Medium };
        let ids: Vec<&str> = tasks.iter().map(|t| task_prefix(&t.id)).collect();
        let mut f =
            Finding::runtime("oom_killed", severity, format!("{name} killed for memory (exit 137) {n}× {span}"))
                .subject(name)
                .evidence(format!("stopped tasks {}", ids.join(", ")));
        if let Some(td) = tasks.first().and_then(|t| snap.task_definitions.iter().find(|d| d.arn == t.task_definition))
        {
            let mib = |v: Option<i32>| v.map_or_else(|| "not set".to_owned(), |m| format!("{m} MiB"));
            let container = td.containers.iter().find(|c| c.name == name);
            f = f.evidence(format!(
                "{}: task memory {} MiB · {name} memory {} · reservation {}",
                td.arn.short(),
                td.memory.as_deref().unwrap_or("(not set)"),
                mib(container.and_then(|c| c.memory_mib)),
                mib(container.and_then(|c| c.memory_reservation_mib)),
            ));
        }
        out.push(f.change(format!(
            "raise the task definition's `memory` (or {name}'s container `memory`), or lower pm.max_children"
        )));
    }
    let starts: [(&str, &str, &str, &str); 2] = [
        (
            "image_pull_failed",
            "CannotPullContainerError",
            "image pull failed",
            "check the image tag exists in ECR and the execution role may pull it (ecr:BatchGetImage); pin images by digest",
        ),
        (
            "efs_mount_failed",
            "ResourceInitializationError",
            "task could not start (ResourceInitializationError, EFS mount)",
            "check the EFS mount target in every subnet, its security group (NFS 2049 from the tasks) and the file system id",
        ),
    ];
    for (id, needle, what, change) in starts {
        let hit: Vec<&&Task> =
            stopped.iter().filter(|t| t.stopped_reason.as_deref().is_some_and(|r| r.contains(needle))).collect();
        if hit.is_empty() {
            continue;
        }
        let n = hit.len();
        let severity = if n >= START_FAILURE_HIGH_COUNT { Severity::High } else { Severity::Medium };
        let ids: Vec<&str> = hit.iter().map(|t| task_prefix(&t.id)).collect();
        let reason = hit[0].stopped_reason.as_deref().map(crate::model::sanitize_line).unwrap_or_default();
        out.push(
            Finding::runtime(id, severity, format!("{what} {n}× {span}"))
                .evidence(format!("stopped tasks {}", ids.join(", ")))
                .evidence(reason)
                .change(change),
        );
    }
    out
}

/// `pm.max_children reached` per task over the signal window.
pub fn max_children(snap: &ServiceSnapshot, per: &[(&str, TaskCounts)]) -> Option<Finding> {
    let hit: Vec<&(&str, TaskCounts)> = per.iter().filter(|(_, c)| c.max_children > 0).collect();
    if hit.is_empty() {
        return None;
    }
    let total: u64 = hit.iter().map(|(_, c)| c.max_children).sum();
    let running = snap.tasks.iter().filter(|t| t.is_running()).count().max(1);
    let worst = hit.iter().map(|(_, c)| c.max_children).max().unwrap_or(0);
    let widespread = hit.len() * 2 >= running.max(2) && total >= MAX_CHILDREN_HIGH;
    let severity = if worst >= MAX_CHILDREN_HIGH || widespread { Severity::High } else { Severity::Medium };
    let mut f = Finding::runtime(
        "max_children",
        severity,
        format!(
            "php-fpm pm.max_children reached on {} of {running} tasks ({total}× in {})",
            hit.len(),
            format_age(SIGNAL_WINDOW_MS)
        ),
    );
    for (id, c) in &hit {
        f = f.evidence(format!("{} {}×", task_prefix(id), c.max_children));
    }
    Some(f.change(
        "php-fpm turns requests away: raise pm.max_children in the pool (within the task's memory) or add tasks",
    ))
}

/// A task whose requests are much slower than the others' while its warmer failed or has not
/// reported: its OPcache is cold and PHP reads the code from EFS.
pub fn slow_cold_tasks<'a>(
    snap: &ServiceSnapshot,
    per: &[(&str, TaskCounts)],
    evidence_for: &dyn Fn(&str) -> WarmEvidence<'a>,
    now_ms: i64,
    rules: &HealthRules,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for task in snap.tasks.iter().filter(|t| t.is_running()) {
        let Some((_, c)) = per.iter().find(|(id, _)| *id == &*task.id) else { continue };
        if c.requests < SLOW_TASK_MIN_REQUESTS || c.slow_share() < SLOW_TASK_SHARE {
            continue;
        }
        let mut others = TaskCounts::default();
        for (_, o) in per.iter().filter(|(id, _)| *id != &*task.id) {
            others.requests += o.requests;
            others.slow += o.slow;
        }
        if others.requests >= SLOW_TASK_MIN_REQUESTS && c.slow_share() < others.slow_share() * SLOW_TASK_FACTOR {
            continue;
        }
        let verdict = task.warmer_verdict(evidence_for(&task.id), now_ms, rules.warm_limit_ms);
        let cold = !matches!(
            verdict,
            WarmerVerdict::Healthy | WarmerVerdict::LookingForReport | WarmerVerdict::ReportUnreadable { .. }
        ) && !matches!(&verdict, WarmerVerdict::Rewarmed { outcome, .. } if outcome.ok());
        let id = task_prefix(&task.id);
        let share = c.slow_share() * 100.0;
        let evidence = format!(
            "{share:.0} % of its {} requests took ≥ {} ms (other tasks {:.0} %), mean {} ms",
            thousands(c.requests),
            thousands(u64::from(SLOW_REQUEST_MS)),
            others.slow_share() * 100.0,
            thousands(c.mean_ms().unwrap_or(0.0).round() as u64)
        );
        let f = if cold {
            Finding::runtime(
                "cold_task",
                Severity::High,
                format!("task {id} is slow: cold OPcache (warmer {})", verdict.summary()),
            )
            .action(FindingAction::Warm)
            .change("warming fills its OPcache; replace the task (X) if warming fails again")
        } else {
            Finding::runtime("slow_task", Severity::Medium, format!("task {id} is slower than the others"))
                .action(FindingAction::Replace { task_id: task.id.as_str().to_owned() })
        };
        out.push(f.subject(task.id.as_str().to_owned()).evidence(evidence));
    }
    out
}
