//! What `wpops audit` reads through the one reader: the service at `Depth::AUDIT` (running
//! tasks, task definitions, load balancer), then the web ACL's configuration and logging, and
//! the ECR repositories, images and scan findings of the images the service runs — into
//! `model::findings::posture::PostureFacts`. A part that cannot be read is named in `lacking`
//! (its rules do not fire); a throttled or unreachable part fails the read (asking again may
//! answer it). No verdicts here: the rules are `model`'s.

use std::collections::BTreeMap;

use futures_util::future::join_all;

use super::{Depth, ServiceReader};
use crate::aws::ecr::{self, ImageWanted};
use crate::aws::{AwsError, waf};
use crate::model::findings::posture::{PostureFacts, running_images};
use crate::model::{ImageScan, Repository, TaskDefinition, WebAclConfig};

impl ServiceReader {
    /// Everything the posture rules look at for one service.
    pub async fn posture(&self, cluster: &str, service: &str) -> Result<PostureFacts, AwsError> {
        let reading = self.read(cluster, service, Depth::AUDIT).await?;
        let snapshot = reading.snapshot;
        let td = snapshot.task_definitions.iter().find(|t| t.arn == snapshot.service.task_definition).cloned();
        let tasks: Vec<_> = snapshot.tasks.into_iter().filter(|t| t.is_running()).collect();
        let mut failed: Vec<AwsError> = reading.edge_error.into_iter().collect();

        let edge = async {
            let Some(lb) = &reading.load_balancer else { return (None, None) };
            self.gate().await;
            let acl = waf::web_acl_config_for_resource(self.clients(), lb).await;
            let logging = match &acl {
                Ok(Some(a)) => {
                    self.gate().await;
                    Some(waf::logging_enabled(self.clients(), &a.arn).await)
                }
                _ => None,
            };
            (Some(acl), logging)
        };
        let images = async {
            match &td {
                Some(td) => Some(self.images(td, &tasks).await),
                None => None,
            }
        };
        let ((acl, logging), images) = tokio::join!(edge, images);

        let web_acl: Option<Option<WebAclConfig>> = match acl {
            None => None,
            Some(Ok(a)) => Some(a),
            Some(Err(e)) => {
                failed.push(e);
                None
            }
        };
        let waf_logging = match logging {
            Some(Ok(l)) => Some(l),
            Some(Err(e)) => {
                failed.push(e);
                None
            }
            None => None,
        };
        let (repositories, images) = match images {
            Some((repos, imgs, errors)) => {
                failed.extend(errors);
                (repos, imgs)
            }
            None => (None, None),
        };
        if let Some(e) = failed.iter().find(|e| e.is_transient()) {
            return Err(e.clone());
        }
        let mut lacking: Vec<String> = failed.iter().map(|e| e.to_string()).collect();
        if td.is_none() {
            lacking.push(format!("ecs:DescribeTaskDefinition: {} was not read", snapshot.service.task_definition));
        }
        Ok(PostureFacts {
            service: snapshot.service,
            task_definition: td,
            tasks,
            load_balancer: reading.load_balancer,
            web_acl,
            waf_logging,
            repositories,
            images,
            lacking,
        })
    }

    /// The repositories, images and scans of a task definition's ECR images. Images in another
    /// region than the clients' are named as not read.
    async fn images(
        &self,
        td: &TaskDefinition,
        tasks: &[crate::model::Task],
    ) -> (Option<Vec<Repository>>, Option<Vec<ImageScan>>, Vec<AwsError>) {
        let region = &self.clients().region;
        let mut errors = Vec::new();
        // (registry, repository) → what to describe in it.
        let mut wanted: BTreeMap<(String, String), Vec<ImageWanted>> = BTreeMap::new();
        let mut judged: Vec<(String, String, String)> = Vec::new();
        for ri in running_images(td, tasks) {
            if &ri.image.region != region {
                errors.push(AwsError::new(
                    crate::aws::AwsErrorKind::Other,
                    "ecr:DescribeImages",
                    format!("{} is in {}, not {region}: not read", ri.image.short(), ri.image.region),
                ));
                continue;
            }
            let key = (ri.image.registry.clone(), ri.image.repository.clone());
            let list = wanted.entry(key).or_default();
            for d in &ri.digests {
                let w = ImageWanted::Digest(d.clone());
                if !list.contains(&w) {
                    list.push(w);
                }
                judged.push((ri.image.registry.clone(), ri.image.repository.clone(), d.clone()));
            }
            if let Some(t) = &ri.image.tag {
                let w = ImageWanted::Tag(t.clone());
                if !list.contains(&w) {
                    list.push(w);
                }
            }
        }
        if wanted.is_empty() {
            return (Some(Vec::new()), Some(Vec::new()), errors);
        }
        let mut by_registry: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (registry, repo) in wanted.keys() {
            by_registry.entry(registry.as_str()).or_default().push(repo.clone());
        }
        let repos = join_all(by_registry.iter().map(|(registry, names)| async move {
            self.gate().await;
            ecr::repositories(self.clients(), registry, names).await
        }));
        let described = join_all(wanted.iter().map(|((registry, repo), ids)| async move {
            self.gate().await;
            ecr::images(self.clients(), registry, repo, ids).await
        }));
        let (repos, described) = tokio::join!(repos, described);
        let mut repositories = Some(Vec::new());
        for r in repos {
            match r {
                Ok(found) => {
                    if let Some(all) = repositories.as_mut() {
                        all.extend(found);
                    }
                }
                Err(e) => {
                    errors.push(e);
                    repositories = None;
                }
            }
        }
        let mut images: Option<Vec<ImageScan>> = Some(Vec::new());
        for d in described {
            match d {
                Ok(found) => {
                    if let Some(all) = images.as_mut() {
                        all.extend(found);
                    }
                }
                Err(e) => {
                    errors.push(e);
                    images = None;
                }
            }
        }
        // The digests the rules judge: those running, else what each tag points to now.
        if let Some(all) = &images {
            for i in all {
                if !judged.iter().any(|(_, r, d)| *r == i.repository && *d == i.digest)
                    && !tasks_run(&judged, &i.repository)
                {
                    let registry = wanted.keys().find(|(_, r)| *r == i.repository).map(|(g, _)| g.clone());
                    judged.push((registry.unwrap_or_default(), i.repository.clone(), i.digest.clone()));
                }
            }
        }
        let scans = join_all(judged.iter().map(|(registry, repo, digest)| async move {
            self.gate().await;
            (repo, digest, ecr::scan_findings(self.clients(), registry, repo, digest).await)
        }))
        .await;
        if let Some(all) = images.as_mut() {
            for (repo, digest, scan) in scans {
                match scan {
                    Ok(s) => {
                        if let Some(i) = all.iter_mut().find(|i| &i.repository == repo && &i.digest == digest) {
                            i.scan_status = s.status;
                            i.counts = s.counts;
                            i.scan_completed_at_ms = s.completed_at_ms.or(i.scan_completed_at_ms);
                        }
                    }
                    Err(e) if e.kind == crate::aws::AwsErrorKind::NotFound => {}
                    Err(e) => {
                        errors.push(e);
                        images = None;
                        break;
                    }
                }
            }
        }
        (repositories, images, errors)
    }
}

/// Whether some running digest of `repository` is judged already (then its tag is not).
fn tasks_run(judged: &[(String, String, String)], repository: &str) -> bool {
    judged.iter().any(|(_, r, _)| r == repository)
}
