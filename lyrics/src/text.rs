//! Text helpers shared by the format readers: line splitting and input limits.

use crate::error::{Error, Result};

/// The largest lyrics file accepted, in bytes (real files are under 1 MB).
pub const MAX_FILE_BYTES: usize = 16 << 20;
/// The most lines accepted in one file.
pub const MAX_LINES: usize = 200_000;
/// The most timed words accepted on one line.
pub const MAX_WORDS_PER_LINE: usize = 4096;

/// Splits text into numbered lines (1-based), accepting `\n`, `\r\n` and lone `\r` line ends,
/// mixed in one file, as old editors wrote them.
pub(crate) fn lines(text: &str) -> Lines<'_> {
    Lines {
        rest: text,
        number: 0,
    }
}

/// The iterator of [`lines`].
pub(crate) struct Lines<'a> {
    rest: &'a str,
    number: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        self.number += 1;
        let bytes = self.rest.as_bytes();
        let (line, next) = match memchr::memchr2(b'\n', b'\r', bytes) {
            Some(i) if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') => (i, i + 2),
            Some(i) => (i, i + 1),
            None => (bytes.len(), bytes.len()),
        };
        // Both split points sit next to ASCII bytes, so they are char boundaries.
        let item = &self.rest[..line];
        self.rest = &self.rest[next..];
        Some((self.number, item))
    }
}

/// Fails when `count` exceeds `limit`.
pub(crate) fn check_limit(what: &'static str, count: usize, limit: usize) -> Result<()> {
    if count > limit {
        Err(Error::Limit { what, limit })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_mixed_line_ends() {
        let got: Vec<_> = lines("a\r\nb\nc\rd\r\n\ne").collect();
        assert_eq!(
            got,
            [(1, "a"), (2, "b"), (3, "c"), (4, "d"), (5, ""), (6, "e")]
        );
    }

    #[test]
    fn trailing_line_end_adds_no_line() {
        assert_eq!(lines("a\n").count(), 1);
        assert_eq!(lines("").count(), 0);
    }
}
