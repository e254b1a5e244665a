//! Helpers for the `wpops` binary's tests: an in-process simulator on the wall clock (the binary
//! reads the real time), and the binary run against it with static credentials from the
//! environment, an isolated config directory and no colour-related surprises.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use wpops::sim::{self, Faults, SimHandle, SimOptions};

pub const KEY: &str = "ASIA123456789012TEST";
pub const REGION: &str = "ap-northeast-1";

/// A simulator on the wall clock, at real speed.
pub async fn sim(scenario: &str) -> SimHandle {
    sim::start(SimOptions { scenario: scenario.into(), ..SimOptions::default() }).await.expect("simulator starts")
}

pub async fn throttled_sim() -> SimHandle {
    let faults = Faults { throttle_rate: 1.0, ..Faults::default() };
    sim::start(SimOptions { faults, ..SimOptions::default() }).await.expect("simulator starts")
}

/// What a run of the binary produced.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

/// A command for the binary with a clean environment: no AWS profile or config, the test's
/// static credentials, an empty config home.
pub fn command(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wpops"));
    for var in ["AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "WPOPS_SITE", "NO_COLOR"] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_ACCESS_KEY_ID", KEY)
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_CONFIG_FILE", home.join("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("aws-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("XDG_CONFIG_HOME", home.join("xdg"))
        .env("HOME", home);
    cmd
}

/// Runs a command on a blocking thread (the simulator runs on this test's runtime).
pub async fn run(mut cmd: Command) -> Run {
    tokio::task::spawn_blocking(move || {
        let t = Instant::now();
        let out: Output = cmd.output().expect("the binary runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            took: t.elapsed(),
        }
    })
    .await
    .expect("join")
}

/// `wpops --endpoint-url <sim> --region … --cluster wp-prod --service wordpress`, to add to.
pub fn site_command(sim: &SimHandle, home: &Path) -> Command {
    let mut cmd = command(home);
    cmd.args([
        "--endpoint-url",
        &sim.endpoint_url(),
        "--region",
        REGION,
        "--cluster",
        "wp-prod",
        "--service",
        "wordpress",
    ]);
    cmd
}

/// `wpops --endpoint-url <sim> --region … --cluster wp-prod --service wordpress <args>`.
pub async fn wpops(sim: &SimHandle, home: &Path, args: &[&str]) -> Run {
    let mut cmd = site_command(sim, home);
    cmd.args(args);
    run(cmd).await
}

pub fn home() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

/// A CloudWatch Logs client of the test's account, pointed at the simulator.
pub async fn logs_client(sim: &SimHandle) -> aws_sdk_cloudwatchlogs::Client {
    let target = wpops::aws::Target {
        region: Some(REGION.into()),
        endpoint_url: Some(sim.endpoint_url()),
        static_credentials: Some((KEY.into(), "secret".into())),
        max_attempts: 1,
        ..wpops::aws::Target::interactive()
    };
    let config = wpops::aws::client::load(&target).await.expect("config");
    aws_sdk_cloudwatchlogs::Client::new(&config)
}

/// Writes one line into a log stream now.
pub async fn put_line(sim: &SimHandle, stream: &str, message: &str) {
    let now = chrono::Utc::now().timestamp_millis();
    let event =
        aws_sdk_cloudwatchlogs::types::InputLogEvent::builder().timestamp(now).message(message).build().unwrap();
    logs_client(sim)
        .await
        .put_log_events()
        .log_group_name("/ecs/wordpress")
        .log_stream_name(stream)
        .log_events(event)
        .send()
        .await
        .expect("PutLogEvents");
}

/// Waits until the simulator has counted `n` requests for `op` (e.g. `logs:FilterLogEvents`),
/// which is how a test sees that the binary has polled, rather than sleeping while it does.
/// Panics after 30 s, saying what it waited for.
pub async fn wait_for_requests(sim: &SimHandle, op: &str, n: u64, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let seen = sim.shared.request_count(op);
        if seen >= n {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: {seen} of {n} {op} requests within 30 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the threads reading a finished process's pipes have read to the end (each stops
/// when its pipe closes), so that every line the process printed has been collected. Panics
/// after 30 s.
pub async fn drained(readers: Vec<std::thread::JoinHandle<()>>) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !readers.iter().all(|r| r.is_finished()) {
        assert!(tokio::time::Instant::now() < deadline, "a pipe of the finished process never closed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for r in readers {
        r.join().expect("the reader thread");
    }
}

/// The running tasks' ids, from `wpops status -o json`.
pub async fn task_ids(sim: &SimHandle, home: &Path) -> Vec<String> {
    let v = wpops(sim, home, &["status", "-o", "json"]).await.json();
    v["tasks"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect()
}
