#!/usr/bin/env node
// Unit checks of the page's lyrics model (room-service/web/lyrics.mjs) under node: word text from
// UTF-8 byte spans (CJK and Latin), the two rows alternating as lines are sung, word progress.

import assert from 'node:assert/strict';
import { prepareLyrics, visibleLines, lineAt, currentWord, wordProgress } from '../../room-service/web/lyrics.mjs';

const model = {
  meta: { title: '茉莉花' },
  lines: [
    { start: 1000, end: 3000, text: '好一朵', voice: 'P1', words: [
      { start: 1000, end: 1500, text_start: 0, text_end: 3 },
      { start: 1500, end: 2000, text_start: 3, text_end: 6 },
      { start: 2000, end: 3000, text_start: 6, text_end: 9 },
    ] },
    { start: 3000, end: 5000, text: 'Twin-kle star', voice: 'P2', words: [
      { start: 3000, end: 3500, text_start: 0, text_end: 4 },
      { start: 3500, end: 4000, text_start: 4, text_end: 8 },
      { start: 4000, end: 5000, text_start: 8, text_end: 13 },
    ] },
    { start: 6000, end: 7000, text: 'no words', voice: 'P1', words: [] },
  ],
  notes: [{ start: 1000, duration: 500, pitch: 60, kind: 'Normal' }, { start: 1500, duration: 500, pitch: 62, kind: 'Freestyle' }],
};

const lyrics = prepareLyrics(model);
assert.deepEqual(lyrics.lines[0].words.map((w) => w.text), ['好', '一', '朵']);
assert.deepEqual(lyrics.lines[1].words.map((w) => w.text), ['Twin', '-kle', ' star']);
assert.deepEqual(lyrics.lines[2].words.map((w) => w.text), ['no words'], 'a line without word timing is one word');
assert.equal(lyrics.notes.length, 1, 'freestyle notes are not drawn');

// Rows: the line sung stays in its row, the other row already shows the next line.
assert.deepEqual(visibleLines(lyrics.lines, 0), [0, 1]);
assert.deepEqual(visibleLines(lyrics.lines, 2999), [0, 1]);
assert.deepEqual(visibleLines(lyrics.lines, 3000), [2, 1]);
assert.deepEqual(visibleLines(lyrics.lines, 5500), [2, null]);
assert.deepEqual(visibleLines(lyrics.lines, 8000), [null, null]);
assert.equal(lineAt(lyrics.lines, 4999), 1);

assert.equal(currentWord(lyrics.lines[0], 1499), 0);
assert.equal(currentWord(lyrics.lines[0], 1500), 1);
assert.equal(currentWord(lyrics.lines[0], 3000), -1);
assert.equal(wordProgress(lyrics.lines[0].words[2], 2500), 0.5);
assert.equal(wordProgress(lyrics.lines[0].words[2], 900), 0);
assert.equal(wordProgress(lyrics.lines[0].words[2], 3100), 1);
console.log('lyrics model: all checks pass');
