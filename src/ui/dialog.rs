//! The confirm dialog of an action: which account, region, cluster and service; exactly what
//! will happen (in the API's words); the preview (a rollback's image changes and warnings, a
//! warm's targets or the missing warmer); a deployment already rolling out, in red; and which
//! keys confirm or cancel (from the key table). Read-only: it draws what `app::ops` holds.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding, Paragraph};

use super::theme::{self, cell};
use crate::app::keymap::{Action, KeyScope, binding_of, label_of};
use crate::app::ops::Stage;
use crate::app::{Dialog, OpKind, Preview, PreviewState, State, WarmPreview};
use crate::model::{RollbackPlan, short_td};

pub fn render(state: &State, dialog: &Dialog, frame: &mut Frame, area: Rect) {
    let width = area.width.saturating_sub(4).min(120);
    if width < 10 || area.height < 5 {
        return;
    }
    let inner_width = usize::from(width.saturating_sub(4));
    let lines: Vec<Line<'static>> =
        body(state, dialog).into_iter().flat_map(|l| theme::wrap_words(l, inner_width)).collect();
    let wanted = u16::try_from(lines.len()).unwrap_or(u16::MAX).saturating_add(2);
    let height = wanted.min(area.height.saturating_sub(2));
    let popup = Rect { x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width, height };
    theme::overlay(frame, popup, area);
    let block = Block::bordered()
        .border_style(theme::key())
        .padding(Padding::horizontal(1))
        .title(Line::styled(format!(" {} ", state.dialog_title(dialog)), theme::title()))
        .title_bottom(hint(state, dialog).right_aligned());
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

fn body(state: &State, dialog: &Dialog) -> Vec<Line<'static>> {
    let s = &state.site;
    let sep = || Span::styled(" · ", theme::dim());
    let account_style = if state.account_text() == "account unknown" { theme::warn() } else { theme::title() };
    let mut out = vec![
        Line::from(vec![
            Span::styled("account ", theme::dim()),
            Span::styled(state.account_text(), account_style),
            sep(),
            Span::styled("region ", theme::dim()),
            Span::styled(s.region.clone(), theme::title()),
            sep(),
            Span::styled("cluster ", theme::dim()),
            Span::styled(s.cluster.clone(), theme::title()),
            sep(),
            Span::styled("service ", theme::dim()),
            Span::styled(s.service.clone(), theme::title()),
        ]),
        Line::raw(""),
        Line::raw(state.what_happens(dialog)),
    ];
    match &dialog.preview {
        PreviewState::NotNeeded => {}
        PreviewState::Preparing => {
            out.push(Line::raw(""));
            let what = if dialog.kind == OpKind::Rollback {
                "preparing… reading the deployments and both task definitions"
            } else {
                "preparing… reading the running tasks and the warmer task definition"
            };
            out.push(Line::styled(what, theme::info()));
        }
        PreviewState::Failed(e) => {
            out.push(Line::raw(""));
            out.push(Line::styled(format!("cannot {}: {e}", dialog.kind.label()), theme::bad()));
        }
        PreviewState::Ready(Preview::Rollback(p)) => rollback(p, &mut out),
        PreviewState::Ready(Preview::Warm(p)) => warm(p, &mut out),
    }
    if let Some(r) = state.rolling().filter(|_| state.needs_force(dialog.kind)) {
        out.push(Line::raw(""));
        let who = if r.ours { "started from this console" } else { "started by someone else (a pipeline?)" };
        let style = if r.ours { theme::warn() } else { theme::bad() };
        out.push(Line::styled(format!("deployment {} is rolling out — {who}", r.deployment_id), style));
        out.push(Line::styled(
            "starting another now replaces it midway: its tasks are drained before they finish rolling out",
            style,
        ));
        if dialog.forced {
            out.push(Line::styled("second confirmation given (F): it will start anyway", style));
        } else {
            out.push(Line::styled("press F to start anyway (a second, explicit confirmation), or Esc", style));
        }
    }
    if state.site.confirm_by_typing && confirmable(dialog) {
        out.push(Line::raw(""));
        out.push(Line::from(vec![
            Span::styled(format!("type the service name ({}) to confirm: ", s.service), theme::key()),
            Span::raw(dialog.typed.clone()),
            Span::styled("█", theme::dim()),
        ]));
    }
    if let Some(note) = &dialog.note {
        out.push(Line::styled(note.clone(), theme::warn()));
    }
    out
}

fn confirmable(dialog: &Dialog) -> bool {
    match &dialog.preview {
        PreviewState::NotNeeded => true,
        PreviewState::Ready(Preview::Warm(p)) => !p.targets.is_empty(),
        PreviewState::Ready(_) => true,
        PreviewState::Preparing | PreviewState::Failed(_) => false,
    }
}

fn rollback(p: &RollbackPlan, out: &mut Vec<Line<'static>>) {
    out.push(Line::raw(""));
    out.push(Line::from(vec![
        Span::styled("from ", theme::dim()),
        Span::styled(short_td(&p.from.task_definition).to_string(), theme::title()),
        Span::styled("  (now)   to ", theme::dim()),
        Span::styled(short_td(&p.to.task_definition).to_string(), theme::title()),
        Span::styled("  (the last completed deployment)", theme::dim()),
    ]));
    if p.changes.is_empty() {
        out.push(Line::styled("no container image differs between the two revisions", theme::dim()));
    } else {
        out.push(Line::styled(format!("{}{}{}", cell("CONTAINER", 12), cell("FROM", 48), "TO"), theme::dim()));
    }
    for c in &p.changes {
        let from = format!("{} {}", image_tail(&c.from_image), digest(c.from_digest.as_deref()));
        let to = format!("{} {}", image_tail(&c.to_image), digest(c.to_digest.as_deref()));
        let mut spans =
            vec![Span::raw(cell(&c.container, 12)), Span::raw(cell(&from, 46)), Span::raw("→ "), Span::raw(to)];
        if c.same_mutable_tag {
            spans.push(Span::styled("  same mutable tag", theme::warn()));
        }
        out.push(Line::from(spans));
    }
    for w in &p.warnings {
        out.push(Line::styled(format!("⚠ {w}"), theme::warn()));
    }
}

fn warm(p: &WarmPreview, out: &mut Vec<Line<'static>>) {
    out.push(Line::raw(""));
    if p.targets.is_empty() {
        out.push(Line::styled("no running task with a private IP: nothing to warm", theme::warn()));
    } else {
        out.push(Line::styled(format!("{}{}{}", cell("TASK", 34), cell("IP", 16), "URL"), theme::dim()));
    }
    for (task, ip, url) in &p.targets {
        out.push(Line::raw(format!("{}{}{url}", cell(task, 34), cell(ip, 16))));
    }
    if let Some(image) = &p.missing_warmer_image {
        out.push(Line::raw(""));
        out.push(Line::styled(
            format!("the warmer task definition {} does not exist.", p.task_definition),
            theme::warn(),
        ));
        out.push(Line::styled(
            format!(
                "create it yourself with aws ecs register-task-definition --family {} (Fargate, awsvpc, image {image}, \
                 the service's execution role and log group) — or confirm and wpops registers it first, then warms",
                p.task_definition
            ),
            theme::warn(),
        ));
    }
}

fn image_tail(image: &str) -> &str {
    image.rsplit('/').next().unwrap_or(image)
}

fn digest(d: Option<&str>) -> String {
    d.map_or_else(
        || "(no digest)".to_owned(),
        |d| {
            let hex = d.strip_prefix("sha256:").unwrap_or(d);
            format!("@{}", hex.get(..12).unwrap_or(hex))
        },
    )
}

/// Which keys confirm or cancel, from the key table's dialog scope for the dialog's stage.
fn hint(state: &State, dialog: &Dialog) -> Line<'static> {
    let key = |action| label_of(KeyScope::Dialog, action);
    let word = |action| binding_of(KeyScope::Dialog, action).map_or("", |b| b.footer);
    let (confirm, no, cancel) = (key(Action::Confirm), key(Action::Decline), key(Action::Cancel));
    // Typing the service name: characters are text there, so Enter submits it.
    let enter = key(Action::SubmitTyped);
    let text = match state.dialog_stage(dialog) {
        Stage::Preparing => format!(" preparing…  {cancel} {} ", word(Action::Cancel)),
        Stage::CloseOnly => format!(" {}/{cancel} {} ", key(Action::Dismiss), word(Action::Dismiss)),
        Stage::NeedsForce => {
            format!(" {} {}  {cancel} {} ", key(Action::Force), word(Action::Force), word(Action::Cancel))
        }
        Stage::Typing => {
            format!(" type the service name, {enter} {}  {cancel} {} ", word(Action::Confirm), word(Action::Cancel))
        }
        Stage::Ready => match &dialog.preview {
            PreviewState::Ready(Preview::Warm(p)) if p.missing_warmer_image.is_some() => {
                format!(" {confirm} register the warmer and warm  {no}/{cancel} {} ", word(Action::Cancel))
            }
            _ => format!(" {confirm} {}  {no}/{cancel} {} ", word(Action::Confirm), word(Action::Cancel)),
        },
    };
    Line::styled(text, theme::key())
}
