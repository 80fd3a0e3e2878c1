#!/usr/bin/env node
// Drives the room's web page in Debian's chromium, headless, through playwright-core, for the
// end-to-end test tests/tests/web_page.rs (which starts the service and the singer, and judges
// what this script measures against the singer's own player).
//
// Usage: node page.mjs CONFIG.json — the config names the service, the singer's room, where
// the singer's position is zero on the epoch clock, the conformance vectors and the output
// folder. Checks that need no outside truth (queue changes seen within 1 s, refusals) fail the
// script here; it writes what it saw to OUT/result.json and the audio tap to OUT/tap.f32.

import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const prefix = process.env.KTV_NODE_PREFIX || join(process.env.HOME, '.cache/ktv/node');
const { chromium } = createRequire(join(prefix, 'node_modules/'))('playwright-core');

const base = config.base.replace(/\/$/, '');
const out = config.out;
mkdirSync(join(out, 'screenshots'), { recursive: true });
const result = { words: [], queue: [], refusals: [] };
const log = (...args) => console.log('[page]', ...args);
const fail = (message) => {
  throw new Error(message);
};
const epochNow = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const browser = await chromium.launch({
  executablePath: config.chromium ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    // playwright gives each launch a fresh profile of its own (no --user-data-dir).
    // A name for the service that is not localhost: pages opened by it are not secure contexts.
    '--host-resolver-rules=MAP ktv.test 127.0.0.1',
  ],
});

const PHONE = { width: 390, height: 844 };
const TV = { width: 1920, height: 1080 };

async function open(name, viewport, locale) {
  const context = await browser.newContext({ viewport, locale, deviceScaleFactor: 1 });
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

async function shot(page, name, { toasts = false } = {}) {
  // As a person sees the view: from its top (clicks scroll the page), messages gone unless
  // they are the point.
  if (!toasts) await page.waitForSelector('.toast', { state: 'detached', timeout: 5000 }).catch(() => {});
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(out, 'screenshots', `${name}.png`) });
}

/** The request ids in the queue's waiting list as `page` shows them. */
const shownQueue = (page) => page.$$eval('[data-list=queue] [data-request]', (items) => items.map((i) => Number(i.dataset.request)));

/**
 * Does `action` on one page and measures when `watcher` shows the queue as `expected`: a
 * MutationObserver in the watcher stamps the instant its list first matches.
 */
async function measureQueueChange(what, watcher, expected, action) {
  await watcher.evaluate((expected) => {
    window.__seen = null;
    const matches = () => {
      const ids = [...document.querySelectorAll('[data-list=queue] [data-request]')].map((i) => Number(i.dataset.request));
      return JSON.stringify(ids) === JSON.stringify(expected);
    };
    const observer = new MutationObserver(() => {
      if (window.__seen === null && matches()) {
        window.__seen = performance.timeOrigin + performance.now();
        observer.disconnect();
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
  }, expected);
  const started = epochNow();
  await action();
  await watcher.waitForFunction(() => window.__seen !== null, null, { timeout: 5000 }).catch(() => fail(`${what}: the other page never showed ${JSON.stringify(expected)}`));
  const seen = await watcher.evaluate(() => window.__seen);
  const delay = seen - started;
  result.queue.push({ what, delay_ms: delay });
  log(`${what}: seen by the other page after ${delay.toFixed(1)} ms`);
  if (delay > 1000) fail(`${what}: the other page saw it after ${delay} ms (> 1 s)`);
}

// ----- Two browsers in one room: queue changes seen live, the audience refused -----

async function queueScenario() {
  const owner = await open('owner', PHONE, 'en-US');
  await owner.goto(`${base}/`);
  await owner.waitForSelector('form[data-form=create]');
  await shot(owner, 'phone-home-en');
  await owner.fill('input[name=room-name]', 'Friday night');
  await owner.fill('input[name=owner-name]', 'Ann');
  await owner.click('form[data-form=create] button');
  await owner.waitForURL(/room=/);
  await owner.waitForSelector('.badge[data-role=owner]');
  const link = owner.url();
  const room = new URL(link).searchParams.get('room');

  // While no one sings, the main screen invites: the room's name, the join code large, the
  // link; the TV view the same, filling the screen.
  const idle = await owner.evaluate(() => {
    const screen = document.querySelector('[data-panel=now] [data-idle]');
    const qr = screen?.querySelector('img.qr-idle');
    return screen && !screen.hidden && { text: screen.textContent, qr: qr?.getBoundingClientRect().width ?? 0 };
  });
  result.idle = idle;
  if (!idle?.text.includes('Friday night') || idle.qr < 200) fail(`the idle Now tab does not invite: ${JSON.stringify(idle)}`);
  await owner.waitForFunction(() => document.querySelector('img.qr-idle')?.complete && document.querySelector('img.qr-idle').naturalWidth > 0, null, { timeout: 3000 })
    .catch(() => fail('the idle join code never loaded'));
  await shot(owner, 'phone-idle-en');
  const idleTv = await open('idle-tv', TV, 'zh-CN');
  await idleTv.goto(`${link}&view=tv`);
  await idleTv.waitForSelector('.tv-idle:not([hidden]) img.tv-qr-idle', { timeout: 5000 })
    .catch(() => fail('the idle TV view shows no join code'));
  result.idle_tv = await idleTv.evaluate(() => ({
    text: document.querySelector('.tv-idle').textContent,
    qr: document.querySelector('img.tv-qr-idle').getBoundingClientRect().height / innerHeight,
  }));
  if (!result.idle_tv.text.includes('Friday night') || result.idle_tv.qr < 0.3) fail(`the idle TV view does not invite: ${JSON.stringify(result.idle_tv)}`);
  await shot(idleTv, 'tv-idle-zh');
  await idleTv.context().close();

  // The owner's first request goes on stage at once; their singing client (not this page)
  // would keep it there with heartbeats, so the script sends them for it.
  const heartbeat = setInterval(() => {
    owner.evaluate(() => window.ktv?.view?.performance && window.ktv.act('POST', '/performance/heartbeat', {}, true)).catch(() => {});
  }, 3000);
  await owner.click('[data-tab=seats]');
  await owner.click('[data-action=take-seat]');
  await owner.waitForSelector('[data-seat="0"][data-taken=true]');
  await owner.click('[data-tab=songs]');
  let first = true;
  for (const song of ['jasmine', 'tigers', 'twinkle', 'susanna']) {
    await owner.click(`[data-song=${song}]`);
    if (song === 'susanna') {
      await owner.fill('input[name=key]', '2');
      await owner.selectOption('select[name=mode]', 'guide');
      await shot(owner, 'phone-song-detail-en');
    }
    await owner.click('[data-action=request]');
    await owner.waitForSelector('[data-detail]', { state: 'detached' });
    if (first) {
      // A song on stage: the invite shrinks beside it, still on the main screen.
      first = false;
      await owner.waitForSelector('[data-panel=now] [data-idle][hidden]', { state: 'attached', timeout: 3000 })
        .catch(() => fail('the idle screen stayed with a song on stage'));
      if (!(await owner.$('[data-panel=now] [data-invite]:not([hidden]) img.qr-small'))) fail('no invite on the Now tab while a song is on');
    }
  }
  // Search by pinyin initials: 两只老虎 is "lzlh".
  await owner.fill('input[name=search]', 'lzlh');
  await owner.waitForFunction(() => [...document.querySelectorAll('[data-list=songs] [data-song]')].map((s) => s.dataset.song).join() === 'tigers')
    .catch(() => fail('searching "lzlh" did not find exactly 两只老虎'));
  await shot(owner, 'phone-search-en');
  await owner.fill('input[name=search]', '');

  const audience = await open('audience', PHONE, 'zh-CN');
  await audience.goto(link);
  await audience.fill('input[name=member-name]', 'Bo');
  await audience.click('form[data-form=join-room] button');
  await audience.waitForSelector('.badge[data-role=audience]');
  await audience.click('[data-tab=queue]');
  await owner.click('[data-tab=queue]');
  await owner.waitForSelector('[data-list=queue] [data-request]');
  const waiting = await shownQueue(owner);
  if (waiting.length !== 3) fail(`the owner's page shows ${waiting.length} waiting songs, not 3`);
  if (JSON.stringify(await shownQueue(audience)) !== JSON.stringify(waiting)) fail('the two pages show different queues');
  await shot(owner, 'phone-queue-owner-en');
  await shot(audience, 'phone-queue-audience-zh');

  // Reorder: the first waiting song down one.
  const [a, b, c] = waiting;
  await measureQueueChange('move down', audience, [b, a, c], () => owner.click(`[data-request="${a}"] [data-action=down]`));
  // Pin the last to the top.
  await measureQueueChange('pin', audience, [c, b, a], () => owner.click(`[data-request="${c}"] [data-action=pin]`));
  // A new request.
  await owner.click('[data-tab=songs]');
  await owner.click('[data-song=farewell]');
  await measureQueueChange('request', audience, [c, b, a, Math.max(a, b, c) + 1], () => owner.click('[data-action=request]'));
  // Remove one.
  await owner.click('[data-tab=queue]');
  await measureQueueChange('remove', audience, [c, a, Math.max(a, b, c) + 1], () => owner.click(`[data-request="${b}"] [data-action=remove]`));

  // The audience page offers none of the owner's actions, and the service refuses them.
  for (const action of ['pin', 'up', 'down', 'remove', 'skip']) {
    const count = await audience.locator(`[data-panel=queue] [data-action=${action}]`).count();
    if (count) fail(`the audience page offers "${action}"`);
  }
  await audience.click('[data-tab=songs]');
  await audience.click('[data-song=jasmine]');
  if (await audience.locator('[data-action=request]').count()) fail('the audience page offers "request"');
  await shot(audience, 'phone-song-detail-audience-zh');
  await audience.click('.sheet .close');
  const attempts = [
    ['pin', 'POST', `/queue/${a}/pin`, undefined],
    ['reorder', 'POST', `/queue/${a}/move`, { index: 0 }],
    ['remove', 'DELETE', `/queue/${a}`, undefined],
    ['skip', 'POST', '/skip', undefined],
    ['pause', 'POST', '/controls', { control: 'pause' }],
    ['free a seat', 'DELETE', '/seats/0', undefined],
    ['request', 'POST', '/queue', { song_id: 'tigers' }],
  ];
  for (const [what, method, path, body] of attempts) {
    const answer = await audience.evaluate(([m, p, b]) => window.ktv.tryAction(m, p, b), [method, path, body]);
    result.refusals.push({ what, ...answer });
    if (answer.ok || answer.status !== 403) fail(`the audience's "${what}" was not refused with 403: ${JSON.stringify(answer)}`);
  }
  await audience.waitForSelector('.toast[data-kind=error]');
  await shot(audience, 'phone-refused-zh', { toasts: true });
  const after = await shownQueue(owner);
  if (JSON.stringify(after) !== JSON.stringify([c, a, Math.max(a, b, c) + 1])) fail(`refused actions changed the queue: ${after}`);
  await audience.click('[data-tab=queue]');

  // The owner requests for a walk-up singer (someone without a phone): the queue names them.
  await owner.click('[data-tab=songs]');
  await owner.click('[data-song=twinkle]');
  await owner.fill('input[name=walk-up]', 'Dee');
  await owner.click('[data-action=request]');
  await audience.waitForFunction(() => [...document.querySelectorAll('[data-list=queue] [data-song=twinkle]')].some((i) => i.textContent.includes('Dee')), null, { timeout: 1000 })
    .catch(() => fail("the walk-up singer's request did not reach the other page within 1 s"));

  // A score is the service's own: the owner's page cannot post one (the one attempted in
  // the issue: 1e9, 26 ms into the song). The song on stage ends with no voice heard, so
  // with no score: the result shows on both pages, in the history, scoreless.
  const claimed = await owner.evaluate(() => window.ktv.tryAction('POST', '/performance/finished', { score: 1e9 }));
  result.claimed_score = claimed;
  if (claimed.ok || claimed.status !== 400) fail(`a posted score was not refused with 400: ${JSON.stringify(claimed)}`);
  await owner.evaluate(() => window.ktv.act('POST', '/performance/finished', {}));
  await audience.click('[data-tab=results]');
  await audience.waitForFunction(() => document.querySelector('[data-panel=results] .history li')?.textContent.includes('—'), null, { timeout: 3000 })
    .catch(() => fail('the audience page does not show the finished song, scoreless, in the history'));
  await shot(audience, 'phone-results-zh');
  await audience.click('[data-tab=songs]');
  await audience.click('[data-song=jasmine]');
  await audience.waitForFunction(() => document.querySelector('.leaderboard li.muted')?.textContent !== '…', null, { timeout: 3000 })
    .catch(() => fail('the leaderboard never loaded'));
  if (await audience.locator('.leaderboard li b').count()) fail('an unjudged song is on the leaderboard');
  await audience.click('.sheet .close');

  // The rest of the owner's views, for the record.
  await owner.click('[data-tab=now]');
  await owner.waitForSelector('[data-result=last]');
  await shot(owner, 'phone-now-owner-en');
  await owner.click('[data-tab=seats]');
  await shot(owner, 'phone-seats-owner-en');
  await owner.click('[data-tab=settings]');
  await owner.waitForFunction(() => document.querySelector('img.qr')?.complete);
  await shot(owner, 'phone-settings-en');
  await owner.click('[data-tab=results]');
  await shot(owner, 'phone-results-en');
  result.queueRoom = room;
  clearInterval(heartbeat);
  await owner.context().close();
  await audience.context().close();
}

// ----- Following the singer: the highlighted word, the music -----

/**
 * Reads which word `page` highlights at `count` instants inside words, each at least 60 ms
 * (here 90) from the word's boundaries at the singer's position (`singerZero`: the epoch ms at
 * which the singer's player is at 0). Each reading is stamped in the page.
 */
async function readWords(page, lyrics, singerZero, count, screenshot = null) {
  // A page that hears the singer's voice plays behind them by the voice path's delay (the
  // follower's extra delay, µs, which a page that just joined may still be setting): each
  // instant is picked on the page's own timeline as it is just before.
  const behind = () => page.evaluate(() => window.ktv.driver.follower.extraDelay());
  const startAt = (position, delay) => singerZero + (position + delay) / 1000;
  const candidates = [];
  for (const [lineIndex, line] of lyrics.lines.entries()) {
    for (const [wordIndex, word] of line.words.entries()) {
      const margin = 90_000;
      if (word.end - word.start < 2 * margin + 20_000) continue;
      // Spread within the word: early, middle or late, by turn.
      const turn = candidates.length % 3;
      const position = turn === 0 ? word.start + margin : turn === 1 ? (word.start + word.end) / 2 : word.end - margin;
      candidates.push({ line: lineIndex, word: wordIndex, position });
    }
  }
  const next = async (last) => {
    const delay = await behind();
    const soonest = Math.max(epochNow() + 300, last == null ? 0 : last + 700);
    const pick = candidates.find((c) => startAt(c.position, delay) >= soonest);
    return pick && { ...pick, at: startAt(pick.position, delay) };
  };
  const words = [];
  let last = null;
  while (words.length < count) {
    const pick = await next(last);
    if (!pick) fail(`only ${words.length} word instants left in the song`);
    const at = pick.at;
    last = at;
    const wait = at - epochNow() - 20;
    if (wait > 0) await sleep(wait);
    const seen = await page.evaluate((at) => {
      const ready = () => performance.timeOrigin + performance.now() >= at;
      return new Promise((resolve) => {
        const read = () => {
          if (!ready()) return requestAnimationFrame(read);
          const current = document.querySelector('[data-role=lyrics] .word.current');
          resolve({
            epoch_ms: performance.timeOrigin + performance.now(),
            line: current ? Number(current.dataset.line) : null,
            word: current ? Number(current.dataset.word) : null,
            text: current?.textContent ?? null,
            behind_us: window.ktv.driver.follower.extraDelay(),
          });
        };
        requestAnimationFrame(read);
      });
    }, at);
    words.push({ ...seen, expected_line: pick.line, expected_word: pick.word });
    if (screenshot && words.length === Math.ceil(count / 2)) await shot(page, screenshot);
  }
  return words;
}

/** Joins the singer's room as a listener and waits until it follows with sound. */
async function joinAndFollow(page, link, name) {
  await page.goto(link);
  await page.fill('input[name=member-name]', name);
  await page.click('form[data-form=join-room] button');
  await page.waitForSelector('.badge[data-role=audience]');
}

async function waitFollowing(page, who) {
  // A tap lets the page make sound (headless chromium may allow it already).
  await page.waitForSelector('[data-action=listen]');
  if (await page.locator('[data-action=listen]').isEnabled()) await page.click('[data-action=listen]');
  // Synced: the clock learnt, the song loaded and sounding.
  await page.waitForFunction(() => {
    const k = window.ktv;
    return k?.driver?.synced() && k.driver.song && k.player?.report()?.playing;
  }, null, { timeout: 20000 }).catch(() => fail(`${who} never followed the singer (clock, song, sound)`));
}


/** Waits until the page hears the singer's voice: it then plays behind them by the voice
 *  path's delay (the follower's extra delay), set at once from the first frames. */
async function waitVoice(page, who) {
  await page.waitForFunction(() => window.ktv.driver.follower.extraDelay() > 0, null, { timeout: 5000 })
    .catch(() => fail(`${who} never heard the singer's voice (no delay set for it)`));
  await sleep(1000);
}

/** Asks the test `question` on stdout; answers its one-line JSON reply on stdin. */
async function askTest(question) {
  console.log(question);
  const { createInterface } = await import('node:readline');
  const lines = createInterface({ input: process.stdin });
  const [line] = await once(lines, 'line');
  lines.close();
  return JSON.parse(line);
}

/** Asks the test to start the singer; answers where the singer's position is zero (epoch ms). */
async function startSinger() {
  return (await askTest('SINGER?')).singer_zero_epoch_ms;
}

/** Asks the test to end the singer's song; answers the score the service stored. */
const finishSinger = () => askTest('FINISH?');

async function followScenario() {
  const lyrics = await (await fetch(`${base}/api/songs/${config.song}/lyrics`)).json();
  const page = await open('listener', PHONE, 'zh-CN');
  await joinAndFollow(page, config.join_link, 'Cy');
  const singerZero = await startSinger();
  await waitFollowing(page, 'the listener');
  await waitVoice(page, 'the listener');
  log(`listener: following, ${(await page.evaluate(() => window.ktv.driver.follower.extraDelay())) / 1000} ms behind the singer for the voice`);
  await sleep(2000);

  // The TV view of the same room.
  const tv = await open('tv', TV, 'zh-CN');
  await tv.goto(config.tv_link);
  await tv.waitForFunction(() => window.ktv?.driver?.song && document.querySelector('[data-role=lyrics] .word'), null, { timeout: 20000 })
    .catch(() => fail('the TV view never showed the lyrics'));
  await tv.waitForFunction(() => document.querySelector('video.mv')?.readyState >= 2, null, { timeout: 20000 })
    .catch(async () => {
      const video = await tv.evaluate(() => {
        const v = document.querySelector('video.mv');
        return v && { src: v.src, readyState: v.readyState, networkState: v.networkState, error: v.error?.message ?? v.error?.code };
      });
      fail(`the TV view never showed the music video: ${JSON.stringify(video)}`);
    });
  await sleep(1500);
  // The music video is in step with the song (as the TV sees the singer).
  result.video = await tv.evaluate(() => {
    const video = document.querySelector('video.mv');
    return { video_s: video.currentTime, singer_s: window.ktv.driver.position() / 1e6, duration_s: video.duration };
  });
  log(`tv: video at ${result.video.video_s.toFixed(3)} s, singer at ${result.video.singer_s.toFixed(3)} s`);
  if (result.video.singer_s > result.video.duration_s - 1) fail(`the song is past the video's end already: ${JSON.stringify(result.video)}`);
  if (Math.abs(result.video.video_s - result.video.singer_s) > 0.1) fail(`the TV's video is off the song: ${JSON.stringify(result.video)}`);
  await shot(tv, 'tv-following-zh');
  await tv.context().close();

  result.words = await readWords(page, lyrics, singerZero, 20, 'phone-now-following-zh');
  log(`listener: ${result.words.length} words read`);
  // The singer's live scoring, judged by the service from their voice, reached the page:
  // the pitch trace and the lines' grades.
  result.scoring = await page.evaluate(() => ({
    pitches: window.ktv.stage.trace.length,
    grade: window.ktv.stage.grade.dataset.grade ?? null,
  }));
  log(`listener: ${result.scoring.pitches} pitch points, last grade ${result.scoring.grade}`);
  if (result.scoring.pitches < 50) fail(`the page drew ${result.scoring.pitches} pitch points of the singer`);
  if (!['perfect', 'great'].includes(result.scoring.grade)) fail(`the page showed no good line grade for the guide vocal (${result.scoring.grade})`);

  // The music as the page renders it: a tap on its audio graph, recorded with the instant
  // each sample is heard.
  // The page's extra delay as it goes, sampled every 50 ms through the tap (epoch ms, µs).
  await page.evaluate(() => {
    window.__behind = [];
    const sample = () => window.__behind.push([performance.timeOrigin + performance.now(), window.ktv.driver.follower.extraDelay()]);
    sample();
    window.__behindTimer = setInterval(sample, 50);
  });
  const tap = await page.evaluate(async (seconds) => {
    const recorded = await window.ktv.tap.record(seconds);
    const bytes = new Uint8Array(recorded.samples.buffer);
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { sampleRate: recorded.sampleRate, heardAt: recorded.heardAt, samples: btoa(binary) };
  }, config.tap_seconds);
  writeFileSync(join(out, 'tap.f32'), Buffer.from(tap.samples, 'base64'));
  const behind = await page.evaluate(() => {
    clearInterval(window.__behindTimer);
    return window.__behind;
  });
  result.tap = { sample_rate: tap.sampleRate, heard_at_epoch_ms: tap.heardAt, behind };
  log(`listener: tapped ${config.tap_seconds} s at ${tap.sampleRate} Hz`);
  result.follower = await page.evaluate(() => ({ ...window.ktv.driver.follower.stats, extra: window.ktv.driver.follower.extra }));

  await page.setViewportSize(TV);
  await shot(page, 'tv-size-phone-page-zh');
  await page.context().close();

  // A phone on the LAN opens http://LAN-IP, which is not a secure context (no AudioWorklet, no
  // clipboard): a host name that is not localhost, resolved to the service, is the same.
  const insecure = await open('insecure', PHONE, 'en-US');
  const link = new URL(config.join_link);
  link.hostname = 'ktv.test';
  await joinAndFollow(insecure, link.href, 'Dan');
  if (await insecure.evaluate(() => isSecureContext)) fail('ktv.test is a secure context; the check checks nothing');
  await waitFollowing(insecure, 'the page on a non-secure origin');
  await waitVoice(insecure, 'the page on a non-secure origin');
  result.words_insecure = await readWords(insecure, lyrics, singerZero, 5);
  log(`insecure origin: ${result.words_insecure.length} words read`);
  await shot(insecure, 'phone-now-insecure-origin-en');

  // The singer ends the song: the service's score of their voice is in the room's history
  // and on the song's leaderboard.
  const { score } = await finishSinger();
  if (score == null) fail('the sung song was stored with no score');
  const shown = String(Math.round(score));
  await insecure.click('[data-tab=results]');
  await insecure.waitForFunction((s) => document.querySelector('[data-panel=results] .history li')?.textContent.includes(s), shown, { timeout: 3000 })
    .catch(() => fail(`the history does not show the service's score ${shown}`));
  await shot(insecure, 'phone-results-en');
  await insecure.click('[data-tab=songs]');
  await insecure.click(`[data-song=${config.song}]`);
  await insecure.waitForFunction((s) => document.querySelector('.leaderboard li b')?.textContent === s, shown, { timeout: 3000 })
    .catch(() => fail(`the leaderboard does not show the service's score ${shown}`));
  await shot(insecure, 'phone-leaderboard-en');
  log(`the service scored the song ${score.toFixed(1)}; history and leaderboard show ${shown}`);
  await insecure.context().close();
}

// ----- The follower port replays the sync crate's vectors in the browser too -----

async function conformanceScenario() {
  const page = await open('conformance', PHONE, 'en-US');
  await page.route('**/test/vectors*.json', (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop();
    route.fulfill({ path: join(config.vectors_dir, name), contentType: 'application/json' });
  });
  await page.goto(`${base}/`);
  result.conformance = await page.evaluate(async () => {
    const { replay } = await import('/web/sync/conformance.mjs');
    const run = async (name) => {
      const outcome = replay(await (await fetch(`/test/${name}`)).json());
      return outcome.mismatch ? { mismatch_at: outcome.mismatch.index } : { steps: outcome.steps };
    };
    return { exact: await run('vectors.json'), changed: await run('vectors-changed.json') };
  });
  log(`conformance in the browser: ${JSON.stringify(result.conformance)}`);
  if (!result.conformance.exact.steps) fail(`the browser's follower differs: ${JSON.stringify(result.conformance.exact)}`);
  if (result.conformance.changed.steps) fail('a changed decision was not noticed in the browser');
  await page.context().close();
}

let failure = null;
try {
  await conformanceScenario();
  await queueScenario();
  await followScenario();
} catch (error) {
  failure = error;
}
writeFileSync(join(out, 'result.json'), JSON.stringify(result, null, 1));
await browser.close();
if (failure) {
  console.error(`[page] FAILED: ${failure.stack ?? failure}`);
  process.exit(1);
}
log('done');
