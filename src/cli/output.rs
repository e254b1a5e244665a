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

/// The first error met writing stdout, kept for the edge (`cli::main` calls [`finish`]) to
/// report once: a subcommand stops writing when a write fails, and never decides what it means.
static WRITE_ERROR: std::sync::Mutex<Option<std::io::Error>> = std::sync::Mutex::new(None);

fn write_error() -> std::sync::MutexGuard<'static, Option<std::io::Error>> {
    // A poisoned lock only means a thread panicked while holding a plain value.
    WRITE_ERROR.lock().unwrap_or_else(|e| e.into_inner())
}

/// Keeps the first write error; false, so callers can `return record(e)`.
fn record(e: std::io::Error) -> bool {
    write_error().get_or_insert(e);
    false
}

/// Writes `bytes` to stdout and flushes; false when stdout failed now or earlier (a closed
/// pipe, a full disk), so that callers stop writing.
pub fn print_bytes(bytes: &[u8]) -> bool {
    if write_error().is_some() {
        return false;
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => true,
        Err(e) => record(e),
    }
}

/// Writes lines to stdout; false when stdout failed (the reader has gone, the disk is full),
/// so callers stop. The error itself is reported once, by [`finish`].
pub fn print_lines(lines: &[String]) -> bool {
    if write_error().is_some() {
        return false;
    }
    let mut out = std::io::stdout().lock();
    for l in lines {
        if let Err(e) = writeln!(out, "{l}") {
            return record(e);
        }
    }
    match out.flush() {
        Ok(()) => true,
        Err(e) => record(e),
    }
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

/// How writing stdout went, once the command is done.
#[derive(Debug)]
pub enum Written {
    /// Everything was written and flushed.
    All,
    /// The reader went away (`| head`): not an error, the command ends quietly.
    ReaderGone,
    /// A write failed (a full disk, an I/O error): the edge says so and exits 1.
    Failed(std::io::Error),
}

/// The final flush of stdout, and what became of every write (QUALITY.md item 14).
pub fn finish() -> Written {
    if write_error().is_none()
        && let Err(e) = std::io::stdout().lock().flush()
    {
        record(e);
    }
    match write_error().take() {
        None => Written::All,
        Some(e) => classify(e),
    }
}

/// A closed pipe is the reader's choice; anything else is a failure.
fn classify(e: std::io::Error) -> Written {
    if e.kind() == std::io::ErrorKind::BrokenPipe { Written::ReaderGone } else { Written::Failed(e) }
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

    #[test]
    fn a_closed_pipe_is_quiet_and_other_write_errors_are_failures() {
        let gone = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(matches!(classify(gone), Written::ReaderGone));
        let full = std::io::Error::from_raw_os_error(28);
        assert!(matches!(classify(full), Written::Failed(_)));
    }
}
