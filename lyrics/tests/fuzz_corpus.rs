//! Replays every committed fuzz input (seeds and past findings in `fuzz/corpus/<target>/`)
//! through the same checks the fuzz targets run, so stable CI catches a regression without a
//! fuzzer.

use std::path::Path;

use lyrics::Format;

fn replay(target: &str, check: impl Fn(&[u8])) {
    // At run time (cargo sets it): a shared target folder may hold a test built elsewhere.
    let manifest =
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or(env!("CARGO_MANIFEST_DIR").into());
    let dir = Path::new(&manifest).join("fuzz/corpus").join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&bytes)));
        assert!(outcome.is_ok(), "{} panics", path.display());
        count += 1;
    }
    assert!(count > 0, "no inputs in {}", dir.display());
}

fn as_text(format: Format) -> impl Fn(&[u8]) {
    move |bytes| {
        // libFuzzer's `&str` targets skip inputs that are not UTF-8.
        if let Ok(text) = std::str::from_utf8(bytes) {
            lyrics::fuzz::check_text(text, format);
        }
    }
}

#[test]
fn lrc_corpus() {
    replay("lrc", as_text(Format::Lrc));
}

#[test]
fn ultrastar_corpus() {
    replay("ultrastar", as_text(Format::UltraStar));
}

#[test]
fn ass_corpus() {
    replay("ass", as_text(Format::Ass));
}

#[test]
fn krc_corpus() {
    replay("krc", as_text(Format::Krc));
}

#[test]
fn any_corpus() {
    replay("any", lyrics::fuzz::check_bytes);
}

#[test]
fn qrc_corpus() {
    replay("qrc", as_text(Format::Qrc));
}

#[test]
fn yrc_corpus() {
    replay("yrc", as_text(Format::Yrc));
}

#[test]
fn ktv_xml_corpus() {
    replay("ktv_xml", as_text(Format::KtvXml));
}

#[test]
fn pitch_corpus() {
    replay("pitch", |bytes| {
        if let Ok(text) = std::str::from_utf8(bytes) {
            lyrics::fuzz::check_pitch(text);
        }
    });
}
