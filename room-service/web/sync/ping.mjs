// Port of the sync crate's `ping.rs`: when to ping the room and matching its answers.

import { ClockEstimator } from './clock.mjs';

const IN_FLIGHT = 16;

export class Pinger {
  constructor(config, now) {
    this.config = config;
    this.estimator = new ClockEstimator(config.clock);
    this.nextId = 1;
    this.sent = 0;
    // Slot `id % 16` holds [id, sent]: an answer to an older ping in that slot is dropped.
    this.inFlight = new Array(IN_FLIGHT).fill(null);
    this.nextPing = now;
    this.jumpsSeen = 0;
  }

  estimate() {
    return this.estimator.estimate;
  }

  deadline() {
    return this.nextPing;
  }

  /** The ping to send if one is due at `now`, as the wire's `{id, sent}`. */
  pollPing(now) {
    if (now < this.nextPing) return null;
    const id = this.nextId;
    // u32 ids wrap, as the crate's `wrapping_add` does.
    this.nextId = (this.nextId + 1) >>> 0;
    this.inFlight[id % IN_FLIGHT] = [id, now];
    this.sent += 1;
    let interval;
    if (this.sent < this.config.burst) interval = this.config.burst_interval;
    else if (this.sent < this.config.settle) interval = this.config.learning_interval;
    else interval = this.config.interval;
    this.nextPing = now + interval;
    return { id, sent: now };
  }

  /** Takes the room's answer (`{id, ping_sent, received, sent}`), received at `now`. */
  handlePong(now, pong) {
    const index = pong.id % IN_FLIGHT;
    const slot = this.inFlight[index];
    if (!slot || slot[0] !== pong.id || slot[1] !== pong.ping_sent) return;
    this.inFlight[index] = null;
    this.estimator.add({
      sent: pong.ping_sent,
      remoteReceived: pong.received,
      remoteSent: pong.sent,
      received: now,
    });
    if (this.estimator.jumps !== this.jumpsSeen) {
      // The clock jumped: relearn it fast.
      this.jumpsSeen = this.estimator.jumps;
      this.sent = 0;
      this.nextPing = now;
    }
  }
}
