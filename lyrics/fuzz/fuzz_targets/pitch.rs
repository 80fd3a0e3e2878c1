//! Any text through the pitch-file reader.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    lyrics::fuzz::check_pitch(text);
});
