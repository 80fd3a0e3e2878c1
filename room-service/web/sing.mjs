// Singing from the page: when the song on stage is this member's, the page is their whole
// KTV. A tap opens the microphone and starts a countdown; the music plays from the page's own
// player on the room's timeline, and the page leads the room as `ktv sing` does (lead.mjs):
// its start, pauses, restarts and stop reach every listener as sync messages. The voice is
// stamped with the song position the singer heard as they sang it and sent to the room
// (mic.mjs), where the service judges it; the page draws the service's judgement.

import { calibrate } from './calibrate.mjs';
import { t } from './i18n.mjs';
import { LeadDriver } from './lead.mjs';
import { Microphone, VoiceSender, cannotSing } from './mic.mjs';
import { onHttps } from './origin.mjs';
import { nowMicros, shiftedMedia } from './player.mjs';

/** From the microphone's first block to the music's first sample. */
export const COUNTDOWN_S = 3;
const HEARTBEAT_MS = 5000;
const PROCESSING_KEY = 'ktv.mic-processing';
export const MIC_OFFSET_KEY = 'ktv.mic-offset';
/** In-ear monitoring is offered below this round trip: above it the singer hears an echo. */
const MONITOR_MAX_MS = 40;

const el = (tag, props = {}, ...children) => {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (value !== null && value !== undefined && value !== false) element[key] = value;
  }
  element.append(...children.filter((c) => c !== null && c !== undefined));
  return element;
};

/** What the singer hears for each track, from the song's files (`SongDetails.audio`), at the
 *  request's key and tempo. */
function tracks(id, audio, { key = 0, tempo = 1 } = {}) {
  const media = (kind) => shiftedMedia(`/api/songs/${encodeURIComponent(id)}/media/${kind}`, key, tempo);
  const accompaniment = { media: media('accompaniment'), guide: null };
  if (audio?.layout !== 'two-files') return { accompaniment };
  const vocal = audio.original === 'vocal';
  return {
    accompaniment,
    // A vocal stem goes under the music, loud or quiet; a full mix is played as it is.
    original: vocal ? { media: media('accompaniment'), guide: [media('original'), 1] } : { media: media('original'), guide: null },
    guide: { media: media('accompaniment'), guide: [media('original'), vocal ? 0.3 : 0.2] },
  };
}

export class SingSession {
  /**
   * The song on stage is ours: `performance` (the room's), `details` (the song's), `page`
   * gives `player`, `socket`, `act(method, path, body)` and `leaderConfig`.
   */
  constructor(performance, details, page, root) {
    this.request = performance.request;
    this.details = details;
    this.page = page;
    this.root = root;
    this.state = 'ready';
    this.countdownUntil = null;
    this.mic = null;
    this.voice = null;
    this.driver = null;
    this.tracks = tracks(details.id, details.audio, performance.request.preset);
    this.mode = this.tracks[this.request.preset.mode] ? this.request.preset.mode : 'accompaniment';
    this.processing = localStorage.getItem(PROCESSING_KEY) === '1';
    this.monitoring = false;
    this.why = cannotSing();
    // Fetched and decoded ahead (at a shift, the service's rendering), so the tap starts it.
    if (!this.why) {
      const track = this.tracks[this.mode];
      for (const media of [track.media, track.guide?.[0]]) if (media) page.player.preload(media).catch(() => {});
    }
    this.heartbeats = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
    this.heartbeat();
    this.render();
  }

  heartbeat() {
    this.page.act('POST', '/performance/heartbeat', { request: this.request.id }, true).catch(() => {});
  }

  /** The round trip (s): what the singer heard came out this long before their voice came in,
   *  less nothing and plus the offset they set. */
  latency() {
    const offset = (Number(localStorage.getItem(MIC_OFFSET_KEY)) || 0) / 1000;
    return this.mic ? this.mic.outputLatency + this.mic.inputLatency + offset : offset;
  }

  /** The singer's tap: microphone, countdown, start. */
  async begin() {
    if (this.state !== 'ready' || this.why) return;
    this.state = 'starting';
    this.render();
    const player = this.page.player;
    try {
      await player.enable();
      const track = this.tracks[this.mode];
      await Promise.all([player.preload(track.media), track.guide ? player.setGuide(...track.guide) : player.setGuide(null)]);
      this.mic = await Microphone.open(player.context, { processing: this.processing }, (block) => this.heard(block));
    } catch (error) {
      this.fail(error);
      return;
    }
    for (let i = 0; i < 250 && this.mic.firstBlock === null; i++) await new Promise((r) => setTimeout(r, 20));
    if (this.mic.firstBlock === null) {
      this.fail(new Error(t('no_microphone_sound')));
      return;
    }
    // The music's first sample is heard COUNTDOWN_S after the microphone's first block, on
    // the audio clock: what the microphone takes in is placed on the song by that clock.
    const startAt = player.localAt(this.mic.firstBlock + COUNTDOWN_S);
    this.driver = new LeadDriver(this.page.leaderConfig, (message) => this.page.socket.sendSync(message), player);
    this.driver.media = this.tracks[this.mode].media;
    this.driver.onreport = () => this.tick();
    this.countdownUntil = startAt;
    this.state = 'countdown';
    this.render();
    const call = startAt - this.driver.startLead;
    setTimeout(() => {
      if (this.state !== 'countdown') return;
      this.driver.start({
        song_id: this.details.id,
        // Listeners fetch the song's own file and apply the key and tempo themselves.
        media: `/api/songs/${encodeURIComponent(this.details.id)}/media/accompaniment`,
        track_mode: this.request.preset.mode,
        key: this.request.preset.key,
        tempo: this.request.preset.tempo,
      }, 0, call);
      this.voice = new VoiceSender(this.driver.leader.song, (bytes) => this.page.socket.sendBinary(bytes));
      this.state = 'singing';
      this.render();
    }, Math.max(0, (call - nowMicros()) / 1000));
  }

  /** The loopback check: clicks through the speaker into the microphone set the offset. */
  async calibrate() {
    if (this.state !== 'ready' || this.why) return;
    this.state = 'calibrating';
    this.calibration = null;
    this.render();
    const player = this.page.player;
    let mic = null;
    try {
      await player.enable();
      mic = await Microphone.open(player.context, { processing: false }, null);
      const measured = await calibrate(player.context, mic);
      if (measured) {
        const reported = (mic.outputLatency + mic.inputLatency) * 1000;
        const offset = Math.round(measured.roundTrip - reported);
        localStorage.setItem(MIC_OFFSET_KEY, String(offset));
        this.calibration = t('calibrated', { ms: Math.round(measured.roundTrip), spread: measured.spread.toFixed(1), found: measured.found, offset });
      } else {
        this.calibration = t('calibration_unheard');
      }
    } catch (error) {
      this.calibration = String(error?.message ?? error);
    } finally {
      mic?.close();
    }
    this.state = 'ready';
    this.render();
  }

  fail(error) {
    console.warn('cannot sing', error);
    this.state = 'ready';
    this.error = String(error?.message ?? error);
    this.mic?.close();
    this.mic = null;
    this.render();
  }

  /** A block of the microphone: stamped with the song position heard when it was sung. */
  heard(block) {
    if (!this.voice || !this.driver) return;
    const player = this.page.player;
    const position = player.positionHeardAt(block.time - this.latency());
    if (position === null || position < 0) return;
    this.voice.encode(block.samples, Math.round(position), Math.round(20000 * player.songRate()));
  }

  /** Every player report: the song's end is the singer's to announce. */
  tick() {
    if (this.state !== 'singing') return;
    const position = this.driver.position();
    const end = (this.details.duration ?? Infinity) * 1e6;
    if (position !== null && position >= end) this.finish();
  }

  /** A live control from the room (the owner's or our own buttons). */
  control(control) {
    if (!this.driver || this.state === 'done') return;
    switch (control.control) {
      case 'pause':
        this.driver.pause();
        break;
      case 'resume':
        this.driver.resume();
        break;
      case 'restart':
        // The service judges afresh from here; the page starts the song over.
        this.driver.seek(0);
        break;
      case 'mode':
        this.setMode(control.mode);
        break;
      default:
        break;
    }
    this.render();
  }

  async setMode(mode) {
    const track = this.tracks[mode];
    if (!track) return;
    this.mode = mode;
    const player = this.page.player;
    this.driver && (this.driver.media = track.media);
    await player.setGuide(...(track.guide ?? [null]));
    if (player.media !== track.media) await player.load(track.media);
    this.render();
  }

  /** The song sung to its end (or stopped by the singer): the room hears so, the service
   *  stores what it judged. */
  async finish() {
    if (this.state === 'done') return;
    this.state = 'done';
    this.driver?.stop();
    this.close();
    await this.page.act('POST', '/performance/finished', { request: this.request.id }, true).catch(() => {});
  }

  /** The song left the stage (skipped, finished, taken over): stop leading. */
  close() {
    if (this.state !== 'done') this.driver?.stop();
    this.state = 'done';
    clearInterval(this.heartbeats);
    this.driver?.close();
    this.mic?.close();
    this.voice?.close();
    this.mic = null;
    this.render();
  }

  /** The song position the singer hears now (µs), or null. */
  position() {
    return this.driver?.position() ?? null;
  }

  /** What the stage says over the lyrics: the countdown. */
  message() {
    if (this.state === 'starting') return t('sing_starting');
    if (this.state !== 'countdown') return '';
    return String(Math.max(1, Math.ceil((this.countdownUntil - nowMicros()) / 1e6)));
  }

  render() {
    const root = this.root;
    if (this.state === 'done') {
      root.replaceChildren();
      root.hidden = true;
      return;
    }
    root.hidden = false;
    const items = [el('h3', {}, t('your_turn'))];
    if (this.why) {
      items.push(el('p', { className: 'warn', dataset: { why: this.why } }, t(`sing_${this.why}`)));
      const secure = this.why === 'insecure' ? onHttps(location.href) : null;
      if (secure) items.push(el('a', { className: 'button primary', href: secure, dataset: { action: 'secure' } }, t('open_https')));
    } else if (this.state === 'ready') {
      items.push(
        el('button', { className: 'primary big', onclick: () => this.begin(), dataset: { action: 'sing' } }, `🎤 ${t('sing_here')}`),
        el('label', { className: 'check' }, el('input', {
          type: 'checkbox', name: 'mic-processing', checked: this.processing, onchange: (event) => {
            this.processing = event.target.checked;
            localStorage.setItem(PROCESSING_KEY, this.processing ? '1' : '0');
          },
        }), t('mic_processing')),
        el('button', { onclick: () => this.calibrate(), dataset: { action: 'calibrate' } }, t('calibrate')),
      );
      if (this.calibration) items.push(el('p', { className: 'muted', dataset: { calibration: '' } }, this.calibration));
      if (this.error) items.push(el('p', { className: 'warn' }, this.error));
    } else if (this.state === 'calibrating') {
      items.push(el('p', { className: 'muted' }, t('calibrating')));
    } else {
      const roundTrip = Math.round(this.latency() * 1000);
      const canMonitor = roundTrip <= MONITOR_MAX_MS;
      items.push(
        el('div', { className: 'muted', dataset: { latency: String(roundTrip) } }, t('latency_figures', {
          output: Math.round((this.mic?.outputLatency ?? 0) * 1000),
          input: Math.round((this.mic?.inputLatency ?? 0) * 1000),
          offset: Number(localStorage.getItem(MIC_OFFSET_KEY)) || 0,
        })),
        el('label', { className: 'check' }, el('input', {
          type: 'checkbox', name: 'monitor', checked: this.monitoring && canMonitor, disabled: !canMonitor, onchange: (event) => {
            this.monitoring = event.target.checked;
            this.mic?.setMonitor(this.monitoring);
          },
        }), canMonitor ? t('monitor') : t('monitor_too_slow', { ms: roundTrip })),
        el('div', { className: 'actions' },
          ...Object.keys(this.tracks).map((mode) => el('button', {
            className: mode === this.mode ? 'primary' : '',
            dataset: { track: mode },
            onclick: () => this.page.act('POST', '/controls', { control: 'mode', mode }).catch(() => {}),
          }, t(`mode_${mode}`))),
          el('button', { className: 'danger', onclick: () => this.finish(), dataset: { action: 'finish' } }, t('finish'))),
      );
      const preset = this.request.preset;
      if (preset.key || preset.tempo !== 1) {
        const shift = [preset.key ? `${t('key')} ${preset.key > 0 ? '+' : ''}${preset.key}` : null, preset.tempo !== 1 ? `${t('tempo')} ×${preset.tempo}` : null];
        items.push(el('p', { className: 'muted', dataset: { shift: '' } }, shift.filter(Boolean).join(' · ')));
      }
    }
    root.replaceChildren(...items);
  }
}
