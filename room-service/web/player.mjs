// The song played in the browser (Web Audio), steered by the follower exactly as the native
// listener's engine is: load, play_at, pause, rate, stop, and reports of where the audio is
// heard. Times are the page's monotonic clock in whole microseconds (`nowMicros`).
//
// The player keeps what it was asked for (the wanted timeline) apart from what sounds: when
// audio becomes possible late (the file still decoding, the browser waiting for a tap before
// it plays sound) it starts where the wanted timeline is by then, so it joins in step instead
// of late. Reports say what is heard, from the audio clock's output timestamps, so the
// follower corrects the real thing.

/** The page's monotonic clock, whole microseconds. */
export const nowMicros = () => Math.round(performance.now() * 1000);

/**
 * `media` (a song file's URL on the service) at `key` semitones and `tempo`: the service's
 * rendering of it (Web Audio cannot shift a key and keep time), or the file itself when there
 * is no shift. The same shift always gives the same string (buffers are cached by it).
 */
export function shiftedMedia(media, key = 0, tempo = 1) {
  const k = Math.round((key || 0) * 100) / 100;
  const t = Math.round((tempo || 1) * 1000) / 1000;
  const path = media.split('?')[0];
  if (k === 0 && t === 1) return path;
  return `${path}?key=${k}&tempo=${t}`;
}

/** A start closer than this to the audio clock's present is moved to it (seconds). */
const SCHEDULE_MARGIN = 0.02;

/**
 * A thin client's song: the timeline a source node would play, without the audio (the room's
 * mix brings the sound, placed on this timeline like the voice is on the music's).
 */
class TimelineOnly {
  constructor() {
    this.playbackRate = { value: 1, setValueAtTime() {} };
    this.onended = null;
  }

  start() {}

  stop() {}
}

export class WebAudioPlayer {
  /** `thin`: play no song of its own (see `TimelineOnly`). */
  constructor({ thin = false } = {}) {
    this.thin = thin;
    // 48 kHz whatever the device's rate: the singer's voice is coded at Opus's 48 kHz from
    // this clock's samples (the browser resamples to the device).
    this.context = new AudioContext({ latencyHint: 'interactive', sampleRate: 48000 });
    this.output = this.context.createGain();
    this.output.connect(this.context.destination);
    /** The singer's voice, mixed beside the music (`playVoice`). */
    this.voiceOutput = this.context.createGain();
    this.voiceOutput.connect(this.context.destination);
    /** Voice frames not yet over: `{frame, buffer, node}`, in song order. */
    this.voices = [];
    this.buffers = new Map();
    /** The original vocal played quietly under the music (导唱), for a page that sings. */
    this.guide = null;
    this.guideSource = null;
    this.media = null;
    this.buffer = null;
    /** Song time per second of the buffers (they are rendered at the song's tempo). */
    this.tempo = 1;
    /** What the follower asked for: `{playing, position, at, rate}` (µs, local clock). */
    this.want = null;
    /** What sounds: the source node and its segments `[{time, position, rate}]` (ctx s, µs). */
    this.source = null;
    this.segments = [];
    this.startTime = 0;
    this.onchange = null;
    this.context.onstatechange = () => {
      this.sync();
      this.onchange?.();
    };
  }

  /** Whether the browser lets it make sound (it needs a tap first on most devices). */
  get audible() {
    return this.context.state === 'running';
  }

  /** Call from a user gesture. */
  async enable() {
    await this.context.resume();
    this.sync();
  }

  setVolume(gain) {
    this.output.gain.value = gain;
    this.voiceOutput.gain.value = gain;
  }

  /** Local µs → the audio clock's time of the sample heard then (s). */
  contextTimeAt(local) {
    const stamp = this.context.getOutputTimestamp();
    if (!stamp.performanceTime) {
      // No output timestamp yet (just started): the render clock plus its latency.
      const latency = this.context.baseLatency + (this.context.outputLatency || 0);
      return this.context.currentTime - latency + (local / 1000 - performance.now()) / 1000;
    }
    return stamp.contextTime + (local / 1000 - stamp.performanceTime) / 1000;
  }

  /** The audio clock's time (s) → the local µs its sample is heard at. */
  localAt(time) {
    const stamp = this.context.getOutputTimestamp();
    if (!stamp.performanceTime) {
      const latency = this.context.baseLatency + (this.context.outputLatency || 0);
      return Math.round((performance.now() + (time - this.context.currentTime + latency) * 1000) * 1000);
    }
    return Math.round((stamp.performanceTime + (time - stamp.contextTime) * 1000) * 1000);
  }

  /** The song position that sounds at audio clock time `time` (µs), or null if the song is
   *  not sounding then. */
  positionHeardAt(time) {
    if (!this.source || !this.segments.length || time < this.startTime) return null;
    if (this.stopTime && time >= this.stopTime && this.want && !this.want.playing) return null;
    return this.positionAtTime(time);
  }

  steer(steer) {
    const now = nowMicros();
    switch (steer.steer) {
      case 'load':
        this.tempo = steer.args.tempo || 1;
        this.load(shiftedMedia(steer.args.media, steer.args.key, steer.args.tempo));
        break;
      case 'play_at':
        this.want = { playing: true, position: steer.args.position, at: steer.args.at, rate: this.want?.rate ?? 1 };
        this.restart();
        break;
      case 'pause':
        this.want = { playing: false, position: steer.args.position, at: steer.args.at, rate: this.want?.rate ?? 1 };
        this.stopAt(this.contextTimeAt(steer.args.at));
        break;
      case 'rate':
        this.setRate(now, steer.args);
        break;
      case 'stop':
        this.want = null;
        this.stopAt(0);
        this.voices = [];
        break;
      default:
        break;
    }
  }

  /** Fetches and decodes `media` ahead (a track the singer may switch to). */
  preload(media) {
    let pending = this.buffers.get(media);
    if (!pending) {
      pending = fetch(media)
        .then((r) => {
          if (!r.ok) throw new Error(`${media}: HTTP ${r.status}`);
          return r.arrayBuffer();
        })
        .then((bytes) => this.context.decodeAudioData(bytes));
      pending.catch(() => this.buffers.delete(media));
      this.buffers.set(media, pending);
    }
    return pending;
  }

  /** Plays `media` quietly (`gain`) under the music from the next start, or nothing (null). */
  async setGuide(media, gain = 0.3) {
    if (!media) {
      this.guide = null;
    } else {
      const buffer = await this.preload(media);
      this.guide = { buffer, gain };
    }
    if (this.source) this.restart();
  }

  async load(media) {
    if (this.media === media) return;
    this.media = media;
    this.buffer = null;
    this.stopAt(0);
    if (this.thin) {
      this.sync();
      this.onchange?.();
      return;
    }
    const pending = this.preload(media);
    try {
      const buffer = await pending;
      if (this.media !== media) return;
      this.buffer = buffer;
      this.sync();
      this.onchange?.();
    } catch (error) {
      this.buffers.delete(media);
      console.warn('cannot load the song', error);
    }
  }

  /** The wanted position at local instant `local`. */
  wantedAt(local) {
    const want = this.want;
    if (!want) return null;
    if (!want.playing || local < want.at) return want.position;
    return want.position + (local - want.at) * want.rate * this.tempo;
  }

  /** Song time per second of what is wanted: the follower's rate at the song's tempo. */
  songRate() {
    return (this.want?.rate ?? 1) * this.tempo;
  }

  setRate(now, rate) {
    if (this.want) {
      const position = this.wantedAt(Math.max(now, this.want.at));
      this.want = { ...this.want, position, at: Math.max(now, this.want.at), rate };
    }
    if (this.source) {
      const time = Math.max(this.context.currentTime, this.startTime);
      const position = this.positionAtTime(time);
      this.source.playbackRate.setValueAtTime(rate, time);
      this.guideSource?.playbackRate.setValueAtTime(rate, time);
      this.segments.push({ time, position, rate: rate * this.tempo });
      this.scheduleVoices(time);
    }
  }

  /** Makes what sounds match what is wanted, if it can sound at all. */
  sync() {
    if (!this.source && this.want?.playing) this.restart();
  }

  restart() {
    this.stopAt(0);
    const want = this.want;
    if (!want?.playing || !(this.buffer || this.thin) || !this.audible) return;
    let time = this.contextTimeAt(want.at);
    let position = want.position;
    // Song time per second; the buffers hold the song at its tempo, so song position p is
    // buffer time p / tempo.
    const rate = want.rate * this.tempo;
    const offset = (p) => p / 1e6 / this.tempo;
    const earliest = this.context.currentTime + SCHEDULE_MARGIN;
    if (time < earliest) {
      position += (earliest - time) * 1e6 * rate;
      time = earliest;
    }
    if (position < 0) {
      time += -position / 1e6 / rate;
      position = 0;
    }
    if (this.buffer && offset(position) >= this.buffer.duration) return;
    const source = this.thin ? new TimelineOnly() : this.context.createBufferSource();
    if (!this.thin) {
      source.buffer = this.buffer;
      source.connect(this.output);
    }
    source.playbackRate.value = want.rate;
    source.start(time, offset(position));
    if (this.guide && !this.thin && offset(position) < this.guide.buffer.duration) {
      const guide = this.context.createBufferSource();
      const gain = this.context.createGain();
      gain.gain.value = this.guide.gain;
      guide.buffer = this.guide.buffer;
      guide.playbackRate.value = want.rate;
      guide.connect(gain).connect(this.output);
      guide.start(time, offset(position));
      this.guideSource = guide;
    }
    source.onended = () => {
      if (this.source === source) {
        this.source = null;
        this.segments = [];
      }
    };
    this.source = source;
    this.startTime = time;
    this.segments = [{ time, position, rate }];
    this.scheduleVoices(0);
  }

  stopAt(time) {
    this.stopVoices(time);
    if (this.guideSource) {
      try {
        this.guideSource.stop(Math.max(time, this.context.currentTime));
      } catch {
        // Already stopped.
      }
      this.guideSource = null;
    }
    if (!this.source) return;
    const source = this.source;
    const at = Math.max(time, this.context.currentTime);
    try {
      source.stop(at);
    } catch {
      // Already stopped.
    }
    if (at <= this.context.currentTime) {
      this.source = null;
      this.segments = [];
    } else {
      this.stopTime = at;
      source.onended = () => {
        if (this.source === source) {
          this.source = null;
          this.segments = [];
        }
      };
    }
  }

  /** The song position of the sample the audio clock plays at `time` (µs). */
  positionAtTime(time) {
    let segment = this.segments[0];
    for (const s of this.segments) if (s.time <= time) segment = s;
    return segment.position + (time - segment.time) * 1e6 * segment.rate;
  }

  /** What is heard now: `{position, at, playing}` for the follower, or null when silent. */
  report() {
    if (!this.source || !this.segments.length || !this.audible) return null;
    const at = nowMicros();
    const time = this.contextTimeAt(at);
    if (time < this.startTime) return { position: Math.round(this.segments[0].position), at, playing: false };
    if (this.want && !this.want.playing && this.stopTime && time >= this.stopTime) {
      return { position: this.want.position, at, playing: false };
    }
    return { position: Math.round(this.positionAtTime(time)), at, playing: true };
  }

  /**
   * Plays a frame of the singer's voice (`channels` at `rate` Hz, spanning `frame.span` µs of
   * song time from `frame.position`) where the music reaches that position. Returns false if
   * it came too late to be heard (the music is past it, or not playing).
   */
  playVoice(frame, channels, rate) {
    if (!this.source || !this.segments.length || !channels.length) return false;
    const buffer = this.context.createBuffer(channels.length, channels[0].length, rate);
    channels.forEach((samples, c) => buffer.copyToChannel(samples, c));
    const voice = { frame, buffer, node: null };
    const played = this.scheduleVoice(voice);
    if (played) {
      this.voices.push(voice);
      // Frames well past are forgotten (a restart replays only what is still ahead).
      const now = this.context.currentTime;
      while (this.voices.length && this.voices[0].end !== undefined && this.voices[0].end < now - 1) this.voices.shift();
    }
    return played;
  }

  /** Schedules (again) a voice frame at the context time its position is heard. */
  scheduleVoice(voice) {
    const { frame, buffer } = voice;
    const segment = this.segments[this.segments.length - 1];
    // Song time per second of the frame's audio, and the context time its start is played.
    const rate = (segment.rate * buffer.duration * 1e6) / frame.span;
    const time = segment.time + (frame.position - segment.position) / 1e6 / segment.rate;
    const now = this.context.currentTime;
    const offset = Math.max(now - time, 0) * rate;
    if (offset >= buffer.duration) return false;
    try {
      voice.node?.stop();
    } catch {
      // Already stopped.
    }
    const node = this.context.createBufferSource();
    node.buffer = buffer;
    node.playbackRate.value = rate;
    node.connect(this.voiceOutput);
    node.start(Math.max(time, now), offset);
    voice.node = node;
    voice.start = time;
    voice.end = time + buffer.duration / rate;
    return true;
  }

  /** The music's timeline changed from context time `from`: voice frames that start after
   *  it move with it (after a restart, all of them: the music stopped them). */
  scheduleVoices(from) {
    this.voices = this.voices.filter((voice) => voice.start < from || this.scheduleVoice(voice));
  }

  /** Voice frames stop with the music (they stay, to be played again where it restarts). */
  stopVoices(time) {
    const at = Math.max(time, this.context.currentTime);
    for (const voice of this.voices) {
      try {
        voice.node?.stop(at);
      } catch {
        // Already stopped.
      }
    }
  }
}
