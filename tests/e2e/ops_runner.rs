//! The console's action runner end to end: effects in, `Msg::Op` events out — a redeploy's
//! id, its service events as they arrive and the outcome; a rollback preview with the mutable
//! tag warning; a warm with one line per target.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use wpops::app::{Msg, Op, OpEvent, OpKind, Preview};
use wpops::feed::runners::WarmSettings;
use wpops::feed::runtime::ops::OpRunner;
use wpops::sim::{self, SimHandle, SimOptions};
use wpops_fixtures::sim as fixtures;

async fn rig(dir: &tempfile::TempDir) -> (SimHandle, OpRunner, mpsc::Receiver<Msg>) {
    let sim = sim::start(SimOptions { paused: true, ..SimOptions::default() }).await.unwrap();
    let op = fixtures::operator(fixtures::clients(&sim, false).await, dir.path());
    let (tx, rx) = mpsc::channel(64);
    (sim, OpRunner::new(op, WarmSettings::default(), tx), rx)
}

async fn next_op(sim: &SimHandle, rx: &mut mpsc::Receiver<Msg>) -> OpEvent {
    for _ in 0..2_000 {
        match tokio::time::timeout(Duration::from_millis(20), rx.recv()).await {
            Ok(Some(Msg::Op(e))) => return e,
            Ok(Some(_)) => {}
            Ok(None) => panic!("channel closed"),
            Err(_) => sim.advance(Duration::from_secs(2)),
        }
    }
    panic!("no op event")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeploy_reports_its_id_events_and_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, runner, mut rx) = rig(&dir).await;
    let mut set = JoinSet::new();
    runner.run(Op::Redeploy { force: false }, &mut set);
    let OpEvent::Started { kind: OpKind::Redeploy, ids } = next_op(&sim, &mut rx).await else {
        panic!("started first")
    };
    assert!(ids[0].starts_with("ecs-svc/"));
    let mut events = Vec::new();
    loop {
        match next_op(&sim, &mut rx).await {
            OpEvent::Rollout { new_events, .. } => events.extend(new_events.into_iter().map(|e| e.message)),
            OpEvent::Finished { kind, ok, summary } => {
                assert_eq!(kind, OpKind::Redeploy);
                assert!(ok, "{summary}");
                assert_eq!(summary, "COMPLETED");
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(events.iter().any(|e| e.contains("deployment completed")), "{events:?}");
}

fn audit_lines(dir: &tempfile::TempDir) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.path().join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_while_a_redeploy_rolls_out_records_that_its_outcome_was_not_seen() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, runner, mut rx) = rig(&dir).await;
    let mut set = JoinSet::new();
    runner.run(Op::Redeploy { force: false }, &mut set);
    let OpEvent::Started { kind: OpKind::Redeploy, ids } = next_op(&sim, &mut rx).await else {
        panic!("started first")
    };
    // The console quits (as `Runtime` does on q): before the tasks are aborted.
    runner.abandon(None);
    set.abort_all();
    while set.join_next().await.is_some() {}
    let lines = audit_lines(&dir);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["result"], "ok");
    assert_eq!(lines[1]["id"], lines[0]["id"]);
    assert_eq!(lines[1]["outcome"], "not_seen");
    assert_eq!(lines[1]["deployment_id"], ids[0].as_str());
    assert!(lines[1]["reason"].as_str().unwrap().contains("console quit"), "{}", lines[1]);
    assert!(lines[1].get("signal").is_none(), "{}", lines[1]);
    // Nothing is left to abandon twice.
    runner.abandon(Some("SIGTERM"));
    assert_eq!(audit_lines(&dir).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_followed_redeploy_leaves_its_outcome_and_nothing_to_abandon() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, runner, mut rx) = rig(&dir).await;
    let mut set = JoinSet::new();
    runner.run(Op::Redeploy { force: false }, &mut set);
    loop {
        if let OpEvent::Finished { ok, .. } = next_op(&sim, &mut rx).await {
            assert!(ok);
            break;
        }
    }
    runner.abandon(None);
    let lines = audit_lines(&dir);
    assert_eq!(lines.iter().map(|l| l["outcome"].as_str().unwrap_or("-")).collect::<Vec<_>>(), ["-", "completed"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_preview_then_warm_with_a_line_per_target() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, runner, mut rx) = rig(&dir).await;
    let mut set = JoinSet::new();
    runner.preview(7, OpKind::Rollback, &mut set);
    match next_op(&sim, &mut rx).await {
        OpEvent::Previewed { request: 7, result: Ok(Preview::Rollback(p)) } => {
            assert!(p.to.task_definition.ends_with("wordpress:41"));
            assert!(p.warnings.iter().any(|w| w.contains("changes nothing")));
        }
        other => panic!("{other:?}"),
    }
    runner.preview(8, OpKind::Warm, &mut set);
    match next_op(&sim, &mut rx).await {
        OpEvent::Previewed { request: 8, result: Ok(Preview::Warm(p)) } => {
            assert_eq!(p.targets.len(), 3);
            assert!(p.missing_warmer_image.is_none());
            assert!(p.targets[0].2.ends_with("/opcache_warmer.php"));
        }
        other => panic!("{other:?}"),
    }
    runner.run(Op::Warm { register_warmer: false }, &mut set);
    let mut lines = Vec::new();
    loop {
        match next_op(&sim, &mut rx).await {
            OpEvent::Started { kind: OpKind::Warm, ids } => assert_eq!(ids.len(), 3),
            OpEvent::Warmed(line) => lines.push(line),
            OpEvent::Finished { kind: OpKind::Warm, ok, summary } => {
                assert!(ok, "{summary}");
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| l.ok() && l.summary().contains("1,834 unchanged")), "{lines:?}");
}
