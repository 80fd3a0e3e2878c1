//! The number rules the reader and the writer share: beats within bounds, BPM and GAP the
//! model can hold, decimals with either separator.

/// The largest beat number (and note length) read or written: wide enough for any time the model
/// holds at 10 ms beats, narrow enough that beat arithmetic cannot overflow.
pub(super) const MAX_BEATS: i64 = 100_000_000_000_000_000;

/// A BPM this crate reads and writes: positive and below a million.
pub(super) fn valid_bpm(bpm: f64) -> bool {
    bpm.is_finite() && bpm > 0.0 && bpm < 1e6
}

/// A GAP (ms) this crate reads and writes: within the times the model can hold.
pub(super) fn valid_gap(gap_ms: f64) -> bool {
    gap_ms.is_finite() && gap_ms.abs() < 1e16
}

/// A decimal number with `.` or `,` as the separator (UltraStar files use both).
pub(super) fn decimal(s: &str) -> Option<f64> {
    s.replace(',', ".").parse().ok()
}
