//! OPcache warming in the simulated world: the in-task warmer that runs once after nginx and
//! php-fpm start, and one-off warmer tasks (RunTask) aimed at a running task's private IP. Each
//! writes what the real containers write (report line, php-fpm's stderr wrapping, an nginx access
//! line) and stops with the exit code the real one would.

use rand::Rng;

use super::types::{Task, TaskPhase};
use crate::sim::logtext::{self, Access};
use crate::sim::world::RegionWorld;

/// Compiles what is not cached yet in `target`'s OPcache; returns (success, failure, no_change).
fn compile(w: &mut RegionWorld, cluster: &str, target_id: &str, failures: u32) -> (u32, u32, u32) {
    let Some(t) = w.clusters.get_mut(cluster).and_then(|c| c.tasks.get_mut(target_id)) else {
        return (0, 0, 0);
    };
    let cached = t.opcache_cached.min(t.php_files);
    let uncached = t.php_files - cached;
    let failure = failures.min(uncached);
    let success = uncached - failure;
    t.opcache_cached = cached + success;
    (success, failure, cached)
}

fn write_report(
    w: &mut RegionWorld,
    target: &Task,
    done_ms: i64,
    elapsed_s: f64,
    from_ip: &str,
    ua: &str,
    report: &str,
) {
    let child = w.rng.random_range(7..90);
    logtext::emit(w, target, "php-fpm", done_ms, logtext::php_fpm_child_said(done_ms, child, report));
    let line = logtext::nginx_access(
        done_ms,
        &Access {
            remote: from_ip,
            method: "GET",
            path: "/opcache_warmer.php",
            status: 200,
            bytes: report.len() as u32 + 1,
            referer: "-",
            user_agent: ua,
            forwarded_for: "-",
            request_time_s: elapsed_s,
        },
    );
    logtext::emit(w, target, "nginx", done_ms, line);
}

fn stop_warmer_container(w: &mut RegionWorld, task: &Task, exit: i32) {
    if let Some(c) = w
        .clusters
        .get_mut(&task.cluster)
        .and_then(|c| c.tasks.get_mut(&task.id))
        .and_then(|t| t.container_mut("warmer"))
    {
        c.last_status = "STOPPED".into();
        c.exit_code = Some(exit);
    }
}

/// The in-task warmer finishes at `done_ms`.
pub fn finish_in_task(w: &mut RegionWorld, task: &Task, done_ms: i64) {
    if task.warm_exit == 127 {
        logtext::emit(w, task, "warmer", done_ms, "/bin/sh: GET: not found".into());
        stop_warmer_container(w, task, 127);
        return;
    }
    if task.warm_exit != 0 {
        logtext::emit(
            w,
            task,
            "warmer",
            done_ms,
            format!("GET http://localhost/opcache_warmer.php failed with exit {}", task.warm_exit),
        );
        stop_warmer_container(w, task, task.warm_exit);
        return;
    }
    let (success, failure, no_change) = compile(w, &task.cluster, &task.id, task.warm_failures);
    let report = logtext::warm_report(success, failure, no_change);
    let elapsed = (done_ms - task.started_at_ms.unwrap_or(done_ms)) as f64 / 1000.0;
    write_report(w, task, done_ms, elapsed, "127.0.0.1", "lwp-request/6.77", &report);
    logtext::emit(w, task, "warmer", done_ms, report);
    stop_warmer_container(w, task, 0);
}

/// A one-off warmer task finishes at `done_ms`: it warms the task at its target IP, if any.
pub fn finish_one_off(w: &mut RegionWorld, task: &Task, done_ms: i64) {
    let target_ip = task.warm_target.as_ref().map(|t| t.ip.clone()).unwrap_or_else(|| "localhost".into());
    let found = w
        .clusters
        .values()
        .flat_map(|c| c.tasks.values())
        .find(|t| t.ip == target_ip && t.phase == TaskPhase::Running && t.desired_running && t.php_files > 0)
        .cloned();
    let exit = match found {
        Some(target_task) => {
            let (success, failure, no_change) =
                compile(w, &target_task.cluster, &target_task.id, target_task.warm_failures);
            let report = logtext::warm_report(success, failure, no_change);
            let elapsed = (done_ms - task.started_at_ms.unwrap_or(done_ms)) as f64 / 1000.0;
            write_report(w, &target_task, done_ms, elapsed, &task.ip, "curl/8.11.1", &report);
            logtext::emit(w, task, "warmer", done_ms, report);
            0
        }
        None => {
            let msg =
                format!("curl: (7) Failed to connect to {} port 80 after 3 ms: Could not connect to server", target_ip);
            logtext::emit(w, task, "warmer", done_ms, msg);
            7
        }
    };
    stop_warmer_container(w, task, exit);
    super::lifecycle::stop_task(
        w,
        &task.cluster,
        &task.id,
        "Essential container in task exited",
        "EssentialContainerExited",
    );
}
