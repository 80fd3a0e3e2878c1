// Port of the sync crate's `rate_limit.rs` token bucket. The token count is a float that
// accumulates across refills, so the refill points (every `tryTake` and `nextToken`) must be
// the crate's for the timeouts to come out the same.

import { asI64 } from './rust.mjs';

export class RateLimit {
  constructor(perSecond, burst, now) {
    const b = Math.max(burst, 1);
    this.perSecond = Math.max(perSecond, 1.0);
    this.burst = b;
    this.tokens = b;
    this.last = now;
  }

  refill(now) {
    // `as_secs_f64` multiplies by 1e-6 rather than dividing by 1e6; the two differ in the
    // last bit for some values.
    const elapsed = Math.max((now - this.last) * 1e-6, 0.0);
    this.tokens = Math.min(this.tokens + elapsed * this.perSecond, this.burst);
    this.last = now;
  }

  tryTake(now) {
    this.refill(now);
    if (this.tokens >= 1.0) {
      this.tokens -= 1.0;
      return true;
    }
    return false;
  }

  nextToken(now) {
    this.refill(now);
    if (this.tokens >= 1.0) return now;
    const micros = Math.max(Math.ceil(((1.0 - this.tokens) / this.perSecond) * 1e6), 1.0);
    return now + asI64(micros);
  }
}
