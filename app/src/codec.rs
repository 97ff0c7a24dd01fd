//! How server functions' answers and errors travel: JSON, read as text.
//! Both codecs here write what serde's derived `Serialize` writes; they
//! differ in how the browser reads it.
//!
//! - [`LeanJson`] ([`PhoneOut`]): what the participant's page calls, and
//!   every server function's error. Read by `rembuk_domain::json`, one
//!   parser shared by every type, as the phone also reads its live events,
//!   its outbox and the snapshot it starts from. No serde reader reaches
//!   the phone's WebAssembly.
//! - [`JsonText`] ([`JsonOut`]): the other answers (staff screens, the
//!   join page), read by serde_json as `&str` (server_fn's own `Json`
//!   reads `&[u8]`, which would compile serde_json's reader of each type a
//!   second time).
//!
//! The bytes on the wire are the same either way.

use bytes::Bytes;
use rembuk_domain::json::{self, FromJson};
use serde::{Serialize, de::DeserializeOwned};
use server_fn::{ContentType, Decodes, Encodes, Format, FormatType, codec::Post};

/// JSON, decoded from text (see the module's notes).
pub struct JsonText;

/// A `POST` whose answer is [`JsonText`]: the `output` of the server
/// functions the phone's bundle does not call (staff screens, joining).
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
    type Error = DecodeError<serde_json::Error>;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(|_| DecodeError::NotText)?;
        serde_json::from_str(text).map_err(DecodeError::Json)
    }
}

/// JSON written by serde and read by [`rembuk_domain::json`]: the answers
/// and errors of what the phone calls. serde's reader compiles a copy of
/// itself for every type it reads; this one is shared (see that module).
pub struct LeanJson;

/// A `POST` whose answer is [`LeanJson`]: the `output` of every server
/// function the participant's page calls.
pub type PhoneOut = Post<LeanJson>;

impl ContentType for LeanJson {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for LeanJson {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for LeanJson {
    type Error = serde_json::Error;

    /// Written as [`JsonText`] writes it.
    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        <JsonText as Encodes<T>>::encode(output)
    }
}

impl<T: FromJson> Decodes<T> for LeanJson {
    type Error = DecodeError<json::JsonError>;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(|_| DecodeError::NotText)?;
        json::read(text).map_err(DecodeError::Json)
    }
}

/// Why an answer could not be read; `E` is the JSON reader's error.
#[derive(Debug)]
pub enum DecodeError<E> {
    /// The answer was not UTF-8.
    NotText,
    Json(E),
}

impl<E: std::fmt::Display> std::fmt::Display for DecodeError<E> {
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
    use crate::error::UiError;
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
    fn the_lean_codec_writes_what_it_reads() {
        let error = UiError(AppError::OverBudget {
            budget: 5,
            used_elsewhere: 3,
            requested: 4,
        });
        let bytes = <LeanJson as Encodes<UiError>>::encode(&error).unwrap();
        assert_eq!(bytes, serde_json::to_vec(&error).unwrap());
        let back: UiError = <LeanJson as Decodes<UiError>>::decode(bytes).unwrap();
        assert_eq!(back, error);
        let bad = <LeanJson as Decodes<UiError>>::decode(Bytes::from_static(b"\xff\xfe"));
        assert_eq!(bad.unwrap_err().to_string(), "the answer is not UTF-8 text");
        let bad = <LeanJson as Decodes<UiError>>::decode(Bytes::from_static(b"{\"code\":"));
        assert_eq!(bad.unwrap_err().to_string(), "expected a JSON value");
    }

    #[test]
    fn says_what_is_wrong_with_an_unreadable_answer() {
        let bad = <JsonText as Decodes<AppError>>::decode(Bytes::from_static(b"\xff\xfe"));
        assert_eq!(bad.unwrap_err().to_string(), "the answer is not UTF-8 text");
        let bad = <JsonText as Decodes<AppError>>::decode(Bytes::from_static(b"{\"code\":"));
        assert!(matches!(bad, Err(DecodeError::Json(_))));
    }
}
