//! CloudWatch GetMetricData in the simulator, once for every protocol (the request arrives as
//! `cloudwatch_wire`'s neutral tree, the reply leaves as its `Out`): validation with CloudWatch's
//! awsQuery-style error codes, `MetricStat` queries answered from the minute store (exact
//! dimension match; periods that are multiples of 60 s aggregate the minutes; periods without
//! data have no point; the minute in progress has none until it is over), metric math expressions over the other queries (`metric_math.rs`; an
//! expression it does not evaluate is refused with `ValidationError`), `ScanBy`, and
//! `MaxDatapoints` paging with a `NextToken`. Percentile statistics are refused: the store keeps
//! no distributions.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use super::cloudwatch::{invalid_combination, invalid_token, invalid_value, missing};
use super::cloudwatch_wire::{Out, epoch_ms, lenient_bool, lenient_i64, lenient_list, parse, text};
use super::metric_math::{self, Points};
use crate::sim::api::cloudwatch::DimensionReq;
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
    #[serde(default, deserialize_with = "lenient_list")]
    dimensions: Option<Vec<DimensionReq>>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "PascalCase")]
struct MetricStatReq {
    metric: Option<MetricReq>,
    #[serde(default, deserialize_with = "lenient_i64")]
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
    #[serde(default, deserialize_with = "lenient_bool")]
    return_data: Option<bool>,
    #[serde(default, deserialize_with = "lenient_i64")]
    period: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct GetMetricDataReq {
    #[serde(default, deserialize_with = "lenient_list")]
    metric_data_queries: Option<Vec<QueryReq>>,
    start_time: Option<serde_json::Value>,
    end_time: Option<serde_json::Value>,
    next_token: Option<String>,
    scan_by: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    max_datapoints: Option<i64>,
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

/// The error CloudWatch gives an expression it cannot evaluate.
fn expression_error(id: &str, reason: &str) -> ApiError {
    ApiError::client("ValidationError", format!("Error in expression {id}: {reason}"))
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
    // A minute's data point is published once the minute is over, as AWS's vended metrics are:
    // a half-counted minute would read as a drop in traffic.
    let end = end.min(w.now_ms.div_euclid(60_000) * 60_000);
    Ok(w.metrics.query(&MetricKey::new(namespace, name, &dims), start, end, period, stat))
}

/// Period-aligned timestamps of the window, as the store buckets them.
fn grid(start: i64, end: i64, period_s: i64) -> Vec<i64> {
    let step = period_s.max(60) * 1000;
    let origin = start.div_euclid(60_000) * 60_000;
    (0..).map(|k| origin + k * step).take_while(|t| *t < end).take(DEFAULT_MAX_DATAPOINTS).collect()
}

fn answer_all(w: &RegionWorld, queries: &[QueryReq], start: i64, end: i64) -> Result<Vec<Answer>, ApiError> {
    let mut ids = HashSet::new();
    let mut resolved: HashMap<String, Points> = HashMap::new();
    let mut metrics: Vec<Points> = Vec::new();
    let mut pending: Vec<(usize, &str, metric_math::Expr)> = Vec::new();
    let mut min_period: Option<i64> = None;
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
        match (&q.metric_stat, &q.expression) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(invalid_combination(format!(
                    "Exactly one of MetricStat and Expression must be specified in MetricDataQueries.member.{n}."
                )));
            }
            (Some(s), None) => {
                let points: Points = metric_points(w, n, s, start, end)?.into_iter().collect();
                min_period = Some(min_period.map_or(s.period.unwrap_or(60), |p| p.min(s.period.unwrap_or(60))));
                metrics.push(points.clone());
                resolved.insert(id.to_string(), points);
            }
            (None, Some(e)) => {
                if q.period.is_some_and(|p| p < 60 || p % 60 != 0) {
                    return Err(invalid_value(format!(
                        "MetricDataQueries.member.{n}.Period must be a multiple of 60."
                    )));
                }
                pending.push((i, id, metric_math::parse(e).map_err(|r| expression_error(id, &r))?));
            }
        }
    }
    // Expressions may read other expressions: evaluate each once all it reads is known.
    while !pending.is_empty() {
        let ready = pending.iter().position(|(_, _, e)| {
            let mut reads = Vec::new();
            metric_math::ids(e, &mut reads);
            reads.iter().all(|r| resolved.contains_key(r) || !ids.contains(r.as_str()))
        });
        let Some(at) = ready else {
            let (_, id, _) = &pending[0];
            return Err(expression_error(id, "Circular dependency between expressions"));
        };
        let (i, id, expr) = pending.remove(at);
        let period = queries[i].period.or(min_period).unwrap_or(60);
        let grid = grid(start, end, period);
        let lookup = |name: &str| resolved.get(name).cloned();
        let scope = metric_math::Scope { lookup: &lookup, metrics: &metrics, grid: &grid };
        let points = metric_math::eval(&expr, &scope)
            .and_then(|v| metric_math::points(v, &grid))
            .map_err(|r| expression_error(id, &r))?;
        resolved.insert(id.to_string(), points);
    }
    let mut answers = Vec::new();
    for q in queries {
        if !q.return_data.unwrap_or(true) {
            continue;
        }
        let id = q.id.clone().unwrap_or_default();
        let name = q.metric_stat.as_ref().and_then(|s| s.metric.as_ref()).and_then(|m| m.metric_name.clone());
        let label = q.label.clone().or(name).unwrap_or_else(|| id.clone());
        let points = resolved.remove(&id).unwrap_or_default().into_iter().collect();
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

pub fn get_metric_data(w: &RegionWorld, tree: serde_json::Value) -> Result<Out, ApiError> {
    let req: GetMetricDataReq = parse(tree)?;
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
        results.push(Out::Map(vec![
            ("Id", text(a.id.as_str())),
            ("Label", text(a.label.as_str())),
            ("Timestamps", Out::List(slice.iter().map(|(t, _)| Out::Time(*t)).collect())),
            ("Values", Out::List(slice.iter().map(|(_, v)| Out::Float(*v)).collect())),
            ("StatusCode", text(if complete { "Complete" } else { "PartialData" })),
            ("Messages", Out::List(Vec::new())),
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
    let mut out = vec![("MetricDataResults", Out::List(results)), ("Messages", Out::List(Vec::new()))];
    if let Some(t) = next {
        out.push(("NextToken", text(t)));
    }
    Ok(Out::Map(out))
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
    fn the_grid_starts_at_the_window_minute_and_steps_by_the_period() {
        assert_eq!(grid(61_000, 300_000, 60), vec![60_000, 120_000, 180_000, 240_000]);
        assert_eq!(grid(0, 600_000, 300), vec![0, 300_000]);
    }

    #[test]
    fn tokens_round_trip_and_reject_garbage() {
        assert_eq!(parse_token(Some("2:15")).unwrap(), (2, 15));
        assert_eq!(parse_token(None).unwrap(), (0, 0));
        assert_eq!(parse_token(Some("x")).unwrap_err().code, "InvalidNextToken");
    }
}
