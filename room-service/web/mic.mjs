// The singer's microphone on the page, and their voice to the room. The microphone comes
// through getUserMedia with the browser's echo cancellation, noise suppression and auto gain
// off unless the singer asks for them (they damage singing: vibrato read as noise, held notes
// pumped), into a worklet on the player's own audio clock that hands over 20 ms blocks, each
// with the clock's frame of its first sample. Each block is stamped with the song position the
// singer heard when they sang it (the round trip of output and input latency taken off), coded
// to Opus by WebCodecs and sent in the `sync::voice` envelope, as `ktv sing` sends its voice.

import { encodeVoiceFrame } from './voice.mjs';

/** The voice's rate and frame (Opus at 48 kHz, 20 ms). */
export const VOICE_RATE = 48000;
const FRAME = 960;
const BITRATE = 64000;
/** What Opus decoders skip at the start unless the encoder says otherwise (libopus's
 *  look-ahead at 48 kHz): the decoded voice starts this late, so the stamps are moved back. */
const DEFAULT_PRE_SKIP = 312;

/** Why the page cannot sing here, or null if it can. */
export function cannotSing() {
  if (!window.isSecureContext) return 'insecure';
  if (!navigator.mediaDevices?.getUserMedia) return 'no_microphone';
  if (typeof AudioEncoder !== 'function' || typeof AudioData !== 'function') return 'no_encoder';
  if (typeof AudioWorkletNode !== 'function') return 'no_worklet';
  return null;
}

export class Microphone {
  /**
   * Opens the microphone on `context` (the player's, at 48 kHz). `processing`: the browser's
   * echo cancellation, noise suppression and auto gain. `onblock({time, samples})` gets every
   * 20 ms block with the audio clock's time of its first sample (s).
   */
  static async open(context, { processing = false } = {}, onblock) {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: {
        echoCancellation: processing,
        noiseSuppression: processing,
        autoGainControl: processing,
        channelCount: 1,
      },
    });
    await context.audioWorklet.addModule('/web/mic-worklet.js');
    return new Microphone(context, stream, onblock);
  }

  constructor(context, stream, onblock) {
    this.context = context;
    this.stream = stream;
    this.source = context.createMediaStreamSource(stream);
    this.node = new AudioWorkletNode(context, 'ktv-mic', { numberOfInputs: 1, numberOfOutputs: 1 });
    // Pulled by the graph through a silent output; the worklet's own output is nothing.
    this.sink = context.createGain();
    this.sink.gain.value = 0;
    this.source.connect(this.node).connect(this.sink).connect(context.destination);
    /** In-ear monitoring: the voice straight to the output, off unless asked for. */
    this.monitor = context.createGain();
    this.monitor.gain.value = 0;
    this.source.connect(this.monitor).connect(context.destination);
    this.firstBlock = null;
    /** Who gets the blocks (the voice, or a calibration for a while). */
    this.onblock = onblock;
    this.node.port.onmessage = (event) => {
      const time = event.data.frame / context.sampleRate;
      this.firstBlock ??= time;
      this.onblock?.({ time, samples: event.data.samples });
    };
  }

  /** The capture path's latency as the browser states it (s). */
  get inputLatency() {
    const settings = this.stream.getAudioTracks()[0]?.getSettings() ?? {};
    return typeof settings.latency === 'number' ? settings.latency : 0;
  }

  /** What the device's output adds after the audio clock (s). */
  get outputLatency() {
    return (this.context.baseLatency || 0) + (this.context.outputLatency || 0);
  }

  setMonitor(on) {
    this.monitor.gain.value = on ? 1 : 0;
  }

  close() {
    this.node.port.postMessage('stop');
    this.node.port.onmessage = null;
    this.source.disconnect();
    this.node.disconnect();
    this.monitor.disconnect();
    for (const track of this.stream.getTracks()) track.stop();
  }
}

/**
 * Codes 20 ms mono blocks to stereo Opus (the voice frames' form) and hands each frame out
 * stamped as it was given: `send(bytes)` gets the envelope.
 */
export class VoiceSender {
  constructor(song, send) {
    this.song = song;
    this.send = send;
    this.seq = 0;
    this.preSkip = DEFAULT_PRE_SKIP;
    /** Stamps by the timestamp given to the encoder (its own, monotonic). */
    this.stamps = new Map();
    this.clock = 0;
    this.sent = 0;
    this.encoder = new AudioEncoder({
      output: (chunk, metadata) => this.output(chunk, metadata),
      error: (error) => console.warn('voice encoder', error),
    });
    this.encoder.configure({
      codec: 'opus',
      sampleRate: VOICE_RATE,
      numberOfChannels: 2,
      bitrate: BITRATE,
      opus: { frameDuration: 20000 },
    });
  }

  /** Codes one block sung at song `position` (µs), spanning `span` µs of song time. */
  encode(samples, position, span) {
    if (this.encoder.state !== 'configured' || samples.length !== FRAME) return;
    const timestamp = this.clock;
    this.clock += 20000;
    this.stamps.set(timestamp, { position, span });
    const planes = new Float32Array(FRAME * 2);
    planes.set(samples, 0);
    planes.set(samples, FRAME);
    const data = new AudioData({
      format: 'f32-planar',
      sampleRate: VOICE_RATE,
      numberOfFrames: FRAME,
      numberOfChannels: 2,
      timestamp,
      data: planes,
    });
    this.encoder.encode(data);
    data.close();
  }

  output(chunk, metadata) {
    const description = metadata?.decoderConfig?.description;
    if (description) {
      // The OpusHead: its pre-skip (bytes 10–11) is the encoder's look-ahead.
      const head = new Uint8Array(description instanceof ArrayBuffer ? description : description.buffer);
      if (head.length >= 12) this.preSkip = head[10] | (head[11] << 8);
    }
    // One frame out per frame in, in order; by its timestamp where the encoder keeps ours.
    const key = this.stamps.has(chunk.timestamp) ? chunk.timestamp : this.stamps.keys().next().value;
    const stamp = this.stamps.get(key);
    this.stamps.delete(key);
    if (!stamp) return;
    const opus = new Uint8Array(chunk.byteLength);
    chunk.copyTo(opus);
    // Decoded, the frame's audio starts `preSkip` samples late: its stamp says so.
    const lookahead = Math.round((this.preSkip / VOICE_RATE) * 1e6 * (stamp.span / 20000));
    this.send(encodeVoiceFrame({ song: this.song, seq: this.seq, position: stamp.position - lookahead, span: stamp.span, opus }));
    this.seq = (this.seq + 1) >>> 0;
    this.sent += 1;
  }

  close() {
    if (this.encoder.state !== 'closed') this.encoder.close();
    this.stamps.clear();
  }
}
