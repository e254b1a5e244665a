//! Metric math in the simulated GetMetricData through the real aws-sdk-cloudwatch client:
//! arithmetic on ids with constants and parentheses, FILL, RATE, SUM/AVG/MIN/MAX of METRICS(),
//! of a list and of one series, each checked against the same arithmetic done here on the
//! metric queries' own points; and an expression it does not evaluate refused as CloudWatch
//! refuses one (`ValidationError`).

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};
use wpops_fixtures::sim::*;

fn waf(name: &str) -> Metric {
    let dims = [("WebACL", "wordpress-waf"), ("Region", REGION), ("Rule", "ALL")];
    Metric::builder()
        .namespace("AWS/WAFV2")
        .metric_name(name)
        .set_dimensions(Some(dims.iter().map(|(n, v)| Dimension::builder().name(*n).value(*v).build()).collect()))
        .build()
}

fn stat(id: &str, m: Metric) -> MetricDataQuery {
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(MetricStat::builder().metric(m).period(60).stat("Sum").build())
        .return_data(true)
        .build()
}

fn expr(id: &str, e: &str) -> MetricDataQuery {
    MetricDataQuery::builder().id(id).expression(e).build()
}

type Points = BTreeMap<i64, f64>;

async fn run(cw: &Client, queries: Vec<MetricDataQuery>, start: i64, end: i64) -> BTreeMap<String, Points> {
    let out = cw
        .get_metric_data()
        .set_metric_data_queries(Some(queries))
        .start_time(DateTime::from_millis(start))
        .end_time(DateTime::from_millis(end))
        .scan_by(ScanBy::TimestampAscending)
        .send()
        .await
        .unwrap();
    out.metric_data_results()
        .iter()
        .map(|r| {
            let pts = r.timestamps().iter().map(|t| t.to_millis().unwrap()).zip(r.values().iter().copied()).collect();
            (r.id().unwrap().to_string(), pts)
        })
        .collect()
}

fn close(a: &Points, b: &Points) {
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (t, v) in a {
        assert!((v - b[t]).abs() < 1e-9, "at {t}: {v} vs {}", b[t]);
    }
}

#[tokio::test]
async fn expressions_compute_what_the_metrics_say() {
    let sim = sim("default").await;
    let cw = Client::new(&config(&sim).await);
    let now = sim.shared.clock.now_ms();
    let (start, end) = ((now - 30 * 60_000).div_euclid(60_000) * 60_000, now);
    let got = run(
        &cw,
        vec![
            stat("blocked", waf("BlockedRequests")),
            stat("allowed", waf("AllowedRequests")),
            expr("share", "blocked / (blocked + allowed) * 100"),
            expr("total", "blocked + allowed"),
            expr("sum_all", "SUM(METRICS())"),
            expr("sum_list", "SUM([blocked, allowed])"),
            expr("max_all", "MAX(METRICS())"),
            expr("avg_list", "AVG([blocked, allowed])"),
            expr("min_list", "MIN([blocked, allowed])"),
            expr("peak", "blocked / MAX(blocked)"),
            expr("rate", "RATE(allowed)"),
            expr("filled", "FILL(blocked, 0) - 1"),
            expr("of_expr", "total * 2 - 0.5"),
        ],
        start,
        end,
    )
    .await;
    let (b, a) = (&got["blocked"], &got["allowed"]);
    assert!(b.len() >= 25 && a.len() >= 25, "{} {}", b.len(), a.len());
    let both = |f: fn(f64, f64) -> f64| -> Points {
        b.iter().filter_map(|(t, x)| a.get(t).map(|y| (*t, f(*x, *y)))).collect()
    };
    close(&got["share"], &both(|x, y| x / (x + y) * 100.0));
    close(&got["total"], &both(|x, y| x + y));
    close(&got["sum_all"], &got["total"]);
    close(&got["sum_list"], &got["total"]);
    close(&got["max_all"], &both(f64::max));
    close(&got["avg_list"], &both(|x, y| (x + y) / 2.0));
    close(&got["min_list"], &both(f64::min));
    let max_b = b.values().copied().fold(f64::MIN, f64::max);
    close(&got["peak"], &b.iter().map(|(t, v)| (*t, v / max_b)).collect());
    let rate: Points = a
        .iter()
        .zip(a.iter().skip(1))
        .map(|((t0, v0), (t1, v1))| (*t1, (v1 - v0) / ((t1 - t0) as f64 / 1000.0)))
        .collect();
    close(&got["rate"], &rate);
    assert!(got["filled"].len() >= b.len());
    for (t, v) in &got["filled"] {
        assert_eq!(*v, b.get(t).copied().unwrap_or(0.0) - 1.0);
    }
    close(&got["of_expr"], &got["total"].iter().map(|(t, v)| (*t, v * 2.0 - 0.5)).collect());
}

#[tokio::test]
async fn unsupported_expressions_are_refused_as_cloudwatch_refuses_them() {
    let sim = sim("default").await;
    let cw = Client::new(&config(&sim).await);
    let now = sim.shared.clock.now_ms();
    for (e, says) in [
        ("ANOMALY_DETECTION_BAND(blocked)", "Unsupported function ANOMALY_DETECTION_BAND"),
        ("blocked +", "Unexpected end of expression"),
        ("nobody * 2", "Unrecognized metric id nobody"),
        ("METRICS()", "several time series"),
    ] {
        let err = cw
            .get_metric_data()
            .metric_data_queries(stat("blocked", waf("BlockedRequests")))
            .metric_data_queries(expr("e1", e))
            .start_time(DateTime::from_millis(now - 600_000))
            .end_time(DateTime::from_millis(now))
            .send()
            .await
            .unwrap_err();
        let code = aws_sdk_cloudwatch::error::ProvideErrorMetadata::code(&err).map(str::to_string);
        let message = aws_sdk_cloudwatch::error::ProvideErrorMetadata::message(&err).unwrap_or_default().to_string();
        assert_eq!(code.as_deref(), Some("ValidationError"), "{e}");
        assert!(message.starts_with("Error in expression e1: ") && message.contains(says), "{e}: {message}");
    }
}
