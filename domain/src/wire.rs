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

use std::fmt;

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
