//! The `mm:ss.xx` time stamps of LRC and enhanced LRC: reading and writing.

use crate::time::SongTime;

/// Reads `m:ss`, `m:ss.f`, `m:ss.ff`, `m:ss.fff` or `m:ss:ff` (one to twelve minute digits, so
/// that any time the model holds reads back; one or two second digits below 60). `None` if `s`
/// is none of these.
pub(crate) fn parse(s: &str) -> Option<SongTime> {
    let (minutes, rest) = s.split_once(':')?;
    let (seconds, fraction) = match rest.find(['.', ':']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let minutes = digits(minutes, 1, 12)?;
    let seconds = digits(seconds, 1, 2)?;
    if seconds >= 60 {
        return None;
    }
    let millis = match fraction {
        None => 0,
        Some(f) => {
            let value = digits(f, 1, 3)?;
            match f.len() {
                1 => value * 100,
                2 => value * 10,
                _ => value,
            }
        }
    };
    Some(SongTime::from_millis(
        (minutes * 60 + seconds) * 1000 + millis,
    ))
}

/// The value of an all-ASCII-digit string of `min..=max` digits.
fn digits(s: &str, min: usize, max: usize) -> Option<i64> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Writes `mm:ss.xx` (centiseconds, rounded) or `mm:ss.xxx` (milliseconds) into `out`.
/// Times before zero are written as zero.
pub(crate) fn write(out: &mut String, t: SongTime, millis_digits: bool) {
    use std::fmt::Write;
    let ms = t.as_millis().max(0);
    let (minutes, seconds) = if millis_digits {
        (ms / 60_000, ms % 60_000)
    } else {
        let cs = (ms + 5) / 10;
        (cs / 6000, cs % 6000 * 10)
    };
    // Writing to a String cannot fail.
    let _ = if millis_digits {
        write!(
            out,
            "{minutes:02}:{:02}.{:03}",
            seconds / 1000,
            seconds % 1000
        )
    } else {
        write!(
            out,
            "{minutes:02}:{:02}.{:02}",
            seconds / 1000,
            seconds % 1000 / 10
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> Option<i64> {
        parse(s).map(SongTime::as_millis)
    }

    #[test]
    fn reads_every_stamp_form() {
        assert_eq!(ms("00:12.34"), Some(12_340));
        assert_eq!(ms("00:12.345"), Some(12_345));
        assert_eq!(ms("00:12.3"), Some(12_300));
        assert_eq!(ms("0:05:25"), Some(5_250));
        assert_eq!(ms("1:05"), Some(65_000));
        assert_eq!(ms("123:00.00"), Some(7_380_000));
    }

    #[test]
    fn rejects_malformed_stamps() {
        for bad in [
            "",
            "00",
            "00:60.00",
            "0a:12.00",
            "00:12.3456",
            "00:12.",
            ":12.00",
            "00:1x",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn writes_centiseconds_or_millis() {
        let mut s = String::new();
        write(&mut s, SongTime::from_millis(83_456), false);
        s.push(' ');
        write(&mut s, SongTime::from_millis(83_456), true);
        s.push(' ');
        write(&mut s, SongTime::from_millis(59_996), false);
        assert_eq!(s, "01:23.46 01:23.456 01:00.00");
    }
}
