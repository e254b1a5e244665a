//! CloudWatch metrics (`GraniteServiceVersion20100801`, version 2010-08-01) in the simulator, on
//! all three protocols AWS serves it on: rpcv2Cbor, awsJson1_0 and awsQuery. Each request is
//! decoded once into a neutral tree and each reply encoded once per protocol by
//! `cloudwatch_wire.rs`; between the two, one implementation per operation: ListMetrics here,
//! GetMetricData in `cloudwatch_data.rs`. Also the awsQuery-style error codes CloudWatch keeps
//! on every protocol. Reads the world's `MetricStore`; never writes it.

use serde::Deserialize;

use super::cloudwatch_wire::{self, Encoded, Out, Wire, dimensions, lenient_list, text};
use super::{Caller, Reply};
use crate::sim::error::ApiError;
use crate::sim::metrics::DimensionFilter;
use crate::sim::world::RegionWorld;

use super::cloudwatch_data;

/// ListMetrics page size, as AWS.
pub const LIST_PAGE: usize = 500;

/// The awsQuery namespace of CloudWatch's XML replies.
pub const XML_NAMESPACE: &str = "http://monitoring.amazonaws.com/doc/2010-08-01/";

pub fn handle(w: &mut RegionWorld, _caller: &Caller, wire: Wire, op: &str, body: &[u8]) -> Result<Reply, ApiError> {
    let run: fn(&RegionWorld, serde_json::Value) -> Result<Out, ApiError> = match op {
        "ListMetrics" => list_metrics,
        "GetMetricData" => cloudwatch_data::get_metric_data,
        _ if wire == Wire::Query => {
            return Err(ApiError::client(
                "InvalidAction",
                format!("Could not find operation {op} for version 2010-08-01"),
            ));
        }
        _ => return Err(ApiError::unknown_operation(op)),
    };
    let out = run(w, cloudwatch_wire::decode(wire, body)?)?;
    Ok(match cloudwatch_wire::encode(wire, &out)? {
        Encoded::Cbor(bytes) => Reply::Cbor(bytes),
        Encoded::Json(v) => Reply::Json10(v),
        Encoded::Xml(x) => Reply::Xml(x),
    })
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

/// The modelled error shape of an awsQuery code, the `__type` CloudWatch's JSON protocol sends
/// (the code itself travels in `x-amzn-query-error`); other codes are sent as they are.
pub fn json_error_type(code: &str) -> &str {
    match code {
        "InvalidParameterValue" => "com.amazonaws.cloudwatch#InvalidParameterValueException",
        "InvalidParameterCombination" => "com.amazonaws.cloudwatch#InvalidParameterCombinationException",
        "MissingParameter" => "com.amazonaws.cloudwatch#MissingRequiredParameterException",
        "InvalidNextToken" => "com.amazonaws.cloudwatch#InvalidNextToken",
        "InternalServiceError" => "com.amazonaws.cloudwatch#InternalServiceFault",
        other => other,
    }
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
    #[serde(default, deserialize_with = "lenient_list")]
    dimensions: Option<Vec<DimensionReq>>,
    next_token: Option<String>,
    recently_active: Option<String>,
}

fn list_metrics(w: &RegionWorld, tree: serde_json::Value) -> Result<Out, ApiError> {
    let req: ListMetricsReq = cloudwatch_wire::parse(tree)?;
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
    let metrics: Vec<Out> = keys
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .map(|k| {
            Out::Map(vec![
                ("Namespace", text(k.namespace.as_str())),
                ("MetricName", text(k.name.as_str())),
                ("Dimensions", dimensions(&k.dimensions)),
            ])
        })
        .collect();
    let mut out = vec![("Metrics", Out::List(metrics))];
    if end < keys.len() {
        out.push(("NextToken", text(end.to_string())));
    }
    Ok(Out::Map(out))
}
