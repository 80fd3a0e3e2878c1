//! Encoder delay and padding of AAC in MP4/M4A, which symphonia does not trim.
//!
//! AAC encoders prime the decoder with silence (1024 frames from FFmpeg, 2112 from Apple's
//! encoder) and pad the last packet. MP4 says which frames are real in the track's edit list
//! (`moov/trak/edts/elst`: skip `media_time` frames, keep `segment_duration` in the movie's
//! timescale); iTunes writes the same facts in an `iTunSMPB` tag. This module reads the first
//! from the file's boxes; the decoder reads the second from symphonia's metadata.
//! Bounds are checked everywhere: a hostile file gives no edit, never a panic.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// The frames of a track that are real: skip `skip` at the start, keep `keep` (if known).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Edit {
    /// Frames of priming to drop at the start.
    pub skip: u64,
    /// Frames to keep after that, if the container says.
    pub keep: Option<u64>,
}

/// The largest `moov` box read (real ones are a few hundred KB at most).
const MAX_MOOV: u64 = 64 << 20;

/// The edit of the track with MP4 track id `track_id` (symphonia's track id for isomp4),
/// or `None` if the file has none or is not MP4.
pub(crate) fn edit_list(path: &Path, track_id: u32) -> Option<Edit> {
    let moov = read_moov(path)?;
    let mut movie_timescale = 0;
    for (kind, body) in boxes(&moov) {
        if kind == *b"mvhd" {
            movie_timescale = timescale(body)?;
        }
    }
    for (kind, trak) in boxes(&moov) {
        if kind != *b"trak" {
            continue;
        }
        let mut id = None;
        let mut media_timescale = None;
        let mut entry = None;
        for (kind, body) in boxes(trak) {
            match &kind {
                b"tkhd" => id = track_header_id(body),
                b"edts" => {
                    entry = boxes(body)
                        .find(|(k, _)| k == b"elst")
                        .and_then(|(_, b)| first_edit(b))
                }
                b"mdia" => {
                    media_timescale = boxes(body)
                        .find(|(k, _)| k == b"mdhd")
                        .and_then(|(_, b)| timescale(b));
                }
                _ => {}
            }
        }
        if id != Some(track_id) {
            continue;
        }
        let (segment, media_time) = entry?;
        let keep = match (media_timescale, movie_timescale) {
            (Some(media), movie) if movie > 0 && segment > 0 => {
                Some((u128::from(segment) * u128::from(media) / u128::from(movie)) as u64)
            }
            _ => None,
        };
        return Some(Edit {
            skip: media_time,
            keep,
        });
    }
    None
}

/// Parses an `iTunSMPB` value: ` 00000000 DELAY PADDING TOTAL …` in hex.
pub(crate) fn itunsmpb(value: &str) -> Option<Edit> {
    let mut fields = value.split_whitespace();
    fields.next()?;
    let skip = u64::from_str_radix(fields.next()?, 16).ok()?;
    let _padding = u64::from_str_radix(fields.next()?, 16).ok()?;
    let total = u64::from_str_radix(fields.next()?, 16).ok()?;
    Some(Edit {
        skip,
        keep: (total > 0).then_some(total),
    })
}

/// The body of the top-level `moov` box, found by walking box headers from the start.
fn read_moov(path: &Path) -> Option<Vec<u8>> {
    let mut file = std::fs::File::open(path).ok()?;
    let length = file.metadata().ok()?.len();
    let mut at = 0u64;
    while at + 8 <= length {
        file.seek(SeekFrom::Start(at)).ok()?;
        let mut header = [0u8; 16];
        file.read_exact(&mut header[..8]).ok()?;
        let mut size = u64::from(u32::from_be_bytes(header[..4].try_into().ok()?));
        let kind: [u8; 4] = header[4..8].try_into().ok()?;
        let mut header_len = 8;
        if size == 1 {
            file.read_exact(&mut header[8..16]).ok()?;
            size = u64::from_be_bytes(header[8..16].try_into().ok()?);
            header_len = 16;
        } else if size == 0 {
            size = length - at;
        }
        if size < header_len || at + size > length {
            return None;
        }
        if &kind == b"moov" {
            let body = size - header_len;
            if body > MAX_MOOV {
                return None;
            }
            let mut data = vec![0; body as usize];
            file.read_exact(&mut data).ok()?;
            return Some(data);
        }
        at += size;
    }
    None
}

/// The child boxes of a box body: (type, body).
fn boxes(mut data: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    std::iter::from_fn(move || {
        let size = u32_at(data, 0)? as usize;
        let kind: [u8; 4] = data.get(4..8)?.try_into().ok()?;
        let (size, header) = match size {
            1 => (usize::try_from(u64_at(data, 8)?).ok()?, 16),
            0 => (data.len(), 8),
            n => (n, 8),
        };
        let body = data.get(header..size)?;
        data = data.get(size..)?;
        Some((kind, body))
    })
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(data: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(data.get(at..at + 8)?.try_into().ok()?))
}

/// The timescale of an `mvhd` or `mdhd` body (version 0 or 1).
fn timescale(body: &[u8]) -> Option<u32> {
    match body.first()? {
        1 => u32_at(body, 20),
        _ => u32_at(body, 12),
    }
}

/// The track id of a `tkhd` body.
fn track_header_id(body: &[u8]) -> Option<u32> {
    match body.first()? {
        1 => u32_at(body, 20),
        _ => u32_at(body, 12),
    }
}

/// The first edit that plays media: (segment duration, media time).
fn first_edit(body: &[u8]) -> Option<(u64, u64)> {
    let version = *body.first()?;
    let count = u32_at(body, 4)?;
    let entry_len = if version == 1 { 20 } else { 12 };
    for i in 0..count.min(1024) as usize {
        let at = 8 + i * entry_len;
        let (duration, media_time) = if version == 1 {
            (u64_at(body, at)?, u64_at(body, at + 8)? as i64)
        } else {
            (
                u64::from(u32_at(body, at)?),
                i64::from(u32_at(body, at + 4)? as i32),
            )
        };
        // An empty edit (media time -1) delays the track; the first real one says what plays.
        if media_time >= 0 {
            return Some((duration, media_time as u64));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_itunsmpb() {
        let edit = itunsmpb(" 00000000 00000840 000001CA 00000000000F31F6 00000000").unwrap();
        assert_eq!(
            edit,
            Edit {
                skip: 0x840,
                keep: Some(0xF31F6)
            }
        );
        assert_eq!(itunsmpb("nonsense"), None);
    }

    #[test]
    fn hostile_boxes_do_not_panic() {
        for data in [
            &b""[..],
            b"\0\0\0\x01moov",
            b"\xff\xff\xff\xffmoov1234",
            b"\0\0\0\x10elst\x01\0\0\0\xff\xff\xff\xff",
        ] {
            let _ = boxes(data).count();
            let _ = first_edit(data);
            let _ = timescale(data);
        }
    }
}
