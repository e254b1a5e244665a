//! The console's look and the small text helpers every panel shares: colours by meaning, number
//! and time formats, a panel's age/loading/error line, sparklines and char-wise wrapping. It
//! must not read state beyond what it is handed, nor draw.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::app::Panel;
use crate::model::{FetchError, explain_exit_code, format_age};

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}
pub fn bad() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}
pub fn warn() -> Style {
    Style::new().fg(Color::Yellow)
}
pub fn good() -> Style {
    Style::new().fg(Color::Green)
}
pub fn info() -> Style {
    Style::new().fg(Color::Cyan)
}
pub fn title() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}
pub fn key() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}
pub fn selected() -> Style {
    Style::new().bg(Color::Blue).fg(Color::White).add_modifier(Modifier::BOLD)
}
pub fn hit() -> Style {
    Style::new().bg(Color::Yellow).fg(Color::Black)
}

/// `1234567` → `1,234,567`: the one formatting of counts, `model`'s.
pub use crate::model::thousands;

/// A percentage with one decimal below 10 (`0.4%`, `97%`).
pub fn percent(p: f64) -> String {
    if p > 0.0 && p < 10.0 { format!("{p:.1}%") } else { format!("{p:.0}%") }
}

/// A window or duration in seconds → `3h`, `90m`, `45s`.
pub fn window(secs: u64) -> String {
    match secs {
        s if s >= 3600 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// Milliseconds → `9.8s` below a minute, else the table age (`2m`).
pub fn seconds(ms: i64) -> String {
    if ms < 60_000 { format!("{:.1}s", ms as f64 / 1000.0) } else { format_age(ms) }
}

/// Bytes → `2.1 TiB`, `512 MiB`.
pub fn bytes(b: f64) -> String {
    crate::model::format_bytes(b)
}

/// "exit 137" in a reason gets its meaning appended: `… exit 137: killed (SIGKILL, out of memory?)`.
pub fn explain_reason(reason: &str) -> String {
    let Some(at) = reason.rfind("exit ") else {
        return reason.to_owned();
    };
    let digits: String = reason[at + 5..].chars().take_while(char::is_ascii_digit).collect();
    match digits.parse::<i32>() {
        Ok(code) if code != 0 => format!("{reason} — {}", explain_exit_code(code)),
        _ => reason.to_owned(),
    }
}

/// How a service event reads: a steady state good; a failure, an unhealthy target or a
/// rollback bad.
pub fn event_style(message: &str) -> Style {
    if message.contains("steady state") {
        good()
    } else if ["unable", "failed", "unhealthy", "error", "rolling back"].iter().any(|w| message.contains(w)) {
        bad()
    } else {
        Style::new()
    }
}

/// A sparkline's cells, lowest to highest.
pub const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A per-minute series as `width` block characters (older left), summing minutes per cell.
pub fn sparkline(series: &[u64], width: usize) -> String {
    if width == 0 || series.is_empty() {
        return String::new();
    }
    let cells = width.min(series.len());
    let per = series.len().div_ceil(cells);
    let sums: Vec<u64> = series.chunks(per).map(|c| c.iter().sum()).collect();
    let max = sums.iter().copied().max().unwrap_or(0).max(1);
    sums.iter().map(|&v| if v == 0 { BARS[0] } else { BARS[(1 + (v * 6).div_ceil(max)).min(7) as usize] }).collect()
}

/// A panel's freshness for a title: `loading…`, `data 3s`, `stale 2m`.
pub fn age_span<T>(panel: &Panel<T>, now_ms: i64) -> Span<'static> {
    match (panel.age_ms(now_ms), panel.is_stale(now_ms)) {
        _ if panel.data.is_none() && panel.error.is_some() => Span::styled("no data", bad()),
        (None, _) => Span::styled("loading…", dim()),
        (Some(age), false) => Span::styled(format!("data {}", format_age(age)), dim()),
        (Some(age), true) => Span::styled(format!("stale {}", format_age(age)), warn()),
    }
}

/// Time left, counted in whole seconds rounded up (`8s`, `1s`), minutes beyond one.
fn countdown(ms: i64) -> String {
    if ms < 60_000 { format!("{}s", (ms + 999) / 1000) } else { format_age(ms) }
}

/// A panel's error as one line: what failed, why, what to do, when it retries (counting down
/// on the state's clock; `retrying…` once that time has come).
pub fn error_line<T>(panel: &Panel<T>, now_ms: i64) -> Option<Line<'static>> {
    let e: &FetchError = panel.error.as_ref()?;
    let mut text = format!("⚠ {}: {}", e.operation, e.message);
    if !e.hint.is_empty() {
        text.push_str(" — ");
        text.push_str(&e.hint);
    }
    match panel.retry_at_ms.map(|at| at - now_ms) {
        Some(ms) if ms > 0 => text.push_str(&format!(" · retry in {}", countdown(ms))),
        Some(_) => text.push_str(" · retrying…"),
        None => {}
    }
    Some(Line::styled(text, bad()))
}

/// Clears what an overlay covers, and one column either side of it within `area`, so that no
/// character of the screen beneath shows between its border and the panel's (`│S│`).
pub fn overlay(frame: &mut ratatui::Frame, popup: ratatui::layout::Rect, area: ratatui::layout::Rect) {
    let x = popup.x.saturating_sub(1).max(area.x);
    let right = (popup.x + popup.width + 1).min(area.x + area.width);
    let margin = ratatui::layout::Rect { x, y: popup.y, width: right.saturating_sub(x), height: popup.height };
    frame.render_widget(ratatui::widgets::Clear, margin);
}

/// A panel's error wrapped to `width` columns, so that its hint (what to do) is never cut off
/// where the panel has the rows for it.
pub fn error_lines<T>(panel: &Panel<T>, now_ms: i64, width: u16) -> Vec<Line<'static>> {
    error_line(panel, now_ms).map_or_else(Vec::new, |l| wrap_line(l, usize::from(width)))
}

/// Splits a styled line into rows of at most `width` columns (char-wise, keeping styles).
pub fn wrap_line(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let mut rows: Vec<Line<'static>> = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let mut piece = String::new();
        for ch in span.content.chars() {
            let w = ch.width().unwrap_or(0);
            if used + w > width && used > 0 {
                row.push(Span::styled(std::mem::take(&mut piece), span.style));
                rows.push(Line::from(std::mem::take(&mut row)));
                used = 0;
            }
            piece.push(ch);
            used += w;
        }
        if !piece.is_empty() {
            row.push(Span::styled(piece, span.style));
        }
    }
    rows.push(Line::from(row));
    rows
}

/// Splits a styled line into rows of at most `width` columns at spaces (a word longer than a
/// row is cut char-wise), keeping styles; the space a row breaks at is dropped.
pub fn wrap_words(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let cells: Vec<(char, ratatui::style::Style)> =
        line.spans.iter().flat_map(|s| s.content.chars().map(move |c| (c, s.style))).collect();
    let mut rows: Vec<Vec<(char, ratatui::style::Style)>> = vec![Vec::new()];
    let mut used = 0;
    let mut i = 0;
    while i < cells.len() {
        let end = cells[i..].iter().position(|(c, _)| *c == ' ').map_or(cells.len(), |p| i + p.max(1));
        let word = &cells[i..end];
        let w: usize = word.iter().map(|(c, _)| c.width().unwrap_or(0)).sum();
        if used > 0 && used + w > width {
            rows.push(Vec::new());
            used = 0;
            if word.first().is_some_and(|(c, _)| *c == ' ') {
                i = end;
                continue;
            }
        }
        for &(c, style) in word {
            let cw = c.width().unwrap_or(0);
            if used + cw > width && used > 0 {
                rows.push(Vec::new());
                used = 0;
            }
            if let Some(row) = rows.last_mut() {
                row.push((c, style));
            }
            used += cw;
        }
        i = end;
    }
    rows.into_iter()
        .map(|mut row| {
            while row.len() > 1 && row.last().is_some_and(|(c, _)| *c == ' ') {
                row.pop();
            }
            let mut spans: Vec<Span<'static>> = Vec::new();
            for (c, style) in row {
                match spans.last_mut() {
                    Some(last) if last.style == style => last.content.to_mut().push(c),
                    _ => spans.push(Span::styled(c.to_string(), style)),
                }
            }
            Line::from(spans)
        })
        .collect()
}

/// One table column `width` terminal columns wide, the last of which is the gap before the
/// next column: text wider than `width - 1` is cut and the cut marked with `…`, so that a long
/// value (a container name from hostile input) never runs into its neighbour. Widths are
/// display widths: a wide character (CJK) counts two and is never split.
pub fn cell(s: &str, width: usize) -> String {
    let text = clip(s, width.saturating_sub(1));
    let used = text.width();
    pad_to(text, used, width)
}

/// `s` cut to at most `width` display columns, the cut marked with `…` (for table cells that
/// ratatui spaces itself, and for [`cell`]).
pub fn clip(s: &str, width: usize) -> String {
    let (kept, _) = take_width(s, width);
    if kept.len() == s.len() || width == 0 {
        return kept.to_string();
    }
    let (kept, _) = take_width(s, width - 1);
    format!("{kept}…")
}

/// A styled line cut to at most `width` display columns, the cut marked with `…` in the style
/// of the span it falls in: for one-row lines (the header) that would otherwise lose their end
/// unmarked at the screen's edge.
pub fn clip_line(line: Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line;
    }
    let mut left = width.saturating_sub(1);
    let mut spans = Vec::new();
    let mut last_style = line.style;
    for span in line.spans {
        last_style = span.style;
        let (kept, used) = take_width(&span.content, left);
        let whole = kept.len() == span.content.len();
        spans.push(Span::styled(kept.to_string(), span.style));
        left -= used;
        if !whole {
            break;
        }
    }
    if width > 0 {
        spans.push(Span::styled("…", last_style));
    }
    Line::from(spans).style(line.style)
}

/// `s` cut from the left to at most `width` display columns, the cut marked with a leading `…`:
/// for values whose end says most (an image's repository and tag after a long registry host).
pub fn clip_left(s: &str, width: usize) -> String {
    if s.width() <= width || width == 0 {
        return if width == 0 { String::new() } else { s.to_string() };
    }
    let mut used = 0;
    let mut start = s.len();
    for (i, ch) in s.char_indices().rev() {
        let w = ch.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        used += w;
        start = i;
    }
    format!("…{}", &s[start..])
}

/// `s` padded or cut to exactly `width` display columns, with no gap and no cut mark: for runs
/// of glyphs that fill their column by design (sparklines).
pub fn fit(s: &str, width: usize) -> String {
    let (kept, used) = take_width(s, width);
    pad_to(kept.to_string(), used, width)
}

/// The longest prefix of `s` at most `max` display columns wide, and its width.
fn take_width(s: &str, max: usize) -> (&str, usize) {
    let mut used = 0;
    for (i, ch) in s.char_indices() {
        let w = ch.width().unwrap_or(0);
        if used + w > max {
            return (&s[..i], used);
        }
        used += w;
    }
    (s, used)
}

fn pad_to(mut s: String, used: usize, width: usize) -> String {
    s.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_line_is_marked_and_never_wider_than_asked() {
        let line =
            Line::from(vec![Span::raw("⚠ ecs:DescribeServices: "), Span::styled("no AWS credentials found", bad())]);
        let cut = clip_line(line.clone(), 30);
        assert_eq!(cut.width(), 30);
        let text: String = cut.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "⚠ ecs:DescribeServices: no AW…");
        assert_eq!(cut.spans.last().map(|s| s.style), Some(bad()));
        assert_eq!(clip_line(line.clone(), 200), line);
        // Wide characters are never split: the mark takes the column that is left.
        let jp = clip_line(Line::raw("ログ日本語"), 6);
        assert!(jp.width() <= 6, "{jp:?}");
        assert!(jp.spans.iter().map(|s| s.content.as_ref()).collect::<String>().ends_with('…'));
    }

    #[test]
    fn formats() {
        assert_eq!(thousands(1_834), "1,834");
        assert_eq!(thousands(12), "12");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(percent(0.4), "0.4%");
        assert_eq!(percent(97.2), "97%");
        assert_eq!(crate::model::window::Clock::default().hms(1_764_338_531_000), "14:02:11");
        assert_eq!(window(10_800), "3h");
        assert_eq!(seconds(9_800), "9.8s");
        assert_eq!(bytes(2.3e12), "2.1 TiB");
        assert_eq!(sparkline(&[0, 1, 2, 8], 4).chars().count(), 4);
        assert_eq!(sparkline(&[1; 100], 10).chars().count(), 10);
        assert!(explain_reason("x (php-fpm exit 137)").ends_with("out of memory?)"));
        assert_eq!(cell("abcdef", 3), "a… ");
        assert_eq!(fit("abcdef", 3), "abc");
        assert_eq!(wrap_line(Line::from("abcdefgh"), 3).len(), 3);
        let rows: Vec<String> =
            wrap_words(Line::from("drains the old ones"), 10).iter().map(|l| l.to_string()).collect();
        assert_eq!(rows, ["drains the", "old ones"]);
        let rows: Vec<String> = wrap_words(Line::from("abcdefghij klm"), 4).iter().map(|l| l.to_string()).collect();
        assert_eq!(rows, ["abcd", "efgh", "ij", "klm"]);
        assert_eq!(wrap_words(Line::from(""), 0).len(), 1);
    }

    #[test]
    fn a_cut_cell_is_marked_and_keeps_its_gap() {
        assert_eq!(cell("nginx", 10), "nginx     ");
        assert_eq!(cell("123456789", 10), "123456789 ", "fits with its gap");
        assert_eq!(cell("php-fpm-xx", 10), "php-fpm-… ", "one too wide: cut, marked, gap kept");
        // The case: a hostile name, sanitised to visible tokens, ran into its status.
        let row = format!("{}{}", cell("side␛]52;cZWNobyBoaQ==", 10), cell("RUNNING", 10));
        assert_eq!(row, "side␛]52… RUNNING   ");
        // Display width, not chars: a wide character counts two and is never split.
        let wide = cell("日本語のコンテナ", 10);
        assert_eq!(wide, "日本語の… ");
        assert_eq!(unicode_width::UnicodeWidthStr::width(wide.as_str()), 10);
        assert_eq!(cell("日本語の", 8), "日本語… ", "8 columns of text leave no gap in 8: cut");
        assert_eq!(cell("日本語", 8), "日本語  ");
        assert_eq!(cell("", 3), "   ");
        assert_eq!(cell("abc", 1), " ");
        assert_eq!(cell("abc", 0), "");
        assert_eq!(clip("nginx", 5), "nginx");
        assert_eq!(clip("php-fpm", 5), "php-…");
        assert_eq!(clip("日本語", 5), "日本…");
        assert_eq!(clip_left("registry.example/wordpress:42", 14), "…/wordpress:42");
        assert_eq!(clip_left("wordpress:42", 14), "wordpress:42");
        assert_eq!(clip_left("レジストリ/wp", 6), "…リ/wp");
        assert_eq!(fit("▁▂▃", 5), "▁▂▃  ");
        assert_eq!(fit("▁▂▃▄", 4), "▁▂▃▄", "a sparkline fills its column");
    }
}
