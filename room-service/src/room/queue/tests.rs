//! The queue's rules one by one, then random sequences of operations by random members
//! against a simple model of what must hold.

use proptest::prelude::*;

use super::*;

fn ask(queue: &mut Queue, by: MemberId, song: &str) -> Result<RequestId> {
    let new = NewRequest {
        song_id: song.into(),
        seconds: 180,
        singer: Singer::Member(by),
        preset: Preset::default(),
    };
    queue.request(by, false, new, 0).map(|r| r.id)
}

fn songs(queue: &Queue) -> Vec<&str> {
    queue.waiting.iter().map(|r| r.song_id.as_str()).collect()
}

#[test]
fn requests_wait_in_order_and_the_next_one_plays_on_song_end() {
    let mut queue = Queue::new(QueueRules::default());
    ask(&mut queue, 1, "a").unwrap();
    ask(&mut queue, 2, "b").unwrap();
    assert_eq!(songs(&queue), ["a", "b"]);
    let (ended, started) = queue.advance();
    assert!(ended.is_none());
    assert_eq!(started.unwrap().song_id, "a");
    let (ended, started) = queue.advance();
    assert_eq!(ended.unwrap().song_id, "a");
    assert_eq!(started.unwrap().song_id, "b");
    assert_eq!(queue.version, 4);
}

#[test]
fn pins_go_to_the_top_latest_first_behind_the_announced_song() {
    let mut queue = Queue::new(QueueRules::default());
    let ids: Vec<_> = ["a", "b", "c", "d"]
        .iter()
        .map(|s| ask(&mut queue, 1, s).unwrap())
        .collect();
    queue.lock_next();
    queue.pin(ids[2], 10).unwrap();
    queue.pin(ids[3], 11).unwrap();
    assert_eq!(songs(&queue), ["a", "d", "c", "b"]);
    // A later request does not pass the pins.
    ask(&mut queue, 2, "e").unwrap();
    assert_eq!(songs(&queue), ["a", "d", "c", "b", "e"]);
}

#[test]
fn the_announced_song_cannot_be_moved_but_can_be_removed() {
    let mut queue = Queue::new(QueueRules::default());
    let a = ask(&mut queue, 1, "a").unwrap();
    let b = ask(&mut queue, 2, "b").unwrap();
    queue.lock_next();
    assert!(matches!(queue.reorder(a, 1), Err(Error::Refused { .. })));
    queue.reorder(b, 0).unwrap();
    assert_eq!(
        songs(&queue),
        ["a", "b"],
        "nothing goes ahead of the announced song"
    );
    queue.remove(a).unwrap();
    assert!(!queue.next_locked);
    assert_eq!(songs(&queue), ["b"]);
}

#[test]
fn limits_by_count_and_by_time_hold_for_members_but_not_the_owner() {
    let mut queue = Queue::new(QueueRules {
        max_songs: Some(2),
        max_seconds: Some(400),
        fair_rotation: false,
    });
    ask(&mut queue, 1, "a").unwrap();
    ask(&mut queue, 1, "b").unwrap();
    let err = ask(&mut queue, 1, "c").unwrap_err();
    assert!(err.to_string().contains("limit is 2"), "{err}");
    let long = NewRequest {
        song_id: "long".into(),
        seconds: 401,
        singer: Singer::Member(2),
        preset: Preset::default(),
    };
    let err = queue.request(2, false, long.clone(), 0).unwrap_err();
    assert!(err.to_string().contains("400 s"), "{err}");
    queue.request(2, true, long, 0).unwrap();
}

#[test]
fn presets_outside_the_engine_ranges_are_refused() {
    let mut queue = Queue::new(QueueRules::default());
    for preset in [
        Preset {
            key: 13.0,
            ..Preset::default()
        },
        Preset {
            tempo: 0.5,
            ..Preset::default()
        },
    ] {
        let new = NewRequest {
            song_id: "a".into(),
            seconds: 1,
            singer: Singer::Member(1),
            preset,
        };
        assert!(matches!(
            queue.request(1, false, new, 0),
            Err(Error::BadRequest(_))
        ));
    }
}

#[test]
fn fair_rotation_gives_everyone_a_song_per_round_and_places_a_newcomer_fairly() {
    let mut queue = Queue::new(QueueRules {
        max_songs: None,
        max_seconds: None,
        fair_rotation: true,
    });
    // Alice asks for three songs, then Bob for two, then Carol (a newcomer) for one.
    for s in ["a1", "a2", "a3"] {
        ask(&mut queue, 1, s).unwrap();
    }
    for s in ["b1", "b2"] {
        ask(&mut queue, 2, s).unwrap();
    }
    ask(&mut queue, 3, "c1").unwrap();
    assert_eq!(songs(&queue), ["a1", "b1", "c1", "a2", "b2", "a3"]);
    // Alice on stage: her next song waits for the others' turn.
    queue.advance();
    ask(&mut queue, 4, "d1").unwrap();
    assert_eq!(songs(&queue), ["b1", "c1", "d1", "a2", "b2", "a3"]);
}

#[test]
fn a_member_who_leaves_takes_their_songs_but_not_the_walk_ups_they_added() {
    let mut queue = Queue::new(QueueRules::default());
    ask(&mut queue, 1, "a").unwrap();
    let walk_up = NewRequest {
        song_id: "w".into(),
        seconds: 100,
        singer: Singer::WalkUp("Grandpa".into()),
        preset: Preset::default(),
    };
    queue.request(1, true, walk_up, 0).unwrap();
    ask(&mut queue, 2, "b").unwrap();
    let gone = queue.remove_member(1);
    assert_eq!(gone.len(), 1);
    assert_eq!(songs(&queue), ["w", "b"]);
}

/// One operation of a random sequence.
#[derive(Debug, Clone)]
enum Op {
    Request {
        member: MemberId,
        walk_up: bool,
        seconds: u32,
    },
    Remove(usize),
    Pin(usize),
    Reorder(usize, usize),
    LockNext,
    Advance,
    Leave(MemberId),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..5u64, prop::bool::weighted(0.1), 60..400u32)
            .prop_map(|(member, walk_up, seconds)| Op::Request { member, walk_up, seconds }),
        1 => (0..20usize).prop_map(Op::Remove),
        1 => (0..20usize).prop_map(Op::Pin),
        1 => (0..20usize, 0..20usize).prop_map(|(a, b)| Op::Reorder(a, b)),
        1 => Just(Op::LockNext),
        2 => Just(Op::Advance),
        1 => (0..5u64).prop_map(Op::Leave),
    ]
}

/// Member 0 is the owner (exempt from limits).
const OWNER: MemberId = 0;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn random_operations_keep_the_queue_sound(
        ops in prop::collection::vec(op(), 1..80),
        fair in any::<bool>(),
        max_songs in prop::option::of(1..4u32),
        max_seconds in prop::option::of(300..900u32),
    ) {
        let rules = QueueRules { max_songs, max_seconds, fair_rotation: fair };
        let mut queue = Queue::new(rules);
        // The model: which requests are in the queue, and which left it how.
        let mut live: Vec<RequestId> = Vec::new();
        let mut done: Vec<RequestId> = Vec::new();
        let mut locked: Option<RequestId> = None;
        let mut version = 0;
        // Removing, pinning or moving a song reshapes the rounds by hand; fairness of a new
        // request's place is checked while nobody has.
        let mut reshaped = false;
        for (step, op) in ops.into_iter().enumerate() {
            reshaped |= matches!(op, Op::Remove(_) | Op::Pin(_) | Op::Reorder(..) | Op::Leave(_));
            let now = step as u64;
            match op {
                Op::Request { member, walk_up, seconds } => {
                    let singer = if walk_up {
                        Singer::WalkUp(format!("guest {member}"))
                    } else {
                        Singer::Member(member)
                    };
                    let new = NewRequest {
                        song_id: format!("s{step}"),
                        seconds,
                        singer: singer.clone(),
                        preset: Preset::default(),
                    };
                    if let Ok(request) = queue.request(member, member == OWNER, new, now) {
                        let id = request.id;
                        live.push(id);
                        if fair && !reshaped {
                            // Nobody has more than one song more than the newcomer ahead of it.
                            let at = queue.waiting.iter().position(|r| r.id == id).unwrap();
                            let start = queue.after_pins();
                            if at >= start {
                                // The song on stage and the announced one count (they are in
                                // the first round); pinned songs are the owner's doing.
                                let locked = queue.waiting.iter().take(queue.first_free());
                                let ahead: Vec<&Request> = queue
                                    .playing
                                    .iter()
                                    .chain(locked)
                                    .chain(&queue.waiting[start..at])
                                    .collect();
                                let count = |s: &Singer| ahead.iter().filter(|r| &r.singer == s).count();
                                let mine = count(&singer);
                                // A singer on stage whose next song was already announced has
                                // two songs nobody can move.
                                let fixed = queue.playing.as_ref().zip(queue.waiting.first().filter(|_| queue.next_locked))
                                    .and_then(|(p, l)| (p.singer == l.singer).then(|| p.singer.clone()));
                                for other in &ahead {
                                    let allowance = 1 + usize::from(fixed.as_ref() == Some(&other.singer));
                                    prop_assert!(count(&other.singer) <= mine + allowance,
                                        "{:?} placed behind {} songs of {:?}", singer, count(&other.singer), other.singer);
                                }
                            }
                        }
                    }
                }
                Op::Remove(i) => {
                    if let Some(id) = queue.waiting.get(i).map(|r| r.id) {
                        queue.remove(id).unwrap();
                        live.retain(|&l| l != id);
                        done.push(id);
                        if locked == Some(id) { locked = None; }
                    }
                }
                Op::Pin(i) => {
                    if let Some(id) = queue.waiting.get(i).map(|r| r.id) {
                        queue.pin(id, now).unwrap();
                        if locked != Some(id) {
                            prop_assert_eq!(queue.waiting[queue.first_free()].id, id);
                        }
                    }
                }
                Op::Reorder(i, to) => {
                    if let Some(id) = queue.waiting.get(i).map(|r| r.id) {
                        let refused = queue.reorder(id, to).is_err();
                        prop_assert_eq!(refused, locked == Some(id));
                    }
                }
                Op::LockNext => {
                    queue.lock_next();
                    if locked.is_none() {
                        locked = queue.waiting.first().map(|r| r.id);
                    }
                }
                Op::Advance => {
                    let (ended, _) = queue.advance();
                    if let Some(ended) = ended {
                        live.retain(|&l| l != ended.id);
                        done.push(ended.id);
                    }
                    locked = None;
                }
                Op::Leave(member) => {
                    for gone in queue.remove_member(member) {
                        live.retain(|&l| l != gone.id);
                        done.push(gone.id);
                        if locked == Some(gone.id) { locked = None; }
                    }
                }
            }
            // No request lost or duplicated.
            let mut inside: Vec<RequestId> =
                queue.playing.iter().chain(&queue.waiting).map(|r| r.id).collect();
            inside.sort_unstable();
            let before = inside.len();
            inside.dedup();
            prop_assert_eq!(before, inside.len(), "a request is in the queue twice");
            let mut expected = live.clone();
            expected.sort_unstable();
            prop_assert_eq!(&inside, &expected);
            prop_assert!(done.iter().all(|d| !inside.contains(d)));
            // Limits kept for everyone but the owner.
            for member in 1..5 {
                let mine: Vec<_> = queue.waiting.iter().filter(|r| r.requested_by == member).collect();
                if let Some(max) = max_songs {
                    prop_assert!(mine.len() as u32 <= max);
                }
                if let Some(max) = max_seconds {
                    prop_assert!(mine.iter().map(|r| r.seconds).sum::<u32>() <= max);
                }
            }
            // The announced song stays next.
            prop_assert_eq!(queue.next_locked, locked.is_some());
            if let Some(id) = locked {
                prop_assert_eq!(queue.waiting.first().map(|r| r.id), Some(id));
            }
            // Every change was counted.
            prop_assert!(queue.version >= version);
            version = queue.version;
        }
    }
}
