#!/usr/bin/env node
// The README's run command on a LAN, as a phone meets it, for tests/tests/web_tls.rs: plain
// `ktv serve` on all interfaces serves HTTPS beside HTTP. Chromium opens the room's join link
// on the plain HTTP address under a host name (ktv.test, mapped to 127.0.0.1: a name that is
// not localhost, so the origin is not secure, as a LAN address is not); the page must move
// to the service's HTTPS address (a secure context, the microphone and WebCodecs there), join,
// and give HTTPS join links and QR codes. The TV view stays on HTTP.
//
// Usage: node https-beside.mjs CONFIG.json — the config names the plain base (as chromium
// opens it), the API base for node, the HTTPS address the service printed, its certificate and
// the output folder. Writes what it saw to OUT/https-beside.json.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { apiClient, joinAsAudience, launch, singingFeatures } from './browser.mjs';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const fail = (message) => {
  throw new Error(message);
};
const api = apiClient(config.api);
const owner = await api('POST', '/api/rooms', { name: 'LAN', owner_name: 'Olga' });
const result = { service: await api('GET', '/api/service') };

const context = await launch({
  executable: config.chromium,
  certificate: config.certificate,
  args: ['--host-resolver-rules=MAP ktv.test 127.0.0.1'],
});
const page = context.pages()[0] ?? await context.newPage();
const errors = [];
page.on('pageerror', (error) => errors.push(error.message));
try {
  const link = `${config.plain}/?room=${owner.room}&token=${owner.join_token}`;
  await page.goto(link);
  await page.waitForSelector('input[name=member-name]', { timeout: 10000 })
    .catch(() => fail(`no join form at ${page.url()}`));
  result.landed = await singingFeatures(page);
  await joinAsAudience(page, 'Phone');
  result.joinLinks = await page.evaluate(() => [...document.querySelectorAll('img[src^="/api/qr.svg"]')].map((img) => img.alt));
  // The TV view only shows: it stays where it was opened.
  const tv = await context.newPage();
  await tv.goto(`${link}&view=tv`);
  await tv.waitForTimeout(1500);
  result.tv = await tv.evaluate(() => location.href);
  await page.screenshot({ path: join(config.out, 'https-beside.png') });
} finally {
  result.pageErrors = errors;
  writeFileSync(join(config.out, 'https-beside.json'), JSON.stringify(result, null, 2));
  await context.close();
}
console.log(JSON.stringify(result));
