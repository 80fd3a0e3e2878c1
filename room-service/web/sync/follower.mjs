/**
 * The listener's sync state machine for the web page: a port of the `sync` crate's
 * `Follower` (sync/src/follower.rs, with ping.rs, clock.rs and rate_limit.rs beside it here).
 * The page must steer its player exactly as the native listener would, so this port is kept
 * bit-exact: `replay.mjs` feeds it the crate's conformance vectors (a `Recording` from the
 * crate's simulator) and compares every output.
 *
 * Run loop, as in the crate: after any `handle*` call or `setExtraDelay`, call `pollOutput`
 * until it returns `{timeout: t}`, and call `handleTimeout` at `t`. `now` is the page's
 * monotonic clock in whole microseconds. Messages and outputs are the crate's serde JSON
 * shapes, so they go to and from the wire unchanged.
 *
 * Times are integer microseconds held in Numbers (exact below 2^53); where the crate rounds
 * or truncates a float the helpers in rust.mjs reproduce its rule.
 */

import { Pinger } from './ping.mjs';
import { RateLimit } from './rate-limit.mjs';
import { scaled, clamp } from './rust.mjs';

export { ClockEstimator, ClockEstimate } from './clock.mjs';
export { Pinger } from './ping.mjs';
export { RateLimit } from './rate-limit.mjs';

/** Above this, a change of the extra delay is jumped to rather than slewed. */
const EXTRA_JUMP = 200_000;

const TRANSPORT_MESSAGES = new Set(['song_start', 'beat', 'pause', 'resume', 'seek', 'stop']);

/** The leader's position at room instant `t` (`Transport::position_at`). */
export function positionAt(transport, t) {
  if (transport.playing || t < transport.at) {
    return transport.position + scaled(t - transport.at, transport.rate);
  }
  return transport.position;
}

/** The timeline a leader's message states, or null for clock-sync messages. */
function transportOf(message) {
  if (!TRANSPORT_MESSAGES.has(message.type)) return null;
  if (message.type === 'song_start') return message.transport;
  const { type, ...transport } = message;
  return transport;
}

/** Whether `next` moves the timeline so far from `old` that the player must jump. */
function discontinuous(old, next, config) {
  return (
    old.song !== next.song ||
    old.playing !== next.playing ||
    Math.abs(old.rate - next.rate) > 1e-3 ||
    Math.abs(positionAt(old, next.at) - next.position) > Math.trunc(config.seek_threshold / 2)
  );
}

const IDLE = { kind: 'idle' };
const PLAYING = { kind: 'playing' };
const starting = (at) => ({ kind: 'starting', at });
const paused = (position) => ({ kind: 'paused', position });
const isPausedAt = (plan, position) => plan.kind === 'paused' && plan.position === position;

const steer = (s) => ({ steer: s });

export class Follower {
  /** A follower starting at `now`; `config` is the crate's `FollowerConfig` in serde JSON. */
  constructor(config, now) {
    // A copy: `setExtraDelay` changes it, and the caller's object may be shared.
    this.config = { ...config };
    this.pinger = new Pinger(config.pings, now);
    this.limit = new RateLimit(config.rate_limit[0], config.rate_limit[1], now);
    /** [session, newest seq] of the leader, or null. */
    this.leader = null;
    this.timeline = null;
    this.song = null;
    this.plan = IDLE;
    this.pending = false;
    this.rate = 1.0;
    this.lastRateChange = now;
    this.error = null;
    this.over = 0;
    this.cooldownUntil = now;
    this.extra = config.extra_delay;
    this.lastNow = now;
    this.outputs = [];
    this.stats = { starts: 0, drift_seeks: 0, rate_changes: 0, stale: 0 };
  }

  /** The extra delay in effect now (it slews towards the one set). */
  extraDelay() {
    return this.extra;
  }

  /** Where the singer's timeline (less the extra delay) is at local instant `local`. */
  targetAt(local) {
    const clock = this.pinger.estimate();
    if (!this.timeline || !clock) return null;
    return positionAt(this.timeline, clock.toRoom(local) - this.extra);
  }

  setExtraDelay(now, delay) {
    this.advance(now);
    this.config.extra_delay = delay;
    if (Math.abs(delay - this.extra) > EXTRA_JUMP) {
      this.extra = delay;
      this.restart(now);
    }
  }

  /** Moves to `delay` at once (a restart), however small the change (the crate's
   *  `jump_extra_delay`). */
  jumpExtraDelay(now, delay) {
    this.advance(now);
    this.config.extra_delay = delay;
    if (this.extra !== delay) {
      this.extra = delay;
      this.restart(now);
    }
  }

  advance(now) {
    // A clock that stepped back is taken as it is: nothing slews backwards in time.
    const elapsed = Math.max(now - this.lastNow, 0);
    this.lastNow = now;
    // Half the rate range, so the rate loop keeps up with the slew.
    const step = scaled(elapsed, this.config.max_rate_change * 0.5);
    const gap = this.config.extra_delay - this.extra;
    this.extra += Math.abs(gap) <= step ? gap : gap > 0 ? step : -step;
  }

  handleMessage(now, message) {
    this.advance(now);
    if (message.type === 'pong') {
      const hadClock = this.pinger.estimate() !== null;
      this.pinger.handlePong(now, message);
      if (this.pending || (!hadClock && this.pinger.estimate() !== null)) this.act(now);
      return;
    }
    if (message.type === 'ping') return;
    const transport = transportOf(message);
    if (!transport) return;
    if (!this.accept(transport)) {
      this.stats.stale += 1;
      return;
    }
    if (message.type === 'stop') {
      this.timeline = null;
      const had = this.song !== null;
      this.song = null;
      if (had) this.outputs.push(steer({ steer: 'stop' }));
      this.plan = IDLE;
      this.pending = false;
    } else if (message.type === 'song_start' && this.song !== transport.song) {
      this.song = transport.song;
      const { type, ...start } = message;
      this.outputs.push(steer({ steer: 'load', args: start }));
      this.timeline = transport;
      this.plan = IDLE;
      this.act(now);
    } else if (this.song !== transport.song) {
      // A song we have not been told how to load; its start comes again.
    } else {
      const jumped = this.timeline === null || discontinuous(this.timeline, transport, this.config);
      this.timeline = transport;
      if (jumped || this.plan.kind === 'idle') this.act(now);
    }
  }

  /** Whether a leader message is newer than what we have (and notes it). */
  accept(transport) {
    if (this.leader && this.leader[0] === transport.leader && transport.seq <= this.leader[1]) {
      return false;
    }
    this.leader = [transport.leader, transport.seq];
    return true;
  }

  /** Puts the player where the timeline says, now: a scheduled start or a pause. */
  act(now) {
    const timeline = this.timeline;
    if (!timeline || !this.pinger.estimate()) {
      this.pending = timeline !== null;
      return;
    }
    this.pending = false;
    if (this.song === null) return;
    if (!timeline.playing) {
      const position = timeline.position;
      if (!isPausedAt(this.plan, position)) {
        const clock = this.pinger.estimate();
        const at = clock.toLocal(timeline.at) + this.extra;
        this.outputs.push(steer({ steer: 'pause', args: { position, at } }));
        this.plan = paused(position);
      }
      return;
    }
    this.restart(now);
  }

  restart(now) {
    const timeline = this.timeline;
    if (!timeline || !timeline.playing) return;
    const clock = this.pinger.estimate();
    if (!clock) {
      this.pending = true;
      return;
    }
    // Start when the leader does if that is far enough ahead, else as soon as the player
    // can be ready.
    const leaderStart = clock.toLocal(timeline.at) + this.extra;
    const at = Math.max(leaderStart, now + this.config.start_lead);
    const position = this.targetAt(at);
    if (position === null) return;
    if (this.rate !== 1.0) {
      this.rate = 1.0;
      this.outputs.push(steer({ steer: 'rate', args: 1.0 }));
    }
    this.outputs.push(steer({ steer: 'play_at', args: { position, at } }));
    this.plan = starting(at);
    this.cooldownUntil = at + this.config.seek_cooldown;
    this.error = null;
    this.over = 0;
    this.stats.starts += 1;
  }

  /** Takes what the local player reports: `{position, at, playing}`. */
  handlePlayer(now, report) {
    this.advance(now);
    const timeline = this.timeline;
    if (!timeline) return;
    const plan = this.plan;
    if (plan.kind === 'starting' && report.playing && report.at >= plan.at) {
      this.plan = PLAYING;
    } else if (plan.kind === 'playing' && !report.playing && timeline.playing) {
      // The player stopped on its own (an underrun, a device change).
      this.restart(now);
      return;
    } else if (plan.kind === 'paused' && report.playing) {
      this.plan = IDLE;
      this.act(now);
      return;
    }
    if (this.plan.kind !== 'playing' || !timeline.playing) return;
    const target = this.targetAt(report.at);
    if (target === null) return;
    const error = report.position - target;
    if (Math.abs(error) > this.config.seek_threshold) {
      this.over += 1;
      if (this.over >= this.config.seek_confirm && now >= this.cooldownUntil) {
        this.stats.drift_seeks += 1;
        this.restart(now);
      }
      return;
    }
    this.over = 0;
    // Reports come once per audio block; smooth over ~50 ms of them.
    const smoothed = this.error === null ? error : this.error + 0.1 * (error - this.error);
    this.error = smoothed;
    if (now - this.lastRateChange < this.config.rate_interval) return;
    const max = this.config.max_rate_change;
    const correction =
      Math.abs(smoothed) < this.config.deadband
        ? 0.0
        : clamp(-smoothed / this.config.correction_time, -max, max);
    const rate = 1.0 + correction;
    if (Math.abs(rate - this.rate) >= 5e-5 || (correction === 0.0 && this.rate !== 1.0)) {
      this.rate = rate;
      this.lastRateChange = now;
      this.stats.rate_changes += 1;
      this.outputs.push(steer({ steer: 'rate', args: rate }));
    }
  }

  /** Runs what is due at `now` (clock pings, slewing, a start waiting for the clock). */
  handleTimeout(now) {
    this.advance(now);
    // Short-circuits as the crate's `&&` chain does: a token is only spent on a due ping.
    if (now >= this.pinger.deadline() && this.limit.tryTake(now)) {
      const ping = this.pinger.pollPing(now);
      if (ping) this.outputs.push({ send: { type: 'ping', id: ping.id, sent: ping.sent } });
    }
  }

  /** The next output; `{timeout: t}` when there is nothing more for now. */
  pollOutput() {
    if (this.outputs.length > 0) return this.outputs.shift();
    const now = this.lastNow;
    // A ping is due: not before there is a token for it. `nextToken` refills the bucket,
    // which changes its float count, so it is called exactly where the crate calls it.
    let deadline = Math.max(this.pinger.deadline(), this.limit.nextToken(now));
    if (this.extra !== this.config.extra_delay) deadline = Math.min(deadline, now + 20_000);
    return { timeout: Math.max(deadline, now) };
  }
}
