#!/usr/bin/env node
// Replays the sync crate's conformance vectors through the web port of the follower and fails
// on the first step whose outputs differ (see conformance.mjs).
//
// Usage: node replay.mjs VECTORS.json

import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { replay } from './conformance.mjs';

const path = process.argv[2];
if (!path) {
  console.error('usage: node replay.mjs VECTORS.json');
  process.exit(2);
}
const show = (value) => inspect(value, { depth: null, breakLength: 100 });
const result = replay(JSON.parse(readFileSync(path, 'utf8')));
if (result.mismatch) {
  const { index, step, replayed } = result.mismatch;
  console.log(`step ${index} differs (now ${step.now})`);
  console.log(`input:    ${show(step.input)}`);
  console.log(`recorded: ${show(step.outputs)}`);
  console.log(`replayed: ${show(replayed)}`);
  process.exit(1);
}
console.log(`all ${result.steps} steps match`);
