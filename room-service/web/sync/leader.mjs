/**
 * The singer's sync state machine for the web page: a port of the `sync` crate's `Leader`
 * (sync/src/leader.rs). A page that sings leads the room exactly as `ktv sing` does, so this
 * port is kept bit-exact like the follower's: `conformance.mjs` replays a leader recorded by
 * the crate (tests/tests/web_follower.rs) and compares every output.
 *
 * Run loop, as in the crate: after any call, drain `pollOutput` until it returns
 * `{timeout: t}`, and call `handleTimeout` at `t`. `now` is the page's monotonic clock in whole
 * microseconds. Messages and outputs are the crate's serde JSON shapes.
 */

import { Pinger } from './ping.mjs';
import { RateLimit } from './rate-limit.mjs';
import { scaled } from './rust.mjs';

/** The leader's own timeline on the local clock: `position` heard at `at`. */
function anchorPositionAt(anchor, t) {
  if (anchor.playing || t < anchor.at) return anchor.position + scaled(t - anchor.at, anchor.rate);
  return anchor.position;
}

const steer = (s) => ({ steer: s });
const send = (message) => ({ send: message });

export class Leader {
  /**
   * A leader with session id `session` (random per page load, so followers tell a reloaded
   * page from the old one); `config` is the crate's `LeaderConfig` in serde JSON.
   */
  constructor(config, session, now) {
    this.config = config;
    this.session = session >>> 0;
    this.seq = 0;
    this.song = 0;
    this.info = null;
    this.anchor = null;
    this.pinger = new Pinger(config.pings, now);
    this.limit = new RateLimit(config.rate_limit[0], config.rate_limit[1], now);
    this.nextBeat = now;
    this.nextSongStart = now;
    this.change = null;
    this.resends = [null, null];
    this.fresh = false;
    this.lastChange = null;
    this.lastNow = now;
    this.outputs = [];
  }

  /** The song position heard at local instant `t`, or null without a song. */
  positionAt(t) {
    return this.anchor ? anchorPositionAt(this.anchor, t) : null;
  }

  /** Whether the song is moving (or scheduled to). */
  playing() {
    return Boolean(this.anchor?.playing);
  }

  advance(now) {
    this.lastNow = now;
  }

  changed(now, change) {
    this.change = change;
    this.lastChange = change;
    this.resends = [null, null];
    this.fresh = true;
    this.flush(now);
  }

  /**
   * Starts `song` (`{song_id, media, track_mode, key, tempo}`) at `from`, heard `start_lead`
   * from now. Key and tempo are the crate's f32s: sent as given (the shortest form of the
   * f32, as serde writes it), and the rate is the f32 widened, as `f64::from` does.
   */
  start(now, song, from) {
    this.advance(now);
    this.song += 1;
    const info = { ...song };
    const at = now + this.config.start_lead;
    this.anchor = { position: from, at, rate: Math.fround(info.tempo), playing: true };
    this.outputs.push(steer({ steer: 'load', args: this.songStart(info, 0) }));
    this.outputs.push(steer({ steer: 'play_at', args: { position: from, at } }));
    this.info = info;
    this.changed(now, 'start');
  }

  /** Pauses `start_lead` from now (everyone stops at the same instant). */
  pause(now) {
    this.advance(now);
    const anchor = this.anchor;
    if (!anchor?.playing) return;
    const at = Math.max(now, anchor.at) + this.config.start_lead;
    const position = anchorPositionAt(anchor, at);
    this.anchor = { ...anchor, position, at, playing: false };
    this.outputs.push(steer({ steer: 'pause', args: { position, at } }));
    this.changed(now, 'pause');
  }

  /** Resumes, heard `start_lead` from now. */
  resume(now) {
    this.advance(now);
    const anchor = this.anchor;
    if (!anchor || anchor.playing) return;
    const at = Math.max(now, anchor.at) + this.config.start_lead;
    this.anchor = { ...anchor, at, playing: true };
    this.outputs.push(steer({ steer: 'play_at', args: { position: anchor.position, at } }));
    this.changed(now, 'resume');
  }

  /** Jumps to `to` (heard `start_lead` from now if playing). */
  seek(now, to) {
    this.advance(now);
    const anchor = this.anchor;
    if (!anchor) return;
    if (anchor.playing) {
      const at = now + this.config.start_lead;
      this.anchor = { ...anchor, position: to, at };
      this.outputs.push(steer({ steer: 'play_at', args: { position: to, at } }));
    } else {
      // Paused, nothing is heard: the held position moves at once.
      const at = Math.max(now, anchor.at);
      this.anchor = { ...anchor, position: to, at };
      this.outputs.push(steer({ steer: 'pause', args: { position: to, at } }));
    }
    this.changed(now, 'seek');
  }

  /** Ends the song. */
  stop(now) {
    this.advance(now);
    if (!this.anchor) return;
    this.outputs.push(steer({ steer: 'stop' }));
    this.changed(now, 'stop');
  }

  /** Takes what the local player reports (`{position, at, playing}`). */
  handlePlayer(now, report) {
    this.advance(now);
    const anchor = this.anchor;
    if (!anchor || !anchor.playing || !report.playing || report.at < anchor.at) return;
    const planned = anchorPositionAt(anchor, report.at);
    const residual = report.position - planned;
    if (Math.abs(residual) > this.config.jump) {
      // The player went somewhere else (an underrun, a stall): it is the truth.
      this.anchor = { ...anchor, position: report.position, at: report.at };
      this.changed(now, 'seek');
    } else {
      // Follow the player's clock smoothly.
      this.anchor = { ...anchor, position: planned + scaled(residual, 0.05), at: report.at };
    }
  }

  /** Takes a message from the room (clock answers). */
  handleMessage(now, message) {
    this.advance(now);
    if (message.type !== 'pong') return;
    const hadClock = this.pinger.estimate() !== null;
    this.pinger.handlePong(now, message);
    if (!hadClock && this.pinger.estimate() !== null) this.flush(now);
  }

  /** Runs what is due at `now`: pings, beats, resends. */
  handleTimeout(now) {
    this.advance(now);
    // Short-circuits as the crate's `&&` chain does.
    if (now >= this.pinger.deadline() && this.limit.tryTake(now)) {
      const ping = this.pinger.pollPing(now);
      if (ping) this.outputs.push(send({ type: 'ping', id: ping.id, sent: ping.sent }));
    }
    for (let i = 0; i < this.resends.length; i++) {
      if (this.resends[i] !== null && now >= this.resends[i] && this.change === null) {
        this.resends[i] = null;
        this.change = this.lastChange;
      }
    }
    this.flush(now);
    if (this.anchor && now >= this.nextSongStart && this.change === null) {
      this.change = 'start';
      this.flush(now);
    }
    if (now >= this.nextBeat && this.change === null) {
      const transport = this.transport(now);
      if (transport) {
        if (this.limit.tryTake(now)) {
          this.outputs.push(send({ type: 'beat', ...transport }));
          this.nextBeat = now + this.config.beat_interval;
        }
      } else {
        this.nextBeat = now + this.config.beat_interval;
      }
    }
  }

  /** Sends the pending change if the clock and the rate limit allow. */
  flush(now) {
    const change = this.change;
    if (change === null) return;
    // `a && b || c` in the crate; `transport` takes a sequence number, so it is called
    // exactly where the crate calls it.
    if ((change !== 'stop' && this.transport(now) === null) || !this.limit.tryTake(now)) return;
    this.change = null;
    let message;
    if (change === 'stop') {
      const transport = this.transport(now) ?? {
        leader: this.session, seq: 0, song: this.song, position: 0, at: 0, rate: 1.0, playing: false,
      };
      this.anchor = null;
      this.info = null;
      message = { type: 'stop', ...transport, seq: this.nextSeq() };
    } else if (change === 'start') {
      const info = this.info;
      if (!info) return;
      const transport = this.transport(now);
      if (!transport) return;
      this.nextSongStart = now + this.config.song_start_every;
      message = { type: 'song_start', ...this.songStart(info, 0), transport };
    } else {
      const transport = this.transport(now);
      if (!transport) return;
      message = { type: change, ...transport };
    }
    // A change is sent again twice after it first goes out; its resends and the periodic
    // song start are not.
    if (this.fresh) {
      this.fresh = false;
      this.resends = [now + this.config.resend[0], now + this.config.resend[1]];
    }
    this.outputs.push(send(message));
    this.nextBeat = now + this.config.beat_interval;
  }

  nextSeq() {
    this.seq += 1;
    return this.seq;
  }

  songStart(info, at) {
    return {
      transport: { leader: this.session, seq: 0, song: this.song, position: 0, at, rate: Math.fround(info.tempo), playing: true },
      song_id: info.song_id,
      media: info.media,
      track_mode: info.track_mode,
      key: info.key,
      tempo: info.tempo,
    };
  }

  /** The timeline now in the room's clock, with a fresh sequence number, once the clock is
   *  known. A scheduled start keeps its instant. */
  transport(now) {
    const anchor = this.anchor;
    if (!anchor) return null;
    const clock = this.pinger.estimate();
    if (!clock) return null;
    const local = anchor.at > now ? anchor.at : now;
    const seq = this.nextSeq();
    return {
      leader: this.session,
      seq,
      song: this.song,
      position: anchorPositionAt(anchor, local),
      at: clock.toRoom(local),
      rate: anchor.rate / (1.0 + clock.drift),
      playing: anchor.playing,
    };
  }

  /** The next output; `{timeout: t}` when there is nothing more for now. */
  pollOutput() {
    if (this.outputs.length > 0) return this.outputs.shift();
    const now = this.lastNow;
    let deadline = this.pinger.deadline();
    if (this.anchor && this.pinger.estimate() !== null) {
      deadline = Math.min(deadline, this.nextBeat, this.nextSongStart);
      for (const resend of this.resends) if (resend !== null) deadline = Math.min(deadline, resend);
      if (this.change !== null) deadline = now;
    }
    return { timeout: Math.max(deadline, this.limit.nextToken(now)) };
  }
}
