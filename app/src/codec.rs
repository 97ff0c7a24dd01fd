//! How server functions' answers and errors travel: JSON, read as text.
//!
//! server_fn's own `Json` reads an answer with `serde_json::from_slice`,
//! while island props, live events and the phone's outbox are read with
//! `serde_json::from_str`. Every type read both ways is compiled twice into
//! the phone's WebAssembly (serde_json's reader is generic over its input).
//! [`JsonText`] writes the same JSON and reads it as `&str`, so a phone
//! carries one reader of each type. The bytes on the wire do not change.

use bytes::Bytes;
use serde::{Serialize, de::DeserializeOwned};
use server_fn::{ContentType, Decodes, Encodes, Format, FormatType, codec::Post};

/// JSON, decoded from text (see the module's notes).
pub struct JsonText;

/// A `POST` whose answer is [`JsonText`]: the `output` of every server
/// function the phone calls.
pub type JsonOut = Post<JsonText>;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = DecodeError;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(|_| DecodeError::NotText)?;
        serde_json::from_str(text).map_err(DecodeError::Json)
    }
}

/// Why an answer could not be read.
#[derive(Debug)]
pub enum DecodeError {
    /// The answer was not UTF-8.
    NotText,
    Json(serde_json::Error),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::NotText => f.write_str("the answer is not UTF-8 text"),
            DecodeError::Json(e) => e.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rembuk_domain::AppError;

    #[test]
    fn writes_what_it_reads() {
        let error = AppError::OverBudget {
            budget: 5,
            used_elsewhere: 3,
            requested: 4,
        };
        let bytes = <JsonText as Encodes<AppError>>::encode(&error).unwrap();
        assert_eq!(bytes, serde_json::to_vec(&error).unwrap());
        let back: AppError = <JsonText as Decodes<AppError>>::decode(bytes).unwrap();
        assert_eq!(back, error);
    }

    #[test]
    fn says_what_is_wrong_with_an_unreadable_answer() {
        let bad = <JsonText as Decodes<AppError>>::decode(Bytes::from_static(b"\xff\xfe"));
        assert_eq!(bad.unwrap_err().to_string(), "the answer is not UTF-8 text");
        let bad = <JsonText as Decodes<AppError>>::decode(Bytes::from_static(b"{\"code\":"));
        assert!(matches!(bad, Err(DecodeError::Json(_))));
    }
}
