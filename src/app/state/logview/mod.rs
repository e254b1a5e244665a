//! The log view's state: the ring of buffered lines, what is shown (containers, one task or all,
//! a regex filter), follow/pause and scroll position, search, wrap and timestamps, and the
//! request rate. An index of the matching lines is kept up to date as lines arrive, so drawing a
//! frame never scans the ring (QUALITY.md P2); what the index depends on (the ring, the shown
//! containers, the task, the filter) is private and changes only through methods that keep the
//! index in step. It must not draw, read the clock or do IO.

use std::collections::VecDeque;

use regex::{Regex, RegexBuilder};

use crate::model::findings::LogSignals;
use crate::model::{ContainerRole, LineClass, LogEvent, LogRing, RequestStats, WarmReport};

/// Which lines of the ring the view shows: every one, or these absolute positions.
/// A line's absolute position is `ring.dropped() + its index`: stable while lines are appended
/// and the oldest evicted; a late line inserted in the middle makes the index rebuild.
#[derive(Debug, Clone)]
enum MatchIndex {
    All,
    Positions(VecDeque<u64>),
}

/// The log view (full screen and the overview's pane share it).
#[derive(Debug, Clone)]
pub struct LogView {
    ring: LogRing,
    /// Request rate and status mix of the access lines received (health checks left out).
    stats: RequestStats,
    /// Per-task request latency and php-fpm trouble of the last minutes, for the findings.
    signals: LogSignals,
    /// Shown containers: nginx, php-fpm, warmer.
    show: [bool; 3],
    /// Only this task's lines (its full id), or all tasks.
    task: Option<String>,
    filter: Option<Regex>,
    /// The last filter that failed to compile, with the reason (the old filter stays).
    pub filter_error: Option<String>,
    pub search: Option<Regex>,
    pub search_error: Option<String>,
    /// The absolute position of the current search hit.
    pub search_hit: Option<u64>,
    /// Follow the newest lines; when false the view stays where it is.
    pub follow: bool,
    /// When paused: the absolute position of the bottom line on screen.
    pub bottom: u64,
    /// Shown lines that arrived since the view was paused (not those already below it then).
    arrived_while_paused: usize,
    pub wrap: bool,
    pub timestamps: bool,
    index: MatchIndex,
}

impl Default for LogView {
    fn default() -> Self {
        LogView::new(LogRing::default())
    }
}

/// Builds a regex with smart case (case-insensitive unless the pattern has an upper-case letter)
/// and a size limit; the error is one line.
pub fn compile_pattern(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .case_insensitive(!pattern.chars().any(char::is_uppercase))
        .size_limit(1 << 20)
        .build()
        .map_err(|e| e.to_string().lines().rfind(|l| !l.trim().is_empty()).unwrap_or("invalid").trim().to_owned())
}

/// The warm report a line carries: its task id, the report, when.
fn warm_report(ev: &LogEvent) -> Option<(String, WarmReport, i64)> {
    match ev.class {
        LineClass::WarmReport(report) => Some((ev.task_id.to_string(), report, ev.ts_ms)),
        _ => None,
    }
}

fn role_index(role: &ContainerRole) -> Option<usize> {
    match role {
        ContainerRole::Nginx => Some(0),
        ContainerRole::PhpFpm => Some(1),
        ContainerRole::Warmer => Some(2),
        ContainerRole::Other(_) => None,
    }
}

impl LogView {
    pub fn new(ring: LogRing) -> Self {
        LogView {
            ring,
            stats: RequestStats::new(),
            signals: LogSignals::new(),
            show: [true; 3],
            task: None,
            filter: None,
            filter_error: None,
            search: None,
            search_error: None,
            search_hit: None,
            follow: true,
            bottom: 0,
            arrived_while_paused: 0,
            wrap: false,
            timestamps: true,
            index: MatchIndex::All,
        }
    }

    /// The buffered lines.
    pub fn ring(&self) -> &LogRing {
        &self.ring
    }

    /// Request rate and status mix of the access lines received (health checks left out).
    pub fn stats(&self) -> &RequestStats {
        &self.stats
    }

    /// What the lines received say per task over the last minutes (for the findings).
    pub fn signals(&self) -> &LogSignals {
        &self.signals
    }

    /// Shown containers: nginx, php-fpm, warmer.
    pub fn show(&self) -> [bool; 3] {
        self.show
    }

    /// Only this task's lines (its full id), or all tasks.
    pub fn task(&self) -> Option<&str> {
        self.task.as_deref()
    }

    /// The regex lines must match to be shown.
    pub fn filter(&self) -> Option<&Regex> {
        self.filter.as_ref()
    }

    /// Shows only lines matching `filter` (or all); clears the last filter error.
    pub fn set_filter(&mut self, filter: Option<Regex>) {
        self.filter = filter;
        self.filter_error = None;
        self.rebuild_index();
    }

    /// Shows or hides container `i` (nginx, php-fpm, warmer). False, and nothing changes, when
    /// it is the last one shown.
    pub fn toggle_container(&mut self, i: usize) -> bool {
        let Some(&on) = self.show.get(i) else { return false };
        if on && self.show.iter().filter(|s| **s).count() == 1 {
            return false;
        }
        self.show[i] = !on;
        self.rebuild_index();
        true
    }

    /// Shows only this task's lines (its full id), or all tasks.
    pub fn set_task(&mut self, task: Option<String>) {
        self.task = task;
        self.rebuild_index();
    }

    /// True when `ev` is shown with the current containers, task and filter.
    pub fn shows(&self, ev: &LogEvent) -> bool {
        role_index(&ev.container).is_none_or(|i| self.show[i])
            && self.task.as_deref().is_none_or(|t| *ev.task_id == *t)
            && self.filter.as_ref().is_none_or(|re| re.is_match(&ev.text))
    }

    fn shows_everything(&self) -> bool {
        self.show.iter().all(|s| *s) && self.task.is_none() && self.filter.is_none()
    }

    /// Re-reads the whole ring after what is shown changed (on a key press, not per frame).
    fn rebuild_index(&mut self) {
        if self.shows_everything() {
            self.index = MatchIndex::All;
            return;
        }
        let first = self.ring.dropped();
        let positions = self.ring.iter().enumerate().filter(|(_, ev)| self.shows(ev)).map(|(i, _)| first + i as u64);
        self.index = MatchIndex::Positions(positions.collect());
    }

    /// Adds new lines (oldest first): the ring, the index and the request rate follow. Returns
    /// the warm reports found among them (task id, report, when). A late line shifts the index
    /// entries after it by one (from the back: late lines land near the end) instead of
    /// re-reading the ring, so a burst with late arrivals and a filter on stays linear.
    pub fn push(&mut self, events: Vec<LogEvent>) -> Vec<(String, WarmReport, i64)> {
        let mut reports = Vec::new();
        for ev in events {
            // Where the line lands; evicting the oldest afterwards moves no absolute position.
            let position = self.ring.dropped() + self.ring.insertion_index(ev.ts_ms) as u64;
            let shown = matches!(self.index, MatchIndex::Positions(_)) && self.shows(&ev);
            let (class, ts) = (ev.class, ev.ts_ms);
            // Only a warm report needs its task id afterwards.
            let report = warm_report(&ev);
            self.signals.record(&ev.task_id, &class, ts);
            let counted = !self.follow && self.shows(&ev);
            if !self.ring.push_unique(ev) {
                continue;
            }
            self.arrived_while_paused += usize::from(counted);
            if let LineClass::Access { status, health_check, .. } = class {
                self.stats.record_status(status, health_check, ts);
            }
            reports.extend(report);
            if let MatchIndex::Positions(p) = &mut self.index {
                let mut i = p.len();
                while i > 0 && p[i - 1] >= position {
                    p[i - 1] += 1;
                    i -= 1;
                }
                if shown {
                    p.insert(i, position);
                }
            }
        }
        if let MatchIndex::Positions(p) = &mut self.index {
            let first = self.ring.dropped();
            while p.front().is_some_and(|&pos| pos < first) {
                p.pop_front();
            }
        }
        reports
    }

    /// Adds lines older than those held (a window loading newest first), oldest first: the
    /// view stays on the lines it shows. Returns the warm reports among them.
    pub fn prepend(&mut self, older: Vec<LogEvent>) -> Vec<(String, WarmReport, i64)> {
        let reports = older.iter().filter_map(warm_report).collect();
        let dropped = self.ring.dropped();
        let added = self.ring.prepend(older);
        // A held line's absolute position moves by the lines put before it and those dropped.
        let shift = (self.ring.dropped() - dropped) + added as u64;
        self.bottom += shift;
        self.search_hit = self.search_hit.map(|h| h + shift);
        self.rebuild_index();
        reports
    }

    /// The containers, task, filter, search, wrap and timestamps of `other`.
    pub fn copy_settings(&mut self, other: &LogView) {
        self.show = other.show;
        self.task = other.task.clone();
        self.filter = other.filter.clone();
        self.search = other.search.clone();
        self.wrap = other.wrap;
        self.timestamps = other.timestamps;
        self.rebuild_index();
    }

    /// How many lines are shown in all.
    pub fn matched_len(&self) -> usize {
        match &self.index {
            MatchIndex::All => self.ring.len(),
            MatchIndex::Positions(p) => p.len(),
        }
    }

    /// The absolute position of the `n`-th shown line (0 = oldest).
    pub fn position(&self, n: usize) -> Option<u64> {
        match &self.index {
            MatchIndex::All => (n < self.ring.len()).then(|| self.ring.dropped() + n as u64),
            MatchIndex::Positions(p) => p.get(n).copied(),
        }
    }

    /// The `n`-th shown line (0 = oldest).
    pub fn matched(&self, n: usize) -> Option<&LogEvent> {
        let pos = self.position(n)?;
        let i = pos.checked_sub(self.ring.dropped())?;
        self.ring.get(usize::try_from(i).ok()?)
    }

    /// The number of shown lines up to where the absolute position `pos` is (inclusive).
    fn count_through(&self, pos: u64) -> usize {
        match &self.index {
            MatchIndex::All => usize::try_from((pos + 1).saturating_sub(self.ring.dropped())).unwrap_or(usize::MAX),
            MatchIndex::Positions(p) => p.partition_point(|&x| x <= pos),
        }
        .min(self.matched_len())
    }

    /// One past the newest line on screen, in shown-line numbers: the end when following, else
    /// where the view was paused (at least the first line, should that one have been evicted).
    pub fn visible_end(&self) -> usize {
        let len = self.matched_len();
        if self.follow { len } else { self.count_through(self.bottom).max(len.min(1)) }
    }

    /// Shown lines below the paused view: those scrolled past and those that arrived since.
    pub fn new_below(&self) -> usize {
        self.matched_len() - self.visible_end()
    }

    /// Shown lines that arrived since the view was paused (at most those below it: the ring
    /// may have evicted some).
    pub fn new_since_pause(&self) -> usize {
        if self.follow { 0 } else { self.arrived_while_paused.min(self.new_below()) }
    }

    /// Pauses the view with the `n`-th shown line at the bottom (clamped).
    pub fn pause_at(&mut self, n: usize) {
        let last = self.matched_len().saturating_sub(1);
        if self.follow {
            self.arrived_while_paused = 0;
        }
        self.follow = false;
        self.bottom = self.position(n.min(last)).unwrap_or(self.ring.dropped());
    }

    /// Moves the view by `delta` lines (negative = older); pauses it.
    pub fn scroll(&mut self, delta: i64) {
        let end = self.visible_end() as i64;
        let target = (end - 1 + delta).max(0);
        self.pause_at(usize::try_from(target).unwrap_or(0));
    }

    /// Stops or resumes following; pausing keeps the view where it is.
    pub fn toggle_follow(&mut self) {
        if self.follow {
            let end = self.visible_end();
            self.pause_at(end.saturating_sub(1));
        } else {
            self.follow = true;
        }
    }

    /// Jumps to the next (`newer`) or previous search hit from the bottom line on screen;
    /// false when there is none.
    pub fn search_step(&mut self, newer: bool) -> bool {
        let Some(re) = self.search.clone() else {
            return false;
        };
        let end = self.visible_end();
        let from = match self.search_hit.filter(|hit| self.count_through(*hit) <= end) {
            Some(hit) => self.count_through(hit).saturating_sub(1),
            None => end.saturating_sub(if newer { 1 } else { 0 }),
        };
        let hit = |n: &usize| self.matched(*n).is_some_and(|ev| re.is_match(&ev.text));
        let found = if newer {
            (from + 1..self.matched_len()).find(hit)
        } else {
            (0..from.min(self.matched_len())).rev().find(hit)
        };
        match found {
            Some(n) => {
                self.search_hit = self.position(n);
                self.pause_at(n);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests;
