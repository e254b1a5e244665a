//! The fleet view (`:sites`, `S`): every configured site in one table — running/desired,
//! rollout, warmer failures, ALB 5xx over five minutes, WAF blocks over the last hour, data age
//! and errors — with the selected site opened by Enter. Read-only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Row, Table};

use super::theme;
use crate::app::State;
use crate::model::{FleetRow, ServiceHealth, format_age};

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_else(|| "–".into())
}

fn verdict_style(r: &FleetRow) -> Style {
    match &r.verdict {
        Some(ServiceHealth::Healthy) => theme::good(),
        Some(ServiceHealth::Unhealthy { .. }) => theme::bad(),
        Some(ServiceHealth::RolloutInProgress { .. } | ServiceHealth::ReplacementInProgress { .. }) => theme::info(),
        None => theme::warn(),
    }
}

fn verdict_label(r: &FleetRow) -> &'static str {
    r.verdict.as_ref().map_or("?", ServiceHealth::label)
}

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let (count, age) = match &state.fleet.rows {
        Some((at, rows)) => (rows.len(), format!("data {}", format_age(state.now_ms - at))),
        None => (0, "loading…".to_string()),
    };
    let block = Block::bordered()
        .title(Line::styled(format!(" Sites · {count} configured "), theme::title()))
        .title(Line::styled(format!(" {age} "), theme::dim()).right_aligned());
    let Some((_, rows)) = &state.fleet.rows else {
        frame.render_widget(
            Paragraph::new(Line::styled("reading every configured site…", theme::dim())).block(block),
            area,
        );
        return;
    };
    if rows.is_empty() {
        let text = if state.site.demo {
            "the demo has no fleet: the fleet lists the config file's [sites.NAME] tables"
        } else {
            "no sites in the config file: `wpops config init` writes an example"
        };
        frame.render_widget(Paragraph::new(Line::styled(text, theme::dim())).block(block), area);
        return;
    }
    let header = Row::new([
        "SITE",
        "ACCOUNT",
        "REGION",
        "CLUSTER/SERVICE",
        "RUN",
        "ROLLOUT",
        "WARMERS",
        "5XX 5m",
        "WAF 1h",
        "AGE",
        "STATUS",
    ])
    .style(theme::dim());
    let body = rows.iter().enumerate().map(|(i, r)| {
        let status = match (&r.error, r.problem()) {
            (Some(e), _) => Line::styled(e.message.clone(), theme::bad()),
            (None, Some(p)) => Line::styled(format!("{} — {p}", verdict_label(r)), verdict_style(r)),
            (None, None) => Line::styled(verdict_label(r), verdict_style(r)),
        };
        let running = match (r.running, r.desired) {
            (Some(run), Some(want)) => {
                Line::styled(format!("{run}/{want}"), if run < want { theme::warn() } else { Style::new() })
            }
            _ => Line::raw("–"),
        };
        let failures = r.warmer_failures.unwrap_or(0);
        let row = Row::new(vec![
            Line::raw(r.site.clone()),
            Line::raw(opt(r.account.clone())),
            Line::raw(opt(r.region.clone())),
            Line::raw(format!("{}/{}", r.cluster, r.service)),
            running,
            Line::raw(opt(r.rollout.as_ref())),
            Line::styled(opt(r.warmer_failures), if failures > 0 { theme::bad() } else { Style::new() }),
            Line::styled(
                opt(r.alb_5xx_5m()),
                if r.alb_5xx_5m().unwrap_or(0) > 0 { theme::warn() } else { Style::new() },
            ),
            Line::raw(r.waf_blocked_1h.map(theme::thousands).unwrap_or_else(|| "–".into())),
            Line::raw(r.read_started_ms.map(|t| format_age(state.now_ms - t)).unwrap_or_else(|| "–".into())),
            status,
        ]);
        if i == state.fleet.selected { row.style(theme::selected()) } else { row }
    });
    let widths = [
        Constraint::Length(14),
        Constraint::Length(13),
        Constraint::Length(15),
        Constraint::Length(22),
        Constraint::Length(6),
        Constraint::Length(12),
        Constraint::Length(8),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(6),
        Constraint::Min(10),
    ];
    frame.render_widget(Table::new(body, widths).header(header).block(block), area);
}
