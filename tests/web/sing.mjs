#!/usr/bin/env node
// Sings from the room's web page in Debian's chromium, headless, through playwright-core, for
// tests/tests/web_sing.rs: chromium's fake microphone plays a take (a WAV the test made) into
// the page, which leads the room and sends its voice; a second page listens.
//
// Usage: node sing.mjs CONFIG.json. The config names the service, chromium, the take, the
// song and what to do:
// - `score`: sing the song through; the room's stored result (the service's score) and what
//   the pages saw go to OUT/result.json.
// - `leave`: sing into the song, pause mid-word (a screenshot of the sing view and where its
//   wipe should be, for the test to measure), then close the singer's tab and time how long
//   the room takes to move on to the next song, and whether the listener's player stops.

import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const prefix = process.env.KTV_NODE_PREFIX || join(process.env.HOME, '.cache/ktv/node');
const { chromium } = createRequire(join(prefix, 'node_modules/'))('playwright-core');

const base = config.base.replace(/\/$/, '');
const out = config.out;
mkdirSync(out, { recursive: true });
const result = { mode: config.mode };
const log = (...args) => console.log('[sing]', ...args);
const fail = (message) => {
  writeFileSync(join(out, 'result.json'), JSON.stringify({ ...result, failed: message }, null, 1));
  throw new Error(message);
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const browser = await chromium.launch({
  executablePath: config.chromium ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--autoplay-policy=no-user-gesture-required',
    // The microphone: the take, once through (then silence), granted without a prompt.
    '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${config.take}%noloop`,
  ],
});

async function open(name) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US', deviceScaleFactor: 1 });
  await context.grantPermissions(['microphone'], { origin: base });
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    log(`${name}: page error: ${error.message}`);
    result.pageErrors = (result.pageErrors ?? 0) + 1;
  });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') log(`${name}: console ${message.type()}: ${message.text()}`);
  });
  return page;
}

// The singer makes the room, takes a seat and requests the song (and, to see the room move
// on, a second one); their request goes on stage at once.
const singer = await open('singer');
await singer.goto(`${base}/`);
await singer.fill('input[name=room-name]', 'Sing here');
await singer.fill('input[name=owner-name]', 'Mei');
await singer.click('form[data-form=create] button');
await singer.waitForSelector('.badge[data-role=owner]');
const link = singer.url();
await singer.click('[data-tab=seats]');
await singer.click('[data-action=take-seat]');
await singer.waitForSelector('[data-seat="0"][data-taken=true]');
for (const song of [config.song, ...(config.mode === 'leave' ? [config.next_song] : [])]) {
  await singer.click('[data-tab=songs]');
  await singer.click(`[data-song=${song}]`);
  if (song === config.song) {
    // The request's key and tempo, as a singer sets them on the sliders.
    for (const [name, value] of [['key', config.key], ['tempo', config.tempo]]) {
      if (value === undefined) continue;
      await singer.$eval(`input[name=${name}]`, (input, v) => {
        input.value = String(v);
        input.dispatchEvent(new Event('input'));
      }, value);
    }
  }
  await singer.click('[data-action=request]');
  await singer.waitForSelector('.sheet', { state: 'detached' });
}
await singer.click('[data-tab=now]');
await singer.waitForSelector('[data-action=sing]', { timeout: 10000 }).catch(() => fail('no sing view for the singer'));
result.secure = await singer.evaluate(() => window.isSecureContext);

// A native listener (`ktv listen`, started by the test when it reads this line) watches by
// the join link; the song starts once it is there.
if (config.native_listener) {
  const { room, token } = await singer.evaluate(() => ({ room: window.ktv.roomId, token: window.ktv.member.token }));
  console.log(`[sing] room ${room} ${token}`);
  // The test says when the listener is connected.
  const ready = await Promise.race([
    new Promise((resolve) => process.stdin.once('data', () => resolve(true))),
    sleep(30000).then(() => false),
  ]);
  if (!ready) fail('the native listener never came');
  process.stdin.pause();
}

// A listener on a page of its own.
const listener = await open('listener');
await listener.goto(link);
await listener.fill('input[name=member-name]', 'Lu');
await listener.click('form[data-form=join-room] button');
await listener.waitForSelector('.badge[data-role=audience]');
await listener.click('[data-action=listen]').catch(() => {});
if (config.mode === 'score') {
  // The listener page's sound, recorded from its audio graph as two stems (music, voice).
  await listener.waitForFunction(() => window.ktv.player?.audible && window.ktv.tap, null, { timeout: 10000 })
    .catch(() => fail('the listener page cannot play'));
  await listener.evaluate(() => window.ktv.tap.start());
}

if (config.mode === 'leave') {
  // The loopback check: the fake microphone plays a file, so it hears no clicks.
  await singer.click('[data-action=calibrate]');
  await singer.waitForSelector('[data-calibration]', { timeout: 15000 }).catch(() => fail('the calibration never answered'));
  result.calibration = await singer.textContent('[data-calibration]');
  log(`calibration: ${result.calibration}`);
}
await singer.click('[data-action=sing]');
await singer.waitForFunction(() => window.ktv.sing?.state === 'singing', null, { timeout: 15000 })
  .catch(async () => fail(`the page did not start singing: ${await singer.evaluate(() => JSON.stringify({ state: window.ktv.sing?.state, error: window.ktv.sing?.error, why: window.ktv.sing?.why }))}`));
result.latency_ms = await singer.evaluate(() => Math.round(window.ktv.sing.latency() * 1000));
result.sample_rate = await singer.evaluate(() => window.ktv.player.context.sampleRate);
log(`singing; latency ${result.latency_ms} ms, clock ${result.sample_rate} Hz`);

/** What the listener's page has of the singer: its follower's timeline and voice figures. */
const listenerState = () => listener.evaluate(() => ({
  timeline: window.ktv.driver.follower.timeline,
  song: window.ktv.driver.song?.song_id ?? null,
  voice: window.ktv.voice?.stats ?? null,
  performance: window.ktv.view?.performance?.request.song_id ?? null,
  sounding: Boolean(window.ktv.player?.source),
}));

if (config.mode === 'score') {
  const request = await singer.evaluate(() => window.ktv.view.performance.request.id);
  // Into the song: the singer's own stage draws the service's judgement of their voice.
  await singer.waitForFunction(() => window.ktv.sing?.position() >= 25e6, null, { timeout: 60000, polling: 100 });
  result.trace_points = await singer.evaluate(() => window.ktv.stage.trace.length);
  // The song through, until the room moves on.
  await singer.waitForFunction((id) => window.ktv.view?.performance?.request.id !== id, request, { timeout: (config.song_seconds + 30) * 1000, polling: 500 })
    .catch(() => fail('the song never ended'));
  result.sent = await singer.evaluate(() => window.ktv.sung?.voice?.sent ?? null);
  result.listener = await listenerState();
  await saveListenerStems();
  // The room's results: the service's score, stored.
  let history = [];
  for (let i = 0; i < 20 && !history.some((r) => r.song_id === config.song); i++) {
    history = await singer.evaluate(() => window.ktv.act('GET', '/history', undefined, true));
    await sleep(250);
  }
  result.history = history;
  log(`ended; history ${JSON.stringify(history)}`);
} else {
  // Mid-word: pause (its instant is scheduled ahead, so it is asked for a little before).
  const at = config.pause_at_us;
  await singer.waitForFunction((at) => window.ktv.sing.position() >= at, at - 350000, { timeout: 60000, polling: 5 });
  await singer.click('[data-action=pause]');
  await listener.waitForFunction(() => window.ktv.driver.follower.timeline && !window.ktv.driver.follower.timeline.playing, null, { timeout: 5000 })
    .catch(() => fail('the listener never heard the pause'));
  await sleep(800);
  const heard = await listenerState();
  result.paused_at = heard.timeline.position;
  result.trace_points = await singer.evaluate(() => window.ktv.stage.trace.length);
  result.trace_recent = await singer.evaluate(() => {
    const now = window.ktv.sing.position();
    return window.ktv.stage.trace.filter((p) => p.midi != null && p.time > now - 2e6 && p.time <= now).length;
  });
  // The word being wiped on the singer's stage, and where it is.
  result.word = await singer.evaluate(() => {
    const span = document.querySelector('[data-role=lyrics] .word[data-state=current]');
    if (!span) return null;
    const box = span.getBoundingClientRect();
    const line = window.ktv.stage.lyrics.lines[Number(span.dataset.line)];
    const word = line.words[Number(span.dataset.word)];
    return { text: span.textContent, start: word.start, end: word.end, box: { x: box.x, y: box.y, width: box.width, height: box.height } };
  });
  await singer.screenshot({ path: join(out, 'sing-paused.png') });
  await singer.click('[data-action=resume]');
  await sleep(1500);
  result.before_leaving = await listenerState();
  // The singer closes the tab mid-song.
  const closed = Date.now();
  await singer.context().close();
  await listener.waitForFunction((song) => window.ktv.view?.performance?.request.song_id === song, config.next_song, { timeout: 20000, polling: 50 })
    .catch(() => fail('the room never moved on'));
  result.moved_on_ms = Date.now() - closed;
  await sleep(500);
  result.after_leaving = await listenerState();
  log(`moved on ${result.moved_on_ms} ms after the tab closed`);
}

writeFileSync(join(out, 'result.json'), JSON.stringify(result, null, 1));
await browser.close();

/** Stops the listener page's recording and writes its stems (f32, mono) beside the result. */
async function saveListenerStems() {
  const recorded = await listener.evaluate(async () => {
    window.recorded = await window.ktv.tap.stop();
    return { sample_rate: window.recorded.sampleRate, samples: window.recorded.samples.length };
  });
  result.listener_tap = recorded;
  for (const stem of ['samples', 'voice']) {
    const chunks = [];
    const step = 1 << 20;
    for (let from = 0; from < recorded.samples; from += step) {
      const base64 = await listener.evaluate(([stem, from, step]) => {
        const part = window.recorded[stem].subarray(from, from + step);
        const bytes = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
        let binary = '';
        for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        return btoa(binary);
      }, [stem, from, step]);
      chunks.push(Buffer.from(base64, 'base64'));
    }
    writeFileSync(join(out, `listener.${stem === 'samples' ? 'music' : 'voice'}.f32`), Buffer.concat(chunks));
  }
}
