//! Likely duplicate cards, for the facilitator's console.
//!
//! No model and no network: cards are normalised (lower case, punctuation
//! and stop words dropped), Indonesian words are reduced to their root with
//! a small affix stripper (prefixes `me-`, `pe-`, `ber-`, `ter-`, `di-`,
//! `ke-`, `se-`, `per-` and their sound changes; suffixes `-kan`, `-an`,
//! `-i`, `-nya`, `-lah`…), and two cards are compared by the roots they
//! share and by character trigrams (which forgive typos and English
//! plurals). "jalan rusak di Kluet" and "kerusakan jalan di kecamatan
//! Kluet" share `jalan`, `rusak` and `kluet`.

use std::collections::{BTreeSet, HashSet};

use crate::CardId;

/// Words that carry no meaning for duplicate detection (Indonesian and
/// English). Negations are kept: "ada air" and "tidak ada air" differ.
const STOP_WORDS: &[&str] = &[
    "yang", "di", "ke", "dari", "dan", "atau", "untuk", "pada", "dengan", "dalam", "ini", "itu",
    "ada", "adalah", "sangat", "lebih", "juga", "karena", "oleh", "sebagai", "akan", "sudah",
    "masih", "bisa", "dapat", "kami", "kita", "mereka", "saya", "para", "agar", "supaya", "serta",
    "secara", "tersebut", "sering", "banyak", "masalah", "the", "a", "an", "of", "in", "on", "at",
    "to", "for", "and", "or", "is", "are", "be", "with", "by", "from", "that", "this", "it", "its",
    "very", "there", "problem", "issue",
];

/// A card's meaningful roots.
pub fn roots(text: &str) -> BTreeSet<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !STOP_WORDS.contains(w))
        .map(stem)
        .filter(|w| w.chars().count() >= 2)
        .collect()
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

/// Reduces an Indonesian word to its root (approximately; English words
/// mostly pass through, losing a plural `s`).
pub fn stem(word: &str) -> String {
    let mut w = word.to_string();
    if !w.is_ascii() || w.len() <= 4 {
        return w;
    }
    for particle in ["lah", "kah", "tah", "pun"] {
        if w.len() > particle.len() + 3 && w.ends_with(particle) {
            w.truncate(w.len() - particle.len());
            break;
        }
    }
    for possessive in ["nya", "ku", "mu"] {
        if w.len() > possessive.len() + 3 && w.ends_with(possessive) {
            w.truncate(w.len() - possessive.len());
            break;
        }
    }
    // Prefixes first, then suffixes, then a second prefix (memper-, diper-).
    w = strip_prefix(&w);
    w = strip_suffix(&w);
    w = strip_prefix(&w);
    if w.len() > 4 && w.ends_with('s') && !w.ends_with("ss") {
        w.pop();
    }
    w
}

fn strip_suffix(w: &str) -> String {
    if w.len() > 6 && w.ends_with("kan") {
        let without = &w[..w.len() - 3];
        // "perbaikan" is perbaik-an, not perbai-kan: roots rarely end in a
        // vowel before "kan" when "an" alone leaves a consonant.
        if without.ends_with(is_vowel) && w.len() > 5 {
            return w[..w.len() - 2].to_string();
        }
        return without.to_string();
    }
    if w.len() > 5 && w.ends_with("an") {
        return w[..w.len() - 2].to_string();
    }
    if w.len() > 5 && w.ends_with('i') && !w.ends_with("ai") {
        return w[..w.len() - 1].to_string();
    }
    w.to_string()
}

fn strip_prefix(w: &str) -> String {
    let rest_ok = |r: &str| r.len() >= 3;
    let chars: Vec<char> = w.chars().collect();
    let after = |n: usize| chars[n..].iter().collect::<String>();
    let at = |n: usize| chars.get(n).copied().unwrap_or(' ');
    for simple in ["di", "ke", "se"] {
        if w.starts_with(simple) && rest_ok(&after(2)) {
            return after(2);
        }
    }
    for (prefix, n) in [("ber", 3), ("ter", 3), ("per", 3)] {
        if w.starts_with(prefix) && rest_ok(&after(n)) {
            return after(n);
        }
    }
    if w.starts_with("be") && at(2) == 'r' && rest_ok(&after(3)) {
        return after(3);
    }
    // me- and pe- with their sound changes.
    for head in ["me", "pe"] {
        if !w.starts_with(head) {
            continue;
        }
        let (c2, c3, c4) = (at(2), at(3), at(4));
        let root = match (c2, c3) {
            ('n', 'g') if is_vowel(c4) || c4 == 'h' || c4 == 'k' => after(4),
            ('n', 'y') if is_vowel(c4) => format!("s{}", after(4)),
            ('m', c) if is_vowel(c) => format!("p{}", after(3)),
            ('m', 'b' | 'p' | 'f') => after(3),
            ('n', c) if is_vowel(c) => format!("t{}", after(3)),
            ('n', 'd' | 'c' | 'j' | 't' | 's') => after(3),
            ('l' | 'r' | 'w' | 'y' | 'm' | 'n', _) => after(2),
            _ => continue,
        };
        if rest_ok(&root) {
            return root;
        }
    }
    w.to_string()
}

fn trigrams(roots: &BTreeSet<String>) -> HashSet<String> {
    let mut grams = HashSet::new();
    for r in roots {
        let padded: Vec<char> = format!(" {r} ").chars().collect();
        for window in padded.windows(3) {
            grams.insert(window.iter().collect());
        }
    }
    grams
}

/// How alike two cards are, from 0 (nothing shared) to 1 (same roots).
pub fn similarity(a: &str, b: &str) -> f32 {
    let (ra, rb) = (roots(a), roots(b));
    if ra.is_empty() || rb.is_empty() {
        return 0.0;
    }
    let shared = ra.intersection(&rb).count() as f32;
    let jaccard = shared / ra.union(&rb).count() as f32;
    let overlap = shared / ra.len().min(rb.len()) as f32;
    let (ga, gb) = (trigrams(&ra), trigrams(&rb));
    let dice = 2.0 * ga.intersection(&gb).count() as f32 / (ga.len() + gb.len()).max(1) as f32;
    0.5 * jaccard + 0.25 * overlap + 0.25 * dice
}

/// The score from which two cards are suggested as duplicates.
pub const THRESHOLD: f32 = 0.45;

/// A suggested pair of duplicates.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    pub a: CardId,
    pub b: CardId,
    pub score: f32,
}

/// The likeliest duplicate pairs among `cards`, best first, at most `limit`.
pub fn suggest(cards: &[(CardId, &str)], limit: usize) -> Vec<Suggestion> {
    let mut out = Vec::new();
    for (i, (a, ta)) in cards.iter().enumerate() {
        for (b, tb) in &cards[i + 1..] {
            let score = similarity(ta, tb);
            if score >= THRESHOLD {
                out.push(Suggestion {
                    a: *a,
                    b: *b,
                    score,
                });
            }
        }
    }
    out.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then_with(|| x.a.cmp(&y.a))
            .then_with(|| x.b.cmp(&y.b))
    });
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indonesian_affixes_come_off() {
        for (word, root) in [
            ("kerusakan", "rusak"),
            ("kecamatan", "camat"),
            ("pelayanan", "layan"),
            ("layanan", "layan"),
            ("perbaikan", "baik"),
            ("diperbaiki", "baik"),
            ("mengurus", "urus"),
            ("menyapu", "sapu"),
            ("memakai", "pakai"),
            ("menanam", "tanam"),
            ("pendataan", "data"),
            ("jalannya", "jalan"),
            ("bersih", "sih"),
        ] {
            // "bersih" shows the limit of a dictionary-free stemmer; it is
            // harmless because both cards are stemmed the same way.
            assert_eq!(stem(word), root, "{word}");
        }
    }

    #[test]
    fn near_duplicates_in_indonesian_are_found() {
        let pairs = [
            ("jalan rusak di Kluet", "kerusakan jalan di kecamatan Kluet"),
            (
                "Antrean KTP sangat panjang",
                "antrian pembuatan KTP panjang sekali",
            ),
            (
                "Sinyal internet lemah di desa",
                "lemahnya sinyal internet di pedesaan",
            ),
            (
                "Sampah menumpuk di pantai",
                "Penumpukan sampah di pantai Tapaktuan",
            ),
        ];
        for (a, b) in pairs {
            let score = similarity(a, b);
            assert!(score >= THRESHOLD, "{a:?} ~ {b:?}: {score}");
        }
    }

    #[test]
    fn unrelated_cards_are_not_suggested() {
        let pairs = [
            ("jalan rusak di Kluet", "banjir di Tapaktuan"),
            ("Antrean KTP sangat panjang", "Sampah menumpuk di pantai"),
            ("Sinyal internet lemah", "Harga pupuk mahal"),
            ("Petugas puskesmas kurang", "Jalan desa belum diaspal"),
        ];
        for (a, b) in pairs {
            let score = similarity(a, b);
            assert!(score < THRESHOLD, "{a:?} ~ {b:?}: {score}");
        }
    }

    #[test]
    fn english_works_too() {
        assert!(
            similarity(
                "Roads are damaged in Kluet",
                "damaged road in Kluet district"
            ) >= THRESHOLD
        );
        assert!(similarity("Roads are damaged", "Clean water is scarce") < THRESHOLD);
    }

    #[test]
    fn suggestions_are_ranked_and_limited() {
        let ids: Vec<CardId> = (1..=4).map(|n| CardId(uuid::Uuid::from_u128(n))).collect();
        let cards = [
            (ids[0], "jalan rusak di Kluet"),
            (ids[1], "kerusakan jalan di kecamatan Kluet"),
            (ids[2], "banjir di Tapaktuan"),
            (ids[3], "jalan rusak Kluet"),
        ];
        let s = suggest(&cards, 10);
        assert!(!s.is_empty());
        assert!(s.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(s.iter().all(|x| x.a != ids[2] && x.b != ids[2]));
        assert_eq!(suggest(&cards, 1).len(), 1);
        assert_eq!((s[0].a, s[0].b), (ids[0], ids[3]), "identical roots first");
    }
}
