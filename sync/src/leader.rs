//! The singer's side: steers its own player on the user's commands (start, pause, resume,
//! seek, stop), follows what the player actually does, and tells the room, in the room's
//! clock: periodic beats, and each change at once (sent again shortly after, for loss).
//! Starts and resumes are scheduled a little ahead so that every follower that hears of them
//! in time starts at the same instant as the singer.
//!
//! Run loop as for [`crate::Follower`]: after any call, drain [`Leader::poll_output`] until
//! it returns [`Output::Timeout`].

use std::collections::VecDeque;

use crate::ping::{PingConfig, Pinger};
use crate::proto::{Message, SongStart, TrackMode, Transport};
use crate::rate_limit::RateLimit;
use crate::steer::{Output, PlayerReport, Steer};
use crate::time::{HostTime, MediaTime, TimeDelta};

/// How a leader reports (serde: the web page's port of the leader runs with these numbers).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LeaderConfig {
    /// Between beats.
    pub beat_interval: TimeDelta,
    /// Starts, resumes and seeks are scheduled this far ahead.
    pub start_lead: TimeDelta,
    /// A change is sent again after these (a lost one is not waited for until a beat).
    pub resend: [TimeDelta; 2],
    /// The song start is repeated this often, for joiners and losses.
    pub song_start_every: TimeDelta,
    /// A player report this far from the plan means the player jumped on its own.
    pub jump: TimeDelta,
    /// Messages per second at most, and at once.
    pub rate_limit: (f64, u32),
    /// Clock sync.
    pub pings: PingConfig,
}

impl Default for LeaderConfig {
    fn default() -> Self {
        LeaderConfig {
            beat_interval: TimeDelta::from_millis(100),
            start_lead: TimeDelta::from_millis(300),
            resend: [TimeDelta::from_millis(30), TimeDelta::from_millis(100)],
            song_start_every: TimeDelta::from_millis(2_000),
            jump: TimeDelta::from_millis(20),
            rate_limit: (30.0, 10),
            // One singer per room: it keeps pinging often, as every listener inherits its
            // clock error.
            pings: PingConfig {
                settle: u32::MAX,
                ..PingConfig::default()
            },
        }
    }
}

/// A song to start: what followers need to load it.
#[derive(Debug, Clone, PartialEq)]
pub struct SongInfo {
    /// The library's id.
    pub song_id: String,
    /// Where followers fetch the media.
    pub media: String,
    /// The track played.
    pub track_mode: TrackMode,
    /// Key shift, semitones.
    pub key: f32,
    /// Tempo (1 = as recorded).
    pub tempo: f32,
}

/// The leader's own timeline on the local clock: `position` heard at `at`.
#[derive(Debug, Clone, Copy)]
struct Anchor {
    position: MediaTime,
    at: HostTime,
    rate: f64,
    playing: bool,
}

impl Anchor {
    fn position_at(&self, t: HostTime) -> MediaTime {
        if self.playing || t < self.at {
            self.position + (t - self.at).scaled(self.rate)
        } else {
            self.position
        }
    }
}

/// The kind of the last change, sent again after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Start,
    Pause,
    Resume,
    Seek,
    Stop,
}

/// The singer's sync state machine.
#[derive(Debug)]
pub struct Leader {
    config: LeaderConfig,
    session: u32,
    seq: u64,
    song: u64,
    info: Option<SongInfo>,
    anchor: Option<Anchor>,
    pinger: Pinger,
    limit: RateLimit,
    next_beat: HostTime,
    next_song_start: HostTime,
    /// The change to send (now or as soon as the clock and the rate limit allow), and the
    /// resends still owed with their instants.
    change: Option<Change>,
    resends: [Option<HostTime>; 2],
    /// The pending change is new (not a resend): its resends are owed once it goes out.
    fresh: bool,
    last_change: Option<Change>,
    last_now: HostTime,
    outputs: VecDeque<Output>,
}

impl Leader {
    /// A leader with session id `session` (pick a random one per process, so followers
    /// tell a restarted leader from an old one).
    pub fn new(config: LeaderConfig, session: u32, now: HostTime) -> Self {
        Leader {
            config,
            session,
            seq: 0,
            song: 0,
            info: None,
            anchor: None,
            pinger: Pinger::new(config.pings, now),
            limit: RateLimit::new(config.rate_limit.0, config.rate_limit.1, now),
            next_beat: now,
            next_song_start: now,
            change: None,
            resends: [None; 2],
            fresh: false,
            last_change: None,
            last_now: now,
            outputs: VecDeque::with_capacity(8),
        }
    }

    /// The clock sync (for reports).
    pub fn pinger(&self) -> &Pinger {
        &self.pinger
    }

    /// The number of the song started last (the `song` of its messages), 0 before any.
    pub fn song(&self) -> u64 {
        self.song
    }

    /// The song position heard at local instant `t`, if a song is on.
    pub fn position_at(&self, t: HostTime) -> Option<MediaTime> {
        self.anchor.map(|a| a.position_at(t))
    }

    fn advance(&mut self, now: HostTime) {
        // A clock that stepped back is taken as it is (nothing here divides by elapsed time).
        self.last_now = now;
    }

    fn changed(&mut self, now: HostTime, change: Change) {
        self.change = Some(change);
        self.last_change = Some(change);
        self.resends = [None; 2];
        self.fresh = true;
        self.flush(now);
    }

    /// Starts `song` at `from`, heard `start_lead` from now.
    pub fn start(&mut self, now: HostTime, song: SongInfo, from: MediaTime) {
        self.advance(now);
        self.song += 1;
        let at = now + self.config.start_lead;
        self.anchor = Some(Anchor {
            position: from,
            at,
            rate: f64::from(song.tempo),
            playing: true,
        });
        self.outputs.push_back(Output::Steer(Steer::Load(
            self.song_start(&song, HostTime::ZERO),
        )));
        self.outputs
            .push_back(Output::Steer(Steer::PlayAt { position: from, at }));
        self.info = Some(song);
        self.changed(now, Change::Start);
    }

    /// Pauses `start_lead` from now (everyone stops at the same instant).
    pub fn pause(&mut self, now: HostTime) {
        self.advance(now);
        let Some(anchor) = self.anchor.filter(|a| a.playing) else {
            return;
        };
        let at = now.max(anchor.at) + self.config.start_lead;
        let position = anchor.position_at(at);
        self.anchor = Some(Anchor {
            position,
            at,
            playing: false,
            ..anchor
        });
        self.outputs
            .push_back(Output::Steer(Steer::Pause { position, at }));
        self.changed(now, Change::Pause);
    }

    /// Resumes, heard `start_lead` from now.
    pub fn resume(&mut self, now: HostTime) {
        self.advance(now);
        let Some(anchor) = self.anchor.filter(|a| !a.playing) else {
            return;
        };
        let at = now.max(anchor.at) + self.config.start_lead;
        self.anchor = Some(Anchor {
            at,
            playing: true,
            ..anchor
        });
        self.outputs.push_back(Output::Steer(Steer::PlayAt {
            position: anchor.position,
            at,
        }));
        self.changed(now, Change::Resume);
    }

    /// Jumps to `to` (heard `start_lead` from now if playing).
    pub fn seek(&mut self, now: HostTime, to: MediaTime) {
        self.advance(now);
        let Some(anchor) = self.anchor else {
            return;
        };
        if anchor.playing {
            let at = now + self.config.start_lead;
            self.anchor = Some(Anchor {
                position: to,
                at,
                ..anchor
            });
            self.outputs
                .push_back(Output::Steer(Steer::PlayAt { position: to, at }));
        } else {
            // Paused, nothing is heard: the held position moves at once.
            let at = now.max(anchor.at);
            self.anchor = Some(Anchor {
                position: to,
                at,
                ..anchor
            });
            self.outputs
                .push_back(Output::Steer(Steer::Pause { position: to, at }));
        }
        self.changed(now, Change::Seek);
    }

    /// Ends the song.
    pub fn stop(&mut self, now: HostTime) {
        self.advance(now);
        if self.anchor.is_none() {
            return;
        }
        self.outputs.push_back(Output::Steer(Steer::Stop));
        self.changed(now, Change::Stop);
    }

    /// Takes what the local player reports, keeping the timeline true to what is heard.
    pub fn handle_player(&mut self, now: HostTime, report: PlayerReport) {
        self.advance(now);
        let Some(anchor) = self.anchor else {
            return;
        };
        if !anchor.playing || !report.playing || report.at < anchor.at {
            return;
        }
        let planned = anchor.position_at(report.at);
        let residual = report.position - planned;
        if residual.abs() > self.config.jump {
            // The player went somewhere else (an underrun, a stall): it is the truth.
            self.anchor = Some(Anchor {
                position: report.position,
                at: report.at,
                ..anchor
            });
            self.changed(now, Change::Seek);
        } else {
            // Follow the player's clock (its sample rate against ours) smoothly.
            self.anchor = Some(Anchor {
                position: planned + residual.scaled(0.05),
                at: report.at,
                ..anchor
            });
        }
    }

    /// Takes a message from the room (clock answers).
    pub fn handle_message(&mut self, now: HostTime, message: &Message) {
        self.advance(now);
        if let Message::Pong(pong) = message {
            let had_clock = self.pinger.estimate().is_some();
            self.pinger.handle_pong(now, pong);
            if !had_clock && self.pinger.estimate().is_some() {
                self.flush(now);
            }
        }
    }

    /// Runs what is due at `now`: pings, beats, resends.
    pub fn handle_timeout(&mut self, now: HostTime) {
        self.advance(now);
        if now >= self.pinger.deadline()
            && self.limit.try_take(now)
            && let Some(ping) = self.pinger.poll_ping(now)
        {
            self.outputs.push_back(Output::Send(Message::Ping(ping)));
        }
        for i in 0..self.resends.len() {
            if self.resends[i].is_some_and(|t| now >= t) && self.change.is_none() {
                self.resends[i] = None;
                self.change = self.last_change;
            }
        }
        self.flush(now);
        if self.anchor.is_some() && now >= self.next_song_start && self.change.is_none() {
            self.change = Some(Change::Start);
            self.flush(now);
        }
        if now >= self.next_beat && self.change.is_none() {
            if let Some(transport) = self.transport(now) {
                if self.limit.try_take(now) {
                    self.outputs
                        .push_back(Output::Send(Message::Beat(transport)));
                    self.next_beat = now + self.config.beat_interval;
                }
            } else {
                self.next_beat = now + self.config.beat_interval;
            }
        }
    }

    /// Sends the pending change if the clock and the rate limit allow.
    fn flush(&mut self, now: HostTime) {
        let Some(change) = self.change else {
            return;
        };
        if change != Change::Stop && self.transport(now).is_none() || !self.limit.try_take(now) {
            return;
        }
        self.change = None;
        let message = match change {
            Change::Stop => {
                let transport = self.transport(now).unwrap_or(Transport {
                    leader: self.session,
                    seq: 0,
                    song: self.song,
                    position: MediaTime::ZERO,
                    at: HostTime::ZERO,
                    rate: 1.0,
                    playing: false,
                });
                self.anchor = None;
                self.info = None;
                Message::Stop(Transport {
                    seq: self.next_seq(),
                    ..transport
                })
            }
            Change::Start => {
                let Some(info) = self.info.clone() else {
                    return;
                };
                let Some(transport) = self.transport(now) else {
                    return;
                };
                self.next_song_start = now + self.config.song_start_every;
                Message::SongStart(SongStart {
                    transport,
                    ..self.song_start(&info, HostTime::ZERO)
                })
            }
            Change::Pause | Change::Resume | Change::Seek => {
                let Some(transport) = self.transport(now) else {
                    return;
                };
                match change {
                    Change::Pause => Message::Pause(transport),
                    Change::Resume => Message::Resume(transport),
                    _ => Message::Seek(transport),
                }
            }
        };
        // A change is sent again twice after it first goes out; its resends and the
        // periodic song start are not (else they would repeat forever, crowding out beats).
        if self.fresh {
            self.fresh = false;
            self.resends = [
                Some(now + self.config.resend[0]),
                Some(now + self.config.resend[1]),
            ];
        }
        self.outputs.push_back(Output::Send(message));
        self.next_beat = now + self.config.beat_interval;
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn song_start(&self, info: &SongInfo, at: HostTime) -> SongStart {
        SongStart {
            transport: Transport {
                leader: self.session,
                seq: 0,
                song: self.song,
                position: MediaTime::ZERO,
                at,
                rate: f64::from(info.tempo),
                playing: true,
            },
            song_id: info.song_id.clone(),
            media: info.media.clone(),
            track_mode: info.track_mode,
            key: info.key,
            tempo: info.tempo,
        }
    }

    /// The timeline now, in the room's clock (with a fresh sequence number), once the clock
    /// is known. A scheduled start keeps its instant (followers start with the singer).
    fn transport(&mut self, now: HostTime) -> Option<Transport> {
        let anchor = self.anchor?;
        let clock = self.pinger.estimate()?;
        let local = if anchor.at > now { anchor.at } else { now };
        let seq = self.next_seq();
        Some(Transport {
            leader: self.session,
            seq,
            song: self.song,
            position: anchor.position_at(local),
            at: clock.to_room(local),
            // Song time per room second: the room's clock runs (1 + drift) times ours.
            rate: anchor.rate / (1.0 + clock.drift),
            playing: anchor.playing,
        })
    }

    /// The next output; [`Output::Timeout`] when there is nothing more for now.
    pub fn poll_output(&mut self) -> Output {
        if let Some(output) = self.outputs.pop_front() {
            return output;
        }
        let now = self.last_now;
        let mut deadline = self.pinger.deadline();
        // Beats, song starts, changes and resends need the clock; until it is known only
        // pings are due (the pong that makes it known flushes what waits).
        if self.anchor.is_some() && self.pinger.estimate().is_some() {
            deadline = deadline.min(self.next_beat).min(self.next_song_start);
            for resend in self.resends.iter().flatten() {
                deadline = deadline.min(*resend);
            }
            if self.change.is_some() {
                deadline = now;
            }
        }
        // Everything due sends something: not before there is a token for it.
        Output::Timeout(deadline.max(self.limit.next_token(now)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::Pong;

    /// A leader that knows the room's clock (the same as its own).
    fn synced() -> (Leader, HostTime) {
        let mut now = HostTime::from_millis(1_000);
        let mut leader = Leader::new(LeaderConfig::default(), 1, now);
        while leader.pinger().estimate().is_none() {
            leader.handle_timeout(now);
            loop {
                match leader.poll_output() {
                    Output::Send(Message::Ping(ping)) => {
                        let at = now + TimeDelta::from_millis(10);
                        let pong = Pong {
                            id: ping.id,
                            ping_sent: ping.sent,
                            received: at,
                            sent: at,
                        };
                        let back = now + TimeDelta::from_millis(20);
                        leader.handle_message(back, &Message::Pong(pong));
                    }
                    Output::Timeout(_) => break,
                    _ => {}
                }
            }
            now += TimeDelta::from_millis(50);
        }
        (leader, now)
    }

    #[test]
    fn a_change_is_sent_three_times_then_beats_follow() {
        let (mut leader, mut now) = synced();
        let song = SongInfo {
            song_id: "s".into(),
            media: "m".into(),
            track_mode: TrackMode::Accompaniment,
            key: 0.0,
            tempo: 1.0,
        };
        leader.start(now, song, MediaTime::ZERO);
        let mut sent = Vec::new();
        let end = now + TimeDelta::from_millis(1_500);
        while now < end {
            leader.handle_timeout(now);
            loop {
                match leader.poll_output() {
                    Output::Send(m) if !matches!(m, Message::Ping(_)) => sent.push(m.name()),
                    Output::Timeout(_) => break,
                    _ => {}
                }
            }
            now += TimeDelta::from_millis(5);
        }
        let starts = sent.iter().filter(|n| **n == "song_start").count();
        let beats = sent.iter().filter(|n| **n == "beat").count();
        assert_eq!(starts, 3, "{sent:?}");
        assert!(
            (10..=15).contains(&beats),
            "{beats} beats in 1.5 s: {sent:?}"
        );
    }
}
