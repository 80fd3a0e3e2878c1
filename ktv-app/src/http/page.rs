//! The index page: what ktv is and which songs the library holds.
//!
//! A plain server-rendered page until the room's web page replaces it.

use std::fmt::Write;
use std::path::Path;

use crate::library::SongEntry;

/// Renders the index page for a library.
pub(super) fn index(library: &Path, songs: &[SongEntry]) -> String {
    let mut html = String::from(concat!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        "<title>ktv</title>\n</head>\n<body>\n<h1>ktv</h1>\n",
        "<p>ktv is an open karaoke (KTV) engine: a room of people sings together online. ",
        "Singers queue songs and sing with live pitch scoring; audiences listen and watch ",
        "the lyrics in step with the singer.</p>\n",
    ));
    let library = escape(&library.display().to_string());
    if songs.is_empty() {
        let _ = writeln!(html, "<p>No songs found in <code>{library}</code>.</p>");
    } else {
        let _ = writeln!(
            html,
            "<h2>Songs</h2>\n<p>{} songs in <code>{library}</code>:</p>\n<ul id=\"songs\">",
            songs.len()
        );
        for song in songs {
            let _ = write!(
                html,
                "<li data-song-id=\"{}\">{}",
                escape(&song.id),
                escape(&song.title)
            );
            if let Some(artist) = &song.artist {
                let _ = write!(html, " — {}", escape(artist));
            }
            if let Some(problem) = &song.problem {
                let _ = write!(html, " <em>(unreadable: {})</em>", escape(problem));
            }
            html.push_str("</li>\n");
        }
        html.push_str("</ul>\n");
    }
    html.push_str("</body>\n</html>\n");
    html
}

/// Escapes text for HTML element content and quoted attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn song_titles_are_escaped() {
        let song = SongEntry {
            id: "x".into(),
            title: "<script>alert(1)</script>".into(),
            artist: None,
            duration: None,
            folder: "/lib/x".into(),
            problem: None,
            search: Default::default(),
        };
        let html = index(Path::new("/lib"), &[song]);
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
    }

    #[test]
    fn empty_library_says_so() {
        let html = index(Path::new("/lib"), &[]);
        assert!(
            html.contains("No songs found in <code>/lib</code>"),
            "{html}"
        );
    }
}
