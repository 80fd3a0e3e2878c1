//! Any text through the KtvXml reader, then through every writer and back.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    lyrics::fuzz::check_text(text, lyrics::Format::KtvXml);
});
