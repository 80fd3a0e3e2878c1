#!/usr/bin/env node
// Listener pages for the end-to-end test tests/tests/web_audience_audio.rs: opens the room's
// join links in Debian's chromium, headless (autoplay allowed by flag), one page per link, each
// in a context of its own; joins, starts recording the page's audio graph (the music and the
// singer's voice, as two stems), says READY, and on the line STOP from the test writes each
// page's stems and what it reported to OUT.
//
// Usage: node listen.mjs CONFIG.json — config: {chromium, out, pages: [{name, link, thin}]}
// (`thin`: the page plays the room's mix instead of its own copy of the song).
// Writes OUT/<name>.music.f32, OUT/<name>.voice.f32 (mono, little-endian f32) and
// OUT/listen.json.

import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const prefix = process.env.KTV_NODE_PREFIX || join(process.env.HOME, '.cache/ktv/node');
const { chromium } = createRequire(join(prefix, 'node_modules/'))('playwright-core');
const log = (...args) => console.log('[listen]', ...args);

const browser = await chromium.launch({
  executablePath: config.chromium ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--autoplay-policy=no-user-gesture-required',
    // A name for the service that is not localhost: pages opened by it are not secure contexts.
    '--host-resolver-rules=MAP ktv.test 127.0.0.1',
  ],
});

const result = { pages: {}, pageErrors: 0 };
let failure = null;
try {
  const pages = [];
  for (const { name, link, thin } of config.pages) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    const page = await context.newPage();
    // A thin client: the setting the page's settings tab keeps.
    if (thin) await page.addInitScript(() => localStorage.setItem('ktv.thin', '1'));
    page.on('pageerror', (error) => {
      log(`${name}: page error: ${error.message}`);
      result.pageErrors += 1;
    });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') log(`${name}: console ${message.type()}: ${message.text()}`);
    });
    await page.goto(link);
    await page.fill('input[name=member-name]', name);
    await page.click('form[data-form=join-room] button');
    await page.waitForSelector('.badge[data-role=audience]');
    await page.waitForFunction(() => window.ktv?.tap && window.ktv?.voice, null, { timeout: 20000 });
    if (await page.locator('[data-action=listen]').isEnabled()) await page.click('[data-action=listen]');
    await page.waitForFunction(() => window.ktv.player.audible, null, { timeout: 10000 });
    await page.evaluate(async () => {
      await window.ktv.tap.start();
      // Where the lyrics are (the position they are drawn at) against the page's epoch clock.
      window.lyricsSeen = [];
      setInterval(() => {
        const position = window.ktv.displayPosition();
        if (position != null) window.lyricsSeen.push([performance.timeOrigin + performance.now(), position]);
      }, 20);
    });
    pages.push({ name, page });
    log(`${name}: in the room, recording`);
  }
  console.log('READY');
  const lines = createInterface({ input: process.stdin });
  await once(lines, 'line');
  lines.close();
  for (const { name, page } of pages) {
    const report = await page.evaluate(async () => {
      const k = window.ktv;
      window.recorded = await k.tap.stop();
      return {
        secure: isSecureContext,
        sample_rate: window.recorded.sampleRate,
        heard_at_epoch_ms: window.recorded.heardAt,
        heard_end_epoch_ms: window.recorded.heardEnd,
        thin: k.player.thin,
        lyrics: window.lyricsSeen,
        samples: window.recorded.samples.length,
        voice: k.voice.stats,
        behind_ms: k.voice.behind,
        follower: { ...k.driver.follower.stats, extra_ms: k.driver.follower.extraDelay() / 1000 },
      };
    });
    // The stems, in pieces (a page's whole recording is too much for one message).
    for (const stem of ['samples', 'voice']) {
      const chunks = [];
      const step = 1 << 20;
      for (let from = 0; from < report.samples; from += step) {
        const base64 = await page.evaluate(([stem, from, step]) => {
          const part = window.recorded[stem].subarray(from, from + step);
          const bytes = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
          let binary = '';
          for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
          return btoa(binary);
        }, [stem, from, step]);
        chunks.push(Buffer.from(base64, 'base64'));
      }
      writeFileSync(join(config.out, `${name}.${stem === 'samples' ? 'music' : 'voice'}.f32`), Buffer.concat(chunks));
    }
    result.pages[name] = report;
    log(`${name}: ${JSON.stringify({ ...report, behind_ms: report.behind_ms.length, lyrics: report.lyrics.length })}`);
  }
} catch (error) {
  failure = error;
}
writeFileSync(join(config.out, 'listen.json'), JSON.stringify(result, null, 1));
await browser.close();
if (failure) {
  console.error(`[listen] FAILED: ${failure.stack ?? failure}`);
  process.exit(1);
}
log('done');
