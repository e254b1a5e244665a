//! `wpops redeploy | rollback | warm | replace` as scripts run them, against the simulator:
//! refused without a terminal or --yes (exit 4), a redeploy followed to COMPLETED (exit 0), the
//! incident's deployment rolled back (exit 1), a rollback to the last completed revision, warming
//! with the failing task named (exit 1, JSON), a missing warmer explained and registered,
//! read-only sending nothing, a foreign deployment refused — each leaving one audit line.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::util::*;
use wpops::sim::SimHandle;

struct Clock(Arc<AtomicBool>);

impl Drop for Clock {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Moves the simulator's clock ahead quickly while a --wait runs (no waiting on simulated time).
fn fast_clock(sim: &SimHandle) -> Clock {
    let stop = Arc::new(AtomicBool::new(false));
    let (shared, flag) = (sim.shared.clone(), stop.clone());
    tokio::spawn(async move {
        while !flag.load(Ordering::Relaxed) {
            shared.clock.advance_ms(2_000);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    Clock(stop)
}

async fn act(sim: &SimHandle, home: &std::path::Path, args: &[&str]) -> Run {
    let mut cmd = site_command(sim, home);
    cmd.env("WPOPS_AUDIT_LOG", home.join("audit.jsonl"));
    cmd.args(args);
    run(cmd).await
}

/// The audit lines of actions on the simulator: they go to the `-sim` sibling of
/// `WPOPS_AUDIT_LOG`, never to the operator's real log.
fn audit(home: &std::path::Path) -> Vec<serde_json::Value> {
    assert!(!home.join("audit.jsonl").exists(), "a simulator's action reached the real audit log");
    std::fs::read_to_string(home.join("audit-sim.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_yes_and_without_a_terminal_nothing_happens() {
    let sim = sim("default").await;
    let home = home();
    let r = act(&sim, home.path(), &["redeploy"]).await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("not confirmed"), "{}", r.stderr);
    assert!(r.stderr.contains("account 123456789012"), "the prompt names the account: {}", r.stderr);
    assert_eq!(sim.shared.request_count("ecs:UpdateService"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeploy_wait_reports_completed_and_audits() {
    let sim = sim("default").await;
    let home = home();
    let _clock = fast_clock(&sim);
    let r = act(&sim, home.path(), &["redeploy", "--yes", "--wait", "-o", "json"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["schema"], "wpops.action/1");
    assert_eq!(v["outcome"]["outcome"], "completed");
    assert!(r.stderr.contains("has reached a steady state"), "progress on stderr: {}", r.stderr);
    let lines = audit(home.path());
    assert_eq!(lines.len(), 2, "the request and its outcome: {lines:?}");
    assert_eq!(lines[0]["action"], "redeploy");
    assert_eq!(lines[0]["deployment_id"], v["deployment_id"]);
    assert_eq!((&lines[1]["id"], &lines[1]["outcome"]), (&lines[0]["id"], &"completed".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_redeploy_is_rolled_back_and_exits_1() {
    let sim = sim("incident").await;
    let home = home();
    let _clock = fast_clock(&sim);
    let r = act(&sim, home.path(), &["redeploy", "--yes", "--wait"]).await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("rolled back by the circuit breaker"), "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_lands_on_the_last_completed_revision() {
    let sim = sim("default").await;
    let home = home();
    let _clock = fast_clock(&sim);
    let r = act(&sim, home.path(), &["rollback", "--yes", "--wait"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("from wordpress:42 to wordpress:41"), "{}", r.stderr);
    assert!(r.stderr.contains("changes nothing"), "the mutable tag is flagged: {}", r.stderr);
    let status = act(&sim, home.path(), &["status", "-o", "json"]).await;
    assert!(status.stdout.contains("wordpress:41"), "{}", status.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warm_names_the_failing_task() {
    let sim = sim("incident").await;
    let home = home();
    let _clock = fast_clock(&sim);
    let r = act(&sim, home.path(), &["warm", "--yes", "--wait", "-o", "json"]).await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = r.json();
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let failed: Vec<_> = results.iter().filter(|x| x["outcome"]["outcome"] != "warmed").collect();
    assert_eq!(failed.len(), 1, "{results:?}");
    assert_eq!(failed[0]["outcome"]["report"]["failure"], 44);
    let id = failed[0]["target"]["task_id"].as_str().unwrap();
    assert!(v["summary"].as_str().unwrap().contains(&id[..8]), "the failing task is named");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incident_redeploy_rolled_back_by_the_circuit_breaker_is_audited_as_rolled_back() {
    let sim = sim("incident").await;
    let home = home();
    let _clock = fast_clock(&sim);
    let r = act(&sim, home.path(), &["redeploy", "--yes", "--wait", "--timeout", "20m"]).await;
    assert_eq!(r.code, 1, "a rolled-back deployment is not a success: {}", r.stderr);
    let lines = audit(home.path());
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["result"], "ok", "the call was accepted");
    assert_eq!(lines[1]["id"], lines[0]["id"]);
    assert_eq!(lines[1]["outcome"], "rolled_back", "{}", lines[1]);
    assert!(lines[1]["to_task_definition"].as_str().is_some_and(|t| t.ends_with("wordpress:42")), "{}", lines[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replacement_followed_to_the_end_names_its_replacement_in_the_audit_log() {
    let sim = sim("default").await;
    let home = home();
    let _clock = fast_clock(&sim);
    let r = act(&sim, home.path(), &["status", "-o", "json"]).await;
    let task = r.json()["tasks"][0]["id"].as_str().unwrap_or_default().to_string();
    assert!(!task.is_empty(), "{}", r.stdout);
    let r = act(&sim, home.path(), &["replace", &task[..8], "--yes", "--wait", "-o", "json"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let replacement = r.json()["replacement"].as_str().unwrap_or_default().to_string();
    let lines = audit(home.path());
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[1]["id"], lines[0]["id"]);
    assert_eq!(lines[1]["outcome"], "completed");
    assert_eq!(lines[1]["replacement"], replacement.as_str());
    assert_eq!(lines[1]["task_ids"][0], task.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_warmer_is_explained_then_registered() {
    let sim = sim("default").await;
    let home = home();
    let cfg = write(
        home.path(),
        "wpops.toml",
        "[sites.blog]\ncluster = \"wp-prod\"\nservice = \"wordpress\"\n[sites.blog.warming]\ntask_definition = \"blog-warmer\"\n",
    );
    let cfg = cfg.to_str().unwrap().to_string();
    let r = act(&sim, home.path(), &["--config", &cfg, "--site", "blog", "warm", "--yes"]).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--register-warmer"), "{}", r.stderr);
    let _clock = fast_clock(&sim);
    let r =
        act(&sim, home.path(), &["--config", &cfg, "--site", "blog", "warm", "--yes", "--wait", "--register-warmer"])
            .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(sim.shared.request_count("ecs:RegisterTaskDefinition"), 1);
    let lines = audit(home.path());
    let actions: Vec<String> = lines.iter().map(|l| l["action"].as_str().unwrap_or("").to_string()).collect();
    assert_eq!(actions, vec!["register-warmer", "warm", "warm"]);
    // The warm's second line: every target warmed, one result each.
    assert_eq!((&lines[2]["id"], &lines[2]["outcome"]), (&lines[1]["id"], &"completed".into()));
    assert_eq!(lines[2]["results"].as_array().map(Vec::len), Some(3), "{}", lines[2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_and_foreign_deployments_refuse_with_exit_4() {
    let sim = sim("default").await;
    let home = home();
    for cmd in [
        vec!["--read-only", "redeploy", "--yes"],
        vec!["--read-only", "warm", "--yes"],
        vec!["--read-only", "rollback", "--yes"],
    ] {
        let r = act(&sim, home.path(), &cmd).await;
        assert_eq!(r.code, 4, "{cmd:?}: {}", r.stderr);
    }
    for op in ["ecs:UpdateService", "ecs:RunTask", "ecs:StopTask", "ecs:RegisterTaskDefinition"] {
        assert_eq!(sim.shared.request_count(op), 0, "{op}");
    }
    // A pipeline starts a deployment: wpops refuses to start another.
    let target = wpops::aws::Target {
        region: Some(REGION.into()),
        endpoint_url: Some(sim.endpoint_url()),
        static_credentials: Some((KEY.into(), "secret".into())),
        ..wpops::aws::Target::interactive()
    };
    let ecs = aws_sdk_ecs::Client::new(&wpops::aws::client::load(&target).await.unwrap());
    ecs.update_service().cluster("wp-prod").service("wordpress").force_new_deployment(true).send().await.unwrap();
    let r = act(&sim, home.path(), &["redeploy", "--yes"]).await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("not started by wpops"), "{}", r.stderr);
    let r = act(&sim, home.path(), &["redeploy", "--yes", "--force"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// An operation the endpoint lacks reads as one line in words naming it, never the SDK's
/// ResponseError dump (moto and ListServiceDeployments, issue 16).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lacking_operation_is_one_line_naming_it() {
    let sim = sim("default").await;
    sim.lack(&["ecs:ListServiceDeployments"]);
    let home = home();
    let r = wpops(&sim, home.path(), &["rollback", "--yes"]).await;
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("ecs:ListServiceDeployments: the endpoint answered HTTP 500 with no AWS error in it"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("ResponseError") && r.stderr.lines().count() == 1, "{}", r.stderr);
}
