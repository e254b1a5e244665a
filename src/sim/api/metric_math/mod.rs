//! CloudWatch metric math as the simulator evaluates it in GetMetricData: a small recursive
//! descent parser (`parse.rs`) (arithmetic `+ - * /` with parentheses, unary minus and numeric constants on
//! query ids; `FILL(x, number)`, `RATE(x)`, `SUM|AVG|MIN|MAX` of `METRICS()`, of a list `[a, b]`
//! or of one series) and its evaluation over the other queries' points. Anything else is refused
//! with a message naming what the simulator evaluates. A hand-written parser because the grammar
//! is a dozen lines and the expression crates (evalexpr, meval) evaluate scalars, not time series
//! and CloudWatch's functions; they would cost a dependency and still need this evaluator.
//! Knows nothing of the wire or of the metric store.

use std::collections::BTreeMap;

mod parse;
pub use parse::parse;

/// A series: value per timestamp (epoch ms), oldest first.
pub type Points = BTreeMap<i64, f64>;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Agg {
    Sum,
    Avg,
    Min,
    Max,
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Id(String),
    Neg(Box<Expr>),
    Bin(Op, Box<Expr>, Box<Expr>),
    Fill(Box<Expr>, f64),
    Rate(Box<Expr>),
    /// `METRICS()`: every MetricStat query of the request.
    Metrics,
    /// `[a, b, …]`.
    List(Vec<Expr>),
    Agg(Agg, Box<Expr>),
}

/// What an expression evaluates to.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Scalar(f64),
    Series(Points),
    Array(Vec<Points>),
}

pub(super) const SUPPORTED: &str = "the simulator evaluates + - * / on ids and numbers, FILL(x, number), RATE(x), and SUM, AVG, MIN, MAX of METRICS(), [a, b] or one id";

/// The ids an expression reads.
pub fn ids(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::Id(id) => out.push(id.clone()),
        Expr::Neg(a) | Expr::Fill(a, _) | Expr::Rate(a) | Expr::Agg(_, a) => ids(a, out),
        Expr::Bin(_, a, b) => {
            ids(a, out);
            ids(b, out);
        }
        Expr::List(items) => items.iter().for_each(|i| ids(i, out)),
        Expr::Num(_) | Expr::Metrics => {}
    }
}

/// What an evaluation reads: the other queries' results, the metric queries, the time grid.
pub struct Scope<'a> {
    pub lookup: &'a dyn Fn(&str) -> Option<Points>,
    pub metrics: &'a [Points],
    /// Period-aligned timestamps of the window, for FILL and scalar results.
    pub grid: &'a [i64],
}

pub fn eval(e: &Expr, s: &Scope<'_>) -> Result<Val, String> {
    Ok(match e {
        Expr::Num(n) => Val::Scalar(*n),
        Expr::Id(id) => Val::Series((s.lookup)(id).ok_or_else(|| format!("Unrecognized metric id {id}"))?),
        Expr::Metrics => Val::Array(s.metrics.to_vec()),
        Expr::List(items) => {
            let mut out = Vec::new();
            for i in items {
                match eval(i, s)? {
                    Val::Series(p) => out.push(p),
                    Val::Array(a) => out.extend(a),
                    Val::Scalar(_) => return Err("A list holds time series, not numbers".into()),
                }
            }
            Val::Array(out)
        }
        Expr::Neg(a) => arith(Op::Sub, Val::Scalar(0.0), eval(a, s)?)?,
        Expr::Bin(op, a, b) => arith(*op, eval(a, s)?, eval(b, s)?)?,
        Expr::Fill(a, value) => map_series(eval(a, s)?, |p| fill(p, *value, s.grid))?,
        Expr::Rate(a) => map_series(eval(a, s)?, rate)?,
        Expr::Agg(agg, a) => match eval(a, s)? {
            Val::Series(p) => Val::Scalar(reduce(*agg, p.values().copied()).unwrap_or(f64::NAN)),
            Val::Array(series) => Val::Series(across(*agg, &series)),
            Val::Scalar(n) => Val::Scalar(n),
        },
    })
}

/// An evaluated query's points: a scalar is given at every grid timestamp; non-finite values
/// (division by zero) have no point.
pub fn points(v: Val, grid: &[i64]) -> Result<Points, String> {
    let p = match v {
        Val::Scalar(n) => grid.iter().map(|t| (*t, n)).collect(),
        Val::Series(p) => p,
        Val::Array(_) => {
            return Err("The expression returns several time series; combine them with SUM, AVG, MIN or MAX".into());
        }
    };
    Ok(p.into_iter().filter(|(_, v)| v.is_finite()).collect())
}

fn map_series(v: Val, f: impl Fn(&Points) -> Points) -> Result<Val, String> {
    Ok(match v {
        Val::Series(p) => Val::Series(f(&p)),
        Val::Array(a) => Val::Array(a.iter().map(f).collect()),
        Val::Scalar(_) => return Err("FILL and RATE take a time series".into()),
    })
}

fn apply(op: Op, a: f64, b: f64) -> f64 {
    match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => a / b,
    }
}

fn arith(op: Op, a: Val, b: Val) -> Result<Val, String> {
    Ok(match (a, b) {
        (Val::Scalar(x), Val::Scalar(y)) => Val::Scalar(apply(op, x, y)),
        (Val::Series(p), Val::Scalar(y)) => Val::Series(p.into_iter().map(|(t, x)| (t, apply(op, x, y))).collect()),
        (Val::Scalar(x), Val::Series(p)) => Val::Series(p.into_iter().map(|(t, y)| (t, apply(op, x, y))).collect()),
        // Two series combine where both have a point.
        (Val::Series(p), Val::Series(q)) => {
            Val::Series(p.into_iter().filter_map(|(t, x)| q.get(&t).map(|y| (t, apply(op, x, *y)))).collect())
        }
        _ => return Err(format!("Arithmetic on several time series at once is not supported: {SUPPORTED}")),
    })
}

fn fill(p: &Points, value: f64, grid: &[i64]) -> Points {
    let mut out = p.clone();
    for t in grid {
        out.entry(*t).or_insert(value);
    }
    out
}

/// Change per second between consecutive points; the first point has none.
fn rate(p: &Points) -> Points {
    p.iter().zip(p.iter().skip(1)).map(|((t0, v0), (t1, v1))| (*t1, (v1 - v0) / ((t1 - t0) as f64 / 1000.0))).collect()
}

fn reduce(agg: Agg, vs: impl Iterator<Item = f64>) -> Option<f64> {
    let vs: Vec<f64> = vs.collect();
    if vs.is_empty() {
        return None;
    }
    Some(match agg {
        Agg::Sum => vs.iter().sum(),
        Agg::Avg => vs.iter().sum::<f64>() / vs.len() as f64,
        Agg::Min => vs.iter().copied().fold(f64::INFINITY, f64::min),
        Agg::Max => vs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    })
}

/// The aggregate of several series at each timestamp any of them has.
fn across(agg: Agg, series: &[Points]) -> Points {
    let mut at: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for s in series {
        for (t, v) in s {
            at.entry(*t).or_default().push(*v);
        }
    }
    at.into_iter().filter_map(|(t, vs)| reduce(agg, vs.into_iter()).map(|v| (t, v))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(points: &[(i64, f64)]) -> Points {
        points.iter().copied().collect()
    }

    fn run(expr: &str) -> Result<Points, String> {
        let m1 = series(&[(0, 10.0), (60_000, 20.0), (120_000, 40.0)]);
        let m2 = series(&[(0, 5.0), (60_000, 0.0), (180_000, 1.0)]);
        let lookup = move |id: &str| match id {
            "m1" => Some(m1.clone()),
            "m2" => Some(m2.clone()),
            _ => None,
        };
        let metrics = [lookup("m1").unwrap(), lookup("m2").unwrap()];
        let grid = [0, 60_000, 120_000, 180_000];
        let scope = Scope { lookup: &lookup, metrics: &metrics, grid: &grid };
        points(eval(&parse(expr)?, &scope)?, &grid)
    }

    #[test]
    fn precedence_and_parentheses() {
        assert_eq!(parse("m1 + m2 * 2").unwrap(), parse("m1 + (m2 * 2)").unwrap());
        assert_ne!(parse("(m1 + m2) * 2").unwrap(), parse("m1 + m2 * 2").unwrap());
        assert_eq!(run("m1 / m2 * 100").unwrap(), series(&[(0, 200.0)]), "division by zero has no point");
        assert_eq!(run("(m1 + m2) * 2").unwrap(), series(&[(0, 30.0), (60_000, 40.0)]));
        assert_eq!(run("m1 - m2").unwrap(), series(&[(0, 5.0), (60_000, 20.0)]));
        assert_eq!(run("-m1 + 1.5").unwrap(), series(&[(0, -8.5), (60_000, -18.5), (120_000, -38.5)]));
        assert_eq!(run("2 * 3 + 1").unwrap().get(&180_000), Some(&7.0), "a scalar fills the grid");
    }

    #[test]
    fn fill_rate_and_aggregates() {
        assert_eq!(run("FILL(m2, 0)").unwrap(), series(&[(0, 5.0), (60_000, 0.0), (120_000, 0.0), (180_000, 1.0)]));
        assert_eq!(run("FILL(m1, -1)").unwrap().get(&180_000), Some(&-1.0));
        assert_eq!(run("RATE(m1)").unwrap(), series(&[(60_000, 10.0 / 60.0), (120_000, 20.0 / 60.0)]));
        assert_eq!(
            run("SUM(METRICS())").unwrap(),
            series(&[(0, 15.0), (60_000, 20.0), (120_000, 40.0), (180_000, 1.0)])
        );
        assert_eq!(run("MAX([m1, m2])").unwrap().get(&0), Some(&10.0));
        assert_eq!(run("AVG([m1, m2])").unwrap().get(&0), Some(&7.5));
        assert_eq!(run("MIN(METRICS())").unwrap().get(&60_000), Some(&0.0));
        assert_eq!(run("m1 / MAX(m1) * 100").unwrap(), series(&[(0, 25.0), (60_000, 50.0), (120_000, 100.0)]));
        assert_eq!(run("SUM(m1)").unwrap().get(&180_000), Some(&70.0), "SUM of one series is a scalar");
        assert_eq!(
            run("SUM(FILL(METRICS(), 0))").unwrap(),
            series(&[(0, 15.0), (60_000, 20.0), (120_000, 40.0), (180_000, 1.0)])
        );
    }

    #[test]
    fn refusals_say_why() {
        for (expr, says) in [
            ("ANOMALY_DETECTION_BAND(m1)", "Unsupported function ANOMALY_DETECTION_BAND"),
            ("SEARCH('{AWS/EC2} MetricName=\"CPUUtilization\"', 'Average', 300)", "String arguments"),
            ("FILL(m1, REPEAT)", "FILL takes a number"),
            ("m1 +", "Unexpected end"),
            ("(m1", "Expected ')'"),
            ("m1 m2", "Unexpected input"),
            ("m3 * 2", "Unrecognized metric id m3"),
            ("METRICS()", "several time series"),
            ("METRICS() * 2", "several time series at once"),
            ("m1 % 2", "Unexpected character '%'"),
        ] {
            let err = run(expr).unwrap_err();
            assert!(err.contains(says), "{expr}: {err}");
        }
    }

    #[test]
    fn ids_are_collected() {
        let mut out = Vec::new();
        ids(&parse("FILL(a, 0) / SUM([b, c]) + RATE(d)").unwrap(), &mut out);
        assert_eq!(out, ["a", "b", "c", "d"]);
    }
}
