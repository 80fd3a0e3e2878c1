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

/// The file's duration as ffprobe, an independent reader, reads it.
fn probed_seconds(path: &std::path::Path) -> f64 {
    let probe = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .expect("ffprobe is installed by scripts/setup");
    String::from_utf8_lossy(&probe.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("ffprobe read no duration from {}", path.display()))
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
        let seconds = probed_seconds(&out);
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

/// The amplitude of the `hz` component of `samples` (Goertzel on 0.1 s windows, so about
/// 10 Hz wide, averaged).
fn tone_level(samples: &[f32], hz: f64, rate: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * hz / rate;
    let windows = samples.chunks_exact((rate / 10.0) as usize);
    let count = windows.len();
    windows
        .map(|window| {
            let (mut s1, mut s2) = (0.0f64, 0.0f64);
            for &x in window {
                let s0 = f64::from(x) + 2.0 * w.cos() * s1 - s2;
                s2 = s1;
                s1 = s0;
            }
            let power = s1 * s1 + s2 * s2 - 2.0 * w.cos() * s1 * s2;
            2.0 * power.max(0.0).sqrt() / window.len() as f64
        })
        .sum::<f64>()
        / count.max(1) as f64
}

fn read_wav_mono(path: &std::path::Path) -> Vec<f32> {
    let mut reader = hound::WavReader::open(path).unwrap();
    let channels = reader.spec().channels as usize;
    let samples: Vec<f32> = reader.samples::<f32>().map(Result::unwrap).collect();
    samples
        .chunks_exact(channels)
        .map(|f| f.iter().sum::<f32>() / channels as f32)
        .collect()
}

#[test]
fn mix_renders_a_performance_with_a_microphone_in_a_key_and_mode() {
    let dir = std::env::temp_dir().join(format!("ktv-mix-perf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let acc = dir.join("a440.flac");
    let mic = dir.join("voice330.wav");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=48000:duration=4",
        "-ac",
        "2",
        acc.to_str().unwrap(),
    ]);
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=330:sample_rate=48000:duration=4",
        mic.to_str().unwrap(),
    ]);
    let out = dir.join("perf.wav");
    let render = |key: &str| {
        let run = run_ktv(&[
            "mix",
            acc.to_str().unwrap(),
            "--mic",
            mic.to_str().unwrap(),
            "--key",
            key,
            "--effects",
            "dry",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(run.code, Some(0), "{run:?}");
        read_wav_mono(&out)
    };
    // Measured on the written file, from 0.5 s to 3.5 s: the music moves up two semitones,
    // the singer's voice does not.
    let rate = 48_000.0;
    let middle = |s: &[f32]| s[24_000..168_000].to_vec();
    let shifted = middle(&render("+2"));
    let up = 440.0 * 2f64.powf(2.0 / 12.0);
    let (at_440, at_up, voice) = (
        tone_level(&shifted, 440.0, rate),
        tone_level(&shifted, up, rate),
        tone_level(&shifted, 330.0, rate),
    );
    // ffmpeg's sines are 1/8 of full scale.
    let levels = format!("440 Hz {at_440:.4}, {up:.1} Hz {at_up:.4}, 330 Hz {voice:.4}");
    assert!(at_up > 0.05 && at_440 < at_up / 10.0, "{levels}");
    assert!(voice > 0.05, "the microphone's voice: {levels}");
    // Changed input: at key 0 the same measure finds the music at 440 Hz, not above.
    let plain = middle(&render("0"));
    let (plain_up, plain_440) = (
        tone_level(&plain, up, rate),
        tone_level(&plain, 440.0, rate),
    );
    assert!(
        plain_440 > 0.05 && plain_up < plain_440 / 10.0,
        "{plain_up} {plain_440}"
    );
}

#[test]
fn mix_plays_a_song_folder_in_guide_mode_at_a_tempo() {
    let dir = std::env::temp_dir().join(format!("ktv-mix-folder-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("twinkle.flac");
    let song = ktv_tests::process::workspace_root().join("assets/twinkle");
    let run = run_ktv(&[
        "mix",
        song.to_str().unwrap(),
        "--mode",
        "guide",
        "--tempo",
        "1.2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, Some(0), "{run:?}");
    // 76.8 s at 1.2x, as ffprobe reads the file.
    let seconds = probed_seconds(&out);
    assert!((seconds - 76.8 / 1.2).abs() < 0.05, "{seconds} s");

    for (args, says) in [
        (vec!["--key", "13"], "key shift 13 semitones is outside"),
        (vec!["--tempo", "2"], "tempo 2 is outside"),
        (vec!["--mode", "karaoke"], "unknown track mode"),
    ] {
        let mut all = vec![
            "mix",
            song.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        all.extend(args);
        let run = run_ktv(&all);
        assert_ne!(run.code, Some(0), "{run:?}");
        assert!(run.stderr.contains(says), "{}", run.stderr);
    }
    let run = run_ktv(&["mix", dir.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(
        run.stderr.contains("song.toml") && run.stderr.contains("not found"),
        "{}",
        run.stderr
    );
}
