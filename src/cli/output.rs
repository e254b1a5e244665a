//! Plain output for the subcommands: colour only on a terminal and never with `NO_COLOR`,
//! aligned tables that fit 80 columns, times and counts as people read them, and the one-line
//! error report at the edge. It formats already-sanitised text; it must not sanitise or fetch.

use std::io::{IsTerminal, Write};

pub use crate::model::thousands;

/// Whether to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

/// ANSI colours used by the text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Red,
    Green,
    Yellow,
    Dim,
    Bold,
}

impl Style {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty (no-color.org).
    pub fn detect() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style { color: !no_color && std::io::stdout().is_terminal() }
    }

    pub fn plain() -> Style {
        Style { color: false }
    }

    /// `text` in colour `c` (unchanged when colour is off).
    pub fn paint(&self, c: Color, text: &str) -> String {
        if !self.color || text.is_empty() {
            return text.to_string();
        }
        let code = match c {
            Color::Red => "31",
            Color::Green => "32",
            Color::Yellow => "33",
            Color::Dim => "2",
            Color::Bold => "1",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
}

/// Display width of a cell (ANSI colour codes take none).
fn width(s: &str) -> usize {
    let mut w = 0;
    let mut in_escape = false;
    for ch in s.chars() {
        if in_escape {
            in_escape = ch != 'm';
        } else if ch == '\x1b' {
            in_escape = true;
        } else {
            w += unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        }
    }
    w
}

/// Lays rows out in columns two spaces apart; the last column is not padded.
pub fn table(rows: &[Vec<String>]) -> Vec<String> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(width(cell));
        }
    }
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                line.push_str(cell);
                if i + 1 < row.len() {
                    line.push_str(&" ".repeat(widths[i] - width(cell) + 2));
                }
            }
            line.trim_end().to_string()
        })
        .collect()
}

/// RFC 3339 in UTC with milliseconds, for JSON.
pub fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// `14:02:11` in local time, for log lines.
pub fn clock(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&chrono::Local).format("%H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Writes lines to stdout; false when the reader has gone (a closed pipe), so callers stop.
pub fn print_lines(lines: &[String]) -> bool {
    let mut out = std::io::stdout().lock();
    for l in lines {
        if writeln!(out, "{l}").is_err() {
            return false;
        }
    }
    out.flush().is_ok()
}

/// Prints one JSON document on its own line.
pub fn print_json<T: serde::Serialize>(value: &T) -> bool {
    match serde_json::to_string(value) {
        Ok(s) => print_lines(&[s]),
        Err(e) => {
            eprintln!("wpops: cannot write JSON: {e}");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_and_colour_takes_no_width() {
        let s = Style { color: true };
        let rows = vec![
            vec!["TASK".into(), "STATUS".into(), "NOTE".into()],
            vec!["3f2a9c1e".into(), s.paint(Color::Red, "STOPPED"), "x".into()],
        ];
        let out = table(&rows);
        assert_eq!(out[0], "TASK      STATUS   NOTE");
        assert_eq!(out[1], "3f2a9c1e  \x1b[31mSTOPPED\x1b[0m  x");
        assert_eq!(Style::plain().paint(Color::Red, "x"), "x");
    }

    #[test]
    fn numbers_and_times() {
        assert_eq!(thousands(1_204), "1,204");
        assert_eq!(thousands(12), "12");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
    }
}
