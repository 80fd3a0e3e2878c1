//! The audio thread's side of the command ring: each command applied between blocks, and
//! whatever it replaces (a song, effects, a microphone, a tap) handed back to the control
//! side to be dropped there, never freed here.

use super::{Processor, Transport};
use crate::bus::MAX_MICS;
use crate::command::{Command, Garbage};
use crate::event::Event;
use crate::tap::MAX_TAPS;

impl Processor {
    pub(super) fn handle_commands(&mut self) {
        while let Ok(command) = self.commands.peek() {
            let frees = matches!(
                command,
                Command::Load(_) | Command::Stop | Command::SetEffects(_) | Command::AddMic { .. }
            );
            if frees && self.trash.slots() < 2 {
                // What this command replaces could not be handed back for dropping: wait for
                // the control side to drain the trash rather than free it here.
                return;
            }
            let Ok(command) = self.commands.pop() else {
                return;
            };
            self.apply(command);
        }
    }

    fn apply(&mut self, command: Command) {
        let has_song = self.music.has_song();
        match command {
            Command::Load(song) => {
                if let Some(old) = self.music.load(song) {
                    self.throw_away(Garbage::Song(old));
                }
                self.transport = Transport::Paused;
                self.mixer.settle_track_mode();
                self.epoch = self.epoch.wrapping_add(1);
                self.push_event(Event::Loaded);
            }
            Command::Stop => {
                if let Some(old) = self.music.unload() {
                    self.throw_away(Garbage::Song(old));
                }
                self.transport = Transport::Idle;
                self.epoch = self.epoch.wrapping_add(1);
                self.push_event(Event::Stopped);
            }
            Command::Play if has_song => {
                if self.transport != Transport::Playing {
                    self.transport = Transport::Playing;
                    self.push_event(Event::Started {
                        frame: self.music.position().max(0.0) as u64,
                    });
                }
            }
            Command::PlayAt(at) if has_song => self.transport = Transport::StartAt(at),
            Command::Pause if has_song => {
                self.transport = Transport::Paused;
                self.push_event(Event::Paused {
                    frame: self.music.position().max(0.0) as u64,
                });
            }
            Command::Seek { frame } if has_song => {
                self.music.seek_to(frame);
                self.epoch = self.epoch.wrapping_add(1);
                self.push_event(Event::Seeked { frame });
            }
            Command::SeekAt { frame, at } if has_song => {
                self.music.seek_to(frame);
                self.epoch = self.epoch.wrapping_add(1);
                self.transport = Transport::StartAt(at);
                self.push_event(Event::Seeked { frame });
            }
            // Transport commands without a song do nothing.
            Command::Play
            | Command::PlayAt(_)
            | Command::Pause
            | Command::Seek { .. }
            | Command::SeekAt { .. } => {}
            Command::SetTrackMode(mode) => {
                self.mixer.set_track_mode(mode);
                self.push_event(Event::TrackModeChanged(mode));
            }
            Command::SetRate(rate) => self.music.set_rate(rate),
            Command::SetKey(semitones) => self.music.set_key(semitones),
            Command::SetTempo(tempo) => self.music.set_tempo(tempo),
            Command::SetLevel(level, gain) => {
                self.mixer.set_level(level, gain);
            }
            Command::SetMute(level, muted) => {
                self.mixer.set_mute(level, muted);
            }
            Command::SetEffects(chain) => {
                if let Some(old) = self.mixer.set_effects(chain) {
                    self.throw_away(Garbage::Effects(old));
                }
            }
            Command::AddMic { slot, stream } => {
                if let Some(slot) = self.mics.get_mut(slot)
                    && let Some(old) = slot.replace(stream)
                {
                    self.throw_away(Garbage::Mic(old));
                }
            }
            Command::AddRemoteVoice(voice) => {
                if let Some(old) = self.remote.replace(voice) {
                    self.throw_away(Garbage::Remote(old));
                }
            }
            Command::AddTap(writer) => match self.taps.iter_mut().find(|t| t.is_none()) {
                Some(free) => *free = Some(writer),
                // The handle counts taps, so this cannot happen; if it does, the reader sees
                // a tap that never delivers.
                None => self.throw_away(Garbage::Tap(writer)),
            },
        }
    }

    /// Hands unplugged microphones, closed taps and faded effects back to be dropped.
    pub(super) fn collect_garbage(&mut self) {
        for i in 0..MAX_MICS {
            if self.trash.slots() == 0 {
                return;
            }
            if self.mics[i].as_ref().is_some_and(|m| m.is_unplugged())
                && let Some(mic) = self.mics[i].take()
            {
                self.throw_away(Garbage::Mic(mic));
            }
        }
        for i in 0..MAX_TAPS {
            if self.trash.slots() == 0 {
                return;
            }
            if self.taps[i].as_ref().is_some_and(|t| t.is_closed())
                && let Some(tap) = self.taps[i].take()
            {
                self.throw_away(Garbage::Tap(tap));
            }
        }
        if self.trash.slots() > 0
            && self.remote.as_ref().is_some_and(|r| r.is_unplugged())
            && let Some(remote) = self.remote.take()
        {
            self.throw_away(Garbage::Remote(remote));
        }
        if self.trash.slots() > 0
            && let Some(chain) = self.mixer.take_faded()
        {
            self.throw_away(Garbage::Effects(chain));
        }
    }

    pub(super) fn throw_away(&mut self, garbage: Garbage) {
        // Callers checked there is room; if not, leaking beats freeing here.
        if let Err(rtrb::PushError::Full(garbage)) = self.trash.push(garbage) {
            std::mem::forget(garbage);
        }
    }
}
