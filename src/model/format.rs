//! Number and age formatting, one home for every room: `1,204`, `2h11m`. The console and the
//! command line both print through these, so a figure reads the same everywhere.

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Bytes → `2.1 TiB`, `512 MiB`.
pub fn format_bytes(b: f64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = b.max(0.0);
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if v < 10.0 && unit > 0 { format!("{v:.1} {}", UNITS[unit]) } else { format!("{v:.0} {}", UNITS[unit]) }
}

/// An age or a duration in the largest units that matter: `42s`, `12m`, `2h11m`, `3d4h`.
pub fn format_age(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{m}m")
    } else if s < 86_400 {
        format!("{h}h{m:02}m")
    } else {
        format!("{d}d{h}h")
    }
}

/// How long ago `at_ms` was, for a time AWS may not have given (moto leaves `stoppedAt` out):
/// `3m ago`, or `(time unknown)` — never an age counted from 1970.
pub fn format_ago(now_ms: i64, at_ms: Option<i64>) -> String {
    match at_ms {
        Some(at) => format!("{} ago", format_age(now_ms - at)),
        None => "(time unknown)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_and_ages() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(format_age(-5), "0s");
        assert_eq!(format_age(59_999), "59s");
        assert_eq!(format_age(7_860_000), "2h11m");
        assert_eq!(format_age(86_400_000 + 3_600_000), "1d1h");
        assert_eq!(format_ago(1_000_000, Some(820_000)), "3m ago");
        assert_eq!(format_ago(1_796_000_000_000, None), "(time unknown)");
    }
}
