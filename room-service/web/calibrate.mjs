// The page's loopback calibration: clicks through the speaker, heard back by the microphone.
// The delay from each click's scheduled instant on the audio clock to its onset in the
// microphone's blocks (which carry the same clock's time) is the device's whole round trip:
// what the browser reports of its output and input latency, and what it does not. The
// difference becomes the singer's microphone offset, applied to their voice's stamps.

/** Clicks played, and between them (s). */
const CLICKS = 8;
const SPACING = 0.5;
/** A click: a short 2 kHz burst with a fast decay, easy to find onset-first. */
const CLICK_MS = 3;
/** Where a click is looked for after its instant (s): longer than any device's round trip. */
const SEARCH = 0.4;

/** The click's samples at `rate`. */
export function clickSamples(rate) {
  const n = Math.round((CLICK_MS / 1000) * rate);
  return Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * 2000 * i) / rate) * Math.exp(-i / (n / 4)) * 0.8);
}

/**
 * The round trip in `recording` (samples at `rate`, its first sample at audio clock time
 * `start` s) of clicks played at `clicks` (audio clock s): per click, the first sample after
 * its instant that stands well above the noise just before it. Returns `{roundTrip, spread,
 * found}` (ms, ms, count), or null if fewer than half the clicks were heard.
 */
export function findRoundTrip(recording, rate, start, clicks) {
  const delays = [];
  for (const at of clicks) {
    const from = Math.round((at - start) * rate);
    const to = Math.min(recording.length, from + Math.round(SEARCH * rate));
    if (from < Math.round(0.05 * rate) || to <= from) continue;
    // The noise floor over the 50 ms before the click went out.
    let power = 0;
    const noiseFrom = from - Math.round(0.05 * rate);
    for (let i = noiseFrom; i < from; i++) power += recording[i] * recording[i];
    const floor = Math.sqrt(power / (from - noiseFrom));
    let peak = 0;
    for (let i = from; i < to; i++) peak = Math.max(peak, Math.abs(recording[i]));
    // Heard: well above the floor, and not a whisper of the whole search window.
    const threshold = Math.max(floor * 8, peak * 0.3, 1e-3);
    if (peak < threshold) continue;
    let onset = -1;
    for (let i = from; i < to; i++) {
      if (Math.abs(recording[i]) >= threshold) {
        onset = i;
        break;
      }
    }
    if (onset >= 0) delays.push(((onset - from) / rate) * 1000);
  }
  if (delays.length < clicks.length / 2) return null;
  delays.sort((a, b) => a - b);
  const middle = delays[Math.floor(delays.length / 2)];
  return { roundTrip: middle, spread: delays[delays.length - 1] - delays[0], found: delays.length };
}

/**
 * Plays the clicks on `context` and listens with `mic` (a `Microphone` on the same context):
 * resolves to `findRoundTrip`'s answer.
 */
export async function calibrate(context, mic) {
  const blocks = [];
  const previous = mic.onblock;
  mic.onblock = (block) => blocks.push(block);
  const buffer = context.createBuffer(1, clickSamples(context.sampleRate).length, context.sampleRate);
  buffer.copyToChannel(clickSamples(context.sampleRate), 0);
  const first = context.currentTime + 0.3;
  const clicks = Array.from({ length: CLICKS }, (_, i) => first + i * SPACING);
  for (const at of clicks) {
    const node = context.createBufferSource();
    node.buffer = buffer;
    node.connect(context.destination);
    node.start(at);
  }
  const wait = (clicks[clicks.length - 1] + SEARCH + 0.2 - context.currentTime) * 1000;
  await new Promise((resolve) => setTimeout(resolve, wait));
  mic.onblock = previous;
  if (!blocks.length) return null;
  const start = blocks[0].time;
  const rate = context.sampleRate;
  const recording = new Float32Array(blocks.length * blocks[0].samples.length);
  // Blocks are contiguous on the clock; place each where its time says.
  for (const block of blocks) {
    const at = Math.round((block.time - start) * rate);
    if (at >= 0 && at + block.samples.length <= recording.length) recording.set(block.samples, at);
  }
  return findRoundTrip(recording, rate, start, clicks);
}
