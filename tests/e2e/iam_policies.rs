//! The IAM policies shipped in `assets/iam/` stay in step with the code: the read-only policy
//! grants exactly the read-only interceptor's allow-list (minus STS, which needs no policy) and
//! nothing that changes a site; the operator policy adds exactly the actions the runners call.

use std::collections::BTreeSet;

fn actions(path: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut out = BTreeSet::new();
    for st in v["Statement"].as_array().unwrap() {
        match &st["Action"] {
            serde_json::Value::String(a) => {
                out.insert(a.clone());
            }
            serde_json::Value::Array(list) => out.extend(list.iter().map(|a| a.as_str().unwrap().to_string())),
            other => panic!("{other}"),
        }
    }
    out
}

#[test]
fn read_only_policy_matches_the_allow_list() {
    let granted: BTreeSet<String> = actions("assets/iam/wpops-readonly.json")
        .into_iter()
        .map(|a| a.split(':').nth(1).unwrap().to_string())
        .collect();
    let allowed: BTreeSet<String> = wpops::aws::readonly::ALLOWED
        .iter()
        .filter(|a| **a != "GetCallerIdentity" && **a != "DescribeClusters")
        .map(|a| a.to_string())
        .collect();
    assert_eq!(granted, allowed);
}

#[test]
fn operator_policy_is_the_read_only_one_plus_the_actions() {
    let read = actions("assets/iam/wpops-readonly.json");
    let op = actions("assets/iam/wpops-operator.json");
    let extra: BTreeSet<&str> = op.difference(&read).map(String::as_str).collect();
    assert_eq!(
        extra,
        ["ecs:RegisterTaskDefinition", "ecs:RunTask", "ecs:StopTask", "ecs:UpdateService", "iam:PassRole"]
            .into_iter()
            .collect()
    );
    assert!(read.is_subset(&op));
}
