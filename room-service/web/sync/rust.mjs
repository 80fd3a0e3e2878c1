// Rust's numeric semantics on JS Numbers, for the sync port. Times are i64 microseconds that
// stay well inside 2^53, so plain Numbers hold them exactly; only the rounding and
// truncation rules differ from JS and must be spelled out.

/** `x as i64` from f64: truncation toward zero, NaN to 0 (and never -0, which would not
 * compare equal to the 0 Rust serialises). */
export function asI64(x) {
  if (Number.isNaN(x)) return 0;
  return Math.trunc(x) + 0;
}

/** `f64::round`: halves away from zero (Math.round takes them towards +∞). */
export function round(x) {
  const r = x < 0 ? -Math.round(-x) : Math.round(x);
  return r + 0;
}

/** `f64::round() as i64`. */
export function roundI64(x) {
  return Number.isNaN(x) ? 0 : round(x);
}

/** i64 (or i128) division, truncating toward zero. Through BigInt so that a quotient near an
 * integer cannot round onto it, as a float division of large operands could. */
export function idiv(a, b) {
  return Number(BigInt(a) / BigInt(b));
}

/** `TimeDelta::scaled`: the interval times a factor, rounded to the microsecond. */
export function scaled(micros, factor) {
  return roundI64(micros * factor);
}

/** `Ord::clamp` / `f64::clamp` (NaN stays NaN, as in Rust). */
export function clamp(x, lo, hi) {
  if (Number.isNaN(x)) return x;
  return x < lo ? lo : x > hi ? hi : x;
}
