//! CloudWatch GetMetricData in the simulator: validation with CloudWatch's awsQuery-style error
//! codes, `MetricStat` queries answered from the minute store (exact dimension match; periods
//! that are multiples of 60 s aggregate the minutes; periods without data have no point),
//! `SUM|AVG|MIN|MAX(METRICS())` expressions over the request's metric queries (any other
//! expression is refused with InvalidParameterValue), `ScanBy`, and `MaxDatapoints` paging with
//! a `NextToken`. Percentile statistics are refused: the store keeps no distributions.

use std::collections::{BTreeMap, HashSet};

use ciborium::Value;
use serde::Deserialize;

use super::cloudwatch::{
    DimensionReq, cbor_map, cbor_parse, cbor_time, epoch_ms, invalid_combination, invalid_token, invalid_value,
    missing, text,
};
use crate::sim::error::ApiError;
use crate::sim::metrics::{MetricKey, Statistic};
use crate::sim::world::RegionWorld;

/// At most this many queries per call, as AWS.
pub const MAX_QUERIES: usize = 500;
/// AWS's default `MaxDatapoints`.
pub const DEFAULT_MAX_DATAPOINTS: usize = 100_800;

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "PascalCase")]
struct MetricReq {
    namespace: Option<String>,
    metric_name: Option<String>,
    dimensions: Option<Vec<DimensionReq>>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "PascalCase")]
struct MetricStatReq {
    metric: Option<MetricReq>,
    period: Option<i64>,
    stat: Option<String>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "PascalCase")]
struct QueryReq {
    id: Option<String>,
    metric_stat: Option<MetricStatReq>,
    expression: Option<String>,
    label: Option<String>,
    return_data: Option<bool>,
    period: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct GetMetricDataReq {
    metric_data_queries: Option<Vec<QueryReq>>,
    start_time: Option<Value>,
    end_time: Option<Value>,
    next_token: Option<String>,
    scan_by: Option<String>,
    max_datapoints: Option<i64>,
}

/// How an expression combines the metric queries' points at each timestamp.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Combine {
    Sum,
    Avg,
    Min,
    Max,
}

/// One answered query: id, label, points oldest first.
struct Answer {
    id: String,
    label: String,
    points: Vec<(i64, f64)>,
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && id.len() <= 255
}

fn parse_expression(expr: &str) -> Option<Combine> {
    let compact: String = expr.chars().filter(|c| !c.is_whitespace()).collect();
    let (func, rest) = compact.split_once('(')?;
    if rest != "METRICS())" {
        return None;
    }
    Some(match func {
        "SUM" => Combine::Sum,
        "AVG" => Combine::Avg,
        "MIN" => Combine::Min,
        "MAX" => Combine::Max,
        _ => return None,
    })
}

fn metric_points(
    w: &RegionWorld,
    n: usize,
    s: &MetricStatReq,
    start: i64,
    end: i64,
) -> Result<Vec<(i64, f64)>, ApiError> {
    let at = |field: &str| format!("MetricDataQueries.member.{n}.MetricStat.{field}");
    let metric = s.metric.as_ref().ok_or_else(|| missing(&at("Metric")))?;
    let namespace = metric.namespace.as_deref().ok_or_else(|| missing(&at("Metric.Namespace")))?;
    let name = metric.metric_name.as_deref().ok_or_else(|| missing(&at("Metric.MetricName")))?;
    let period = s.period.ok_or_else(|| missing(&at("Period")))?;
    if period < 60 || period % 60 != 0 {
        return Err(invalid_value(format!(
            "The parameter {} must be a multiple of 60 (the simulator keeps one-minute resolution); got {period}.",
            at("Period")
        )));
    }
    let stat_name = s.stat.as_deref().ok_or_else(|| missing(&at("Stat")))?;
    let stat = Statistic::parse(stat_name).ok_or_else(|| {
        invalid_value(format!(
            "The value {stat_name} for parameter {} is not supported: use Sum, Average, Maximum, Minimum or SampleCount (the simulator has no percentiles).",
            at("Stat")
        ))
    })?;
    let dims_req = metric.dimensions.as_deref().unwrap_or_default();
    if dims_req.len() > 30 {
        return Err(invalid_value(format!("The collection {} must not exceed 30 members.", at("Metric.Dimensions"))));
    }
    let mut dims = Vec::with_capacity(dims_req.len());
    for (i, d) in dims_req.iter().enumerate() {
        let name =
            d.name.as_deref().ok_or_else(|| missing(&at(&format!("Metric.Dimensions.member.{}.Name", i + 1))))?;
        let value =
            d.value.as_deref().ok_or_else(|| missing(&at(&format!("Metric.Dimensions.member.{}.Value", i + 1))))?;
        dims.push((name, value));
    }
    Ok(w.metrics.query(&MetricKey::new(namespace, name, &dims), start, end, period, stat))
}

fn combine(how: Combine, series: &[&Vec<(i64, f64)>]) -> Vec<(i64, f64)> {
    let mut at: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for s in series {
        for (t, v) in s.iter() {
            at.entry(*t).or_default().push(*v);
        }
    }
    at.into_iter()
        .map(|(t, vs)| {
            let v = match how {
                Combine::Sum => vs.iter().sum(),
                Combine::Avg => vs.iter().sum::<f64>() / vs.len() as f64,
                Combine::Min => vs.iter().copied().fold(f64::INFINITY, f64::min),
                Combine::Max => vs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            };
            (t, v)
        })
        .collect()
}

fn answer_all(w: &RegionWorld, queries: &[QueryReq], start: i64, end: i64) -> Result<Vec<Answer>, ApiError> {
    let mut ids = HashSet::new();
    let mut metric_series: Vec<Option<Vec<(i64, f64)>>> = Vec::with_capacity(queries.len());
    for (i, q) in queries.iter().enumerate() {
        let n = i + 1;
        let id = q.id.as_deref().ok_or_else(|| missing(&format!("MetricDataQueries.member.{n}.Id")))?;
        if !valid_id(id) {
            return Err(invalid_value(format!(
                "The value {id} for parameter MetricDataQueries.member.{n}.Id is not valid: it must start with a lowercase letter and hold only letters, digits and underscores."
            )));
        }
        if !ids.insert(id) {
            return Err(invalid_value(format!("The Id {id} is used by more than one query.")));
        }
        metric_series.push(match (&q.metric_stat, &q.expression) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(invalid_combination(format!(
                    "Exactly one of MetricStat and Expression must be specified in MetricDataQueries.member.{n}."
                )));
            }
            (Some(s), None) => Some(metric_points(w, n, s, start, end)?),
            (None, Some(e)) => {
                if parse_expression(e).is_none() {
                    return Err(invalid_value(format!(
                        "The expression {e:?} in MetricDataQueries.member.{n} is not supported by the simulator: use SUM, AVG, MIN or MAX of METRICS()."
                    )));
                }
                if q.period.is_some_and(|p| p < 60 || p % 60 != 0) {
                    return Err(invalid_value(format!("MetricDataQueries.member.{n}.Period must be a multiple of 60.")));
                }
                None
            }
        });
    }
    let metrics: Vec<&Vec<(i64, f64)>> = metric_series.iter().flatten().collect();
    let mut answers = Vec::new();
    for (q, series) in queries.iter().zip(&metric_series) {
        if !q.return_data.unwrap_or(true) {
            continue;
        }
        let id = q.id.clone().unwrap_or_default();
        let (label, points) = match (series, q.expression.as_deref().and_then(parse_expression)) {
            (Some(points), _) => {
                let name = q.metric_stat.as_ref().and_then(|s| s.metric.as_ref()).and_then(|m| m.metric_name.clone());
                (q.label.clone().or(name).unwrap_or_default(), points.clone())
            }
            (None, Some(how)) => (q.label.clone().unwrap_or_else(|| id.clone()), combine(how, &metrics)),
            (None, None) => continue,
        };
        answers.push(Answer { id, label, points });
    }
    Ok(answers)
}

/// Parses `q:i` (returned query index, point index).
fn parse_token(token: Option<&str>) -> Result<(usize, usize), ApiError> {
    match token {
        None | Some("") => Ok((0, 0)),
        Some(t) => {
            let (q, i) = t.split_once(':').ok_or_else(invalid_token)?;
            Ok((q.parse().map_err(|_| invalid_token())?, i.parse().map_err(|_| invalid_token())?))
        }
    }
}

pub fn get_metric_data(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: GetMetricDataReq = cbor_parse(body)?;
    let queries = req.metric_data_queries.ok_or_else(|| missing("MetricDataQueries"))?;
    if queries.is_empty() || queries.len() > MAX_QUERIES {
        return Err(invalid_value(format!(
            "The collection MetricDataQueries must have between 1 and {MAX_QUERIES} members; it has {}.",
            queries.len()
        )));
    }
    let start = req.start_time.as_ref().ok_or_else(|| missing("StartTime"))?;
    let end = req.end_time.as_ref().ok_or_else(|| missing("EndTime"))?;
    let start = epoch_ms(start).ok_or_else(|| invalid_value("The parameter StartTime is not a timestamp."))?;
    let end = epoch_ms(end).ok_or_else(|| invalid_value("The parameter EndTime is not a timestamp."))?;
    if start >= end {
        return Err(invalid_value("The parameter StartTime must be less than the parameter EndTime."));
    }
    let descending = match req.scan_by.as_deref() {
        None | Some("TimestampDescending") => true,
        Some("TimestampAscending") => false,
        Some(other) => {
            return Err(invalid_value(format!(
                "The value {other} for parameter ScanBy is not valid: TimestampDescending or TimestampAscending."
            )));
        }
    };
    let max_points = match req.max_datapoints {
        None => DEFAULT_MAX_DATAPOINTS,
        Some(n) if n > 0 => n as usize,
        Some(n) => return Err(invalid_value(format!("The parameter MaxDatapoints must be positive; got {n}."))),
    };
    let mut answers = answer_all(w, &queries, start, end)?;
    if descending {
        for a in &mut answers {
            a.points.reverse();
        }
    }
    let (first_q, first_i) = parse_token(req.next_token.as_deref())?;
    if first_q > answers.len() || answers.get(first_q).is_some_and(|a| first_i > a.points.len()) {
        return Err(invalid_token());
    }
    let mut budget = max_points;
    let mut results = Vec::new();
    let mut next = None;
    for (q, a) in answers.iter().enumerate().skip(first_q) {
        let from = if q == first_q { first_i } else { 0 };
        let take = (a.points.len() - from).min(budget);
        budget -= take;
        let slice = a.points.get(from..from + take).unwrap_or_default();
        let complete = from + take == a.points.len();
        results.push(cbor_map(vec![
            ("Id", text(a.id.as_str())),
            ("Label", text(a.label.as_str())),
            ("Timestamps", Value::Array(slice.iter().map(|(t, _)| cbor_time(*t)).collect())),
            ("Values", Value::Array(slice.iter().map(|(_, v)| Value::Float(*v)).collect())),
            ("StatusCode", text(if complete { "Complete" } else { "PartialData" })),
            ("Messages", Value::Array(Vec::new())),
        ]));
        if !complete {
            next = Some(format!("{q}:{}", from + take));
            break;
        }
        if budget == 0 && q + 1 < answers.len() {
            next = Some(format!("{}:0", q + 1));
            break;
        }
    }
    let mut out = vec![("MetricDataResults", Value::Array(results)), ("Messages", Value::Array(Vec::new()))];
    if let Some(t) = next {
        out.push(("NextToken", text(t)));
    }
    Ok(cbor_map(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_cloudwatch_rules() {
        assert!(valid_id("m1") && valid_id("blocked_wordpress") && valid_id("aB9"));
        assert!(!valid_id("1m") && !valid_id("M1") && !valid_id("m-1") && !valid_id(""));
    }

    #[test]
    fn only_metrics_aggregates_are_expressions() {
        assert_eq!(parse_expression("SUM(METRICS())"), Some(Combine::Sum));
        assert_eq!(parse_expression(" AVG( METRICS() ) "), Some(Combine::Avg));
        assert_eq!(parse_expression("m1 + m2"), None);
        assert_eq!(parse_expression("SUM(METRICS(\"a\"))"), None);
    }

    #[test]
    fn expressions_combine_points_at_each_timestamp() {
        let a = vec![(0, 1.0), (60_000, 2.0)];
        let b = vec![(60_000, 5.0), (120_000, 7.0)];
        assert_eq!(combine(Combine::Sum, &[&a, &b]), vec![(0, 1.0), (60_000, 7.0), (120_000, 7.0)]);
        assert_eq!(combine(Combine::Max, &[&a, &b])[1], (60_000, 5.0));
        assert_eq!(combine(Combine::Avg, &[&a, &b])[1], (60_000, 3.5));
    }

    #[test]
    fn tokens_round_trip_and_reject_garbage() {
        assert_eq!(parse_token(Some("2:15")).unwrap(), (2, 15));
        assert_eq!(parse_token(None).unwrap(), (0, 0));
        assert_eq!(parse_token(Some("x")).unwrap_err().code, "InvalidNextToken");
    }
}
