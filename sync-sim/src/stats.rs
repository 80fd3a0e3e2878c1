//! Summaries of alignment errors.

use sync::TimeDelta;

/// Alignment statistics over a set of samples: (p50, p99, max) of |error|, in ms.
pub fn percentiles(errors: impl IntoIterator<Item = TimeDelta>) -> Option<(f64, f64, f64)> {
    let mut values: Vec<f64> = errors
        .into_iter()
        .map(|e| e.abs().as_millis_f64())
        .collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    Some((at(0.5), at(0.99), at(1.0)))
}
