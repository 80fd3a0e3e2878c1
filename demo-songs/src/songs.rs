//! The five demo songs: public-domain melodies with public-domain words.
//!
//! Each sung line is written note by note (one syllable a note), with the vowel the voice
//! sings. Melodies are traditional; the arrangements are made by this generator.

use lyrics::Voice;

use crate::score::{Block, BlockKind, Score};

fn sung(bars: u32, chords: &'static str, voice: Voice, melody: &'static str) -> Block {
    Block {
        bars,
        chords,
        kind: BlockKind::Sung { voice, melody },
    }
}

fn band(bars: u32, chords: &'static str, lead: &'static str) -> Block {
    Block {
        bars,
        chords,
        kind: BlockKind::Instrumental { lead },
    }
}

/// Every demo song.
pub fn all() -> Vec<Score> {
    vec![jasmine(), tigers(), twinkle(), susanna(), farewell()]
}

/// 茉莉花 (Jasmine Flower): Jiangsu folk song, 18th century. Has the long intro (≥ 8 s) and
/// the instrumental break (≥ 10 s) that lyrics countdowns are tested on.
fn jasmine() -> Score {
    const L1: &str = "3/1/好/a 3/0.5/一/i 5/0.5/朵/o 6/0.5/美/e 1'/0.5/丽/i 6/1/的/e \
                      5/1/茉/o 6/1/莉/i 5/2/花/a";
    const L3: &str = "5/1/芬/e 5/1/芳/a 5/1/美/e 3/0.5/丽/i 5/0.5/满/a 6/2/枝/i 5/2/桠/a";
    const L4: &str = "3/1/又/o 2/0.5/香/a 3/0.5/又/o 5/1/白/a 3/1/人/e 2/2/人/e 1/2/夸/a";
    const L5: &str = "6/1/让/a 5/0.5/我/o 6/0.5/来/a 1'/1/将/a 6/1/你/i 5/2/摘/a 3/2/下/a";
    const L6: &str = "2/1/送/o 3/1/给/e 5/1/别/e 3/1/人/e 2/4/家/a";
    const L7: &str = "3/1/茉/o 2/0.5/莉/i 1/0.5/花/a 2/1/呀/a 3/1/茉/o 2/1/莉/i 1/3/花/a";
    const LEAD: &str = "3/1 3/0.5 5/0.5 6/0.5 1'/0.5 6/1 5/1 6/1 5/2 3/1 2/1 1/2";
    Score {
        id: "jasmine",
        title: "茉莉花",
        artist: "江苏民歌 (Jiangsu folk song)",
        language: "zh",
        credits: "Traditional melody and words (Jiangsu, 18th century), public domain.",
        tempo: 66.0,
        meter: 4,
        tonic: 64,
        second_voice_offset: 0,
        key: "E major",
        blocks: vec![
            band(3, "I | IV | V", LEAD),
            sung(2, "I vi | IV I", Voice::P1, L1),
            sung(2, "I vi | IV I", Voice::P1, L1),
            sung(2, "I IV | vi V", Voice::P1, L3),
            sung(2, "I vi | V I", Voice::P1, L4),
            sung(2, "IV I | vi V", Voice::P1, L5),
            sung(2, "ii V | I", Voice::P1, L6),
            sung(2, "I V | I", Voice::P1, L7),
            band(3, "IV | I | V", LEAD),
            sung(2, "I vi | IV I", Voice::P1, L1),
            sung(2, "I vi | IV I", Voice::P1, L1),
            sung(2, "I V | I", Voice::P1, L7),
            band(2, "IV | I", ""),
        ],
    }
}

/// 两只老虎 (Two Tigers): Chinese words to the French melody "Frère Jacques" (18th
/// century). Stored in the old KTV stereo layout.
fn tigers() -> Score {
    const L1: &str = "1/1/两/a 2/1/只/i 3/1/老/a 1/1/虎/u 1/1/两/a 2/1/只/i 3/1/老/a 1/1/虎/u";
    const L2: &str = "3/1/跑/a 4/1/得/e 5/2/快/a 3/1/跑/a 4/1/得/e 5/2/快/a";
    const L3: &str = "5/0.5/一/i 6/0.5/只/i 5/0.5/没/e 4/0.5/有/o 3/1/眼/a 1/1/睛/i \
                      5/0.5/一/i 6/0.5/只/i 5/0.5/没/e 4/0.5/有/o 3/1/尾/e 1/1/巴/a";
    const L4: &str = "1/1/真/e 5,/1/奇/i 1/2/怪/a 1/1/真/e 5,/1/奇/i 1/2/怪/a";
    let verse = |blocks: &mut Vec<Block>| {
        blocks.push(sung(2, "I | I", Voice::P1, L1));
        blocks.push(sung(2, "I | I", Voice::P1, L2));
        blocks.push(sung(2, "I V | I V", Voice::P1, L3));
        blocks.push(sung(2, "I V | I", Voice::P1, L4));
    };
    let mut blocks = vec![band(2, "I | V", "5/1 3/1 5/1 3/1 5/1 4/1 3/1 2/1")];
    verse(&mut blocks);
    blocks.push(band(2, "IV | V", "6/1 5/1 4/1 3/1 2/2 5,/2"));
    verse(&mut blocks);
    blocks.push(band(2, "IV | V", "6/1 5/1 4/1 3/1 2/2 5,/2"));
    verse(&mut blocks);
    blocks.push(band(2, "IV V | I", ""));
    Score {
        id: "tigers",
        title: "两只老虎",
        artist: "法国民歌 (French traditional, \"Frère Jacques\")",
        language: "zh",
        credits: "Traditional melody (France, 18th century) and traditional Chinese words, public domain.",
        tempo: 112.0,
        meter: 4,
        tonic: 60,
        second_voice_offset: 0,
        key: "C major",
        blocks,
    }
}

/// Twinkle, Twinkle, Little Star: words by Jane Taylor (1806) to the French melody
/// "Ah ! vous dirai-je, maman" (1761).
fn twinkle() -> Score {
    const A1: &str = "1/1/Twin/i 1/1/kle_/e 5/1/twin/i 5/1/kle_/e 6/1/lit/i 6/1/tle_/e 5/2/star/a";
    const A2: &str = "4/1/How_/a 4/1/I_/a 3/1/won/o 3/1/der_/e 2/1/what_/a 2/1/you_/u 1/2/are/a";
    const B1: &str = "5/1/Up_/u 5/1/a/a 4/1/bove_/o 4/1/the_/e 3/1/world_/o 3/1/so_/o 2/2/high/a";
    const B2: &str = "5/1/Like_/a 5/1/a_/a 4/1/dia/a 4/1/mond_/o 3/1/in_/i 3/1/the_/e 2/2/sky/a";
    const C1: &str = "1/1/When_/e 1/1/the_/e 5/1/bla/e 5/1/zing_/i 6/1/sun_/u 6/1/is_/i 5/2/gone/o";
    const C2: &str = "4/1/When_/e 4/1/he_/i 3/1/no/o 3/1/thing_/i 2/1/shines_/a 2/1/up/u 1/2/on/o";
    const D1: &str =
        "5/1/Then_/e 5/1/you_/u 4/1/show_/o 4/1/your_/o 3/1/lit/i 3/1/tle_/e 2/2/light/a";
    const D2: &str =
        "5/1/Twin/i 5/1/kle_/e 4/1/twin/i 4/1/kle_/e 3/1/all_/a 3/1/the_/e 2/2/night/a";
    const LEAD: &str = "1'/1 1'/1 5'/1 5'/1 6'/1 6'/1 5'/2 4'/1 4'/1 3'/1 3'/1 2'/1 2'/1 1'/2";
    let mut blocks = vec![band(4, "I | IV I | IV I | V I", LEAD)];
    for (first, second, third, fourth) in [(A1, A2, B1, B2), (C1, C2, D1, D2)] {
        blocks.push(sung(2, "I | IV I", Voice::P1, first));
        blocks.push(sung(2, "IV I | V I", Voice::P1, second));
        blocks.push(sung(2, "I IV | I V", Voice::P1, third));
        blocks.push(sung(2, "I IV | I V", Voice::P1, fourth));
        blocks.push(sung(2, "I | IV I", Voice::P1, A1));
        blocks.push(sung(2, "IV I | V I", Voice::P1, A2));
        if first == A1 {
            blocks.push(band(2, "IV | V", "6'/2 5'/2 4'/2 2'/2"));
        }
    }
    blocks.push(band(2, "IV V | I", ""));
    Score {
        id: "twinkle",
        title: "Twinkle, Twinkle, Little Star",
        artist: "Jane Taylor (words, 1806); French traditional (melody)",
        language: "en",
        credits: "Words by Jane Taylor (1806) and the melody \"Ah ! vous dirai-je, maman\" (1761), public domain.",
        tempo: 100.0,
        meter: 4,
        tonic: 60,
        second_voice_offset: 0,
        key: "C major",
        blocks,
    }
}

/// Oh! Susanna: Stephen Foster (1848), first verse and chorus, as a duet: the two voices
/// alternate verse lines and sing the chorus together.
fn susanna() -> Score {
    const V1: &str = "1/0.5/I_/a 2/0.5/come_/u 3/1/from_/o 5/0.5/A/a 5/0.5/la/a 6/0.5/ba/a 5/0.5/ma_/a \
                      3/0.5/with_/i 1/0.5/a_/a 2/0.5/ban/a 3/0.5/jo_/o 3/0.25/on_/o 2/0.25/my_/a 1/1.5/knee/i";
    const V2: &str = "1/0.5/I'm_/a 2/0.5/go/o 3/1/ing_/i 5/0.5/to_/u 5/0.5/Lou/u 6/0.5/i/i 5/0.5/si/i \
                      3/0.5/a/a 1/0.5/na_/a 2/0.5/my_/a 3/0.5/true_/u 3/0.5/love_/a 2/0.25/for_/o 2/0.25/to_/u 1/1/see/i";
    const C1: &str = "4/1/Oh_/o 4/0.5/Su/u 6/0.5/san/a 6/2/na_/a \
                      5/0.5/don't_/o 5/0.5/you_/u 3/1/cry_/a 1/0.5/for_/o 2/1.5/me/i";
    const C2: &str = "1/0.5/For_/o 2/0.5/I_/a 3/1/come_/u 5/0.5/from_/o 5/0.5/A/a 6/0.5/la/a 5/0.5/ba/a \
                      3/0.5/ma_/a 1/0.5/with_/i 2/1/ban/a 3/0.5/jo_/o 3/0.5/on_/o 2/0.5/my_/a 1/0.5/knee/i";
    let chorus = |blocks: &mut Vec<Block>| {
        blocks.push(sung(2, "IV | I V", Voice::Both, C1));
        blocks.push(sung(2, "I | V I", Voice::Both, C2));
    };
    let mut blocks = vec![band(2, "I | V", "5/1 6/1 5/1 3/1 2/2 5,/2")];
    blocks.push(sung(2, "I | V I", Voice::P1, V1));
    blocks.push(sung(2, "I | V I", Voice::P2, V2));
    chorus(&mut blocks);
    blocks.push(band(2, "IV | V", "6/1 5/1 4/1 3/1 2/2 5,/2"));
    blocks.push(sung(2, "I | V I", Voice::P2, V1));
    blocks.push(sung(2, "I | V I", Voice::P1, V2));
    chorus(&mut blocks);
    chorus(&mut blocks);
    blocks.push(band(2, "IV V | I", ""));
    Score {
        id: "susanna",
        title: "Oh! Susanna",
        artist: "Stephen Foster (1848)",
        language: "en",
        credits: "Words and melody by Stephen Foster (1848), public domain; first verse and chorus.",
        tempo: 96.0,
        meter: 4,
        tonic: 55,
        second_voice_offset: 12,
        key: "G major",
        blocks,
    }
}

/// 送别 (Farewell): words by 李叔同 (Li Shutong, 1915) to John P. Ordway's melody "Dreaming
/// of Home and Mother" (1851).
fn farewell() -> Score {
    const L1: &str = "5/1/长/a 3/1/亭/i 1'/2/外/a 6/1/古/u 1'/1/道/a 5/2/边/a \
                      5/1/芳/a 1/0.5/草/a 2/0.5/碧/i 3/2/连/a 2/4/天/a";
    const L2: &str = "5/1/晚/a 3/0.5/风/e 5/0.5/拂/u 1'/1.5/柳/o 7/0.5/笛/i 6/1/声/e 1'/1/残/a 0/2 \
                      5/1/夕/i 2/0.5/阳/a 3/0.5/山/a 4/2/外/a 1/4/山/a";
    const L3: &str = "6/1/天/a 1'/1/之/i 1'/2/涯/a 7/1/地/i 6/1/之/i 1'/2/角/o \
                      6/1/知/i 7/1/交/a 1'/1/半/a 6/1/零/i 2/4/落/o";
    const L4: &str = "5/1/一/i 3/0.5/壶/u 5/0.5/浊/o 1'/1.5/酒/o 7/0.5/尽/i 6/1/余/u 5/2/欢/a 0/1 \
                      5/1/今/i 2/0.5/宵/a 3/0.5/别/e 4/2/梦/e 1/4/寒/a";
    const LEAD: &str = "5/1 3/1 1'/2 6/1 1'/1 5/2 5/1 1/1 2/1 3/1 2/4";
    Score {
        id: "farewell",
        title: "送别",
        artist: "李叔同 (词, 1915) / J. P. Ordway (曲, 1851)",
        language: "zh",
        credits: "Words by 李叔同 Li Shutong (1915, d. 1942) and the melody \"Dreaming of Home and Mother\" by John P. Ordway (1851), public domain.",
        tempo: 72.0,
        meter: 4,
        tonic: 62,
        second_voice_offset: 0,
        key: "D major",
        blocks: vec![
            band(4, "I | IV | I | V", LEAD),
            sung(4, "I | IV I | I vi | V", Voice::P1, L1),
            sung(4, "I | IV I | I IV | I", Voice::P1, L2),
            sung(4, "IV | IV I | IV ii | V", Voice::P1, L3),
            sung(4, "I | IV I | I IV | I", Voice::P1, L4),
            band(2, "IV | V", "6/1 1'/1 1'/2 7/1 6/1 1'/2"),
            sung(4, "IV | IV I | IV ii | V", Voice::P1, L3),
            sung(4, "I | IV I | I IV | I", Voice::P1, L4),
            band(2, "IV | I", ""),
        ],
    }
}
