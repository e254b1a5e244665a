//! The incident scenario's past through the real SDK clients, each thing at its known time
//! (`sim::history`, `assets/scenarios/incident.toml`): the failed deployment of wordpress:42 at
//! −163 min and its circuit-breaker rollback (ListServiceDeployments, DescribeServiceDeployments,
//! DescribeServiceRevisions, the service events), the EFS episode at −172…−155 and the WAF spike
//! at −75…−65 in GetMetricData and GetSampledRequests. The logs of the past are `history_logs.rs`.

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use wpops_fixtures::sim::*;

const MIN: i64 = 60_000;
const FAILED_AT: i64 = START_MS - 163 * MIN;
const CURRENT_AT: i64 = START_MS - 95 * MIN;
const EFS_SLOW: [i64; 2] = [START_MS - 172 * MIN, START_MS - 155 * MIN];
const WAF_SPIKE: [i64; 2] = [START_MS - 75 * MIN, START_MS - 65 * MIN];

fn ms(t: &aws_sdk_ecs::primitives::DateTime) -> i64 {
    t.to_millis().unwrap()
}

#[tokio::test]
async fn the_failed_deployment_and_its_rollback_are_in_the_deployment_history() {
    let sim = sim("incident").await;
    let ecs = aws_sdk_ecs::Client::new(&config(&sim).await);
    let list = ecs.list_service_deployments().cluster("wp-prod").service("wordpress").send().await.unwrap();
    let statuses: Vec<&str> =
        list.service_deployments().iter().filter_map(|d| d.status()).map(|s| s.as_str()).collect();
    assert_eq!(statuses, ["SUCCESSFUL", "ROLLBACK_SUCCESSFUL", "SUCCESSFUL", "SUCCESSFUL"], "newest first");
    let current = &list.service_deployments()[0];
    assert_eq!(ms(current.created_at().unwrap()), CURRENT_AT, "the current deployment stays 95 min back");
    let failed = &list.service_deployments()[1];
    assert_eq!(ms(failed.created_at().unwrap()), FAILED_AT);
    assert_eq!(ms(failed.started_at().unwrap()), FAILED_AT);
    let finished = ms(failed.finished_at().unwrap());
    assert!(finished > FAILED_AT + 2 * MIN && finished < FAILED_AT + 5 * MIN, "rolled back within minutes");
    assert_eq!(failed.status_reason(), Some("ECS deployment circuit breaker: tasks failed to start."));

    let arns: Vec<String> =
        list.service_deployments().iter().map(|d| d.service_deployment_arn().unwrap().to_string()).collect();
    let described =
        ecs.describe_service_deployments().set_service_deployment_arns(Some(arns.clone())).send().await.unwrap();
    assert!(described.failures().is_empty());
    let d = described.service_deployments().iter().find(|d| d.service_deployment_arn() == Some(&arns[1])).unwrap();
    let rollback = d.rollback().expect("rollback info");
    let rolled_back_at = ms(rollback.started_at().unwrap());
    assert!(rolled_back_at > FAILED_AT + 2 * MIN && rolled_back_at < finished);
    assert!(rollback.reason().unwrap().starts_with("ECS deployment circuit breaker"));
    let breaker = d.deployment_circuit_breaker().unwrap();
    assert_eq!(breaker.status().map(|s| s.as_str()), Some("TRIGGERED"));
    assert!(breaker.failure_count() >= breaker.threshold() && breaker.threshold() == 3);
    let source = d.source_service_revisions()[0].arn().unwrap().to_string();
    assert_eq!(rollback.service_revision_arn(), Some(source.as_str()), "rolled back to where it came from");
    let target = d.target_service_revision().unwrap();
    assert_eq!(target.running_task_count(), 0, "nothing runs the failed attempt's revision");

    // Every revision any deployment names is described: wordpress:41 rolled back to, and 42 twice.
    let mut revisions: Vec<String> = Vec::new();
    for d in described.service_deployments() {
        let named = d.source_service_revisions().iter().filter_map(|r| r.arn());
        let named = named.chain(d.target_service_revision().and_then(|r| r.arn()));
        let named = named.chain(d.rollback().and_then(|r| r.service_revision_arn()));
        revisions.extend(named.map(str::to_string).filter(|a| !a.is_empty()));
    }
    revisions.sort();
    revisions.dedup();
    let out = ecs.describe_service_revisions().set_service_revision_arns(Some(revisions.clone())).send().await.unwrap();
    assert!(out.failures().is_empty(), "{:?}", out.failures());
    assert_eq!(out.service_revisions().len(), revisions.len());
    let td_of = |arn: &str| {
        let r = out.service_revisions().iter().find(|r| r.service_revision_arn() == Some(arn)).unwrap();
        r.task_definition().unwrap().rsplit('/').next().unwrap().to_string()
    };
    assert_eq!(td_of(target.arn().unwrap()), "wordpress:42");
    assert_eq!(td_of(&source), "wordpress:41");
    let current = described.service_deployments().iter().find(|d| d.service_deployment_arn() == Some(&arns[0]));
    let current_target = current.unwrap().target_service_revision().unwrap();
    assert_eq!(td_of(current_target.arn().unwrap()), "wordpress:42");
    assert_ne!(current_target.arn(), target.arn(), "two deployments of wordpress:42, two revisions");
    assert_eq!(current_target.running_task_count(), 3);
    assert_eq!(current_target.requested_task_count(), 3);
}

#[tokio::test]
async fn the_service_events_tell_the_failure_and_the_rollback_in_order() {
    let sim = sim("incident").await;
    let ecs = aws_sdk_ecs::Client::new(&config(&sim).await);
    let s = ecs.describe_services().cluster("wp-prod").services("wordpress").send().await.unwrap();
    let svc = &s.services()[0];
    assert_eq!(svc.deployments().len(), 1, "the current deployment is the only one");
    assert_eq!(ms(svc.deployments()[0].created_at().unwrap()), CURRENT_AT);
    let events: Vec<(i64, &str)> = svc
        .events()
        .iter()
        .map(|e| (ms(e.created_at().unwrap()), e.message().unwrap()))
        .filter(|(at, _)| (FAILED_AT..FAILED_AT + 6 * MIN).contains(at))
        .rev()
        .collect();
    let find = |text: &str| events.iter().position(|(_, m)| m.contains(text)).unwrap_or_else(|| panic!("{text}"));
    let started = find("has started 3 tasks");
    assert_eq!(events.iter().filter(|(_, m)| m.contains("registered 1 targets")).count(), 6, "3 in, 3 out");
    let unhealthy = find("is unhealthy in (target-group");
    assert_eq!(events.iter().filter(|(_, m)| m.contains("due to (reason Health checks failed)")).count(), 3);
    let failed = find("deployment failed: tasks failed to start.");
    let rolling = find("rolling back to deployment ecs-svc/");
    let completed = find("deployment completed.");
    let steady = find("has reached a steady state.");
    assert!(started < unhealthy && unhealthy < failed && failed < rolling && rolling < completed && completed < steady);
    let (at, _) = events[failed];
    assert!(at > FAILED_AT + 2 * MIN && at < FAILED_AT + 4 * MIN, "the breaker trips about 2.5 min in");
    // The rollback goes to the deployment that completed before (wordpress:41's), which then
    // completes again; the failed one is another.
    let back_to = events[rolling].1.trim_end_matches('.').rsplit(' ').next().unwrap();
    assert!(events[completed].1.contains(&format!("({back_to}) deployment completed.")), "{:?}", events[completed]);
    assert!(!events[failed].1.contains(back_to));
    // The past's events sit among the others in time order, as ECS keeps them.
    let all: Vec<i64> = svc.events().iter().map(|e| ms(e.created_at().unwrap())).collect();
    assert!(all.windows(2).all(|w| w[0] >= w[1]), "newest first");
}

fn metric(namespace: &str, name: &str, dims: &[(&str, &str)]) -> Metric {
    let dims = dims.iter().map(|(n, v)| Dimension::builder().name(*n).value(*v).build()).collect();
    Metric::builder().namespace(namespace).metric_name(name).set_dimensions(Some(dims)).build()
}

/// Per-minute points of `queries` over the last three hours, oldest first, by query id.
async fn minutes(sim: &wpops::sim::SimHandle, queries: Vec<(&str, Metric, &str)>) -> Vec<(String, Vec<(i64, f64)>)> {
    let cw = aws_sdk_cloudwatch::Client::new(&config(sim).await);
    let qs = queries
        .into_iter()
        .map(|(id, m, stat)| {
            let stat = MetricStat::builder().metric(m).period(60).stat(stat).build();
            MetricDataQuery::builder().id(id).metric_stat(stat).build()
        })
        .collect();
    let out = cw
        .get_metric_data()
        .set_metric_data_queries(Some(qs))
        .start_time(DateTime::from_millis(START_MS - 180 * MIN))
        .end_time(DateTime::from_millis(START_MS))
        .send()
        .await
        .unwrap();
    out.metric_data_results()
        .iter()
        .map(|r| {
            let ts = r.timestamps().iter().map(|t| t.to_millis().unwrap());
            let mut points: Vec<(i64, f64)> = ts.zip(r.values().iter().copied()).collect();
            points.sort_by_key(|p| p.0);
            (r.id().unwrap().to_string(), points)
        })
        .collect()
}

fn within(points: &[(i64, f64)], [from, to]: [i64; 2]) -> Vec<f64> {
    points.iter().filter(|(t, _)| *t >= from && *t < to).map(|(_, v)| *v).collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

#[tokio::test]
async fn get_metric_data_shows_the_efs_episode_and_the_waf_spike_in_their_stretches() {
    let sim = sim("incident").await;
    let lb = {
        let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config(&sim).await);
        let lbs = elb.describe_load_balancers().send().await.unwrap();
        let arn = lbs.load_balancers()[0].load_balancer_arn().unwrap().to_string();
        arn.split_once(":loadbalancer/").unwrap().1.to_string()
    };
    let fs = [("FileSystemId", "fs-0a1b2c3d4e5f60718")];
    let waf = |rule: &'static str| [("WebACL", "wordpress-waf"), ("Region", REGION), ("Rule", rule)];
    let got = minutes(
        &sim,
        vec![
            ("io", metric("AWS/EFS", "PercentIOLimit", &fs), "Maximum"),
            ("credits", metric("AWS/EFS", "BurstCreditBalance", &fs), "Minimum"),
            ("rt", metric("AWS/ApplicationELB", "TargetResponseTime", &[("LoadBalancer", &lb)]), "Average"),
            ("wp", metric("AWS/WAFV2", "BlockedRequests", &waf("AWS-AWSManagedRulesWordPressRuleSet")), "Sum"),
            ("sqli", metric("AWS/WAFV2", "BlockedRequests", &waf("AWS-AWSManagedRulesSQLiRuleSet")), "Sum"),
            ("php", metric("AWS/WAFV2", "BlockedRequests", &waf("AWS-AWSManagedRulesPHPRuleSet")), "Sum"),
        ],
    )
    .await;
    let get = |id: &str| got.iter().find(|(i, _)| i == id).map(|(_, p)| p.clone()).unwrap();
    let before = [START_MS - 180 * MIN, EFS_SLOW[0]];
    let after = [EFS_SLOW[1], START_MS - 95 * MIN];
    let (io, credits, rt) = (get("io"), get("credits"), get("rt"));
    let slow_io = within(&io, EFS_SLOW);
    assert_eq!(slow_io.len(), 17, "one point a minute");
    assert!(slow_io.iter().all(|v| *v >= 96.0), "at its I/O limit: {slow_io:?}");
    assert!(within(&io, before).iter().all(|v| *v < 20.0));
    assert_eq!(within(&io, before).len(), 8);
    assert!(within(&io, [EFS_SLOW[1], START_MS - 25 * MIN]).iter().all(|v| *v < 20.0), "and then not");
    let c = within(&credits, [EFS_SLOW[0] - MIN, EFS_SLOW[1]]);
    assert!(c.windows(2).all(|w| w[1] < w[0]), "the credits fall minute by minute: {c:?}");
    assert!(c[c.len() - 1] < c[0] * 0.7);
    let (slow_rt, after_rt) = (mean(&within(&rt, EFS_SLOW)), mean(&within(&rt, after)));
    assert!(slow_rt > 1.0 && after_rt < 0.2, "responses slow while EFS is at its limit: {slow_rt} vs {after_rt}");

    let hour_before = [WAF_SPIKE[0] - 60 * MIN, WAF_SPIKE[0]];
    for (id, at_least) in [("wp", 400.0), ("sqli", 200.0)] {
        let points = get(id);
        let spike = within(&points, WAF_SPIKE);
        let usual = within(&points, hour_before).into_iter().fold(0.0, f64::max);
        assert_eq!(spike.len(), 10, "{id}");
        assert!(spike.iter().all(|v| *v > at_least && *v > 3.0 * usual), "{id}: {spike:?} against {usual}");
        assert!(within(&points, [WAF_SPIKE[1], WAF_SPIKE[1] + 10 * MIN]).iter().all(|v| *v < at_least));
    }
    let php = get("php");
    assert!(mean(&within(&php, WAF_SPIKE)) < 2.0 * mean(&within(&php, hour_before)).max(1.0), "PHP is not in it");
}

#[tokio::test]
async fn get_sampled_requests_samples_the_spike_in_its_time_range() {
    use aws_sdk_wafv2::types::{Scope, TimeWindow};
    let sim = sim("incident").await;
    let waf = aws_sdk_wafv2::Client::new(&config(&sim).await);
    let acls = waf.list_web_acls().scope(Scope::Regional).send().await.unwrap();
    let acl = acls.web_acls()[0].arn().unwrap().to_string();
    let sample = async |rule: &str, from: i64| {
        let window = TimeWindow::builder()
            .start_time(aws_sdk_wafv2::primitives::DateTime::from_millis(from))
            .end_time(aws_sdk_wafv2::primitives::DateTime::from_millis(from + 2 * MIN))
            .build()
            .unwrap();
        let req = waf.get_sampled_requests().web_acl_arn(&acl).rule_metric_name(rule).scope(Scope::Regional);
        req.time_window(window).max_items(500).send().await.unwrap()
    };
    let wp = "AWS-AWSManagedRulesWordPressRuleSet";
    let spike = sample(wp, WAF_SPIKE[0] + 4 * MIN).await;
    let quiet = sample(wp, WAF_SPIKE[0] - 30 * MIN).await;
    assert!(spike.population_size() > 1_000, "{}", spike.population_size());
    assert!(
        spike.population_size() > 5 * quiet.population_size(),
        "{} vs {}",
        spike.population_size(),
        quiet.population_size()
    );
    let samples = spike.sampled_requests();
    assert!(!samples.is_empty() && samples.iter().all(|s| s.action() == Some("BLOCK")));
    let xmlrpc = samples.iter().filter(|s| s.request().and_then(|r| r.uri()) == Some("/xmlrpc.php")).count();
    assert!(xmlrpc * 2 > samples.len(), "mostly XML-RPC: {xmlrpc} of {}", samples.len());
    assert!(samples.iter().any(|s| s.request().and_then(|r| r.client_ip()) == Some("203.0.113.45")));
    let sqli = sample("AWS-AWSManagedRulesSQLiRuleSet", WAF_SPIKE[0] + 4 * MIN).await;
    let rules: Vec<&str> = sqli.sampled_requests().iter().filter_map(|s| s.rule_name_within_rule_group()).collect();
    assert!(rules.contains(&"SQLi_QUERYARGUMENTS"), "{rules:?}");
    assert!(sqli.population_size() > 500);
}
