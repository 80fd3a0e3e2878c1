#!/usr/bin/env node
// Unit checks of the page's voice frame reader (room-service/web/voice.mjs) under node, on frames
// the sync crate wrote (tests/tests/web_audience_audio.rs writes them to the file given):
// every field read as written, and damaged messages (cut short, a byte added, another message
// type) read as nothing rather than as a wrong frame; and the singer's frames written
// byte for byte as the crate writes them.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { encodeVoiceFrame, parseVoiceFrame } from '../../room-service/web/voice.mjs';

const vectors = JSON.parse(readFileSync(process.argv[2], 'utf8'));
assert.ok(vectors.length >= 3);
for (const { bytes, frame } of vectors) {
  const message = Uint8Array.from(bytes);
  const parsed = parseVoiceFrame(message.buffer);
  assert.ok(parsed, `not read: ${bytes}`);
  assert.deepEqual(
    { stream: parsed.stream, song: parsed.song, seq: parsed.seq, position: parsed.position, span: parsed.span, opus: Array.from(parsed.opus) },
    frame,
  );
  // The page's singer writes exactly what the crate writes.
  if (frame.stream === 'voice') {
    assert.deepEqual(Array.from(encodeVoiceFrame({ ...frame, opus: Uint8Array.from(frame.opus) })), bytes, 'written as the crate writes');
  }
  assert.equal(parseVoiceFrame(message.slice(0, message.length - 1).buffer), null, 'cut short');
  const longer = new Uint8Array(message.length + 1);
  longer.set(message);
  assert.equal(parseVoiceFrame(longer.buffer), null, 'a byte added');
  const other = message.slice();
  other[1] = 1;
  assert.equal(parseVoiceFrame(other.buffer), null, 'another message type');
}
console.log(`all checks pass (${vectors.length} frames)`);
