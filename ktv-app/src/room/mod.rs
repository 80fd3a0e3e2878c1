//! Rooms: who is in them and in what role, the mic seats, and the song queue.

pub mod queue;
