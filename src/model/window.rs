//! The time window the console shows and `wpops report` writes up: live (the default) or a fixed
//! range in the past; how the operator writes one (`2h`, `09:10`, `2026-11-28T09:10:00Z`) and how
//! a time reads back in their time zone (or UTC). Pure: the clock and the zone's offset are
//! passed in.

/// What the console shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TimeWindow {
    /// Following now, as it happens.
    #[default]
    Live,
    /// `[from_ms, to_ms]`, in the past.
    Fixed { from_ms: i64, to_ms: i64 },
}

impl TimeWindow {
    pub fn is_live(self) -> bool {
        self == TimeWindow::Live
    }

    /// The range, when fixed.
    pub fn range(self) -> Option<(i64, i64)> {
        match self {
            TimeWindow::Live => None,
            TimeWindow::Fixed { from_ms, to_ms } => Some((from_ms, to_ms)),
        }
    }
}

/// What was read over a window besides its log lines: the incident report of it (its verdict
/// and findings at the window's end, the timeline, the deployments with their outcomes, stopped
/// tasks, warmers, WAF), the metrics and the WAF's picture over it, and the service events.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowFacts {
    pub from_ms: i64,
    pub to_ms: i64,
    pub report: super::report::IncidentReport,
    pub platform: Result<super::PlatformMetrics, String>,
    /// `Ok(None)`: no web ACL on the load balancer.
    pub waf: Result<Option<super::WafSnapshot>, String>,
    /// The service events ECS keeps (the last 100), newest first.
    pub events: Vec<super::ServiceEvent>,
    /// The window's tasks as they stood at its end: those ECS lists that lived in it, then
    /// those it forgot, rebuilt from their logs (`model::past`).
    pub tasks: Vec<super::Task>,
    /// The stopped ones among them, grouped by reason.
    pub stopped: Vec<super::StoppedGroup>,
    /// Their warmers' reports and where each lookup stands, by task id.
    pub reports: std::collections::HashMap<String, super::FoundReport>,
    pub lookups: std::collections::HashMap<String, super::ReportLookup>,
}

/// How far the loading of a window's log lines has come (newest first).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WindowProgress {
    pub from_ms: i64,
    pub to_ms: i64,
    /// Lines and FilterLogEvents pages read so far.
    pub lines: u64,
    pub pages: u64,
    /// Everything from here to the window's end is loaded.
    pub reached_ms: i64,
    /// Nothing more will come: the window's start was reached, or the byte budget (`cut`).
    pub done: bool,
    /// The byte budget was reached: lines older than `reached_ms` were not loaded.
    pub cut: bool,
}

/// How long `:at TIME` looks when no end is given, and how wide the window is that Enter on a
/// timeline entry opens around it.
pub const AT_SPAN_MS: i64 = 30 * 60_000;

/// How times read: in the operator's zone (its offset east of UTC, taken at start) or in UTC.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    /// Seconds east of UTC of the operator's zone (0 in UTC).
    pub offset_secs: i32,
    /// Show UTC however the zone is (`T`, config `utc = true`).
    pub utc: bool,
}

impl Clock {
    fn offset_ms(self) -> i64 {
        if self.utc { 0 } else { i64::from(self.offset_secs) * 1000 }
    }

    /// The zone's name as the header says it: `UTC`, or `UTC+09:00`.
    pub fn zone(self) -> String {
        let off = if self.utc { 0 } else { self.offset_secs };
        if off == 0 {
            return "UTC".to_owned();
        }
        let sign = if off < 0 { '-' } else { '+' };
        let a = off.unsigned_abs();
        format!("UTC{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
    }

    /// `09:10:05` in the clock's zone.
    pub fn hms(self, ms: i64) -> String {
        let s = (ms + self.offset_ms()).div_euclid(1000).rem_euclid(86_400);
        format!("{:02}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
    }

    /// `09:10` in the clock's zone.
    pub fn hm(self, ms: i64) -> String {
        self.hms(ms)[..5].to_owned()
    }

    /// `2026-11-28 09:10` in the clock's zone.
    pub fn date_hm(self, ms: i64) -> String {
        chrono::DateTime::from_timestamp_millis(ms + self.offset_ms())
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| ms.to_string())
    }

    /// `09:10–09:40`, with the start's date when the range does not end today (by `now_ms`).
    pub fn range(self, from_ms: i64, to_ms: i64, now_ms: i64) -> String {
        let day = |ms: i64| (ms + self.offset_ms()).div_euclid(86_400_000);
        if day(from_ms) == day(now_ms) && day(to_ms) == day(now_ms) {
            format!("{}–{}", self.hm(from_ms), self.hm(to_ms))
        } else {
            format!("{}–{}", self.date_hm(from_ms), self.date_hm(to_ms))
        }
    }

    /// A time of day (`09:10`, `09:10:30`) in the clock's zone: the latest such time at or
    /// before `now_ms` (today's, or yesterday's when today's is still to come).
    pub fn time_of_day(self, s: &str, now_ms: i64) -> Option<i64> {
        let t = chrono::NaiveTime::parse_from_str(s, "%H:%M")
            .or_else(|_| chrono::NaiveTime::parse_from_str(s, "%H:%M:%S"))
            .ok()?;
        let secs = i64::from(chrono::Timelike::num_seconds_from_midnight(&t));
        let local_now = now_ms + self.offset_ms();
        let midnight = local_now.div_euclid(86_400_000) * 86_400_000;
        let mut at = midnight + secs * 1000;
        if at > local_now {
            at -= 86_400_000;
        }
        Some(at - self.offset_ms())
    }
}

/// `10m`, `2h`, `1d` back from `now`, or an RFC 3339 time; refused when it is before 1970 (a
/// duration too long to count back from now, such as `300000000y`, included).
pub fn parse_time(s: &str, now: i64) -> Result<i64, String> {
    if let Ok(d) = humantime::parse_duration(s) {
        return i64::try_from(d.as_millis())
            .ok()
            .and_then(|back| now.checked_sub(back))
            .filter(|t| *t >= 0)
            .ok_or_else(|| format!("{s:?} reaches back before 1970-01-01, where no log event can be"));
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp_millis())
        .map_err(|_| format!("{s:?} is neither a duration (10m, 2h, 1d) nor an RFC 3339 time (2026-11-28T05:00:00Z)"))
        .and_then(
            |t| {
                if t >= 0 { Ok(t) } else { Err(format!("{s:?} is before 1970-01-01, where no log event can be")) }
            },
        )
}

/// As [`parse_time`], and a time of day in the clock's zone (`09:10`).
pub fn parse_time_in(s: &str, now: i64, clock: Clock) -> Result<i64, String> {
    match clock.time_of_day(s, now) {
        Some(t) => Ok(t),
        None => {
            parse_time(s, now).map_err(|e| e.replace(") nor an RFC 3339", "), a time of day (09:10) nor an RFC 3339"))
        }
    }
}

/// A fixed window `[from, to]` checked as `wpops report` and the console take it: its start in
/// the past, its end after its start; the end is cut at now.
pub fn fixed(from: i64, to: i64, now: i64) -> Result<TimeWindow, String> {
    if from >= now {
        return Err("the window's start is not in the past: nothing has happened there yet".to_owned());
    }
    if to <= from {
        return Err("the window's end is not after its start: the window is empty".to_owned());
    }
    Ok(TimeWindow::Fixed { from_ms: from, to_ms: to.min(now) })
}

/// `:since 2h` → the last two hours; `:at 09:10` → 30 minutes from 09:10; `:at 09:10 09:40` →
/// that range. Times of day are in the clock's zone.
pub fn since(arg: &str, now: i64, clock: Clock) -> Result<TimeWindow, String> {
    let arg = arg.trim();
    if arg.is_empty() {
        return Err("give how far back: :since 2h".to_owned());
    }
    let from = parse_time_in(arg, now, clock)?;
    fixed(from, now, now)
}

pub fn at(args: &str, now: i64, clock: Clock) -> Result<TimeWindow, String> {
    let mut words = args.split_whitespace();
    let Some(start) = words.next() else { return Err("give a time: :at 09:10 (or :at 09:10 09:40)".to_owned()) };
    let from = parse_time_in(start, now, clock)?;
    let to = match words.next() {
        Some(end) => parse_time_in(end, now, clock)?,
        None => from + AT_SPAN_MS,
    };
    if let Some(extra) = words.next() {
        return Err(format!("unexpected {extra:?}: :at FROM [TO]"));
    }
    fixed(from, to, now)
}

/// The window Enter on a timeline entry opens: `AT_SPAN_MS` centred on it, cut at now.
pub fn around(at_ms: i64, now: i64) -> TimeWindow {
    let from = at_ms - AT_SPAN_MS / 2;
    let to = (at_ms + AT_SPAN_MS / 2).min(now);
    TimeWindow::Fixed { from_ms: from, to_ms: to.max(from + 60_000) }
}

/// How the minutes that fall in one cell of a sparkline are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    /// Counts (requests, 5xx, blocks).
    Sum,
    /// Levels where the worst is the highest (CPU, I/O limit, response time).
    Max,
    /// Levels where the worst is the lowest (burst credits).
    Min,
}

/// `cols` cells over `[from_ms, to_ms)`, each the `agg` of the points whose time falls in it;
/// `None` where no point does (no data is not zero). A window of any length fits: a cell spans
/// `(to - from) / cols`.
pub fn cells(points: &[(i64, f64)], from_ms: i64, to_ms: i64, cols: usize, agg: Agg) -> Vec<Option<f64>> {
    let mut out: Vec<Option<f64>> = vec![None; cols];
    for &(t, v) in points {
        let Some(i) = cell_of(t, from_ms, to_ms, cols) else { continue };
        out[i] = Some(match (out[i], agg) {
            (None, _) => v,
            (Some(a), Agg::Sum) => a + v,
            (Some(a), Agg::Max) => a.max(v),
            (Some(a), Agg::Min) => a.min(v),
        });
    }
    out
}

/// The cell a time falls in, if in the window.
pub fn cell_of(at_ms: i64, from_ms: i64, to_ms: i64, cols: usize) -> Option<usize> {
    if at_ms < from_ms || at_ms >= to_ms || cols == 0 {
        return None;
    }
    let span = (to_ms - from_ms).max(1);
    usize::try_from(i128::from(at_ms - from_ms) * cols as i128 / i128::from(span)).ok().map(|i| i.min(cols - 1))
}

#[cfg(test)]
mod tests {
    #[test]
    fn cells_combine_the_minutes_in_each_and_leave_gaps_empty() {
        let pts = [(0, 1.0), (60_000, 2.0), (120_000, 5.0), (300_000, 4.0)];
        assert_eq!(cells(&pts, 0, 360_000, 3, Agg::Sum), vec![Some(3.0), Some(5.0), Some(4.0)]);
        assert_eq!(cells(&pts, 0, 360_000, 6, Agg::Max), vec![Some(1.0), Some(2.0), Some(5.0), None, None, Some(4.0)]);
        assert_eq!(cells(&pts, 0, 360_000, 2, Agg::Min), vec![Some(1.0), Some(4.0)]);
        assert_eq!(cells(&pts, 0, 360_000, 0, Agg::Sum), Vec::<Option<f64>>::new());
        assert_eq!(cell_of(180_000, 0, 360_000, 6), Some(3));
        assert_eq!(cell_of(360_000, 0, 360_000, 6), None);
    }

    use super::*;

    // 2026-11-28T09:40:00Z
    const NOW: i64 = 1_795_858_800_000;

    #[test]
    fn times_of_day_are_the_latest_past_one_in_the_zone() {
        let utc = Clock::default();
        assert_eq!(utc.time_of_day("09:10", NOW), Some(NOW - 30 * 60_000));
        // 10:00 is still to come today: yesterday's.
        assert_eq!(utc.time_of_day("10:00", NOW), Some(NOW + 20 * 60_000 - 86_400_000));
        let tokyo = Clock { offset_secs: 9 * 3600, utc: false };
        // 09:40Z is 18:40 in Tokyo.
        assert_eq!(tokyo.time_of_day("18:10", NOW), Some(NOW - 30 * 60_000));
        assert_eq!(tokyo.hm(NOW), "18:40");
        assert_eq!(tokyo.zone(), "UTC+09:00");
        assert_eq!(Clock { utc: true, ..tokyo }.hm(NOW), "09:40");
        assert_eq!(utc.time_of_day("25:00", NOW), None);
    }

    #[test]
    fn commands_make_fixed_windows_and_refuse_empty_ones() {
        let c = Clock::default();
        assert_eq!(since("2h", NOW, c), Ok(TimeWindow::Fixed { from_ms: NOW - 7_200_000, to_ms: NOW }));
        assert_eq!(at("09:10", NOW, c), Ok(TimeWindow::Fixed { from_ms: NOW - 1_800_000, to_ms: NOW }));
        assert_eq!(
            at("09:00 09:20", NOW, c),
            Ok(TimeWindow::Fixed { from_ms: NOW - 2_400_000, to_ms: NOW - 1_200_000 })
        );
        assert!(at("09:20 09:00", NOW, c).unwrap_err().contains("not after its start"));
        assert!(since("", NOW, c).is_err());
        assert!(at("soon", NOW, c).unwrap_err().contains("time of day"));
        assert!(at("09:00 09:20 x", NOW, c).is_err());
        assert_eq!(around(NOW - 3_600_000, NOW).range(), Some((NOW - 4_500_000, NOW - 2_700_000)));
        assert_eq!(around(NOW, NOW).range(), Some((NOW - 900_000, NOW)));
    }

    #[test]
    fn ranges_read_in_the_zone_with_a_date_when_not_today() {
        let c = Clock::default();
        assert_eq!(c.range(NOW - 1_800_000, NOW, NOW), "09:10–09:40");
        assert_eq!(c.range(NOW - 86_400_000, NOW - 86_000_000, NOW), "2026-11-27 09:40–2026-11-27 09:46");
    }
}
