// Where phones should open the page. Browsers give a page the microphone only on a secure
// origin, so a service on a LAN serves HTTPS beside HTTP and says where (`GET /api/service`):
// join links and QR codes point there, and a page opened on plain HTTP moves there.

import { call } from './api.mjs';

let httpsUrl = null;

/** Asks the service for its HTTPS address; without an answer the page stays where it is. */
export async function loadServiceInfo() {
  try {
    httpsUrl = (await call('GET', '/service'))?.https_url ?? null;
  } catch {
    httpsUrl = null;
  }
}

/** The service's `https://` address, if it has one. */
export function serviceHttpsUrl() {
  return httpsUrl;
}

/**
 * `href` (a page address) on the HTTPS origin `https` (path and query kept), or null when there
 * is none or `href` is on it already.
 */
export function onHttps(href, https = httpsUrl) {
  if (!https) return null;
  const here = new URL(href);
  const target = new URL(https);
  if (here.origin === target.origin) return null;
  return new URL(here.pathname + here.search + here.hash, target).href;
}

/**
 * Where a page at `href` should go before anything else, or null to stay: a page that cannot
 * use the microphone here (`secure` false) moves to the HTTPS address, except the TV view,
 * which only shows (and a TV's browser would stop at the certificate).
 */
export function moveForTheMicrophone(href, secure, https = httpsUrl) {
  if (secure) return null;
  if (new URL(href).searchParams.get('view') === 'tv') return null;
  return onHttps(href, https);
}
