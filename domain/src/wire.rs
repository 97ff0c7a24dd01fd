//! Reading tagged JSON without serde's buffering.
//!
//! serde's derived `Deserialize` for an internally tagged enum
//! (`#[serde(tag = "type")]`) or a `#[serde(flatten)]` field first reads
//! the whole object into a generic buffer, then reads every variant's
//! fields again from that buffer. In the browser that second reader is
//! compiled once more for every type inside, which made up a good part of
//! the phone's WebAssembly. The types the browser reads
//! ([`LiveEvent`](crate::event::LiveEvent), [`AppError`](crate::AppError),
//! the participant's own ratings) therefore read through a plain struct
//! holding every field any variant has (`#[serde(try_from = "…Wire")]`),
//! then pick the variant by its tag. The JSON is exactly what the derived
//! `Serialize` writes; tests round-trip every variant.
//!
//! The browser no longer uses serde to read at all (see [`crate::json`]);
//! the same wire structs and tag lists serve both readers, so the choice
//! of variant by tag is written once.
//!
//! The same goes, on a smaller scale, for enums without fields: serde's
//! derive reads each through a visitor of its own that also accepts
//! `{"name": null}` and variant numbers. [`tags!`](crate::tags) gives such
//! an enum one list of its JSON names, and [`read_tag`] reads any of them
//! with one visitor that only takes a string.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

/// An enum without fields, written in JSON as one of a fixed set of names.
/// Implemented by [`tags!`](crate::tags), which also makes it
/// `Deserialize` through [`read_tag`].
pub trait Tag: Copy + 'static {
    /// Every variant, in the order of [`Tag::NAMES`].
    const ALL: &'static [Self];
    /// Each variant's name in JSON and in the API.
    const NAMES: &'static [&'static str];

    /// This variant's name.
    fn name(self) -> &'static str;

    /// The variant with this exact name.
    fn from_name(name: &str) -> Option<Self> {
        let index = Self::NAMES.iter().position(|n| *n == name)?;
        Some(Self::ALL[index])
    }
}

/// Gives an enum without fields its JSON names: `tags!(Kind { A = "a", B
/// = "b" })` implements [`Tag`], `Deserialize` and [`FromJson`](crate::json::FromJson). `name` is an
/// exhaustive match, so a variant without a name does not compile.
/// `Serialize` stays derived (with the same names through
/// `rename_all`, which the OpenAPI schema reads too); a test checks that
/// both agree for every variant. The calling crate needs `serde`.
#[macro_export]
macro_rules! tags {
    ($ty:ident { $($variant:ident = $name:literal),+ $(,)? }) => {
        impl $crate::wire::Tag for $ty {
            const ALL: &'static [Self] = &[$($ty::$variant),+];
            const NAMES: &'static [&'static str] = &[$($name),+];

            fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::wire::read_tag(deserializer)
            }
        }

        impl $crate::json::FromJson for $ty {
            fn from_json(value: $crate::json::Value) -> Result<Self, $crate::json::JsonError> {
                $crate::wire::tag_from_json(value)
            }
        }
    };
}

/// Reads a [`Tag`] from its name. An unknown name fails with serde's
/// usual "unknown variant `x`, expected one of …".
pub fn read_tag<'de, D: Deserializer<'de>, T: Tag>(deserializer: D) -> Result<T, D::Error> {
    let index = deserializer.deserialize_str(NameVisitor(T::NAMES))?;
    Ok(T::ALL[index])
}

/// Reads a [`Tag`] from its name in a JSON value (see [`crate::json`]).
pub fn tag_from_json<T: Tag>(value: crate::json::Value) -> Result<T, crate::json::JsonError> {
    let name = crate::json::text(value)?;
    T::from_name(&name).ok_or(crate::json::JsonError::UNKNOWN_NAME)
}

/// Finds a string among the names; one visitor for every [`Tag`].
struct NameVisitor(&'static [&'static str]);

impl<'de> Visitor<'de> for NameVisitor {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("one of ")?;
        for (i, name) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{name}`")?;
        }
        Ok(())
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<usize, E> {
        self.0
            .iter()
            .position(|name| *name == value)
            .ok_or_else(|| E::unknown_variant(value, self.0))
    }
}

/// Why a tagged object could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireError {
    /// A field the tag's variant needs was absent (or `null`).
    Missing(&'static str),
    /// A number too large (or negative) for the variant's field.
    OutOfRange(&'static str),
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Missing(name) => write!(f, "missing field `{name}`"),
            WireError::OutOfRange(name) => write!(f, "field `{name}` is out of range"),
        }
    }
}

impl WireError {
    /// The same, as an error of [`crate::json`].
    pub fn into_json(self) -> crate::json::JsonError {
        match self {
            WireError::Missing(name) => crate::json::JsonError::new("missing field").at(name),
            WireError::OutOfRange(name) => {
                crate::json::JsonError::new("number out of range").at(name)
            }
        }
    }
}

/// The field's value, or which field is missing.
pub fn need<T>(value: Option<T>, name: &'static str) -> Result<T, WireError> {
    value.ok_or(WireError::Missing(name))
}

/// The field's value as a `u32`, for a field that other variants read as
/// a wider number.
pub fn need_u32(value: Option<i64>, name: &'static str) -> Result<u32, WireError> {
    u32::try_from(need(value, name)?).map_err(|_| WireError::OutOfRange(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks, for tests, that every variant of a [`Tag`] is written as its
    /// name by `Serialize` and read back by `Deserialize`, and that an
    /// unknown name is refused.
    fn assert_tags_round_trip<T>()
    where
        T: Tag + serde::Serialize + serde::de::DeserializeOwned + PartialEq + fmt::Debug,
    {
        assert_eq!(T::ALL.len(), T::NAMES.len());
        for (variant, name) in T::ALL.iter().zip(T::NAMES) {
            assert_eq!(variant.name(), *name);
            let json = serde_json::to_string(variant).expect("a tag serialises");
            assert_eq!(json, format!("\"{name}\""), "{variant:?}");
            assert_eq!(serde_json::from_str::<T>(&json).ok(), Some(*variant));
            assert_eq!(T::from_name(name), Some(*variant));
        }
        let unknown = serde_json::from_str::<T>("\"no such name\"").unwrap_err();
        assert!(
            unknown
                .to_string()
                .starts_with("unknown variant `no such name`, expected"),
            "{unknown}"
        );
        assert!(serde_json::from_str::<T>("3").is_err());
        assert_eq!(T::from_name("no such name"), None);
    }

    #[test]
    fn every_tag_is_written_and_read_by_its_name() {
        use crate::{
            Entity, Field, Lang,
            card::{CardKind, CardStatus},
            privacy::WithdrawnCards,
            question::{Action, Phase, QuestionKind, VotingMode},
            rating::Horizon,
        };
        assert_tags_round_trip::<CardKind>();
        assert_tags_round_trip::<CardStatus>();
        assert_tags_round_trip::<QuestionKind>();
        assert_tags_round_trip::<Phase>();
        assert_tags_round_trip::<VotingMode>();
        assert_tags_round_trip::<Action>();
        assert_tags_round_trip::<Horizon>();
        assert_tags_round_trip::<WithdrawnCards>();
        assert_tags_round_trip::<Lang>();
        assert_tags_round_trip::<Field>();
        assert_tags_round_trip::<Entity>();
    }

    #[test]
    fn a_tag_is_read_from_a_string_only() {
        use crate::question::Phase;
        let wrong = serde_json::from_str::<Phase>("1").unwrap_err().to_string();
        assert!(
            wrong.contains("expected one of `collecting`, `voting`, `closed`"),
            "{wrong}"
        );
        assert!(serde_json::from_str::<Phase>(r#"{"voting":null}"#).is_err());
        assert!(serde_json::from_str::<Phase>(r#""Voting""#).is_err());
        assert_eq!(
            serde_json::from_str::<Vec<Phase>>(r#"["closed","voting"]"#).unwrap(),
            [Phase::Closed, Phase::Voting]
        );
    }

    #[test]
    fn names_the_missing_field() {
        assert_eq!(need(Some(3), "seq"), Ok(3));
        assert_eq!(
            need::<u64>(None, "seq").unwrap_err().to_string(),
            "missing field `seq`"
        );
        assert_eq!(need_u32(Some(7), "max"), Ok(7));
        assert_eq!(
            need_u32(Some(-1), "max").unwrap_err().to_string(),
            "field `max` is out of range"
        );
        assert_eq!(
            need_u32(Some(1 << 40), "max"),
            Err(WireError::OutOfRange("max"))
        );
    }
}
