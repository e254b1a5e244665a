//! CloudWatch metric storage of the simulated world: per-minute aggregates (sum, count, min, max)
//! keyed by namespace, metric name and dimensions. It stores and answers queries; it neither
//! generates data (the world does) nor speaks CBOR (`api/cloudwatch.rs` does).

use std::collections::BTreeMap;

/// Namespace, metric name and sorted dimensions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MetricKey {
    pub namespace: String,
    pub name: String,
    pub dimensions: Vec<(String, String)>,
}

/// One minute's aggregate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinuteStat {
    pub sum: f64,
    pub count: f64,
    pub min: f64,
    pub max: f64,
}

/// All metrics of one account and region.
#[derive(Debug, Clone, Default)]
pub struct MetricStore {
    pub series: BTreeMap<MetricKey, BTreeMap<i64, MinuteStat>>,
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
        let mut dimensions: Vec<(String, String)> = dims.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        dimensions.sort();
        let key = MetricKey { namespace: namespace.to_string(), name: name.to_string(), dimensions };
        let minute = ts_ms.div_euclid(60_000) * 60_000;
        let stat = self.series.entry(key).or_default().entry(minute).or_insert(MinuteStat {
            sum: 0.0,
            count: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        });
        stat.sum += obs.sum;
        stat.count += obs.count;
        stat.min = stat.min.min(obs.min);
        stat.max = stat.max.max(obs.max);
    }
}
