//! Any bytes through encoding and format detection, then the detected reader.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    lyrics::fuzz::check_bytes(bytes);
});
