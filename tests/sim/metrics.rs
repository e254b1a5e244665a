//! The simulated CloudWatch (rpcv2Cbor) through the real aws-sdk-cloudwatch client: ListMetrics
//! discovery of the WAF rule groups, per-rule-group and per-rule BlockedRequests over three
//! hours (the `Rule=ALL` series equals the sum of the groups), TargetResponseTime statistics,
//! 5-minute aggregation, expressions (metric math in `metric_math.rs`), MaxDatapoints paging, and CloudWatch's error codes
//! (including an injected throttle) through the CBOR error path.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    Dimension, DimensionFilter, Metric, MetricDataQuery, MetricStat, RecentlyActive, ScanBy, StatusCode,
};
use wpops_fixtures::sim::*;

const GROUPS: [&str; 4] = [
    "AWS-AWSManagedRulesWordPressRuleSet",
    "AWS-AWSManagedRulesPHPRuleSet",
    "AWS-AWSManagedRulesSQLiRuleSet",
    "AWS-AWSManagedRulesCommonRuleSet",
];

fn metric(namespace: &str, name: &str, dims: &[(&str, &str)]) -> Metric {
    Metric::builder()
        .namespace(namespace)
        .metric_name(name)
        .set_dimensions(Some(dims.iter().map(|(n, v)| Dimension::builder().name(*n).value(*v).build()).collect()))
        .build()
}

fn query_builder(
    id: &str,
    m: Metric,
    period: i32,
    stat: &str,
) -> aws_sdk_cloudwatch::types::builders::MetricDataQueryBuilder {
    MetricDataQuery::builder().id(id).metric_stat(MetricStat::builder().metric(m).period(period).stat(stat).build())
}

fn query(id: &str, m: Metric, period: i32, stat: &str) -> MetricDataQuery {
    query_builder(id, m, period, stat).build()
}

fn blocked(rule: &str) -> Metric {
    metric("AWS/WAFV2", "BlockedRequests", &[("WebACL", "wordpress-waf"), ("Region", REGION), ("Rule", rule)])
}

async fn fetch(cw: &Client, queries: Vec<MetricDataQuery>, start: i64, end: i64) -> GetMetricDataOutput {
    cw.get_metric_data()
        .set_metric_data_queries(Some(queries))
        .start_time(DateTime::from_millis(start))
        .end_time(DateTime::from_millis(end))
        .scan_by(ScanBy::TimestampAscending)
        .send()
        .await
        .unwrap()
}

/// (timestamp ms, value) of one result.
fn series(out: &GetMetricDataOutput, id: &str) -> Vec<(i64, f64)> {
    let r = out.metric_data_results().iter().find(|r| r.id() == Some(id)).unwrap();
    assert_eq!(r.status_code(), Some(&StatusCode::Complete));
    r.timestamps().iter().map(|t| t.to_millis().unwrap()).zip(r.values().iter().copied()).collect()
}

async fn load_balancer_dimension(sim: &wpops::sim::SimHandle) -> String {
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config(sim).await);
    let arn = elb.describe_load_balancers().send().await.unwrap().load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_string();
    arn.split_once(":loadbalancer/").unwrap().1.to_string()
}

#[tokio::test]
async fn list_metrics_discovers_the_rule_groups_and_rules() {
    let sim = sim("default").await;
    let cw = Client::new(&config(&sim).await);
    let out = cw
        .list_metrics()
        .namespace("AWS/WAFV2")
        .metric_name("BlockedRequests")
        .dimensions(DimensionFilter::builder().name("WebACL").value("wordpress-waf").build())
        .send()
        .await
        .unwrap();
    let rules: Vec<String> = out
        .metrics()
        .iter()
        .filter(|m| m.dimensions().len() == 3)
        .filter_map(|m| m.dimensions().iter().find(|d| d.name() == Some("Rule")).and_then(|d| d.value()))
        .map(String::from)
        .collect();
    for g in GROUPS.iter().chain(&["ALL"]) {
        assert!(rules.iter().any(|r| r == g), "{g} in {rules:?}");
    }
    let in_groups = cw
        .list_metrics()
        .namespace("AWS/WAFV2")
        .dimensions(DimensionFilter::builder().name("RuleGroup").value("AWSManagedRulesWordPressRuleSet").build())
        .recently_active(RecentlyActive::Pt3H)
        .send()
        .await
        .unwrap();
    assert!(
        in_groups
            .metrics()
            .iter()
            .any(|m| { m.dimensions().iter().any(|d| d.value() == Some("WordPressExploitablePaths_URIPATH")) })
    );
    let all = cw.list_metrics().send().await.unwrap();
    let namespaces: Vec<&str> = all.metrics().iter().filter_map(|m| m.namespace()).collect();
    for ns in ["AWS/WAFV2", "AWS/ApplicationELB", "AWS/ECS", "AWS/EFS"] {
        assert!(namespaces.contains(&ns), "{ns}");
    }
    assert!(all.next_token().is_none());
}

#[tokio::test]
async fn blocked_requests_per_rule_group_add_up_to_all() {
    let sim = sim("default").await;
    let cw = Client::new(&config(&sim).await);
    let now = sim.shared.clock.now_ms();
    let start = now - 3 * 3_600_000;
    let mut queries: Vec<MetricDataQuery> =
        GROUPS.iter().enumerate().map(|(i, g)| query(&format!("g{i}"), blocked(g), 60, "Sum")).collect();
    queries.push(query("all", blocked("ALL"), 60, "Sum"));
    let in_group = metric(
        "AWS/WAFV2",
        "BlockedRequests",
        &[
            ("WebACL", "wordpress-waf"),
            ("Region", REGION),
            ("RuleGroup", "AWSManagedRulesWordPressRuleSet"),
            ("Rule", "WordPressExploitablePaths_URIPATH"),
        ],
    );
    queries.push(query("xmlrpc", in_group, 60, "Sum"));
    let out = fetch(&cw, queries, start, now).await;
    assert!(out.messages().is_empty());

    let mut sum_of_groups: BTreeMap<i64, f64> = BTreeMap::new();
    for i in 0..4 {
        let s = series(&out, &format!("g{i}"));
        assert!(s.len() > 60, "group {i} blocks in most minutes: {}", s.len());
        assert!(s.iter().all(|(t, v)| *v > 0.0 && *t >= start && *t < now && t % 60_000 == 0));
        assert!(s.windows(2).all(|p| p[0].0 < p[1].0), "ascending");
        for (t, v) in s {
            *sum_of_groups.entry(t).or_default() += v;
        }
    }
    let all: BTreeMap<i64, f64> = series(&out, "all").into_iter().collect();
    assert!(all.len() >= 170, "three hours of minutes: {}", all.len());
    assert_eq!(all, sum_of_groups, "Rule=ALL is the sum over the groups, minute by minute");
    let xmlrpc = series(&out, "xmlrpc");
    let wp: BTreeMap<i64, f64> = series(&out, "g0").into_iter().collect();
    assert!(xmlrpc.len() > 60);
    assert!(xmlrpc.iter().all(|(t, v)| wp[t] >= *v), "a rule inside the group is part of the group");
    assert!(xmlrpc.iter().map(|(_, v)| v).sum::<f64>() < wp.values().sum::<f64>());
    let r = &out.metric_data_results()[0];
    assert_eq!(r.label(), Some("BlockedRequests"));

    // New minutes appear as the clock moves; the default scan is newest first.
    sim.advance(secs(180));
    let out = cw
        .get_metric_data()
        .metric_data_queries(query("all", blocked("ALL"), 60, "Sum"))
        .start_time(DateTime::from_millis(now - 600_000))
        .end_time(DateTime::from_millis(now + 180_000))
        .send()
        .await
        .unwrap();
    let ts: Vec<i64> = out.metric_data_results()[0].timestamps().iter().map(|t| t.to_millis().unwrap()).collect();
    assert!(ts.windows(2).all(|p| p[0] > p[1]), "descending by default");
    assert!(ts[0] >= now + 60_000, "fresh minutes: {:?}", ts.first());
}

#[tokio::test]
async fn target_response_time_statistics_agree() {
    let sim = sim("default").await;
    let cw = Client::new(&config(&sim).await);
    let lb = load_balancer_dimension(&sim).await;
    let now = sim.shared.clock.now_ms();
    let m = || metric("AWS/ApplicationELB", "TargetResponseTime", &[("LoadBalancer", &lb)]);
    let stats = ["Average", "Sum", "Maximum", "Minimum", "SampleCount"];
    let queries = stats.iter().enumerate().map(|(i, s)| query(&format!("s{i}"), m(), 60, s)).collect();
    let out = fetch(&cw, queries, now - 3_600_000, now).await;
    let by: Vec<Vec<(i64, f64)>> = (0..5).map(|i| series(&out, &format!("s{i}"))).collect();
    assert!(by[0].len() >= 59);
    for (i, (t, avg)) in by[0].iter().copied().enumerate() {
        assert!(by.iter().all(|s| s[i].0 == t), "every statistic has the same minutes");
        let (sum, max, min, n) = (by[1][i].1, by[2][i].1, by[3][i].1, by[4][i].1);
        assert!(min <= avg && avg <= max, "{min} {avg} {max}");
        assert!((sum / n - avg).abs() < 1e-9);
        assert!(avg > 0.0 && avg < 10.0);
    }
    let recent = by[4].last().unwrap().1;
    assert!(recent > 300.0, "about 12 requests a second are timed: {recent}");
}

#[tokio::test]
async fn five_minute_periods_aggregate_the_minutes() {
    let sim = sim("default").await;
    let cw = Client::new(&config(&sim).await);
    let lb = load_balancer_dimension(&sim).await;
    let now = sim.shared.clock.now_ms();
    let start = now - 3_600_000;
    let rc = || metric("AWS/ApplicationELB", "RequestCount", &[("LoadBalancer", &lb)]);
    let out = fetch(&cw, vec![query("one", rc(), 60, "Sum"), query("five", rc(), 300, "Sum")], start, now).await;
    let one = series(&out, "one");
    let five = series(&out, "five");
    assert_eq!(five.len(), 12);
    for (t, v) in &five {
        assert_eq!((t - start) % 300_000, 0, "periods align on the start");
        let sum: f64 = one.iter().filter(|(m, _)| m >= t && *m < t + 300_000).map(|(_, v)| v).sum();
        assert_eq!(*v, sum);
    }
    let tr = |s| query("x", metric("AWS/ApplicationELB", "TargetResponseTime", &[("LoadBalancer", &lb)]), 300, s);
    let max5 = series(&fetch(&cw, vec![tr("Maximum")], start, now).await, "x");
    let avg5 = series(&fetch(&cw, vec![tr("Average")], start, now).await, "x");
    assert!(max5.iter().zip(&avg5).all(|(m, a)| m.1 >= a.1));

    // SUM(METRICS()) over hidden per-group queries equals Rule=ALL.
    let mut queries: Vec<MetricDataQuery> = GROUPS
        .iter()
        .enumerate()
        .map(|(i, g)| query_builder(&format!("g{i}"), blocked(g), 300, "Sum").return_data(false).build())
        .collect();
    queries.push(MetricDataQuery::builder().id("total").expression("SUM(METRICS())").label("blocked").build());
    let out = fetch(&cw, queries, start, now).await;
    assert_eq!(out.metric_data_results().len(), 1, "hidden queries return no data");
    assert_eq!(out.metric_data_results()[0].label(), Some("blocked"));
    // METRICS() takes every metric query of the request: ask for ALL separately.
    let all = fetch(&cw, vec![query("all", blocked("ALL"), 300, "Sum")], start, now).await;
    assert_eq!(series(&out, "total"), series(&all, "all"));
}

#[tokio::test]
async fn max_datapoints_pages_with_a_next_token() {
    let sim = sim("default").await;
    let cw = Client::new(&config(&sim).await);
    let now = sim.shared.clock.now_ms();
    let start = now - 3 * 3_600_000;
    let queries = vec![query("all", blocked("ALL"), 60, "Sum"), query("wp", blocked(GROUPS[0]), 60, "Sum")];
    let whole = fetch(&cw, queries.clone(), start, now).await;
    let expected = series(&whole, "all").len() + series(&whole, "wp").len();
    let mut token = None;
    let mut pages = 0;
    let mut points = 0;
    loop {
        let out = cw
            .get_metric_data()
            .set_metric_data_queries(Some(queries.clone()))
            .start_time(DateTime::from_millis(start))
            .end_time(DateTime::from_millis(now))
            .max_datapoints(100)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        pages += 1;
        let here: usize = out.metric_data_results().iter().map(|r| r.values().len()).sum();
        assert!(here <= 100);
        points += here;
        token = out.next_token().map(String::from);
        if token.is_none() {
            break;
        }
        assert!(out.metric_data_results().last().unwrap().status_code() != Some(&StatusCode::Complete) || here == 100);
    }
    assert_eq!(points, expected);
    assert!(pages >= 4);
}

#[tokio::test]
async fn bad_queries_carry_cloudwatch_error_codes() {
    let sim = sim("default").await;
    let cw = Client::new(&config(&sim).await);
    let now = sim.shared.clock.now_ms();
    let code = |r: Result<GetMetricDataOutput, _>| {
        let err: aws_sdk_cloudwatch::error::SdkError<_, _> = r.unwrap_err();
        aws_sdk_cloudwatch::error::ProvideErrorMetadata::code(&err).map(str::to_string)
    };
    let run = |q: MetricDataQuery, start: i64, end: i64| {
        cw.get_metric_data()
            .metric_data_queries(q)
            .start_time(DateTime::from_millis(start))
            .end_time(DateTime::from_millis(end))
            .send()
    };
    let ok = query("m1", blocked("ALL"), 60, "Sum");
    let c = code(run(query("m1", blocked("ALL"), 45, "Sum"), now - 600_000, now).await);
    assert_eq!(c.as_deref(), Some("InvalidParameterValue"));
    let c = code(run(query("m1", blocked("ALL"), 60, "p99"), now - 600_000, now).await);
    assert_eq!(c.as_deref(), Some("InvalidParameterValue"));
    let c = code(run(query("M1", blocked("ALL"), 60, "Sum"), now - 600_000, now).await);
    assert_eq!(c.as_deref(), Some("InvalidParameterValue"));
    let c = code(run(ok.clone(), now, now - 600_000).await);
    assert_eq!(c.as_deref(), Some("InvalidParameterValue"));
    let both = query_builder("m1", blocked("ALL"), 60, "Sum").expression("SUM(METRICS())").build();
    let c = code(run(both, now - 600_000, now).await);
    assert_eq!(c.as_deref(), Some("InvalidParameterCombination"));
    let expr = MetricDataQuery::builder().id("e").expression("m1 * 2").build();
    let c = code(run(expr, now - 600_000, now).await);
    assert_eq!(c.as_deref(), Some("ValidationError"), "an id no query has");
    let c = code(cw.get_metric_data().metric_data_queries(ok.clone()).send().await);
    assert_eq!(c.as_deref(), Some("MissingParameter"));
    let err = cw
        .get_metric_data()
        .metric_data_queries(ok)
        .start_time(DateTime::from_millis(now - 600_000))
        .end_time(DateTime::from_millis(now))
        .next_token("garbage")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_next_token());
    let err = cw.list_metrics().recently_active(RecentlyActive::from("PT1H")).send().await.unwrap_err();
    let err = err.into_service_error();
    assert!(err.is_invalid_parameter_value_exception(), "{err:?}");
    assert!(err.to_string().contains("RecentlyActive") || format!("{err:?}").contains("RecentlyActive"));
}

#[tokio::test]
async fn injected_throttle_arrives_as_throttling_exception() {
    let sim = sim("default").await;
    sim.set_faults(wpops::sim::Faults { throttle_rate: 1.0, ..Default::default() });
    let cw = Client::new(&config(&sim).await);
    let err = cw.list_metrics().send().await.unwrap_err();
    let code = aws_sdk_cloudwatch::error::ProvideErrorMetadata::code(&err).map(str::to_string);
    assert_eq!(code.as_deref(), Some("ThrottlingException"));
    let now = sim.shared.clock.now_ms();
    let err = cw
        .get_metric_data()
        .metric_data_queries(query("m1", blocked("ALL"), 60, "Sum"))
        .start_time(DateTime::from_millis(now - 600_000))
        .end_time(DateTime::from_millis(now))
        .send()
        .await
        .unwrap_err();
    let code = aws_sdk_cloudwatch::error::ProvideErrorMetadata::code(&err).map(str::to_string);
    assert_eq!(code.as_deref(), Some("ThrottlingException"));
}
