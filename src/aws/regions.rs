//! The regions of the AWS partitions, so that a typo (`ap-northeast-11`) is caught before any
//! request: the SDK does not validate region names and a typo becomes a DNS error.

/// Known region names (aws, aws-cn, aws-us-gov, and the European sovereign cloud).
pub const KNOWN: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "cn-north-1",
    "cn-northwest-1",
    "us-gov-east-1",
    "us-gov-west-1",
    "eusc-de-east-1",
];

/// Checks a region name; the error names the closest known ones.
pub fn check(region: &str) -> Result<(), String> {
    if KNOWN.contains(&region) {
        return Ok(());
    }
    let mut near: Vec<(usize, &str)> = KNOWN.iter().map(|k| (distance(region, k), *k)).collect();
    near.sort();
    let suggestions: Vec<&str> = near.iter().take(2).filter(|(d, _)| *d <= 3).map(|(_, k)| *k).collect();
    if suggestions.is_empty() {
        Err(format!("unknown AWS region {region:?}"))
    } else {
        Err(format!("unknown AWS region {region:?}; did you mean {}?", suggestions.join(" or ")))
    }
}

/// Levenshtein distance (short strings only).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_regions_pass_and_typos_get_suggestions() {
        assert!(check("ap-northeast-1").is_ok());
        let e = check("ap-northeast-11").unwrap_err();
        assert!(e.contains("did you mean ap-northeast-1"), "{e}");
        assert!(check("mars-1").unwrap_err().starts_with("unknown AWS region"));
    }
}
