//! Finding songs the way people type on a phone: a substring of the title or the artist, or,
//! for Chinese titles, their pinyin ("molihua") or its initials ("mlh" finds 茉莉花).

use pinyin::ToPinyin;

/// What a song is found by, worked out once when the library is scanned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchKeys {
    /// Title and artist, lowercase.
    text: String,
    /// The same with each Chinese character as its pinyin (no tones, no spaces).
    pinyin: String,
    /// The first letter of each syllable or word.
    initials: String,
}

impl SearchKeys {
    /// The keys of a song called `title` by `artist`.
    pub fn new(title: &str, artist: Option<&str>) -> SearchKeys {
        let text = match artist {
            Some(artist) => format!("{title} {artist}"),
            None => title.to_owned(),
        }
        .to_lowercase();
        let (mut pinyin, mut initials) = (String::new(), String::new());
        // Initials of the title alone and of title + artist both count; keep them apart
        // with a separator no query contains.
        for (i, part) in std::iter::once(title).chain(artist).enumerate() {
            if i > 0 {
                pinyin.push('|');
                initials.push('|');
            }
            let mut word_start = true;
            for (ch, syllable) in part.chars().zip(part.to_pinyin()) {
                match syllable {
                    Some(p) => {
                        pinyin.push_str(p.plain());
                        initials.push_str(p.first_letter());
                        word_start = true;
                    }
                    None if ch.is_alphanumeric() => {
                        let lower = ch.to_lowercase().collect::<String>();
                        pinyin.push_str(&lower);
                        if word_start {
                            initials.push_str(&lower);
                        }
                        word_start = false;
                    }
                    None => word_start = true,
                }
            }
        }
        SearchKeys {
            text,
            pinyin,
            initials,
        }
    }

    /// Whether `query` finds the song (case and spaces ignored).
    pub fn matches(&self, query: &str) -> bool {
        let query = query.trim().to_lowercase();
        if query.is_empty() {
            return true;
        }
        let squeezed: String = query.chars().filter(|c| !c.is_whitespace()).collect();
        self.text.contains(&query)
            || self.pinyin.contains(&squeezed)
            || self.initials.contains(&squeezed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_titles_are_found_by_pinyin_and_initials() {
        let jasmine = SearchKeys::new("茉莉花", Some("江苏民歌"));
        for query in [
            "茉莉",
            "mlh",
            "MLH",
            "molihua",
            "mo li hua",
            "jsmg",
            "jiangsu",
        ] {
            assert!(jasmine.matches(query), "{query} should find 茉莉花");
        }
        for query in ["xyz", "mlhx", "susanna"] {
            assert!(!jasmine.matches(query), "{query} should not find 茉莉花");
        }
    }

    #[test]
    fn latin_titles_by_substring_and_word_initials() {
        let twinkle = SearchKeys::new("Twinkle, Twinkle, Little Star", Some("Trad."));
        for query in ["twinkle", "little star", "ttls", "trad"] {
            assert!(twinkle.matches(query), "{query}");
        }
        assert!(!twinkle.matches("moon"));
        // Initials do not run across title and artist.
        assert!(!twinkle.matches("ttlst"));
    }
}
