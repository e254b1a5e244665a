//! Whole console states built the way the runtime would feed them: a healthy morning, an
//! incident, and AWS failing.

use wpops::app::{Msg, State};
use wpops::model::{
    CallerIdentity, DeploymentStatus, FetchErrorKind, Health, LastStatus, RolloutState, Service, ServiceSnapshot,
    TargetState,
};

use super::ecs::{deployment, events, report, running, stopped, target, td};
use super::insight::{platform, waf};
use super::logs::{log_lines, warm_lines};
use super::{MIN, NOW, T1, T2, T3, T4, feed, fetch_error, site};

/// A quiet morning: 3/3 running, every warmer healthy, rollout completed 12m ago.
pub fn healthy() -> State {
    let mut s = State::new(site(), NOW);
    let service = Service {
        name: "wordpress".into(),
        cluster: "wp-prod".into(),
        status: "ACTIVE".into(),
        desired: 3,
        running: 3,
        pending: 0,
        task_definition: td(42),
        deployments: vec![deployment(
            "ecs-svc/42",
            DeploymentStatus::Primary,
            42,
            RolloutState::Completed,
            [3, 3, 0, 0],
            16 * MIN,
        )],
        events: events(&[
            (4 * MIN, "(service wordpress) has reached a steady state."),
            (12 * MIN, "(service wordpress) (deployment ecs-svc/42) deployment completed."),
            (14 * MIN, "(service wordpress) has stopped 1 running tasks: (task 77c0e2d4)."),
            (16 * MIN, "(service wordpress) has started 3 tasks: (task 3f2a9c1e) (task 8b41d07a) (task c91e44f0)."),
        ]),
        ..Service::default()
    };
    let tasks = vec![
        running(T1, 42, "1a", "10.0.1.23", 131 * MIN, Some(0)),
        running(T2, 42, "1c", "10.0.3.41", 130 * MIN, Some(0)),
        running(T3, 42, "1d", "10.0.5.17", 14 * MIN, Some(0)),
    ];
    let targets = vec![
        target("10.0.1.23", TargetState::Healthy, None),
        target("10.0.3.41", TargetState::Healthy, None),
        target("10.0.5.17", TargetState::Healthy, None),
    ];
    let snapshot = ServiceSnapshot { service, tasks, targets, ..ServiceSnapshot::default() };
    let reports = vec![
        report(T1, 1834, 0, 9_800, 131 * MIN),
        report(T2, 1834, 0, 10_400, 130 * MIN),
        report(T3, 1834, 0, 9_100, 14 * MIN),
    ];
    feed(
        &mut s,
        vec![
            Msg::Caller(Ok(CallerIdentity { account: "123456789012".into(), ..CallerIdentity::default() })),
            Msg::Service { at_ms: NOW - 1_000, result: Ok(Box::new(snapshot)) },
            Msg::Logs { at_ms: NOW - 2_000, generation: 0, events: warm_lines(&reports) },
            Msg::Logs { at_ms: NOW - 2_000, generation: 0, events: log_lines(&[T1, T2, T3], false) },
            Msg::WarmReports(reports),
            Msg::Waf { at_ms: NOW - 20_000, result: Ok(Box::new(waf())) },
            Msg::Platform { at_ms: NOW - 15_000, result: Ok(Box::new(platform(0.0, 0.0, 12.0))) },
            Msg::Tick(NOW),
        ],
    );
    s
}

/// The incident: a rollout to :43 in progress, a warmer with 44 failures, one with exit 127,
/// stopped tasks (OOM 137 ×3, CannotPullContainerError ×2, ResourceInitializationError), an
/// unhealthy target, ELB 5xx and php-fpm at pm.max_children.
pub fn incident() -> State {
    let mut s = State::new(site(), NOW);
    let service = Service {
        name: "wordpress".into(),
        cluster: "wp-prod".into(),
        status: "ACTIVE".into(),
        desired: 3,
        running: 4,
        pending: 1,
        task_definition: td(43),
        deployments: vec![
            deployment("ecs-svc/43", DeploymentStatus::Primary, 43, RolloutState::InProgress, [3, 2, 1, 5], 3 * MIN),
            deployment("ecs-svc/42", DeploymentStatus::Active, 42, RolloutState::Completed, [1, 2, 0, 0], 200 * MIN),
        ],
        events: events(&[
            (MIN / 2, "(service wordpress) registered 1 targets in (target-group tg-wordpress)"),
            (MIN, "(service wordpress) (task e2d7a9b1) failed container health checks."),
            (
                2 * MIN,
                "(service wordpress) was unable to place a task. Reason: CannotPullContainerError: pull access denied for wordpress:php-latest.",
            ),
            (3 * MIN, "(service wordpress) has started 2 tasks: (task c91e44f0) (task e2d7a9b1)."),
            (4 * MIN, "(service wordpress) has reached a steady state."),
        ]),
        ..Service::default()
    };
    let mut t4 = running(T4, 43, "1a", "10.0.1.88", 40_000, None);
    t4.last_status = LastStatus::Pending;
    t4.health = Health::Unknown;
    for c in &mut t4.containers {
        c.last_status = LastStatus::Pending;
        c.health = Health::Unknown;
    }
    let mut t3 = running(T3, 43, "1d", "10.0.5.17", 3 * MIN, Some(127));
    t3.health = Health::Unhealthy;
    t3.containers[1].health = Health::Unhealthy;
    let oom = [Some(143), Some(137), Some(0)];
    let essential = "Essential container in task exited";
    let tasks = vec![
        running(T1, 42, "1a", "10.0.1.23", 131 * MIN, Some(0)),
        running(T2, 42, "1c", "10.0.3.41", 130 * MIN, Some(0)),
        t3,
        t4,
        stopped("77c0e2d4aa", 41 * MIN, essential, "EssentialContainerExited", oom),
        stopped("5d1f0e9c11", 44 * MIN, essential, "EssentialContainerExited", oom),
        stopped("a0b1c2d3ee", 52 * MIN, essential, "EssentialContainerExited", oom),
        stopped(
            "9e8d7c6b22",
            2 * MIN,
            "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/wordpress:php-latest: not found",
            "TaskFailedToStart",
            [None; 3],
        ),
        stopped(
            "1a2b3c4d33",
            3 * MIN,
            "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/wordpress:php-latest: not found",
            "TaskFailedToStart",
            [None; 3],
        ),
        stopped(
            "f0e1d2c344",
            9 * MIN,
            "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: mount.nfs4: Connection timed out",
            "TaskFailedToStart",
            [None; 3],
        ),
    ];
    let targets = vec![
        target("10.0.1.23", TargetState::Healthy, None),
        target("10.0.3.41", TargetState::Healthy, None),
        target("10.0.5.17", TargetState::Unhealthy, Some("Target.ResponseCodeMismatch")),
        target("10.0.1.88", TargetState::Initial, None),
    ];
    let snapshot = ServiceSnapshot { service, tasks, targets, ..ServiceSnapshot::default() };
    let reports = vec![report(T1, 1834, 0, 9_800, 131 * MIN), report(T2, 1790, 44, 12_100, 130 * MIN)];
    feed(
        &mut s,
        vec![
            Msg::Caller(Ok(CallerIdentity { account: "123456789012".into(), ..CallerIdentity::default() })),
            Msg::Service { at_ms: NOW - 1_000, result: Ok(Box::new(snapshot)) },
            Msg::Logs { at_ms: NOW - 1_000, generation: 0, events: warm_lines(&reports) },
            Msg::Logs { at_ms: NOW - 1_000, generation: 0, events: log_lines(&[T1, T2, T3], true) },
            Msg::WarmReports(reports),
            Msg::Waf { at_ms: NOW - 20_000, result: Ok(Box::new(waf())) },
            Msg::Platform { at_ms: NOW - 15_000, result: Ok(Box::new(platform(37.0, 12.0, 96.0))) },
            Msg::Tick(NOW),
        ],
    );
    s
}

/// AWS unreachable for ECS since start, WAF throttled after one good result, platform denied.
pub fn errors() -> State {
    let mut s = State::new(site(), NOW - 120_000);
    feed(
        &mut s,
        vec![
            Msg::Caller(Err(fetch_error(
                "sts:GetCallerIdentity",
                FetchErrorKind::Credentials,
                "the SSO session has expired",
                "run aws sso login --profile corp",
            ))),
            Msg::Service {
                at_ms: NOW - 5_000,
                result: Err(fetch_error(
                    "ecs:DescribeServices",
                    FetchErrorKind::Network,
                    "connection timed out",
                    "check the network or --endpoint-url",
                )),
            },
            Msg::Backoff { feed: wpops::app::Feed::Service, at_ms: NOW, retry_in_ms: 8_000 },
            Msg::Waf { at_ms: NOW - 95_000, result: Ok(Box::new(waf())) },
            Msg::Waf {
                at_ms: NOW - 3_000,
                result: Err(fetch_error(
                    "wafv2:GetSampledRequests",
                    FetchErrorKind::Throttled,
                    "Rate exceeded",
                    "wpops backs off and retries",
                )),
            },
            Msg::Platform {
                at_ms: NOW - 4_000,
                result: Err(fetch_error(
                    "cloudwatch:GetMetricData",
                    FetchErrorKind::AccessDenied,
                    "not authorized to perform cloudwatch:GetMetricData",
                    "add cloudwatch:GetMetricData to the role",
                )),
            },
            Msg::LogsFailed {
                at_ms: NOW - 2_000,
                generation: 0,
                error: fetch_error(
                    "logs:FilterLogEvents",
                    FetchErrorKind::NotFound,
                    "log group /ecs/wordpress does not exist",
                    "set log_group in the site's config",
                ),
            },
            Msg::Tick(NOW),
        ],
    );
    s
}
