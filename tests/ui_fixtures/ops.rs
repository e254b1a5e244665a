//! Action fixtures: the previews the runtime answers with, and states in the middle and at the
//! end of an action — a redeploy rolling out, one the circuit breaker rolled back, a warming run
//! with one failed target — fed through `update` the way the runtime would.

use wpops::app::{Key, Msg, OpEvent, OpKind, Preview, State, WarmLine, WarmPreview, update};
use wpops::model::{
    DeploymentStatus, Health, ImageChange, LastStatus, RevisionInfo, RollbackPlan, RolloutState, Service,
    ServiceDeploymentInfo, ServiceEvent, ServiceSnapshot, TargetState, Task,
};

use super::ecs::{deployment, report, running, target, td};
use super::{NOW, T1, T2, T3, feed, healthy};

/// The new deployment a redeploy starts, and its two new tasks.
pub const NEW_DEPLOYMENT: &str = "ecs-svc/5566778899001122";
pub const N1: &str = "d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9";
pub const N2: &str = "6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b";
const ECR: &str = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/wordpress";

/// The request id of the first preview a fresh console asks for (every fixture's dialog).
pub const FIRST_REQUEST: u64 = 1;

pub fn keys(state: &mut State, keys: &str) {
    for c in keys.chars() {
        let key = if c == '\n' { Key::plain(wpops::app::KeyCode::Enter) } else { Key::char(c) };
        update(state, Msg::Key(key));
    }
}

/// A rollback to :41 whose images use the same mutable tags: it would change nothing.
pub fn rollback_preview() -> Msg {
    let change = |name: &str, from: &str, to: &str| ImageChange {
        container: name.into(),
        from_image: format!("{ECR}:{name}-latest"),
        to_image: format!("{ECR}:{name}-latest"),
        from_digest: Some(format!("sha256:{from}")),
        to_digest: Some(format!("sha256:{to}")),
        same_mutable_tag: true,
    };
    let revision = |td: String| RevisionInfo { task_definition: td, ..RevisionInfo::default() };
    let plan = RollbackPlan {
        current: ServiceDeploymentInfo::default(),
        target: ServiceDeploymentInfo::default(),
        from: revision(td(42)),
        to: revision(td(41)),
        changes: vec![
            change("nginx", "9f86d081884c7d659a2feaa0c55ad015", "1b4f0e9851971998e732078544c96b36"),
            change("php", "60303ae22b998861bce3b28f33eec1be", "fd61a03af4f77d870fc21e05e7e80678"),
        ],
        warnings: vec![
            "both revisions run the same mutable tags (wordpress:nginx-latest, wordpress:php-latest): ECS resolves a \
             tag again when it starts a task, so this rollback would run whatever was pushed last — it changes \
             nothing (the digests recorded then differ, but cannot be brought back through the tag)"
                .into(),
            "the next pipeline run will deploy its own revision again and undo this rollback".into(),
        ],
    };
    Msg::Op(OpEvent::Previewed { request: FIRST_REQUEST, result: Ok(Preview::Rollback(Box::new(plan))) })
}

/// Warming every running task of the healthy morning; `missing`: no warmer task definition yet.
pub fn warm_preview(missing: bool) -> Msg {
    let target = |id: &str, ip: &str| (id.to_owned(), ip.to_owned(), format!("http://{ip}/opcache_warmer.php"));
    let preview = WarmPreview {
        task_definition: "wordpress-warmer".into(),
        targets: vec![target(T1, "10.0.1.23"), target(T2, "10.0.3.41"), target(T3, "10.0.5.17")],
        missing_warmer_image: missing.then(|| "curlimages/curl:8.10.1".into()),
    };
    Msg::Op(OpEvent::Previewed { request: FIRST_REQUEST, result: Ok(Preview::Warm(preview)) })
}

fn new_task(id: &str, ip: &str, up_ms: i64, warmer_exit: Option<i32>) -> Task {
    let mut t = running(id, 42, "1c", ip, up_ms, warmer_exit);
    t.started_by = Some(NEW_DEPLOYMENT.into());
    t
}

fn event(ago_ms: i64, n: usize, message: &str) -> ServiceEvent {
    ServiceEvent { id: format!("op-ev{n}"), at_ms: NOW - ago_ms, message: message.into() }
}

fn snapshot_msg(service: Service, tasks: Vec<Task>) -> Msg {
    let targets = tasks.iter().filter_map(|t| t.private_ip.clone()).map(|ip| target(&ip, TargetState::Healthy, None));
    let targets = targets.collect();
    Msg::Service {
        at_ms: NOW - 1_000,
        result: Ok(Box::new(ServiceSnapshot { service, tasks, targets, ..ServiceSnapshot::default() })),
    }
}

fn service(deployments: Vec<wpops::model::Deployment>, running_count: u32, pending: u32) -> Service {
    Service {
        name: "wordpress".into(),
        cluster: "wp-prod".into(),
        status: "ACTIVE".into(),
        desired: 3,
        running: running_count,
        pending,
        task_definition: td(42),
        deployments,
        ..Service::default()
    }
}

/// A force redeploy confirmed 95 s ago on the healthy morning, accepted by ECS.
fn redeploy_started() -> State {
    let mut s = healthy();
    update(&mut s, Msg::Tick(NOW - 95_000));
    keys(&mut s, "Ry");
    update(&mut s, Msg::Op(OpEvent::Started { kind: OpKind::Redeploy, ids: vec![NEW_DEPLOYMENT.into()] }));
    s
}

/// Mid-rollout: two new tasks (one warmed, one starting), one old task draining.
pub fn rolling_out() -> State {
    let mut s = redeploy_started();
    let mut new =
        deployment(NEW_DEPLOYMENT, DeploymentStatus::Primary, 42, RolloutState::InProgress, [3, 1, 1, 0], 95_000);
    new.rollout_reason = Some(format!("ECS deployment {NEW_DEPLOYMENT} in progress."));
    new.updated_at_ms = NOW - 20_000;
    let deployments = vec![
        new,
        deployment("ecs-svc/42", DeploymentStatus::Active, 42, RolloutState::Completed, [2, 3, 0, 0], 16 * 60_000),
    ];
    let mut draining = running(T2, 42, "1c", "10.0.3.41", 130 * 60_000, Some(0));
    draining.desired_status = LastStatus::Stopped;
    draining.last_status = LastStatus::Deactivating;
    let mut starting = new_task(N2, "10.0.5.61", 20_000, None);
    starting.last_status = LastStatus::Pending;
    starting.health = Health::Unknown;
    let tasks = vec![
        running(T1, 42, "1a", "10.0.1.23", 131 * 60_000, Some(0)),
        draining,
        running(T3, 42, "1d", "10.0.5.17", 14 * 60_000, Some(0)),
        new_task(N1, "10.0.1.77", 80_000, Some(0)),
        starting,
    ];
    let warmed = report(N1, 1834, 0, 9_600, 80_000);
    feed(
        &mut s,
        vec![
            snapshot_msg(service(deployments, 4, 1), tasks),
            Msg::WarmReports(vec![warmed]),
            Msg::Op(OpEvent::Rollout {
                elapsed_ms: 90_000,
                new_events: vec![
                    event(90_000, 1, "(service wordpress) has started 1 tasks: (task d4c3b2a1)."),
                    event(62_000, 2, "(service wordpress) registered 1 targets in (target-group tg-wordpress)"),
                    event(40_000, 3, "(service wordpress) has started 1 tasks: (task 6e5f4a3b)."),
                    event(30_000, 4, "(service wordpress) has begun draining connections on 1 tasks."),
                    event(25_000, 5, "(service wordpress) deregistered 1 targets in (target-group tg-wordpress)"),
                ],
            }),
            Msg::Tick(NOW),
        ],
    );
    s
}

/// The circuit breaker gave up on the new tasks and rolled back; the old tasks kept serving.
pub fn rolled_back() -> State {
    let mut s = redeploy_started();
    let mut back =
        deployment("ecs-svc/4200000002", DeploymentStatus::Primary, 42, RolloutState::Completed, [3, 3, 0, 0], 0);
    back.rollout_reason = Some("ECS deployment ecs-svc/4200000002 completed.".into());
    back.created_at_ms = NOW - 29_000;
    back.updated_at_ms = NOW - 12_000;
    let deployments = vec![back];
    let pull = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref \
                123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/wordpress:php-latest: not found";
    let failed = |id: &str, ip: &str, up: i64, stopped: i64| {
        let mut t = new_task(id, ip, up, None);
        t.last_status = LastStatus::Stopped;
        t.desired_status = LastStatus::Stopped;
        t.health = Health::Unknown;
        t.stopped_at_ms = Some(NOW - stopped);
        t.stopped_reason = Some(pull.into());
        t.stop_code = Some("TaskFailedToStart".into());
        t
    };
    let tasks = vec![
        running(T1, 42, "1a", "10.0.1.23", 131 * 60_000, Some(0)),
        running(T2, 42, "1c", "10.0.3.41", 130 * 60_000, Some(0)),
        running(T3, 42, "1d", "10.0.5.17", 14 * 60_000, Some(0)),
        failed(N1, "10.0.1.77", 88_000, 70_000),
        failed(N2, "10.0.5.61", 60_000, 45_000),
    ];
    feed(
        &mut s,
        vec![
            snapshot_msg(service(deployments, 3, 0), tasks),
            Msg::Op(OpEvent::Rollout {
                elapsed_ms: 80_000,
                new_events: vec![
                    event(90_000, 1, "(service wordpress) has started 2 tasks: (task d4c3b2a1) (task 6e5f4a3b)."),
                    event(70_000, 2, "(service wordpress) has stopped 1 running tasks: (task d4c3b2a1)."),
                    event(45_000, 3, "(service wordpress) has stopped 1 running tasks: (task 6e5f4a3b)."),
                    event(
                        30_000,
                        4,
                        "(service wordpress) (deployment ecs-svc/5566778899001122) deployment failed: tasks failed to \
                         start.",
                    ),
                    event(29_000, 5, "(service wordpress) rolling back to deployment ecs-svc/4200000002."),
                    event(12_000, 6, "(service wordpress) (deployment ecs-svc/4200000002) deployment completed."),
                    event(10_000, 7, "(service wordpress) has reached a steady state."),
                ],
            }),
            Msg::Tick(NOW - 8_000),
            Msg::Op(OpEvent::Finished {
                kind: OpKind::Redeploy,
                ok: false,
                summary: "FAILED and rolled back by the circuit breaker to wordpress:42: tasks failed to start \
                          (CannotPullContainerError: wordpress:php-latest not found)"
                    .into(),
            }),
            Msg::Tick(NOW),
        ],
    );
    s
}

/// A warming run over the three tasks: two warmed, one failed, finished.
pub fn warm_results() -> State {
    let mut s = healthy();
    update(&mut s, Msg::Tick(NOW - 40_000));
    keys(&mut s, "W");
    update(&mut s, warm_preview(false));
    keys(&mut s, "y");
    let line = |task: &str, ip: &str, ok: bool, summary: &str| {
        Msg::Op(OpEvent::Warmed(WarmLine { task_id: task.into(), ip: ip.into(), ok, summary: summary.into() }))
    };
    feed(
        &mut s,
        vec![
            Msg::Op(OpEvent::Started {
                kind: OpKind::Warm,
                ids: vec!["0a1b2c3d4e5f".into(), "1b2c3d4e5f6a".into(), "2c3d4e5f6a7b".into()],
            }),
            line(T1, "10.0.1.23", true, "1,834 ok · 0 failed · 9.8s"),
            line(T2, "10.0.3.41", false, "exit 7 (connection refused)"),
            line(T3, "10.0.5.17", true, "1,812 ok · 0 failed · 10.2s"),
            Msg::Tick(NOW - 2_000),
            Msg::Op(OpEvent::Finished {
                kind: OpKind::Warm,
                ok: false,
                summary: "1 of 3 tasks failed to warm: 8b41d07a".into(),
            }),
            Msg::Tick(NOW),
        ],
    );
    s
}
