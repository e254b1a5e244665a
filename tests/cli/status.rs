//! `wpops status` against the in-process simulator through the real binary: healthy and
//! incident verdicts in text and JSON with their exit codes, a throttling AWS (exit 3 with one
//! line, quickly), `--demo`, and no ANSI codes when stdout is not a terminal or NO_COLOR is set.

use crate::util::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_is_healthy_in_text_and_json() {
    let sim = sim("default").await;
    let home = home();
    let text = wpops(&sim, home.path(), &["status"]).await;
    assert_eq!(text.code, 0, "{}{}", text.stdout, text.stderr);
    assert!(text.stdout.contains("HEALTHY") && text.stdout.contains("3/3 running"), "{}", text.stdout);
    assert_eq!(text.stdout.matches("1,834 ok · 0 failed").count(), 3, "{}", text.stdout);
    assert!(text.stdout.lines().all(|l| l.chars().count() <= 80), "fits 80 columns:\n{}", text.stdout);
    assert!(!text.stdout.contains('\x1b'), "no colour on a pipe");
    assert_eq!(
        text.stdout.matches("wp-prod/wordpress").count(),
        1,
        "a site without a name says cluster/service once:\n{}",
        text.stdout
    );

    let json = wpops(&sim, home.path(), &["status", "--output", "json"]).await;
    assert_eq!(json.code, 0, "{}", json.stderr);
    let v = json.json();
    assert_eq!(v["schema"], "wpops.status/1");
    assert_eq!(v["health"]["verdict"], "healthy");
    assert_eq!(v["exit_code"], 0);
    assert_eq!(v["service"]["running"], 3);
    assert_eq!(v["deployments"][0]["rollout_state"], "COMPLETED");
    let tasks = v["tasks"].as_array().expect("tasks");
    assert_eq!(tasks.len(), 3);
    for t in tasks {
        assert_eq!(t["warmer"]["ok"], true);
        assert_eq!(t["warmer"]["report"]["total"], 1834);
        assert_eq!(t["target_health"]["state"], "healthy");
        assert_eq!(t["containers"].as_array().map(Vec::len), Some(3));
    }
    assert!(v["alb_5xx"]["window_s"].as_i64() == Some(300));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_is_unhealthy_and_names_the_failing_warmers() {
    let sim = sim("incident").await;
    let home = home();
    let text = wpops(&sim, home.path(), &["status"]).await;
    assert_eq!(text.code, 1, "{}{}", text.stdout, text.stderr);
    assert!(text.stdout.contains("UNHEALTHY"));
    assert!(text.stdout.contains("warmer reported 44 failures"), "{}", text.stdout);
    assert!(text.stdout.contains("warmer failed: exit 127 (command not found)"), "{}", text.stdout);
    assert!(text.stdout.contains("php-fpm exit 137"), "stopped tasks grouped by reason:\n{}", text.stdout);

    let v = wpops(&sim, home.path(), &["status", "-o", "json"]).await;
    assert_eq!(v.code, 1);
    let v = v.json();
    assert_eq!(v["health"]["verdict"], "unhealthy");
    let reasons: Vec<&str> = v["health"]["reasons"].as_array().unwrap().iter().filter_map(|r| r.as_str()).collect();
    assert!(reasons.iter().any(|r| r.contains("44 failures")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("exit 127 (command not found)")), "{reasons:?}");
    let bad: Vec<&serde_json::Value> =
        v["tasks"].as_array().unwrap().iter().filter(|t| t["warmer"]["ok"] == false).collect();
    assert_eq!(bad.len(), 2);
    assert!(v["stopped"].as_array().unwrap().len() >= 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_aws_is_exit_3_with_one_line_quickly() {
    let sim = throttled_sim().await;
    let home = home();
    let r = wpops(&sim, home.path(), &["status"]).await;
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("Rate exceeded") && r.stderr.contains("throttling"), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"));
    assert!(r.took.as_secs() < 15, "{:?}", r.took);
    assert!(r.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_needs_no_aws_and_no_colour_with_no_color() {
    let home = home();
    let mut cmd = command(home.path());
    cmd.env_remove("AWS_ACCESS_KEY_ID").env("NO_COLOR", "1").args(["--demo", "status"]);
    let r = run(cmd).await;
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("demo  wp-prod/wordpress"), "{}", r.stdout);
    assert!(!r.stdout.contains('\x1b'));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_credentials_hint_at_sso_login() {
    let sim = sim("default").await;
    let home = home();
    write(home.path(), "aws-config", "[profile corp-prod]\nregion = ap-northeast-1\n");
    let mut cmd = command(home.path());
    cmd.env_remove("AWS_ACCESS_KEY_ID").env_remove("AWS_SECRET_ACCESS_KEY");
    cmd.args(["--profile", "corp-prod", "--endpoint-url", &sim.endpoint_url(), "--region", REGION]);
    cmd.args(["--cluster", "wp-prod", "--service", "wordpress", "status"]);
    let r = run(cmd).await;
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("aws sso login --profile corp-prod"), "{}", r.stderr);
    assert_eq!(sim.shared.total_requests(), 0);
}

/// A closed port and an empty credential chain each read as one line in words, never the SDK's
/// Debug dump or its provider chain joined with `␊`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_endpoint_and_no_credentials_are_said_in_words() {
    let home = home();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let mut cmd = command(home.path());
    cmd.args(["--endpoint-url", &endpoint, "--region", REGION, "--cluster", "wp-prod", "--service", "wordpress"]);
    cmd.arg("status");
    let r = run(cmd).await;
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("cannot reach 127.0.0.1:{port} (connection refused)")), "{}", r.stderr);
    assert!(!r.stderr.contains("DispatchFailure") && !r.stderr.contains("ConnectorError"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);

    let mut cmd = command(home.path());
    cmd.env_remove("AWS_ACCESS_KEY_ID").env_remove("AWS_SECRET_ACCESS_KEY");
    cmd.args(["--endpoint-url", &endpoint, "--region", REGION, "--cluster", "wp-prod", "--service", "wordpress"]);
    cmd.arg("status");
    let r = run(cmd).await;
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("no AWS credentials found (tried environment"), "{}", r.stderr);
    assert!(!r.stderr.contains('␊') && !r.stderr.contains("Attempted"), "{}", r.stderr);
}

/// A cluster or service that does not exist is named, with the region it was looked for in (ECS
/// itself says only "Cluster not found.").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_names_what_and_where() {
    let sim = sim("default").await;
    let home = home();
    let r = wpops(&sim, home.path(), &["status", "--cluster", "nope"]).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cluster \"nope\" not found (region ap-northeast-1)"), "{}", r.stderr);
    let r = wpops(&sim, home.path(), &["status", "--service", "nope"]).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("service \"nope\" not found in cluster \"wp-prod\" (region ap-northeast-1)"),
        "{}",
        r.stderr
    );
}

/// A profile that is in neither AWS file is said to be missing, with the ones that exist, before
/// any request (it used to read as expired credentials).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_profile_is_named_with_the_profiles_that_exist() {
    let sim = sim("default").await;
    let home = home();
    write(home.path(), "aws-config", "[profile corp-prod]\nregion = ap-northeast-1\n[default]\nregion = us-east-1\n");
    let mut cmd = command(home.path());
    cmd.args(["--profile", "nosuch", "--endpoint-url", &sim.endpoint_url(), "--region", REGION]);
    cmd.args(["--cluster", "wp-prod", "--service", "wordpress", "status"]);
    let r = run(cmd).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("profile \"nosuch\" does not exist; the AWS config files define: corp-prod, default"),
        "{}",
        r.stderr
    );
    assert_eq!(sim.shared.total_requests(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_findings_name_efs_the_127_warmer_the_oom_and_the_worse_deployment_with_what_to_do() {
    let sim = sim("incident").await;
    let home = home();
    let out = wpops(&sim, home.path(), &["status", "-o", "json"]).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    let v = out.json();
    let items = v["findings"]["items"].as_array().expect("findings");
    let find = |id: &str| items.iter().find(|f| f["id"] == id).unwrap_or_else(|| panic!("{id} in {items:#?}"));
    let efs = find("efs_io_limit");
    assert_eq!(efs["severity"], "high");
    assert!(efs["title"].as_str().unwrap().starts_with("EFS at its I/O limit for "), "{efs}");
    assert!(efs["change"].as_str().unwrap().contains("Elastic"), "{efs}");
    let w127 = items
        .iter()
        .find(|f| f["id"] == "warmer" && f["title"].as_str().unwrap().contains("exit 127"))
        .expect("the 127 warmer");
    assert_eq!(w127["action"]["kind"], "warm");
    assert!(w127["change"].as_str().unwrap().contains("CMD GET"), "{w127}");
    let oom = find("oom_killed");
    assert_eq!(oom["severity"], "high");
    assert!(oom["title"].as_str().unwrap().contains("php-fpm killed for memory (exit 137) 2×"), "{oom}");
    let worse = find("worse_after_deploy");
    assert_eq!(worse["action"]["kind"], "rollback");
    assert!(worse["title"].as_str().unwrap().starts_with("worse since wordpress:42"), "{worse}");
    // Worst first; status reads no log lines or WAF picture and says so.
    let severities: Vec<&str> = items.iter().filter_map(|f| f["severity"].as_str()).collect();
    let rank = |s: &str| ["critical", "high", "medium", "low", "info"].iter().position(|x| *x == s).unwrap();
    assert!(severities.windows(2).all(|w| rank(w[0]) <= rank(w[1])), "{severities:?}");
    let lacking: Vec<&str> = v["findings"]["lacking"].as_array().unwrap().iter().filter_map(|l| l.as_str()).collect();
    assert!(lacking.iter().any(|l| l.starts_with("log lines")), "{lacking:?}");
    // The verdict's first reason is the worst finding.
    assert_eq!(v["health"]["reasons"][0], items[0]["title"]);

    let text = wpops(&sim, home.path(), &["status"]).await;
    assert!(text.stdout.contains("Findings  "), "{}", text.stdout);
    assert!(text.stdout.contains("→ B rolls back to the last completed revision"), "{}", text.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_has_no_findings_that_fail() {
    let sim = sim("default").await;
    let home = home();
    let v = wpops(&sim, home.path(), &["status", "-o", "json"]).await;
    assert_eq!(v.code, 0, "{}", v.stderr);
    let v = v.json();
    let failing: Vec<&serde_json::Value> = v["findings"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "critical" || f["severity"] == "high")
        .collect();
    assert!(failing.is_empty(), "{failing:#?}");
}
