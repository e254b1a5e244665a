//! Configuration through the real binary: syntax errors and unknown keys with file:line:col,
//! unknown sites listing the known ones, a region typo caught before any request (counted at the
//! simulator), precedence flag > site > environment, `config init`, `sites`, and completions.

use crate::util::*;

fn site(name: &str, endpoint: &str, extra: &str) -> String {
    format!(
        "[sites.{name}]\nregion = \"ap-northeast-1\"\ncluster = \"wp-prod\"\nservice = \"wordpress\"\nendpoint_url = \"{endpoint}\"\n{extra}\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syntax_errors_and_unknown_keys_name_file_line_and_column() {
    let home = home();
    let bad = write(home.path(), "bad.toml", "[sites.blog]\ncluster = \"wp-prod\"\nregion = ap-northeast-1\n");
    let mut cmd = command(home.path());
    cmd.args(["--config", bad.to_str().unwrap(), "status"]);
    let r = run(cmd).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("{}:3:10: ", bad.display())), "{}", r.stderr);

    let unknown = write(home.path(), "unknown.toml", "[sites.blog]\ncluster = \"wp-prod\"\nservise = \"wordpress\"\n");
    let mut cmd = command(home.path());
    cmd.args(["--config", unknown.to_str().unwrap(), "status"]);
    let r = run(cmd).await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(":3:1: unknown field `servise`"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_site_lists_the_known_ones_and_a_region_typo_sends_nothing() {
    let sim = sim("default").await;
    let home = home();
    let url = sim.endpoint_url();
    let text = format!(
        "{}{}",
        site("blog", &url, ""),
        site("shop", &url, "region = \"ap-northeast-11\"").replace("region = \"ap-northeast-1\"\n", "")
    );
    let cfg = write(home.path(), "c.toml", &text);
    let mut cmd = command(home.path());
    cmd.args(["--config", cfg.to_str().unwrap(), "--site", "blgo", "status"]);
    let r = run(cmd).await;
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.trim(), "wpops status: unknown site \"blgo\"; known sites: blog, shop");

    let mut cmd = command(home.path());
    cmd.args(["--config", cfg.to_str().unwrap(), "--site", "shop", "status"]);
    let r = run(cmd).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("unknown AWS region \"ap-northeast-11\"; did you mean ap-northeast-1"), "{}", r.stderr);
    let r = wpops(&sim, home.path(), &["--region", "us-east-9", "status"]).await;
    assert_eq!(r.code, 2);
    assert_eq!(sim.shared.total_requests(), 0, "no request before the region check");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flag_beats_site_beats_environment() {
    let sim = sim("default").await;
    let home = home();
    let url = sim.endpoint_url();
    // The site's cluster is wrong; --cluster fixes it. The site's region beats AWS_REGION.
    let cfg = write(home.path(), "c.toml", &site("blog", &url, "").replace("wp-prod", "nope"));
    let mut cmd = command(home.path());
    cmd.env("AWS_REGION", "us-west-2").env("AWS_ENDPOINT_URL", "http://127.0.0.1:1");
    cmd.args(["--config", cfg.to_str().unwrap(), "--cluster", "wp-prod", "status", "-o", "json"]);
    let r = run(cmd).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["site"]["name"], "blog", "the only site is the default");
    assert_eq!(v["site"]["cluster"], "wp-prod");
    assert_eq!(v["site"]["region"], "ap-northeast-1");
    // Without the flag the site's cluster is used: not found is a configuration error (2).
    let mut cmd = command(home.path());
    cmd.env("AWS_REGION", "us-west-2");
    cmd.args(["--config", cfg.to_str().unwrap(), "status"]);
    let r = run(cmd).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("not found"), "{}", r.stderr);
    // With no region in the site, the environment's is used.
    let cfg = write(home.path(), "d.toml", &site("blog", &url, "").replace("region = \"ap-northeast-1\"\n", ""));
    let mut cmd = command(home.path());
    cmd.env("AWS_REGION", "eu-west-1");
    cmd.args(["--config", cfg.to_str().unwrap(), "status", "-o", "json"]);
    let r = run(cmd).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["site"]["region"], "eu-west-1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_init_refuses_to_overwrite_and_sites_lists_them() {
    let home = home();
    let mut cmd = command(home.path());
    cmd.args(["config", "init"]);
    let r = run(cmd).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let path = home.path().join("xdg/wpops/config.toml");
    assert!(std::fs::read_to_string(&path).unwrap().contains("[sites.corp-blog]"));
    let mut cmd = command(home.path());
    cmd.args(["config", "init"]);
    let r = run(cmd).await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    let mut cmd = command(home.path());
    cmd.args(["config", "init", "--force"]);
    assert_eq!(run(cmd).await.code, 0);

    let mut cmd = command(home.path());
    cmd.arg("sites");
    let r = run(cmd).await;
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("*corp-blog") && r.stdout.contains("wp-prod/wordpress"), "{}", r.stdout);
    let mut cmd = command(home.path());
    cmd.args(["sites", "-o", "json"]);
    let v = run(cmd).await.json();
    assert_eq!(v["sites"][0]["name"], "corp-blog");
    assert_eq!(v["sites"][0]["profile"], "corp-prod");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_for_each_shell() {
    let home = home();
    for shell in ["bash", "zsh", "fish"] {
        let mut cmd = command(home.path());
        cmd.args(["completions", shell]);
        let r = run(cmd).await;
        assert_eq!(r.code, 0);
        assert!(r.stdout.contains("status") && r.stdout.contains("--since"), "{shell}");
    }
}

/// `services` without a cluster asks for the cluster only; `-o` says what it chooses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_asks_for_a_cluster_only_and_output_is_explained() {
    let home = home();
    let mut cmd = command(home.path());
    cmd.args(["--region", "ap-northeast-1", "services"]);
    let r = run(cmd).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("which cluster? pass --cluster NAME or --site NAME"), "{}", r.stderr);
    assert!(!r.stderr.contains("--service"), "{}", r.stderr);
    let mut cmd = command(home.path());
    cmd.args(["status", "--help"]);
    let r = run(cmd).await;
    assert!(r.stdout.contains("Text for people, or one JSON document for scripts"), "{}", r.stdout);
}
