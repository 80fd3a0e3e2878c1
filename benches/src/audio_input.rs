//! Audio files for the engine's benches, made once per run with Debian's ffmpeg (installed by
//! `scripts/setup`) in a temporary folder: pink noise with a tone, so encoders work as hard as
//! on music.

use std::path::PathBuf;
use std::process::Command;

/// The folder the bench files go in.
pub fn dir() -> PathBuf {
    let dir = std::env::temp_dir().join("ktv-bench-audio");
    std::fs::create_dir_all(&dir).expect("cannot create the bench folder");
    dir
}

/// A stereo file of `seconds` at `rate` Hz in the format its extension names, made if missing.
pub fn music_like(name: &str, rate: u32, seconds: u32) -> PathBuf {
    let path = dir().join(name);
    if path.exists() {
        return path;
    }
    let codec: &[&str] = match path.extension().and_then(|e| e.to_str()) {
        Some("mp3") => &["-c:a", "libmp3lame", "-b:a", "192k"],
        Some("m4a") => &["-c:a", "aac", "-b:a", "192k"],
        Some("ogg") => &["-c:a", "libvorbis", "-q:a", "6"],
        Some("flac") => &["-c:a", "flac"],
        _ => &["-c:a", "pcm_s16le"],
    };
    let source = format!(
        "anoisesrc=color=pink:amplitude=0.2:sample_rate={rate}:duration={seconds},\
         aformat=channel_layouts=stereo"
    );
    let status = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            &source,
        ])
        .args(codec)
        .arg(&path)
        .status()
        .expect("ffmpeg is needed for the engine benches: run scripts/setup");
    assert!(status.success(), "ffmpeg could not make {}", path.display());
    path
}
