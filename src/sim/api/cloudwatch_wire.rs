//! The edges of CloudWatch metrics in the simulator, one per protocol AWS serves it on
//! (rpcv2Cbor, awsJson1_0, awsQuery): requests decoded into one protocol-neutral JSON tree with
//! the model's PascalCase member names (CBOR tag-1 timestamps become epoch seconds, awsQuery's
//! `A.member.N.B` keys become lists), and replies built once as an `Out` tree and encoded per
//! protocol (CBOR tag-1 timestamps and float values; JSON epoch-second numbers; XML ISO 8601 and
//! `<member>` lists). The operations themselves are in `cloudwatch.rs` and `cloudwatch_data.rs`;
//! nothing here knows an operation.

use ciborium::Value as Cbor;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value as Json};

use crate::sim::error::ApiError;

/// The protocol a CloudWatch request came in on, and its reply goes out on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    Cbor,
    Json,
    Query,
}

/// A reply as the operation builds it, before any protocol.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    Text(String),
    Float(f64),
    /// Epoch milliseconds; sent as whole seconds.
    Time(i64),
    List(Vec<Out>),
    Map(Vec<(&'static str, Out)>),
}

pub fn text(s: impl Into<String>) -> Out {
    Out::Text(s.into())
}

/// A `Dimensions` list.
pub fn dimensions(dims: &[(String, String)]) -> Out {
    Out::List(
        dims.iter().map(|(n, v)| Out::Map(vec![("Name", text(n.as_str())), ("Value", text(v.as_str()))])).collect(),
    )
}

/// Decodes a request body of any of the three protocols into the neutral tree.
pub fn decode(wire: Wire, body: &[u8]) -> Result<Json, ApiError> {
    match wire {
        Wire::Json => super::json_body(body),
        Wire::Cbor if body.is_empty() => Ok(Json::Object(Map::new())),
        Wire::Cbor => {
            let v: Cbor = ciborium::from_reader(body)
                .map_err(|e| ApiError::malformed(format!("Cannot decode CBOR request: {e}")))?;
            Ok(cbor_to_json(v))
        }
        Wire::Query => Ok(query_to_json(body)),
    }
}

/// Deserializes the neutral tree into an operation's request struct.
pub fn parse<T: serde::de::DeserializeOwned>(tree: Json) -> Result<T, ApiError> {
    serde_json::from_value(tree).map_err(|e| ApiError::malformed(e.to_string()))
}

fn cbor_to_json(v: Cbor) -> Json {
    match v {
        Cbor::Tag(_, inner) => cbor_to_json(*inner),
        Cbor::Integer(i) => {
            let i = i128::from(i);
            i64::try_from(i).map(Json::from).unwrap_or_else(|_| Json::from(i as f64))
        }
        Cbor::Float(f) => serde_json::Number::from_f64(f).map(Json::Number).unwrap_or(Json::Null),
        Cbor::Text(s) => Json::String(s),
        Cbor::Bool(b) => Json::Bool(b),
        Cbor::Array(a) => Json::Array(a.into_iter().map(cbor_to_json).collect()),
        Cbor::Map(m) => Json::Object(
            m.into_iter()
                .filter_map(|(k, v)| match k {
                    Cbor::Text(k) => Some((k, cbor_to_json(v))),
                    _ => None,
                })
                .collect(),
        ),
        _ => Json::Null,
    }
}

/// awsQuery form parameters as a tree: `A.member.2.B=x` is `{"A": [null, {"B": "x"}]}`; the
/// values stay strings (the request structs read numbers and booleans from strings too).
fn query_to_json(body: &[u8]) -> Json {
    let mut root = Json::Object(Map::new());
    for (k, v) in form_urlencoded::parse(body) {
        if k == "Action" || k == "Version" {
            continue;
        }
        let segments: Vec<&str> = k.split('.').collect();
        insert(&mut root, &segments, v.into_owned());
    }
    root
}

fn insert(node: &mut Json, segments: &[&str], value: String) {
    let Some((first, rest)) = segments.split_first() else {
        *node = Json::String(value);
        return;
    };
    if *first == "member"
        && let Some((index, rest)) = rest.split_first()
        && let Ok(n) = index.parse::<usize>()
        && n >= 1
    {
        if !node.is_array() {
            *node = Json::Array(Vec::new());
        }
        if let Json::Array(items) = node {
            if items.len() < n {
                items.resize(n, Json::Null);
            }
            insert(&mut items[n - 1], rest, value);
        }
        return;
    }
    if !node.is_object() {
        *node = Json::Object(Map::new());
    }
    if let Json::Object(map) = node {
        insert(map.entry(first.to_string()).or_insert(Json::Null), rest, value);
    }
}

/// Epoch milliseconds from a request timestamp: epoch seconds (CBOR, JSON) or ISO 8601 (awsQuery).
pub fn epoch_ms(v: &Json) -> Option<i64> {
    match v {
        Json::Number(n) => n.as_f64().filter(|f| f.is_finite()).map(|f| (f * 1000.0).round() as i64),
        Json::String(s) => chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.timestamp_millis())
            .or_else(|| s.parse::<f64>().ok().filter(|f| f.is_finite()).map(|f| (f * 1000.0).round() as i64)),
        _ => None,
    }
}

/// An integer member that awsQuery sends as a string.
pub fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<Json>::deserialize(d)? {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => {
            n.as_i64().map(Some).ok_or_else(|| serde::de::Error::custom(format!("{n} is not an integer")))
        }
        Some(Json::String(s)) => {
            s.trim().parse().map(Some).map_err(|_| serde::de::Error::custom(format!("{s:?} is not an integer")))
        }
        Some(other) => Err(serde::de::Error::custom(format!("{other} is not an integer"))),
    }
}

/// A list member, which awsQuery sends as `Name=` when it is empty (botocore and the JS SDK both
/// serialise an empty list so): the empty string is the empty list.
pub fn lenient_list<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    match Option::<Json>::deserialize(d)? {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) if s.is_empty() => Ok(Some(Vec::new())),
        Some(list @ Json::Array(_)) => serde_json::from_value(list).map(Some).map_err(serde::de::Error::custom),
        Some(other) => Err(serde::de::Error::custom(format!("{other} is not a list"))),
    }
}

/// A boolean member that awsQuery sends as `true`/`false`.
pub fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<Json>::deserialize(d)? {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Bool(b)) => Ok(Some(b)),
        Some(Json::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Json::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(other) => Err(serde::de::Error::custom(format!("{other} is not a boolean"))),
    }
}

/// The reply body of one protocol: CBOR bytes, a JSON value, or the XML of the `<OpResult>`.
pub enum Encoded {
    Cbor(Vec<u8>),
    Json(Json),
    Xml(String),
}

pub fn encode(wire: Wire, out: &Out) -> Result<Encoded, ApiError> {
    Ok(match wire {
        Wire::Cbor => {
            let mut bytes = Vec::new();
            ciborium::into_writer(&to_cbor(out), &mut bytes)
                .map_err(|e| ApiError::new(500, "InternalServiceError", e.to_string()))?;
            Encoded::Cbor(bytes)
        }
        Wire::Json => Encoded::Json(to_json(out)),
        Wire::Query => {
            let mut xml = String::new();
            match out {
                Out::Map(fields) => fields.iter().for_each(|(k, v)| element(&mut xml, k, v)),
                other => to_xml(&mut xml, other),
            }
            Encoded::Xml(xml)
        }
    })
}

fn to_cbor(out: &Out) -> Cbor {
    match out {
        Out::Text(s) => Cbor::Text(s.clone()),
        Out::Float(f) => Cbor::Float(*f),
        Out::Time(ms) => Cbor::Tag(1, Box::new(Cbor::Integer(ms.div_euclid(1000).into()))),
        Out::List(items) => Cbor::Array(items.iter().map(to_cbor).collect()),
        Out::Map(fields) => Cbor::Map(fields.iter().map(|(k, v)| (Cbor::Text(k.to_string()), to_cbor(v))).collect()),
    }
}

fn to_json(out: &Out) -> Json {
    match out {
        Out::Text(s) => Json::String(s.clone()),
        Out::Float(f) => serde_json::Number::from_f64(*f).map(Json::Number).unwrap_or(Json::Null),
        Out::Time(ms) => Json::from(ms.div_euclid(1000)),
        Out::List(items) => Json::Array(items.iter().map(to_json).collect()),
        Out::Map(fields) => Json::Object(fields.iter().map(|(k, v)| (k.to_string(), to_json(v))).collect()),
    }
}

fn element(xml: &mut String, name: &str, v: &Out) {
    xml.push('<');
    xml.push_str(name);
    xml.push('>');
    to_xml(xml, v);
    xml.push_str("</");
    xml.push_str(name);
    xml.push('>');
}

fn to_xml(xml: &mut String, out: &Out) {
    match out {
        Out::Text(s) => xml.push_str(&super::xml_escape(s)),
        Out::Float(f) => xml.push_str(&f.to_string()),
        Out::Time(ms) => {
            let t = chrono::DateTime::from_timestamp(ms.div_euclid(1000), 0).unwrap_or_default();
            xml.push_str(&t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        }
        Out::List(items) => items.iter().for_each(|i| element(xml, "member", i)),
        Out::Map(fields) => fields.iter().for_each(|(k, v)| element(xml, k, v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_keys_become_lists_and_maps() {
        let body = b"Action=GetMetricData&Version=2010-08-01&MetricDataQueries.member.2.Id=b&MetricDataQueries.member.1.Id=a&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=LoadBalancer&StartTime=2026-12-01T16%3A00%3A00Z";
        let tree = decode(Wire::Query, body).unwrap();
        assert_eq!(tree["MetricDataQueries"][0]["Id"], "a");
        assert_eq!(tree["MetricDataQueries"][1]["Id"], "b");
        assert_eq!(tree["MetricDataQueries"][0]["MetricStat"]["Metric"]["Dimensions"][0]["Name"], "LoadBalancer");
        assert!(tree.get("Action").is_none());
        assert_eq!(epoch_ms(&tree["StartTime"]), Some(1_796_140_800_000));
    }

    #[test]
    fn cbor_tagged_times_become_epoch_seconds() {
        let v = Cbor::Map(vec![(Cbor::Text("StartTime".into()), Cbor::Tag(1, Box::new(Cbor::Float(1_795_968_000.5))))]);
        let mut bytes = Vec::new();
        ciborium::into_writer(&v, &mut bytes).unwrap();
        let tree = decode(Wire::Cbor, &bytes).unwrap();
        assert_eq!(epoch_ms(&tree["StartTime"]), Some(1_795_968_000_500));
        assert_eq!(decode(Wire::Cbor, &[]).unwrap(), serde_json::json!({}));
    }

    #[test]
    fn one_reply_three_encodings() {
        let out = Out::Map(vec![
            ("Timestamps", Out::List(vec![Out::Time(1_796_140_860_000)])),
            ("Values", Out::List(vec![Out::Float(5.0)])),
            ("Label", text("a<b")),
        ]);
        let Encoded::Json(j) = encode(Wire::Json, &out).unwrap() else { panic!() };
        assert_eq!(j, serde_json::json!({"Timestamps": [1_796_140_860i64], "Values": [5.0], "Label": "a<b"}));
        let Encoded::Xml(x) = encode(Wire::Query, &out).unwrap() else { panic!() };
        assert_eq!(
            x,
            "<Timestamps><member>2026-12-01T16:01:00Z</member></Timestamps><Values><member>5</member></Values><Label>a&lt;b</Label>"
        );
        let Encoded::Cbor(c) = encode(Wire::Cbor, &out).unwrap() else { panic!() };
        let back: Cbor = ciborium::from_reader(c.as_slice()).unwrap();
        let Cbor::Map(m) = back else { panic!() };
        assert_eq!(m[0].1, Cbor::Array(vec![Cbor::Tag(1, Box::new(Cbor::Integer(1_796_140_860.into())))]));
        assert_eq!(m[1].1, Cbor::Array(vec![Cbor::Float(5.0)]));
    }

    #[test]
    fn query_empty_lists_are_empty() {
        #[derive(Deserialize)]
        struct R {
            #[serde(default, deserialize_with = "lenient_list")]
            l: Option<Vec<String>>,
        }
        let r: R = parse(decode(Wire::Query, b"Action=ListMetrics&Version=2010-08-01&l=").unwrap()).unwrap();
        assert_eq!(r.l, Some(vec![]));
        let r: R = parse(decode(Wire::Query, b"l.member.1=a&l.member.2=b").unwrap()).unwrap();
        assert_eq!(r.l, Some(vec!["a".to_string(), "b".to_string()]));
        let r: R = parse(serde_json::json!({})).unwrap();
        assert_eq!(r.l, None);
        assert!(parse::<R>(serde_json::json!({"l": "x"})).is_err());
    }

    #[test]
    fn query_numbers_and_booleans_read_from_strings() {
        #[derive(Deserialize)]
        struct R {
            #[serde(default, deserialize_with = "lenient_i64")]
            p: Option<i64>,
            #[serde(default, deserialize_with = "lenient_bool")]
            b: Option<bool>,
        }
        let r: R = parse(serde_json::json!({"p": "60", "b": "false"})).unwrap();
        assert_eq!((r.p, r.b), (Some(60), Some(false)));
        let r: R = parse(serde_json::json!({"p": 300, "b": true})).unwrap();
        assert_eq!((r.p, r.b), (Some(300), Some(true)));
        let r: R = parse(serde_json::json!({})).unwrap();
        assert_eq!((r.p, r.b), (None, None));
        assert!(parse::<R>(serde_json::json!({"p": "x"})).is_err());
    }
}
