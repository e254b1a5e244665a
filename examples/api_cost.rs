//! QUALITY.md P6: the API cost of a steady view of a 100-task service. Runs the console's feeds
//! (`wpops::feed::Feeds`, exactly as `wpops` starts them) against an in-process simulator with
//! a 100-task service whose clock runs `--speed` times faster than the wall clock; every
//! virtual minute one running task is stopped through the SDK (stopped-task churn). After
//! `--minutes` virtual minutes the churn stops and the view is left idle for `--idle` real
//! seconds, to show the poller slowing down. Prints the ECS calls counted at the simulator per
//! refresh (`Msg::Service`), DescribeTaskDefinition in all, and the intervals between refreshes.
//! Bars: ≤ 4 ECS calls per refresh, task definitions fetched once per revision, adaptive
//! polling when idle.
//!
//! Run: `cargo run --release --example api_cost [-- --speed 10 --minutes 10 --idle 120]`
//! (about 3 minutes of wall time with those defaults). Talks to 127.0.0.1 only.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use wpops::app::{Msg, SiteInfo};
use wpops::aws::{Clients, Target};
use wpops::feed::Feeds;
use wpops::sim::{self, SimOptions};

const ECS_OPS: [&str; 5] =
    ["ecs:DescribeServices", "ecs:ListTasks", "ecs:DescribeTasks", "ecs:DescribeTaskDefinition", "ecs:StopTask"];

/// A 100-task service: the built-in `large` scenario with 100 tasks instead of 150, a lighter
/// log rate and without its 2,000-service fleet cluster (which the view never reads).
fn scenario_file() -> std::io::Result<std::path::PathBuf> {
    let large = include_str!("../assets/scenarios/large.toml");
    let head = large.split("[[clusters]]\nname = \"wp-fleet\"").next().unwrap_or(large);
    let text = head
        .replace("name = \"large\"", "name = \"api-cost-100\"")
        .replace("desired = 150", "desired = 100")
        .replace("requests_per_second = 400.0", "requests_per_second = 50.0");
    let path = std::env::temp_dir().join(format!("wpops-api-cost-{}.toml", std::process::id()));
    std::fs::write(&path, text)?;
    Ok(path)
}

fn arg(name: &str, default: f64) -> f64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn ecs_counts(sim: &sim::SimHandle) -> BTreeMap<&'static str, u64> {
    ECS_OPS.iter().map(|op| (*op, sim.shared.request_count(op))).collect()
}

/// One refresh as seen from the console: when it arrived and the ECS calls since the last one.
struct Refresh {
    at: Duration,
    calls: BTreeMap<&'static str, u64>,
    running: usize,
    stopped: usize,
}

impl Refresh {
    /// The poller's ECS calls (our own StopTask churn left out).
    fn poller_calls(&self) -> u64 {
        self.calls.iter().filter(|(op, _)| **op != "ecs:StopTask").map(|(_, n)| n).sum()
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let speed = arg("--speed", 10.0);
    let minutes = arg("--minutes", 10.0);
    let idle = Duration::from_secs_f64(arg("--idle", 120.0));
    let churn_every = Duration::from_secs_f64(60.0 / speed);
    let busy = Duration::from_secs_f64(minutes * 60.0 / speed);

    let path = scenario_file()?;
    let sim = sim::start(SimOptions { scenario: path.to_string_lossy().into_owned(), speed, ..SimOptions::default() })
        .await?;
    let _ = std::fs::remove_file(&path);
    let target = Target {
        region: Some("ap-northeast-1".into()),
        endpoint_url: Some(sim.endpoint_url()),
        static_credentials: Some(("ASIA123456789012BENCH".into(), "secret".into())),
        ..Target::interactive()
    };
    let clients = Clients::connect(&target).await?;
    let site = SiteInfo {
        name: "api-cost".into(),
        region: "ap-northeast-1".into(),
        cluster: "wp-prod".into(),
        service: "wordpress".into(),
        warm_limit_ms: 120_000,
        ..SiteInfo::default()
    };
    let (tx, mut rx) = mpsc::channel(1024);
    let mut set = JoinSet::new();
    let mut last = ecs_counts(&sim);
    let started = Instant::now();
    let feeds = Feeds::start(clients.clone(), site, tx, &mut set);

    println!(
        "P6 api_cost: 100-task service, speed {speed}x, churn: StopTask every virtual minute for {minutes} virtual minutes ({:.0} s), then idle {:.0} s",
        busy.as_secs_f64(),
        idle.as_secs_f64()
    );
    let mut refreshes: Vec<Refresh> = Vec::new();
    let mut running_ids: Vec<String> = Vec::new();
    let mut stopped_by_us = 0u32;
    let mut churn = tokio::time::interval_at(tokio::time::Instant::now() + churn_every, churn_every);
    let deadline = tokio::time::Instant::now() + busy + idle;
    loop {
        let churning = started.elapsed() < busy;
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => break,
            _ = churn.tick(), if churning => {
                if let Some(id) = running_ids.pop() {
                    let reason = "api_cost churn";
                    if wpops::aws::ecs_write::stop_task(&clients, "wp-prod", &id, reason).await.is_ok() {
                        stopped_by_us += 1;
                    }
                }
            }
            msg = rx.recv() => match msg {
                Some(Msg::Service { result: Ok(s), .. }) => {
                    let now = ecs_counts(&sim);
                    let calls = now.iter().map(|(op, n)| (*op, n - last.get(op).copied().unwrap_or(0))).collect();
                    last = now;
                    running_ids = s.tasks.iter().filter(|t| t.is_running()).map(|t| t.id.as_str().to_owned()).collect();
                    let stopped = s.tasks.iter().filter(|t| t.is_stopped()).count();
                    refreshes.push(Refresh { at: started.elapsed(), calls, running: running_ids.len(), stopped });
                }
                Some(Msg::Service { result: Err(e), .. }) => eprintln!("refresh failed: {}", e.message),
                Some(_) => {}
                None => break,
            },
        }
    }
    drop(feeds);

    println!("\n  #   t(s)  gap(s)  running stopped  DescSvc ListTasks DescTasks DescTD  = ECS calls");
    let mut prev = Duration::ZERO;
    for (i, r) in refreshes.iter().enumerate() {
        let c = |op: &str| r.calls.get(op).copied().unwrap_or(0);
        println!(
            "{:>3} {:>6.1} {:>7.1} {:>8} {:>7} {:>8} {:>9} {:>9} {:>6}  = {}",
            i + 1,
            r.at.as_secs_f64(),
            (r.at - prev).as_secs_f64(),
            r.running,
            r.stopped,
            c("ecs:DescribeServices"),
            c("ecs:ListTasks"),
            c("ecs:DescribeTasks"),
            c("ecs:DescribeTaskDefinition"),
            r.poller_calls()
        );
        prev = r.at;
    }
    let n = refreshes.len().max(1) as f64;
    let steady: Vec<u64> = refreshes.iter().skip(1).map(|r| r.poller_calls()).collect();
    let total: u64 = refreshes.iter().map(Refresh::poller_calls).sum();
    let describe_td: u64 =
        refreshes.iter().map(|r| r.calls.get("ecs:DescribeTaskDefinition").copied().unwrap_or(0)).sum();
    let gaps: Vec<f64> = refreshes.windows(2).map(|w| (w[1].at - w[0].at).as_secs_f64()).collect();
    let idle_gaps: Vec<f64> =
        refreshes.windows(2).filter(|w| w[0].at >= busy).map(|w| (w[1].at - w[0].at).as_secs_f64()).collect();
    println!("\nrefreshes: {}; tasks stopped by the churn: {stopped_by_us}", refreshes.len());
    println!(
        "ECS calls per refresh: mean {:.2}, max {} (after the first: mean {:.2}, max {})",
        total as f64 / n,
        refreshes.iter().map(Refresh::poller_calls).max().unwrap_or(0),
        steady.iter().sum::<u64>() as f64 / steady.len().max(1) as f64,
        steady.iter().max().copied().unwrap_or(0)
    );
    println!("DescribeTaskDefinition in all: {describe_td}");
    println!("intervals between refreshes (s): {gaps:.1?}");
    println!("intervals while idle (s): {idle_gaps:.1?}");
    let mut others: Vec<(String, u64)> = Vec::new();
    for op in [
        "logs:FilterLogEvents",
        "elasticloadbalancing:DescribeTargetHealth",
        "monitoring:GetMetricData",
        "wafv2:GetSampledRequests",
    ] {
        others.push((op.to_string(), sim.shared.request_count(op)));
    }
    println!("other calls in all (for reference): {others:?}; all requests: {}", sim.shared.total_requests());
    Ok(())
}
