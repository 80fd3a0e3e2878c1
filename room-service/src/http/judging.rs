//! The service's referees at work in the rooms: the singer's voice frames handed to their
//! song's referee as they arrive, its judgements relayed to the room (live pitch, notes,
//! lines) and kept as the song's running score, and its final score put in the result that
//! is stored when the song ends, however it ends.

use std::sync::Arc;

use room_protocol::{MemberId, PerformanceResult, RequestId, Singer};
use scoring::{LiveEvent, Progress};
use tokio::sync::broadcast;

use crate::Result;
use crate::http::AppState;
use crate::http::ws::{Payload, Relayed};
use crate::referee::{Outcome, Referee, Song};
use crate::store::Store;

/// A voice frame from `member`: to their song's referee if they are the singer on stage.
/// Returns whether they are (the frame is then relayed too).
pub(super) fn hear_voice(state: &AppState, room_id: &str, member: MemberId, bytes: &[u8]) -> bool {
    let on_stage = state.rooms.get(room_id).and_then(|live| {
        live.read(|room| {
            room.performance
                .as_ref()
                .filter(|p| p.request.singer == Singer::Member(member))
                .map(|p| {
                    (
                        p.request.id,
                        p.request.song_id.clone(),
                        p.request.preset.key,
                    )
                })
        })
    });
    let Ok(Some((request, song_id, key))) = on_stage else {
        return false;
    };
    let start = || {
        let folder = super::songs::song(state, &song_id)?.folder.clone();
        let resume = state
            .rooms
            .get(room_id)?
            .read(|room| room.judged_so_far(request))?;
        let outcome = RoomOutcome {
            relay: state.relay(room_id)?,
            state: state.clone(),
            runtime: tokio::runtime::Handle::current(),
            room_id: room_id.to_owned(),
            request,
        };
        Referee::start(
            Song {
                request,
                folder,
                resume,
            },
            outcome,
        )
    };
    if let Err(e) = state.referees.hear(room_id, request, key, bytes, start) {
        tracing::warn!(room = %room_id, request, "cannot judge the song: {e}");
    }
    true
}

/// Where a referee's judgements go: relayed to the whole room (the singer's page shows its
/// own trace from them), and its progress into the room (the running
/// score) and the store, so a restarted service takes the judgement over.
struct RoomOutcome {
    state: AppState,
    relay: broadcast::Sender<Arc<Relayed>>,
    /// The service's runtime, for storing the room from the referee's thread.
    runtime: tokio::runtime::Handle,
    room_id: String,
    request: RequestId,
}

impl Outcome for RoomOutcome {
    fn event(&mut self, event: LiveEvent) {
        if let Ok(text) = serde_json::to_string(&event) {
            let payload = Payload::Score(text.into());
            // To everyone, the singer too: their page draws its trace from the service's
            // judgement.
            let _ = self.relay.send(Arc::new(Relayed {
                from: None,
                payload,
            }));
        }
    }

    fn progress(&mut self, progress: Progress) {
        let Ok(live) = self.state.rooms.get(&self.room_id) else {
            return;
        };
        let _ = live.write(|room| room.record_judgement(self.request, progress));
        let (store, room_id, request) = (
            Arc::clone(&self.state.store),
            self.room_id.clone(),
            self.request,
        );
        self.runtime.spawn(async move {
            if let Err(e) = store.save_judgement(&room_id, request, &progress).await {
                tracing::error!("{e}");
            }
        });
    }
}

/// Stores the result of `request` with the score its referee gives, once it has judged
/// what it was sent (the running score stands if the referee cannot finish).
pub(super) async fn store_result(
    state: &AppState,
    room_id: &str,
    request: RequestId,
    mut result: PerformanceResult,
) -> Result<()> {
    if let Some(referee) = state.referees.take(room_id, request) {
        let judged = tokio::task::spawn_blocking(move || referee.finish())
            .await
            .ok()
            .flatten();
        if let Some(judged) = judged {
            result.score = Some(judged.score);
        }
    }
    state.store.add_result(room_id, &result).await
}

/// The song on stage starts over (重唱): judged afresh from its first frame.
pub(super) fn start_over(state: &AppState, room_id: &str) {
    state.referees.forget(room_id);
}
