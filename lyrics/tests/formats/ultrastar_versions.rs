//! UltraStar `#VERSION` rules: unversioned, 1.0.0 and the 2.0.0 draft; later majors refused.

use lyrics::format::ultrastar;
use lyrics::{Error, Hint, SongTime, WarningKind};

fn body() -> &'static str {
    ": 0 4 0 la\n: 4 4 2 la\nE\n"
}

#[test]
fn unversioned_and_1_0_0_media_times() {
    // #START in seconds, #END in ms, #VIDEOGAP in seconds, medley in beats (BPM 300: 50 ms).
    for version in ["", "#VERSION:1.0.0\n"] {
        let text = format!(
            "{version}#TITLE:x\n#MP3:song.mp3\n#AUDIO:song.ogg\n#VOCALS:vocals.ogg\n#INSTRUMENTAL:inst.ogg\n\
             #VIDEO:v.mp4\n#COVER:c.jpg\n#BPM:300\n#GAP:1000\n#START:12.5\n#END:95000\n#VIDEOGAP:1.25\n\
             #MEDLEYSTARTBEAT:40\n#MEDLEYENDBEAT:80\n{}",
            body()
        );
        let media = ultrastar::parse(&text).unwrap().lyrics.meta.media;
        assert_eq!(media.audio.as_deref(), Some("song.ogg"), "{version}");
        assert_eq!(media.vocals.as_deref(), Some("vocals.ogg"));
        assert_eq!(media.instrumental.as_deref(), Some("inst.ogg"));
        assert_eq!(media.video.as_deref(), Some("v.mp4"));
        assert_eq!(media.cover.as_deref(), Some("c.jpg"));
        assert_eq!(media.start, Some(SongTime::from_millis(12_500)));
        assert_eq!(media.end, Some(SongTime::from_millis(95_000)));
        assert_eq!(media.video_gap, Some(SongTime::from_millis(1_250)));
        assert_eq!(
            media.medley,
            Some((SongTime::from_millis(3_000), SongTime::from_millis(5_000)))
        );
    }
    // Unversioned files name their audio with #MP3.
    let old = ultrastar::parse(&format!("#TITLE:x\n#MP3:song.mp3\n#BPM:300\n{}", body())).unwrap();
    assert_eq!(old.lyrics.meta.media.audio.as_deref(), Some("song.mp3"));
}

#[test]
fn version_2_draft_gives_times_in_ms() {
    let text = format!(
        "#VERSION:2.0.0\n#TITLE:x\n#AUDIO:song.ogg\n#BPM:300\n#GAP:1000\n#START:12500\n#END:95000\n\
         #VIDEOGAP:1250\n#MEDLEYSTART:3000\n#MEDLEYEND:5000\n{}",
        body()
    );
    let media = ultrastar::parse(&text).unwrap().lyrics.meta.media;
    assert_eq!(media.start, Some(SongTime::from_millis(12_500)));
    assert_eq!(media.video_gap, Some(SongTime::from_millis(1_250)));
    assert_eq!(
        media.medley,
        Some((SongTime::from_millis(3_000), SongTime::from_millis(5_000)))
    );
}

#[test]
fn a_later_major_version_is_refused() {
    let err =
        ultrastar::parse(&format!("#VERSION:3.0.0\n#TITLE:x\n#BPM:300\n{}", body())).unwrap_err();
    assert!(matches!(err, Error::UnsupportedVersion { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "UltraStar version 3.0.0 is not supported (newest known: 2.0.0)"
    );
}

#[test]
fn version_1_files_must_be_utf8() {
    let text = format!("#VERSION:1.0.0\n#TITLE:Déjà vu\n#BPM:300\n{}", body());
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    let parsed = lyrics::parse(&bytes, Hint::none()).unwrap();
    assert_eq!(parsed.lyrics.meta.title.as_deref(), Some("Déjà vu"));
    assert!(
        parsed
            .warnings
            .iter()
            .any(|w| matches!(&w.kind, WarningKind::Ignored(m) if m.contains("UTF-8"))),
        "{:?}",
        parsed.warnings
    );
}
