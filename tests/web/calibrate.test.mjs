#!/usr/bin/env node
// Unit checks of the page's loopback calibration (room-service/web/calibrate.mjs) under node:
// a microphone recording of its clicks, made here (each click late by a known round trip,
// quieter, smeared by a room's decay, over noise), gives that round trip back within 1 ms;
// a recording with no clicks, or too few, gives nothing rather than a wrong figure.

import assert from 'node:assert/strict';
import { clickSamples, findRoundTrip } from '../../room-service/web/calibrate.mjs';

const RATE = 48000;
const START = 100.0;
const clicks = Array.from({ length: 8 }, (_, i) => START + 0.3 + i * 0.5);

/** A seeded noise source (the same recording every run). */
function noise(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

function recording(delayMs, heard = clicks.length) {
  const random = noise(7);
  const samples = Float32Array.from({ length: RATE * 5 }, () => random() * 0.006);
  const click = clickSamples(RATE);
  // The room: the click and a 30 ms decaying tail of echoes, at a fifth of its level.
  const tail = Math.round(0.03 * RATE);
  clicks.slice(0, heard).forEach((at) => {
    const from = Math.round((at - START + delayMs / 1000) * RATE);
    for (let i = 0; i < click.length; i++) samples[from + i] += click[i] * 0.2;
    for (let i = 0; i < tail; i++) samples[from + click.length + i] += random() * 0.05 * Math.exp(-i / (tail / 4));
  });
  return samples;
}

for (const delay of [87.3, 23.5, 210.0]) {
  const found = findRoundTrip(recording(delay), RATE, START, clicks);
  assert.ok(found, `nothing found at ${delay} ms`);
  assert.ok(Math.abs(found.roundTrip - delay) <= 1, `found ${found.roundTrip} ms for ${delay} ms`);
  assert.equal(found.found, clicks.length);
  assert.ok(found.spread <= 1, `spread ${found.spread} ms`);
  console.log(`round trip ${delay} ms: found ${found.roundTrip.toFixed(2)} ms, spread ${found.spread.toFixed(2)} ms`);
}
// Changed inputs: nothing heard, or too few clicks, is no answer.
assert.equal(findRoundTrip(recording(50, 0), RATE, START, clicks), null, 'clicks found in noise');
assert.equal(findRoundTrip(recording(50, 3), RATE, START, clicks), null, 'three clicks of eight taken as enough');
assert.ok(findRoundTrip(recording(50, 5), RATE, START, clicks), 'five clicks of eight not enough');
console.log('all checks pass');
