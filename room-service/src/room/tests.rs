//! Every rule of the room by role: what the owner, a seated singer, the singer on stage and
//! the audience may do, and the refusal each gets otherwise.

use room_protocol::{Preset, TrackMode};

use super::*;

const OWNER: MemberId = 1;

/// A referee's progress that scores `score`.
fn scored(score: f32) -> scoring::Progress {
    scoring::Progress {
        weight: 1.0,
        credit: score / 100.0,
        ..Default::default()
    }
}

fn room() -> Room {
    Room::new(
        "r1".into(),
        "token".into(),
        RoomSettings {
            password: Some("pw".into()),
            seats: 2,
            ..RoomSettings::default()
        },
        ("Owner".into(), "s-owner".into()),
        0,
    )
    .unwrap()
}

fn join(room: &mut Room, name: &str) -> MemberId {
    room.join("token", Some("pw"), (name.into(), format!("s-{name}")), 1)
        .unwrap()
}

fn song(id: &str) -> (String, u32) {
    (id.into(), 120)
}

fn forbidden<T: std::fmt::Debug>(result: Result<T>) {
    assert!(matches!(result, Err(Error::Forbidden { .. })), "{result:?}");
}

#[test]
fn joining_needs_the_token_the_password_and_a_name() {
    let mut room = room();
    forbidden(room.join("nope", Some("pw"), ("A".into(), "s".into()), 1));
    forbidden(room.join("token", Some("wrong"), ("A".into(), "s".into()), 1));
    forbidden(room.join("token", None, ("A".into(), "s".into()), 1));
    assert!(matches!(
        room.join("token", Some("pw"), ("".into(), "s".into()), 1),
        Err(Error::BadRequest(_))
    ));
    let a = join(&mut room, "A");
    assert_eq!(room.role(a), Role::Audience);
    assert!(room.authenticate(a, "s-A").is_ok());
    assert!(matches!(
        room.authenticate(a, "s-B"),
        Err(Error::Unauthorized(_))
    ));
    assert!(matches!(
        room.authenticate(a, ""),
        Err(Error::Unauthorized(_))
    ));
}

#[test]
fn seats_are_taken_left_muted_and_freed() {
    let mut room = room();
    let (a, b, c) = (
        join(&mut room, "A"),
        join(&mut room, "B"),
        join(&mut room, "C"),
    );
    assert_eq!(room.take_seat(a, None, 2).unwrap(), 0);
    assert_eq!(room.role(a), Role::Singer);
    assert!(matches!(
        room.take_seat(b, Some(0), 2),
        Err(Error::Refused { .. })
    ));
    assert!(matches!(
        room.take_seat(a, Some(1), 2),
        Err(Error::Refused { .. })
    ));
    assert!(matches!(
        room.take_seat(b, Some(9), 2),
        Err(Error::NotFound { .. })
    ));
    room.take_seat(b, None, 2).unwrap();
    let full = room.take_seat(c, None, 2).unwrap_err();
    assert!(full.to_string().contains("all 2 seats are taken"), "{full}");
    forbidden(room.mute_seat(a, 1, true, 3));
    forbidden(room.free_seat(b, 0, 3));
    room.mute_seat(OWNER, 1, true, 3).unwrap();
    assert!(room.seats[1].muted);
    room.free_seat(OWNER, 1, 3).unwrap();
    assert_eq!(room.role(b), Role::Audience);
    room.leave_seat(a, 4).unwrap();
    assert!(matches!(room.leave_seat(a, 4), Err(Error::Refused { .. })));
}

#[test]
fn requests_by_role() {
    let mut room = room();
    let (singer, audience) = (join(&mut room, "S"), join(&mut room, "A"));
    room.take_seat(singer, None, 2).unwrap();
    forbidden(room.request(audience, song("x"), Preset::default(), None, 3));
    room.request(singer, song("x"), Preset::default(), None, 3)
        .unwrap();
    room.request(OWNER, song("y"), Preset::default(), None, 3)
        .unwrap();
    forbidden(room.request(
        singer,
        song("z"),
        Preset::default(),
        Some("Grandpa".into()),
        3,
    ));
    let walk_up = room
        .request(
            OWNER,
            song("w"),
            Preset::default(),
            Some("Grandpa".into()),
            3,
        )
        .unwrap();
    assert_eq!(
        room.queue.get(walk_up).unwrap().singer,
        Singer::WalkUp("Grandpa".into())
    );
}

#[test]
fn removing_pinning_and_reordering_by_role() {
    let mut room = room();
    let (a, b) = (join(&mut room, "A"), join(&mut room, "B"));
    room.take_seat(a, None, 2).unwrap();
    room.take_seat(b, None, 2).unwrap();
    let ra = room
        .request(a, song("a"), Preset::default(), None, 3)
        .unwrap();
    let rb = room
        .request(b, song("b"), Preset::default(), None, 3)
        .unwrap();
    forbidden(room.remove(a, rb, 4));
    forbidden(room.pin(a, ra, 4));
    forbidden(room.reorder(b, rb, 0, 4));
    room.pin(OWNER, rb, 4).unwrap();
    assert_eq!(room.queue.waiting[0].id, rb);
    room.reorder(OWNER, rb, 1, 4).unwrap();
    assert_eq!(room.queue.waiting[1].id, rb);
    room.remove(a, ra, 5).unwrap();
    room.remove(OWNER, rb, 5).unwrap();
    assert!(room.queue.waiting.is_empty());
    assert!(matches!(
        room.remove(OWNER, 99, 5),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn the_singer_on_stage_and_the_owner_skip_and_steer_others_may_not() {
    let mut room = room();
    let (a, b, audience) = (
        join(&mut room, "A"),
        join(&mut room, "B"),
        join(&mut room, "C"),
    );
    room.take_seat(a, None, 2).unwrap();
    room.take_seat(b, None, 2).unwrap();
    assert!(matches!(
        room.control(OWNER, Control::Pause, 3),
        Err(Error::Refused { .. })
    ));
    room.request(a, song("a"), Preset::default(), None, 3)
        .unwrap();
    room.request(b, song("b"), Preset::default(), None, 3)
        .unwrap();
    room.start_next(4);
    assert_eq!(room.performance.as_ref().unwrap().request.song_id, "a");
    forbidden(room.control(b, Control::Pause, 5));
    forbidden(room.control(audience, Control::Resume, 5));
    forbidden(room.skip(b, 5));
    forbidden(room.skip(audience, 5));
    assert!(matches!(
        room.control(a, Control::Key { semitones: 13.0 }, 5),
        Err(Error::BadRequest(_))
    ));
    assert_eq!(
        room.control(a, Control::Key { semitones: 2.0 }, 5).unwrap(),
        Effect::Control(Control::Key { semitones: 2.0 })
    );
    assert_eq!(room.performance.as_ref().unwrap().request.preset.key, 2.0);
    room.control(
        OWNER,
        Control::Mode {
            mode: TrackMode::Guide,
        },
        5,
    )
    .unwrap();
    let Effect::Ended(_, result) = room.skip(a, 6).unwrap() else {
        panic!("the skip ended nothing");
    };
    assert_eq!(
        (result.song_id.as_str(), result.ending),
        ("a", Ending::Skipped)
    );
    assert_eq!(room.performance.as_ref().unwrap().request.song_id, "b");
    let b_request = room.performance.as_ref().unwrap().request.id;
    room.record_judgement(b_request, scored(91.5));
    let Effect::Ended(request, result) = room.finished(b, None, 7).unwrap() else {
        panic!("the end ended nothing");
    };
    // The score is the referee's, as it judged the request.
    assert_eq!(
        (request, result.ending, result.score),
        (b_request, Ending::Finished, Some(91.5))
    );
    assert!(room.performance.is_none());
}

#[test]
fn a_late_report_about_an_ended_request_ends_nothing() {
    let mut room = room();
    let a = join(&mut room, "A");
    room.take_seat(a, None, 2).unwrap();
    let first = room
        .request(a, song("a"), Preset::default(), None, 3)
        .unwrap();
    let second = room
        .request(a, song("b"), Preset::default(), None, 3)
        .unwrap();
    room.start_next(4);
    room.skip(a, 5).unwrap();
    assert!(matches!(
        room.finished(a, Some(first), 6),
        Err(Error::Refused { .. })
    ));
    assert!(matches!(
        room.heartbeat(a, Some(first), 6),
        Err(Error::Refused { .. })
    ));
    assert_eq!(room.performance.as_ref().unwrap().request.id, second);
    room.heartbeat(a, Some(second), 7).unwrap();
    // A late judgement of the first request does not score the second.
    room.record_judgement(first, scored(12.0));
    room.record_judgement(second, scored(88.0));
    let Effect::Ended(request, result) = room.finished(a, Some(second), 8).unwrap() else {
        panic!("the song on stage did not end");
    };
    assert_eq!(
        (request, result.song_id.as_str(), result.score),
        (second, "b", Some(88.0))
    );
}

#[test]
fn a_silent_singer_is_marked_abandoned_and_the_room_moves_on() {
    let mut room = room();
    let a = join(&mut room, "A");
    room.take_seat(a, None, 2).unwrap();
    room.request(a, song("a"), Preset::default(), None, 3)
        .unwrap();
    room.request(OWNER, song("b"), Preset::default(), None, 3)
        .unwrap();
    room.start_next(10);
    room.heartbeat(a, None, 5_000).unwrap();
    let on_stage = room.performance.as_ref().unwrap().request.id;
    room.record_judgement(on_stage, scored(50.0));
    assert!(room.check_heartbeat(10_000, 14_000).is_none());
    let Some(Effect::Ended(_, result)) = room.check_heartbeat(10_000, 15_001) else {
        panic!("the silent singer was not noticed");
    };
    assert_eq!(
        (result.ending, result.score),
        (Ending::Abandoned, Some(50.0))
    );
    assert_eq!(room.performance.as_ref().unwrap().request.song_id, "b");
}

#[test]
fn a_singer_whose_last_socket_closed_is_given_seconds_not_the_heartbeat_window() {
    let mut room = room();
    let a = join(&mut room, "A");
    room.take_seat(a, None, 2).unwrap();
    room.request(a, song("a"), Preset::default(), None, 3)
        .unwrap();
    room.request(OWNER, song("b"), Preset::default(), None, 3)
        .unwrap();
    room.start_next(10);
    // Two sockets (a page and a phone): closing one is not leaving.
    room.socket_opened(a);
    room.socket_opened(a);
    room.socket_closed(a, 1_000);
    assert!(room.check_singer_left(3_000, 10_000).is_none());
    // The last one closes, and the singer comes back within the grace: still singing.
    room.socket_closed(a, 2_000);
    room.socket_opened(a);
    assert!(room.check_singer_left(3_000, 10_000).is_none());
    // Gone for good: the song ends after the grace, abandoned, and the next one is on.
    room.socket_closed(a, 20_000);
    assert!(room.check_singer_left(3_000, 23_000).is_none());
    let Some(Effect::Ended(_, result)) = room.check_singer_left(3_000, 23_001) else {
        panic!("the singer who left was not noticed");
    };
    assert_eq!(result.ending, Ending::Abandoned);
    assert_eq!(room.performance.as_ref().unwrap().request.song_id, "b");
    // A listener leaving ends nothing (song b is the owner's).
    room.socket_opened(a);
    room.socket_closed(a, 30_000);
    assert!(room.check_singer_left(3_000, 40_000).is_none());
}

#[test]
fn a_restored_room_gives_its_singer_time_to_reconnect() {
    let mut room = room();
    let a = join(&mut room, "A");
    room.take_seat(a, None, 2).unwrap();
    room.request(a, song("a"), Preset::default(), None, 3)
        .unwrap();
    room.start_next(4);
    room.heartbeat(a, None, 5_000).unwrap();
    // The service was down from 6 s to 60 s: without the restore the singer is long silent.
    let mut unrestored = room.clone();
    assert!(unrestored.check_heartbeat(10_000, 60_000).is_some());
    room.restored(60_000);
    assert!(room.check_heartbeat(10_000, 69_000).is_none());
    assert!(room.check_heartbeat(10_000, 70_001).is_some());
}

#[test]
fn a_member_who_leaves_takes_their_seat_and_songs_along() {
    let mut room = room();
    let (a, b) = (join(&mut room, "A"), join(&mut room, "B"));
    room.take_seat(a, None, 2).unwrap();
    room.request(a, song("a1"), Preset::default(), None, 3)
        .unwrap();
    room.request(a, song("a2"), Preset::default(), None, 3)
        .unwrap();
    room.start_next(4);
    forbidden(room.leave(b, a, 5));
    let Effect::Ended(_, result) = room.leave(a, a, 5).unwrap() else {
        panic!("leaving mid-song ended nothing");
    };
    assert_eq!(result.ending, Ending::Abandoned);
    assert!(room.queue.waiting.is_empty() && room.performance.is_none());
    assert!(room.seats.iter().all(|s| s.member.is_none()));
    assert!(matches!(
        room.leave(OWNER, OWNER, 6),
        Err(Error::Refused { .. })
    ));
    room.leave(OWNER, b, 6).unwrap();
    assert_eq!(room.members.len(), 1);
}

#[test]
fn every_change_bumps_the_version_and_the_room_expires_when_idle() {
    let mut room = room();
    let v = room.version;
    let a = join(&mut room, "A");
    room.take_seat(a, None, 2).unwrap();
    assert_eq!(room.version, v + 2);
    assert!(!room.expired(2 + 4 * 3600 * 1000));
    assert!(room.expired(3 + 4 * 3600 * 1000));
}

#[test]
fn the_service_ends_a_song_whose_music_has_ended() {
    let mut room = room();
    let a = join(&mut room, "A");
    room.take_seat(a, None, 2).unwrap();
    room.request(a, song("a"), Preset::default(), None, 3)
        .unwrap();
    room.request(a, song("b"), Preset::default(), None, 3)
        .unwrap();
    room.start_next(4);
    let second = |s: i64| sync::HostTime::from_micros(s * 1_000_000);
    // No timeline heard: nothing to go by.
    assert!(room.check_music_end(second(500), 5).is_none());
    // The singer plays the 120 s song from 0 at room time 10 s.
    let playing = sync::Transport {
        leader: 1,
        seq: 1,
        song: 1,
        position: sync::MediaTime::ZERO,
        at: second(10),
        rate: 1.0,
        playing: true,
    };
    room.heard_timeline(playing);
    assert!(
        room.check_music_end(second(131), 6).is_none(),
        "within the grace"
    );
    // Paused at 60 s: the song waits, however long.
    room.heard_timeline(sync::Transport {
        seq: 2,
        position: sync::MediaTime::from_micros(60_000_000),
        at: second(70),
        playing: false,
        ..playing
    });
    assert!(room.check_music_end(second(1_000), 7).is_none(), "paused");
    room.heard_timeline(playing);
    let Some(Effect::Ended(_, result)) = room.check_music_end(second(134), 8) else {
        panic!("the song's music ended and the song did not");
    };
    assert_eq!(
        (result.song_id.as_str(), result.ending),
        ("a", Ending::Finished)
    );
    // The next song's timeline is not the last one's.
    assert_eq!(room.performance.as_ref().unwrap().request.song_id, "b");
    assert!(room.check_music_end(second(10_000), 9).is_none());
}
