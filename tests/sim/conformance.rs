//! Conformance judged by independent clients, each pinned in `.ci/run`, against the in-process
//! simulator on 127.0.0.1, calling every operation the README lists for each service on the
//! client's default protocol (and CloudWatch on each of the three AWS serves it on), parsing
//! every response with the client's own model and walking it against the output shape:
//! botocore (its Python in `WPOPS_BOTOCORE_PYTHON`) runs `conformance.py`; the AWS SDK for
//! JavaScript v3 (its node_modules under `WPOPS_JS_SDK_DIR`) runs `conformance.mjs`. Under `CI` a
//! missing client fails its test; elsewhere the test says why it skips.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wpops_fixtures::sim::*;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sim/conformance.py");
const JS_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sim/conformance.mjs");
/// The JS SDK's clients `.ci/run` installs; the test needs every one of them.
const JS_CLIENTS: [&str; 7] =
    ["sts", "elastic-load-balancing-v2", "ecs", "cloudwatch-logs", "wafv2", "ecr", "cloudwatch"];

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

/// The directory holding node_modules with the JS SDK's clients, or None (outside CI) with the
/// reason printed.
fn js_sdk() -> Option<std::path::PathBuf> {
    let reason = match std::env::var("WPOPS_JS_SDK_DIR") {
        Err(_) => "WPOPS_JS_SDK_DIR is not set (.ci/run installs the JS SDK and sets it)".to_string(),
        Ok(dir) => {
            let dir = std::path::PathBuf::from(dir);
            let missing: Vec<_> = JS_CLIENTS
                .iter()
                .filter(|c| !dir.join(format!("node_modules/@aws-sdk/client-{c}/package.json")).is_file())
                .map(|c| format!("@aws-sdk/client-{c}"))
                .collect();
            if !missing.is_empty() {
                format!("{} lacks {}", dir.display(), missing.join(", "))
            } else {
                match Command::new("node").arg("--version").stdout(Stdio::null()).status() {
                    Ok(s) if s.success() => return Some(dir),
                    Ok(_) => "node --version fails".to_string(),
                    Err(e) => format!("node does not run: {e}"),
                }
            }
        }
    };
    if std::env::var_os("CI").is_some() {
        panic!("the conformance test needs the JS SDK under CI: {reason}");
    }
    eprintln!("skipping the JS SDK conformance test: {reason}");
    None
}

/// Runs a conformance script against a fresh simulator: its stdout and stderr, having printed
/// them, or a panic when it does not finish within 90 s.
async fn run(mut cmd: Command, what: &str) -> (std::process::ExitStatus, String, String) {
    let sim = sim("default").await;
    let started = Instant::now();
    let child = cmd
        .args([&sim.endpoint_url(), REGION, KEY, &START_MS.to_string()])
        // Nothing from this machine's AWS configuration: the simulator on loopback only.
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what} runs: {e}"));
    let pid = child.id();
    let waited = tokio::time::timeout(
        Duration::from_secs(90),
        tokio::task::spawn_blocking(move || child.wait_with_output().expect("the script's output")),
    )
    .await;
    let Ok(out) = waited else {
        let _ = Command::new("kill").arg(pid.to_string()).status();
        panic!("{what} did not finish within 90 s");
    };
    let out = out.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!("{stdout}{stderr}{what} took {:.1} s", started.elapsed().as_secs_f64());
    (out.status, stdout, stderr)
}

/// The N of the summary line `N calls checked, M failures`.
fn checked(stdout: &str) -> usize {
    stdout
        .lines()
        .find_map(|l| l.strip_suffix(" failures").and_then(|l| l.split(" calls checked").next()?.parse().ok()))
        .expect("a summary line")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn botocore_parses_every_listed_operation_against_its_model() {
    let Some(python) = python() else { return };
    let mut cmd = Command::new(&python);
    cmd.arg(SCRIPT);
    let (status, stdout, stderr) = run(cmd, "conformance.py").await;
    assert!(status.success(), "botocore found the simulator wrong:\n{stdout}\n{stderr}");
    assert!(stdout.contains("cloudwatch: botocore 1.44.8 picks json of"), "{stdout}");
    for protocol in ["json", "smithy-rpc-v2-cbor", "query"] {
        for op in ["GetMetricData", "ListMetrics"] {
            assert!(stdout.contains(&format!("ok   cloudwatch.{op} [{protocol}]")), "{op} on {protocol}: {stdout}");
        }
    }
    let checked = checked(&stdout);
    assert!(checked >= 50, "{checked} calls");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn js_sdk_v3_parses_every_listed_operation() {
    let Some(dir) = js_sdk() else { return };
    let mut cmd = Command::new("node");
    // ESM ignores NODE_PATH; the script requires the SDK from WPOPS_JS_SDK_DIR. NODE_PATH and the
    // working directory point there too, for anything resolved the CommonJS way.
    cmd.arg(JS_SCRIPT).current_dir(&dir).env("WPOPS_JS_SDK_DIR", &dir).env("NODE_PATH", dir.join("node_modules"));
    let (status, stdout, stderr) = run(cmd, "conformance.mjs").await;
    assert!(status.success(), "the JS SDK found the simulator wrong:\n{stdout}\n{stderr}");
    // The default protocols the README names, as the pinned clients pick them.
    for (service, client, protocol) in [
        ("sts", "sts", "awsQuery"),
        ("elasticloadbalancingv2", "elastic-load-balancing-v2", "awsQuery"),
        ("ecs", "ecs", "awsJson1_1"),
        ("cloudwatchlogs", "cloudwatch-logs", "awsJson1_1"),
        ("wafv2", "wafv2", "awsJson1_1"),
        ("ecr", "ecr", "awsJson1_1"),
        ("cloudwatch", "cloudwatch", "awsJson1_0"),
    ] {
        let line = format!("{service}: @aws-sdk/client-{client} ");
        let picked = stdout.lines().find(|l| l.starts_with(&line)).unwrap_or_else(|| panic!("no {line}: {stdout}"));
        assert!(picked.ends_with(&format!(" picks {protocol}")), "{picked}");
    }
    for protocol in ["awsJson1_0", "rpcv2Cbor", "awsQuery"] {
        for op in ["GetMetricData", "ListMetrics"] {
            assert!(stdout.contains(&format!("ok   cloudwatch.{op} [{protocol}]")), "{op} on {protocol}: {stdout}");
        }
    }
    assert!(stdout.contains("ok   cloudwatchlogs.StartLiveTail [awsJson1_1] event sessionUpdate"), "{stdout}");
    let checked = checked(&stdout);
    assert!(checked >= 50, "{checked} calls");
}
