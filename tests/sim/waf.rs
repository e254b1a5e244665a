//! The simulated WAFv2 through the real aws-sdk-wafv2 client: the web ACL found from the ALB's
//! ARN with its four managed rule groups, ListWebACLs/GetWebACL round trips, sampled requests
//! with real rule names, weights and populations (cross-checked against CloudWatch), the
//! 5,000-request window shrink, window limits, and typed errors.

use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use aws_sdk_wafv2::primitives::DateTime;
use aws_sdk_wafv2::types::{Scope, TimeWindow};
use wpops_fixtures::sim::*;

const WP_RULE: &str = "AWS-AWSManagedRulesWordPressRuleSet";

async fn alb_arn(sim: &wpops::sim::SimHandle) -> String {
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config(sim).await);
    let lbs = elb.describe_load_balancers().send().await.unwrap();
    lbs.load_balancers()[0].load_balancer_arn().unwrap().to_string()
}

fn now_ms(sim: &wpops::sim::SimHandle) -> i64 {
    sim.shared.clock.now_ms()
}

fn window(start_ms: i64, end_ms: i64) -> TimeWindow {
    TimeWindow::builder()
        .start_time(DateTime::from_millis(start_ms))
        .end_time(DateTime::from_millis(end_ms))
        .build()
        .unwrap()
}

#[tokio::test]
async fn web_acl_is_found_from_the_alb_arn_with_its_managed_rule_groups() {
    let sim = sim("default").await;
    let waf = aws_sdk_wafv2::Client::new(&config(&sim).await);
    let arn = alb_arn(&sim).await;
    let out = waf.get_web_acl_for_resource().resource_arn(&arn).send().await.unwrap();
    let acl = out.web_acl().expect("the ALB is protected");
    assert_eq!(acl.name(), "wordpress-waf");
    assert!(acl.arn().contains(":wafv2:ap-northeast-1:123456789012:regional/webacl/wordpress-waf/"));
    assert!(acl.default_action().unwrap().allow().is_some());
    assert_eq!(acl.capacity(), 1100);
    assert!(!acl.managed_by_firewall_manager());
    let groups: Vec<(&str, &str, &str)> = acl
        .rules()
        .iter()
        .map(|r| {
            let m = r.statement().unwrap().managed_rule_group_statement().unwrap();
            (m.vendor_name(), m.name(), r.visibility_config().unwrap().metric_name())
        })
        .collect();
    assert_eq!(
        groups,
        vec![
            ("AWS", "AWSManagedRulesWordPressRuleSet", WP_RULE),
            ("AWS", "AWSManagedRulesPHPRuleSet", "AWS-AWSManagedRulesPHPRuleSet"),
            ("AWS", "AWSManagedRulesSQLiRuleSet", "AWS-AWSManagedRulesSQLiRuleSet"),
            ("AWS", "AWSManagedRulesCommonRuleSet", "AWS-AWSManagedRulesCommonRuleSet"),
        ]
    );
    for (i, r) in acl.rules().iter().enumerate() {
        assert_eq!(r.priority(), i as i32);
        assert!(r.override_action().unwrap().none().is_some());
        assert!(r.visibility_config().unwrap().sampled_requests_enabled());
    }
}

#[tokio::test]
async fn list_and_get_round_trip() {
    let sim = sim("default").await;
    let waf = aws_sdk_wafv2::Client::new(&config(&sim).await);
    let list = waf.list_web_acls().scope(Scope::Regional).send().await.unwrap();
    assert_eq!(list.web_acls().len(), 1);
    assert!(list.next_marker().is_none());
    let summary = &list.web_acls()[0];
    let by_id = waf
        .get_web_acl()
        .name(summary.name().unwrap())
        .id(summary.id().unwrap())
        .scope(Scope::Regional)
        .send()
        .await
        .unwrap();
    assert_eq!(by_id.lock_token(), summary.lock_token());
    let by_arn = waf.get_web_acl().arn(summary.arn().unwrap()).send().await.unwrap();
    assert_eq!(by_arn.web_acl(), by_id.web_acl());
    assert_eq!(by_arn.web_acl().unwrap().rules().len(), 4);
    let cf = waf.list_web_acls().scope(Scope::Cloudfront).send().await.unwrap();
    assert!(cf.web_acls().is_empty());
    let one = waf.list_web_acls().scope(Scope::Regional).limit(1).send().await.unwrap();
    assert_eq!(one.web_acls().len(), 1);
}

#[tokio::test]
async fn unknown_things_are_typed_errors() {
    let sim = sim("default").await;
    let waf = aws_sdk_wafv2::Client::new(&config(&sim).await);
    let err =
        waf.get_web_acl().name("nope").id("0000").scope(Scope::Regional).send().await.unwrap_err().into_service_error();
    assert!(err.is_waf_nonexistent_item_exception(), "{err:?}");
    let err = waf.get_web_acl_for_resource().resource_arn("not-an-arn").send().await.unwrap_err().into_service_error();
    assert!(err.is_waf_invalid_parameter_exception(), "{err:?}");
    let missing_lb = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/nope/0123456789abcdef";
    let err = waf.get_web_acl_for_resource().resource_arn(missing_lb).send().await.unwrap_err().into_service_error();
    assert!(err.is_waf_nonexistent_item_exception(), "{err:?}");
    // An ALB without a web ACL: AWS answers `{}`, the SDK shows no web ACL.
    let arn = alb_arn(&sim).await;
    sim.with_world("123456789012", REGION, |w| w.waf.acls.iter_mut().for_each(|a| a.resources.clear()));
    let out = waf.get_web_acl_for_resource().resource_arn(&arn).send().await.unwrap();
    assert!(out.web_acl().is_none());
}

#[tokio::test]
async fn sampled_blocks_name_real_rules_and_weigh_up_to_the_metric() {
    let sim = sim("default").await;
    let cfg = config(&sim).await;
    let waf = aws_sdk_wafv2::Client::new(&cfg);
    let acl_arn =
        waf.list_web_acls().scope(Scope::Regional).send().await.unwrap().web_acls()[0].arn().unwrap().to_string();
    let now = now_ms(&sim);
    let start = now - 3 * 3_600_000;
    let out = waf
        .get_sampled_requests()
        .web_acl_arn(&acl_arn)
        .rule_metric_name(WP_RULE)
        .scope(Scope::Regional)
        .time_window(window(start, now))
        .max_items(100)
        .send()
        .await
        .unwrap();
    let samples = out.sampled_requests();
    assert_eq!(samples.len(), 100);
    let population = out.population_size();
    assert!(population > 1_000 && population < 5_000, "about 0.36 probes/s for three hours: {population}");
    assert_eq!(samples.iter().map(|s| s.weight()).sum::<i64>(), population, "weights add up to the population");
    let tw = out.time_window().unwrap();
    assert_eq!(tw.start_time().to_millis().unwrap(), start);
    assert_eq!(tw.end_time().to_millis().unwrap(), now, "under 5,000 requests: the window is not shrunk");
    let mut last = 0;
    for s in samples {
        assert_eq!(s.action(), Some("BLOCK"));
        let rule = s.rule_name_within_rule_group().unwrap();
        assert!(
            ["WordPressExploitablePaths_URIPATH", "WordPressExploitableCommands_QUERYSTRING"].contains(&rule),
            "{rule}"
        );
        assert!(s.labels()[0].name().ends_with(rule));
        let ts = s.timestamp().unwrap().to_millis().unwrap();
        assert!(ts >= start && ts < now && ts >= last, "samples in the window, oldest first");
        last = ts;
        let req = s.request().unwrap();
        assert!(req.client_ip().unwrap().contains('.'));
        assert!(req.uri().unwrap().starts_with('/'));
        assert!(req.headers().iter().any(|h| h.name() == Some("Host")));
    }
    assert!(samples.iter().any(|s| s.request().unwrap().uri() == Some("/xmlrpc.php")));

    // The population is exactly what CloudWatch counted for that rule over the same minutes.
    let cw = aws_sdk_cloudwatch::Client::new(&cfg);
    let dims = [("WebACL", "wordpress-waf"), ("Region", REGION), ("Rule", WP_RULE)];
    let metric = Metric::builder()
        .namespace("AWS/WAFV2")
        .metric_name("BlockedRequests")
        .set_dimensions(Some(dims.iter().map(|(n, v)| Dimension::builder().name(*n).value(*v).build()).collect()))
        .build();
    let q = MetricDataQuery::builder()
        .id("wp")
        .metric_stat(MetricStat::builder().metric(metric).period(60).stat("Sum").build())
        .build();
    let data = cw
        .get_metric_data()
        .metric_data_queries(q)
        .start_time(aws_sdk_cloudwatch::primitives::DateTime::from_millis(start))
        .end_time(aws_sdk_cloudwatch::primitives::DateTime::from_millis(now))
        .send()
        .await
        .unwrap();
    let blocked: f64 = data.metric_data_results()[0].values().iter().sum();
    assert_eq!(blocked as i64, population);
}

#[tokio::test]
async fn a_busy_window_is_shrunk_to_its_first_five_thousand_requests() {
    let sim = sim("default").await;
    let waf = aws_sdk_wafv2::Client::new(&config(&sim).await);
    let acl_arn =
        waf.list_web_acls().scope(Scope::Regional).send().await.unwrap().web_acls()[0].arn().unwrap().to_string();
    sim.advance(secs(300));
    let now = now_ms(&sim);
    let start = now - 14 * 60_000;
    let out = waf
        .get_sampled_requests()
        .web_acl_arn(&acl_arn)
        .rule_metric_name("wordpresswaf")
        .scope(Scope::Regional)
        .time_window(window(start, now))
        .max_items(500)
        .send()
        .await
        .unwrap();
    let population = out.population_size();
    assert!((5_000..5_100).contains(&population), "12 visitors/s: the cap is reached: {population}");
    let end = out.time_window().unwrap().end_time().to_millis().unwrap();
    assert!(end < now - 60_000 && end > start, "the window ends where the 5,000th request fell");
    let samples = out.sampled_requests();
    assert_eq!(samples.len(), 500);
    assert_eq!(samples.iter().map(|s| s.weight()).sum::<i64>(), population);
    assert!(samples.iter().all(|s| s.action() == Some("ALLOW") && s.rule_name_within_rule_group().is_none()));
    assert!(samples.iter().all(|s| s.timestamp().unwrap().to_millis().unwrap() < end));

    // A recent slice is not shrunk.
    let out = waf
        .get_sampled_requests()
        .web_acl_arn(&acl_arn)
        .rule_metric_name("wordpresswaf")
        .scope(Scope::Regional)
        .time_window(window(now - 60_000, now))
        .max_items(50)
        .send()
        .await
        .unwrap();
    assert_eq!(out.time_window().unwrap().end_time().to_millis().unwrap(), now);
    assert!(out.population_size() > 400 && out.population_size() < 1_100);
    assert_eq!(out.sampled_requests().iter().map(|s| s.weight()).sum::<i64>(), out.population_size());
}

#[tokio::test]
async fn sample_windows_and_parameters_are_checked() {
    let sim = sim("default").await;
    let waf = aws_sdk_wafv2::Client::new(&config(&sim).await);
    let acl_arn =
        waf.list_web_acls().scope(Scope::Regional).send().await.unwrap().web_acls()[0].arn().unwrap().to_string();
    let now = now_ms(&sim);
    let call = |start: i64, end: i64, max: i32, rule: &str| {
        waf.get_sampled_requests()
            .web_acl_arn(&acl_arn)
            .rule_metric_name(rule)
            .scope(Scope::Regional)
            .time_window(window(start, end))
            .max_items(max as i64)
            .send()
    };
    for (start, end, max) in [(now - 4 * 3_600_000, now, 10), (now - 60_000, now - 120_000, 10), (now - 60_000, now, 0)]
    {
        let err = call(start, end, max, WP_RULE).await.unwrap_err().into_service_error();
        assert!(err.is_waf_invalid_parameter_exception(), "{start} {end} {max}: {err:?}");
    }
    let err = call(now - 60_000, now, 501, WP_RULE).await.unwrap_err().into_service_error();
    assert!(err.is_waf_invalid_parameter_exception());
    let err = call(now - 60_000, now, 10, "NoSuchRule").await.unwrap_err().into_service_error();
    assert!(err.is_waf_nonexistent_item_exception());
    // A start a few seconds older than three hours (client clock skew) is clamped, not refused.
    let out = call(now - 3 * 3_600_000 - 5_000, now + 60_000, 10, WP_RULE).await.unwrap();
    let tw = out.time_window().unwrap();
    assert_eq!(tw.start_time().to_millis().unwrap(), now - 3 * 3_600_000);
    assert_eq!(tw.end_time().to_millis().unwrap(), now);
}
