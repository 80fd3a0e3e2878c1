//! The binary decoder: any bytes give a message, a skip or an error, never a panic; what
//! decodes encodes, and that decodes and encodes to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(message)) = sync::wire::decode(data) {
        let bytes = sync::wire::encode(&message).expect("a decoded message encodes");
        let again = sync::wire::decode(&bytes).expect("and decodes").expect("known");
        assert_eq!(sync::wire::encode(&again).expect("and encodes"), bytes);
    }
});
