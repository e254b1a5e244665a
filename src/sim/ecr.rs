//! ECR state of the simulated world: the repositories of the seed's images with their scan-on-
//! push and tag-mutability settings, and the images pushed into them. A revision's images are
//! pushed when it is registered (as a pipeline does before RegisterTaskDefinition): a tag moves
//! to the newest digest (the sim moves it even in an immutable repository, where a real push of
//! a taken tag would fail), and a repository that scans on push has the scenario's findings for
//! that container's image. No wire protocol here (`api/ecr.rs`).

use std::collections::BTreeMap;

use crate::model::EcrImage;

/// One pushed image.
#[derive(Debug, Clone, PartialEq)]
pub struct PushedImage {
    pub digest: String,
    pub tags: Vec<String>,
    pub pushed_at_ms: i64,
    pub size_bytes: i64,
    /// [critical, high, medium, low] of its scan; `None` when it was never scanned.
    pub findings: Option<[u32; 4]>,
}

/// A repository.
#[derive(Debug, Clone, PartialEq)]
pub struct Repo {
    pub name: String,
    pub arn: String,
    pub uri: String,
    pub created_at_ms: i64,
    pub scan_on_push: bool,
    pub immutable: bool,
    /// Oldest first.
    pub images: Vec<PushedImage>,
}

/// The account and region's private registry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EcrWorld {
    pub repos: Vec<Repo>,
    /// Scan findings of images pushed for a container (by container name).
    pub findings: BTreeMap<String, [u32; 4]>,
}

impl EcrWorld {
    pub fn repo(&self, name: &str) -> Option<&Repo> {
        self.repos.iter().find(|r| r.name == name)
    }

    /// Adds a repository unless it exists.
    pub fn add_repo(
        &mut self,
        account: &str,
        region: &str,
        name: &str,
        scan_on_push: bool,
        immutable: bool,
        at_ms: i64,
    ) {
        if self.repo(name).is_some() {
            return;
        }
        self.repos.push(Repo {
            name: name.into(),
            arn: format!("arn:aws:ecr:{region}:{account}:repository/{name}"),
            uri: format!("{account}.dkr.ecr.{region}.amazonaws.com/{name}"),
            created_at_ms: at_ms,
            scan_on_push,
            immutable,
            images: Vec::new(),
        });
    }

    /// `image` (as a task definition names it) was pushed as `digest` for `container`: when it
    /// is in this registry, the digest joins its repository under the image's tag.
    pub fn pushed(&mut self, account: &str, region: &str, image: &str, container: &str, digest: &str, at_ms: i64) {
        let Some(i) = EcrImage::parse(image) else { return };
        if i.registry != account || i.region != region {
            return;
        }
        let findings = self.findings.get(container).copied().unwrap_or([0, 0, 2, 7]);
        let Some(repo) = self.repos.iter_mut().find(|r| r.name == i.repository) else { return };
        let tag = if i.digest.is_some() { None } else { i.tag.clone() };
        if let Some(t) = &tag {
            for other in &mut repo.images {
                other.tags.retain(|x| x != t);
            }
        }
        if let Some(existing) = repo.images.iter_mut().find(|x| x.digest == digest) {
            existing.tags.extend(tag);
            return;
        }
        let size = 40_000_000 + (digest.bytes().map(i64::from).sum::<i64>() % 90) * 1_000_000;
        repo.images.push(PushedImage {
            digest: digest.into(),
            tags: tag.into_iter().collect(),
            pushed_at_ms: at_ms,
            size_bytes: size,
            findings: repo.scan_on_push.then_some(findings),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_push_moves_the_tag_and_scans_when_the_repository_does() {
        let mut e = EcrWorld::default();
        e.findings.insert("php-fpm".into(), [2, 7, 1, 0]);
        e.add_repo("123456789012", "ap-northeast-1", "wordpress", true, false, 0);
        e.add_repo("123456789012", "ap-northeast-1", "warmer", false, true, 0);
        let img = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/wordpress:php-latest";
        e.pushed("123456789012", "ap-northeast-1", img, "php-fpm", "sha256:a", 1);
        e.pushed("123456789012", "ap-northeast-1", img, "php-fpm", "sha256:b", 2);
        let r = e.repo("wordpress").unwrap();
        assert_eq!(r.images.len(), 2);
        assert!(r.images[0].tags.is_empty() && r.images[1].tags == ["php-latest"]);
        assert_eq!(r.images[1].findings, Some([2, 7, 1, 0]));
        e.pushed(
            "123456789012",
            "ap-northeast-1",
            "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/warmer:1",
            "warmer",
            "sha256:c",
            3,
        );
        assert_eq!(e.repo("warmer").unwrap().images[0].findings, None);
        // Another registry's image is not this registry's business.
        e.pushed("123456789012", "ap-northeast-1", "nginx:alpine", "nginx", "sha256:d", 4);
        assert_eq!(e.repos.iter().map(|r| r.images.len()).sum::<usize>(), 3);
    }
}
