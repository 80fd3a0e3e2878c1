// The song's lyrics as the page shows them: the lyrics crate's model (from
// `/api/songs/{id}/lyrics`, times in microseconds, word spans as UTF-8 byte offsets) turned
// into lines of words with their text, and which two lines are on screen at a position.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Lines of `{start, end, voice, words: [{start, end, text}]}`, in time order. */
export function prepareLyrics(model) {
  const lines = (model?.lines ?? []).map((line) => {
    const bytes = encoder.encode(line.text);
    const words = line.words.length
      ? line.words.map((word) => ({
          start: word.start,
          end: word.end,
          text: decoder.decode(bytes.subarray(word.text_start, word.text_end)),
        }))
      : [{ start: line.start, end: line.end, text: line.text }];
    return { start: line.start, end: line.end, voice: line.voice, words };
  });
  lines.sort((a, b) => a.start - b.start);
  const notes = (model?.notes ?? []).filter((n) => n.kind !== 'Freestyle' && n.kind !== 'Rap');
  return { title: model?.meta?.title ?? '', lines, notes };
}

/** Index of the line sung at `position`, or of the next one; `lines.length` after the last. */
export function lineAt(lines, position) {
  let low = 0;
  let high = lines.length;
  // The first line that has not ended.
  while (low < high) {
    const mid = (low + high) >> 1;
    if (lines[mid].end <= position) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The two lines on screen at `position`, as KTV screens show them: lines alternate between
 * the top and bottom rows, the line being sung stays in its row and the other row already
 * shows the line after it. Returns `[top, bottom]` line indices (or null).
 */
export function visibleLines(lines, position) {
  const current = lineAt(lines, position);
  const rows = [null, null];
  for (const index of [current, current + 1]) {
    if (index < lines.length) rows[index % 2] = index;
  }
  return rows;
}

/** How far each word of `line` is sung at `position`: 0 before it, 1 after, between inside. */
export function wordProgress(word, position) {
  if (position <= word.start) return 0;
  if (position >= word.end) return 1;
  return (position - word.start) / (word.end - word.start);
}

/** The index of the word being sung in `line` at `position`, or -1 between words. */
export function currentWord(line, position) {
  return line.words.findIndex((w) => w.start <= position && position < w.end);
}
