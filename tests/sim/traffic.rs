//! One traffic model, read back through the real SDK clients: every request the load balancer
//! counts in a minute (`RequestCount`) was blocked by the WAF (`BlockedRequests`), failed at the
//! ELB (`HTTPCode_ELB_5XX_Count`), or is an nginx access line from the load balancer in that
//! minute (its health checks, also nginx lines, are in no ALB metric, as on AWS), in the default
//! world and in the incident's ELB 5xx burst;
//! and the minute in progress is not published until it is over.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};
use wpops_fixtures::sim::*;

fn query(id: &str, namespace: &str, name: &str, dims: &[(&str, &str)]) -> MetricDataQuery {
    let metric = Metric::builder()
        .namespace(namespace)
        .metric_name(name)
        .set_dimensions(Some(dims.iter().map(|(n, v)| Dimension::builder().name(*n).value(*v).build()).collect()))
        .build();
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(MetricStat::builder().metric(metric).period(60).stat("Sum").build())
        .build()
}

/// Per minute: (RequestCount, BlockedRequests, ELB 5xx, nginx lines from the ALB, of which health checks).
async fn minutes(sim: &wpops::sim::SimHandle, from: i64, to: i64) -> BTreeMap<i64, [f64; 5]> {
    let cfg = config(sim).await;
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&cfg);
    let arn = elb.describe_load_balancers().send().await.unwrap().load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_string();
    let lb = arn.split_once(":loadbalancer/").unwrap().1.to_string();
    let cw = aws_sdk_cloudwatch::Client::new(&cfg);
    let lb_dims = [("LoadBalancer", lb.as_str())];
    let out = cw
        .get_metric_data()
        .metric_data_queries(query("req", "AWS/ApplicationELB", "RequestCount", &lb_dims))
        .metric_data_queries(query(
            "blocked",
            "AWS/WAFV2",
            "BlockedRequests",
            &[("WebACL", "wordpress-waf"), ("Region", REGION), ("Rule", "ALL")],
        ))
        .metric_data_queries(query("elb5xx", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", &lb_dims))
        .start_time(DateTime::from_millis(from))
        .end_time(DateTime::from_millis(to))
        .scan_by(ScanBy::TimestampAscending)
        .send()
        .await
        .unwrap();
    let mut by_minute: BTreeMap<i64, [f64; 5]> = BTreeMap::new();
    for (i, id) in ["req", "blocked", "elb5xx"].iter().enumerate() {
        let r = out.metric_data_results().iter().find(|r| r.id() == Some(id)).unwrap();
        for (t, v) in r.timestamps().iter().zip(r.values()) {
            by_minute.entry(t.to_millis().unwrap()).or_default()[i] = *v;
        }
    }
    let logs = aws_sdk_cloudwatchlogs::Client::new(&cfg);
    let mut token = None;
    loop {
        let page = logs
            .filter_log_events()
            .log_group_name("/ecs/wordpress")
            .log_stream_name_prefix("wp/nginx/")
            .start_time(from)
            .end_time(to - 1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        for e in page.events() {
            let m = e.message().unwrap();
            // Lines from the load balancer's nodes; the warmers call nginx directly.
            if m.starts_with("10.0.1.200 ") || m.starts_with("10.0.3.200 ") {
                let slot = by_minute.entry(e.timestamp().unwrap().div_euclid(60_000) * 60_000).or_default();
                slot[3] += 1.0;
                if m.contains("ELB-HealthChecker/") {
                    slot[4] += 1.0;
                }
            }
        }
        token = page.next_token().map(String::from);
        if token.is_none() {
            break;
        }
    }
    by_minute
}

fn assert_one_model(by_minute: &BTreeMap<i64, [f64; 5]>, at_least: usize) {
    assert!(by_minute.len() >= at_least, "{} minutes", by_minute.len());
    for (minute, [req, blocked, elb5xx, lines, checks]) in by_minute {
        assert!(
            *req > 0.0 && *lines > 0.0 && *blocked > 0.0 && *checks > 0.0,
            "{minute}: {req} {blocked} {lines} {checks}"
        );
        assert_eq!(
            *req,
            blocked + elb5xx + (lines - checks),
            "minute {minute}: RequestCount = blocked {blocked} + ELB 5xx {elb5xx} + nginx lines {lines} less \
             {checks} health checks"
        );
    }
}

#[tokio::test]
async fn request_count_is_blocked_plus_elb_failed_plus_nginx_lines_each_minute() {
    let sim = sim("default").await;
    // The world is built on its first request, with 10 minutes of detailed history (lines).
    sim.with_world("123456789012", REGION, |_| ());
    let from = START_MS - 10 * 60_000;
    sim.advance(secs(3 * 60 + 5));
    let to = START_MS + 3 * 60_000;
    let by_minute = minutes(&sim, from, to).await;
    assert_one_model(&by_minute, 13);
    assert!(by_minute.values().all(|m| m[2] == 0.0), "no ELB 5xx in the default world");
}

#[tokio::test]
async fn the_incident_burst_is_counted_once_as_elb_failures() {
    let sim = sim("incident").await;
    sim.with_world("123456789012", REGION, |_| ());
    let from = START_MS - 10 * 60_000;
    let to = START_MS;
    // Lines of the last second are ingested a little later.
    sim.advance(secs(5));
    let by_minute = minutes(&sim, from, to).await;
    assert_one_model(&by_minute, 10);
    let burst: Vec<f64> = by_minute.range(..START_MS - 5 * 60_000).map(|(_, m)| m[2]).collect();
    assert!(burst.len() == 5 && burst.iter().all(|n| *n > 60.0), "the burst ends 5 minutes back: {burst:?}");
    assert!(by_minute.range(START_MS - 5 * 60_000..).all(|(_, m)| m[2] == 0.0), "and then stops");
}

#[tokio::test]
async fn the_minute_in_progress_is_published_when_it_is_over() {
    let sim = sim("default").await;
    sim.advance(secs(30));
    let cw = aws_sdk_cloudwatch::Client::new(&config(&sim).await);
    let q = query(
        "blocked",
        "AWS/WAFV2",
        "BlockedRequests",
        &[("WebACL", "wordpress-waf"), ("Region", REGION), ("Rule", "ALL")],
    );
    let newest = |out: aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput| {
        out.metric_data_results()[0].timestamps().first().map(|t| t.to_millis().unwrap())
    };
    let run = || {
        cw.get_metric_data()
            .metric_data_queries(q.clone())
            .start_time(DateTime::from_millis(START_MS - 5 * 60_000))
            .end_time(DateTime::from_millis(START_MS + 10 * 60_000))
            .send()
    };
    assert_eq!(newest(run().await.unwrap()), Some(START_MS - 60_000), "30 s into a minute, the last one is the newest");
    sim.advance(secs(31));
    assert_eq!(newest(run().await.unwrap()), Some(START_MS), "once it is over it is published");
}
