// What the web tests share: Debian's chromium, headless, through playwright-core (installed
// by scripts/setup under ~/.cache/ktv/node), and the steps several of them take on a page.

import { createRequire } from 'node:module';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const prefix = process.env.KTV_NODE_PREFIX || join(process.env.HOME, '.cache/ktv/node');
const { chromium } = createRequire(join(prefix, 'node_modules/'))('playwright-core');

/**
 * A persistent chromium context (its own profile folder). `certificate`: a PEM file whose key
 * chromium trusts (by its SPKI hash; the flag needs a profile folder). `args`: more flags.
 */
export async function launch({ executable = '/usr/bin/chromium', certificate = null, args = [] } = {}) {
  const flags = [
    '--no-sandbox', '--headless', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ...args,
  ];
  if (certificate) {
    const spki = createHash('sha256')
      .update(new X509Certificate(readFileSync(certificate)).publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64');
    flags.push(`--ignore-certificate-errors-spki-list=${spki}`);
  }
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'ktv-chromium-')), {
    executablePath: executable,
    args: flags,
  });
}

/** What the page at hand may use to sing: a secure context, WebCodecs, the microphone. */
export function singingFeatures(page) {
  return page.evaluate(() => ({
    href: location.href,
    protocol: location.protocol,
    secureContext: isSecureContext,
    webCodecs: typeof AudioEncoder === 'function' && typeof AudioDecoder === 'function',
    microphone: typeof navigator.mediaDevices?.getUserMedia === 'function',
  }));
}

/** Joins the room whose join form `page` shows, as audience member `name`; throws if the
 *  page never shows the member's badge. */
export async function joinAsAudience(page, name) {
  await page.fill('input[name=member-name]', name);
  await page.click('form[data-form=join-room] button');
  await page.waitForSelector('.badge[data-role=audience]', { timeout: 10000 })
    .catch(() => {
      throw new Error(`the page never joined the room (at ${page.url()})`);
    });
}

/** The room API from node at `base`: `api(method, path, body, who)`, JSON in and out, `who`
 *  a member's credentials; throws on a refusal, naming the call. */
export function apiClient(base) {
  return async (method, path, body, who) => {
    const headers = { 'content-type': 'application/json' };
    if (who) headers.authorization = `Bearer ${who.member}.${who.secret}`;
    const answer = await fetch(`${base}${path}`, { method, headers, body: body && JSON.stringify(body) });
    if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${await answer.text()}`);
    return answer.status === 204 ? null : answer.json();
  };
}
