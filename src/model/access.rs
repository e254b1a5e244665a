//! nginx access lines in the site's format (combined + `"$http_x_forwarded_for" $request_time`),
//! parsed by hand into borrowed slices, since this runs on every log line (QUALITY.md P1).
//! The slices are raw outside text: never display them without `sanitize_line`. No regex here.

use serde::Serialize;

use super::scan::find_byte;

/// One parsed access line, borrowing the raw text. Fields an older `combined` line lacks
/// (`forwarded_for`, `request_time_s`) are empty / `None`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AccessLine<'a> {
    /// The real client: the first `X-Forwarded-For` address, or `remote_addr` when that is `-`.
    pub client: &'a str,
    /// The peer nginx saw: behind the ALB, the ALB's own address.
    pub remote_addr: &'a str,
    /// `28/Nov/2026:14:02:11 +0000`; see [`parse_time_local`].
    pub time_local: &'a str,
    /// Empty when the request line does not start with an upper-case method (probes, TLS noise).
    pub method: &'a str,
    pub path: &'a str,
    pub protocol: &'a str,
    pub status: u16,
    pub bytes: u64,
    pub referer: &'a str,
    pub user_agent: &'a str,
    pub forwarded_for: &'a str,
    pub request_time_s: Option<f32>,
    /// The ALB's own health check (`ELB-HealthChecker/2.0`): left out of request rates.
    pub is_health_check: bool,
}

/// HTTP status classes, as the log view colours them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum StatusClass {
    Informational,
    Success,
    Redirect,
    ClientError,
    ServerError,
    Other,
}

impl StatusClass {
    pub const ALL: [StatusClass; 6] = [
        StatusClass::Informational,
        StatusClass::Success,
        StatusClass::Redirect,
        StatusClass::ClientError,
        StatusClass::ServerError,
        StatusClass::Other,
    ];

    pub fn of(status: u16) -> StatusClass {
        match status {
            100..=199 => StatusClass::Informational,
            200..=299 => StatusClass::Success,
            300..=399 => StatusClass::Redirect,
            400..=499 => StatusClass::ClientError,
            500..=599 => StatusClass::ServerError,
            _ => StatusClass::Other,
        }
    }

    /// `2xx`, `5xx`, … (`other` for nonsense statuses).
    pub fn label(self) -> &'static str {
        match self {
            StatusClass::Informational => "1xx",
            StatusClass::Success => "2xx",
            StatusClass::Redirect => "3xx",
            StatusClass::ClientError => "4xx",
            StatusClass::ServerError => "5xx",
            StatusClass::Other => "other",
        }
    }

    /// Position in [`StatusClass::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Parses one raw nginx access line; `None` when it is not one (error log, noise).
pub fn parse_access_line(line: &str) -> Option<AccessLine<'_>> {
    let mut c = Cursor { s: line, i: 0 };
    let remote_addr = c.token()?;
    let _ident = c.token()?;
    let _remote_user = c.token()?;
    let time_local = c.bracketed()?;
    let request = c.request()?;
    let status = c.token()?;
    if status.len() != 3 {
        return None;
    }
    let status = parse_u64(status)? as u16;
    let bytes = parse_u64(c.token()?)?;
    let referer = c.quoted().unwrap_or("");
    let user_agent = c.quoted().unwrap_or("");
    let forwarded_for = c.quoted().unwrap_or("");
    let request_time_s = c.token().and_then(parse_seconds);
    let (method, path, protocol) = split_request(request);
    Some(AccessLine {
        client: client_of(forwarded_for, remote_addr),
        remote_addr,
        time_local,
        method,
        path,
        protocol,
        status,
        bytes,
        referer,
        user_agent,
        forwarded_for,
        request_time_s,
        is_health_check: user_agent.starts_with("ELB-HealthChecker"),
    })
}

fn client_of<'a>(forwarded_for: &'a str, remote_addr: &'a str) -> &'a str {
    let first = forwarded_for.split(',').next().unwrap_or("").trim();
    if first.is_empty() || first == "-" { remote_addr } else { first }
}

fn split_request(request: &str) -> (&str, &str, &str) {
    let Some((method, rest)) = request.split_once(' ') else {
        return ("", request, "");
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return ("", request, "");
    }
    match rest.rsplit_once(' ') {
        Some((path, proto)) if proto.starts_with("HTTP/") => (method, path, proto),
        _ => (method, rest, ""),
    }
}

fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 19 {
        return None;
    }
    let mut n: u64 = 0;
    for b in s.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    Some(n)
}

/// `0.043` → 0.043; `-` or anything odd → `None`.
fn parse_seconds(s: &str) -> Option<f32> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.len() > 9 || frac.len() > 9 || (whole.is_empty() && frac.is_empty()) {
        return None;
    }
    let whole_n = if whole.is_empty() { 0 } else { parse_u64(whole)? };
    let frac_n = if frac.is_empty() { 0 } else { parse_u64(frac)? };
    let scale = 10u64.pow(frac.len() as u32) as f64;
    Some((whole_n as f64 + frac_n as f64 / scale) as f32)
}

/// `28/Nov/2026:14:02:11 +0000` → epoch milliseconds.
pub fn parse_time_local(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 26 || b[2] != b'/' || b[6] != b'/' || b[11] != b':' || b[20] != b' ' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(parse_u64);
    let day = num(0..2)? as u32;
    let month = match s.get(3..6)? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year = num(7..11)? as i32;
    let (h, m, sec) = (num(12..14)?, num(15..17)?, num(18..20)?);
    let sign = match b[21] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let offset_min = (num(22..24)? * 60 + num(24..26)?) as i64 * sign;
    let at = chrono::NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(h as u32, m as u32, sec as u32)?;
    Some(at.and_utc().timestamp_millis() - offset_min * 60_000)
}

/// A byte cursor over one line; every slice it returns ends on an ASCII byte, so it is a char
/// boundary.
struct Cursor<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Cursor<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.s.as_bytes()
    }

    fn skip_spaces(&mut self) {
        while self.bytes().get(self.i) == Some(&b' ') {
            self.i += 1;
        }
    }

    /// A non-empty run up to the next space or the end.
    fn token(&mut self) -> Option<&'a str> {
        self.skip_spaces();
        let start = self.i;
        let rest = &self.bytes()[start..];
        let len = find_byte(rest, b' ').unwrap_or(rest.len());
        if len == 0 {
            return None;
        }
        self.i = start + len;
        self.s.get(start..self.i)
    }

    fn bracketed(&mut self) -> Option<&'a str> {
        self.delimited(b'[', b']')
    }

    fn quoted(&mut self) -> Option<&'a str> {
        self.delimited(b'"', b'"')
    }

    fn delimited(&mut self, open: u8, close: u8) -> Option<&'a str> {
        self.skip_spaces();
        if self.bytes().get(self.i) != Some(&open) {
            return None;
        }
        let start = self.i + 1;
        let len = find_byte(&self.bytes()[start..], close)?;
        self.i = start + len + 1;
        self.s.get(start..start + len)
    }

    /// The quoted request; it ends at the first `"` followed by ` ` and a digit (the status),
    /// so an unescaped quote inside (nginx `escape=none`) does not cut it short.
    fn request(&mut self) -> Option<&'a str> {
        self.skip_spaces();
        let b = self.bytes();
        if b.get(self.i) != Some(&b'"') {
            return None;
        }
        let start = self.i + 1;
        let mut j = start;
        loop {
            j += find_byte(&b[j..], b'"')?;
            if b.get(j + 1) == Some(&b' ') && b.get(j + 2).is_some_and(u8::is_ascii_digit) {
                break;
            }
            j += 1;
        }
        self.i = j + 1;
        self.s.get(start..j)
    }
}

#[cfg(test)]
mod tests;
