//! The one column layout of every table: each column has a minimum width, a width it would like,
//! a priority and a way to shorten its values. At a narrower width the columns of lowest
//! priority go first; the ones left share the width up to what they would like; a value that
//! does not fit is shortened in a way that keeps its meaning (the revision number of
//! `family:revision`, the tag and digest of an image, the end of an ARN), always marked with `…`,
//! never cut into another plausible value. Widths are display widths (Japanese text and emoji
//! take two cells) and shortening never splits a character. Pure.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::theme;

/// How a value too wide for its column is shortened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shorten {
    /// Keep the start, `…` at the end: free text (reasons, messages, statuses).
    End,
    /// Keep the end, `…` at the start: ARNs, target groups, paths whose end says most.
    Start,
    /// Keep what follows the last `:` whole (`wordpr…:42`): task definitions, `name:tag`.
    Revision,
    /// Keep both ends (`ecs-svc/12…4567`): long ids whose start and end both identify them.
    Middle,
}

/// One column of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Col {
    pub title: &'static str,
    /// Never narrower than this while shown.
    pub min: usize,
    /// As wide as this when there is room (0: takes what is left, for the last free-text column).
    pub want: usize,
    /// 0 is always shown; higher numbers go first when the width is short.
    pub priority: u8,
    pub shorten: Shorten,
}

impl Col {
    pub const fn new(title: &'static str, min: usize, want: usize, priority: u8, shorten: Shorten) -> Col {
        Col { title, min, want, priority, shorten }
    }
}

/// Space between two columns.
pub const GAP: usize = 1;

/// The width of each column in `width` cells (None: the column is left out), so that the shown
/// columns and their gaps never exceed it.
pub fn layout(cols: &[Col], width: usize) -> Vec<Option<usize>> {
    let mut shown: Vec<bool> = vec![true; cols.len()];
    let needed = |shown: &[bool]| -> usize {
        let n = shown.iter().filter(|s| **s).count();
        cols.iter().zip(shown).filter(|(_, s)| **s).map(|(c, _)| c.min).sum::<usize>() + n.saturating_sub(1) * GAP
    };
    // Drop the lowest-priority columns (the rightmost first among equals) until the minimums fit.
    while needed(&shown) > width {
        let drop = (0..cols.len()).filter(|&i| shown[i] && cols[i].priority > 0).max_by_key(|&i| (cols[i].priority, i));
        match drop {
            Some(i) => shown[i] = false,
            None => break,
        }
    }
    let mut widths: Vec<Option<usize>> = cols.iter().zip(&shown).map(|(c, s)| s.then_some(c.min)).collect();
    let mut left = width.saturating_sub(needed(&shown));
    // Grow towards what each would like, the most important first.
    let mut order: Vec<usize> = (0..cols.len()).filter(|&i| shown[i]).collect();
    order.sort_by_key(|&i| (cols[i].priority, i));
    for &i in &order {
        if let Some(w) = widths[i].as_mut() {
            let grow = cols[i].want.saturating_sub(*w).min(left);
            *w += grow;
            left -= grow;
        }
    }
    // What is left goes to the free column (want 0), else stays as margin.
    if let Some(w) = (0..cols.len()).rev().find(|&i| shown[i] && cols[i].want == 0).and_then(|i| widths[i].as_mut()) {
        *w += left;
    }
    widths
}

/// `value` in at most `width` display cells, shortened as `how` says; marked with `…` when cut.
pub fn shorten(value: &str, width: usize, how: Shorten) -> String {
    if value.width() <= width {
        return value.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    match how {
        Shorten::End => theme::clip(value, width),
        Shorten::Start => theme::clip_left(value, width),
        Shorten::Revision => match value.rsplit_once(':') {
            Some((head, tail)) if tail.width() + 2 <= width => {
                let room = width - tail.width() - 1;
                format!("{}:{tail}", theme::clip(head, room))
            }
            // Not even the revision fits with a mark: the revision alone, cut from its left.
            _ => theme::clip_left(value, width),
        },
        Shorten::Middle => {
            if width < 3 {
                return theme::clip(value, width);
            }
            let head = (width - 1).div_ceil(2);
            let tail = width - 1 - head;
            let start = theme::clip(value, head + 1);
            let start = start.strip_suffix('…').unwrap_or(&start);
            let end = theme::clip_left(value, tail + 1);
            let end = end.strip_prefix('…').unwrap_or(&end);
            format!("{start}…{end}")
        }
    }
}

/// One row of a table: each shown column's value shortened to its width and padded, joined by
/// the gap (the last column is not padded).
pub fn row(cols: &[Col], widths: &[Option<usize>], values: &[&str]) -> String {
    cells(cols, widths, values).into_iter().map(|(text, _)| text).collect()
}

/// One row as a styled line: each shown cell in the style `style` gives its column's index.
pub fn styled(
    cols: &[Col],
    widths: &[Option<usize>],
    values: &[String],
    style: impl Fn(usize) -> Style,
) -> Line<'static> {
    Line::from(
        cells(cols, widths, values).into_iter().map(|(text, i)| Span::styled(text, style(i))).collect::<Vec<_>>(),
    )
}

/// The shown columns' cells of one row as (text, index of its column), shortened and padded.
pub fn cells(cols: &[Col], widths: &[Option<usize>], values: &[impl AsRef<str>]) -> Vec<(String, usize)> {
    let shown: Vec<usize> = (0..cols.len()).filter(|&i| widths.get(i).copied().flatten().is_some()).collect();
    shown
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let w = widths[i].unwrap_or(0);
            let mut text = shorten(values.get(i).map_or("", AsRef::as_ref), w, cols[i].shorten);
            if n + 1 < shown.len() {
                let pad = w.saturating_sub(text.width()) + GAP;
                text.push_str(&" ".repeat(pad));
            }
            (text, i)
        })
        .collect()
}

/// The header row: the shown columns' titles.
pub fn header(cols: &[Col], widths: &[Option<usize>]) -> String {
    let titles: Vec<&str> = cols.iter().map(|c| c.title).collect();
    row(cols, widths, &titles)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOY: [Col; 4] = [
        Col::new("STATUS", 7, 8, 0, Shorten::End),
        Col::new("TASK DEF", 8, 16, 0, Shorten::Revision),
        Col::new("CREATED", 7, 9, 2, Shorten::End),
        Col::new("REASON", 10, 0, 1, Shorten::End),
    ];

    #[test]
    fn low_priority_columns_go_first_and_the_rest_never_exceed_the_width() {
        for width in 0..120 {
            let w = layout(&DEPLOY, width);
            let shown: Vec<usize> = w.iter().flatten().copied().collect();
            let used = shown.iter().sum::<usize>() + shown.len().saturating_sub(1) * GAP;
            // Only the always-shown columns may not fit a width too small for them.
            if width >= 7 + 8 + GAP {
                assert!(used <= width, "{width}: {w:?}");
            }
            assert!(w[0].is_some() && w[1].is_some(), "priority 0 stays: {width} {w:?}");
        }
        assert_eq!(layout(&DEPLOY, 20)[2], None, "CREATED goes first");
        assert_eq!(layout(&DEPLOY, 20)[3], None);
        assert!(layout(&DEPLOY, 30)[3].is_some() && layout(&DEPLOY, 30)[2].is_none(), "then REASON");
        let wide = layout(&DEPLOY, 100);
        assert_eq!(wide[1], Some(16));
        assert_eq!(wide.iter().flatten().sum::<usize>() + 3, 100, "the free column takes the rest");
    }

    #[test]
    fn shortening_keeps_what_the_value_means() {
        // The revision number survives: never `wordpress:4` for wordpress:42.
        assert_eq!(shorten("wordpress:42", 12, Shorten::Revision), "wordpress:42");
        assert_eq!(shorten("wordpress:42", 11, Shorten::Revision), "wordpre…:42");
        assert_eq!(shorten("wordpress:42", 6, Shorten::Revision), "wo…:42");
        assert_eq!(shorten("wordpress:42", 3, Shorten::Revision), "…42");
        let arn = shorten(
            "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/tg-wordpress/6d0ecf",
            24,
            Shorten::Start,
        );
        assert!(arn.starts_with('…') && arn.ends_with("tg-wordpress/6d0ecf") && arn.width() == 24, "{arn}");
        assert_eq!(shorten("203.0.113.45", 8, Shorten::End), "203.0.1…");
        assert_eq!(shorten("ecs-svc/4698537792786459843", 15, Shorten::Middle), "ecs-svc…6459843");
        for (value, how) in [
            ("ログ日本語のテキスト", Shorten::End),
            ("ログ日本語のテキスト", Shorten::Start),
            ("ログ日本語:42", Shorten::Revision),
            ("ログ日本語のテキスト", Shorten::Middle),
        ] {
            for w in 0..14 {
                let s = shorten(value, w, how);
                assert!(s.width() <= w, "{value} {how:?} {w}: {s}");
                assert!(s == value || s.contains('…') || w == 0, "a cut is marked: {s}");
            }
        }
    }

    #[test]
    fn rows_line_up_under_their_header() {
        let w = layout(&DEPLOY, 60);
        let head = header(&DEPLOY, &w);
        let line = row(&DEPLOY, &w, &["PRIMARY", "wordpress:42", "2h ago", "ECS deployment ecs-svc/1 completed."]);
        assert_eq!(head.find("TASK DEF"), line.find("wordpress:42"));
        assert!(line.width() <= 60, "{line}");
        let cells = cells(&DEPLOY, &w, &["PRIMARY", "wordpress:42"]);
        assert_eq!(cells.iter().map(|(t, _)| t.as_str()).collect::<String>().find("wordpress"), head.find("TASK DEF"));
    }
}
