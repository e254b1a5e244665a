//! `--log-file` at the default level says what happened (issue 14 §4): failed attempts and
//! backoffs are warnings with the operation and the error, recoveries and each action's request
//! and outcome are info lines, a command's failure is an error line — and no credential ever
//! appears. Against the simulator: the console in a pty under throttling, `status` that cannot
//! get an answer, and `redeploy --yes --wait` followed to COMPLETED.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::pty::Pty;
use crate::util::*;
use wpops::sim::{Faults, SimHandle};

/// A secret no log line may contain (the simulator accepts any).
const SECRET: &str = "wJalrXUtnFEMI-log-file-test-SECRET";

fn log_of(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Waits until the log file has a line containing every one of `words`; panics after 30 s with
/// what it has.
fn wait_for_line(path: &Path, words: &[&str]) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let log = log_of(path);
        if let Some(line) = log.lines().find(|l| words.iter().all(|w| l.contains(w))) {
            return line.to_string();
        }
        assert!(Instant::now() < deadline, "no line with {words:?} within 30 s:\n{log}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn assert_no_credentials(log: &str) {
    assert!(!log.contains(SECRET), "the secret key is in the log");
    assert!(!log.contains(KEY), "the access key id is in the log");
    assert!(!log.to_ascii_lowercase().contains("authorization"), "a signed header is in the log");
}

fn set_faults(sim: &SimHandle, throttle_rate: f64) {
    *sim.shared.faults.lock().expect("faults") = Faults { throttle_rate, ..Faults::default() };
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_under_throttling_logs_failed_attempts_backoffs_and_the_recovery() {
    let sim = sim("default").await;
    set_faults(&sim, 1.0);
    let home = home();
    let log = home.path().join("wpops.log");
    let url = sim.endpoint_url();
    let log_arg = log.display().to_string();
    let args = [
        "--endpoint-url",
        &url,
        "--region",
        REGION,
        "--cluster",
        "wp-prod",
        "--service",
        "wordpress",
        "--log-file",
        &log_arg,
    ];
    let env = [("AWS_ACCESS_KEY_ID", KEY), ("AWS_SECRET_ACCESS_KEY", SECRET)];
    let mut pty = tokio::task::block_in_place(|| Pty::spawn(&args, &env));
    let (failed, backoff) = tokio::task::block_in_place(|| {
        let failed = wait_for_line(&log, &["WARN", "DescribeServices attempt 1 failed", "ThrottlingException"]);
        let backoff = wait_for_line(&log, &["WARN", "feed{name=\"service\"", "backing off", "Rate exceeded"]);
        (failed, backoff)
    });
    set_faults(&sim, 0.0);
    let recovered = tokio::task::block_in_place(|| {
        let line = wait_for_line(&log, &["INFO", "feed{name=\"service\"", "recovered after"]);
        pty.type_keys("q");
        pty.finish(Duration::from_secs(20));
        line
    });
    assert!(failed.contains("HTTP 400"), "{failed}");
    assert!(backoff.contains("retry_in_ms="), "{backoff}");
    assert!(!recovered.is_empty());
    let text = log_of(&log);
    assert!(text.lines().next().is_some_and(|l| l.contains("INFO") && l.contains("console")), "{text}");
    assert_no_credentials(&text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_that_gets_no_answer_logs_each_attempt_and_its_failure() {
    let sim = throttled_sim().await;
    let home = home();
    let log = home.path().join("wpops.log");
    let mut cmd = site_command(&sim, home.path());
    cmd.env("AWS_SECRET_ACCESS_KEY", SECRET).arg("--log-file").arg(&log).arg("status");
    let r = run(cmd).await;
    assert_eq!(r.code, 3, "{}", r.stderr);
    let text = log_of(&log);
    let attempts = text.lines().filter(|l| l.contains("WARN") && l.contains("failed: HTTP 400")).count();
    assert!(attempts >= 2, "the first attempt and the SDK's retry:\n{text}");
    let error = text.lines().find(|l| l.contains("ERROR")).unwrap_or_else(|| panic!("no error line:\n{text}"));
    assert!(error.contains(r.stderr.trim()), "the failure as printed: {error}");
    assert_no_credentials(&text);
}

/// Moves the simulator's clock ahead quickly while a --wait runs.
struct FastClock(Arc<AtomicBool>);

impl FastClock {
    fn start(sim: &SimHandle) -> FastClock {
        let stop = Arc::new(AtomicBool::new(false));
        let (shared, flag) = (sim.shared.clone(), stop.clone());
        tokio::spawn(async move {
            while !flag.load(Ordering::Relaxed) {
                shared.clock.advance_ms(2_000);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
        FastClock(stop)
    }
}

impl Drop for FastClock {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_logs_its_request_and_its_outcome() {
    let sim = sim("default").await;
    let home = home();
    let log = home.path().join("wpops.log");
    let _clock = FastClock::start(&sim);
    let mut cmd = site_command(&sim, home.path());
    cmd.env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("WPOPS_AUDIT_LOG", home.path().join("audit.jsonl"))
        .arg("--log-file")
        .arg(&log)
        .args(["redeploy", "--yes", "--wait", "-o", "json"]);
    let r = run(cmd).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id = r.json()["deployment_id"].as_str().expect("a deployment id").to_string();
    let text = log_of(&log);
    let line = |words: &[&str]| {
        text.lines()
            .find(|l| words.iter().all(|w| l.contains(w)))
            .unwrap_or_else(|| panic!("no line with {words:?}:\n{text}"))
            .to_string()
    };
    line(&["INFO", "sending ECS:UpdateService"]);
    line(&["INFO", "ECS:UpdateService succeeded"]);
    let accepted = line(&["INFO", "redeploy of wp-prod/wordpress", "accepted by AWS"]);
    assert!(accepted.contains("forceNewDeployment") && accepted.contains(&id), "{accepted}");
    line(&["INFO", &format!("following deployment {id}")]);
    line(&["INFO", &format!("deployment {id}: COMPLETED")]);
    line(&["INFO", "exit 0"]);
    assert_no_credentials(&text);
}
