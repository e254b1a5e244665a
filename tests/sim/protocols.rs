//! CloudWatch on its other two protocols, awsJson1_0 and awsQuery, by hand-written HTTP requests
//! (the Rust SDK speaks only rpcv2Cbor for CloudWatch; botocore speaks them in `conformance.rs`):
//! the same GetMetricData answers the same points on all three, timestamps as epoch seconds in
//! JSON and ISO 8601 in XML, ListMetrics, errors shaped per protocol, and awsQuery routed by its
//! `Version` (an unknown one refused).

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wpops_fixtures::sim::*;

/// A POST with a SigV4-shaped Authorization (the simulator reads account and region from it):
/// (status, lower-cased head, body).
async fn post(sim: &wpops::sim::SimHandle, headers: &[(&str, &str)], body: &str) -> (u16, String, String) {
    let mut s = tokio::net::TcpStream::connect(sim.addr).await.unwrap();
    let mut req = format!(
        "POST / HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAuthorization: AWS4-HMAC-SHA256 Credential={KEY}/20261201/{REGION}/monitoring/aws4_request, SignedHeaders=host, Signature=0\r\nContent-Length: {}\r\n",
        sim.addr,
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_ascii_lowercase(), body.to_string())
}

const JSON: [(&str, &str); 2] = [("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "")];

async fn json(sim: &wpops::sim::SimHandle, op: &str, body: serde_json::Value) -> (u16, String, serde_json::Value) {
    let target = format!("GraniteServiceVersion20100801.{op}");
    let headers = [JSON[0], ("X-Amz-Target", target.as_str())];
    let (status, head, body) = post(sim, &headers, &body.to_string()).await;
    (status, head, serde_json::from_str(&body).unwrap())
}

async fn query(sim: &wpops::sim::SimHandle, form: &str) -> (u16, String, String) {
    post(sim, &[("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")], form).await
}

fn all_between<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(&open).skip(1).filter_map(|s| s.split_once(&close).map(|(v, _)| v)).collect()
}

const DIMS: [(&str, &str); 3] = [("WebACL", "wordpress-waf"), ("Region", REGION), ("Rule", "ALL")];

#[tokio::test]
async fn get_metric_data_answers_the_same_points_on_all_three_protocols() {
    let sim = sim("default").await;
    let now = sim.shared.clock.now_ms();
    let (start, end) = ((now - 20 * 60_000) / 1000, now / 1000);
    // rpcv2Cbor through the SDK.
    let cw = aws_sdk_cloudwatch::Client::new(&config(&sim).await);
    let metric = Metric::builder()
        .namespace("AWS/WAFV2")
        .metric_name("BlockedRequests")
        .set_dimensions(Some(DIMS.iter().map(|(n, v)| Dimension::builder().name(*n).value(*v).build()).collect()))
        .build();
    let out = cw
        .get_metric_data()
        .metric_data_queries(
            MetricDataQuery::builder()
                .id("m1")
                .metric_stat(MetricStat::builder().metric(metric).period(60).stat("Sum").build())
                .return_data(false)
                .build(),
        )
        .metric_data_queries(MetricDataQuery::builder().id("e1").expression("m1 * 2").build())
        .start_time(DateTime::from_secs(start))
        .end_time(DateTime::from_secs(end))
        .scan_by(ScanBy::TimestampAscending)
        .send()
        .await
        .unwrap();
    let r = &out.metric_data_results()[0];
    let cbor_times: Vec<i64> = r.timestamps().iter().map(|t| t.secs()).collect();
    let cbor_values = r.values().to_vec();
    assert!(cbor_values.len() >= 18, "{}", cbor_values.len());

    // awsJson1_0: epoch seconds both ways.
    let dims: Vec<serde_json::Value> = DIMS.iter().map(|(n, v)| serde_json::json!({"Name": n, "Value": v})).collect();
    let (status, head, body) = json(
        &sim,
        "GetMetricData",
        serde_json::json!({
            "MetricDataQueries": [
                {"Id": "m1", "ReturnData": false, "MetricStat": {"Metric": {"Namespace": "AWS/WAFV2", "MetricName": "BlockedRequests", "Dimensions": dims}, "Period": 60, "Stat": "Sum"}},
                {"Id": "e1", "Expression": "m1 * 2"}
            ],
            "StartTime": start, "EndTime": end, "ScanBy": "TimestampAscending"
        }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(head.contains("content-type: application/x-amz-json-1.0"), "{head}");
    let res = &body["MetricDataResults"][0];
    assert_eq!(res["Id"], "e1");
    let times: Vec<i64> = res["Timestamps"].as_array().unwrap().iter().map(|t| t.as_i64().unwrap()).collect();
    let values: Vec<f64> = res["Values"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert_eq!((times, values), (cbor_times.clone(), cbor_values.clone()));

    // awsQuery: ISO 8601 both ways, `<member>` lists, the CloudWatch namespace.
    let iso = |s: i64| chrono::DateTime::from_timestamp(s, 0).unwrap().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut form = format!(
        "Action=GetMetricData&Version=2010-08-01&StartTime={}&EndTime={}&ScanBy=TimestampAscending\
         &MetricDataQueries.member.1.Id=m1&MetricDataQueries.member.1.ReturnData=false\
         &MetricDataQueries.member.1.MetricStat.Metric.Namespace=AWS%2FWAFV2\
         &MetricDataQueries.member.1.MetricStat.Metric.MetricName=BlockedRequests\
         &MetricDataQueries.member.1.MetricStat.Period=60&MetricDataQueries.member.1.MetricStat.Stat=Sum\
         &MetricDataQueries.member.2.Id=e1&MetricDataQueries.member.2.Expression=m1+*+2",
        iso(start).replace(':', "%3A"),
        iso(end).replace(':', "%3A")
    );
    for (i, (n, v)) in DIMS.iter().enumerate() {
        form.push_str(&format!(
            "&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.{}.Name={n}&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.{}.Value={v}",
            i + 1,
            i + 1
        ));
    }
    let (status, head, xml) = query(&sim, &form).await;
    assert_eq!(status, 200, "{xml}");
    assert!(head.contains("content-type: text/xml"), "{head}");
    assert!(
        xml.starts_with("<GetMetricDataResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><GetMetricDataResult><MetricDataResults><member><Id>e1</Id>"),
        "{xml}"
    );
    let times: Vec<String> =
        all_between(all_between(&xml, "Timestamps")[0], "member").into_iter().map(String::from).collect();
    let values: Vec<f64> =
        all_between(all_between(&xml, "Values")[0], "member").iter().map(|v| v.parse().unwrap()).collect();
    assert_eq!(times, cbor_times.iter().map(|s| iso(*s)).collect::<Vec<_>>());
    assert_eq!(values, cbor_values);
    assert!(xml.contains("<StatusCode>Complete</StatusCode>") && xml.contains("<RequestId>"));
}

#[tokio::test]
async fn list_metrics_and_errors_per_protocol() {
    let sim = sim("default").await;
    let (status, _, body) =
        json(&sim, "ListMetrics", serde_json::json!({"Namespace": "AWS/ApplicationELB", "MetricName": "RequestCount"}))
            .await;
    assert_eq!(status, 200);
    let metrics = body["Metrics"].as_array().unwrap();
    assert!(!metrics.is_empty() && metrics.iter().all(|m| m["MetricName"] == "RequestCount"), "{body}");
    let (status, _, xml) =
        query(&sim, "Action=ListMetrics&Version=2010-08-01&Namespace=AWS%2FApplicationELB&MetricName=RequestCount")
            .await;
    assert_eq!(status, 200);
    assert_eq!(all_between(&xml, "MetricName").len(), metrics.len(), "{xml}");
    assert!(xml.contains("<Dimensions><member><Name>LoadBalancer</Name>"), "{xml}");

    // JSON errors: the modelled shape in __type, the awsQuery code in x-amzn-query-error.
    let (status, head, body) = json(&sim, "ListMetrics", serde_json::json!({"RecentlyActive": "PT1H"})).await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "com.amazonaws.cloudwatch#InvalidParameterValueException");
    assert!(body["message"].as_str().unwrap().contains("RecentlyActive"));
    assert!(head.contains("x-amzn-query-error: invalidparametervalue;sender"), "{head}");
    let (status, _, body) = json(
        &sim,
        "GetMetricData",
        serde_json::json!({"MetricDataQueries": [{"Id": "e", "Expression": "FOO(x)"}], "StartTime": 1, "EndTime": 2}),
    )
    .await;
    assert_eq!((status, body["__type"].as_str()), (400, Some("ValidationError")));

    // XML errors.
    let (status, _, xml) = query(&sim, "Action=ListMetrics&Version=2010-08-01&RecentlyActive=PT1H").await;
    assert_eq!(status, 400);
    assert!(
        xml.starts_with("<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameterValue</Code><Message>"),
        "{xml}"
    );
    let (status, _, xml) = query(&sim, "Action=DeleteAlarms&Version=2010-08-01").await;
    assert_eq!(status, 400);
    assert!(xml.contains("<Code>InvalidAction</Code>"), "{xml}");

    // awsQuery by Version: the other two services still answer, an unknown version is refused.
    let (status, _, xml) = query(&sim, "Action=GetCallerIdentity&Version=2011-06-15").await;
    assert_eq!(status, 200);
    assert!(xml.contains("<Account>123456789012</Account>"), "{xml}");
    let (status, _, xml) = query(&sim, "Action=DescribeLoadBalancers&Version=2015-12-01").await;
    assert_eq!(status, 200);
    assert!(xml.contains("<LoadBalancerName>"), "{xml}");
    let (status, _, xml) = query(&sim, "Action=DescribeLoadBalancers&Version=2012-06-01").await;
    assert_eq!(status, 400);
    assert!(xml.contains("<Code>InvalidParameterValue</Code>") && xml.contains("2012-06-01"), "{xml}");
    let (status, _, xml) = query(&sim, "Action=ListMetrics").await;
    assert_eq!(status, 400);
    assert!(xml.contains("<Code>MissingParameter</Code>"), "{xml}");
}
