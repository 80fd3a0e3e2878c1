// The singer's voice on the page: Opus frames from the room (binary WebSocket messages, the
// `sync::voice` form), decoded in the browser and handed to the player, which plays each one
// where its song position falls in the music. A thin client gets the room's mix (music and
// voice) in the same form instead, and its player keeps the song's timeline without the song:
// the lyrics follow the mix just as they follow the music. As the native listener does, the page plays the
// music behind the singer by the voice path's delay (the follower's extra delay), measured
// here from how late frames come.
//
// Decoding: WebCodecs' AudioDecoder where it exists (secure contexts only). A phone that opens
// http://LAN-IP has none, so there each frame is wrapped with the few before it in a small Ogg
// Opus stream and decoded by Web Audio's decodeAudioData, which every context has; the frames
// before it warm the decoder up, and only the new frame's samples are kept.

import { nowMicros } from './player.mjs';

/** The sync envelope's version and the message types of the voice and the room's mix
 *  (`sync::wire`). */
const VERSION = 1;
const VOICE = 16;
const MIX = 17;
/** Opus's clock: every decoder here works at 48 kHz, 20 ms frames. */
const OPUS_RATE = 48000;
const FRAME_SAMPLES = 960;
/** Taken beyond what the voice needs when the delay rises, so that the first few late frames
 *  cost a jump or two and no more (as the native listener). */
const HEADROOM_MICROS = 30000;
/** Lateness samples kept: 10 s of frames (as the native listener). */
const LATENESS_WINDOW = 500;
/** Beyond the latest frame: decoding, scheduling, and the audio clock's own lead. */
const MARGIN_MICROS = 25000;
/**
 * Frames decoded before the one wanted on the fallback path, to warm its decoder up: a fresh
 * Opus decoder's output converges on a running one's over a few frames (on a chirp in
 * chromium: error 3.6% of the signal's power after 3 frames, 0.06% after 5, none after 8).
 */
const WARM_UP = 8;

/** Reads a varint (postcard's LEB128) at `at`; returns `[value, next]` or null. */
function varint(bytes, at) {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    value += (bytes[i] & 0x7f) * scale;
    if (!(bytes[i] & 0x80)) return [value, i + 1];
    scale *= 128;
  }
  return null;
}

/** Reads a zigzag varint (postcard's signed integers). */
function signed(bytes, at) {
  const read = varint(bytes, at);
  if (!read) return null;
  const [n, next] = read;
  return [n % 2 === 0 ? n / 2 : -(n + 1) / 2, next];
}

/**
 * A frame of the singer's voice or the room's mix from a binary message: `{stream, song, seq,
 * position, span, opus}` (`stream` 'voice' or 'mix'; µs of song time; `opus` the packet), or
 * null if the message is something else or malformed.
 */
export function parseVoiceFrame(buffer) {
  const bytes = new Uint8Array(buffer);
  if (bytes.length < 4 || bytes[0] !== VERSION || (bytes[1] !== VOICE && bytes[1] !== MIX)) return null;
  const stream = bytes[1] === VOICE ? 'voice' : 'mix';
  const length = bytes[2] | (bytes[3] << 8);
  if (bytes.length !== 4 + length) return null;
  const fields = [];
  let at = 4;
  for (const read of [varint, varint, signed, signed, varint]) {
    const field = read(bytes, at);
    if (!field) return null;
    fields.push(field[0]);
    at = field[1];
  }
  const [song, seq, position, span, size] = fields;
  if (at + size !== bytes.length || span <= 0) return null;
  return { stream, song, seq, position, span, opus: bytes.slice(at, at + size) };
}

/** Appends `value` (a non-negative integer below 2^53) as a varint. */
function pushVarint(out, value) {
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
}

/**
 * A frame of the singer's voice in the binary envelope (`sync::voice::encode`): `{song, seq,
 * position, span, opus}` as `parseVoiceFrame` reads them.
 */
export function encodeVoiceFrame({ song, seq, position, span, opus }) {
  const body = [];
  pushVarint(body, song);
  pushVarint(body, seq >>> 0);
  // Zigzag, as postcard writes signed integers.
  pushVarint(body, position >= 0 ? position * 2 : -position * 2 - 1);
  pushVarint(body, span >= 0 ? span * 2 : -span * 2 - 1);
  pushVarint(body, opus.length);
  const bytes = new Uint8Array(4 + body.length + opus.length);
  bytes.set([VERSION, VOICE, (body.length + opus.length) & 0xff, (body.length + opus.length) >> 8]);
  bytes.set(body, 4);
  bytes.set(opus, 4 + body.length);
  return bytes;
}

/** Decodes with WebCodecs; `output(frame, channels)` gets each frame's 48 kHz samples. */
class WebCodecsDecoder {
  static available() {
    return typeof AudioDecoder === 'function' && typeof EncodedAudioChunk === 'function';
  }

  constructor(output) {
    this.kind = 'webcodecs';
    this.pending = [];
    this.output = output;
    this.decoder = null;
    this.open();
  }

  open() {
    this.pending = [];
    this.decoder = new AudioDecoder({
      output: (data) => {
        // One output per frame, in order. (Not by timestamp: Chromium times outputs itself,
        // from the first chunk's timestamp on by the samples decoded.)
        const frame = this.pending.shift();
        const channels = [];
        for (let c = 0; c < data.numberOfChannels; c++) {
          const plane = new Float32Array(data.numberOfFrames);
          data.copyTo(plane, { planeIndex: c, format: 'f32-planar' });
          channels.push(plane);
        }
        data.close();
        if (frame) this.output(frame, channels);
      },
      error: (error) => {
        console.warn('voice decoder', error);
        this.open();
      },
    });
    this.decoder.configure({ codec: 'opus', sampleRate: OPUS_RATE, numberOfChannels: 2 });
  }

  decode(frame) {
    if (this.decoder.state !== 'configured') this.open();
    this.pending.push(frame);
    this.decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: frame.position, data: frame.opus }));
  }
}

/** Ogg's CRC-32 (polynomial 0x04c11db7, not reflected). */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

function oggPage(packet, { granule, serial, sequence, flags }) {
  const segments = [];
  for (let left = packet.length; ; left -= 255) {
    segments.push(Math.min(left, 255));
    if (left < 255) break;
  }
  const page = new Uint8Array(27 + segments.length + packet.length);
  const view = new DataView(page.buffer);
  page.set([0x4f, 0x67, 0x67, 0x53, 0, flags]);
  view.setUint32(6, granule % 2 ** 32, true);
  view.setUint32(10, Math.floor(granule / 2 ** 32), true);
  view.setUint32(14, serial, true);
  view.setUint32(18, sequence, true);
  page[26] = segments.length;
  page.set(segments, 27);
  page.set(packet, 27 + segments.length);
  let crc = 0;
  for (const byte of page) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]) >>> 0;
  view.setUint32(22, crc, true);
  return page;
}

/** An Ogg Opus stream of `packets` (20 ms each, stereo, no pre-skip). */
function oggOpus(packets) {
  const head = new Uint8Array(19);
  head.set(new TextEncoder().encode('OpusHead'));
  head[8] = 1;
  head[9] = 2;
  new DataView(head.buffer).setUint32(12, OPUS_RATE, true);
  const tags = new Uint8Array(16);
  tags.set(new TextEncoder().encode('OpusTags'));
  const serial = 0x6b7476;
  const pages = [
    oggPage(head, { granule: 0, serial, sequence: 0, flags: 2 }),
    oggPage(tags, { granule: 0, serial, sequence: 1, flags: 0 }),
  ];
  packets.forEach((packet, i) => {
    const last = i === packets.length - 1;
    pages.push(oggPage(packet, { granule: (i + 1) * FRAME_SAMPLES, serial, sequence: i + 2, flags: last ? 4 : 0 }));
  });
  const bytes = new Uint8Array(pages.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const page of pages) {
    bytes.set(page, at);
    at += page.length;
  }
  return bytes.buffer;
}

/** Decodes with decodeAudioData (any context, secure or not), one frame at a time in order. */
class OggDecoder {
  constructor(output) {
    this.kind = 'ogg';
    this.output = output;
    this.context = new OfflineAudioContext(2, 1, OPUS_RATE);
    this.recent = [];
    this.queue = Promise.resolve();
  }

  decode(frame) {
    // A gap (a frame lost or from before a jump) leaves nothing to warm up with.
    const last = this.recent[this.recent.length - 1];
    if (last && (last.song !== frame.song || last.seq + 1 !== frame.seq)) this.recent = [];
    this.recent.push(frame);
    if (this.recent.length > WARM_UP + 1) this.recent.shift();
    const packets = this.recent.map((f) => f.opus);
    this.queue = this.queue.then(async () => {
      try {
        const buffer = await this.context.decodeAudioData(oggOpus(packets));
        const from = Math.max(buffer.length - FRAME_SAMPLES, 0);
        const channels = [];
        for (let c = 0; c < buffer.numberOfChannels; c++) channels.push(buffer.getChannelData(c).slice(from));
        this.output(frame, channels);
      } catch (error) {
        console.warn('voice frame not decoded', error);
      }
    });
  }
}

/**
 * Receives the singer's voice for the page: decodes frames of the song the follower plays,
 * gives them to the player, and keeps the music behind the singer by what the voice needs.
 */
export class VoiceReceiver {
  constructor(driver, player) {
    this.driver = driver;
    this.player = player;
    const output = (frame, channels) => this.decoded(frame, channels);
    // A test may pin the fallback (to compare the two on one origin).
    const pinned = globalThis.ktvVoiceDecoder === 'ogg';
    this.decoder = WebCodecsDecoder.available() && !pinned ? new WebCodecsDecoder(output) : new OggDecoder(output);
    this.lateness = [];
    this.delayKnown = false;
    this.stats = { received: 0, bytes: 0, decoded: 0, late: 0, decoder: this.decoder.kind };
    /** How far behind the singer the music played, sampled at each check (ms). */
    this.behind = [];
    this.checks = setInterval(() => this.adjustDelay(), 250);
  }

  /** A binary message from the room. */
  receive(buffer) {
    const frame = parseVoiceFrame(buffer);
    const follower = this.driver.follower;
    if (!frame || follower.song !== frame.song) return;
    this.stats.received += 1;
    this.stats.bytes += buffer.byteLength;
    if (this.player) this.decoder.decode(frame);
  }

  decoded(frame, channels) {
    this.stats.decoded += 1;
    // How far past the frame's end the singer was when it could be played (decoding counts:
    // it is part of the voice's path).
    const follower = this.driver.follower;
    const target = follower.targetAt(nowMicros());
    if (target !== null && follower.song === frame.song) {
      this.lateness.push(target + follower.extraDelay() - (frame.position + frame.span));
      if (this.lateness.length > LATENESS_WINDOW) this.lateness.shift();
    }
    if (!this.player.playVoice(frame, channels, OPUS_RATE)) this.stats.late += 1;
  }

  /** The delay the music needs behind the singer: the latest recent frame, plus a margin. */
  neededDelay() {
    if (this.lateness.length < 10) return null;
    const latest = Math.max(...this.lateness);
    const lead = this.player ? (this.player.context.baseLatency + (this.player.context.outputLatency || 0)) * 1e6 : 0;
    return Math.round(Math.max(latest, 0) + MARGIN_MICROS + lead);
  }

  /** More delay when the voice comes later: the first estimate and any rise over 60 ms at
   *  once (a restart), with headroom; slewed, a rise of 100 ms takes 40 s with the voice late
   *  all along (a stem scored 76.8). Smaller rises are slewed: each jump is a skip in the
   *  music. Less, slewed, only when 70 ms too much. */
  adjustDelay() {
    const needed = this.neededDelay();
    const follower = this.driver.follower;
    if (needed !== null) {
      const set = follower.config.extra_delay;
      if (!this.delayKnown || needed > set + 60000) {
        follower.jumpExtraDelay(nowMicros(), needed + HEADROOM_MICROS);
        this.delayKnown = true;
        this.driver.drain();
      } else if (needed > set || needed + HEADROOM_MICROS + 40000 < set) {
        follower.setExtraDelay(nowMicros(), needed + HEADROOM_MICROS);
        this.driver.drain();
      }
    }
    if (this.player?.report()?.playing) this.behind.push(follower.extraDelay() / 1000);
  }

  close() {
    clearInterval(this.checks);
  }
}
