//! Track modes on a demo song with a separate guide vocal, measured on the engine's buses
//! against the decoded tracks: guide mode puts the vocal in the singer's monitor and keeps it
//! out of the room; accompaniment mode keeps it out of both; original mode puts it in both.

use engine::driver::offline::OfflineDriver;
use engine::{Bus, EngineSettings, Original, SongFiles, SongSource, TrackMode};
use ktv_tests::analysis::{self, RATE};

/// The monitor and room buses (mono) from `from` seconds on, for `seconds`.
fn render(song: &SongSource, mode: TrackMode, from: f64, seconds: f64) -> (Vec<f32>, Vec<f32>) {
    let (mut handle, mut processor) = engine::new(EngineSettings {
        device_bus: Bus::Monitor,
        ..EngineSettings::default()
    });
    handle.load(song).unwrap();
    handle.set_track_mode(mode).unwrap();
    let mut monitor_tap = handle.tap(Bus::Monitor, 64).unwrap();
    let mut room_tap = handle.tap(Bus::Room, 64).unwrap();
    handle.seek((from * f64::from(RATE)) as u64).unwrap();
    handle.play().unwrap();
    let (mut monitor, mut room) = (Vec::new(), Vec::new());
    let mono = |out: &mut Vec<f32>, samples: &[f32]| {
        out.extend(samples.chunks_exact(2).map(|f| 0.5 * (f[0] + f[1])));
    };
    OfflineDriver::new(2, 128).render(&mut processor, (seconds * f64::from(RATE)) as u64, |_| {
        while let Some(block) = monitor_tap.pop() {
            mono(&mut monitor, block.samples());
        }
        while let Some(block) = room_tap.pop() {
            mono(&mut room, block.samples());
        }
    });
    (monitor, room)
}

/// The vocal in a bus: the correlation of what the bus holds beyond the accompaniment with
/// the vocal, and that remainder's energy against the vocal's (dB).
fn vocal_in(bus: &[f32], accompaniment: &[f32], vocal: &[f32]) -> (f64, f64) {
    let (mut rv, mut rr, mut vv) = (0.0f64, 0.0f64, 0.0f64);
    for ((&b, &a), &v) in bus.iter().zip(accompaniment).zip(vocal) {
        let rest = f64::from(b - a);
        let v = f64::from(v);
        rv += rest * v;
        rr += rest * rest;
        vv += v * v;
    }
    (
        rv / (rr * vv).sqrt().max(1e-12),
        10.0 * (rr / vv.max(1e-12)).log10(),
    )
}

#[test]
fn guide_mode_puts_the_vocal_in_the_monitor_only() {
    let dir = ktv_tests::process::workspace_root().join("assets/farewell");
    let song = SongSource {
        files: SongFiles::TwoFiles {
            accompaniment: dir.join("accompaniment.m4a"),
            original: dir.join("guide.flac"),
        },
        original: Original::VocalOnly,
        loudness: None,
    };
    let tracks = analysis::decode(&song);
    // Two sung phrases; the first half second, where the mode fades in, is left out.
    let (from, seconds, skip) = (13.0, 20.0, RATE as usize / 2);
    let start = (from * f64::from(RATE)) as usize + skip;
    let len = (seconds * f64::from(RATE)) as usize - skip;
    let accompaniment = &tracks.accompaniment[start..start + len];
    let vocal = &tracks.original[start..start + len];
    let mut report = Vec::new();
    let mut measure = |mode: TrackMode| {
        let (monitor, room) = render(&song, mode, from, seconds);
        let monitor = vocal_in(&monitor[skip..skip + len], accompaniment, vocal);
        let room = vocal_in(&room[skip..skip + len], accompaniment, vocal);
        report.push(format!(
            "{mode:?}: monitor correlation {:.4}, rest {:.1} dB; room correlation {:.4}, rest {:.1} dB",
            monitor.0, monitor.1, room.0, room.1
        ));
        (monitor, room)
    };
    let (guide_monitor, guide_room) = measure(TrackMode::Guide);
    let (acc_monitor, acc_room) = measure(TrackMode::Accompaniment);
    let (orig_monitor, orig_room) = measure(TrackMode::Original);
    let report = report.join("\n");
    println!("{report}");
    // Guide: the vocal is what the monitor holds beyond the accompaniment; the room has none.
    assert!(guide_monitor.0 >= 0.9, "{report}");
    assert!(guide_room.1 <= -30.0, "{report}");
    // Accompaniment: neither has it.
    assert!(acc_monitor.1 <= -30.0 && acc_room.1 <= -30.0, "{report}");
    // Original: both have it.
    assert!(orig_monitor.0 >= 0.9 && orig_room.0 >= 0.9, "{report}");
    // Changed input: the measures fail where the vocal is (or is not): the monitor in guide
    // mode is far above −30 dB, the room in accompaniment mode far from correlated.
    assert!(guide_monitor.1 > -30.0 && orig_room.1 > -30.0, "{report}");
    assert!(acc_room.0 < 0.9 && guide_room.0 < 0.9, "{report}");
}
