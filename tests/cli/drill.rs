//! Fault drills for the scripting commands, through the real binary against the in-process
//! simulator (QUALITY.md items 4, 5, 9 and 11): `wpops status` under throttling, errors and
//! latency either answers in full (exit 0/1) or fails within its timeouts with one clear line
//! and exit 3, never hanging or tracing; `wpops logs --follow` through the same weather and a
//! hard outage prints every line written to several streams, late arrivals included, exactly
//! once.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::util::*;
use wpops::sim::{Faults, SimHandle};
use wpops_fixtures::drill::{assert_exactly_once, count_markers, fault_schedule, write_marked};

/// `wpops status` makes at most three rounds of calls after the service; each call gives up
/// after its 15 s operation timeout. Far more than that is a hang.
const STATUS_BOUND: Duration = Duration::from_secs(50);

/// A status run is either a full answer or a one-line AWS failure.
fn assert_answer_or_clean_failure(r: &Run, what: &str) {
    assert!(r.took < STATUS_BOUND, "{what}: took {:?}", r.took);
    assert!(!r.stderr.contains("panicked") && !r.stderr.contains("stack backtrace"), "{what}: {}", r.stderr);
    match r.code {
        0 | 1 => {
            let v = r.json();
            assert_eq!(v["service"]["name"], "wordpress", "{what}: full output: {}", r.stdout);
            assert!(v["tasks"].as_array().is_some_and(|t| !t.is_empty()), "{what}: tasks: {}", r.stdout);
        }
        3 => {
            assert!(r.stdout.is_empty(), "{what}: no partial output on failure: {}", r.stdout);
            let lines: Vec<&str> = r.stderr.lines().collect();
            assert_eq!(lines.len(), 1, "{what}: one line: {}", r.stderr);
            assert!(lines[0].starts_with("wpops status: "), "{what}: {}", r.stderr);
        }
        other => panic!("{what}: exit {other}: {}\n{}", r.stdout, r.stderr),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_under_faults_answers_in_full_or_fails_in_one_line() {
    let sim = sim("default").await;
    let home = home();
    let weather = [
        ("30 % throttled, 10 % errors, 400 ms", Faults { throttle_rate: 0.3, error_rate: 0.1, latency_ms: 400 }),
        ("60 % throttled, 20 % errors", Faults { throttle_rate: 0.6, error_rate: 0.2, latency_ms: 0 }),
        ("all throttled", Faults { throttle_rate: 1.0, ..Faults::default() }),
        ("all failing", Faults { error_rate: 1.0, ..Faults::default() }),
    ];
    for (what, faults) in weather {
        sim.set_faults(faults);
        for _ in 0..2 {
            let r = wpops(&sim, home.path(), &["status", "-o", "json"]).await;
            assert_answer_or_clean_failure(&r, what);
        }
    }
    // Nothing gets through at all: exit 3, within the bound.
    sim.set_faults(Faults { throttle_rate: 1.0, ..Faults::default() });
    let r = wpops(&sim, home.path(), &["status"]).await;
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_answer_or_clean_failure(&r, "all throttled, text");
    assert!(r.stderr.to_lowercase().contains("throttl"), "says why: {}", r.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_against_a_stalled_endpoint_times_out_with_exit_3() {
    let sim = sim("default").await;
    let home = home();
    // Every answer comes after the 6 s attempt timeout: the 15 s operation timeout ends it.
    sim.set_faults(Faults { latency_ms: 7_000, ..Faults::default() });
    let r = wpops(&sim, home.path(), &["status"]).await;
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert_answer_or_clean_failure(&r, "stalled");
    assert!(r.took < Duration::from_secs(25), "gives up at its operation timeout: {:?}", r.took);
    assert!(r.stderr.contains("timed out"), "{}", r.stderr);
}

/// `wpops logs --follow -o json` running against `sim`: its stdout lines and stderr, collected.
struct Follow {
    child: std::process::Child,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
    /// The threads collecting stdout and stderr.
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Follow {
    fn start(sim: &SimHandle, home: &std::path::Path) -> Follow {
        let mut cmd = command(home);
        cmd.args(["--endpoint-url", &sim.endpoint_url(), "--region", REGION, "--cluster", "wp-prod"]);
        cmd.args(["--service", "wordpress", "logs", "--follow", "--since", "1m", "--output", "json"]);
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
        let collect = |pipe: Box<dyn std::io::Read + Send>| {
            let lines: Arc<Mutex<Vec<String>>> = Arc::default();
            let sink = lines.clone();
            let reader = std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    sink.lock().expect("lock").push(line);
                }
            });
            (lines, reader)
        };
        let (stdout, out_reader) = collect(Box::new(child.stdout.take().expect("stdout")));
        let (stderr, err_reader) = collect(Box::new(child.stderr.take().expect("stderr")));
        Follow { child, stdout, stderr, readers: vec![out_reader, err_reader] }
    }

    fn texts(&self) -> Vec<String> {
        Follow::texts_of(&self.stdout.lock().expect("lock"))
    }

    fn texts_of(lines: &[String]) -> Vec<String> {
        lines
            .iter()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
                v["text"].as_str().expect("text").to_string()
            })
            .collect()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().expect("lock").join("\n")
    }

    fn still_running(&mut self) -> bool {
        self.child.try_wait().expect("wait").is_none()
    }

    async fn stop(self) -> (i32, Vec<String>, String) {
        let pid = self.child.id().to_string();
        assert!(std::process::Command::new("kill").args(["-INT", &pid]).status().expect("kill").success());
        let Follow { mut child, stdout, stderr, readers } = self;
        let status = tokio::task::spawn_blocking(move || child.wait()).await.expect("join").expect("wait");
        // The readers see the pipes close once the process is gone.
        drained(readers).await;
        let texts = Follow::texts_of(&stdout.lock().expect("lock"));
        let stderr = stderr.lock().expect("lock").join("\n");
        (status.code().unwrap_or(-1), texts, stderr)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_under_faults_prints_every_line_exactly_once() {
    let sim = Arc::new(sim("quiet").await);
    let home = home();
    let tasks = task_ids(&sim, home.path()).await;
    let streams: Vec<String> =
        tasks.iter().flat_map(|t| ["nginx", "php-fpm", "warmer"].map(|c| format!("wp/{c}/{t}"))).take(6).collect();
    let polls = || sim.shared.request_count("logs:FilterLogEvents");
    let mut follow = Follow::start(&sim, home.path());
    // Once it has printed a line it is following (its first poll is behind it).
    put_line(&sim, &streams[0], "drill follow started").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while !follow.texts().iter().any(|t| t.contains("drill follow started")) {
        assert!(follow.still_running(), "logs --follow ended: {}", follow.stderr());
        assert!(Instant::now() < deadline, "the follow never started: {}", follow.stderr());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The weather, with a 3 s hard outage in the middle, while 300 lines are written.
    let weather = fault_schedule(sim.clone(), Duration::from_secs(2), Duration::from_secs(3));
    let markers = write_marked(&sim, &streams, 300, "cli").await;
    weather.abort();
    let _ = weather.await;
    sim.set_faults(Faults::default());

    // Everything arrives once the weather clears (its backoff is at most a few seconds here);
    // then a few more polls re-read the overlap window: nothing may come twice.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let counts = count_markers(follow.texts().iter().map(String::as_str), "cli");
        if markers.iter().all(|m| counts.contains_key(m)) {
            break;
        }
        assert!(follow.still_running(), "logs --follow ended: {}", follow.stderr());
        if Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    wait_for_requests(&sim, "logs:FilterLogEvents", polls() + 3, "three more polls").await;
    let (code, texts, stderr) = follow.stop().await;
    assert_eq!(code, 130, "Ctrl-C exits 130: {stderr}");
    let counts = count_markers(texts.iter().map(String::as_str), "cli");
    assert_exactly_once(&markers, &counts);
    assert!(stderr.lines().any(|l| l.contains("retrying in")), "the outage made it retry: {stderr}");
    assert!(stderr.lines().all(|l| l.starts_with("wpops logs: ")), "one-line reports only: {stderr}");
}
