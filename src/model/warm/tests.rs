//! Tests of the warm report parser, exit code explanations and the warmer verdict.

use super::*;
use proptest::prelude::*;

const REPORT: WarmReport = WarmReport { success: 1834, failure: 0, no_change: 0, total: 1834 };

#[test]
fn parses_the_scripts_own_line() {
    let line = "success: 1834 \tfailure: 0 \tno_change: 0 \ttotal: 1834\n";
    assert_eq!(parse_warm_report(line), Some(REPORT));
    assert_eq!(parse_warm_report("success:1834 failure:0 no_change:0 total:1834"), Some(REPORT));
    assert_eq!(parse_warm_report("success: 1834\t\tfailure: 0\tno_change: 0\ttotal: 1834\r\n"), Some(REPORT));
}

#[test]
fn parses_the_php_fpm_wrapped_line() {
    let real_tabs = "[28-Nov-2026 14:02:11] WARNING: [pool www] child 23 said into stderr: \
                     \"success: 1834 \tfailure: 0 \tno_change: 0 \ttotal: 1834\"";
    assert_eq!(parse_warm_report(real_tabs), Some(REPORT));
    let escaped = r#"[28-Nov-2026 14:02:11] WARNING: [pool www] child 23 said into stderr: "success: 1790 \tfailure: 44 \tno_change: 0 \ttotal: 1834""#;
    assert_eq!(parse_warm_report(escaped), Some(WarmReport { success: 1790, failure: 44, no_change: 0, total: 1834 }));
    let trailing = r#"NOTICE: child 7 said into stderr: "success: 1 \tfailure: 0 \tno_change: 2 \ttotal: 3 \n""#;
    assert_eq!(parse_warm_report(trailing).map(|r| (r.success, r.no_change, r.total)), Some((1, 2, 3)));
}

#[test]
fn truncation_is_not_trusted() {
    let cut = r#"child 23 said into stderr: "success: 1834 \tfailure: 0 \tno_change: 0 \ttot...""#;
    assert_eq!(parse_warm_report(cut), None);
    let cut_number = r#"child 23 said into stderr: "success: 1834 \tfailure: 0 \tno_change: 0 \ttotal: 18...""#;
    assert_eq!(parse_warm_report(cut_number), None);
    let cut_after = r#"said into stderr: "success: 1834 \tfailure: 0 \tno_change: 0 \ttotal: 1834 \tmemo..."#;
    assert_eq!(parse_warm_report(cut_after), Some(REPORT));
}

#[test]
fn rejects_other_and_hostile_lines() {
    for line in [
        "",
        "success:",
        "success: -1 failure: 0 no_change: 0 total: 0",
        "success: 99999999999 failure: 0 no_change: 0 total: 1",
        "success: 1 failure: 0 total: 1",
        "GET /opcache_warmer.php HTTP/1.1",
        "success: \u{1b}[31m1 failure: 0 no_change: 0 total: 1",
        "success: １ failure: 0 no_change: 0 total: 1",
    ] {
        assert_eq!(parse_warm_report(line), None, "{line:?}");
    }
}

#[test]
fn a_later_report_wins_over_an_earlier_unrelated_success_key() {
    let line = r#"{"success": true} success: 3 failure: 0 no_change: 0 total: 3"#;
    assert_eq!(parse_warm_report(line).map(|r| r.total), Some(3));
}

#[test]
fn exit_codes_are_explained() {
    assert_eq!(explain_exit_code(127), "command not found");
    assert_eq!(explain_exit_code(7), "connection refused");
    assert_eq!(explain_exit_code(28), "timeout");
    assert_eq!(explain_exit_code(22), "HTTP error (curl -f)");
    assert_eq!(explain_exit_code(137), "killed (SIGKILL, out of memory?)");
    assert_eq!(describe_exit(127), "exit 127 (command not found)");
    assert_eq!(describe_exit(42), "exit 42");
    assert_eq!(describe_exit(-1), "exit -1");
    assert_eq!(describe_exit(134), "exit 134 (killed by a signal)");
}

fn stopped(exit: Option<i32>, report: Option<WarmReport>) -> WarmerFacts<'static> {
    let found =
        report.map(|report| &*Box::leak(Box::new(FoundReport { task_id: "t".into(), report, at_ms: 1_010_000 })));
    let lookup = Some(&ReportLookup::NotFound);
    WarmerFacts {
        last_status: Some("STOPPED"),
        exit_code: exit,
        reason: None,
        evidence: WarmEvidence { report: found, lookup, rewarm: None },
        task_started_at_ms: Some(1_000_000),
        exit_forgotten: false,
        no_log_stream: false,
    }
}

#[test]
fn a_warmer_whose_exit_ecs_forgot_is_judged_by_its_log() {
    let forgot = |report| WarmerFacts { exit_forgotten: true, ..stopped(None, report) };
    let ok = WarmReport { success: 9, failure: 0, no_change: 0, total: 9 };
    let v = warmer_verdict(&forgot(Some(ok)), 0, DEFAULT_WARM_LIMIT_MS);
    assert_eq!(v, WarmerVerdict::ExitUnknown { failures: Some(0), searched: true, logged: true });
    assert!(!v.stands_out());
    assert_eq!(v.summary(), "ok by its report (exit no longer kept by ECS)");
    let bad = WarmReport { failure: 3, ..ok };
    assert!(warmer_verdict(&forgot(Some(bad)), 0, DEFAULT_WARM_LIMIT_MS).stands_out());
    // No report after a lookup over its whole run: it stands out, never "never ran".
    let none = warmer_verdict(&forgot(None), 0, DEFAULT_WARM_LIMIT_MS);
    assert_eq!(none.summary(), "no report in its log (exit no longer kept by ECS)");
    assert!(none.stands_out());
    // No stream at all: nothing is left to judge it by; it does not stand out.
    let unlogged = warmer_verdict(&WarmerFacts { no_log_stream: true, ..forgot(None) }, 0, DEFAULT_WARM_LIMIT_MS);
    assert!(!unlogged.stands_out());
    assert!(unlogged.summary().starts_with("no log stream left"), "{}", unlogged.summary());
    let looking = WarmerFacts { evidence: WarmEvidence::default(), ..forgot(None) };
    assert!(!warmer_verdict(&looking, 0, DEFAULT_WARM_LIMIT_MS).stands_out());
}

#[test]
fn a_report_not_found_yet_is_looked_for_and_a_failed_read_is_not_a_missing_report() {
    let now = 1_000_000 + 30_000;
    let lim = DEFAULT_WARM_LIMIT_MS;
    let looking = WarmerFacts { evidence: WarmEvidence::default(), ..stopped(Some(0), None) };
    assert_eq!(warmer_verdict(&looking, now, lim), WarmerVerdict::LookingForReport);
    assert!(!WarmerVerdict::LookingForReport.stands_out());
    let lookup =
        ReportLookup::Unreadable { kind: crate::model::FetchErrorKind::Throttled, retry_at_ms: Some(now + 7_200) };
    let unreadable =
        WarmerFacts { evidence: WarmEvidence { lookup: Some(&lookup), ..WarmEvidence::default() }, ..looking };
    let v = warmer_verdict(&unreadable, now, lim);
    assert!(!v.stands_out());
    assert_eq!(v.summary(), "exited 0, couldn't read the report (throttled, retry in 8s)");
    // Only a lookup that read every page, made after the report had time to arrive, is final.
    assert_eq!(lookup_after_miss(now, now + REPORT_GRACE_MS, true), ReportLookup::NotFound);
    assert_eq!(lookup_after_miss(now, now + REPORT_GRACE_MS - 1, true), ReportLookup::Looking);
    assert_eq!(lookup_after_miss(now, now + 10 * REPORT_GRACE_MS, false), ReportLookup::Looking);
}

#[test]
fn the_newest_of_the_in_task_warmer_and_a_rewarm_is_the_warm_state() {
    use crate::model::{Rewarm, WarmOutcome};
    let now = 2_000_000;
    let lim = DEFAULT_WARM_LIMIT_MS;
    let unchanged = WarmReport { success: 0, failure: 0, no_change: 1834, total: 1834 };
    let rewarm =
        Rewarm { outcome: WarmOutcome::Warmed { report: unchanged }, elapsed_ms: 22_000, at_ms: now - 120_000 };
    // A failed in-task warmer (exit 127) is cleared by a later re-warm that succeeded.
    let failed = WarmerFacts {
        evidence: WarmEvidence { rewarm: Some(&rewarm), ..WarmEvidence::default() },
        ..stopped(Some(127), None)
    };
    let v = warmer_verdict(&failed, now, lim);
    assert!(!v.stands_out());
    assert_eq!(v.summary(), "re-warmed 2m ago: 0 ok · 1,834 unchanged · 0 failed · 22.0s");
    // A healthy in-task report written before the re-warm: the re-warm is newer.
    let mut healthy = stopped(Some(0), Some(REPORT));
    healthy.evidence.rewarm = Some(&rewarm);
    assert!(matches!(warmer_verdict(&healthy, now, lim), WarmerVerdict::Rewarmed { ago_ms: 120_000, .. }));
    // An in-task report written after the re-warm finished is newer.
    let later = Rewarm { at_ms: 1_005_000, ..rewarm.clone() };
    healthy.evidence.rewarm = Some(&later);
    assert_eq!(warmer_verdict(&healthy, now, lim), WarmerVerdict::Healthy);
    // A failed re-warm stands out.
    let bad = WarmReport { success: 0, failure: 44, no_change: 1790, total: 1834 };
    let failing = Rewarm { outcome: WarmOutcome::ReportedFailures { report: bad }, ..rewarm };
    healthy.evidence.rewarm = Some(&failing);
    assert!(warmer_verdict(&healthy, now, lim).stands_out());
}

#[test]
fn verdicts_follow_the_product_rule() {
    let now = 1_000_000 + 30_000;
    let lim = DEFAULT_WARM_LIMIT_MS;
    assert_eq!(warmer_verdict(&stopped(Some(0), Some(REPORT)), now, lim), WarmerVerdict::Healthy);
    assert_eq!(warmer_verdict(&stopped(Some(0), None), now, lim), WarmerVerdict::NoReport);
    let bad = WarmReport { failure: 44, ..REPORT };
    assert_eq!(warmer_verdict(&stopped(Some(0), Some(bad)), now, lim), WarmerVerdict::ReportedFailures(44));
    assert_eq!(
        warmer_verdict(&stopped(Some(127), Some(REPORT)), now, lim),
        WarmerVerdict::Failed { exit_code: 127, reason: "exit 127 (command not found)".into() }
    );
    let never = WarmerFacts { reason: Some("dependency php-fpm failed"), ..stopped(None, None) };
    assert_eq!(
        warmer_verdict(&never, now, lim),
        WarmerVerdict::NeverRan { reason: Some("dependency php-fpm failed".into()) }
    );
    assert_eq!(warmer_verdict(&WarmerFacts::default(), now, lim), WarmerVerdict::Missing);
}

#[test]
fn running_and_pending_become_overdue_after_the_limit() {
    let running = WarmerFacts { last_status: Some("RUNNING"), task_started_at_ms: Some(0), ..WarmerFacts::default() };
    assert_eq!(
        warmer_verdict(&running, 120_000, DEFAULT_WARM_LIMIT_MS),
        WarmerVerdict::StillRunning { overdue: false }
    );
    assert_eq!(warmer_verdict(&running, 120_001, DEFAULT_WARM_LIMIT_MS), WarmerVerdict::StillRunning { overdue: true });
    let pending = WarmerFacts { last_status: Some("PENDING"), ..running };
    assert_eq!(warmer_verdict(&pending, 500_000, DEFAULT_WARM_LIMIT_MS), WarmerVerdict::Pending { overdue: true });
    let not_started = WarmerFacts { task_started_at_ms: None, ..pending };
    assert_eq!(
        warmer_verdict(&not_started, i64::MAX, DEFAULT_WARM_LIMIT_MS),
        WarmerVerdict::Pending { overdue: false }
    );
    assert!(!WarmerVerdict::StillRunning { overdue: false }.stands_out());
    assert!(WarmerVerdict::StillRunning { overdue: true }.stands_out());
    assert!(WarmerVerdict::NoReport.stands_out());
    assert!(!WarmerVerdict::Healthy.stands_out());
}

#[test]
fn warming_duration() {
    assert_eq!(warming_duration_ms(10_800, 1_000), Some(9_800));
    assert_eq!(warming_duration_ms(999, 1_000), None);
    assert_eq!(warming_duration_ms(i64::MIN, i64::MAX), None);
}

#[test]
fn summaries_read_well() {
    assert_eq!(WarmerVerdict::ReportedFailures(44).summary(), "reported 44 failures");
    assert_eq!(
        WarmerVerdict::Failed { exit_code: 7, reason: describe_exit(7) }.summary(),
        "failed: exit 7 (connection refused)"
    );
}

proptest! {
    #[test]
    fn parser_never_panics(s in any::<String>()) {
        let _ = parse_warm_report(&s);
    }

    #[test]
    fn parser_never_panics_near_reports(prefix in "[ -~\t]{0,20}", a in any::<u64>(), sep in "[ \t,\\\\tn]{0,4}", tail in "[ -~.]{0,8}") {
        let line = format!("{prefix}success: {a}{sep}failure: 0{sep}no_change: 1{sep}total: {a}{tail}");
        let _ = parse_warm_report(&line);
    }

    #[test]
    fn round_trips_any_counts(s in any::<u32>(), f in any::<u32>(), n in any::<u32>(), t in any::<u32>()) {
        let line = format!("success: {s} \\tfailure: {f} \\tno_change: {n} \\ttotal: {t}");
        prop_assert_eq!(parse_warm_report(&line), Some(WarmReport { success: s, failure: f, no_change: n, total: t }));
    }
}
