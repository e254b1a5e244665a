//! Elastic Load Balancing state of the simulated world: application load balancers and target
//! groups. Target health itself is derived from the tasks (`ecs::TargetState`); this file holds
//! only what does not change.

/// The zones (suffix of the region) and public subnets of the simulated VPC: the load balancer
/// spans them and tasks are placed in them.
pub const ZONE_SUBNETS: [(&str, &str, u8); 2] =
    [("a", "subnet-0a11c0ffee0000001", 1), ("c", "subnet-0c33c0ffee0000003", 3)];

/// An application load balancer.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadBalancer {
    pub name: String,
    pub arn: String,
    pub dns_name: String,
    pub created_ms: i64,
    /// (zone name, subnet id) it has a node in.
    pub zones: Vec<(String, String)>,
    pub security_groups: Vec<String>,
}

/// The Route 53 hosted zone of application load balancers' DNS names in a region
/// (Elastic Load Balancing endpoints table); regions not listed get us-east-1's.
pub fn canonical_hosted_zone(region: &str) -> &'static str {
    match region {
        "ap-northeast-1" => "Z14GRHDCWA56QT",
        "ap-northeast-2" => "ZWKZPGTI48KDX",
        "ap-southeast-1" => "Z1LMS91P8CMLE5",
        "ap-southeast-2" => "Z1GM3OXH4ZPM65",
        "eu-central-1" => "Z215JYRZR1TBD5",
        "eu-west-1" => "Z32O12XQLNTSW2",
        "eu-west-2" => "ZHURV8PSTC4K8",
        "us-east-2" => "Z3AADJGX6KTTL2",
        "us-west-1" => "Z368ELLRRE2KJ0",
        "us-west-2" => "Z1H1FL5HABSF5",
        _ => "Z35SXDOTRQ7X7K",
    }
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
