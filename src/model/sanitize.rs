//! The text sanitiser: every piece of outside text (log lines, ECS events, stopped reasons,
//! stream, rule and URI names) passes through here once, where it enters, before it is stored
//! for display or printed. It never drops information silently and never lets a control,
//! escape sequence, bidi or zero-width character reach the terminal raw.
//!
//! Decisions:
//! - A tab becomes one space (no column expansion: cheap, predictable, idempotent).
//! - C0 controls and DEL become their Unicode "control picture" (`␇`, `␡`, …; ESC is `␛`).
//! - An ESC sequence keeps its printable body after the `␛`: CSI `ESC [ 3 1 m` shows as `␛[31m`,
//!   OSC/DCS/SOS/PM/APC strings show as `␛]8;;http://x␇` (body sanitised, terminator shown as
//!   `␇` or `␛\`), two-byte sequences as `␛(B`.
//! - C1 controls, every Unicode Cf (format) char — bidi controls, zero-width chars, BOM, soft
//!   hyphen, tag chars — and the line/paragraph separators U+2028/U+2029 become `<U+XXXX>`.
//!   Note this includes U+200D ZERO WIDTH JOINER, so joined emoji show their parts.
//!
//! Every token is made of printable, non-Cc/Cf chars, so sanitising is idempotent.
//! This file must not allocate per char, use regex, or read anything but its argument.

use std::fmt::Write as _;

use super::scan::{find_line_break, is_printable_ascii as is_clean};

/// Unicode 15 general category Cf, as inclusive code point ranges, sorted.
const FORMAT_CHARS: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

const ESC: u8 = 0x1b;
const BEL: u8 = 0x07;
const ESC_PICTURE: char = '\u{241B}';
const BEL_PICTURE: char = '\u{2407}';
const DEL_PICTURE: char = '\u{2421}';

/// True for chars of Unicode general category Cf (format), per the Unicode 15 table above.
pub fn is_format_char(c: char) -> bool {
    let cp = c as u32;
    if cp < 0xAD {
        return false;
    }
    for &(lo, hi) in FORMAT_CHARS {
        if cp < lo {
            return false;
        }
        if cp <= hi {
            return true;
        }
    }
    false
}

/// True for chars of general category Cc (C0, DEL, C1) or Cf.
pub fn is_control_or_format(c: char) -> bool {
    c.is_control() || is_format_char(c)
}

/// True for a non-ASCII char that must be shown as a `<U+XXXX>` token.
fn is_hidden_non_ascii(c: char) -> bool {
    let cp = c as u32;
    (0x80..=0x9F).contains(&cp) || cp == 0x2028 || cp == 0x2029 || is_format_char(c)
}

fn is_printable_ascii(b: u8) -> bool {
    (0x20..0x7f).contains(&b)
}

/// Sanitises one display line (an embedded newline shows as `␊`; use [`sanitize_lines`] to split).
pub fn sanitize_line(s: &str) -> String {
    if is_clean(s.as_bytes()) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 16);
    sanitize_line_into(s, &mut out);
    out
}

/// Appends the sanitised form of `s` to `out` (no allocation beyond `out`'s growth).
pub fn sanitize_line_into(s: &str, out: &mut String) {
    let bytes = s.as_bytes();
    if is_clean(bytes) {
        out.push_str(s);
        return;
    }
    let mut i = 0;
    let mut run = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if is_printable_ascii(b) {
            i += 1;
            continue;
        }
        if b < 0x80 {
            out.push_str(&s[run..i]);
            i = match b {
                ESC => push_escape(s, i, out),
                b'\t' => {
                    out.push(' ');
                    i + 1
                }
                _ => {
                    out.push(control_picture(b));
                    i + 1
                }
            };
            run = i;
            continue;
        }
        // `i` is always on a char boundary: we only ever step over whole chars.
        let Some(c) = s[i..].chars().next() else {
            break;
        };
        let width = c.len_utf8();
        if is_hidden_non_ascii(c) {
            out.push_str(&s[run..i]);
            push_code_point_token(c, out);
            i += width;
            run = i;
        } else {
            i += width;
        }
    }
    out.push_str(&s[run..]);
}

/// Splits on `\n`, `\r\n` and lone `\r`, then sanitises each line. A final line terminator
/// does not make an extra empty line; empty input gives one empty line.
pub fn sanitize_lines(s: &str) -> Vec<String> {
    split_lines(s).map(sanitize_line).collect()
}

/// The raw lines of `s`, split as [`sanitize_lines`] does, for parsers that read the original.
pub fn split_lines(s: &str) -> RawLines<'_> {
    RawLines { rest: s, done: false }
}

/// Iterator returned by [`split_lines`].
#[derive(Debug, Clone)]
pub struct RawLines<'a> {
    rest: &'a str,
    done: bool,
}

impl<'a> Iterator for RawLines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.done {
            return None;
        }
        let bytes = self.rest.as_bytes();
        match find_line_break(bytes) {
            None => {
                self.done = true;
                Some(self.rest)
            }
            Some(p) => {
                let line = &self.rest[..p];
                let skip = if bytes[p] == b'\r' && bytes.get(p + 1) == Some(&b'\n') { 2 } else { 1 };
                self.rest = &self.rest[p + skip..];
                self.done = self.rest.is_empty();
                Some(line)
            }
        }
    }
}

fn control_picture(b: u8) -> char {
    if b == 0x7f {
        return DEL_PICTURE;
    }
    // U+2400..U+241F are the control pictures for 0x00..0x1F.
    char::from_u32(0x2400 + u32::from(b)).unwrap_or('\u{FFFD}')
}

fn push_code_point_token(c: char, out: &mut String) {
    // Writing into a String cannot fail.
    let _ = write!(out, "<U+{:04X}>", c as u32);
}

/// Writes the token for the ESC sequence starting at `bytes[i] == ESC`; returns the index after it.
fn push_escape(s: &str, i: usize, out: &mut String) -> usize {
    let bytes = s.as_bytes();
    out.push(ESC_PICTURE);
    let Some(&intro) = bytes.get(i + 1) else {
        return i + 1;
    };
    match intro {
        b'[' => {
            let mut j = i + 2;
            while j < bytes.len() && (0x30..=0x3f).contains(&bytes[j]) {
                j += 1;
            }
            while j < bytes.len() && (0x20..=0x2f).contains(&bytes[j]) {
                j += 1;
            }
            if j < bytes.len() && (0x40..=0x7e).contains(&bytes[j]) {
                j += 1;
            }
            out.push_str(&s[i + 1..j]);
            j
        }
        b']' | b'P' | b'X' | b'^' | b'_' => push_string_sequence(s, i, out),
        0x20..=0x7e => {
            let mut j = i + 1;
            while j < bytes.len() && (0x20..=0x2f).contains(&bytes[j]) {
                j += 1;
            }
            if j < bytes.len() && (0x30..=0x7e).contains(&bytes[j]) {
                j += 1;
            }
            out.push_str(&s[i + 1..j]);
            j
        }
        _ => i + 1,
    }
}

/// OSC, DCS, SOS, PM, APC: `ESC intro body (BEL | ESC \)`. The body stops at the terminator,
/// at any other ESC (which then starts a sequence of its own) or at the end of the text.
fn push_string_sequence(s: &str, i: usize, out: &mut String) -> usize {
    let bytes = s.as_bytes();
    out.push(char::from(bytes[i + 1]));
    let body_start = i + 2;
    let mut j = body_start;
    while j < bytes.len() && bytes[j] != BEL && bytes[j] != ESC {
        j += 1;
    }
    // The body holds no ESC, so this recursion is one level deep at most.
    sanitize_line_into(&s[body_start..j], out);
    if j < bytes.len() && bytes[j] == BEL {
        out.push(BEL_PICTURE);
        return j + 1;
    }
    if j + 1 < bytes.len() && bytes[j] == ESC && bytes[j + 1] == b'\\' {
        out.push(ESC_PICTURE);
        out.push('\\');
        return j + 2;
    }
    j
}

#[cfg(test)]
mod tests;
