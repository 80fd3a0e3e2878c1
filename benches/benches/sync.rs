//! Sync: one beat handled by 10,000 followers' state machines on one thread (message in,
//! outputs drained), after each has learnt the room's clock and is playing; the baseline in
//! the same run is decoding that beat's bytes 10,000 times. Allocations in the steady state
//! are counted and must be zero.
//!
//! Target (issue: sync): ≤ 10 ms for all 10,000, zero allocations.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sync::{
    Follower, FollowerConfig, HostTime, MediaTime, Message, Output, PlayerReport, Pong, SongStart,
    TimeDelta, TrackMode, Transport,
};

const FOLLOWERS: usize = 10_000;

/// The singer's timeline (the same in every message: the song plays on undisturbed): 30 s
/// into the song at 6 s on the room's clock.
fn transport(seq: u64) -> Transport {
    Transport {
        leader: 1,
        seq,
        song: 1,
        position: MediaTime::from_millis(30_000),
        at: HostTime::from_millis(6_000),
        rate: 1.0,
        playing: true,
    }
}

fn drain(follower: &mut Follower) -> usize {
    let mut outputs = 0;
    while !matches!(follower.poll_output(), Output::Timeout(_)) {
        outputs += 1;
    }
    outputs
}

/// A follower that knows the clock (the room's is 5 s ahead, 40 ms each way), has the song
/// and is playing in step.
fn steady(now: &mut HostTime) -> Follower {
    let mut follower = Follower::new(FollowerConfig::default(), *now);
    let offset = TimeDelta::from_millis(5_000);
    let one_way = TimeDelta::from_millis(40);
    for _ in 0..20 {
        follower.handle_timeout(*now);
        while let Some(output) = Some(follower.poll_output()) {
            match output {
                Output::Send(Message::Ping(ping)) => {
                    let received = ping.sent + offset + one_way;
                    *now += one_way + one_way;
                    let pong = Pong {
                        id: ping.id,
                        ping_sent: ping.sent,
                        received,
                        sent: received,
                    };
                    follower.handle_message(*now, &Message::Pong(pong));
                }
                Output::Timeout(t) => {
                    *now = (*now).max(t);
                    break;
                }
                _ => {}
            }
        }
    }
    let start = SongStart {
        transport: transport(1),
        song_id: "jasmine".into(),
        media: "/media/jasmine".into(),
        track_mode: TrackMode::Accompaniment,
        key: 0.0,
        tempo: 1.0,
    };
    follower.handle_message(*now, &Message::SongStart(start));
    drain(&mut follower);
    // The player starts where asked and reports from then on.
    let started = *now + TimeDelta::from_millis(200);
    for block in 0..50 {
        let at = started + TimeDelta::from_micros(block * 5_333);
        let position = follower.target_at(at).expect("clock and song known");
        follower.handle_player(
            at,
            PlayerReport {
                position,
                at,
                playing: true,
            },
        );
        drain(&mut follower);
    }
    *now = started + TimeDelta::from_millis(300);
    follower
}

fn beats(c: &mut Criterion) {
    let mut now = HostTime::from_millis(1_000);
    let mut followers: Vec<Follower> = (0..FOLLOWERS).map(|_| steady(&mut now)).collect();
    // Zero allocations in the steady state: one beat through every follower.
    let message = Message::Beat(transport(2));
    let counted = allocation_counter::measure(|| {
        for follower in followers.iter_mut() {
            follower.handle_message(now, &message);
            black_box(drain(follower));
        }
    });
    assert_eq!(
        counted.count_total, 0,
        "a beat through {FOLLOWERS} followers allocated {} times",
        counted.count_total
    );

    let mut group = c.benchmark_group("sync/beat");
    group.throughput(Throughput::Elements(FOLLOWERS as u64));
    let mut seq = 3u64;
    group.bench_function("followers_10000", |b| {
        b.iter(|| {
            seq += 1;
            let message = Message::Beat(transport(seq));
            for follower in followers.iter_mut() {
                follower.handle_message(now, &message);
                black_box(drain(follower));
            }
        })
    });
    let bytes = sync::wire::encode(&Message::Beat(transport(4))).expect("encodes");
    group.bench_function("baseline_decode_10000", |b| {
        b.iter(|| {
            for _ in 0..FOLLOWERS {
                black_box(sync::wire::decode(black_box(&bytes)).expect("decodes"));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, beats);
criterion_main!(benches);
