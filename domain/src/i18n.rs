//! Languages and translated strings.
//!
//! The strings live in `locales/<lang>.toml`; `build.rs` turns them into the
//! [`Strings`] struct below and refuses to build when a language lacks a key
//! or a placeholder. Bahasa Indonesia is the default everywhere.

use serde::Serialize;
use std::{fmt, str::FromStr};

include!(concat!(env!("OUT_DIR"), "/strings.rs"));

/// A user-interface language.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Bahasa Indonesia, the default.
    #[default]
    Id,
    /// English.
    En,
}

crate::tags!(Lang {
    Id = "id",
    En = "en",
});

impl Lang {
    /// Every supported language, default first.
    pub const ALL: [Lang; 2] = [Lang::Id, Lang::En];

    /// The BCP 47 code (`id`, `en`), as used in `<html lang>` and the API.
    pub fn code(self) -> &'static str {
        crate::wire::Tag::name(self)
    }

    /// The strings of this language.
    pub fn t(self) -> &'static Strings {
        match self {
            Lang::Id => &ID,
            Lang::En => &EN,
        }
    }

    /// Picks the first supported language of an `Accept-Language` header,
    /// honouring q-values; `None` when it names none we have.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Ok(lang) = primary.parse::<Lang>()
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }

    /// A decimal number as written in this language: `11,3` in Indonesian,
    /// `11.3` in English (no thousands grouping: scores and shares are
    /// small). Halves round up, as people round (a mean of 2.25 is `2,3`);
    /// at most 6 places. A number that is not finite, or too large to keep
    /// its decimals (beyond 2^53 in the last place), shows as `–`.
    ///
    /// Whole-number arithmetic rather than `format!("{x:.2}")`, which
    /// would link the exact float formatter into the phone's WebAssembly.
    pub fn decimal(self, x: f64, places: usize) -> String {
        let places = places.min(6);
        let scale = 10_u64.pow(places as u32);
        let scaled = (x.abs() * scale as f64).round();
        if scaled.is_nan() || scaled >= 9_007_199_254_740_992.0 {
            return "–".into();
        }
        let scaled = scaled as u64;
        let sign = if x < 0.0 && scaled > 0 { "-" } else { "" };
        let whole = scaled / scale;
        if places == 0 {
            return format!("{sign}{whole}");
        }
        let sep = match self {
            Lang::Id => ',',
            Lang::En => '.',
        };
        format!("{sign}{whole}{sep}{:0places$}", scaled % scale)
    }

    /// Formats a whole number with this language's digit grouping
    /// (`1.234` in Indonesian, `1,234` in English).
    pub fn number(self, n: i64) -> String {
        let grouped = self.count(n.unsigned_abs());
        if n < 0 {
            format!("-{grouped}")
        } else {
            grouped
        }
    }

    /// A count or a size in bytes, grouped as [`Lang::number`] does.
    pub fn count(self, n: u64) -> String {
        let sep = match self {
            Lang::Id => '.',
            Lang::En => ',',
        };
        let digits = n.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(c);
        }
        out
    }

    /// The name of a month (1–12) in this language.
    pub fn month(self, month: u32) -> &'static str {
        let t = self.t();
        match month {
            1 => t.month_1(),
            2 => t.month_2(),
            3 => t.month_3(),
            4 => t.month_4(),
            5 => t.month_5(),
            6 => t.month_6(),
            7 => t.month_7(),
            8 => t.month_8(),
            9 => t.month_9(),
            10 => t.month_10(),
            11 => t.month_11(),
            _ => t.month_12(),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "id" | "in" => Ok(Lang::Id),
            "en" => Ok(Lang::En),
            _ => Err(()),
        }
    }
}

/// Replaces `{name}` placeholders in a translated string.
///
/// ```
/// use rembuk_domain::i18n::fill;
/// assert_eq!(fill("Sisa {n} suara", &[("n", "2")]), "Sisa 2 suara");
/// ```
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match values.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys_of(file: &str) -> BTreeSet<String> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../locales/");
        let text = std::fs::read_to_string(format!("{path}{file}")).unwrap();
        let table: toml::Table = text.parse().unwrap();
        let mut keys = BTreeSet::new();
        fn walk(prefix: &str, table: &toml::Table, keys: &mut BTreeSet<String>) {
            for (k, v) in table {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                match v {
                    toml::Value::Table(t) => walk(&key, t, keys),
                    _ => {
                        keys.insert(key);
                    }
                }
            }
        }
        walk("", &table, &mut keys);
        keys
    }

    #[test]
    fn every_language_has_every_key() {
        let id = keys_of("id.toml");
        let en = keys_of("en.toml");
        let missing_en: Vec<_> = id.difference(&en).collect();
        let missing_id: Vec<_> = en.difference(&id).collect();
        assert!(missing_en.is_empty(), "en.toml lacks {missing_en:?}");
        assert!(missing_id.is_empty(), "id.toml lacks {missing_id:?}");
        assert_eq!(KEYS.len(), id.len());
    }

    #[test]
    fn the_two_languages_are_really_translated() {
        // Proper nouns and codes may coincide, but most strings must differ.
        let same = KEYS
            .iter()
            .filter(|k| {
                let id = keys_value("id.toml", k);
                let en = keys_value("en.toml", k);
                id == en
            })
            .count();
        assert!(
            same * 5 < KEYS.len(),
            "{same} of {} strings are identical in id and en",
            KEYS.len()
        );
    }

    fn keys_value(file: &str, key: &str) -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../locales/");
        let text = std::fs::read_to_string(format!("{path}{file}")).unwrap();
        let mut value = toml::Value::Table(text.parse().unwrap());
        for part in key.split('.') {
            value = value.get(part).unwrap().clone();
        }
        value.as_str().unwrap().to_string()
    }

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,id;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("fr;q=1, id;q=0.5, en;q=0.4"),
            Some(Lang::Id)
        );
        assert_eq!(Lang::from_accept_language("de-DE"), None);
        assert_eq!(Lang::from_accept_language(""), None);
    }

    #[test]
    fn numbers_are_grouped_per_locale() {
        assert_eq!(Lang::Id.number(1_234_567), "1.234.567");
        assert_eq!(Lang::En.number(1_234_567), "1,234,567");
        assert_eq!(Lang::En.number(-1000), "-1,000");
        assert_eq!(Lang::Id.number(999), "999");
        assert_eq!(Lang::Id.number(0), "0");
        assert_eq!(Lang::En.number(i64::MIN), "-9,223,372,036,854,775,808");
        // Counts and sizes past what an `i64` holds keep every digit.
        assert_eq!(Lang::Id.count(u64::MAX), "18.446.744.073.709.551.615");
        assert_eq!(Lang::En.count(1), "1");
    }

    #[test]
    fn decimals_use_the_locale_separator() {
        assert_eq!(Lang::Id.decimal(11.333, 1), "11,3");
        assert_eq!(Lang::En.decimal(11.333, 2), "11.33");
        assert_eq!(Lang::Id.decimal(3.0, 1), "3,0");
        assert_eq!(Lang::En.decimal(0.05, 2), "0.05");
        assert_eq!(Lang::Id.decimal(2.25, 1), "2,3");
        assert_eq!(Lang::En.decimal(99.6, 0), "100");
        assert_eq!(Lang::En.decimal(-1.25, 1), "-1.3");
        assert_eq!(Lang::En.decimal(-0.04, 1), "0.0");
        assert_eq!(Lang::Id.decimal(12.0, 0), "12");
        assert_eq!(Lang::En.decimal(f64::NAN, 1), "–");
        assert_eq!(Lang::En.decimal(1.0 / 3.0, 9), "0.333333");
        assert_eq!(Lang::En.decimal(1e300, 1), "–");
        assert_eq!(Lang::En.decimal(f64::INFINITY, 0), "–");
    }

    #[test]
    fn fill_replaces_known_placeholders_and_keeps_unknown_ones() {
        assert_eq!(fill("{a} dan {b}", &[("a", "1"), ("b", "2")]), "1 dan 2");
        assert_eq!(fill("{x} tetap", &[]), "{x} tetap");
        assert_eq!(fill("tanpa", &[("a", "1")]), "tanpa");
        assert_eq!(fill("kurung {terbuka", &[]), "kurung {terbuka");
    }

    #[test]
    fn month_names_exist_in_both_languages() {
        assert_eq!(Lang::Id.month(8), "Agustus");
        assert_eq!(Lang::En.month(8), "August");
    }
}
