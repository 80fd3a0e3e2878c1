// Port of the sync crate's `clock.rs`: the room clock's offset and drift from ping samples.
// The history is the crate's fixed ring buffer, because which samples fall out of it (and
// of `max_samples`) decides the floors, and with them every instant the follower computes.

import { asI64, clamp, idiv, scaled } from './rust.mjs';

export const HISTORY = 256;
const BINS = 8;
const MAX_DRIFT = 3e-4;
// `i64::MAX / 2`, the crate's "no floor yet"; only ever compared, never output.
const NO_FLOOR = Number.MAX_SAFE_INTEGER;

/** `ClockEstimate`: room = local + offset + drift · (local − at). */
export class ClockEstimate {
  constructor(offset, at, drift) {
    this.offset = offset;
    this.at = at;
    this.drift = drift;
  }

  offsetAt(local) {
    return this.offset + scaled(local - this.at, this.drift);
  }

  toRoom(local) {
    return local + this.offsetAt(local);
  }

  toLocal(room) {
    return this.at + scaled(room - this.offset - this.at, 1.0 / (1.0 + this.drift));
  }
}

export class ClockEstimator {
  constructor(config) {
    this.config = config;
    this.samples = Array.from({ length: HISTORY }, () => ({ at: 0, up: 0, down: 0 }));
    this.head = 0;
    this.len = 0;
    this.estimate = null;
    this.suspect = null;
    this.driftKnown = false;
    this.jumps = 0;
  }

  /** The samples in use, oldest first: the newest `max_samples` of the history. */
  *stored() {
    const skip = Math.max(this.len - Math.max(this.config.max_samples, 1), 0);
    for (let i = skip; i < this.len; i++) yield this.samples[(this.head + i) % HISTORY];
  }

  storedCount() {
    return this.len - Math.max(this.len - Math.max(this.config.max_samples, 1), 0);
  }

  first() {
    if (this.storedCount() === 0) return null;
    const skip = Math.max(this.len - Math.max(this.config.max_samples, 1), 0);
    return this.samples[(this.head + skip) % HISTORY];
  }

  last() {
    if (this.len === 0) return null;
    return this.samples[(this.head + this.len - 1) % HISTORY];
  }

  push(sample) {
    if (this.len === HISTORY) {
      this.samples[this.head] = sample;
      this.head = (this.head + 1) % HISTORY;
    } else {
      this.samples[(this.head + this.len) % HISTORY] = sample;
      this.len += 1;
    }
  }

  clear() {
    this.head = 0;
    this.len = 0;
    this.estimate = null;
    this.driftKnown = false;
  }

  /** Adds one ping's four timestamps. */
  add({ sent, remoteReceived, remoteSent, received }) {
    const delay = received - sent - (remoteSent - remoteReceived);
    if (delay < 0 || delay > 5_000_000) return;
    const stored = { at: received, up: remoteReceived - sent, down: received - remoteSent };
    if (this.estimate) {
      const estimate = this.estimate;
      const drift = this.driftKnown ? estimate.drift : null;
      const [upFloor, downFloor] = this.floors(drift, estimate.at);
      // The estimate's drift even when not yet measured: it is 0 then, as in the crate.
      const shift = asI64(estimate.drift * (stored.at - estimate.at));
      const jump = this.config.jump;
      if (stored.up - shift < upFloor - jump || stored.down + shift < downFloor - jump) {
        const first = this.suspect;
        this.suspect = null;
        if (first) {
          this.clear();
          this.jumps += 1;
          this.push(first);
        } else {
          this.suspect = stored;
          return;
        }
      } else {
        this.suspect = null;
      }
    }
    this.push(stored);
    this.update();
  }

  floors(drift, reference) {
    const newest = this.last()?.at ?? reference;
    const start = newest - this.window(drift);
    const d = drift ?? 0.0;
    let up = NO_FLOOR;
    let down = NO_FLOOR;
    for (const s of this.stored()) {
      if (s.at < start) continue;
      const shift = asI64(d * (s.at - reference));
      up = Math.min(up, s.up - shift);
      down = Math.min(down, s.down + shift);
    }
    return [up, down];
  }

  update() {
    const count = this.storedCount();
    if (count < Math.min(this.config.min_samples, Math.max(this.config.max_samples, 1))) {
      this.estimate = null;
      return;
    }
    const last = this.last();
    if (!last) return;
    const newest = last.at;
    const drift = this.drift(newest);
    const [up, down] = this.floors(drift, newest);
    this.estimate = new ClockEstimate(idiv(up - down, 2), newest, drift ?? 0.0);
    this.driftKnown = drift !== null;
  }

  drift(newest) {
    const oldest = this.first()?.at ?? newest;
    const span = newest - oldest;
    if (span < this.config.drift_span) return null;
    const bins = Array.from({ length: BINS }, () => ({ up: Infinity, down: Infinity, sum: 0, n: 0 }));
    const divisor = BigInt(span) + 1n;
    for (const s of this.stored()) {
      // i128 in the crate; BigInt keeps the quotient exact.
      const bin = Number((BigInt(s.at - oldest) * BigInt(BINS)) / divisor);
      const b = bins[Math.min(bin, BINS - 1)];
      b.up = Math.min(b.up, s.up);
      b.down = Math.min(b.down, s.down);
      b.sum += s.at - oldest;
      b.n += 1;
    }
    const points = bins.filter((b) => b.n >= 3).map((b) => [idiv(b.sum, b.n), (b.up - b.down) / 2.0]);
    const n = points.length;
    if (n < 4) return null;
    // Each term divided by n before summing, as the crate's fold does: not the same bits as
    // dividing the sum.
    let mx = 0.0;
    let my = 0.0;
    for (const [x, y] of points) {
      mx = mx + x / n;
      my = my + y / n;
    }
    let sxx = 0.0;
    let sxy = 0.0;
    for (const [x, y] of points) {
      sxx = sxx + (x - mx) * (x - mx);
      sxy = sxy + (x - mx) * (y - my);
    }
    if (sxx <= 0.0) return null;
    return clamp(sxy / sxx, -MAX_DRIFT, MAX_DRIFT);
  }

  window(drift) {
    const first = this.first();
    const last = this.last();
    const span = first && last ? last.at - first.at : 0;
    if (drift !== null) {
      return clamp(idiv(span, 3), this.config.short_window, this.config.window);
    }
    return this.config.short_window;
  }
}
