//! Read-only mode, enforced at the request layer: an SDK interceptor, attached to every client
//! when the site is read-only, that lets only an allow-list of read operations through. Any
//! other operation (UpdateService, RunTask, StopTask, RegisterTaskDefinition, PutLogEvents…)
//! fails before it is signed or sent.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// The operations wpops may call in read-only mode (name as the SDK's operation metadata).
pub const ALLOWED: &[&str] = &[
    // ECS
    "ListClusters",
    "DescribeClusters",
    "ListServices",
    "DescribeServices",
    "ListTasks",
    "DescribeTasks",
    "DescribeTaskDefinition",
    "ListTaskDefinitions",
    "ListServiceDeployments",
    "DescribeServiceDeployments",
    "DescribeServiceRevisions",
    // CloudWatch Logs
    "FilterLogEvents",
    "GetLogEvents",
    "StartLiveTail",
    "DescribeLogGroups",
    "DescribeLogStreams",
    // WAFv2
    "ListWebACLs",
    "GetWebACL",
    "GetWebACLForResource",
    "GetSampledRequests",
    "GetLoggingConfiguration",
    // CloudWatch
    "GetMetricData",
    "ListMetrics",
    // ELBv2
    "DescribeLoadBalancers",
    "DescribeTargetGroups",
    "DescribeTargetHealth",
    // ECR
    "DescribeRepositories",
    "DescribeImages",
    "DescribeImageScanFindings",
    // STS
    "GetCallerIdentity",
];

/// The text of the refusal; `error::from_sdk` recognises it.
pub const REFUSAL: &str = "refused in read-only mode";

/// Whether an operation may be sent in read-only mode.
pub fn allowed(operation: &str) -> bool {
    ALLOWED.contains(&operation)
}

/// The interceptor.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOnly;

impl Intercept for ReadOnly {
    fn name(&self) -> &'static str {
        "wpops-read-only"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        match cfg.load::<Metadata>() {
            Some(m) if allowed(m.name()) => Ok(()),
            Some(m) => Err(format!("{}:{} {REFUSAL}", m.service(), m.name()).into()),
            None => Err(format!("an unidentified operation {REFUSAL}").into()),
        }
    }
}
