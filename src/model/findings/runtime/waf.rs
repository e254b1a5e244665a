//! Runtime rules over the WAF picture: a rule group's spike, and body rules blocking the site's
//! own administrators.

use super::*;

/// A rule group blocking far more in the last minutes than its own median over the window.
pub fn waf_spikes(w: &WafSnapshot) -> Vec<Finding> {
    if w.blocked_unknown {
        return Vec::new();
    }
    let mut out = Vec::new();
    for g in &w.groups {
        let n = g.series.len();
        if n < WAF_SPIKE_RECENT_MIN * 4 {
            continue;
        }
        let recent: u64 = g.series[n - WAF_SPIKE_RECENT_MIN..].iter().sum();
        let spans: Vec<f64> = g.series[..n - WAF_SPIKE_RECENT_MIN]
            .chunks(WAF_SPIKE_RECENT_MIN)
            .map(|c| c.iter().sum::<u64>() as f64)
            .collect();
        let baseline = median(spans).unwrap_or(0.0);
        if recent < WAF_SPIKE_MIN || (recent as f64) < baseline.max(1.0) * WAF_SPIKE_FACTOR {
            continue;
        }
        out.push(
            Finding::runtime(
                "waf_spike",
                Severity::Medium,
                format!("WAF {} blocks {:.0}× the usual", g.label, recent as f64 / baseline.max(1.0)),
            )
            .subject(g.name.clone())
            .evidence(format!(
                "{} blocked {} in the last {WAF_SPIKE_RECENT_MIN} min against a median of {baseline:.0} per {WAF_SPIKE_RECENT_MIN} min",
                g.name,
                thousands(recent)
            ))
            .change("see the WAF screen (w) for the top URIs and client IPs; block a persistent source with an IP set"),
        );
    }
    out
}

/// Paths the site's own administrators use.
const ADMIN_PATHS: [&str; 4] = ["/wp-admin/", "admin-ajax.php", "async-upload.php", "/wp-json"];
/// Rules that look at a request's body: the usual false positives on WordPress's admin.
const BODY_RULES: [&str; 3] = ["SizeRestrictions_BODY", "CrossSiteScripting_BODY", "GenericRFI_BODY"];

/// The WAF blocking the site's own administrators by body rules: a probable false positive.
pub fn waf_admin_blocks(w: &WafSnapshot) -> Vec<Finding> {
    let mut hits: Vec<(&str, &str, u64)> = Vec::new();
    for s in w.samples.iter().filter(|s| s.is_blocked()) {
        let admin = ADMIN_PATHS.iter().find(|p| s.uri.contains(*p));
        let rule = BODY_RULES.iter().find(|r| s.rule.contains(*r));
        if let (Some(p), Some(r)) = (admin, rule) {
            match hits.iter_mut().find(|(hp, hr, _)| hp == p && hr == r) {
                Some(h) => h.2 += s.weight.max(1),
                None => hits.push((p, r, s.weight.max(1))),
            }
        }
    }
    hits.into_iter()
        .map(|(path, rule, n)| {
            Finding::runtime(
                "waf_admin_blocked",
                Severity::Medium,
                format!("WAF blocks admin requests on {path} ({rule})"),
            )
            .subject(format!("{rule} {path}"))
            .evidence(format!("{} sampled requests to {path} blocked by {rule}", thousands(n)))
            .change(format!(
                "probably a false positive: override {rule} to Count in its rule group and add a rule that blocks \
                     its label except for URIs starting with {path}"
            ))
        })
        .collect()
}
