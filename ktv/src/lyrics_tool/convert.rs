//! Converting lyrics between formats.

use std::path::Path;

use anyhow::{Context, bail};
use lyrics::{Format, Hint};

/// Reads `input` (any format), adds the melody from `pitch` if given, and writes it to
/// `output` in `to`. Returns the warnings met while reading, as `line: message`.
pub fn convert(
    input: &Path,
    to: Format,
    output: &Path,
    pitch: Option<&Path>,
) -> anyhow::Result<Vec<String>> {
    if !to.is_writable() {
        let writable: Vec<&str> = Format::ALL
            .iter()
            .filter(|f| f.is_writable())
            .map(|f| f.name())
            .collect();
        bail!("cannot write {to}; ktv writes {}", writable.join(", "));
    }
    let bytes = std::fs::read(input).with_context(|| format!("cannot read {}", input.display()))?;
    let mut parsed = lyrics::parse(&bytes, Hint::from_path(input))
        .with_context(|| format!("cannot read lyrics from {}", input.display()))?;
    if let Some(pitch) = pitch {
        let bytes =
            std::fs::read(pitch).with_context(|| format!("cannot read {}", pitch.display()))?;
        let text = lyrics::encoding::decode(&bytes);
        parsed.lyrics.notes = lyrics::format::pitch::parse(&text.text)
            .with_context(|| format!("cannot read the pitch file {}", pitch.display()))?;
    }
    let Some(text) = lyrics::write(&parsed.lyrics, to) else {
        bail!("cannot write {to}");
    };
    std::fs::write(output, text).with_context(|| format!("cannot write {}", output.display()))?;
    Ok(parsed.warnings.iter().map(ToString::to_string).collect())
}
