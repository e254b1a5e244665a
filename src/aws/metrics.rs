//! CloudWatch metric reads: many series in one GetMetricData call (up to 500 queries, paged by
//! token), and ListMetrics to discover which rules inside a WAF rule group have data.

use std::collections::HashMap;

use aws_sdk_cloudwatch::types::{Dimension, DimensionFilter, Metric, MetricDataQuery, MetricStat, ScanBy};
use aws_smithy_types::DateTime;

use super::Clients;
use super::error::{AwsError, from_sdk};
use crate::model::Series;

/// One metric to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricQuery {
    /// Unique per call; must match `^[a-z][a-zA-Z0-9_]*$`.
    pub id: String,
    pub namespace: String,
    pub name: String,
    pub dimensions: Vec<(String, String)>,
    /// Sum, Average, Maximum, Minimum, SampleCount.
    pub stat: String,
    pub period_s: i32,
}

impl MetricQuery {
    pub fn new(id: &str, namespace: &str, name: &str, dims: &[(&str, &str)], stat: &str, period_s: i32) -> Self {
        MetricQuery {
            id: id.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
            dimensions: dims.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            stat: stat.to_string(),
            period_s,
        }
    }
}

/// The most queries one GetMetricData call takes.
pub const MAX_QUERIES: usize = 500;

/// GetMetricData for up to 500 queries over `[start_ms, end_ms)`; series by query id, oldest
/// point first.
pub async fn get_series(
    c: &Clients,
    queries: &[MetricQuery],
    start_ms: i64,
    end_ms: i64,
) -> Result<HashMap<String, Series>, AwsError> {
    let mut out: HashMap<String, Series> = HashMap::new();
    for chunk in queries.chunks(MAX_QUERIES) {
        let built: Vec<MetricDataQuery> = chunk.iter().map(query).collect();
        let mut token: Option<String> = None;
        loop {
            let resp = c
                .cloudwatch
                .get_metric_data()
                .set_metric_data_queries(Some(built.clone()))
                .start_time(DateTime::from_millis(start_ms))
                .end_time(DateTime::from_millis(end_ms))
                .scan_by(ScanBy::TimestampAscending)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| from_sdk("cloudwatch:GetMetricData", e))?;
            for r in resp.metric_data_results() {
                let id = r.id().unwrap_or_default().to_string();
                let series = out.entry(id).or_default();
                for (t, v) in r.timestamps().iter().zip(r.values()) {
                    if let Ok(ms) = t.to_millis() {
                        series.points.push((ms, *v));
                    }
                }
            }
            match resp.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
    }
    for s in out.values_mut() {
        s.points.sort_by_key(|(t, _)| *t);
        s.points.dedup_by_key(|(t, _)| *t);
    }
    Ok(out)
}

fn query(q: &MetricQuery) -> MetricDataQuery {
    let dims: Vec<Dimension> =
        q.dimensions.iter().map(|(k, v)| Dimension::builder().name(k).value(v).build()).collect();
    let metric = Metric::builder().namespace(&q.namespace).metric_name(&q.name).set_dimensions(Some(dims)).build();
    let stat = MetricStat::builder().metric(metric).period(q.period_s).stat(&q.stat).build();
    MetricDataQuery::builder().id(&q.id).metric_stat(stat).return_data(true).build()
}

/// Rules inside a web ACL's rule groups that have `BlockedRequests` data: (group, rule).
pub async fn waf_rules_with_blocks(c: &Clients, web_acl: &str) -> Result<Vec<(String, String)>, AwsError> {
    let mut found = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let resp = c
            .cloudwatch
            .list_metrics()
            .namespace("AWS/WAFV2")
            .metric_name("BlockedRequests")
            .dimensions(DimensionFilter::builder().name("WebACL").value(web_acl).build())
            .dimensions(DimensionFilter::builder().name("RuleGroup").build())
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| from_sdk("cloudwatch:ListMetrics", e))?;
        for m in resp.metrics() {
            let get = |n: &str| m.dimensions().iter().find(|d| d.name() == Some(n)).and_then(|d| d.value());
            if let (Some(g), Some(r)) = (get("RuleGroup"), get("Rule")) {
                found.push((crate::model::sanitize_line(g), crate::model::sanitize_line(r)));
            }
        }
        match resp.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}
