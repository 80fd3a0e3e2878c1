//! The JSON decoder: any text gives a message, a skip or an error, never a panic; what
//! decodes encodes back to JSON that decodes to the same message.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(Some(message)) = sync::wire::from_json(text) {
        let again = sync::wire::to_json(&message).expect("a decoded message encodes");
        assert_eq!(sync::wire::from_json(&again).expect("and decodes"), Some(message));
    }
});
