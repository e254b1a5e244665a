//! The fleet view (`:sites`, `S`): every configured site in one table — running/desired,
//! rollout, warmer failures, ALB 5xx over five minutes, WAF blocks over the last hour, data age
//! and errors — with the selected site opened by Enter. Read-only.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

use super::columns::{self, Col, Shorten};
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
    let widths = columns::layout(&SITE_COLUMNS, usize::from(block.inner(area).width));
    let mut lines = vec![Line::styled(columns::header(&SITE_COLUMNS, &widths), theme::dim())];
    for (i, r) in rows.iter().enumerate() {
        let (status, status_style) = match (&r.error, r.problem()) {
            (Some(e), _) => (e.message.clone(), theme::bad()),
            (None, Some(p)) => (format!("{} — {p}", verdict_label(r)), verdict_style(r)),
            (None, None) => (verdict_label(r).to_owned(), verdict_style(r)),
        };
        let (running, running_style) = match (r.running, r.desired) {
            (Some(run), Some(want)) => (format!("{run}/{want}"), if run < want { theme::warn() } else { Style::new() }),
            _ => ("–".to_owned(), Style::new()),
        };
        let failures = r.warmer_failures.unwrap_or(0);
        let values = [
            r.site.clone(),
            opt(r.account.clone()),
            opt(r.region.clone()),
            format!("{}/{}", r.cluster, r.service),
            running,
            opt(r.rollout.as_ref()),
            opt(r.warmer_failures),
            opt(r.alb_5xx_5m()),
            r.waf_blocked_1h.map(theme::thousands).unwrap_or_else(|| "–".into()),
            r.read_started_ms.map(|t| format_age(state.now_ms - t)).unwrap_or_else(|| "–".into()),
            status,
        ];
        let line = columns::styled(&SITE_COLUMNS, &widths, &values, |c| match c {
            4 => running_style,
            6 if failures > 0 => theme::bad(),
            7 if r.alb_5xx_5m().unwrap_or(0) > 0 => theme::warn(),
            10 => status_style,
            _ => Style::new(),
        });
        lines.push(if i == state.fleet.selected { line.style(theme::selected()) } else { line });
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The fleet table: the site, its verdict and the counts first; the account is never cut (a cut
/// account number reads as another account): it goes whole or not at all.
const SITE_COLUMNS: [Col; 11] = [
    Col::new("SITE", 8, 14, 0, Shorten::End),
    Col::new("ACCOUNT", 12, 12, 3, Shorten::End),
    Col::new("REGION", 14, 14, 4, Shorten::End),
    Col::new("CLUSTER/SERVICE", 12, 22, 2, Shorten::Start),
    Col::new("RUN", 5, 6, 0, Shorten::End),
    Col::new("ROLLOUT", 9, 12, 1, Shorten::End),
    Col::new("WARMERS", 7, 8, 1, Shorten::End),
    Col::new("5XX 5m", 6, 7, 1, Shorten::End),
    Col::new("WAF 1h", 6, 7, 3, Shorten::End),
    Col::new("AGE", 4, 6, 4, Shorten::End),
    Col::new("STATUS", 10, 0, 0, Shorten::End),
];
