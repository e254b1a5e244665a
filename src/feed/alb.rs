//! The load balancer's 5xx: what it answered itself (`HTTPCode_ELB_5XX_Count`, never reached
//! nginx) and what the targets answered (`HTTPCode_Target_5XX_Count`), over a window. The
//! queries are built here once for `wpops status` and the fleet (which batches every site of
//! one account into one GetMetricData call).

use std::collections::HashMap;

use crate::aws::metrics::{self, MetricQuery};
use crate::aws::{AwsError, Clients, elb};
use crate::model::Series;

use super::now_ms;

/// 5xx answered by the load balancer itself and by the targets, over the window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Alb5xx {
    pub window_ms: i64,
    pub elb: u64,
    pub target: u64,
}

/// The two 5xx queries of one load balancer (ids `{prefix}elb5`, `{prefix}tgt5`).
pub fn alb_queries(lb_dimension: &str, prefix: &str) -> Vec<MetricQuery> {
    let d = [("LoadBalancer", lb_dimension)];
    vec![
        MetricQuery::new(&format!("{prefix}elb5"), "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", &d, "Sum", 60),
        MetricQuery::new(&format!("{prefix}tgt5"), "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", &d, "Sum", 60),
    ]
}

/// Sums the series of [`alb_queries`].
pub fn alb_from(series: &HashMap<String, Series>, prefix: &str, window_ms: i64) -> Alb5xx {
    let sum = |id: String| series.get(&id).map_or(0.0, |s| s.points.iter().map(|(_, v)| v.max(0.0)).sum::<f64>());
    Alb5xx {
        window_ms,
        elb: sum(format!("{prefix}elb5")).round() as u64,
        target: sum(format!("{prefix}tgt5")).round() as u64,
    }
}

/// The 5xx of a load balancer (its ARN) over the last `window_ms`.
pub async fn alb_5xx(c: &Clients, lb_arn: &str, window_ms: i64) -> Result<Alb5xx, AwsError> {
    let Some(dim) = elb::load_balancer_dimension(lb_arn) else { return Ok(Alb5xx::default()) };
    let now = now_ms();
    let start = (now - window_ms).div_euclid(60_000) * 60_000;
    let series = metrics::get_series(c, &alb_queries(&dim, ""), start, now).await?;
    Ok(alb_from(&series, "", window_ms))
}
