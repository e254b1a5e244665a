//! Posture findings (`wpops audit`): how the service is built, checked against the seed's
//! practices and the AWS Security Hub controls or Trivy checks where one exists. The rules are
//! pure functions of what the reader fetched ([`PostureFacts`]): the service's task definition
//! (`task.rs`), its network and web ACL (`edge.rs`), and its images in ECR (`images.rs`). A rule
//! whose data could not be read does not fire; `lacking` says what was missing.

mod edge;
mod images;
mod task;

use serde::{Deserialize, Serialize};

use super::{Finding, Findings};
use crate::model::ecr::{ImageScan, Repository};
use crate::model::ecs::{Service, Task, TaskDefinition};
use crate::model::waf::WebAclConfig;

pub use edge::{REQUIRED_RULE_GROUPS, managed_groups, network, rule_groups_in_count, waf_logging, web_acl_associated};
pub use images::{
    CRITICAL_FINDINGS_ALLOWED, HIGH_FINDINGS_ALLOWED, RunningImage, image_scans, running_images, scan_on_push,
    tag_immutability,
};
pub use task::{
    LOG_DRIVER, WARMER_NOT_FOUND_EXIT, efs_code_read_only, efs_transit_encryption, logging, privileged, readonly_root,
    secrets_in_environment, warmer_command, warmer_wiring,
};

/// Everything the posture rules look at, as the reader fetched it. `None` means "could not be
/// read" (named in `lacking`), never "absent".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostureFacts {
    pub service: Service,
    /// The service's task definition (what its PRIMARY deployment runs).
    pub task_definition: Option<TaskDefinition>,
    /// The service's running tasks: the warmers' exits and the digests actually running.
    pub tasks: Vec<Task>,
    /// The load balancer in front of the service; `None` when it has none.
    pub load_balancer: Option<String>,
    /// The web ACL on that load balancer: `Some(None)` when there is none.
    pub web_acl: Option<Option<WebAclConfig>>,
    /// Whether the web ACL has a logging configuration (GetLoggingConfiguration).
    pub waf_logging: Option<bool>,
    /// The ECR repositories of the task definition's images.
    pub repositories: Option<Vec<Repository>>,
    /// The running images' details and scans.
    pub images: Option<Vec<ImageScan>>,
    /// What could not be read, one line per operation: `ecr:DescribeImages: access denied …`.
    pub lacking: Vec<String>,
}

/// Every posture rule over the facts, worst first.
pub fn posture_findings(f: &PostureFacts) -> Findings {
    let mut out = Findings::default();
    for l in &f.lacking {
        out.lack(l.clone());
    }
    if let Some(td) = &f.task_definition {
        out.extend(readonly_root(td));
        out.extend(efs_code_read_only(td));
        out.extend(efs_transit_encryption(td));
        out.extend(warmer_wiring(td));
        out.extend(warmer_command(td, &f.tasks));
        out.extend(secrets_in_environment(td));
        out.extend(logging(td));
        out.extend(privileged(td));
    }
    out.extend(network(&f.service));
    if let (Some(lb), Some(acl)) = (&f.load_balancer, &f.web_acl) {
        out.extend(web_acl_associated(lb, acl.as_ref()));
        if let Some(acl) = acl {
            out.extend(managed_groups(acl));
            out.extend(rule_groups_in_count(acl));
            if let Some(logged) = f.waf_logging {
                out.extend(waf_logging(acl, logged));
            }
        }
    }
    if let (Some(td), Some(repos)) = (&f.task_definition, &f.repositories) {
        out.extend(scan_on_push(td, repos));
        out.extend(tag_immutability(td, repos));
    }
    if let (Some(td), Some(images)) = (&f.task_definition, &f.images) {
        out.extend(image_scans(td, &f.tasks, images));
    }
    out.sort();
    out
}

/// A container's place in a task definition, as changes name it: `containerDefinitions[php-fpm]`.
fn container_path(name: &str) -> String {
    format!("containerDefinitions[{name}]")
}

/// Joins names for evidence: `nginx, php-fpm`.
fn names<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items.into_iter().collect::<Vec<_>>().join(", ")
}

/// A posture finding about one thing.
fn finding(id: &str, severity: super::Severity, subject: &str, title: impl Into<String>) -> Finding {
    Finding::posture(id, severity, title).subject(subject)
}

#[cfg(test)]
pub(crate) mod fixture;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::findings::Severity;

    #[test]
    fn the_seeds_build_passes_except_its_mutable_tags_and_missing_data_is_named() {
        let f = fixture::facts();
        let all = posture_findings(&f);
        let ids: Vec<&str> = all.items.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["ecr_tag_immutability"], "{all:#?}");
        assert!(!all.fails());
        assert_eq!(all.items[0].severity, Severity::Medium);

        let mut partial = fixture::facts();
        partial.images = None;
        partial.web_acl = None;
        partial.lacking = vec!["ecr:DescribeImages: access denied".into()];
        let some = posture_findings(&partial);
        assert_eq!(some.lacking, ["ecr:DescribeImages: access denied"]);
        assert_eq!(some.items.len(), 1);
    }

    #[test]
    fn findings_come_worst_first() {
        let mut f = fixture::facts();
        f.task_definition.as_mut().unwrap().containers[1].readonly_root = false;
        f.images.as_mut().unwrap()[1].counts.as_mut().unwrap().critical = 3;
        let all = posture_findings(&f);
        let sev: Vec<Severity> = all.items.iter().map(|f| f.severity).collect();
        assert_eq!(sev, [Severity::Critical, Severity::High, Severity::Medium]);
        assert!(all.fails());
    }
}
