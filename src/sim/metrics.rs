//! CloudWatch metric storage of the simulated world: per-minute aggregates (sum, count, min, max)
//! keyed by namespace, metric name and dimensions, kept for `RETENTION_MS` of virtual time, and
//! the queries CloudWatch answers from them (period aggregation, ListMetrics filtering). It
//! stores and answers; it neither generates data (the world does) nor speaks CBOR
//! (`api/cloudwatch*.rs` does).

use std::collections::BTreeMap;

/// How long minutes are kept, relative to the newest minute written: 26 hours, enough for
/// "now against the same time yesterday" and bounded memory on a world that runs for days.
pub const RETENTION_MS: i64 = 26 * 3_600_000;

/// Namespace, metric name and sorted dimensions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MetricKey {
    pub namespace: String,
    pub name: String,
    pub dimensions: Vec<(String, String)>,
}

impl MetricKey {
    /// A key with its dimensions sorted, as the store keeps them.
    pub fn new(namespace: &str, name: &str, dims: &[(&str, &str)]) -> Self {
        let mut dimensions: Vec<(String, String)> = dims.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        dimensions.sort();
        MetricKey { namespace: namespace.to_string(), name: name.to_string(), dimensions }
    }
}

/// One minute's aggregate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinuteStat {
    pub sum: f64,
    pub count: f64,
    pub min: f64,
    pub max: f64,
}

impl MinuteStat {
    /// The neutral element of `merge`.
    pub const EMPTY: MinuteStat = MinuteStat { sum: 0.0, count: 0.0, min: f64::INFINITY, max: f64::NEG_INFINITY };

    /// Folds another aggregate into this one.
    pub fn merge(&mut self, other: &MinuteStat) {
        self.sum += other.sum;
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// The value of a statistic over this aggregate.
    pub fn value(&self, stat: Statistic) -> f64 {
        match stat {
            Statistic::Sum => self.sum,
            Statistic::Average => {
                if self.count > 0.0 {
                    self.sum / self.count
                } else {
                    0.0
                }
            }
            Statistic::Maximum => self.max,
            Statistic::Minimum => self.min,
            Statistic::SampleCount => self.count,
        }
    }
}

/// The statistics the store can answer (no percentiles: it keeps no distributions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    Sum,
    Average,
    Maximum,
    Minimum,
    SampleCount,
}

impl Statistic {
    pub fn parse(s: &str) -> Option<Statistic> {
        Some(match s {
            "Sum" => Statistic::Sum,
            "Average" => Statistic::Average,
            "Maximum" => Statistic::Maximum,
            "Minimum" => Statistic::Minimum,
            "SampleCount" => Statistic::SampleCount,
            _ => return None,
        })
    }
}

/// A ListMetrics dimension filter: the metric must have the dimension, with this value if given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DimensionFilter {
    pub name: String,
    pub value: Option<String>,
}

/// All metrics of one account and region.
#[derive(Debug, Clone, Default)]
pub struct MetricStore {
    pub series: BTreeMap<MetricKey, BTreeMap<i64, MinuteStat>>,
    /// The newest minute written; older minutes than `RETENTION_MS` before it are dropped.
    newest_minute: i64,
}

impl MetricStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one observation at `ts_ms`, folded into its minute.
    pub fn add(&mut self, namespace: &str, name: &str, dims: &[(&str, &str)], ts_ms: i64, value: f64) {
        self.add_many(namespace, name, dims, ts_ms, MinuteStat { sum: value, count: 1.0, min: value, max: value });
    }

    /// Records an aggregate of several observations at `ts_ms`, folded into its minute.
    pub fn add_many(&mut self, namespace: &str, name: &str, dims: &[(&str, &str)], ts_ms: i64, obs: MinuteStat) {
        if obs.count <= 0.0 {
            return;
        }
        let minute = ts_ms.div_euclid(60_000) * 60_000;
        if minute > self.newest_minute {
            self.newest_minute = minute;
            self.prune(minute - RETENTION_MS);
        }
        if minute < self.newest_minute - RETENTION_MS {
            return;
        }
        let key = MetricKey::new(namespace, name, dims);
        self.series.entry(key).or_default().entry(minute).or_insert(MinuteStat::EMPTY).merge(&obs);
    }

    /// Drops the minutes before `before_ms`, and series left empty.
    pub fn prune(&mut self, before_ms: i64) {
        for minutes in self.series.values_mut() {
            while minutes.first_key_value().is_some_and(|(m, _)| *m < before_ms) {
                minutes.pop_first();
            }
        }
        self.series.retain(|_, minutes| !minutes.is_empty());
    }

    /// The data points of one metric (exact dimension match) over `[start_ms, end_ms)`, in
    /// periods of `period_s` seconds (a multiple of 60) aligned on `start_ms` rounded down to
    /// the minute, oldest first. Periods without data have no point.
    pub fn query(
        &self,
        key: &MetricKey,
        start_ms: i64,
        end_ms: i64,
        period_s: i64,
        stat: Statistic,
    ) -> Vec<(i64, f64)> {
        match self.series.get(key) {
            Some(minutes) => aggregate(minutes, start_ms, end_ms, period_s, stat),
            None => Vec::new(),
        }
    }

    /// The metrics matching a ListMetrics filter, in key order; `active_since_ms` keeps only
    /// those with a data point since then.
    pub fn list(
        &self,
        namespace: Option<&str>,
        name: Option<&str>,
        filters: &[DimensionFilter],
        active_since_ms: Option<i64>,
    ) -> Vec<&MetricKey> {
        self.series
            .iter()
            .filter(|(k, _)| namespace.is_none_or(|n| k.namespace == n))
            .filter(|(k, _)| name.is_none_or(|n| k.name == n))
            .filter(|(k, _)| {
                filters.iter().all(|f| {
                    k.dimensions.iter().any(|(dn, dv)| *dn == f.name && f.value.as_ref().is_none_or(|v| v == dv))
                })
            })
            .filter(|(_, minutes)| {
                active_since_ms.is_none_or(|since| minutes.last_key_value().is_some_and(|(m, _)| *m + 60_000 > since))
            })
            .map(|(k, _)| k)
            .collect()
    }
}

/// Aggregates minute stats into periods (sum of sums, count-weighted average, min of mins, max
/// of maxes, sum of counts). See `MetricStore::query`.
pub fn aggregate(
    minutes: &BTreeMap<i64, MinuteStat>,
    start_ms: i64,
    end_ms: i64,
    period_s: i64,
    stat: Statistic,
) -> Vec<(i64, f64)> {
    let period_ms = period_s.max(60) * 1000;
    let origin = start_ms.div_euclid(60_000) * 60_000;
    let mut out: Vec<(i64, MinuteStat)> = Vec::new();
    if end_ms <= origin {
        return Vec::new();
    }
    for (minute, s) in minutes.range(origin..end_ms) {
        let bucket = origin + (minute - origin).div_euclid(period_ms) * period_ms;
        match out.last_mut() {
            Some((b, acc)) if *b == bucket => acc.merge(s),
            _ => out.push((bucket, *s)),
        }
    }
    out.into_iter().map(|(b, s)| (b, s.value(stat))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_795_842_000_000;

    fn store() -> MetricStore {
        let mut m = MetricStore::new();
        // Minutes 0..10, one observation per second valued at the minute index + 1.
        for minute in 0..10i64 {
            for s in 0..60 {
                m.add("NS", "M", &[("B", "2"), ("A", "1")], T0 + minute * 60_000 + s * 1000, (minute + 1) as f64);
            }
        }
        m
    }

    fn key() -> MetricKey {
        MetricKey::new("NS", "M", &[("A", "1"), ("B", "2")])
    }

    #[test]
    fn minutes_fold_observations() {
        let m = store();
        let minutes = &m.series[&key()];
        assert_eq!(minutes.len(), 10);
        assert_eq!(minutes[&T0], MinuteStat { sum: 60.0, count: 60.0, min: 1.0, max: 1.0 });
    }

    #[test]
    fn one_minute_periods_give_one_point_per_minute() {
        let m = store();
        let pts = m.query(&key(), T0, T0 + 600_000, 60, Statistic::Sum);
        assert_eq!(pts.len(), 10);
        assert_eq!(pts[3], (T0 + 180_000, 240.0));
    }

    #[test]
    fn five_minute_periods_aggregate_each_statistic() {
        let m = store();
        let q = |stat| m.query(&key(), T0, T0 + 600_000, 300, stat);
        assert_eq!(q(Statistic::Sum), vec![(T0, 60.0 * 15.0), (T0 + 300_000, 60.0 * 40.0)]);
        assert_eq!(q(Statistic::SampleCount), vec![(T0, 300.0), (T0 + 300_000, 300.0)]);
        assert_eq!(q(Statistic::Average), vec![(T0, 3.0), (T0 + 300_000, 8.0)]);
        assert_eq!(q(Statistic::Minimum), vec![(T0, 1.0), (T0 + 300_000, 6.0)]);
        assert_eq!(q(Statistic::Maximum), vec![(T0, 5.0), (T0 + 300_000, 10.0)]);
    }

    #[test]
    fn average_is_weighted_by_count() {
        let mut m = MetricStore::new();
        m.add_many("NS", "M", &[], T0, MinuteStat { sum: 10.0, count: 10.0, min: 1.0, max: 1.0 });
        m.add_many("NS", "M", &[], T0 + 60_000, MinuteStat { sum: 50.0, count: 1.0, min: 50.0, max: 50.0 });
        let pts = m.query(&MetricKey::new("NS", "M", &[]), T0, T0 + 120_000, 120, Statistic::Average);
        assert_eq!(pts, vec![(T0, 60.0 / 11.0)]);
    }

    #[test]
    fn minutes_without_data_have_no_point_and_periods_align_on_start() {
        let mut m = MetricStore::new();
        m.add("NS", "M", &[], T0 + 30_000, 1.0);
        m.add("NS", "M", &[], T0 + 7 * 60_000, 2.0);
        let k = MetricKey::new("NS", "M", &[]);
        let pts = m.query(&k, T0 + 15_000, T0 + 600_000, 60, Statistic::Sum);
        assert_eq!(pts, vec![(T0, 1.0), (T0 + 420_000, 2.0)]);
        let pts = m.query(&k, T0 + 60_000, T0 + 600_000, 300, Statistic::Sum);
        assert_eq!(pts, vec![(T0 + 360_000, 2.0)], "buckets start at the query's start");
        assert!(m.query(&k, T0 + 60_000, T0 + 60_000, 60, Statistic::Sum).is_empty());
    }

    #[test]
    fn dimension_match_is_exact() {
        let m = store();
        assert!(m.query(&MetricKey::new("NS", "M", &[("A", "1")]), T0, T0 + 600_000, 60, Statistic::Sum).is_empty());
    }

    #[test]
    fn list_filters_by_namespace_name_and_dimensions() {
        let mut m = store();
        m.add("NS", "Other", &[("A", "9")], T0, 1.0);
        m.add("X", "M", &[("A", "1")], T0, 1.0);
        assert_eq!(m.list(Some("NS"), None, &[], None).len(), 2);
        assert_eq!(m.list(None, Some("M"), &[], None).len(), 2);
        let f = |n: &str, v: Option<&str>| DimensionFilter { name: n.into(), value: v.map(String::from) };
        assert_eq!(m.list(None, None, &[f("A", Some("1"))], None).len(), 2);
        assert_eq!(m.list(None, None, &[f("A", None), f("B", None)], None).len(), 1);
        assert_eq!(m.list(None, None, &[f("A", Some("9"))], None).len(), 1);
        assert_eq!(m.list(None, None, &[], Some(T0 + 300_000)).len(), 1, "only the 10-minute series is recent");
    }

    #[test]
    fn old_minutes_are_dropped() {
        let mut m = store();
        m.add("NS", "Late", &[], T0 + RETENTION_MS + 5 * 60_000, 1.0);
        let minutes = &m.series[&key()];
        assert_eq!(minutes.len(), 5, "minutes 0..5 fall out of the retention");
        m.add("NS", "M", &[("A", "1"), ("B", "2")], T0, 1.0);
        assert_eq!(m.series[&key()].len(), 5, "a write older than the retention is ignored");
    }
}
