//! Personal data rules (UU No. 27/2022): what a participant's withdrawal
//! removes, how long a workshop keeps personal data, a session's passcode.

use serde::{Deserialize, Serialize};

use crate::{
    AppError, Field, Problem,
    time::{Date, Timestamp},
    wire::Tag,
};

/// What happens to a withdrawn participant's cards; the facilitator sets it
/// per workshop.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawnCards {
    /// The cards stay in the session, no longer linked to anyone.
    #[default]
    Keep,
    /// The cards are taken out of the session, with the dots on them.
    Remove,
}

crate::tags!(WithdrawnCards {
    Keep = "keep",
    Remove = "remove",
});

impl WithdrawnCards {
    pub fn as_str(self) -> &'static str {
        Tag::name(self)
    }

    pub fn parse(raw: &str) -> Result<WithdrawnCards, AppError> {
        Tag::from_name(raw.trim()).ok_or(AppError::invalid(Field::WithdrawnCards, Problem::Unknown))
    }
}

/// A workshop's privacy settings.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Privacy {
    pub withdrawn_cards: WithdrawnCards,
    /// After this date an administrator may purge the workshop's personal
    /// data (`rembuk purge`); none: kept until someone sets one.
    pub retain_until: Option<Date>,
    /// When the personal data was purged.
    pub purged_at: Option<Timestamp>,
}

/// Checks privacy settings as a form or the API sends them. An empty date
/// means "no retention date". A retention date may not lie before the
/// workshop's last day: the data is needed until the workshop is over.
pub fn parse_privacy(
    withdrawn_cards: &str,
    retain_until: Option<&str>,
    ends_on: Option<Date>,
) -> Result<(WithdrawnCards, Option<Date>), AppError> {
    let cards = WithdrawnCards::parse(withdrawn_cards)?;
    let until = match retain_until.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            Some(Date::parse(s).ok_or(AppError::invalid(Field::RetainUntil, Problem::Malformed))?)
        }
    };
    if let (Some(until), Some(end)) = (until, ends_on)
        && until < end
    {
        return Err(AppError::invalid(Field::RetainUntil, Problem::BeforeStart));
    }
    Ok((cards, until))
}

/// Whether a workshop's personal data may be purged on `today`: only after
/// its retention date.
pub fn may_purge(privacy: &Privacy, today: Date) -> Result<(), AppError> {
    match privacy.retain_until {
        None => Err(AppError::Retained { until: None }),
        Some(until) if today <= until => Err(AppError::Retained {
            until: Some(until.to_string()),
        }),
        Some(_) => Ok(()),
    }
}

/// Limits of a session passcode, in characters.
pub const PASSCODE_MIN: usize = 4;
pub const PASSCODE_MAX: usize = 12;

/// Normalises a passcode as a person typed or was told it: spaces and
/// dashes dropped, letters upper-cased, so `ab-12 cd` and `AB12CD` match.
pub fn normalise_passcode(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// Checks a passcode a facilitator sets: 4 to 12 letters or digits. Empty
/// means "no passcode".
pub fn parse_passcode(raw: Option<&str>) -> Result<Option<String>, AppError> {
    let code = normalise_passcode(raw.unwrap_or(""));
    if code.is_empty() {
        return Ok(None);
    }
    if !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(AppError::invalid(Field::Passcode, Problem::Malformed));
    }
    let len = code.chars().count();
    if len < PASSCODE_MIN {
        return Err(AppError::invalid(
            Field::Passcode,
            Problem::TooShort {
                min: PASSCODE_MIN as u32,
            },
        ));
    }
    if len > PASSCODE_MAX {
        return Err(AppError::invalid(
            Field::Passcode,
            Problem::TooLong {
                max: PASSCODE_MAX as u32,
            },
        ));
    }
    Ok(Some(code))
}

/// Whether a participant's typed passcode opens a session that asks for
/// `expected`. Compared in constant time for equal lengths.
pub fn passcode_matches(expected: &str, typed: Option<&str>) -> bool {
    let typed = normalise_passcode(typed.unwrap_or(""));
    let (a, b) = (expected.as_bytes(), typed.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn withdrawn_cards_are_kept_unless_the_workshop_says_remove() {
        assert_eq!(WithdrawnCards::default(), WithdrawnCards::Keep);
        assert_eq!(WithdrawnCards::parse("remove"), Ok(WithdrawnCards::Remove));
        assert_eq!(
            WithdrawnCards::parse("burn"),
            Err(AppError::invalid(Field::WithdrawnCards, Problem::Unknown))
        );
    }

    #[test]
    fn a_retention_date_cannot_end_before_the_workshop() {
        let end = Date::parse("2026-12-02");
        assert_eq!(
            parse_privacy("keep", Some("2026-12-01"), end),
            Err(AppError::invalid(Field::RetainUntil, Problem::BeforeStart))
        );
        assert_eq!(
            parse_privacy("keep", Some("2027-06-30"), end),
            Ok((WithdrawnCards::Keep, Date::parse("2027-06-30")))
        );
        assert_eq!(
            parse_privacy("remove", Some(" "), end),
            Ok((WithdrawnCards::Remove, None))
        );
        assert_eq!(
            parse_privacy("keep", Some("30/06/2027"), end),
            Err(AppError::invalid(Field::RetainUntil, Problem::Malformed))
        );
    }

    #[test]
    fn purging_waits_for_the_day_after_the_retention_date() {
        let mut p = Privacy::default();
        let day = |s| Date::parse(s).unwrap();
        assert!(
            may_purge(&p, day("2030-01-01")).is_err(),
            "no date, no purge"
        );
        p.retain_until = Some(day("2027-06-30"));
        assert_eq!(
            may_purge(&p, day("2027-06-30")),
            Err(AppError::Retained {
                until: Some("2027-06-30".into())
            })
        );
        assert_eq!(may_purge(&p, day("2027-07-01")), Ok(()));
    }

    #[test]
    fn passcodes_are_read_as_people_say_them() {
        assert_eq!(parse_passcode(Some("ab-12 cd")), Ok(Some("AB12CD".into())));
        assert_eq!(parse_passcode(Some("  ")), Ok(None));
        assert_eq!(parse_passcode(None), Ok(None));
        assert_eq!(
            parse_passcode(Some("ab1")),
            Err(AppError::invalid(
                Field::Passcode,
                Problem::TooShort { min: 4 }
            ))
        );
        assert_eq!(
            parse_passcode(Some("1234567890123")),
            Err(AppError::invalid(
                Field::Passcode,
                Problem::TooLong { max: 12 }
            ))
        );
        assert_eq!(
            parse_passcode(Some("kopi!")),
            Err(AppError::invalid(Field::Passcode, Problem::Malformed))
        );
        assert!(passcode_matches("AB12CD", Some("ab12 cd")));
        assert!(!passcode_matches("AB12CD", Some("AB12CE")));
        assert!(!passcode_matches("AB12CD", Some("AB12C")));
        assert!(!passcode_matches("AB12CD", None));
    }
}
