// Runs the follower (the sync crate's rules, ported in ./sync) against the room's WebSocket
// and the page's player: feeds it messages, player reports and timeouts, sends what it sends
// and steers the player as it says. The lyrics, the pitch guide and the video read the
// singer's position from here.

import { Follower } from './sync/follower.mjs';
import { nowMicros } from './player.mjs';

/** Player reports per second (the crate's players report once per audio block). */
const REPORT_INTERVAL_MS = 10;

export class SyncDriver {
  /** `send(message)` puts a sync message on the wire; `player` takes steers and reports. */
  constructor(config, send, player) {
    this.follower = new Follower(config, nowMicros());
    this.send = send;
    this.player = player;
    this.timer = null;
    this.song = null;
    this.onsong = null;
    this.reports = setInterval(() => this.report(), REPORT_INTERVAL_MS);
    this.drain();
  }

  /** A sync message from the room. */
  handle(message) {
    this.follower.handleMessage(nowMicros(), message);
    this.drain();
  }

  report() {
    const report = this.player?.report();
    if (!report) return;
    this.follower.handlePlayer(nowMicros(), report);
    this.drain();
  }

  drain() {
    for (;;) {
      const output = this.follower.pollOutput();
      if ('send' in output) {
        this.send(output.send);
      } else if ('steer' in output) {
        const steer = output.steer;
        if (steer.steer === 'load') {
          this.song = steer.args;
          this.onsong?.(this.song);
        } else if (steer.steer === 'stop') {
          this.song = null;
          this.onsong?.(null);
        }
        this.player?.steer(steer);
      } else {
        this.schedule(output.timeout);
        return;
      }
    }
  }

  schedule(at) {
    clearTimeout(this.timer);
    const delay = Math.max(0, (at - nowMicros()) / 1000);
    this.timer = setTimeout(() => {
      this.follower.handleTimeout(nowMicros());
      this.drain();
    }, delay);
  }

  /** The singer's position now (µs), as the follower sees it, or null without a song. */
  position() {
    if (!this.song) return null;
    return this.follower.targetAt(nowMicros());
  }

  /** Whether the singer's song is moving. */
  playing() {
    return Boolean(this.follower.timeline?.playing);
  }

  /** Whether the room's clock is learnt. */
  synced() {
    return this.follower.pinger.estimate() !== null;
  }

  close() {
    clearInterval(this.reports);
    clearTimeout(this.timer);
  }
}
