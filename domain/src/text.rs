//! Cleaning and limiting text that people type.
//!
//! Lengths are counted in characters (Unicode scalar values), as a person
//! counts them, not in bytes.

use crate::{AppError, Field, Problem};

/// Length limits of a text field, in characters.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub min: u32,
    pub max: u32,
}

/// Limits of a card's text.
pub const CARD_TEXT: Limits = Limits { min: 2, max: 500 };
/// Limits of a participant's display name.
pub const DISPLAY_NAME: Limits = Limits { min: 1, max: 60 };
/// Limits of a workshop's or session's title.
pub const TITLE: Limits = Limits { min: 3, max: 120 };
/// Limits of a workshop's place.
pub const PLACE: Limits = Limits { min: 1, max: 120 };
/// Limits of the name of a dimension, sub-element or stakeholder group.
pub const LABEL: Limits = Limits { min: 1, max: 80 };

/// Cleans multi-line text: trims it, normalises line ends, drops control
/// characters, keeps at most one blank line in a row, then checks `limits`.
pub fn clean(raw: &str, field: Field, limits: Limits) -> Result<String, AppError> {
    let mut out = String::with_capacity(raw.len());
    let mut newlines = 0;
    for c in raw.trim().chars() {
        match c {
            '\n' => newlines += 1,
            '\r' => {}
            c if c.is_control() && c != '\t' => {}
            c => {
                if newlines > 0 {
                    out.push_str(if newlines > 1 { "\n\n" } else { "\n" });
                    newlines = 0;
                }
                out.push(if c == '\t' { ' ' } else { c });
            }
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    check_length(out, field, limits)
}

/// Cleans single-line text: like [`clean`], but any run of white space
/// (including line breaks) becomes one space.
pub fn clean_line(raw: &str, field: Field, limits: Limits) -> Result<String, AppError> {
    let out = raw
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    check_length(out, field, limits)
}

/// Like [`clean_line`], but an empty input means "not given".
pub fn clean_optional_line(
    raw: Option<&str>,
    field: Field,
    limits: Limits,
) -> Result<Option<String>, AppError> {
    match raw {
        Some(s) if !s.trim().is_empty() => clean_line(s, field, limits).map(Some),
        _ => Ok(None),
    }
}

fn check_length(text: String, field: Field, limits: Limits) -> Result<String, AppError> {
    let len = text.chars().count() as u32;
    if len == 0 {
        Err(AppError::invalid(field, Problem::Required))
    } else if len < limits.min {
        Err(AppError::invalid(
            field,
            Problem::TooShort { min: limits.min },
        ))
    } else if len > limits.max {
        Err(AppError::invalid(
            field,
            Problem::TooLong { max: limits.max },
        ))
    } else {
        Ok(text)
    }
}

/// Turns a name into a key: lowercase ASCII letters, digits and `_`, e.g.
/// "Ekonomi Kreatif" → `ekonomi_kreatif`. Used for dimension and group keys
/// a facilitator adds.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = fold_accent(c).to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out.truncate(40);
    out
}

/// Checks a key given through the API: 1–40 of `a-z`, `0-9`, `_`, starting
/// with a letter.
pub fn parse_key(raw: &str, field: Field) -> Result<String, AppError> {
    let key = raw.trim();
    let valid = !key.is_empty()
        && key.len() <= 40
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if key.is_empty() {
        Err(AppError::invalid(field, Problem::Required))
    } else if valid {
        Ok(key.to_string())
    } else {
        Err(AppError::invalid(field, Problem::Malformed))
    }
}

/// Whether `path` is a path on this site that is safe to redirect to: no
/// other site (`//host`, `/\\host`), nothing that could break a `Location`
/// header. Used for `next=` parameters.
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && path.len() <= 2048
        && path.chars().all(|c| !c.is_control())
}

fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_trims_and_normalises_line_breaks() {
        let s = clean(
            "  Jalan rusak\r\n\r\n\r\n\r\ndi Kluet \u{0007} ",
            Field::Text,
            CARD_TEXT,
        )
        .unwrap();
        assert_eq!(s, "Jalan rusak\n\ndi Kluet");
    }

    #[test]
    fn clean_counts_characters_not_bytes() {
        let ok = "é".repeat(500);
        assert_eq!(
            clean(&ok, Field::Text, CARD_TEXT).unwrap().chars().count(),
            500
        );
        let too_long = "é".repeat(501);
        assert_eq!(
            clean(&too_long, Field::Text, CARD_TEXT),
            Err(AppError::invalid(
                Field::Text,
                Problem::TooLong { max: 500 }
            ))
        );
    }

    #[test]
    fn blank_text_is_required_text() {
        assert_eq!(
            clean(" \n\t ", Field::Text, CARD_TEXT),
            Err(AppError::invalid(Field::Text, Problem::Required))
        );
        assert_eq!(
            clean("a", Field::Text, CARD_TEXT),
            Err(AppError::invalid(Field::Text, Problem::TooShort { min: 2 }))
        );
    }

    #[test]
    fn clean_line_folds_all_white_space() {
        assert_eq!(
            clean_line(" Pak \n Budi\t S ", Field::Name, DISPLAY_NAME).unwrap(),
            "Pak Budi S"
        );
        assert_eq!(
            clean_optional_line(Some("   "), Field::Name, DISPLAY_NAME).unwrap(),
            None
        );
        assert_eq!(
            clean_optional_line(None, Field::Name, DISPLAY_NAME).unwrap(),
            None
        );
    }

    #[test]
    fn slugs_are_ascii_keys() {
        assert_eq!(slug("Ekonomi Kreatif"), "ekonomi_kreatif");
        assert_eq!(slug("  Tata--Kelola (OPD) "), "tata_kelola_opd");
        assert_eq!(slug("Café"), "cafe");
        assert_eq!(slug("!!!"), "");
    }

    #[test]
    fn only_paths_on_this_site_are_local() {
        assert!(is_local_path("/s/482913"));
        assert!(is_local_path("/admin?next=%2F"));
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/a\r\nSet-Cookie: x",
            "",
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
    }

    #[test]
    fn keys_are_checked() {
        assert_eq!(parse_key("smart_port2", Field::Key).unwrap(), "smart_port2");
        assert!(parse_key("2fast", Field::Key).is_err());
        assert!(parse_key("Upper", Field::Key).is_err());
        assert!(parse_key("with space", Field::Key).is_err());
        assert_eq!(
            parse_key("", Field::Key),
            Err(AppError::invalid(Field::Key, Problem::Required))
        );
    }
}
