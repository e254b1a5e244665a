//! A task's whole life read through the real SDK from the simulator (`feed::lifetime`, behind
//! the task detail and `wpops logs -t`): three hours of lines of a task that stopped, read in
//! slices newest first through the simulator's FilterLogEvents throttling, come back exactly
//! once each and in order; with a byte budget too small for them, the warmer's lines are kept
//! whole and nginx's are the newest that fit, with how far back they reach said.

use std::collections::HashSet;

use wpops::feed::Discovery;
use wpops::feed::budget::Budget;
use wpops::feed::lifetime::{LifetimeRead, find_by_streams};
use wpops::model::{ContainerDef, ContainerRole, LastStatus, Task, TaskDefinition};
use wpops_fixtures::sim::{KEY, REGION, START_MS, clients, sim};

const GROUP: &str = "/drill/life";
const ID: &str = "5eed0000000000000000000000000042";
const LIFE_MS: i64 = 3 * 3_600_000;
const NGINX_LINES: i64 = 30_000;

fn disc() -> Discovery {
    let arn = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/life:1";
    let container = |name: &str, role| ContainerDef {
        name: name.into(),
        role,
        log_group: Some(GROUP.into()),
        log_stream_prefix: Some("wp".into()),
        ..ContainerDef::default()
    };
    let td = TaskDefinition {
        arn: arn.into(),
        family: "life".into(),
        revision: 1,
        containers: vec![container("nginx", ContainerRole::Nginx), container("warmer", ContainerRole::Warmer)],
        ..TaskDefinition::default()
    };
    Discovery { task_definitions: vec![td], ..Discovery::default() }
}

/// A task that ran three hours and stopped ten minutes before the simulator's start.
fn task() -> Task {
    let stopped = START_MS - 600_000;
    Task {
        id: ID.into(),
        task_definition: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/life:1".into(),
        last_status: LastStatus::Stopped,
        started_at_ms: Some(stopped - LIFE_MS),
        stopped_at_ms: Some(stopped),
        ..Task::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_tasks_life_is_read_whole_once_and_in_order_or_its_newest_part() {
    let sim = sim("quiet").await;
    let t = task();
    let (start, stop) = (t.started_at_ms.unwrap(), t.stopped_at_ms.unwrap());
    sim.with_world(&wpops::sim::account_of(KEY), REGION, |w| {
        w.logs.create_group(GROUP, start - 3_600_000);
        for (i, text) in
            ["warming 1834 files", "success: 1834 \tfailure: 0 \tno_change: 0 \ttotal: 1834"].iter().enumerate()
        {
            let ts = start + 9_000 + i as i64;
            w.logs.put(GROUP, &format!("wp/warmer/{ID}"), ts, ts + 300, text.to_string());
        }
        for i in 0..NGINX_LINES {
            let ts = start + 10_000 + i * (LIFE_MS - 20_000) / NGINX_LINES;
            w.logs.put(GROUP, &format!("wp/nginx/{ID}"), ts, ts + 300, format!("GET /line/{i} 200"));
        }
        // Another task's lines in the same window are not this task's.
        w.logs.put(GROUP, "wp/nginx/ffff0000000000000000000000000001", stop - 1_000, stop, "GET /other 200".into());
    });
    let clients = clients(&sim, true).await;
    let disc = disc();
    let budget = Budget::new(5.0, 4.0);
    let read = |max_bytes| LifetimeRead {
        clients: &clients,
        disc: &disc,
        task: &t,
        containers: &[],
        group: None,
        budget: &budget,
        now: START_MS,
        max_bytes,
    };
    let log = read(usize::MAX).read().await.expect("the life is read");
    assert!(log.is_whole());
    assert_eq!(log.events.len() as i64, NGINX_LINES + 2, "every line once");
    let ids: HashSet<&str> = log.events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids.len(), log.events.len(), "no line twice");
    assert!(log.events.windows(2).all(|w| w[0].ts_ms <= w[1].ts_ms), "in time order");
    assert!(log.events.iter().all(|e| &*e.task_id == ID), "this task's only");
    assert_eq!(log.of("warmer").count(), 2);
    let mut numbers =
        log.of("nginx").map(|e| e.text.split('/').nth(2).unwrap().split(' ').next().unwrap().parse::<i64>().unwrap());
    assert!((0..NGINX_LINES).all(|i| numbers.next() == Some(i)), "nginx's lines in order, none missing");

    // A budget of about a tenth of them: the warmer whole, nginx's newest lines.
    let whole: usize = log.events.iter().map(|e| e.approx_bytes()).sum();
    let part = read(whole / 10).read().await.expect("the newest part is read");
    assert!(!part.is_whole());
    assert!(part.reached_ms > start && part.reached_ms < stop, "{} in {start}..{stop}", part.reached_ms);
    assert_eq!(part.of("warmer").count(), 2, "the warmer's output whatever the budget");
    let nginx: Vec<&str> = part.of("nginx").map(|e| e.text.as_str()).collect();
    assert!(nginx.len() as i64 > NGINX_LINES / 20 && (nginx.len() as i64) < NGINX_LINES / 5, "{}", nginx.len());
    assert_eq!(nginx.last(), Some(&format!("GET /line/{} 200", NGINX_LINES - 1).as_str()), "up to the stop");
    assert!(part.of("nginx").all(|e| e.ts_ms >= part.reached_ms));
    assert!(part.events.iter().map(|e| e.approx_bytes()).sum::<usize>() <= whole / 10, "within the budget");

    // ECS forgot the task: its streams find it, with their span as its life.
    let found = find_by_streams(&clients, &disc, &ID[..8], None).await.expect("streams read").expect("found");
    assert_eq!(found.id.as_str(), ID);
    assert_eq!(found.started_at_ms, Some(start + 9_000));
    assert!(found.stopped_at_ms.unwrap() <= stop);
    assert!(find_by_streams(&clients, &disc, "0123abcd", None).await.expect("streams read").is_none());
}
