//! `ktv mix`: a newcomer renders a song offline and can listen to the file.

use std::process::Command;

use ktv_tests::process::run_ktv;

fn ffmpeg(args: &[&str]) {
    let status = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .status()
        .expect("ffmpeg is installed by scripts/setup");
    assert!(status.success());
}

#[test]
fn mix_renders_accompaniment_and_vocal_to_wav_and_flac() {
    let dir = std::env::temp_dir().join(format!("ktv-mix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let acc = dir.join("acc.mp3");
    let vocal = dir.join("vocal.ogg");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=220:sample_rate=44100:duration=2",
        "-ac",
        "2",
        acc.to_str().unwrap(),
    ]);
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=330:sample_rate=48000:duration=2",
        "-ac",
        "2",
        "-c:a",
        "libvorbis",
        vocal.to_str().unwrap(),
    ]);
    for name in ["mix.wav", "mix.flac"] {
        let out = dir.join(name);
        let run = run_ktv(&[
            "mix",
            acc.to_str().unwrap(),
            vocal.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(run.code, Some(0), "{run:?}");
        assert!(run.stdout.contains("2.00 s at 48000 Hz"), "{}", run.stdout);
        // ffprobe, an independent reader, agrees on the length.
        let probe = Command::new("ffprobe")
            .args([
                "-v",
                "error",
                "-show_entries",
                "format=duration",
                "-of",
                "csv=p=0",
            ])
            .arg(&out)
            .output()
            .unwrap();
        let seconds: f64 = String::from_utf8_lossy(&probe.stdout)
            .trim()
            .parse()
            .unwrap();
        assert!((seconds - 2.0).abs() < 0.001, "{name}: {seconds} s");
    }
    let run = run_ktv(&[
        "mix",
        "/nonexistent/song.mp3",
        "--out",
        dir.join("x.wav").to_str().unwrap(),
    ]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("cannot read /nonexistent/song.mp3"),
        "{}",
        run.stderr
    );
}
