//! Fixtures for the console's tests: realistic services, tasks, warm reports, logs, WAF and
//! platform numbers for a healthy morning and for an incident, at a fixed time (no clock).
#![allow(dead_code)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wpops::app::{FoundReport, Msg, ServiceSnapshot, SiteInfo, State, update};
use wpops::model::{
    CallerIdentity, Container, ContainerRole, Deployment, DeploymentStatus, FetchError, FetchErrorKind, Health,
    LastStatus, PlatformMetrics, RawLogEvent, RolloutState, RuleGroupStats, SampledRequest, Series, Service,
    ServiceEvent, TargetHealth, TargetState, Task, WafSnapshot, WarmReport, ingest,
};

/// 2025-11-28 14:02:11 UTC.
pub const NOW: i64 = 1_764_338_531_000;
const MIN: i64 = 60_000;

pub fn site() -> SiteInfo {
    SiteInfo {
        name: "corp-blog".into(),
        region: "ap-northeast-1".into(),
        cluster: "wp-prod".into(),
        service: "wordpress".into(),
        profile: None,
        read_only: false,
        demo: false,
        warm_limit_ms: 120_000,
        confirm_by_typing: false,
    }
}

fn td(rev: u32) -> String {
    format!("arn:aws:ecs:ap-northeast-1:123456789012:task-definition/wordpress:{rev}")
}

fn container(name: &str, status: LastStatus, health: Health, exit: Option<i32>) -> Container {
    Container {
        name: name.into(),
        role: ContainerRole::from_container_name(name),
        last_status: status,
        exit_code: exit,
        reason: None,
        health,
        image: format!("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/wordpress:{name}-latest"),
        image_digest: Some("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into()),
    }
}

/// A running task with healthy nginx/php-fpm and a warmer that stopped with `warmer_exit`.
pub fn running(id: &str, rev: u32, az: &str, ip: &str, up_ms: i64, warmer_exit: Option<i32>) -> Task {
    let warmer_status = if warmer_exit.is_some() { LastStatus::Stopped } else { LastStatus::Running };
    Task {
        id: id.into(),
        arn: format!("arn:aws:ecs:ap-northeast-1:123456789012:task/wp-prod/{id}"),
        task_definition: td(rev),
        revision: rev,
        last_status: LastStatus::Running,
        desired_status: LastStatus::Running,
        health: Health::Healthy,
        az: format!("ap-northeast-{az}"),
        private_ip: Some(ip.into()),
        started_at_ms: Some(NOW - up_ms),
        started_by: Some(format!("ecs-svc/{rev}0001")),
        containers: vec![
            container("nginx", LastStatus::Running, Health::Healthy, None),
            container("php-fpm", LastStatus::Running, Health::Healthy, None),
            container("warmer", warmer_status, Health::Unknown, warmer_exit),
        ],
        ..Task::default()
    }
}

fn stopped(id: &str, ago_ms: i64, reason: &str, code: &str, exits: [Option<i32>; 3]) -> Task {
    let mut t = running(id, 42, "1c", "10.0.3.99", ago_ms + 20 * MIN, Some(0));
    t.last_status = LastStatus::Stopped;
    t.desired_status = LastStatus::Stopped;
    t.health = Health::Unknown;
    t.stopped_at_ms = Some(NOW - ago_ms);
    t.stopped_reason = Some(reason.into());
    t.stop_code = Some(code.into());
    for (c, exit) in t.containers.iter_mut().zip(exits) {
        c.last_status = LastStatus::Stopped;
        c.exit_code = exit;
        c.health = Health::Unknown;
    }
    t
}

fn deployment(
    id: &str,
    status: DeploymentStatus,
    rev: u32,
    rollout: RolloutState,
    counts: [u32; 4],
    age: i64,
) -> Deployment {
    Deployment {
        id: id.into(),
        status,
        task_definition: td(rev),
        desired: counts[0],
        running: counts[1],
        pending: counts[2],
        failed_tasks: counts[3],
        rollout: rollout.clone(),
        rollout_reason: Some(match rollout {
            RolloutState::Completed => "ECS deployment ecs-svc/42 completed.".into(),
            _ => "ECS deployment ecs-svc/43 in progress.".into(),
        }),
        created_at_ms: NOW - age,
        updated_at_ms: NOW - age + 4 * MIN,
    }
}

fn events(lines: &[(i64, &str)]) -> Vec<ServiceEvent> {
    lines
        .iter()
        .enumerate()
        .map(|(i, (ago, m))| ServiceEvent { id: format!("ev{i}"), at_ms: NOW - ago, message: (*m).into() })
        .collect()
}

fn target(ip: &str, state: TargetState, reason: Option<&str>) -> TargetHealth {
    TargetHealth {
        ip: ip.into(),
        port: Some(80),
        state,
        reason: reason.map(Into::into),
        description: reason.map(|_| "Health checks failed with these codes: [502]".into()),
    }
}

fn series(values: &[f64]) -> Series {
    Series { points: values.iter().enumerate().map(|(i, v)| (NOW - (values.len() - i) as i64 * MIN, *v)).collect() }
}

pub fn platform(elb_5xx: f64, target_5xx: f64, efs_io: f64) -> PlatformMetrics {
    PlatformMetrics {
        alb_requests: series(&[2410.0, 2533.0, 2520.0]),
        elb_5xx: series(&[0.0, elb_5xx]),
        target_5xx: series(&[0.0, target_5xx]),
        response_time_s: series(&[0.051, 0.043]),
        cpu_percent: series(&[21.0, 23.4]),
        memory_percent: series(&[40.0, 41.2]),
        efs_io_percent: series(&[10.0, efs_io]),
        efs_burst_credits: series(&[2.31e12]),
        efs_id: Some("fs-0a1b2c3d".into()),
    }
}

pub fn waf() -> WafSnapshot {
    let group = |name: &str, series: Vec<u64>, rules: &[(&str, u64)]| {
        let mut g = RuleGroupStats::from_series(name, name, series);
        g.rules = rules.iter().map(|(r, n)| ((*r).into(), *n)).collect();
        g
    };
    let groups = vec![
        group(
            "AWSManagedRulesWordPressRuleSet",
            vec![20, 35, 18, 90, 160, 60, 22, 19, 30, 41, 25, 33],
            &[("WordPressExploitableCommands_QUERYSTRING", 402), ("WordPressExploitablePaths_URIPATH", 151)],
        ),
        group(
            "AWSManagedRulesPHPRuleSet",
            vec![2, 1, 3, 2, 4, 3, 1, 2, 5, 2, 3, 2],
            &[("PHPHighRiskMethodsVariables_QUERYSTRING", 30)],
        ),
        group("AWSManagedRulesSQLiRuleSet", vec![0, 12, 3, 0, 1, 30, 2, 0, 4, 0, 1, 0], &[("SQLi_QUERYARGUMENTS", 53)]),
        group(
            "AWSManagedRulesCommonRuleSet",
            vec![30, 28, 35, 31, 29, 40, 33, 30, 36, 32, 30, 29],
            &[("SizeRestrictions_BODY", 210), ("GenericLFI_QUERYARGUMENTS", 93)],
        ),
    ];
    let sample = |ago: i64, ip: &str, cc: &str, method: &str, uri: &str, rule: &str, weight: u64| SampledRequest {
        at_ms: NOW - ago,
        client_ip: ip.into(),
        country: cc.into(),
        method: method.into(),
        uri: uri.into(),
        rule: rule.into(),
        action: "BLOCK".into(),
        weight,
    };
    let samples = vec![
        sample(40_000, "203.0.113.7", "NL", "POST", "/xmlrpc.php", "WordPressExploitablePaths_URIPATH", 611),
        sample(95_000, "198.51.100.23", "US", "GET", "/?id=1%27%20OR%201=1", "SQLi_QUERYARGUMENTS", 53),
        sample(130_000, "192.0.2.44", "CN", "GET", "/wp-config.php.bak", "GenericLFI_QUERYARGUMENTS", 93),
        sample(200_000, "203.0.113.7", "NL", "POST", "/wp-login.php", "SizeRestrictions_BODY", 120),
    ];
    WafSnapshot::new("wordpress-waf".into(), "arn:aws:wafv2:…/wordpress-waf".into(), 3 * 3600, groups, samples, 10)
}

fn log(stream_container: &str, task: &str, ago_ms: i64, n: usize, message: &str) -> Vec<wpops::model::LogEvent> {
    ingest(&RawLogEvent {
        log_stream: &format!("wp/{stream_container}/{task}"),
        event_id: &format!("{task}-{stream_container}-{ago_ms}-{n}"),
        timestamp_ms: NOW - ago_ms,
        ingestion_ms: NOW - ago_ms + 200,
        message,
    })
}

fn access(client: &str, request: &str, status: u16, took: f32, ua: &str) -> String {
    format!(
        r#"10.0.0.12 - - [28/Nov/2025:14:02:11 +0000] "{request} HTTP/1.1" {status} 5120 "-" "{ua}" "{client}" {took:.3}"#
    )
}

/// A realistic mix of lines from the given tasks, oldest first.
pub fn log_lines(tasks: &[&str], trouble: bool) -> Vec<wpops::model::LogEvent> {
    let mut out = Vec::new();
    let requests = [
        ("198.51.100.2", "GET /2025/11/hello-world/", 200, 0.043),
        ("203.0.113.7", "POST /xmlrpc.php", 403, 0.001),
        ("192.0.2.10", "GET /wp-json/wp/v2/posts", 200, 0.120),
        ("198.51.100.9", "GET /feed/", 304, 0.004),
        ("192.0.2.77", "GET /wp-admin/admin-ajax.php", 502, 10.002),
        ("198.51.100.2", "GET /wp-content/uploads/2025/11/a.jpg", 200, 0.008),
    ];
    for task in tasks {
        out.extend(log("php-fpm", task, 2_990_000, 1, "NOTICE: fpm is running, pid 1"));
    }
    for k in 0..60usize {
        let task = tasks[k % tasks.len()];
        let (client, req, mut status, took) = requests[k % requests.len()];
        if !trouble && status == 502 {
            status = 200;
        }
        let line = if k % 7 == 3 {
            access("-", "GET /healthz", 200, 0.001, "ELB-HealthChecker/2.0")
        } else {
            access(client, req, status, took, "Mozilla/5.0")
        };
        out.extend(log("nginx", task, 59_000 - k as i64 * 900, k, &line));
        if trouble && k % 20 == 10 {
            out.extend(log(
                "php-fpm",
                task,
                59_000 - k as i64 * 900,
                k,
                "WARNING: [pool www] server reached pm.max_children setting (10), consider raising it",
            ));
        }
    }
    out.sort_by_key(|e| e.ts_ms);
    out
}

/// The warmer's log line for each report, at the report's time.
pub fn warm_lines(reports: &[FoundReport]) -> Vec<wpops::model::LogEvent> {
    let mut out: Vec<_> = reports
        .iter()
        .flat_map(|r| {
            let w = r.report;
            let text = format!(
                "success: {} \tfailure: {} \tno_change: {} \ttotal: {}",
                w.success, w.failure, w.no_change, w.total
            );
            log("warmer", &r.task_id, NOW - r.at_ms, 0, &text)
        })
        .collect();
    out.sort_by_key(|e| e.ts_ms);
    out
}

fn report(task: &str, success: u32, failure: u32, took_ms: i64, started_ago: i64) -> FoundReport {
    FoundReport {
        task_id: task.into(),
        report: WarmReport { success, failure, no_change: 12, total: success + failure + 12 },
        at_ms: NOW - started_ago + took_ms,
    }
}

pub fn fetch_error(operation: &str, kind: FetchErrorKind, message: &str, hint: &str) -> FetchError {
    FetchError { kind, operation: operation.into(), message: message.into(), hint: hint.into() }
}

/// Feeds a state with messages as the runtime would.
pub fn feed(state: &mut State, msgs: Vec<Msg>) {
    for m in msgs {
        update(state, m);
    }
}

const T1: &str = "3f2a9c1e5b7d4e0f8a9b1c2d3e4f5a6b";
const T2: &str = "8b41d07a2c3e4f5061728394a5b6c7d8";
const T3: &str = "c91e44f0aa12bb34cc56dd78ee90ff12";
const T4: &str = "e2d7a9b13c4f5e6d7c8b9a0f1e2d3c4b";

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
            Msg::Backoff { feed: wpops::app::Feed::Service, retry_in_ms: 8_000 },
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

/// The buffer as text, one line per row, trailing spaces trimmed.
pub fn draw(state: &State, width: u16, height: u16) -> String {
    let Ok(mut terminal) = Terminal::new(TestBackend::new(width, height));
    let _ = terminal.draw(|f| wpops::ui::render(state, f));
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut row = String::new();
        for x in 0..buffer.area.width {
            row.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out
}
