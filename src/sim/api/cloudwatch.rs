//! CloudWatch metrics (rpcv2Cbor, `GraniteServiceVersion20100801`) in the simulator: operation
//! dispatch, the CBOR helpers (requests decoded with serde, timestamps as tag-1 ints or floats;
//! replies built as `ciborium::Value` with tag-1 timestamps and float values), the awsQuery-style
//! error codes CloudWatch keeps, and ListMetrics. GetMetricData is in `cloudwatch_data.rs`.
//! Reads the world's `MetricStore`; never writes it.

use ciborium::Value;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{Caller, Reply};
use crate::sim::error::ApiError;
use crate::sim::metrics::DimensionFilter;
use crate::sim::world::RegionWorld;

use super::cloudwatch_data;

/// ListMetrics page size, as AWS.
pub const LIST_PAGE: usize = 500;

pub fn handle(w: &mut RegionWorld, _caller: &Caller, op: &str, body: &[u8]) -> Result<Reply, ApiError> {
    let v = match op {
        "ListMetrics" => list_metrics(w, body)?,
        "GetMetricData" => cloudwatch_data::get_metric_data(w, body)?,
        _ => return Err(ApiError::unknown_operation(op)),
    };
    let mut bytes = Vec::new();
    ciborium::into_writer(&v, &mut bytes).map_err(|e| ApiError::new(500, "InternalServiceError", e.to_string()))?;
    Ok(Reply::Cbor(bytes))
}

/// `InvalidParameterValue` (awsQuery code, sent in `x-amzn-query-error` by `http.rs`).
pub(crate) fn invalid_value(message: impl Into<String>) -> ApiError {
    ApiError::client("InvalidParameterValue", message)
}

/// `InvalidParameterCombination`.
pub(crate) fn invalid_combination(message: impl Into<String>) -> ApiError {
    ApiError::client("InvalidParameterCombination", message)
}

/// `MissingParameter` for a required parameter.
pub(crate) fn missing(parameter: &str) -> ApiError {
    ApiError::client("MissingParameter", format!("The parameter {parameter} is required."))
}

/// `InvalidNextToken`.
pub(crate) fn invalid_token() -> ApiError {
    ApiError::client("InvalidNextToken", "The service couldn't process the NextToken provided.")
}

/// Decodes a CBOR request body (an empty body is an empty map).
pub(crate) fn cbor_parse<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.is_empty() {
        return Ok(T::default());
    }
    ciborium::from_reader(body).map_err(|e| ApiError::malformed(format!("Cannot decode CBOR request: {e}")))
}

/// Epoch milliseconds from a CBOR timestamp: tag 1 around an int or float of seconds (the tag
/// is accepted missing too).
pub(crate) fn epoch_ms(v: &Value) -> Option<i64> {
    match v {
        Value::Tag(1, inner) => epoch_ms(inner),
        Value::Integer(i) => i64::try_from(i128::from(*i)).ok().map(|s| s.saturating_mul(1000)),
        Value::Float(f) if f.is_finite() => Some((f * 1000.0).round() as i64),
        _ => None,
    }
}

/// A tag-1 timestamp of whole seconds.
pub(crate) fn cbor_time(ms: i64) -> Value {
    Value::Tag(1, Box::new(Value::Integer(ms.div_euclid(1000).into())))
}

pub(crate) fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// A CBOR map from string keys.
pub(crate) fn cbor_map(pairs: Vec<(&str, Value)>) -> Value {
    Value::Map(pairs.into_iter().map(|(k, v)| (text(k), v)).collect())
}

/// A `Dimensions` list.
pub(crate) fn dimensions_value(dims: &[(String, String)]) -> Value {
    Value::Array(
        dims.iter().map(|(n, v)| cbor_map(vec![("Name", text(n.as_str())), ("Value", text(v.as_str()))])).collect(),
    )
}

/// A `{Name, Value}` dimension as requests carry it.
#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DimensionReq {
    pub name: Option<String>,
    pub value: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct ListMetricsReq {
    namespace: Option<String>,
    metric_name: Option<String>,
    dimensions: Option<Vec<DimensionReq>>,
    next_token: Option<String>,
    recently_active: Option<String>,
}

fn list_metrics(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: ListMetricsReq = cbor_parse(body)?;
    let dims = req.dimensions.unwrap_or_default();
    if dims.len() > 10 {
        return Err(invalid_value("The collection Dimensions must not have a size greater than 10."));
    }
    let mut filters = Vec::with_capacity(dims.len());
    for (i, d) in dims.into_iter().enumerate() {
        let name = d.name.ok_or_else(|| missing(&format!("Dimensions.member.{}.Name", i + 1)))?;
        filters.push(DimensionFilter { name, value: d.value });
    }
    let since = match req.recently_active.as_deref() {
        None => None,
        Some("PT3H") => Some(w.now_ms - 3 * 3_600_000),
        Some(other) => {
            return Err(invalid_value(format!(
                "The value {other} for parameter RecentlyActive is not valid. Valid value: PT3H."
            )));
        }
    };
    let keys = w.metrics.list(req.namespace.as_deref(), req.metric_name.as_deref(), &filters, since);
    let start = match req.next_token.as_deref() {
        None | Some("") => 0,
        Some(t) => t.parse::<usize>().ok().filter(|n| *n <= keys.len()).ok_or_else(invalid_token)?,
    };
    let end = (start + LIST_PAGE).min(keys.len());
    let metrics: Vec<Value> = keys
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .map(|k| {
            cbor_map(vec![
                ("Namespace", text(k.namespace.as_str())),
                ("MetricName", text(k.name.as_str())),
                ("Dimensions", dimensions_value(&k.dimensions)),
            ])
        })
        .collect();
    let mut out = vec![("Metrics", Value::Array(metrics))];
    if end < keys.len() {
        out.push(("NextToken", text(end.to_string())));
    }
    Ok(cbor_map(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Default)]
    #[serde(rename_all = "PascalCase")]
    struct Req {
        start_time: Option<Value>,
    }

    #[test]
    fn tagged_timestamps_decode_from_floats_and_ints() {
        for inner in [Value::Float(1_795_842_000.25), Value::Integer(1_795_842_000i64.into())] {
            let v = cbor_map(vec![("StartTime", Value::Tag(1, Box::new(inner)))]);
            let mut bytes = Vec::new();
            ciborium::into_writer(&v, &mut bytes).unwrap();
            let req: Req = cbor_parse(&bytes).unwrap();
            let ms = epoch_ms(&req.start_time.unwrap()).unwrap();
            assert!(ms == 1_795_842_000_250 || ms == 1_795_842_000_000, "{ms}");
        }
        let empty: Req = cbor_parse(&[]).unwrap();
        assert!(empty.start_time.is_none());
    }

    #[test]
    fn replies_carry_tagged_int_timestamps() {
        let mut bytes = Vec::new();
        ciborium::into_writer(&cbor_time(1_795_842_060_000), &mut bytes).unwrap();
        assert_eq!(bytes[0], 0xc1, "tag 1");
        assert_eq!(bytes[1], 0x1a, "a 32-bit unsigned int follows");
    }
}
