//! HTTP front of the simulator: one axum fallback handler that recognises the caller (account
//! from the access key id, region from the signature's credential scope), the service and the
//! operation from the wire protocol (`X-Amz-Target`, the rpcv2Cbor path, or awsQuery's `Action`
//! with its `Version` naming the service), applies throttling and injected faults, counts the
//! request, dispatches to `api/`, and frames the reply or error as that protocol does.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Response, Uri};
use rand::Rng;

use super::api::cloudwatch_wire::Wire;
use super::api::{self, Caller, Reply};
use super::error::ApiError;
use super::{Shared, control, lock};

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

/// The wire protocol of a request.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Protocol {
    Json,
    /// awsJson1_0, which CloudWatch speaks with awsQuery-compatible error codes.
    Json10,
    Cbor,
    Query,
}

/// Account id from an access key id: its first run of 12 digits, else a stable hash.
pub fn account_of(access_key: &str) -> String {
    let bytes = access_key.as_bytes();
    let mut run = 0;
    for (i, b) in bytes.iter().enumerate() {
        if b.is_ascii_digit() {
            run += 1;
            if run == 12 {
                return access_key[i + 1 - 12..=i].to_string();
            }
        } else {
            run = 0;
        }
    }
    format!("{:012}", super::world::fnv(access_key) % 1_000_000_000_000)
}

/// (access key, region, service) from a SigV4 `Authorization` header.
fn credential_scope(headers: &HeaderMap) -> Option<(String, String, String)> {
    let auth = headers.get("authorization")?.to_str().ok()?;
    let cred = auth.split("Credential=").nth(1)?.split([',', ' ']).next()?;
    let mut parts = cred.split('/');
    let key = parts.next()?.to_string();
    let _date = parts.next()?;
    let region = parts.next()?.to_string();
    let service = parts.next()?.to_string();
    Some((key, region, service))
}

fn request_id() -> String {
    let mut rng = rand::rng();
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        rng.random::<u32>(),
        rng.random::<u16>(),
        rng.random::<u16>(),
        rng.random::<u16>(),
        rng.random::<u64>() & 0xffff_ffff_ffff
    )
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let path = uri.path().to_string();
    if path.starts_with("/_sim/") || path == "/_sim" {
        let (status, value) = control::handle(&shared, method.as_str(), &path, uri.query().unwrap_or(""), &body);
        return respond(status, "application/json", value.to_string().into_bytes(), &[]);
    }
    let (access_key, region, _service) =
        credential_scope(&headers).unwrap_or_else(|| ("ANONYMOUS".into(), "us-east-1".into(), String::new()));
    let caller = Caller { account: account_of(&access_key), access_key, region };
    let (protocol, service, op) = match identify(&headers, &path, &body) {
        Ok(x) => x,
        Err((protocol, e)) => return render_error(protocol, &e, &request_id()),
    };
    *lock(&shared.counts).entry((caller.account.clone(), format!("{service}:{op}"))).or_default() += 1;
    let lacking = lock(&shared.lacking).iter().any(|l| *l == service || *l == format!("{service}:{op}"));
    if lacking {
        // moto's answers: Flask's 404 page for a protocol it does not route, its 500 page for
        // an action it has not implemented.
        let (status, title) =
            if service == "monitoring" { (404, "404 Not Found") } else { (500, "500 Internal Server Error") };
        let page = format!("<!doctype html>\n<html lang=en>\n<title>{title}</title>\n<h1>{title}</h1>\n");
        return respond(status, "text/html; charset=utf-8", page.into_bytes(), &[]);
    }

    let faults = *lock(&shared.faults);
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    let rid = request_id();
    let (throttle, fail) = {
        let mut rng = lock(&shared.fault_rng);
        (rng.random_bool(faults.throttle_rate.clamp(0.0, 1.0)), rng.random_bool(faults.error_rate.clamp(0.0, 1.0)))
    };
    if throttle || !take_budget(&shared, &caller, &service, &op) {
        return render_error(protocol, &ApiError::throttled(), &rid);
    }
    if fail {
        return render_error(protocol, &ApiError::internal(), &rid);
    }
    if service == "logs" && op == "StartLiveTail" {
        // The one streamed answer: an event stream the session writes as it goes.
        return super::live_tail::start(&shared, &caller, &body, &rid)
            .unwrap_or_else(|e| render_error(protocol, &e, &rid));
    }
    let result = shared.with_world(&caller.account, &caller.region, |w| match service.as_str() {
        "ecs" => api::ecs::handle(w, &caller, &op, &body),
        "logs" => api::logs::handle(w, &caller, &op, &body),
        "wafv2" => api::waf::handle(w, &caller, &op, &body),
        "ecr" => api::ecr::handle(w, &caller, &op, &body),
        "monitoring" => {
            let wire = match protocol {
                Protocol::Cbor => Wire::Cbor,
                Protocol::Query => Wire::Query,
                Protocol::Json | Protocol::Json10 => Wire::Json,
            };
            api::cloudwatch::handle(w, &caller, wire, &op, &body)
        }
        "elasticloadbalancing" => api::elb::handle(w, &caller, &op, &body),
        "sts" => api::sts::handle(w, &caller, &op, &body),
        _ => Err(ApiError::unknown_operation(&op)),
    });
    match result {
        Ok(reply) => render_reply(&service, &op, reply, &rid),
        Err(e) => render_error(protocol, &e, &rid),
    }
}

fn take_budget(shared: &Shared, caller: &Caller, service: &str, op: &str) -> bool {
    let Some((bucket, capacity, rate)) = control::budget_of(service, op) else {
        return true;
    };
    let mut buckets = lock(&shared.buckets);
    buckets
        .entry((caller.account.clone(), caller.region.clone(), bucket))
        .or_insert_with(|| control::TokenBucket::new(capacity, rate))
        .take()
}

type Identified = (Protocol, String, String);

fn identify(headers: &HeaderMap, path: &str, body: &[u8]) -> Result<Identified, (Protocol, ApiError)> {
    if let Some(target) = headers.get("x-amz-target").and_then(|v| v.to_str().ok()) {
        let (prefix, op) = target.split_once('.').unwrap_or((target, ""));
        let (protocol, service) = match prefix {
            "AmazonEC2ContainerServiceV20141113" => (Protocol::Json, "ecs"),
            "Logs_20140328" => (Protocol::Json, "logs"),
            "AWSWAF_20190729" => (Protocol::Json, "wafv2"),
            "AmazonEC2ContainerRegistry_V20150921" => (Protocol::Json, "ecr"),
            "GraniteServiceVersion20100801" => (Protocol::Json10, "monitoring"),
            _ => return Err((Protocol::Json, ApiError::unknown_operation(target))),
        };
        return Ok((protocol, service.into(), op.into()));
    }
    if let Some(rest) = path.strip_prefix("/service/") {
        let mut parts = rest.split('/');
        let svc = parts.next().unwrap_or("");
        let op = if parts.next() == Some("operation") { parts.next().unwrap_or("") } else { "" };
        if svc == "GraniteServiceVersion20100801" && !op.is_empty() {
            return Ok((Protocol::Cbor, "monitoring".into(), op.into()));
        }
        return Err((Protocol::Cbor, ApiError::unknown_operation(rest)));
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let param = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    match (param("Action"), param("Version")) {
        (Some(op), Some(version)) => Ok((Protocol::Query, query_service(version)?.into(), op.into())),
        (Some(_), None) => Err((
            Protocol::Query,
            ApiError::client("MissingParameter", "The request must contain the parameter Version."),
        )),
        (None, Some(_)) => {
            Err((Protocol::Query, ApiError::client("MissingAction", "The request must contain the parameter Action.")))
        }
        (None, None) => Err((
            Protocol::Json,
            ApiError::client(
                "UnknownOperationException",
                "No X-Amz-Target, operation path or Action: not an AWS request the simulator knows",
            ),
        )),
    }
}

/// The service an awsQuery request is for, by its API `Version`.
fn query_service(version: &str) -> Result<&'static str, (Protocol, ApiError)> {
    match version {
        "2010-08-01" => Ok("monitoring"),
        "2015-12-01" => Ok("elasticloadbalancing"),
        "2011-06-15" => Ok("sts"),
        other => Err((
            Protocol::Query,
            ApiError::client(
                "InvalidParameterValue",
                format!(
                    "Version {other} is not an API version the simulator serves: 2010-08-01 (CloudWatch), 2015-12-01 (Elastic Load Balancing v2) or 2011-06-15 (STS)."
                ),
            ),
        )),
    }
}

fn respond(status: u16, content_type: &str, body: Vec<u8>, extra: &[(&str, String)]) -> Response<Body> {
    let mut builder = Response::builder().status(status).header("content-type", content_type);
    for (k, v) in extra {
        builder = builder.header(*k, v.as_str());
    }
    builder.body(Body::from(body)).unwrap_or_else(|_| Response::new(Body::empty()))
}

fn render_reply(service: &str, op: &str, reply: Reply, rid: &str) -> Response<Body> {
    let rid_h = [("x-amzn-requestid", rid.to_string())];
    match reply {
        Reply::Json(v) => respond(200, "application/x-amz-json-1.1", v.to_string().into_bytes(), &rid_h),
        Reply::Json10(v) => respond(200, "application/x-amz-json-1.0", v.to_string().into_bytes(), &rid_h),
        Reply::Cbor(bytes) => respond(
            200,
            "application/cbor",
            bytes,
            &[("x-amzn-requestid", rid.to_string()), ("smithy-protocol", "rpc-v2-cbor".into())],
        ),
        Reply::Xml(inner) => {
            let ns = match service {
                "sts" => "https://sts.amazonaws.com/doc/2011-06-15/",
                "monitoring" => api::cloudwatch::XML_NAMESPACE,
                _ => "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
            };
            let xml = format!(
                "<{op}Response xmlns=\"{ns}\"><{op}Result>{inner}</{op}Result><ResponseMetadata><RequestId>{rid}</RequestId></ResponseMetadata></{op}Response>"
            );
            respond(200, "text/xml", xml.into_bytes(), &rid_h)
        }
    }
}

fn render_error(protocol: Protocol, e: &ApiError, rid: &str) -> Response<Body> {
    match protocol {
        Protocol::Json => {
            let body = serde_json::json!({"__type": e.code, "message": e.message});
            respond(
                e.status,
                "application/x-amz-json-1.1",
                body.to_string().into_bytes(),
                &[("x-amzn-requestid", rid.to_string()), ("x-amzn-errortype", e.code.clone())],
            )
        }
        Protocol::Json10 => {
            let body = serde_json::json!({"__type": api::cloudwatch::json_error_type(&e.code), "message": e.message});
            let kind = if e.sender { "Sender" } else { "Receiver" };
            respond(
                e.status,
                "application/x-amz-json-1.0",
                body.to_string().into_bytes(),
                &[("x-amzn-requestid", rid.to_string()), ("x-amzn-query-error", format!("{};{kind}", e.code))],
            )
        }
        Protocol::Cbor => {
            let value = ciborium::Value::Map(vec![
                (ciborium::Value::Text("__type".into()), ciborium::Value::Text(e.code.clone())),
                (ciborium::Value::Text("message".into()), ciborium::Value::Text(e.message.clone())),
            ]);
            let mut bytes = Vec::new();
            let _ = ciborium::into_writer(&value, &mut bytes);
            let kind = if e.sender { "Sender" } else { "Receiver" };
            respond(
                e.status,
                "application/cbor",
                bytes,
                &[
                    ("x-amzn-requestid", rid.to_string()),
                    ("smithy-protocol", "rpc-v2-cbor".into()),
                    ("x-amzn-query-error", format!("{};{kind}", e.code)),
                ],
            )
        }
        Protocol::Query => {
            let kind = if e.sender { "Sender" } else { "Receiver" };
            let xml = format!(
                "<ErrorResponse><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>",
                api::xml_escape(&e.code),
                api::xml_escape(&e.message)
            );
            respond(e.status, "text/xml", xml.into_bytes(), &[("x-amzn-requestid", rid.to_string())])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_comes_from_twelve_digits_in_the_key_or_a_stable_hash() {
        assert_eq!(account_of("ASIA123456789012DEMO"), "123456789012");
        assert_eq!(account_of("AKID000011112222"), "000011112222");
        let a = account_of("AKIAIOSFODNN7EXAMPLE");
        assert_eq!(a.len(), 12);
        assert_eq!(a, account_of("AKIAIOSFODNN7EXAMPLE"));
        assert_ne!(a, account_of("AKIAOTHERKEYEXAMPLE"));
    }
}
