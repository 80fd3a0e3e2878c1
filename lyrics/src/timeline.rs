//! "Where are we" for any song time: the current and next line, the current word, progress
//! through both, and the gap state (intro countdown, breaks), fast enough to ask every audio
//! block and every video frame.
//!
//! [`Timeline::at`] is a binary search over lines and then over the line's words: O(log n), no
//! allocation. A [`Cursor`] remembers where the last query landed, so stepping forwards at
//! audio or frame rate costs a comparison or two; stepping backwards falls back to the search.

use crate::model::Lyrics;
use crate::time::SongTime;

/// When a gap counts as a break, and how long the countdown before a line lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineSettings {
    /// A gap between lines at least this long is a break (default 6 s).
    pub break_threshold: SongTime,
    /// The countdown runs over the last this-much of an intro or a break (default 3 s).
    pub countdown: SongTime,
}

impl Default for TimelineSettings {
    fn default() -> Self {
        TimelineSettings {
            break_threshold: SongTime::from_millis(6_000),
            countdown: SongTime::from_millis(3_000),
        }
    }
}

/// What is happening at a moment of the song, between and around the lines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Phase {
    /// Before the first line.
    Intro {
        /// Time until the first line starts.
        until_next: SongTime,
        /// Seconds left while the countdown runs (its last [`TimelineSettings::countdown`]).
        countdown: Option<f32>,
    },
    /// A line is being sung.
    Singing,
    /// A short pause between lines (shorter than the break threshold).
    Pause {
        /// Time until the next line starts.
        until_next: SongTime,
    },
    /// A long gap between lines (at least the break threshold).
    Break {
        /// Time until the next line starts.
        until_next: SongTime,
        /// Seconds left while the countdown runs.
        countdown: Option<f32>,
    },
    /// After the last line.
    Outro,
}

/// The state of the lyrics at one song time. Indices refer to `Lyrics::lines` and to the
/// current line's `words`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    /// The line being sung, if any.
    pub line: Option<usize>,
    /// The next line to start after `t`.
    pub next_line: Option<usize>,
    /// The last word of the current line that has started.
    pub word: Option<usize>,
    /// Progress through the current word, 0..=1.
    pub word_progress: f32,
    /// Progress through the current line, 0..=1.
    pub line_progress: f32,
    /// The gap state.
    pub phase: Phase,
}

/// The lines' and words' times, laid out for fast queries.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    line_starts: Vec<SongTime>,
    line_ends: Vec<SongTime>,
    /// Index into `word_starts` of each line's first word; one extra entry at the end.
    first_word: Vec<u32>,
    word_starts: Vec<SongTime>,
    word_ends: Vec<SongTime>,
    settings: TimelineSettings,
}

impl Timeline {
    /// A timeline of `lyrics` with default settings.
    pub fn new(lyrics: &Lyrics) -> Self {
        Self::with_settings(lyrics, TimelineSettings::default())
    }

    /// A timeline of `lyrics`.
    pub fn with_settings(lyrics: &Lyrics, settings: TimelineSettings) -> Self {
        let mut timeline = Timeline {
            settings,
            ..Timeline::default()
        };
        for line in &lyrics.lines {
            timeline.line_starts.push(line.start);
            timeline.line_ends.push(line.end.max(line.start));
            timeline.first_word.push(timeline.word_starts.len() as u32);
            for word in &line.words {
                timeline.word_starts.push(word.start);
                timeline.word_ends.push(word.end.max(word.start));
            }
        }
        timeline.first_word.push(timeline.word_starts.len() as u32);
        timeline
    }

    /// The number of lines.
    pub fn len(&self) -> usize {
        self.line_starts.len()
    }

    /// Whether there are no lines.
    pub fn is_empty(&self) -> bool {
        self.line_starts.is_empty()
    }

    /// The state at song time `t`.
    pub fn at(&self, t: SongTime) -> Position {
        // The last line that has started by `t`.
        let started = self.line_starts.partition_point(|&s| s <= t);
        self.position(t, started.checked_sub(1))
    }

    /// The state at `t`, given the last line started by `t` (`None` before the first).
    fn position(&self, t: SongTime, last_started: Option<usize>) -> Position {
        let next_line = last_started.map_or(0, |i| i + 1);
        let next_line = (next_line < self.len()).then_some(next_line);
        let Some(i) = last_started else {
            return match next_line {
                Some(next) => {
                    let until_next = self.line_starts[next] - t;
                    Position::gap(
                        Phase::Intro {
                            until_next,
                            countdown: self.countdown(until_next),
                        },
                        next_line,
                    )
                }
                None => Position::gap(Phase::Outro, None),
            };
        };
        if t < self.line_ends[i] {
            let (word, word_progress) = self.word_at(i, t);
            let line_progress = progress(self.line_starts[i], self.line_ends[i], t);
            return Position {
                line: Some(i),
                next_line,
                word,
                word_progress,
                line_progress,
                phase: Phase::Singing,
            };
        }
        let Some(next) = next_line else {
            return Position::gap(Phase::Outro, None);
        };
        let until_next = self.line_starts[next] - t;
        let gap = self.line_starts[next] - self.line_ends[i];
        let phase = if gap >= self.settings.break_threshold {
            Phase::Break {
                until_next,
                countdown: self.countdown(until_next),
            }
        } else {
            Phase::Pause { until_next }
        };
        Position::gap(phase, next_line)
    }

    fn countdown(&self, until_next: SongTime) -> Option<f32> {
        (until_next <= self.settings.countdown).then(|| until_next.as_secs_f64() as f32)
    }

    /// The last started word of line `i` at `t`, and progress through it.
    fn word_at(&self, i: usize, t: SongTime) -> (Option<usize>, f32) {
        let first = self.first_word[i] as usize;
        let last = self.first_word[i + 1] as usize;
        let started = self.word_starts[first..last].partition_point(|&s| s <= t);
        self.word_progress(first, started.checked_sub(1), t)
    }

    fn word_progress(
        &self,
        first: usize,
        word: Option<usize>,
        t: SongTime,
    ) -> (Option<usize>, f32) {
        match word {
            None => (None, 0.0),
            Some(w) => {
                let at = first + w;
                (
                    Some(w),
                    progress(self.word_starts[at], self.word_ends[at], t),
                )
            }
        }
    }

    /// A cursor for stepping through this timeline.
    pub fn cursor(&self) -> Cursor {
        Cursor::default()
    }
}

impl Position {
    fn gap(phase: Phase, next_line: Option<usize>) -> Position {
        Position {
            line: None,
            next_line,
            word: None,
            word_progress: 0.0,
            line_progress: 0.0,
            phase,
        }
    }
}

/// Progress of `t` through `start..end`, 0..=1 (1 for an empty span that has passed).
fn progress(start: SongTime, end: SongTime, t: SongTime) -> f32 {
    let span = (end - start).as_micros();
    if span <= 0 {
        return if t >= start { 1.0 } else { 0.0 };
    }
    ((t - start).as_micros() as f64 / span as f64).clamp(0.0, 1.0) as f32
}

/// Remembers the last query so the next one, a little later, is found by stepping.
///
/// A cursor holds only indices; use it with the one [`Timeline`] it started on. With another
/// timeline it still answers correctly (indices are checked), only not faster.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cursor {
    /// The number of lines started at the last query.
    started: usize,
    /// The number of the current line's words started at the last query.
    words_started: usize,
    last: Option<SongTime>,
}

impl Cursor {
    /// The state at `t`, stepping from the last query when `t` is later.
    pub fn at(&mut self, timeline: &Timeline, t: SongTime) -> Position {
        let forward = self.last.is_some_and(|last| t >= last) && self.started <= timeline.len();
        if !forward {
            self.started = timeline.line_starts.partition_point(|&s| s <= t);
            self.words_started = 0;
        }
        let line_before = self.started;
        while timeline
            .line_starts
            .get(self.started)
            .is_some_and(|&s| s <= t)
        {
            self.started += 1;
        }
        if self.started != line_before || !forward {
            self.words_started = 0;
        }
        self.last = Some(t);
        let Some(i) = self.started.checked_sub(1) else {
            return timeline.position(t, None);
        };
        if t >= timeline.line_ends[i] {
            return timeline.position(t, Some(i));
        }
        let first = timeline.first_word[i] as usize;
        let last = timeline.first_word[i + 1] as usize;
        while first + self.words_started < last
            && timeline.word_starts[first + self.words_started] <= t
        {
            self.words_started += 1;
        }
        let (word, word_progress) =
            timeline.word_progress(first, self.words_started.checked_sub(1), t);
        let next_line = (i + 1 < timeline.len()).then_some(i + 1);
        Position {
            line: Some(i),
            next_line,
            word,
            word_progress,
            line_progress: progress(timeline.line_starts[i], timeline.line_ends[i], t),
            phase: Phase::Singing,
        }
    }
}
