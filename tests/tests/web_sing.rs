//! Singing from the room's web page, end to end, in Debian's chromium (headless, through
//! playwright-core: `tests/web/sing.mjs`) with its fake microphone playing a take made here:
//! the page leads the room, sends its voice, and the score in the room's results is the
//! service's. A take on the melody scores high, the same take a semitone sharp low; a singer
//! who closes the tab mid-song ends the song for the room within 5 s and the listener's
//! player stops; a screenshot of the sing view, paused mid-word, shows the wipe where the song
//! time the listeners were told puts it.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use demo_songs::rng::Rng;
use demo_songs::voice::{self, Timbre};
use ktv_tests::analysis::{decode_file_at, read_f32};
use ktv_tests::process::{KtvProcess, Signal, serve, workspace_root};
use ktv_tests::stems::{Stems, percentile};
use lyrics::Voice;
use serde_json::{Value, json};

const SONG: &str = "susanna";
/// Requested after it in the tab-closing run, to see the room move on.
const NEXT_SONG: &str = "tigers";
/// The page's countdown: from its microphone's first block to the music's first sample.
const COUNTDOWN_S: f64 = 3.0;
const RATE: u32 = 48_000;
/// The listeners' bound on voice against music (as for a native singer: `audience_audio`).
const LISTENER_BOUND_MS: f64 = 20.0;
/// How far from the page's own placement the fake microphone's file may begin: up to a
/// capture buffer or so after the first block the page sees.
const FAKE_CAPTURE_START_MS: f64 = 30.0;

/// The song's melody sung by the demo songs' voice, `semitones` off and at `tempo`, with the
/// countdown's silence before it: what the singer's microphone takes in from its first block.
fn take(semitones: i32, tempo: f64, seconds: &mut f64) -> Vec<f32> {
    let score = demo_songs::scores()
        .into_iter()
        .find(|s| s.id == SONG)
        .expect("the demo song");
    let timeline = score.timeline().expect("the demo song's score reads");
    *seconds = timeline.duration;
    let notes: Vec<_> = timeline
        .notes
        .iter()
        .filter(|n| n.voice.includes(Voice::P1))
        .map(|n| demo_songs::score::SungNote {
            start: n.start / tempo + COUNTDOWN_S,
            duration: n.duration / tempo,
            midi: n.midi + semitones,
            ..n.clone()
        })
        .collect();
    let timbre = if score.tonic < 60 {
        Timbre::MALE
    } else {
        Timbre::FEMALE
    };
    let length = ((timeline.duration / tempo + COUNTDOWN_S + 2.0) * f64::from(RATE)) as usize;
    voice::sing(&notes, timbre, RATE, length, &mut Rng::new(7))
}

fn write_wav(path: &Path, samples: &[f32]) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    for &x in samples {
        writer
            .write_sample((x.clamp(-1.0, 1.0) * 32767.0) as i16)
            .unwrap();
    }
    writer.finalize().unwrap();
}

fn chromium() -> PathBuf {
    let chromium = PathBuf::from("/usr/bin/chromium");
    assert!(
        chromium.exists(),
        "no /usr/bin/chromium: run scripts/setup (it installs Debian's chromium)"
    );
    chromium
}

/// What a run of `sing.mjs` wrote, and the native listener's stems if one listened.
struct Sung {
    result: Value,
    dir: PathBuf,
    stems: Option<(Vec<f32>, Vec<f32>)>,
    take: Vec<f32>,
}

/// Runs `sing.mjs` against a fresh service (with a native `ktv listen` recording stems if
/// `native_listener`).
fn sing(name: &str, semitones: i32, mode: &str, extra: Value) -> Value {
    sing_with(name, semitones, mode, extra, false).result
}

fn sing_with(name: &str, semitones: i32, mode: &str, extra: Value, native_listener: bool) -> Sung {
    let dir = std::env::temp_dir().join(format!("ktv-web-sing-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut seconds = 0.0;
    let take_file = dir.join("take.wav");
    let tempo = extra.get("tempo").and_then(Value::as_f64).unwrap_or(1.0);
    let sung_take = take(semitones, tempo, &mut seconds);
    write_wav(&take_file, &sung_take);
    let (_server, url): (KtvProcess, String) = serve("127.0.0.1:0", &dir.join("ktv.db"));
    let mut config = json!({
        "base": url,
        "chromium": chromium(),
        "out": dir,
        "take": take_file,
        "song": SONG,
        "next_song": NEXT_SONG,
        "song_seconds": seconds,
        "mode": mode,
        "native_listener": native_listener,
    });
    if let (Value::Object(config), Value::Object(extra)) = (&mut config, extra) {
        config.extend(extra);
    }
    let config_file = dir.join("config.json");
    std::fs::write(&config_file, config.to_string()).unwrap();
    let mut node = Command::new("node")
        .arg(workspace_root().join("tests/web/sing.mjs"))
        .arg(&config_file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node is installed by scripts/setup");
    let mut to_node = node.stdin.take().unwrap();
    let errors = {
        let mut stderr = node.stderr.take().unwrap();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        })
    };
    let stems_dir = dir.join("stems");
    let cache = dir.join("cache");
    let mut listener = None;
    for line in BufReader::new(node.stdout.take().unwrap()).lines() {
        let Ok(line) = line else { break };
        println!("{line}");
        if let Some(rest) = line.strip_prefix("[sing] room ") {
            let (room, token) = rest.split_once(' ').expect("a room and a token");
            let args = [
                "listen",
                "--server",
                &url,
                "--room",
                room,
                "--token",
                token,
                "--offline",
                "--no-udp",
                "--stems",
                stems_dir.to_str().unwrap(),
                "--cache",
                cache.to_str().unwrap(),
            ];
            let spawned = KtvProcess::spawn(&args);
            let deadline = std::time::Instant::now() + Duration::from_secs(20);
            while !spawned.stderr().contains("connected to the room")
                && std::time::Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = writeln!(to_node, "go");
            listener = Some(spawned);
        }
    }
    let status = node.wait().unwrap();
    let errors = errors.join().unwrap_or_default();
    assert!(status.success(), "the page did not sing: {errors}");
    let stems = listener.map(|mut listener| {
        listener.signal(Signal::SIGTERM);
        assert!(
            listener.wait_timeout(Duration::from_secs(10)).is_some(),
            "the native listener stays"
        );
        (
            decode_file_at(&stems_dir.join("music.wav"), RATE),
            decode_file_at(&stems_dir.join("voice.wav"), RATE),
        )
    });
    let result: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("result.json")).unwrap()).unwrap();
    println!("{name}: {}", serde_json::to_string_pretty(&result).unwrap());
    Sung {
        result,
        dir,
        stems,
        take: sung_take,
    }
}

/// A listener's stems judged as for a native singer (`audience_audio`): voice against music
/// window by window, within the listeners' bound about a constant, which is where the page
/// placed its voice on the song: with chromium's fake microphone that is known only to
/// within its capture start (the file begins a buffer or so after the first block the page
/// sees). With a real microphone that constant is the singer's latency, which calibration
/// measures.
fn judge_listener(who: &str, music: &[f32], voice: &[f32], rate: u32, take: &[f32], latency: f64) {
    let folder = workspace_root().join("assets").join(SONG);
    let accompaniment = decode_file_at(&folder.join("accompaniment.ogg"), rate);
    let judged = judge_stems(who, music, voice, rate, take, latency, &accompaniment);
    assert!(
        judged.score >= 85.0,
        "{who}: the voice stem scores {}",
        judged.score
    );
}

/// [`judge_listener`]'s alignment bounds, against `accompaniment` (at the listener's rate):
/// the song's, or its rendering at the request's key and tempo.
fn judge_stems(
    who: &str,
    music: &[f32],
    voice: &[f32],
    rate: u32,
    take: &[f32],
    latency: f64,
    accompaniment: &[f32],
) -> ktv_tests::stems::Judged {
    let take = resample(take, RATE, rate);
    let skip = ((COUNTDOWN_S + latency) * f64::from(rate)) as usize;
    let folder = workspace_root().join("assets").join(SONG);
    let lyrics = room_service::library::song_lyrics(&folder).unwrap();
    let judged = Stems {
        music,
        voice,
        accompaniment,
        dry: &take[skip.min(take.len())..],
        rate,
    }
    .judge(&lyrics)
    .unwrap_or_else(|| panic!("{who}: its music stem holds none of the song"));
    let mut spread: Vec<f64> = judged
        .differences
        .iter()
        .map(|d| (d - judged.median).abs())
        .collect();
    spread.sort_by(f64::total_cmp);
    let spread = percentile(&spread, 0.99);
    println!(
        "{who}: voice against music over {} windows: median {:+.2} ms, |p99| about it {spread:.2} ms; its voice stem scores {:.1}",
        judged.differences.len(),
        judged.median,
        judged.score
    );
    assert!(
        judged.differences.len() >= 40,
        "{who}: only {} windows measured both ways",
        judged.differences.len()
    );
    assert!(
        spread <= LISTENER_BOUND_MS,
        "{who}: voice against music p99 {spread:.2} ms about the median"
    );
    assert!(
        judged.median.abs() <= FAKE_CAPTURE_START_MS,
        "{who}: the page's voice lands {:+.2} ms from where its stamps say",
        judged.median
    );
    judged
}

/// `samples` at `to` Hz by linear interpolation (the take is made at 48 kHz; a page may
/// record at its device's rate).
fn resample(samples: &[f32], from: u32, to: u32) -> Vec<f32> {
    if from == to {
        return samples.to_vec();
    }
    let step = f64::from(from) / f64::from(to);
    let len = (samples.len() as f64 / step) as usize;
    (0..len)
        .map(|i| {
            let x = i as f64 * step;
            let (j, f) = (x as usize, (x.fract()) as f32);
            let a = samples[j];
            let b = samples.get(j + 1).copied().unwrap_or(a);
            a + (b - a) * f
        })
        .collect()
}

/// The service's stored score of the song, from the room's results.
fn stored_score(result: &Value) -> f64 {
    let history = result["history"].as_array().expect("the room's results");
    let sung = history
        .iter()
        .find(|r| r["song_id"] == SONG)
        .unwrap_or_else(|| panic!("no result for {SONG}: {history:?}"));
    assert_eq!(sung["ending"], "finished", "{sung}");
    sung["score"].as_f64().expect("a score")
}

#[test]
fn a_page_sings_a_song_and_the_service_scores_it() {
    let sung = sing_with("on-pitch", 0, "score", json!({}), true);
    let on_pitch = &sung.result;
    assert_eq!(on_pitch["secure"], true, "the page is not a secure context");
    let score = stored_score(on_pitch);
    println!("on pitch: the service scored {score:.1}");
    assert!(score >= 85.0, "the on-pitch take scored {score}");
    // The voice went out, reached the listener's page, and came back judged to the singer.
    let sent = on_pitch["sent"].as_u64().unwrap_or(0);
    let received = on_pitch["listener"]["voice"]["received"]
        .as_u64()
        .unwrap_or(0);
    println!("voice frames: sent {sent}, the listener received {received}");
    assert!(sent > 2_000, "the page sent {sent} voice frames");
    assert!(
        received as f64 >= sent as f64 * 0.95,
        "the listener received {received} of {sent} frames"
    );
    let trace = on_pitch["trace_points"].as_u64().unwrap_or(0);
    assert!(
        trace > 100,
        "the singer's page drew {trace} points of its own pitch"
    );

    // The listeners heard the voice in time with the music: their stems, against the
    // accompaniment and the take placed on the song where the page's stamps put it (the
    // countdown and the latency the page took off, which chromium's fake microphone, fed
    // from a file, does not have).
    let latency = on_pitch["latency_ms"].as_f64().expect("the page's latency") / 1000.0;
    let (music, voice) = sung.stems.as_ref().expect("the native listener's stems");
    judge_listener("native listener", music, voice, RATE, &sung.take, latency);
    let page_rate = on_pitch["listener_tap"]["sample_rate"]
        .as_f64()
        .expect("the listener page's recording") as u32;
    let read = |stem: &str| read_f32(&sung.dir.join(format!("listener.{stem}.f32")));
    judge_listener(
        "listener page",
        &read("music"),
        &read("voice"),
        page_rate,
        &sung.take,
        latency,
    );

    // The same take a semitone sharp: the service hears it so.
    let sharp = sing("semitone", 1, "score", json!({}));
    let sharp = stored_score(&sharp);
    println!("a semitone sharp: the service scored {sharp:.1}");
    assert!(sharp <= 60.0, "the semitone-sharp take scored {sharp}");
}

/// The request's key and tempo: the page plays the service's rendering of the song at them
/// (the engine's shifter, as `ktv sing` plays it), its voice stamps are in song time, and the
/// service judges the take (sung two semitones up, 1.1 times as fast) against the melody
/// moved so. A native listener (its engine shifting the song itself) and a listener page
/// hear the voice in time with that music.
#[test]
fn a_page_sings_at_the_key_and_tempo_of_the_request() {
    let sung = sing_with("shifted", 2, "score", json!({"key": 2, "tempo": 1.1}), true);
    let result = &sung.result;
    let score = stored_score(result);
    println!("two semitones up, 1.1 times as fast: the service scored {score:.1}");
    assert!(score >= 85.0, "the shifted take scored {score}");
    let rendering = sung
        .dir
        .join("media-cache")
        .join(SONG)
        .join("accompaniment_key+2.00_tempo1.100.flac");
    let latency = result["latency_ms"].as_f64().expect("the page's latency") / 1000.0;
    let (music, voice) = sung.stems.as_ref().expect("the native listener's stems");
    let shifted = decode_file_at(&rendering, RATE);
    judge_stems(
        "native listener",
        music,
        voice,
        RATE,
        &sung.take,
        latency,
        &shifted,
    );
    let page_rate = result["listener_tap"]["sample_rate"]
        .as_f64()
        .expect("the listener page's recording") as u32;
    let read = |stem: &str| read_f32(&sung.dir.join(format!("listener.{stem}.f32")));
    let page_music = read("music");
    let shifted = decode_file_at(&rendering, page_rate);
    let judged = judge_stems(
        "listener page",
        &page_music,
        &read("voice"),
        page_rate,
        &sung.take,
        latency,
        &shifted,
    );
    // What the page played is the rendering, not the song as it is: against the unshifted
    // accompaniment most windows go unfound.
    let folder = workspace_root().join("assets").join(SONG);
    let plain = decode_file_at(&folder.join("accompaniment.ogg"), page_rate);
    let lyrics = room_service::library::song_lyrics(&folder).unwrap();
    let unshifted = Stems {
        music: &page_music,
        voice: &page_music,
        accompaniment: &plain,
        dry: &plain,
        rate: page_rate,
    }
    .judge(&lyrics)
    .map_or(0, |j| j.music_windows);
    println!(
        "listener page: music found in {} windows of the rendering, {unshifted} of the unshifted song",
        judged.music_windows
    );
    assert!(
        unshifted * 2 < judged.music_windows,
        "the page's music matches the unshifted song ({unshifted} windows of {})",
        judged.music_windows
    );
}

#[test]
fn a_page_singer_who_closes_the_tab_ends_the_song_for_the_room() {
    // Paused in the middle of a word of the first line.
    let lyrics = lyrics::parse(
        &std::fs::read(workspace_root().join("assets").join(SONG).join("song.txt")).unwrap(),
        lyrics::Hint::default(),
    )
    .expect("the song's lyrics")
    .lyrics;
    // The longest word of the first line the take sings (the first voice's).
    let line = lyrics
        .lines
        .iter()
        .find(|l| l.voice == Voice::P1 && l.words.len() > 2)
        .expect("a line of the first voice");
    let word = line
        .words
        .iter()
        .max_by_key(|w| (w.end - w.start).as_micros())
        .expect("a word");
    let middle = (word.start.as_micros() + word.end.as_micros()) / 2;
    let result = sing("leave", 0, "leave", json!({ "pause_at_us": middle }));

    // The song left the stage within 5 s of the tab closing; the listener's player stopped.
    let moved_on = result["moved_on_ms"].as_f64().expect("the room moved on");
    println!("the room moved on {moved_on:.0} ms after the tab closed");
    assert!(moved_on <= 5_000.0, "the room moved on after {moved_on} ms");
    // The loopback check ran, and chromium's fake microphone (a file) heard no clicks: the
    // page says so rather than set a figure.
    let calibration = result["calibration"].as_str().unwrap_or("");
    assert!(
        calibration.contains("No clicks heard"),
        "the calibration said {calibration:?}"
    );
    assert_eq!(
        result["before_leaving"]["sounding"], true,
        "the listener was not playing the song"
    );
    assert_eq!(
        result["after_leaving"]["sounding"], false,
        "the listener's player plays on: {}",
        result["after_leaving"]
    );

    // The wipe on the singer's screen, from the screenshot's pixels: the last column of the
    // word's glyphs in the sung colour, against where the paused song time puts it.
    let paused = result["paused_at"].as_i64().expect("the paused position");
    let shown = &result["word"];
    let (start, end) = (
        shown["start"].as_i64().unwrap(),
        shown["end"].as_i64().unwrap(),
    );
    let expected = (paused - start) as f64 / (end - start) as f64;
    assert!(
        (0.05..0.95).contains(&expected),
        "paused at {paused} µs, not inside the word {shown}"
    );
    // The singer's own pitch, judged by the service, drawn live up to the pause.
    let recent = result["trace_recent"].as_u64().unwrap_or(0);
    assert!(
        recent >= 10,
        "{recent} points of the singer's pitch in the 2 s before the pause"
    );
    let measured = wipe_in_screenshot(
        &std::env::temp_dir()
            .join(format!("ktv-web-sing-{}-leave", std::process::id()))
            .join("sing-paused.png"),
        &shown["box"],
    );
    println!("the wipe: {measured:.3} of the word shown, {expected:.3} by the song time");
    // The measure tells times apart: a song time a quarter of the word later is not this wipe.
    let later = expected + 0.25;
    assert!(
        (measured - later).abs() > 0.08,
        "the wipe measure cannot tell {expected:.3} from {later:.3}"
    );
    assert!(
        (measured - expected).abs() <= 0.08,
        "the wipe is at {measured:.3} of the word, the song time puts it at {expected:.3}"
    );
}

/// Where the wipe is in the word's box of the screenshot (0..1): between the rightmost column
/// with a pixel of a sung colour and the first column after it with an unsung
/// (white) one; the middle of that gap (a gap between letters leaves it wider).
fn wipe_in_screenshot(png_file: &Path, word: &Value) -> f64 {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_file).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let channels = info.color_type.samples();
    let (width, height) = (info.width as usize, info.height as usize);
    let at = |x: usize, y: usize| {
        let i = (y * width + x) * channels;
        (pixels[i], pixels[i + 1], pixels[i + 2])
    };
    let coordinate = |key: &str| word[key].as_f64().unwrap();
    let (x0, y0) = (
        coordinate("x").floor() as usize,
        coordinate("y").floor() as usize,
    );
    let x1 = ((coordinate("x") + coordinate("width")).ceil() as usize).min(width);
    let y1 = ((coordinate("y") + coordinate("height")).ceil() as usize).min(height);
    let column = |x: usize, wanted: fn((u8, u8, u8)) -> bool| (y0..y1).any(|y| wanted(at(x, y)));
    // Either voice's sung colour: #ff4f8b, #5fd4ff.
    let sung = |(r, g, b): (u8, u8, u8)| {
        (r > 200 && g < 140 && (90..190).contains(&b)) || (r < 150 && g > 170 && b > 220)
    };
    let unsung = |(r, g, b): (u8, u8, u8)| r > 200 && g > 200 && b > 200;
    let last_sung = (x0..x1).rev().find(|&x| column(x, sung));
    let first_unsung = (last_sung.map_or(x0, |x| x + 1)..x1).find(|&x| column(x, unsung));
    assert!(
        last_sung.is_some() || first_unsung.is_some(),
        "no glyphs in the word's box {word}"
    );
    let edge = match (last_sung, first_unsung) {
        (Some(s), Some(u)) => (s + u) as f64 / 2.0,
        (Some(s), None) => s as f64,
        (None, Some(u)) => u as f64,
        (None, None) => unreachable!(),
    };
    (edge - x0 as f64) / (x1 - x0) as f64
}

#[test]
fn the_page_calibration_finds_the_round_trip_in_a_recording_of_its_clicks() {
    let output = Command::new("node")
        .arg(workspace_root().join("tests/web/calibrate.test.mjs"))
        .output()
        .expect("node is installed by scripts/setup");
    let said = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    println!("{said}");
    assert!(output.status.success(), "{said}");
    assert!(said.contains("all checks pass"), "{said}");
}
