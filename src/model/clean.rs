//! `SanitizeText`: one call that passes every outside string of a domain value through
//! `sanitize_line`, so `aws/` and `sim/` can honour QUALITY.md item 1 ("sanitised once, where
//! they enter") without listing fields. It must not change anything but text.

use super::ecs::{Container, ContainerDef, Deployment, Service, ServiceEvent, Task, TaskDefinition};
use super::logline::ContainerRole;
use super::sanitize::sanitize_line;
use super::scan::is_printable_ascii;
use super::targets::TargetHealth;
use super::waf::{RuleGroupStats, SampledRequest, WafSnapshot};

/// Sanitises every string a value holds, in place (idempotent; already clean text is untouched).
pub trait SanitizeText {
    fn sanitize_text(&mut self);
}

/// The id types hold AWS text too.
macro_rules! sanitize_id {
    ($($ty:ty),*) => {$(
        impl SanitizeText for $ty {
            fn sanitize_text(&mut self) {
                if !is_printable_ascii(self.as_bytes()) {
                    *self = sanitize_line(self).into();
                }
            }
        }
    )*};
}

sanitize_id!(super::ids::TaskId, super::ids::TaskDefArn);

impl SanitizeText for String {
    fn sanitize_text(&mut self) {
        if !is_printable_ascii(self.as_bytes()) {
            *self = sanitize_line(self);
        }
    }
}

impl<T: SanitizeText> SanitizeText for Option<T> {
    fn sanitize_text(&mut self) {
        if let Some(v) = self {
            v.sanitize_text();
        }
    }
}

impl<T: SanitizeText> SanitizeText for Vec<T> {
    fn sanitize_text(&mut self) {
        self.iter_mut().for_each(SanitizeText::sanitize_text);
    }
}

impl SanitizeText for (String, String) {
    fn sanitize_text(&mut self) {
        self.0.sanitize_text();
        self.1.sanitize_text();
    }
}

impl SanitizeText for (String, u64) {
    fn sanitize_text(&mut self) {
        self.0.sanitize_text();
    }
}

impl SanitizeText for ContainerRole {
    fn sanitize_text(&mut self) {
        if let ContainerRole::Other(name) = self {
            name.sanitize_text();
        }
    }
}

/// Implements `SanitizeText` by sanitising the listed fields.
macro_rules! sanitize_fields {
    ($ty:ty { $($field:ident),* $(,)? }) => {
        impl SanitizeText for $ty {
            fn sanitize_text(&mut self) {
                $( self.$field.sanitize_text(); )*
            }
        }
    };
}

sanitize_fields!(Service {
    name,
    arn,
    cluster,
    status,
    task_definition,
    deployments,
    events,
    target_groups,
    subnets,
    security_groups,
});
sanitize_fields!(Deployment { id, task_definition, rollout_reason });
sanitize_fields!(ServiceEvent { id, message });
sanitize_fields!(Task {
    id,
    arn,
    task_definition,
    az,
    private_ip,
    stopped_reason,
    stop_code,
    started_by,
    group,
    containers,
});
sanitize_fields!(Container { name, role, reason, image, image_digest });
sanitize_fields!(TaskDefinition { arn, family, containers, cpu, memory, execution_role, task_role, network_mode });
sanitize_fields!(ContainerDef { name, role, image, log_group, log_stream_prefix });
sanitize_fields!(TargetHealth { ip, reason, description });
sanitize_fields!(WafSnapshot { web_acl_name, web_acl_arn, groups, top_uris, top_ips, top_rules, samples });
sanitize_fields!(RuleGroupStats { name, label, metric_name, rules });
sanitize_fields!(SampledRequest { client_ip, country, method, uri, rule, action, http_version, headers });

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::sanitize::is_control_or_format;

    #[test]
    fn sanitises_nested_text() {
        let mut svc = Service {
            name: "wp\u{202e}".into(),
            events: vec![ServiceEvent { id: "1".into(), at_ms: 0, message: "steady\x1b[2J\nstate".into() }],
            ..Service::default()
        };
        svc.sanitize_text();
        assert_eq!(svc.name, "wp<U+202E>");
        assert_eq!(svc.events[0].message, "steady␛[2J␊state");

        let mut task = Task {
            stopped_reason: Some("OOM\u{7}".into()),
            containers: vec![Container { role: ContainerRole::Other("x\u{200b}".into()), ..Container::default() }],
            ..Task::default()
        };
        task.sanitize_text();
        assert_eq!(task.stopped_reason.as_deref(), Some("OOM␇"));
        assert_eq!(task.containers[0].role, ContainerRole::Other("x<U+200B>".into()));

        let mut waf = WafSnapshot {
            top_uris: vec![("/\u{1b}]52;c;x\u{7}".into(), 3)],
            samples: vec![SampledRequest { uri: "/\u{9b}1m".into(), ..SampledRequest::default() }],
            ..WafSnapshot::default()
        };
        waf.sanitize_text();
        assert_eq!(waf.top_uris[0].0, "/␛]52;c;x␇");
        assert!(!waf.samples[0].uri.chars().any(is_control_or_format));

        let mut clean = String::from("日本語");
        clean.sanitize_text();
        assert_eq!(clean, "日本語");
    }
}
