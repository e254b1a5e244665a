//! The fleet through the real binary: 20 sites across two accounts (AWS profiles with static
//! keys in a shared credentials file, as an operator would have) polled within budget — one
//! GetCallerIdentity, one DescribeTaskDefinition and ONE GetMetricData per account and region —
//! exit 1 when sites are unhealthy, 3 naming a site that could not be read; and the 2,000-service
//! cluster listed with correct paging.

use std::path::{Path, PathBuf};

use crate::util::*;
use wpops::sim::SimHandle;

const ACCOUNTS: [(&str, &str); 2] = [("acct-a", "ASIA111111111111AAAA"), ("acct-b", "ASIA222222222222BBBB")];

fn fleet_config(home: &Path, sim: &SimHandle, sites: usize, extra: &str) -> PathBuf {
    let creds: String =
        ACCOUNTS.iter().map(|(p, k)| format!("[{p}]\naws_access_key_id = {k}\naws_secret_access_key = s\n")).collect();
    write(home, "aws-credentials", &creds);
    let mut text = String::new();
    for i in 0..sites {
        let (profile, _) = ACCOUNTS[i % 2];
        text.push_str(&format!(
            "[sites.blog-{i:02}]\nprofile = \"{profile}\"\nregion = \"ap-northeast-1\"\ncluster = \"wp-prod\"\nservice = \"wordpress\"\nendpoint_url = \"{}\"\n\n",
            sim.endpoint_url()
        ));
    }
    text.push_str(extra);
    write(home, "fleet.toml", &text)
}

async fn fleet(home: &Path, cfg: &Path, args: &[&str]) -> Run {
    let mut cmd = command(home);
    cmd.env_remove("AWS_ACCESS_KEY_ID").env_remove("AWS_SECRET_ACCESS_KEY");
    cmd.args(["--config", cfg.to_str().unwrap(), "status", "--all"]).args(args);
    run(cmd).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_sites_two_accounts_one_metrics_call_each() {
    let sim = sim("default").await;
    let home = home();
    let cfg = fleet_config(home.path(), &sim, 20, "");
    let r = fleet(home.path(), &cfg, &["-o", "json"]).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["schema"], "wpops.fleet/1");
    let sites = v["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 20);
    for s in sites {
        assert_eq!(s["health"]["verdict"], "healthy", "{s}");
        assert_eq!(s["running"], 3);
        assert_eq!(s["warmer_failures"], 0);
        assert!(s["waf_blocked_1h"].as_u64().unwrap() > 0, "{s}");
        assert!(s["elb_5xx_5m"].is_u64() && s["target_5xx_5m"].is_u64());
    }
    let accounts: std::collections::BTreeSet<&str> = sites.iter().filter_map(|s| s["account"].as_str()).collect();
    assert_eq!(accounts.into_iter().collect::<Vec<_>>(), ["111111111111", "222222222222"]);
    let n = |op: &str| sim.shared.request_count(op);
    assert_eq!(n("monitoring:GetMetricData"), 2, "one GetMetricData per account and region");
    assert_eq!(n("sts:GetCallerIdentity"), 2);
    assert_eq!(n("ecs:DescribeTaskDefinition"), 2, "task definitions fetched once per account");
    assert_eq!(n("wafv2:GetWebACLForResource"), 2, "web ACLs looked up once per load balancer");
    assert_eq!(n("ecs:DescribeServices"), 20);
    assert!(sim.shared.total_requests() <= 2 + 20 * 6 + 2 + 2 + 2, "{}", sim.shared.total_requests());
    assert_eq!(n("logs:FilterLogEvents"), 20, "one warm-report lookup per site");

    let text = fleet(home.path(), &cfg, &[]).await;
    assert_eq!(text.code, 0);
    assert!(text.stdout.starts_with("SITE"), "{}", text.stdout);
    assert!(text.stdout.lines().all(|l| l.chars().count() <= 80), "{}", text.stdout);
    assert!(text.stdout.contains("20 sites · 0 unhealthy · 0 could not be read"), "{}", text.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unhealthy_sites_exit_1_and_unreadable_ones_are_named() {
    let sim = sim("incident").await;
    let home = home();
    let cfg = fleet_config(home.path(), &sim, 4, "");
    let r = fleet(home.path(), &cfg, &[]).await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("blog-00: ") && r.stdout.contains("exit 127 (command not found)"), "{}", r.stdout);
    assert!(r.stdout.contains("2 bad"), "{}", r.stdout);

    let healthy = sim_default().await;
    let broken = "[sites.zz-broken]\nprofile = \"acct-a\"\nregion = \"ap-northeast-1\"\ncluster = \"no-such-cluster\"\nservice = \"wordpress\"\n";
    let cfg =
        fleet_config(home.path(), &healthy, 2, &format!("{broken}endpoint_url = \"{}\"\n", healthy.endpoint_url()));
    let r = fleet(home.path(), &cfg, &[]).await;
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("zz-broken: ecs:"), "names the site: {}", r.stdout);
    assert!(r.stdout.contains("1 could not be read"));
}

async fn sim_default() -> SimHandle {
    sim("default").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_services_are_listed_with_paging() {
    let sim = sim("large").await;
    // Build the large world before the command runs, so that no attempt of its first request
    // times out (and is retried) while the simulator builds 2,000 services on a busy machine.
    sim.with_world(&wpops::sim::account_of(KEY), REGION, |_| ());
    let home = home();
    let mut cmd = command(home.path());
    cmd.args([
        "--endpoint-url",
        &sim.endpoint_url(),
        "--region",
        REGION,
        "--cluster",
        "wp-fleet",
        "services",
        "-o",
        "json",
    ]);
    let r = run(cmd).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["count"], 2000);
    let names: Vec<&str> = v["services"].as_array().unwrap().iter().filter_map(|s| s.as_str()).collect();
    assert_eq!(names.first(), Some(&"site-0001"));
    assert_eq!(names.last(), Some(&"site-2000"));
    let mut distinct = names.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), 2000, "no page repeated");
    assert_eq!(sim.shared.request_count("ecs:ListServices"), 20, "100 per page");
}
