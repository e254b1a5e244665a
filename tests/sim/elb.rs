//! The simulated Elastic Load Balancing v2 (awsQuery) through the real
//! aws-sdk-elasticloadbalancingv2 client: DescribeLoadBalancers with every member the console
//! and other clients read (creation time, hosted zone, zones with their subnets, security
//! groups, address type), the zones the service's tasks run in, and LoadBalancerNotFound.

use aws_sdk_elasticloadbalancingv2::types::{IpAddressType, LoadBalancerSchemeEnum, LoadBalancerStateEnum};
use wpops_fixtures::sim::*;

#[tokio::test]
async fn describe_load_balancers_carries_zones_groups_and_creation() {
    let sim = sim("default").await;
    let cfg = config(&sim).await;
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&cfg);
    let out = elb.describe_load_balancers().names("wordpress-alb").send().await.unwrap();
    let lb = &out.load_balancers()[0];
    let created = lb.created_time().expect("CreatedTime").to_millis().unwrap();
    assert!(created < sim.shared.clock.now_ms() && created > START_MS - 400 * 86_400_000, "{created}");
    assert_eq!(lb.canonical_hosted_zone_id(), Some("Z14GRHDCWA56QT"), "ap-northeast-1's ALB zone");
    assert_eq!(lb.ip_address_type(), Some(&IpAddressType::Ipv4));
    assert_eq!(lb.scheme(), Some(&LoadBalancerSchemeEnum::InternetFacing));
    assert_eq!(lb.state().and_then(|s| s.code()), Some(&LoadBalancerStateEnum::Active));
    let groups = lb.security_groups();
    assert_eq!(groups.len(), 1);
    assert!(groups[0].starts_with("sg-0"), "{groups:?}");
    let zones: Vec<(String, String)> = lb
        .availability_zones()
        .iter()
        .map(|z| (z.zone_name().unwrap().to_string(), z.subnet_id().unwrap().to_string()))
        .collect();
    assert_eq!(
        zones,
        [
            ("ap-northeast-1a".to_string(), "subnet-0a11c0ffee0000001".to_string()),
            ("ap-northeast-1c".to_string(), "subnet-0c33c0ffee0000003".to_string())
        ]
    );
    // The service's tasks run in the load balancer's zones and subnets.
    let ecs = aws_sdk_ecs::Client::new(&cfg);
    let arns = ecs.list_tasks().cluster("wp-prod").service_name("wordpress").send().await.unwrap();
    let tasks =
        ecs.describe_tasks().cluster("wp-prod").set_tasks(Some(arns.task_arns().to_vec())).send().await.unwrap();
    assert!(!tasks.tasks().is_empty());
    for t in tasks.tasks() {
        let subnet = t.attachments()[0]
            .details()
            .iter()
            .find(|d| d.name() == Some("subnetId"))
            .and_then(|d| d.value())
            .unwrap()
            .to_string();
        assert!(zones.contains(&(t.availability_zone().unwrap().to_string(), subnet)), "{t:?}");
    }
    let err = elb.describe_load_balancers().names("nope").send().await.unwrap_err();
    assert!(err.into_service_error().is_load_balancer_not_found_exception());
}
