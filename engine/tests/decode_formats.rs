//! Every format at both sample rates decodes to the source's length, layout and content.

mod common;

use common::{frequency, play_to_end, rms, tone_file};
use engine::{SongSource, TrackMode};

const SECS: f64 = 3.0;
const AMPLITUDE: f64 = 0.5;

#[test]
fn every_format_and_rate_keeps_length_layout_and_tone() {
    let engine_rate = 48_000;
    let mut report = Vec::new();
    for ext in ["mp3", "m4a", "flac", "ogg", "wav"] {
        for rate in [44_100, 48_000] {
            let file = tone_file(
                &format!("tone-{rate}.{ext}"),
                rate,
                SECS,
                440.0,
                660.0,
                AMPLITUDE,
            );
            let played = play_to_end(
                &SongSource::accompaniment_only(&file),
                TrackMode::Accompaniment,
                engine_rate,
            );
            let expected = (SECS * f64::from(engine_rate)) as i64;
            let length_error_ms =
                (played.frames() as i64 - expected) as f64 * 1000.0 / f64::from(engine_rate);
            let (left, right) = (played.channel(0), played.channel(1));
            let skip = engine_rate as usize / 10;
            let (f_left, f_right) = (
                frequency(&left, engine_rate, skip),
                frequency(&right, engine_rate, skip),
            );
            let level_db = 20.0 * (rms(&left, skip) / (AMPLITUDE / 2f64.sqrt())).log10();
            report.push(format!(
                "{ext} {rate}: {:+.2} ms, L {f_left:.2} Hz, R {f_right:.2} Hz, level {level_db:+.2} dB",
                length_error_ms
            ));
            assert!(
                length_error_ms.abs() <= 1.0,
                "{ext} at {rate} Hz: length off by {length_error_ms} ms"
            );
            assert!(
                (f_left - 440.0).abs() < 0.5,
                "{ext} at {rate} Hz: left {f_left} Hz"
            );
            assert!(
                (f_right - 660.0).abs() < 0.5,
                "{ext} at {rate} Hz: right {f_right} Hz (channels swapped?)"
            );
            assert!(
                level_db.abs() < 0.5,
                "{ext} at {rate} Hz: level {level_db} dB"
            );
            assert!(
                played
                    .events
                    .iter()
                    .all(|e| !matches!(e, engine::Event::DecodeError(_))),
                "{ext}: {:?}",
                played.events
            );
        }
    }
    println!("{}", report.join("\n"));
}
