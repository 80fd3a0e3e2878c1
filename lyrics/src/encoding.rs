//! Turning the bytes of a lyrics file into text.
//!
//! Files in the wild are UTF-8 with or without a byte-order mark, UTF-16 with a BOM, GBK or
//! GB18030 (old Chinese LRC), or Windows-1252 / ISO-8859-1 (old UltraStar files). The order of
//! evidence: a BOM; then valid UTF-8; then an UltraStar `#ENCODING` tag; then a statistical
//! guess (`chardetng`, the detector Firefox uses for legacy text).

use std::borrow::Cow;

use encoding_rs::{Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1250, WINDOWS_1252};

use crate::error::{WarningKind, Warnings};

/// Text decoded from bytes, and the encoding it was in.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// The text, without a leading BOM and without BOMs inside it.
    pub text: Cow<'a, str>,
    /// The encoding that was detected.
    pub encoding: &'static Encoding,
}

/// Decodes `bytes`, detecting the encoding. Never fails: undecodable bytes become U+FFFD.
pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    decode_with_warnings(bytes, &mut Warnings::default())
}

pub(crate) fn decode_with_warnings<'a>(bytes: &'a [u8], warnings: &mut Warnings) -> Decoded<'a> {
    let (encoding, body) = match Encoding::for_bom(bytes) {
        Some((encoding, bom_len)) => (encoding, &bytes[bom_len..]),
        None => (detect(bytes), bytes),
    };
    let text = if encoding == UTF_8 {
        // Malformed sequences cannot occur unless the BOM lied; replace them if it did.
        String::from_utf8_lossy(body)
    } else {
        let (text, _) = encoding.decode_without_bom_handling(body);
        text
    };
    let text = strip_inner_boms(text, warnings);
    Decoded { text, encoding }
}

fn detect(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    if let Some(declared) = ultrastar_declared_encoding(bytes) {
        return declared;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    // The GBK family: GB18030 is its superset and decodes every GBK file the same way.
    if guess == encoding_rs::GBK {
        GB18030
    } else {
        guess
    }
}

/// The encoding named by an UltraStar `#ENCODING:` header, if the file has one.
fn ultrastar_declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    const TAG: &[u8] = b"#ENCODING:";
    let at = bytes
        .windows(TAG.len())
        .position(|w| w.eq_ignore_ascii_case(TAG))?;
    let value = &bytes[at + TAG.len()..];
    let end = value
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(value.len());
    let value = std::str::from_utf8(&value[..end]).ok()?.trim();
    match value.to_ascii_uppercase().as_str() {
        // The names UltraStar Deluxe writes, then any WHATWG label (e.g. "windows-1252").
        "UTF8" | "UTF-8" => Some(UTF_8),
        "CP1252" | "AUTO" => Some(WINDOWS_1252),
        "CP1250" => Some(WINDOWS_1250),
        "UTF16LE" => Some(UTF_16LE),
        "UTF16BE" => Some(UTF_16BE),
        _ => Encoding::for_label(value.as_bytes()),
    }
}

fn strip_inner_boms<'a>(text: Cow<'a, str>, warnings: &mut Warnings) -> Cow<'a, str> {
    const BOM: char = '\u{FEFF}';
    let Some(first) = text.find(BOM) else {
        return text;
    };
    let line = text[..first].bytes().filter(|&b| b == b'\n').count() + 1;
    warnings.push(line, WarningKind::BomInText);
    Cow::Owned(text.replace(BOM, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str) -> Vec<u8> {
        let mut out = vec![0xFF, 0xFE];
        out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    fn utf16be(s: &str) -> Vec<u8> {
        let mut out = vec![0xFE, 0xFF];
        out.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
        out
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let plain = decode("[00:01.00]茉莉花".as_bytes());
        assert_eq!(plain.encoding, UTF_8);
        assert_eq!(plain.text, "[00:01.00]茉莉花");
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice("[00:01.00]茉莉花".as_bytes());
        let decoded = decode(&with_bom);
        assert_eq!(decoded.encoding, UTF_8);
        assert_eq!(decoded.text, "[00:01.00]茉莉花");
    }

    #[test]
    fn utf16_with_bom_both_orders() {
        let text = "[00:01.00]好一朵美丽的茉莉花\r\n";
        assert_eq!(decode(&utf16le(text)).text, text);
        assert_eq!(decode(&utf16le(text)).encoding, UTF_16LE);
        assert_eq!(decode(&utf16be(text)).text, text);
        assert_eq!(decode(&utf16be(text)).encoding, UTF_16BE);
    }

    #[test]
    fn gbk_chinese_lrc_is_detected() {
        let text = "[ti:茉莉花]\n[00:01.00]好一朵美丽的茉莉花\n[00:05.00]芬芳美丽满枝桠\n\
                    [00:09.00]又香又白人人夸\n[00:13.00]让我来将你摘下\n";
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
        assert!(!unmappable);
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "GBK bytes must not pass as UTF-8"
        );
        let decoded = decode(&bytes);
        assert_eq!(decoded.encoding, GB18030);
        assert_eq!(decoded.text, text);
    }

    #[test]
    fn windows_1252_ultrastar_is_detected() {
        let text = "#TITLE:Déjà vu\n#ARTIST:Françoise Hardy\n#BPM:300\n: 0 4 0 Dé\n: 4 4 2 jà\n";
        let (bytes, _, _) = WINDOWS_1252.encode(text);
        let decoded = decode(&bytes);
        assert_eq!(decoded.text, text);
    }

    #[test]
    fn ultrastar_encoding_tag_is_honoured() {
        // Without the tag, this short Central-European text could pass for another encoding.
        let text = "#ENCODING:CP1250\n#TITLE:Łódź\n#BPM:200\n: 0 1 0 Żó\n";
        let (bytes, _, _) = WINDOWS_1250.encode(text);
        let decoded = decode(&bytes);
        assert_eq!(decoded.encoding, WINDOWS_1250);
        assert_eq!(decoded.text, text);
    }

    #[test]
    fn boms_inside_the_text_are_removed_with_a_warning() {
        let mut warnings = Warnings::default();
        let decoded = decode_with_warnings("a\nb\u{FEFF}c\n".as_bytes(), &mut warnings);
        assert_eq!(decoded.text, "a\nbc\n");
        let warnings = warnings.into_vec();
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].line, 2);
        assert_eq!(warnings[0].kind, WarningKind::BomInText);
    }
}
