#!/usr/bin/env node
// The room's page over HTTPS in Debian's chromium, headless, through playwright-core, for
// tests/tests/web_tls.rs (which makes a CA, a certificate for the service signed by it, and
// starts `ktv serve --tls-cert --tls-key`). Node trusts the CA (NODE_EXTRA_CA_CERTS, set by
// the test); chromium trusts the service's key, named by its SPKI hash.
//
// Usage: node tls.mjs CONFIG.json — the config names the service's https base, chromium, the
// certificate file and the output folder. Writes what it saw to OUT/tls.json.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { apiClient, joinAsAudience, launch, singingFeatures } from './browser.mjs';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const base = config.base.replace(/\/$/, '');
const fail = (message) => {
  throw new Error(message);
};

// The API over HTTPS from node, trusting the test's CA.
const api = apiClient(base);
const owner = await api('POST', '/api/rooms', { name: 'TLS', owner_name: 'Olga' });
await api('POST', `/api/rooms/${owner.room}/seats`, {}, owner);

// Chromium: the service's key is trusted by its hash.
const context = await launch({ executable: config.chromium, certificate: config.certificate });
const page = context.pages()[0] ?? await context.newPage();
const errors = [];
page.on('pageerror', (error) => errors.push(error.message));
const result = {};
try {
  await page.goto(`${base}/?room=${owner.room}&token=${owner.join_token}`);
  result.secure = await singingFeatures(page);
  await joinAsAudience(page, 'Phone');
  // The room's WebSocket over TLS: a change the owner makes reaches the page.
  const requested = Date.now();
  await api('POST', `/api/rooms/${owner.room}/queue`, { song_id: 'jasmine' }, owner);
  await page.waitForFunction(() => window.ktv?.view?.performance?.request?.song_id === 'jasmine', null, { timeout: 5000 })
    .catch(() => fail('a change to the room never reached the page over wss'));
  result.change_seen_ms = Date.now() - requested;
  await page.screenshot({ path: join(config.out, 'tls-joined.png') });
} finally {
  result.pageErrors = errors;
  writeFileSync(join(config.out, 'tls.json'), JSON.stringify(result, null, 2));
  await context.close();
}
console.log(JSON.stringify(result));
