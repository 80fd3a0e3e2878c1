// Now playing: the two lyric lines with the word wipe, the pitch guide with the singer's live
// pitch, the running score and each line's grade. Drawn every animation frame from the
// singer's position; the same stage serves the phone page and the TV view (bigger).

import { t } from './i18n.mjs';
import { visibleLines, wordProgress } from './lyrics.mjs';

const h = (tag, className, text) => {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
};

/** Seconds of notes shown before and after the present on the pitch guide. */
const GUIDE_PAST = 2e6;
const GUIDE_AHEAD = 4e6;
/** Live pitch points kept (20 a second for a minute). */
const TRACE_KEEP = 1200;

export class Stage {
  constructor(root) {
    this.root = root;
    this.root.classList.add('stage');
    this.guide = h('canvas', 'guide');
    this.scoreBox = h('div', 'score');
    this.grade = h('div', 'grade');
    this.lyricsBox = h('div', 'lyrics');
    this.lyricsBox.dataset.role = 'lyrics';
    this.rows = [h('div', 'row row-top'), h('div', 'row row-bottom')];
    this.lyricsBox.append(...this.rows);
    this.message = h('div', 'stage-message');
    root.append(this.guide, this.scoreBox, this.grade, this.lyricsBox, this.message);
    this.lyrics = null;
    this.rowLines = [undefined, undefined];
    this.trace = [];
    this.credits = new Map();
    this.lineScores = [];
    this.songScored = false;
    this.gradeUntil = 0;
  }

  /** The song's prepared lyrics, or null. */
  setSong(lyrics) {
    this.lyrics = lyrics;
    this.rowLines = [undefined, undefined];
    this.trace = [];
    this.credits = new Map();
    this.lineScores = [];
    this.songScored = false;
    this.scoreBox.textContent = '';
    this.grade.textContent = '';
    const pitches = lyrics?.notes.map((n) => n.pitch) ?? [];
    this.low = pitches.length ? Math.min(...pitches) - 3 : 48;
    this.high = pitches.length ? Math.max(...pitches) + 3 : 72;
  }

  setMessage(text) {
    this.message.textContent = text ?? '';
    this.message.hidden = !text;
  }

  setScore(score) {
    this.scoreBox.textContent = score == null ? '' : `${t('score')} ${Math.round(score)}`;
  }

  /** A live scoring event relayed from the singer. */
  scoreEvent(event) {
    if (event.type === 'pitch') {
      this.trace.push({ time: event.time, midi: event.midi });
      if (this.trace.length > TRACE_KEEP) this.trace.splice(0, this.trace.length - TRACE_KEEP);
    } else if (event.type === 'note') {
      this.credits.set(event.start, event.credit);
    } else if (event.type === 'line') {
      // Until the song's total comes, the score shown is the mean of the lines so far.
      this.lineScores.push(event.score);
      if (!this.songScored) this.setScore(this.lineScores.reduce((a, b) => a + b, 0) / this.lineScores.length);
      this.grade.textContent = t(`grade_${event.grade}`);
      this.grade.dataset.grade = event.grade;
      this.grade.classList.remove('show');
      void this.grade.offsetWidth;
      this.grade.classList.add('show');
      this.gradeUntil = performance.now() + 1500;
    } else if (event.type === 'song') {
      this.songScored = true;
      this.setScore(event.score);
    }
  }

  /** Draws the stage for the singer's position `position` (µs, offset applied), or nothing. */
  draw(position) {
    if (performance.now() > this.gradeUntil) this.grade.classList.remove('show');
    if (!this.lyrics || position == null) {
      for (const row of this.rows) row.replaceChildren();
      this.rowLines = [undefined, undefined];
      this.drawGuide(null);
      return;
    }
    const lines = this.lyrics.lines;
    const visible = visibleLines(lines, position);
    visible.forEach((index, row) => {
      if (this.rowLines[row] !== index) {
        this.rowLines[row] = index;
        this.fillRow(row, index);
      }
      if (index == null) return;
      const line = lines[index];
      const spans = this.rows[row].children;
      line.words.forEach((word, i) => {
        const progress = wordProgress(word, position);
        const span = spans[i];
        const state = progress <= 0 ? 'upcoming' : progress >= 1 ? 'sung' : 'current';
        if (span.dataset.state !== state) {
          span.dataset.state = state;
          span.classList.toggle('current', state === 'current');
        }
        const percent = `${(progress * 100).toFixed(1)}%`;
        if (span.style.getPropertyValue('--wipe') !== percent) span.style.setProperty('--wipe', percent);
      });
    });
    this.drawGuide(position);
  }

  fillRow(row, index) {
    const element = this.rows[row];
    element.replaceChildren();
    if (index == null) return;
    const line = this.lyrics.lines[index];
    element.dataset.line = String(index);
    element.dataset.voice = line.voice ?? 'P1';
    line.words.forEach((word, i) => {
      const span = h('span', 'word', word.text);
      span.dataset.line = String(index);
      span.dataset.word = String(i);
      span.dataset.state = 'upcoming';
      element.append(span);
    });
  }

  drawGuide(position) {
    const canvas = this.guide;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.round(canvas.clientWidth * ratio);
    const height = Math.round(canvas.clientHeight * ratio);
    if (!width || !height) return;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const g = canvas.getContext('2d');
    g.clearRect(0, 0, width, height);
    if (position == null || !this.lyrics?.notes.length) return;
    const from = position - GUIDE_PAST;
    const span = GUIDE_PAST + GUIDE_AHEAD;
    const x = (time) => ((time - from) / span) * width;
    const rowHeight = height / (this.high - this.low);
    const y = (pitch) => height - (pitch - this.low) * rowHeight;
    // The present.
    g.fillStyle = 'rgba(255,255,255,0.35)';
    g.fillRect(x(position) - ratio, 0, 2 * ratio, height);
    for (const note of this.lyrics.notes) {
      if (note.start + note.duration < from || note.start > from + span) continue;
      const credit = this.credits.get(note.start);
      g.fillStyle = credit == null ? 'rgba(120,170,255,0.55)' : `hsla(${Math.round(credit * 120)},80%,55%,0.9)`;
      const left = x(note.start);
      g.fillRect(left, y(note.pitch) - rowHeight * 0.45, Math.max(x(note.start + note.duration) - left, 2), rowHeight * 0.9);
    }
    // The singer's pitch, folded into the octave of the note it was sung against.
    g.fillStyle = '#ffd34d';
    for (const point of this.trace) {
      if (point.midi == null || point.time < from || point.time > position) continue;
      const note = this.lyrics.notes.find((n) => n.start <= point.time && point.time < n.start + n.duration);
      let midi = point.midi;
      if (note) midi += 12 * Math.round((note.pitch - midi) / 12);
      g.beginPath();
      g.arc(x(point.time), y(midi), 2.5 * ratio, 0, Math.PI * 2);
      g.fill();
    }
  }
}
