//! Elastic Load Balancing state of the simulated world: application load balancers and target
//! groups. Target health itself is derived from the tasks (`ecs::TargetState`); this file holds
//! only what does not change.

/// An application load balancer.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadBalancer {
    pub name: String,
    pub arn: String,
    pub dns_name: String,
    pub created_ms: i64,
}

impl LoadBalancer {
    /// The CloudWatch `LoadBalancer` dimension: `app/<name>/<id>`.
    pub fn dimension(&self) -> String {
        self.arn.split_once(":loadbalancer/").map(|(_, d)| d.to_string()).unwrap_or_default()
    }
}

/// A target group of IP targets.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetGroup {
    pub name: String,
    pub arn: String,
    pub load_balancer_arn: String,
    pub port: i32,
    pub health_check_path: String,
    /// Cluster and service whose tasks are its targets.
    pub cluster: String,
    pub service: String,
}

impl TargetGroup {
    /// The CloudWatch `TargetGroup` dimension: `targetgroup/<name>/<id>`.
    pub fn dimension(&self) -> String {
        self.arn.split_once(":targetgroup/").map(|(_, d)| format!("targetgroup/{d}")).unwrap_or_default()
    }
}

/// All load balancers and target groups of one account and region.
#[derive(Debug, Clone, Default)]
pub struct ElbWorld {
    pub load_balancers: Vec<LoadBalancer>,
    pub target_groups: Vec<TargetGroup>,
}
