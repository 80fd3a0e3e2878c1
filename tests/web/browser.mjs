// Debian's chromium, headless, through playwright-core (installed by scripts/setup under
// ~/.cache/ktv/node), for the web tests.

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
