#!/usr/bin/env node
// Replays the sync crate's conformance vectors (a serde JSON `Recording`) through the web
// port of the follower, step by step as the crate's `Recording::replay` does, and fails on
// the first step whose outputs differ in any way: the port is meant to be bit-exact.
//
// Usage: node replay.mjs VECTORS.json

import { readFileSync } from 'node:fs';
import { isDeepStrictEqual, inspect } from 'node:util';
import { Follower } from './follower.mjs';

const path = process.argv[2];
if (!path) {
  console.error('usage: node replay.mjs VECTORS.json');
  process.exit(2);
}
const recording = JSON.parse(readFileSync(path, 'utf8'));
const show = (value) => inspect(value, { depth: null, breakLength: 100 });

function mismatch(index, step, replayed) {
  console.log(`step ${index} differs (now ${step.now})`);
  console.log(`input:    ${show(step.input)}`);
  console.log(`recorded: ${show(step.outputs)}`);
  console.log(`replayed: ${show(replayed)}`);
  process.exit(1);
}

let follower = null;
recording.steps.forEach((step, index) => {
  const input = step.input;
  if (input.input === 'start') {
    follower = new Follower(recording.config, step.now);
  } else if (follower === null) {
    mismatch(index, step, []);
  } else if (input.input === 'message') {
    follower.handleMessage(step.now, input.message);
  } else if (input.input === 'player') {
    follower.handlePlayer(step.now, input.report);
  } else if (input.input === 'timeout') {
    follower.handleTimeout(step.now);
  } else if (input.input === 'extra_delay') {
    follower.setExtraDelay(step.now, input.delay);
  } else {
    throw new Error(`unknown input ${show(input)}`);
  }
  const outputs = [];
  for (;;) {
    const output = follower.pollOutput();
    outputs.push(output);
    if ('timeout' in output) break;
  }
  // Strict: -0 is not 0 and 1 is not 1.0000000000000002.
  if (!isDeepStrictEqual(outputs, step.outputs)) mismatch(index, step, outputs);
});
console.log(`all ${recording.steps.length} steps match`);
