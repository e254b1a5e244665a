//! Actions of several wpops processes on one site (QUALITY.md item 13), against one simulator:
//! two `redeploy --yes` started at once make exactly one deployment and one refusal (exit 4);
//! while another process holds the site's lock the action is refused naming it and sends
//! nothing; a deployment that appears between wpops's check and its UpdateService is reported
//! on stderr and in the audit line. The simulator answers slowly (injected latency) so that the
//! processes' requests overlap as they would against AWS.

use std::process::Command;

use crate::util::*;
use wpops::feed::runners::audit::AuditLog;
use wpops::feed::runners::lock;
use wpops::sim::{Faults, SimHandle};

/// The account the tests' access key maps to in the simulator.
const ACCOUNT: &str = "123456789012";

fn action(sim: &SimHandle, home: &std::path::Path, args: &[&str]) -> Command {
    let mut cmd = site_command(sim, home);
    cmd.env("WPOPS_AUDIT_LOG", home.join("audit.jsonl")).args(args);
    cmd
}

fn audit(home: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(home.join("audit-sim.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

fn slow(sim: &SimHandle, latency_ms: u64) {
    sim.set_faults(Faults { latency_ms, ..Faults::default() });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_redeploys_at_once_start_one_deployment_and_refuse_the_other() {
    let sim = sim("default").await;
    let home = home();
    slow(&sim, 300);
    let (a, b) = tokio::join!(
        run(action(&sim, home.path(), &["redeploy", "--yes"])),
        run(action(&sim, home.path(), &["redeploy", "--yes"]))
    );
    let mut codes = vec![a.code, b.code];
    codes.sort();
    assert_eq!(codes, vec![0, 4], "one goes ahead, one is refused:\n{}\n---\n{}", a.stderr, b.stderr);
    assert_eq!(sim.shared.request_count("ecs:UpdateService"), 1, "exactly one deployment");
    let refused = if a.code == 4 { &a } else { &b };
    assert!(
        refused.stderr.contains("still rolling out (started by wpops)")
            || refused.stderr.contains("another wpops process is acting on wp-prod/wordpress"),
        "says why: {}",
        refused.stderr
    );
    let lines = audit(home.path());
    let mut results: Vec<&str> = lines.iter().map(|l| l["result"].as_str().unwrap_or("")).collect();
    results.sort();
    assert_eq!(results, vec!["ok", "refused"], "{lines:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_another_process_holds_the_site_lock_the_action_is_refused_naming_it() {
    let sim = sim("default").await;
    let home = home();
    let log = AuditLog { path: home.path().join("audit.jsonl") };
    let path = lock::path_for(&log, ACCOUNT, REGION, "wp-prod", "wordpress");
    let held = lock::acquire(&path, "pid 999: redeploy (wpops redeploy --yes)", lock::WAIT).await.expect("lock");
    let r = run(action(&sim, home.path(), &["redeploy", "--yes"])).await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    let last = r.stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains(
            "another wpops process is acting on wp-prod/wordpress (pid 999: redeploy (wpops redeploy --yes))"
        ),
        "names the holder in one line: {}",
        r.stderr
    );
    assert_eq!(sim.shared.request_count("ecs:UpdateService"), 0, "nothing was sent");
    assert_eq!(audit(home.path())[0]["result"], "refused");
    // Let go (as the holder's exit does): the next one goes ahead.
    drop(held);
    let r = run(action(&sim, home.path(), &["redeploy", "--yes"])).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(sim.shared.request_count("ecs:UpdateService"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_that_appears_between_the_check_and_the_call_is_reported() {
    let sim = sim("default").await;
    let home = home();
    // Every request waits this long before the simulator answers it: the pipeline's deployment
    // below lands while wpops's UpdateService waits, after wpops's check was answered.
    slow(&sim, 1_500);
    let redeploy = tokio::spawn(run(action(&sim, home.path(), &["redeploy", "--yes"])));
    wait_for_requests(&sim, "ecs:UpdateService", 1, "wpops's UpdateService").await;
    let pipeline = sim.with_world(ACCOUNT, REGION, |w| {
        let td = w.clusters["wp-prod"].services["wordpress"].task_def.clone();
        wpops::sim::ecs::scheduler::start_deployment(w, "wp-prod", "wordpress", &td).expect("a deployment")
    });
    let r = redeploy.await.expect("join");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let warning = r.stderr.lines().find(|l| l.starts_with("wpops redeploy: warning: ")).unwrap_or_default();
    assert!(
        warning.contains(&format!("deployment {pipeline} (")) && warning.contains("not started by this action"),
        "the pipeline's deployment is named: {}",
        r.stderr
    );
    let lines = audit(home.path());
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["appeared_deployments"], serde_json::json!([pipeline]));
    assert_ne!(lines[0]["deployment_id"], serde_json::json!(pipeline));
}
