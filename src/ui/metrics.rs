//! The metrics screen: the platform's and the WAF's numbers over the window as sparklines on
//! one time axis (every row's cell N covers the same minutes), with each deployment's start
//! (`▲`) and end (`▼`) marked on the axis; a cell spans as many minutes as make the window fit
//! the width. Each row says what it counts and its worst cell. Gaps are minutes without data,
//! not zeros. Read-only.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::theme;
use crate::app::{State, WindowRead};
use crate::model::window::{Agg, cell_of, cells};
use crate::model::{PlatformMetrics, Series, WafSnapshot};

const LABEL: usize = 16;
const VALUE: usize = 18;

/// One row: its label, its points, how a cell combines them, and how its worst value reads.
struct Row {
    label: String,
    points: Vec<(i64, f64)>,
    agg: Agg,
    unit: fn(f64) -> String,
}

fn count(v: f64) -> String {
    theme::thousands(v.max(0.0).round() as u64)
}

fn pct(v: f64) -> String {
    theme::percent(v)
}

fn ms(v: f64) -> String {
    format!("{:.0} ms", v * 1000.0)
}

fn bytes(v: f64) -> String {
    theme::bytes(v)
}

fn rows(m: Option<&PlatformMetrics>, waf: Option<&WafSnapshot>, from: i64) -> Vec<Row> {
    let pts = |s: &Series| s.points.clone();
    let mut out = Vec::new();
    if let Some(m) = m {
        out.push(Row { label: "ALB requests".into(), points: pts(&m.alb_requests), agg: Agg::Sum, unit: count });
        out.push(Row { label: "ELB 5xx".into(), points: pts(&m.elb_5xx), agg: Agg::Sum, unit: count });
        out.push(Row { label: "target 5xx".into(), points: pts(&m.target_5xx), agg: Agg::Sum, unit: count });
        out.push(Row { label: "response time".into(), points: pts(&m.response_time_s), agg: Agg::Max, unit: ms });
        out.push(Row { label: "service CPU".into(), points: pts(&m.cpu_percent), agg: Agg::Max, unit: pct });
        out.push(Row { label: "service memory".into(), points: pts(&m.memory_percent), agg: Agg::Max, unit: pct });
        out.push(Row { label: "EFS IO limit".into(), points: pts(&m.efs_io_percent), agg: Agg::Max, unit: pct });
        out.push(Row { label: "EFS burst".into(), points: pts(&m.efs_burst_credits), agg: Agg::Min, unit: bytes });
    }
    if let Some(w) = waf.filter(|w| !w.blocked_unknown) {
        // Per minute from the picture's start (minute-aligned).
        let start = from.div_euclid(60_000) * 60_000;
        for g in &w.groups {
            let points = g.series.iter().enumerate().map(|(i, v)| (start + i as i64 * 60_000, *v as f64)).collect();
            out.push(Row { label: format!("WAF {}", g.label), points, agg: Agg::Sum, unit: count });
        }
    }
    out
}

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let w = &state.window;
    // A fixed window: what was read over it. Live: what the pollers read last.
    let (from, to, platform, waf, deployments, note) = match (w.window.range(), &w.read) {
        (Some((from, to)), WindowRead::Read(f)) => {
            let deps: Vec<(i64, Option<i64>)> =
                f.report.deployments.iter().map(|d| (d.started_ms, d.finished_ms)).collect();
            let note = [f.platform.as_ref().err(), f.waf.as_ref().err()].into_iter().flatten().cloned().collect();
            (from, to, f.platform.as_ref().ok(), f.waf.as_ref().ok().and_then(Option::as_ref), deps, note)
        }
        (Some(_), WindowRead::Failed(e)) => {
            let line = Line::styled(format!("unreadable: {}: {}", e.operation, e.message), theme::bad());
            frame.render_widget(Paragraph::new(line).block(block("")), area);
            return;
        }
        (Some(_), _) => {
            frame.render_widget(Paragraph::new(Line::styled("loading…", theme::dim())).block(block("")), area);
            return;
        }
        (None, _) => {
            let platform = state.feeds.platform.data.as_ref();
            let from = platform.and_then(|m| m.alb_requests.points.first().map(|p| p.0)).unwrap_or(state.now_ms);
            let from =
                state.feeds.waf.data.as_ref().map_or(from, |w| from.min(state.now_ms - w.window_secs as i64 * 1000));
            let deps = w
                .facts()
                .map(|f| f.report.deployments.iter().map(|d| (d.started_ms, d.finished_ms)).collect())
                .unwrap_or_default();
            (from, state.now_ms, platform, state.feeds.waf.data.as_ref(), deps, Vec::new())
        }
    };
    // A cell is at least a minute (CloudWatch's period here): a short window draws fewer cells.
    let minutes = usize::try_from((to - from) / 60_000).unwrap_or(1).max(1);
    let cols = usize::from(area.width).saturating_sub(2 + LABEL + VALUE + 2).clamp(1, minutes);
    let per_cell = ((to - from) / cols as i64).max(1);
    let span = format!("{} {}", w.clock.range(from, to, state.now_ms), w.clock.zone());
    let b = block(&span)
        .title(Line::styled(format!(" a cell = {} ", theme::seconds(per_cell)), theme::dim()).right_aligned());
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let mut lines: Vec<Line<'static>> = Vec::new();
    for n in note {
        lines.push(Line::styled(format!("unreadable: {n}"), theme::bad()));
    }
    let rows = rows(platform, waf, from);
    if rows.is_empty() {
        let text = if platform.is_none() && state.feeds.platform.is_loading() { "loading…" } else { "no metrics" };
        lines.push(Line::styled(text, theme::dim()));
    }
    for r in &rows {
        let c = cells(&r.points, from, to, cols, r.agg);
        let max = c.iter().flatten().fold(0.0_f64, |a, v| a.max(*v));
        let bars: String = c
            .iter()
            .map(|v| match v {
                None => ' ',
                Some(_) if max <= 0.0 => theme::BARS[0],
                Some(v) => theme::BARS[((v / max) * 7.0).round().clamp(0.0, 7.0) as usize],
            })
            .collect();
        let worst = match r.agg {
            Agg::Min => c.iter().flatten().copied().reduce(f64::min).map(|v| format!("min {}", (r.unit)(v))),
            _ => c.iter().flatten().copied().reduce(f64::max).map(|v| format!("max {}", (r.unit)(v))),
        };
        let style = if r.label.contains("5xx") && max > 0.0 { theme::bad() } else { theme::info() };
        lines.push(Line::from(vec![
            Span::styled(format!("{:<LABEL$}", theme::clip(&r.label, LABEL - 1)), theme::title()),
            Span::styled(bars, style),
            Span::styled(format!("  {}", worst.unwrap_or_else(|| "no data".to_owned())), Style::new()),
        ]));
    }
    lines.push(axis(&deployments, from, to, cols));
    lines.push(times(state, from, to, cols));
    if !deployments.is_empty() {
        lines.push(Line::styled(format!("{:LABEL$}▲ a deployment started  ▼ it ended", ""), theme::dim()));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn block(span: &str) -> Block<'static> {
    Block::bordered().title(Line::from(vec![Span::styled(" Metrics ", theme::title()), Span::raw(format!("{span} "))]))
}

/// The axis: `▲` where a deployment started, `▼` where it ended.
fn axis(deployments: &[(i64, Option<i64>)], from: i64, to: i64, cols: usize) -> Line<'static> {
    let mut row: Vec<char> = vec!['─'; cols];
    for (start, end) in deployments {
        if let Some(i) = end.and_then(|e| cell_of(e, from, to, cols)) {
            row[i] = '▼';
        }
        if let Some(i) = cell_of(*start, from, to, cols) {
            row[i] = '▲';
        }
    }
    Line::from(vec![Span::raw(" ".repeat(LABEL)), Span::styled(row.into_iter().collect::<String>(), theme::info())])
}

/// The window's start, middle and end under the axis.
fn times(state: &State, from: i64, to: i64, cols: usize) -> Line<'static> {
    let c = state.window.clock;
    let (a, m, b) = (c.hm(from), c.hm(from + (to - from) / 2), c.hm(to));
    let mut row = vec![' '; cols.max(5)];
    let mut put = |at: usize, s: &str| {
        for (i, ch) in s.chars().enumerate() {
            if let Some(slot) = row.get_mut(at + i) {
                *slot = ch;
            }
        }
    };
    put(0, &a);
    if cols > 20 {
        put(cols / 2 - 2, &m);
    }
    if cols > 10 {
        put(cols.saturating_sub(5), &b);
    }
    Line::from(vec![Span::raw(" ".repeat(LABEL)), Span::styled(row.into_iter().collect::<String>(), theme::dim())])
}
