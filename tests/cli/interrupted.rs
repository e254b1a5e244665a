//! The actions stopped by a signal while they follow what they started (QUALITY.md item 12):
//! each of SIGTERM, SIGINT, SIGHUP and SIGQUIT, on redeploy, rollback, replace and warm
//! `--wait`, ends the command with 128 + the signal's number, a line on stderr naming what it
//! started and that it goes on without wpops, and a second audit line with the action's id
//! saying the outcome was not seen. The simulator's clock is paused, so the rollout is still
//! being followed when the signal comes.

use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::util::*;
use wpops::sim::{self, SimHandle, SimOptions};

async fn paused_sim() -> SimHandle {
    sim::start(SimOptions { paused: true, ..SimOptions::default() }).await.expect("simulator starts")
}

/// How an interrupted command ended.
struct Interrupted {
    code: Option<i32>,
    stderr: String,
    audit: Vec<serde_json::Value>,
}

/// Runs `wpops <site> args…`, waits until its stderr says `started`, sends it `signal`, and
/// collects how it ended.
async fn interrupt(sim: &SimHandle, home: &Path, args: &[&str], started: &str, signal: &str) -> Interrupted {
    let mut cmd = site_command(sim, home);
    cmd.env("WPOPS_AUDIT_LOG", home.join("audit.jsonl")).args(args);
    let (started, signal, home) = (started.to_string(), signal.to_string(), home.to_path_buf());
    tokio::task::spawn_blocking(move || {
        let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("the binary runs");
        let mut pipe = child.stderr.take().expect("stderr");
        let text: Arc<Mutex<String>> = Arc::default();
        let sink = text.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        while !text.lock().unwrap().contains(&started) {
            if Instant::now() > deadline || child.try_wait().unwrap().is_some() {
                let _ = child.kill();
                panic!("{started:?} never appeared on stderr: {}", text.lock().unwrap());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let pid = child.id().to_string();
        assert!(std::process::Command::new("kill").args(["-s", &signal, &pid]).status().unwrap().success());
        let status = child.wait().unwrap();
        reader.join().unwrap();
        let stderr = text.lock().unwrap().clone();
        let audit = std::fs::read_to_string(home.join("audit-sim.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect();
        Interrupted { code: status.code(), stderr, audit }
    })
    .await
    .expect("join")
}

/// The audit log holds the action's line and, with the same id, the outcome line.
fn assert_not_seen(r: &Interrupted, action: &str, signal: &str) {
    assert_eq!(r.audit.len(), 2, "{:?}", r.audit);
    let (line, outcome) = (&r.audit[0], &r.audit[1]);
    assert_eq!(line["action"], action);
    assert_eq!(line["result"], "ok");
    assert!(line["id"].as_str().is_some_and(|id| !id.is_empty()), "{line}");
    assert_eq!(outcome["id"], line["id"], "the outcome line names the action's id");
    assert_eq!(outcome["action"], action);
    assert_eq!(outcome["outcome"], "not_seen");
    assert_eq!(outcome["signal"], signal);
    assert_eq!(outcome["cluster"], "wp-prod");
    assert_eq!(outcome["service"], "wordpress");
    assert_eq!(outcome["deployment_id"], line["deployment_id"]);
    assert_eq!(outcome["task_ids"], line["task_ids"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_redeploy_wait_says_the_rollout_goes_on() {
    let sim = paused_sim().await;
    let home = home();
    let r = interrupt(&sim, home.path(), &["redeploy", "--yes", "--wait"], "started deployment", "TERM").await;
    assert_eq!(r.code, Some(143), "{}", r.stderr);
    assert_not_seen(&r, "redeploy", "SIGTERM");
    let id = r.audit[0]["deployment_id"].as_str().unwrap();
    let last = r.stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("wpops redeploy: stopped by SIGTERM"), "{}", r.stderr);
    assert!(last.contains(&format!("deployment {id} of wp-prod/wordpress goes on rolling out")), "{last}");
    assert!(last.contains("without wpops"), "{last}");
    assert_eq!(sim.shared.request_count("ecs:UpdateService"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_during_rollback_wait_says_the_rollout_goes_on() {
    let sim = paused_sim().await;
    let home = home();
    let r = interrupt(&sim, home.path(), &["rollback", "--yes", "--wait"], "started deployment", "INT").await;
    assert_eq!(r.code, Some(130), "{}", r.stderr);
    assert_not_seen(&r, "rollback", "SIGINT");
    let id = r.audit[0]["deployment_id"].as_str().unwrap();
    let last = r.stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("wpops rollback: stopped by SIGINT"), "{}", r.stderr);
    assert!(last.contains(&format!("deployment {id} of wp-prod/wordpress goes on rolling out")), "{last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_during_replace_wait_says_the_replacement_goes_on() {
    let sim = paused_sim().await;
    let home = home();
    let task = task_ids(&sim, home.path()).await.remove(0);
    let r = interrupt(&sim, home.path(), &["replace", &task[..8], "--yes", "--wait"], "stopped task", "HUP").await;
    assert_eq!(r.code, Some(129), "{}", r.stderr);
    assert_not_seen(&r, "replace-task", "SIGHUP");
    let last = r.stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("wpops replace: stopped by SIGHUP"), "{}", r.stderr);
    assert!(last.contains(&format!("task {task} of wp-prod/wordpress was stopped")), "{last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigquit_during_warm_wait_says_the_warmers_run_on() {
    let sim = paused_sim().await;
    let home = home();
    let r = interrupt(&sim, home.path(), &["warm", "--yes", "--wait"], "warmer tasks", "QUIT").await;
    assert_eq!(r.code, Some(131), "{}", r.stderr);
    assert_not_seen(&r, "warm", "SIGQUIT");
    let last = r.stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("wpops warm: stopped by SIGQUIT"), "{}", r.stderr);
    for id in r.audit[0]["task_ids"].as_array().unwrap() {
        assert!(last.contains(id.as_str().unwrap()), "names every warmer it left running: {last}");
    }
}
