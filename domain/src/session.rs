//! Sessions, join codes and participants.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

use crate::{
    AppError, Field, Lang, ParticipantId, Problem, SessionId, WorkshopId,
    text::{self, DISPLAY_NAME, TITLE},
    time::Timestamp,
};

/// A session of a workshop: a day or a room, joined by its code.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: SessionId,
    pub workshop_id: WorkshopId,
    pub title: String,
    pub join_code: JoinCode,
    pub created_at: Timestamp,
    /// Participants' cards wait for a facilitator's approval.
    #[serde(default)]
    pub premoderate: bool,
    /// The passcode joining needs, if the facilitator set one. Staff see
    /// it (to tell the room); participants' copies never carry it.
    #[serde(default)]
    pub passcode: Option<String>,
}

crate::json_struct!(Session {
    id,
    workshop_id,
    title,
    join_code,
    created_at,
    premoderate: default,
    passcode: default,
});

/// Checks a session's title.
pub fn parse_title(raw: &str) -> Result<String, AppError> {
    text::clean_line(raw, Field::Title, TITLE)
}

/// The six-digit code people type to join a session.
///
/// It never starts with 0, so phone keyboards and spreadsheets cannot drop
/// a digit, and it is shown in two groups of three (`482 913`) so it can be
/// read aloud across a hall.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct JoinCode(u32);

impl JoinCode {
    /// Smallest code.
    pub const MIN: u32 = 100_000;
    /// Largest code.
    pub const MAX: u32 = 999_999;

    /// Maps any random number onto the code space, uniformly enough for
    /// codes (the bias of a 32-bit modulo over 900 000 values is < 0.03 %).
    pub fn from_random(r: u32) -> JoinCode {
        JoinCode(Self::MIN + r % (Self::MAX - Self::MIN + 1))
    }

    /// Reads a code as a person typed it: spaces, dashes and dots are
    /// ignored, and so are the `#` or `kode:` people sometimes add.
    pub fn parse(raw: &str) -> Result<JoinCode, AppError> {
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        let other = raw
            .chars()
            .filter(|c| {
                !c.is_ascii_digit() && !c.is_whitespace() && !matches!(c, '-' | '.' | '#' | ':')
            })
            .collect::<String>()
            .to_ascii_lowercase();
        if digits.is_empty() && other.is_empty() {
            return Err(AppError::invalid(Field::Code, Problem::Required));
        }
        if !(other.is_empty() || other == "kode" || other == "code") || digits.len() != 6 {
            return Err(AppError::invalid(Field::Code, Problem::Malformed));
        }
        let n: u32 = digits
            .parse()
            .map_err(|_| AppError::invalid(Field::Code, Problem::Malformed))?;
        if n < Self::MIN {
            return Err(AppError::invalid(Field::Code, Problem::Malformed));
        }
        Ok(JoinCode(n))
    }

    /// The code as a number.
    pub fn value(self) -> u32 {
        self.0
    }

    /// The code as six digits without spaces, as used in URLs.
    pub fn digits(self) -> String {
        self.0.to_string()
    }

    /// The code as shown to people: `482 913`.
    pub fn spaced(self) -> String {
        let d = self.digits();
        format!("{} {}", &d[..3], &d[3..])
    }
}

impl fmt::Display for JoinCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for JoinCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for JoinCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        JoinCode::parse(&s).map_err(|_| serde::de::Error::custom("expected a six-digit join code"))
    }
}

impl crate::json::FromJson for JoinCode {
    fn from_json(value: crate::json::Value) -> Result<Self, crate::json::JsonError> {
        JoinCode::parse(&crate::json::text(value)?)
            .map_err(|_| crate::json::JsonError::new("expected a six-digit join code"))
    }
}

/// What the join page shows about a session: public to anyone who has its
/// code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JoinInfo {
    pub session_id: SessionId,
    pub session_title: String,
    pub workshop_title: String,
    pub place: Option<String>,
    pub language: Lang,
    pub code: JoinCode,
    pub groups: Vec<crate::group::StakeholderGroup>,
    /// Joining needs the session's passcode as well as its code.
    #[serde(default)]
    pub passcode_required: bool,
}

/// The version of the consent text shown at join; stored with each
/// participant so that it is known what they agreed to.
pub const CONSENT_VERSION: &str = "2026-12";

/// A join request, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinRequest {
    pub code: JoinCode,
    pub group: String,
    pub name: Option<String>,
}

/// Checks a join request. The group is checked against the workshop later.
pub fn parse_join(
    code: &str,
    group: &str,
    name: Option<&str>,
    consent: bool,
) -> Result<JoinRequest, AppError> {
    let code = JoinCode::parse(code)?;
    let group = group.trim();
    if group.is_empty() {
        return Err(AppError::invalid(Field::Group, Problem::Required));
    }
    let name = text::clean_optional_line(name, Field::Name, DISPLAY_NAME)?;
    if !consent {
        return Err(AppError::invalid(Field::Consent, Problem::MustAccept));
    }
    Ok(JoinRequest {
        code,
        group: group.to_string(),
        name,
    })
}

/// A participant as they see themselves.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub id: ParticipantId,
    pub session_id: SessionId,
    pub group: String,
    pub name: Option<String>,
    /// The language the participant chose, if any.
    pub language: Option<Lang>,
    pub joined_at: Timestamp,
}

crate::json_struct!(Participant {
    id,
    session_id,
    group,
    name,
    language,
    joined_at,
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_always_have_six_digits_and_no_leading_zero() {
        for r in [0, 1, 899_999, 900_000, u32::MAX, 123_456_789] {
            let c = JoinCode::from_random(r);
            assert!(
                (JoinCode::MIN..=JoinCode::MAX).contains(&c.value()),
                "{r} → {c}"
            );
            assert_eq!(c.digits().len(), 6);
        }
    }

    #[test]
    fn codes_are_read_the_way_people_type_them() {
        let c = JoinCode::parse("482913").unwrap();
        for typed in [
            "482 913",
            " 482-913 ",
            "482.913",
            "#482913",
            "Kode: 482 913",
            "code 482913",
        ] {
            assert_eq!(JoinCode::parse(typed).unwrap(), c, "{typed}");
        }
        assert_eq!(c.spaced(), "482 913");
    }

    #[test]
    fn wrong_codes_say_what_is_wrong() {
        assert_eq!(
            JoinCode::parse(""),
            Err(AppError::invalid(Field::Code, Problem::Required))
        );
        for bad in ["48291", "4829134", "012345", "abc123", "482913x"] {
            assert_eq!(
                JoinCode::parse(bad),
                Err(AppError::invalid(Field::Code, Problem::Malformed)),
                "{bad}"
            );
        }
    }

    #[test]
    fn join_needs_a_group_and_consent_but_no_name() {
        let j = parse_join("482 913", "academia", Some("  "), true).unwrap();
        assert_eq!(j.name, None);
        assert_eq!(j.group, "academia");
        assert_eq!(
            parse_join("482913", "academia", None, false),
            Err(AppError::invalid(Field::Consent, Problem::MustAccept))
        );
        assert_eq!(
            parse_join("482913", " ", None, true),
            Err(AppError::invalid(Field::Group, Problem::Required))
        );
        assert_eq!(
            parse_join("482913", "media", Some(&"x".repeat(61)), true),
            Err(AppError::invalid(Field::Name, Problem::TooLong { max: 60 }))
        );
    }

    #[test]
    fn codes_serialise_as_digit_strings() {
        let c = JoinCode::parse("482913").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"482913\"");
        assert_eq!(serde_json::from_str::<JoinCode>("\"482 913\"").unwrap(), c);
    }
}

#[cfg(feature = "openapi")]
mod schema {
    use utoipa::openapi::{
        RefOr, Type,
        schema::{ObjectBuilder, Schema},
    };

    impl utoipa::PartialSchema for super::JoinCode {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[1-9][0-9]{5}$"))
                .description(Some("Six-digit join code"))
                .into()
        }
    }
    impl utoipa::ToSchema for super::JoinCode {}
}
