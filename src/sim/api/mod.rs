//! The AWS APIs the simulator answers, one module per service. Each handler takes the world of
//! the caller's account and region and the request body, and returns a protocol-shaped reply or
//! an `ApiError`; HTTP framing and error rendering are `http.rs`'s.

pub mod cloudwatch;
mod cloudwatch_data;
pub mod cloudwatch_wire;
pub mod ecr;
pub mod ecs;
mod ecs_history;
pub mod ecs_shapes;
mod ecs_tasks;
pub mod elb;
pub mod logs;
mod logs_filter;
mod logs_get;
pub mod logs_live;
mod metric_math;
pub mod sts;
pub mod waf;
mod waf_sampled;

use super::error::ApiError;

/// A successful reply in one of the wire protocols.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// awsJson1_1 body.
    Json(serde_json::Value),
    /// awsJson1_0 body (CloudWatch).
    Json10(serde_json::Value),
    /// rpcv2Cbor body, already encoded.
    Cbor(Vec<u8>),
    /// awsQuery: the XML of the `<OpResult>` element's content; the framing is added by http.rs.
    Xml(String),
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub access_key: String,
    pub account: String,
    pub region: String,
}

/// Parses an awsJson1_1 body (an empty body is an empty object).
pub fn json_body(body: &[u8]) -> Result<serde_json::Value, ApiError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(serde_json::Value::Object(Default::default()));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::malformed(format!("Start of structure or map found where not expected: {e}")))
}

/// Deserializes an awsJson1_1 body into a request struct.
pub fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let value = json_body(body)?;
    serde_json::from_value(value).map_err(|e| ApiError::malformed(e.to_string()))
}

/// Escapes text for XML element content and attributes.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// Pagination over a list with an opaque numeric token: returns (page, next token).
pub fn paginate<T: Clone>(items: &[T], token: Option<&str>, max: usize) -> Result<(Vec<T>, Option<String>), ApiError> {
    let start = match token {
        Some(t) if !t.is_empty() => t.parse::<usize>().map_err(|_| ApiError::invalid_parameter("Invalid nextToken"))?,
        _ => 0,
    };
    let end = (start + max.max(1)).min(items.len());
    let page = items.get(start..end).map(|s| s.to_vec()).unwrap_or_default();
    let next = (end < items.len()).then(|| end.to_string());
    Ok((page, next))
}
