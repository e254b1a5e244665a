//! Conformance judged by an independent client: botocore (pinned in `.ci/run`, its Python in
//! `WPOPS_BOTOCORE_PYTHON`) runs `conformance.py` against the in-process simulator on 127.0.0.1,
//! calling every operation the README lists for each service on botocore's default protocol
//! (and CloudWatch on each of the three its model lists), parsing every response with its own
//! model and walking it against the output shape. Under `CI` a missing botocore fails the test;
//! elsewhere the test says why it skips.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wpops_fixtures::sim::*;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sim/conformance.py");

/// The Python with botocore, or None (outside CI) with the reason printed.
fn python() -> Option<String> {
    let reason = match std::env::var("WPOPS_BOTOCORE_PYTHON") {
        Err(_) => "WPOPS_BOTOCORE_PYTHON is not set (.ci/run installs botocore and sets it)".to_string(),
        Ok(python) => match Command::new(&python).args(["-c", "import botocore"]).stderr(Stdio::null()).status() {
            Ok(s) if s.success() => return Some(python),
            Ok(_) => format!("{python} cannot import botocore"),
            Err(e) => format!("{python} does not run: {e}"),
        },
    };
    if std::env::var_os("CI").is_some() {
        panic!("the conformance test needs botocore under CI: {reason}");
    }
    eprintln!("skipping the botocore conformance test: {reason}");
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn botocore_parses_every_listed_operation_against_its_model() {
    let Some(python) = python() else { return };
    let sim = sim("default").await;
    let started = Instant::now();
    let child = Command::new(&python)
        .args([SCRIPT, &sim.endpoint_url(), REGION, KEY, &START_MS.to_string()])
        // Nothing from this machine's AWS configuration: the simulator on loopback only.
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    let pid = child.id();
    let waited = tokio::time::timeout(
        Duration::from_secs(90),
        tokio::task::spawn_blocking(move || {
            let out = child.wait_with_output();
            out.expect("python's output")
        }),
    )
    .await;
    let Ok(out) = waited else {
        let _ = Command::new("kill").arg(pid.to_string()).status();
        panic!("conformance.py did not finish within 90 s");
    };
    let out = out.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stdout}{stderr}conformance.py took {:.1} s", started.elapsed().as_secs_f64());
    assert!(out.status.success(), "botocore found the simulator wrong:\n{stdout}\n{stderr}");
    assert!(stdout.contains("cloudwatch: botocore 1.44.8 picks json of"), "{stdout}");
    for protocol in ["json", "smithy-rpc-v2-cbor", "query"] {
        for op in ["GetMetricData", "ListMetrics"] {
            assert!(stdout.contains(&format!("ok   cloudwatch.{op} [{protocol}]")), "{op} on {protocol}: {stdout}");
        }
    }
    let checked: usize = stdout
        .lines()
        .find_map(|l| l.strip_suffix(" failures").and_then(|l| l.split(" calls checked").next()?.parse().ok()))
        .expect("a summary line");
    assert!(checked >= 50, "{checked} calls");
}
