// Replays the sync crate's conformance vectors (a serde JSON `Recording`: each input to a
// follower or a leader and the outputs it drained) through this port, step by step as the crate's
// `Recording::replay` does, and reports the first step whose outputs differ in any way: the
// port is meant to be bit-exact. Runs under node (replay.mjs) and in the browser.

import { Follower } from './follower.mjs';
import { Leader } from './leader.mjs';

/** Strict structural equality: `-0` is not `0`, and `1` is not `1.0000000000000002`. */
export function strictEqual(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && strictEqual(a[key], b[key]));
}

/** The outputs drained after one input, up to and including the timeout. */
function drain(machine) {
  const outputs = [];
  for (;;) {
    const output = machine.pollOutput();
    outputs.push(output);
    if ('timeout' in output) return outputs;
  }
}

/** A leader's recording (`kind: 'leader'`): the singer's inputs and what it drained. */
function replayLeader(recording) {
  let leader = null;
  for (let index = 0; index < recording.steps.length; index++) {
    const step = recording.steps[index];
    const { input } = step;
    const now = step.now;
    if (input.input === 'start') leader = new Leader(recording.config, recording.session, now);
    else if (leader === null) return { mismatch: { index, step, replayed: [] } };
    else if (input.input === 'message') leader.handleMessage(now, input.message);
    else if (input.input === 'player') leader.handlePlayer(now, input.report);
    else if (input.input === 'timeout') leader.handleTimeout(now);
    else if (input.input === 'play') leader.start(now, input.song, input.from);
    else if (input.input === 'pause') leader.pause(now);
    else if (input.input === 'resume') leader.resume(now);
    else if (input.input === 'seek') leader.seek(now, input.to);
    else if (input.input === 'stop') leader.stop(now);
    else return { mismatch: { index, step, replayed: [], unknown: input } };
    const outputs = drain(leader);
    if (!strictEqual(outputs, step.outputs)) return { mismatch: { index, step, replayed: outputs } };
  }
  return { steps: recording.steps.length };
}

/** `{steps}` when every step matches, else `{mismatch: {index, step, replayed}}`. A
 *  recording of `kind: 'leader'` is a leader's, any other a follower's. */
export function replay(recording) {
  if (recording.kind === 'leader') return replayLeader(recording);
  let follower = null;
  for (let index = 0; index < recording.steps.length; index++) {
    const step = recording.steps[index];
    const input = step.input;
    if (input.input === 'start') {
      follower = new Follower(recording.config, step.now);
    } else if (follower === null) {
      return { mismatch: { index, step, replayed: [] } };
    } else if (input.input === 'message') {
      follower.handleMessage(step.now, input.message);
    } else if (input.input === 'player') {
      follower.handlePlayer(step.now, input.report);
    } else if (input.input === 'timeout') {
      follower.handleTimeout(step.now);
    } else if (input.input === 'extra_delay') {
      follower.setExtraDelay(step.now, input.delay);
    } else {
      return { mismatch: { index, step, replayed: [], unknown: input } };
    }
    const outputs = drain(follower);
    if (!strictEqual(outputs, step.outputs)) return { mismatch: { index, step, replayed: outputs } };
  }
  return { steps: recording.steps.length };
}
