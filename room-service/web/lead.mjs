// Runs the leader (the sync crate's rules, ported in ./sync) for a page that sings: the
// singer's start, pause, resume, seek and stop steer the page's own player and go to the room
// as the same sync messages `ktv sing` sends, with beats, resends and clock pings; what the
// player reports keeps the timeline true to what is heard.

import { Leader } from './sync/leader.mjs';
import { nowMicros } from './player.mjs';

/** Player reports per second (the crate's players report once per audio block). */
const REPORT_INTERVAL_MS = 10;

export class LeadDriver {
  /**
   * `send(message)` puts a sync message on the wire; `player` takes steers and reports;
   * `media` is what the singer hears (their track), where listeners load the accompaniment.
   */
  constructor(config, send, player) {
    const session = crypto.getRandomValues(new Uint32Array(1))[0];
    this.leader = new Leader(config, session, nowMicros());
    this.send = send;
    this.player = player;
    this.media = null;
    this.timer = null;
    this.closed = false;
    this.onreport = null;
    this.reports = setInterval(() => this.report(), REPORT_INTERVAL_MS);
    this.drain();
  }

  /** A sync message from the room (the clock's answers). */
  handle(message) {
    this.leader.handleMessage(nowMicros(), message);
    this.drain();
  }

  /** Starts `song` at `from` µs, heard `start_lead` after `now` (default: now). */
  start(song, from, now = nowMicros()) {
    this.leader.start(now, song, from);
    this.drain();
  }

  pause() {
    this.leader.pause(nowMicros());
    this.drain();
  }

  resume() {
    this.leader.resume(nowMicros());
    this.drain();
  }

  seek(to) {
    this.leader.seek(nowMicros(), to);
    this.drain();
  }

  stop() {
    this.leader.stop(nowMicros());
    this.drain();
  }

  /** The start lead (µs): a start is heard this long after it is asked for. */
  get startLead() {
    return this.leader.config.start_lead;
  }

  report() {
    const report = this.player.report();
    if (report) {
      this.leader.handlePlayer(nowMicros(), report);
      this.drain();
    }
    this.onreport?.();
  }

  drain() {
    for (;;) {
      const output = this.leader.pollOutput();
      if ('send' in output) {
        this.send(output.send);
      } else if ('steer' in output) {
        let steer = output.steer;
        if (steer.steer === 'load' && this.media) steer = { ...steer, args: { ...steer.args, media: this.media } };
        this.player.steer(steer);
      } else {
        this.schedule(output.timeout);
        return;
      }
    }
  }

  schedule(at) {
    clearTimeout(this.timer);
    if (this.closed) return;
    const delay = Math.max(0, (at - nowMicros()) / 1000);
    this.timer = setTimeout(() => {
      this.leader.handleTimeout(nowMicros());
      this.drain();
    }, delay);
  }

  /** The song position the singer hears now (µs), or null without a song. */
  position() {
    return this.leader.positionAt(nowMicros());
  }

  playing() {
    return this.leader.playing();
  }

  synced() {
    return this.leader.pinger.estimate() !== null;
  }

  /** Stops driving (after `stop`, once its message is out: the leader's last words). */
  close() {
    clearInterval(this.reports);
    // The stop is resent twice within 100 ms: let those go before the timer is dropped.
    setTimeout(() => {
      this.closed = true;
      clearTimeout(this.timer);
    }, 300);
  }
}
