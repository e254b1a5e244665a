//! Pure tests of the actions in `update`: read-only emits nothing, nothing runs without a
//! confirmation, typed confirmation, one run per kind in flight (a double press included), a
//! foreign deployment needs `F` and sets force, previews fill the dialog, outcomes land.

use crate::app::*;
use crate::model::{
    CallerIdentity, Deployment, DeploymentStatus, ImageChange, LastStatus, OpFailure, RevisionInfo, RollbackPlan,
    RolloutState, Service, ServiceDeploymentInfo, ServiceEvent, ServiceSnapshot, Task,
};

fn site() -> SiteInfo {
    SiteInfo {
        name: "corp-blog".into(),
        region: "ap-northeast-1".into(),
        cluster: "wp-prod".into(),
        service: "wordpress".into(),
        warm_limit_ms: 120_000,
        ..SiteInfo::default()
    }
}

fn deployment(id: &str, status: DeploymentStatus, rollout: RolloutState) -> Deployment {
    Deployment { id: id.into(), status, rollout, desired: 3, ..Deployment::default() }
}

fn snapshot(deployments: Vec<Deployment>) -> Msg {
    let service = Service {
        desired: 3,
        task_definition: "arn:aws:ecs:ap-northeast-1:1:task-definition/wordpress:42".into(),
        deployments,
        ..Service::default()
    };
    let tasks = ["t1", "t2"]
        .iter()
        .map(|id| Task { id: (*id).into(), last_status: LastStatus::Running, ..Task::default() })
        .collect();
    Msg::Service {
        at_ms: 1_000,
        result: Ok(Box::new(ServiceSnapshot { service, tasks, ..ServiceSnapshot::default() })),
    }
}

fn steady() -> Msg {
    snapshot(vec![deployment("ecs-svc/1", DeploymentStatus::Primary, RolloutState::Completed)])
}

fn foreign() -> Msg {
    snapshot(vec![
        deployment("ecs-svc/9", DeploymentStatus::Primary, RolloutState::InProgress),
        deployment("ecs-svc/1", DeploymentStatus::Active, RolloutState::Completed),
    ])
}

fn state(read_only: bool, typing: bool) -> State {
    let mut s = State::new(SiteInfo { read_only, confirm_by_typing: typing, ..site() }, 0);
    update(&mut s, steady());
    s
}

fn press(s: &mut State, keys: &str) -> Vec<Effect> {
    keys.chars()
        .flat_map(|c| {
            let key = match c {
                '\n' => Key::plain(KeyCode::Enter),
                '\x1b' => Key::plain(KeyCode::Esc),
                c => Key::char(c),
            };
            update(s, Msg::Key(key))
        })
        .collect()
}

fn runs(fx: &[Effect]) -> Vec<Op> {
    fx.iter().filter_map(|e| if let Effect::Run(op) = e { Some(op.clone()) } else { None }).collect()
}

fn mutating(fx: &[Effect]) -> bool {
    fx.iter().any(|e| matches!(e, Effect::Run(_) | Effect::Preview { .. }))
}

fn revision(td: &str) -> RevisionInfo {
    RevisionInfo { task_definition: td.into(), ..RevisionInfo::default() }
}

fn plan(same_tag: bool) -> RollbackPlan {
    RollbackPlan {
        current: ServiceDeploymentInfo::default(),
        target: ServiceDeploymentInfo::default(),
        from: revision("arn:…/wordpress:42"),
        to: revision("arn:…/wordpress:41"),
        changes: vec![ImageChange {
            container: "php-fpm".into(),
            from_image: "repo/wordpress:php-latest".into(),
            to_image: "repo/wordpress:php-latest".into(),
            from_digest: None,
            to_digest: None,
            same_mutable_tag: same_tag,
        }],
        warnings: vec!["it changes nothing".into()],
    }
}

/// The answer to the newest preview request (the open dialog's).
fn answer(s: &State, result: Result<Preview, OpFailure>) -> Msg {
    Msg::Op(OpEvent::Previewed { request: s.ops.last_request, result })
}

fn rollback_preview(s: &State, same_tag: bool) -> Msg {
    answer(s, Ok(Preview::Rollback(Box::new(plan(same_tag)))))
}

fn warm_preview(s: &State, missing: bool) -> Msg {
    answer(
        s,
        Ok(Preview::Warm(WarmPreview {
            task_definition: "wordpress-warmer".into(),
            targets: vec![("t1".into(), "10.0.1.23".into(), "http://10.0.1.23/opcache_warmer.php".into())],
            missing_warmer_image: missing.then(|| "curlimages/curl:8.10.1".into()),
        })),
    )
}

#[test]
fn read_only_every_action_key_emits_nothing_and_flashes() {
    for keys in ["R", "Ry", "R\n", "B", "By", "b\n", "W", "Wy", "X", "X\n", "\nX", "\nXy", "lR", "eW"] {
        let mut s = state(true, false);
        let fx = press(&mut s, keys);
        assert!(!mutating(&fx), "{keys:?}: {fx:?}");
        assert!(s.ops.dialog.is_none(), "{keys:?}");
    }
    let mut s = state(true, false);
    press(&mut s, "R");
    assert_eq!(s.nav.flash.as_ref().map(|f| f.text.as_str()), Some(READ_ONLY_FLASH));
    // Even a preview answer arriving cannot open anything.
    {
        let m = rollback_preview(&s, false);
        update(&mut s, m);
    }
    assert!(s.ops.dialog.is_none() && s.ops.in_flight.is_empty());
}

#[test]
fn a_redeploy_needs_confirmation_and_esc_or_n_cancels() {
    let mut s = state(false, false);
    assert!(press(&mut s, "R").is_empty());
    assert_eq!(s.ops.dialog.as_ref().map(|d| d.kind), Some(OpKind::Redeploy));
    assert!(press(&mut s, "\x1b").is_empty());
    assert!(s.ops.dialog.is_none());
    assert!(press(&mut s, "Rn").is_empty());
    assert!(s.ops.dialog.is_none());
    // Other keys do nothing while the dialog is open.
    assert!(press(&mut s, "RqlWX").is_empty());
    assert!(!s.should_quit() && s.nav.screen == Screen::Overview);
    let fx = press(&mut s, "y");
    assert_eq!(
        fx,
        [Effect::Run(Op::Redeploy { force: false }), Effect::PollFast(true), Effect::Refresh(Feed::Service)]
    );
    assert_eq!(s.nav.screen, Screen::Rollout);
}

#[test]
fn the_dialog_names_account_region_cluster_service_and_what_happens() {
    let mut s = state(false, false);
    press(&mut s, "R");
    let d = s.ops.dialog.clone().unwrap();
    assert_eq!(s.account_text(), "account unknown");
    update(&mut s, Msg::Caller(Ok(CallerIdentity { account: "123456789012".into(), ..CallerIdentity::default() })));
    assert_eq!(s.account_text(), "123456789012");
    assert_eq!(
        s.what_happens(&d),
        "UpdateService wp-prod/wordpress --force-new-deployment: ECS starts 3 new tasks of wordpress:42, then drains \
         the old ones."
    );
}

#[test]
fn typed_confirmation_needs_the_exact_service_name() {
    let mut s = state(false, true);
    press(&mut s, "R");
    assert!(press(&mut s, "y\n").is_empty());
    assert!(s.ops.dialog.as_ref().is_some_and(|d| d.note.is_some()));
    assert!(press(&mut s, "\x7f").is_empty());
    for _ in 0..2 {
        update(&mut s, Msg::Key(Key::plain(KeyCode::Backspace)));
    }
    assert!(press(&mut s, "wordpres\n").is_empty());
    let fx = press(&mut s, "s\n");
    assert_eq!(runs(&fx), [Op::Redeploy { force: false }]);
}

#[test]
fn pressing_r_twice_quickly_runs_one_redeploy() {
    let mut s = state(false, false);
    let mut fx = press(&mut s, "RyRyR\nR\n");
    fx.extend(press(&mut s, "R"));
    assert_eq!(runs(&fx), [Op::Redeploy { force: false }]);
    assert!(s.ops.dialog.is_none());
    assert!(s.nav.flash.as_ref().is_some_and(|f| f.text.contains("a redeploy is already running")));
    let mut s = state(false, false);
    let fx = press(&mut s, "R\n\n\nR\n");
    assert!(runs(&fx).is_empty(), "Enter alone confirms nothing: {fx:?}");
}

#[test]
fn enter_alone_never_confirms_a_mutation() {
    // Enter is also "open task": a habit-driven double Enter must not redeploy, roll back,
    // warm or replace. The dialog stays open and says which key confirms.
    for keys in ["R\n", "R\n\n", "\nX\n", "\nX\n\n", "W\n"] {
        let mut s = state(false, false);
        let fx = press(&mut s, keys);
        assert!(runs(&fx).is_empty(), "{keys:?}: {fx:?}");
    }
    let mut s = state(false, false);
    press(&mut s, "R\n");
    let note = s.ops.dialog.as_ref().and_then(|d| d.note.clone()).unwrap_or_default();
    assert!(note.contains("press y"), "{note}");
    assert_eq!(runs(&press(&mut s, "y")), [Op::Redeploy { force: false }]);
}

#[test]
fn the_in_flight_guard_is_per_kind_and_released_by_finished_or_refused() {
    let mut s = state(false, false);
    assert_eq!(runs(&press(&mut s, "Ry")).len(), 1);
    // Another kind is not blocked by the redeploy guard (the runner refuses what AWS would not do).
    press(&mut s, "oX");
    assert_eq!(runs(&press(&mut s, "y")), [Op::ReplaceTask { task_id: "t1".into() }]);
    assert!(runs(&press(&mut s, "Ry")).is_empty());
    update(&mut s, Msg::Op(OpEvent::Started { kind: OpKind::Redeploy, ids: vec!["ecs-svc/2".into()] }));
    assert!(runs(&press(&mut s, "Ry")).is_empty());
    let fx =
        update(&mut s, Msg::Op(OpEvent::Finished { kind: OpKind::Redeploy, ok: true, summary: "COMPLETED".into() }));
    assert!(fx.is_empty(), "the replace is still in flight: {fx:?}");
    assert_eq!(runs(&press(&mut s, "Ry")).len(), 1);
    update(&mut s, Msg::Op(OpEvent::Refused { kind: OpKind::Redeploy, reason: "read-only mode".into() }));
    assert!(s.nav.flash.as_ref().is_some_and(|f| f.error && f.text.contains("read-only mode")));
    assert!(s.ops.rollout.as_ref().and_then(|w| w.run.outcome.as_ref()).is_some_and(|o| o.refused));
    assert_eq!(runs(&press(&mut s, "Ry")).len(), 1);
    // Refused replace releases its own guard, and the last op in flight ends fast polling.
    update(&mut s, Msg::Op(OpEvent::Refused { kind: OpKind::ReplaceTask, reason: "gone".into() }));
    let fx = update(&mut s, Msg::Op(OpEvent::Finished { kind: OpKind::Redeploy, ok: true, summary: "ok".into() }));
    assert_eq!(fx, [Effect::PollFast(false)]);
    assert!(s.ops.in_flight.is_empty());
}

#[test]
fn a_foreign_deployment_needs_a_second_confirmation_and_sets_force() {
    let mut s = state(false, false);
    update(&mut s, foreign());
    let rolling = s.rolling().unwrap();
    assert_eq!((rolling.deployment_id.as_str(), rolling.ours), ("ecs-svc/9", false));
    press(&mut s, "R");
    assert!(press(&mut s, "y\n").is_empty());
    assert!(s.ops.dialog.as_ref().is_some_and(|d| !d.forced && d.note.is_some()));
    let fx = press(&mut s, "Fy");
    assert_eq!(runs(&fx), [Op::Redeploy { force: true }]);
    // The rollback too, once its preview is in.
    update(&mut s, Msg::Op(OpEvent::Finished { kind: OpKind::Redeploy, ok: true, summary: "ok".into() }));
    press(&mut s, "B");
    {
        let m = rollback_preview(&s, false);
        update(&mut s, m);
    }
    assert!(press(&mut s, "y").is_empty());
    assert!(runs(&press(&mut s, "F\n")).is_empty(), "Enter alone does not confirm");
    let fx = press(&mut s, "y");
    assert_eq!(runs(&fx), [Op::Rollback { plan: Box::new(plan(false)), force: true }]);
    // Without a rollout, F is not needed and force stays false.
    let mut s = state(false, false);
    assert_eq!(runs(&press(&mut s, "RFy")), [Op::Redeploy { force: false }]);
}

#[test]
fn a_deployment_this_console_started_is_ours() {
    let mut s = state(false, false);
    update(&mut s, Msg::Op(OpEvent::Started { kind: OpKind::Redeploy, ids: vec!["ecs-svc/9".into()] }));
    update(&mut s, foreign());
    assert!(s.rolling().is_some_and(|r| r.ours));
    assert!(s.needs_force(OpKind::Redeploy) && !s.needs_force(OpKind::Warm));
}

#[test]
fn previews_fill_the_dialog_and_errors_only_allow_closing() {
    let mut s = state(false, false);
    assert_eq!(press(&mut s, "B"), [Effect::Preview { request: 1, kind: OpKind::Rollback }]);
    assert_eq!(s.ops.dialog.as_ref().map(|d| d.preview.clone()), Some(PreviewState::Preparing));
    assert!(press(&mut s, "y\n").is_empty(), "no confirming while preparing");
    // A warm preview does not fit a rollback dialog.
    {
        let m = warm_preview(&s, false);
        update(&mut s, m);
    }
    assert_eq!(s.ops.dialog.as_ref().map(|d| d.preview.clone()), Some(PreviewState::Preparing));
    {
        let m = rollback_preview(&s, true);
        update(&mut s, m);
    }
    assert!(matches!(s.ops.dialog.as_ref().map(|d| &d.preview), Some(PreviewState::Ready(Preview::Rollback(_)))));
    press(&mut s, "\x1b");
    assert_eq!(press(&mut s, "W"), [Effect::Preview { request: 2, kind: OpKind::Warm }]);
    {
        let m = answer(&s, Err(OpFailure::Impossible("AccessDenied: ecs:DescribeTaskDefinition".into())));
        update(&mut s, m);
    }
    assert!(matches!(s.ops.dialog.as_ref().map(|d| &d.preview), Some(PreviewState::Failed(_))));
    assert!(press(&mut s, "y").is_empty());
    assert!(s.ops.dialog.is_some());
    press(&mut s, "\n");
    assert!(s.ops.dialog.is_none());
}

#[test]
fn a_missing_warmer_is_registered_when_confirmed() {
    let mut s = state(false, false);
    press(&mut s, "W");
    {
        let m = warm_preview(&s, true);
        update(&mut s, m);
    }
    assert_eq!(runs(&press(&mut s, "y")), [Op::Warm { register_warmer: true }]);
    assert_eq!(s.nav.screen, Screen::Warming);
    let w = s.ops.warming.as_ref().unwrap();
    assert_eq!(w.targets.len(), 1);
    update(
        &mut s,
        Msg::Op(OpEvent::Warmed(WarmLine {
            task_id: "t1".into(),
            ip: "10.0.1.23".into(),
            outcome: crate::model::WarmOutcome::Warmed {
                report: crate::model::WarmReport { success: 1834, failure: 0, no_change: 0, total: 1834 },
            },
            elapsed_ms: 9_800,
        })),
    );
    update(&mut s, Msg::Op(OpEvent::Finished { kind: OpKind::Warm, ok: true, summary: "1/1 warmed".into() }));
    let w = s.ops.warming.as_ref().unwrap();
    assert!(w.warm_line("t1").is_some_and(|l| l.ok()));
    assert!(w.run.outcome.as_ref().is_some_and(|o| o.ok));
    let mut s = state(false, false);
    press(&mut s, "W");
    {
        let m = warm_preview(&s, false);
        update(&mut s, m);
    }
    assert!(runs(&press(&mut s, "\n")).is_empty(), "Enter alone does not confirm");
    assert_eq!(runs(&press(&mut s, "y")), [Op::Warm { register_warmer: false }]);
}

#[test]
fn replace_names_the_selected_task_and_needs_one() {
    let mut s = state(false, false);
    press(&mut s, "j\n");
    assert_eq!(s.nav.screen, Screen::TaskDetail);
    press(&mut s, "X");
    assert_eq!(s.ops.dialog.as_ref().and_then(|d| d.task_id.as_deref()), Some("t2"));
    assert!(
        s.what_happens(s.ops.dialog.as_ref().unwrap()).contains("StopTask wp-prod t2 with reason 'wpops: replaced by")
    );
    assert_eq!(runs(&press(&mut s, "y")), [Op::ReplaceTask { task_id: "t2".into() }]);
    let mut s = State::new(site(), 0);
    assert!(press(&mut s, "X").is_empty());
    assert!(s.ops.dialog.is_none() && s.nav.flash.is_some());
}

#[test]
fn finished_sets_the_outcome_and_rollout_events_append() {
    let mut s = state(false, false);
    press(&mut s, "Ry");
    update(&mut s, Msg::Tick(30_000));
    let event = |id: &str| ServiceEvent { id: id.into(), at_ms: 5_000, message: format!("event {id}") };
    update(&mut s, Msg::Op(OpEvent::Rollout { elapsed_ms: 2_000, new_events: vec![event("a"), event("b")] }));
    update(&mut s, Msg::Op(OpEvent::Rollout { elapsed_ms: 4_000, new_events: vec![event("b"), event("c")] }));
    let w = s.ops.rollout.as_ref().unwrap();
    assert_eq!(w.events.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
    assert_eq!(w.elapsed_ms(s.now_ms), 30_000);
    let summary = "FAILED and rolled back by the circuit breaker to wordpress:41: tasks failed to start";
    update(&mut s, Msg::Op(OpEvent::Finished { kind: OpKind::Redeploy, ok: false, summary: summary.into() }));
    update(&mut s, Msg::Tick(90_000));
    let w = s.ops.rollout.as_ref().unwrap();
    assert_eq!(w.run.outcome, Some(Outcome { ok: false, summary: summary.into(), refused: false }));
    assert_eq!(w.elapsed_ms(s.now_ms), 30_000, "frozen at the end");
    // The view is reachable again by key and by command.
    press(&mut s, "o");
    press(&mut s, "a");
    assert_eq!(s.nav.screen, Screen::Rollout);
    press(&mut s, ":warming\n");
    assert_eq!(s.nav.screen, Screen::Warming);
    press(&mut s, ":rollout\n");
    assert_eq!(s.nav.screen, Screen::Rollout);
}

#[test]
fn an_action_in_flight_keeps_polling_fast_until_it_ends() {
    let mut s = state(false, false);
    press(&mut s, "Ry");
    assert!(update(&mut s, steady()).is_empty(), "no PollFast(false) while the redeploy runs");
    let fx = update(&mut s, Msg::Op(OpEvent::Finished { kind: OpKind::Redeploy, ok: true, summary: "ok".into() }));
    assert_eq!(fx, [Effect::PollFast(false)]);
}

#[test]
fn an_answer_to_an_older_preview_request_is_dropped() {
    let mut s = state(false, false);
    press(&mut s, "B");
    let stale = rollback_preview(&s, false);
    press(&mut s, "\x1bB");
    assert_eq!(s.ops.last_request, 2);
    update(&mut s, stale);
    assert_eq!(s.ops.dialog.as_ref().map(|d| d.preview.clone()), Some(PreviewState::Preparing));
    {
        let m = rollback_preview(&s, true);
        update(&mut s, m);
    }
    assert!(matches!(s.ops.dialog.as_ref().map(|d| &d.preview), Some(PreviewState::Ready(Preview::Rollback(_)))));
}
